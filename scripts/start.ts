/**
 * `npm start`: the product on one machine. Builds the extension, shows the engine on sample
 * documents, writes the policy that connects the extension to this collector, starts the
 * collector (SQLite in ./data), and prints what to do next.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTokens, run as runCollector } from '../src/cli/collector.js';
import { run as runScan } from '../src/cli/scan.js';
import { EXTENSION_ID } from '../src/policy/extension-id.js';

const root = resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 8787);
const dataDir = join(root, 'data');
const dist = join(root, 'dist');

const say = (s = '') => console.log(s);

say('▶ Building the extension (dist/)…');
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('The extension build failed.');
  process.exit(1);
}

const samples = [join(root, '../shared/corpus'), join(root, 'test/fixtures/office')].find(existsSync);
if (samples) {
  say(`\n▶ The engine on sample documents (${samples}):`);
  await runScan([samples]);
}

mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const { tokens } = loadTokens(dataDir);
const collectorUrl = `http://127.0.0.1:${port}`;
const policy = { collectorUrl, ingestToken: tokens.ingest };
const policyFile = join(dataDir, 'extension-policy.json');
const chromeFile = join(dataDir, 'chromium-managed-policy.json');
writeFileSync(policyFile, JSON.stringify(policy, null, 2) + '\n', { mode: 0o600 });
writeFileSync(chromeFile, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: policy } } }, null, 2) + '\n', { mode: 0o600 });

say(`
▶ Next steps
  1. Load the extension: chrome://extensions → Developer mode → "Load unpacked" → ${dist}
     (extension ID ${EXTENSION_ID}; for a fleet, deploy it by policy: docs/deployment.md)
  2. Connect it to this collector with a managed policy (the user cannot change it):
       sudo mkdir -p /etc/chromium/policies/managed /etc/opt/chrome/policies/managed
       sudo cp ${chromeFile} /etc/chromium/policies/managed/upload-guard.json      # Chromium
       sudo cp ${chromeFile} /etc/opt/chrome/policies/managed/upload-guard.json    # Google Chrome
     (the policy itself, for GPO or other tools: ${policyFile})
  3. Try to attach a file named 「秘—test.txt」 on Gmail, Yahoo! Mail, Google Drive or ChatGPT: the upload is stopped.
  4. Admins: open ${collectorUrl}/admin/ and sign in with the admin token in ${join(dataDir, 'tokens.json')}
     or pull logs: UPLOAD_GUARD_ADMIN_TOKEN=… npx upload-guard pull --since 7d --format csv > violations.csv
  5. For a fleet: npm run package (signed CRX, store ZIP, XPI; this collector serves them), then
     npx upload-guard policy files ${policyFile} --out deploy/   (docs/deployment.md, 日本語: docs/deployment.ja.md)
`);

// Packages made by `npm run package` are served by the collector itself (/extension/updates.xml …).
const releaseDir = join(root, 'release');
const packageArgs = existsSync(releaseDir) ? ['--packages', releaseDir] : [];

say('▶ Starting the collector (Ctrl-C to stop)…');
process.exitCode = await runCollector(['--port', String(port), '--data', dataDir, ...packageArgs]);
