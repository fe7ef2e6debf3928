/**
 * `npm run package`: every package of one version, from one build, into release/ (or --out DIR):
 *
 *   upload-guard-VERSION.crx            signed CRX3 for self-hosted Chrome/Edge installs (update_url)
 *   upload-guard-VERSION-webstore.zip   for the Chrome Web Store and Edge Add-ons (no `key` in it)
 *   upload-guard-VERSION.xpi            the Firefox build, unsigned (sign it through AMO, docs/deployment.md),
 *                                       or Mozilla's signed copy with --signed-xpi FILE
 *   release.json, SHA256SUMS            what the collector serves (/extension/…), and checksums
 *   updates.xml, updates.json           static update manifests, only with --base-url URL
 *
 * The CRX signing key is never in the repository: --key FILE, or UPLOAD_GUARD_CRX_KEY (a file path),
 * or UPLOAD_GUARD_CRX_KEY_PEM (the PEM itself, for CI secret stores). --new-key FILE makes one.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { strFromU8, unzipSync } from 'fflate';
import { packCrx3, signingKeyFromPem, type SigningKey } from '../src/package/crx3.js';
import { zipDirectory } from '../src/package/archive.js';
import { RELEASE_FILE, ReleaseSchema, type Release } from '../src/package/release.js';
import { chromeUpdateXml, firefoxUpdateJson, normalizePublicUrl } from '../src/package/update-manifest.js';
import { EXTENSION_ID, GECKO_ID } from '../src/policy/extension-id.js';

const root = resolve(import.meta.dirname, '..');
const USAGE = `Usage: npm run package -- [--key FILE | --new-key FILE | --no-crx] [--out DIR] [--base-url URL] [--no-build]
                           [--signed-xpi FILE]   the XPI as signed by Mozilla, instead of the unsigned build
                           [--firefox-update-url URL]  where installed Firefox add-ons look for updates, e.g.
                                 https://collector.example/extension/updates.json?token=<ingest token>`;

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        key: { type: 'string' },
        'new-key': { type: 'string' },
        'no-crx': { type: 'boolean', default: false },
        out: { type: 'string', default: join(root, 'release') },
        'base-url': { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        'signed-xpi': { type: 'string' },
        'firefox-update-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    say(USAGE);
    return 0;
  }

  let key: SigningKey | null = null;
  try {
    key = args['no-crx'] ? null : loadKey(args.key, args['new-key']);
  } catch (err) {
    return fail((err as Error).message);
  }
  let baseUrl: string | null = null;
  try {
    if (args['base-url']) baseUrl = normalizePublicUrl(args['base-url']);
  } catch {
    return fail(`--base-url must be an absolute http(s) URL without query or fragment`);
  }

  const firefoxUpdateUrl = args['firefox-update-url'];
  if (firefoxUpdateUrl !== undefined && !(/^https?:\/\//.test(firefoxUpdateUrl) && URL.canParse(firefoxUpdateUrl))) {
    return fail('--firefox-update-url must be an absolute http(s) URL');
  }
  if (firefoxUpdateUrl !== undefined && args['signed-xpi']) return fail('--firefox-update-url goes into the XPI before Mozilla signs it, not with --signed-xpi');

  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
  if (!args['no-build']) {
    for (const browser of ['chrome', 'firefox']) {
      say(`▶ Building for ${browser}…`);
      const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit', env: { ...process.env, BROWSER: browser } });
      if (r.status !== 0) return fail(`the ${browser} build failed`);
    }
  }
  const dist = join(root, 'dist');
  const distFirefox = join(root, 'dist-firefox');
  const manifest = readManifest(dist, version);
  const firefoxManifest = readManifest(distFirefox, version);

  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const files: Record<string, Uint8Array> = {};

  // The store assigns its own key and rejects a manifest that carries one.
  const { key: _key, update_url: _updateUrl, ...storeManifest } = manifest;
  const zipName = `upload-guard-${version}-webstore.zip`;
  files[zipName] = zipDirectory(dist, { 'manifest.json': json(storeManifest) });

  let crxName: string | null = null;
  let chromeId = EXTENSION_ID;
  if (key) {
    crxName = `upload-guard-${version}.crx`;
    chromeId = key.extensionId;
    if (key.extensionId !== EXTENSION_ID) {
      say(`⚠ This key gives the extension ID ${key.extensionId}, not the shipped ${EXTENSION_ID}.`);
      say(`  Policies must use it: upload-guard policy files … --extension-id ${key.extensionId}`);
    }
    // The manifest's key must be the signing key, so an unpacked copy and the CRX share one ID.
    const crxManifest = { ...manifest, key: Buffer.from(key.publicKeyDer).toString('base64') };
    files[crxName] = packCrx3(zipDirectory(dist, { 'manifest.json': json(crxManifest) }), key);
  }
  const xpiName = `upload-guard-${version}.xpi`;
  // Firefox finds updates of a self-distributed add-on only through the update_url in its own manifest,
  // which Mozilla's signature then covers: it has to be set here, before signing.
  const xpiManifest: Record<string, Uint8Array> = firefoxUpdateUrl ? { 'manifest.json': json(withGeckoUpdateUrl(firefoxManifest, firefoxUpdateUrl)) } : {};
  files[xpiName] = args['signed-xpi'] ? signedXpi(args['signed-xpi'], version) : zipDirectory(distFirefox, xpiManifest);

  const sha256 = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]));
  const release: Release = ReleaseSchema.parse({
    name: 'upload-guard',
    version,
    chrome: { id: chromeId, crx: crxName, zip: zipName },
    firefox: { id: GECKO_ID, xpi: xpiName },
    sha256,
    builtAt: new Date().toISOString(),
  });
  // Packages of an earlier version stay out of the way: only this release is listed and served.
  for (const name of Object.keys(files)) writeFileSync(join(out, name), files[name]!);
  writeFileSync(join(out, RELEASE_FILE), JSON.stringify(release, null, 2) + '\n');
  writeFileSync(join(out, 'SHA256SUMS'), Object.entries(sha256).map(([n, h]) => `${h}  ${n}\n`).join(''));
  for (const stale of ['updates.xml', 'updates.json']) rmSync(join(out, stale), { force: true });
  if (baseUrl) {
    writeFileSync(join(out, 'updates.xml'), chromeUpdateXml({ appId: chromeId, version, codebase: crxName && `${baseUrl}/${crxName}` }));
    writeFileSync(join(out, 'updates.json'), firefoxUpdateJson({ addonId: GECKO_ID, version, link: `${baseUrl}/${xpiName}`, sha256: sha256[xpiName]! }));
  }

  say(`\n▶ Upload Guard ${version} → ${out}`);
  for (const [name, bytes] of Object.entries(files)) say(`  ${name.padEnd(38)} ${String(bytes.length).padStart(9)} bytes  sha256 ${sha256[name]}`);
  if (!crxName) say(`  (no CRX: --no-crx)`);
  say(`  ${RELEASE_FILE}, SHA256SUMS${baseUrl ? ', updates.xml, updates.json' : ''}`);
  say(`
Next:
  • Serve them from the collector: upload-guard collector --packages ${out}
    Chrome/Edge update URL: <collector>/extension/updates.xml?token=<ingest token>
  • Make the policy files: upload-guard policy files policy.yaml --out deploy/  (docs/deployment.md)
  • Firefox: sign ${xpiName} through AMO (unlisted) before deploying it (docs/deployment.md).`);
  return 0;
}

function loadKey(keyFile: string | undefined, newKeyFile: string | undefined): SigningKey {
  if (newKeyFile) {
    if (existsSync(newKeyFile)) throw new Error(`${newKeyFile} exists; refusing to overwrite a signing key`);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(newKeyFile, pem, { mode: 0o600, flag: 'wx' });
    const key = signingKeyFromPem(pem);
    say(`▶ New signing key ${newKeyFile} (keep it secret and safe: every update must be signed with it)`);
    say(`  extension ID ${key.extensionId}; manifest key ${Buffer.from(key.publicKeyDer).toString('base64')}`);
    return key;
  }
  const file = keyFile ?? process.env.UPLOAD_GUARD_CRX_KEY;
  const pem = file ? readFileSync(file, 'utf8') : process.env.UPLOAD_GUARD_CRX_KEY_PEM;
  if (!pem) {
    throw new Error(
      'no CRX signing key: give --key FILE (or UPLOAD_GUARD_CRX_KEY=FILE, or UPLOAD_GUARD_CRX_KEY_PEM), ' +
        '--new-key FILE to make one (this changes the extension ID), or --no-crx for the store ZIP and XPI only',
    );
  }
  try {
    return signingKeyFromPem(pem);
  } catch (err) {
    throw new Error(`${file ?? 'UPLOAD_GUARD_CRX_KEY_PEM'}: not a usable RSA private key (${(err as Error).message})`, { cause: err });
  }
}

function withGeckoUpdateUrl(manifest: Record<string, unknown>, updateUrl: string): Record<string, unknown> {
  const bss = manifest.browser_specific_settings as { gecko: Record<string, unknown> };
  return { ...manifest, browser_specific_settings: { ...bss, gecko: { ...bss.gecko, update_url: updateUrl } } };
}

/** Mozilla's signed XPI of this very version and add-on id: anything else would be a mix-up in the release. */
function signedXpi(file: string, version: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(file));
  let manifest;
  try {
    manifest = JSON.parse(strFromU8(unzipSync(bytes, { filter: (f) => f.name === 'manifest.json' })['manifest.json']!));
  } catch {
    throw new Error(`${file}: not an XPI (no readable manifest.json)`);
  }
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (id !== GECKO_ID || manifest.version !== version) {
    throw new Error(`${file}: add-on ${id} version ${manifest.version}, expected ${GECKO_ID} version ${version}`);
  }
  const signed = unzipSync(bytes, { filter: (f) => f.name.startsWith('META-INF/') });
  if (!Object.keys(signed).some((n) => /^META-INF\/.*\.(rsa|p7s)$/i.test(n))) throw new Error(`${file}: has no Mozilla signature (META-INF/*.rsa)`);
  return bytes;
}


function readManifest(dir: string, version: string): Record<string, unknown> {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: build first (or drop --no-build)`);
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  if (manifest.version !== version) throw new Error(`${file} has version ${manifest.version}, package.json ${version}: rebuild`);
  return manifest;
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');
const say = (s: string) => console.log(s);
function fail(message: string): number {
  console.error(`npm run package: ${message}`);
  return 2;
}

try {
  process.exitCode = main();
} catch (err) {
  process.exitCode = fail((err as Error).message);
}
