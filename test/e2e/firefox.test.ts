/**
 * The extension in Firefox (Debian's firefox-esr): the Firefox build (BROWSER=firefox → dist-firefox/)
 * installs as an unsigned add-on in a fresh profile, reads its managed policy from Firefox's
 * policies.json ("3rdparty" → "Extensions" → add-on id), and its background reaches the collector
 * with the ingest token. Same sources as the Chromium build; only the manifest's background and
 * browser_specific_settings differ (vite.config.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GECKO_ID } from '../../src/policy/extension-id.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist-firefox');
const FIREFOX = '/usr/bin/firefox-esr';
const POLICY_DIR = '/etc/firefox/policies';

/** Every file under `dir`, keyed by its path relative to it: the .xpi is just a zip of the build. */
function filesUnder(dir: string, out: Record<string, Uint8Array> = {}, base = dir): Record<string, Uint8Array> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out, base);
    else out[relative(base, p)] = readFileSync(p);
  }
  return out;
}

describe.skipIf(!existsSync(FIREFOX))('Firefox', () => {
  const received: { url: string; auth: string | undefined; body: string }[] = [];
  let server: Server;
  let firefox: ChildProcess | null = null;
  let profile: string;
  let policyBackup: string | null = null;

  beforeAll(async () => {
    // npm test builds dist-firefox/ before any suite runs (another suite packages it); build only when missing.
    if (!existsSync(join(DIST, 'manifest.json'))) {
      const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, env: { ...process.env, BROWSER: 'firefox' } });
      if (built.status !== 0) throw new Error(`Firefox build failed: ${built.stderr}`);
    }
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":0,"duplicates":0}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;

    profile = mkdtempSync(join(tmpdir(), 'ug-firefox-'));
    mkdirSync(join(profile, 'extensions'));
    writeFileSync(join(profile, 'extensions', `${GECKO_ID}.xpi`), zipSync(filesUnder(DIST)));
    // Unsigned add-ons are allowed on ESR; a profile's extensions folder is a sideload scope.
    writeFileSync(
      join(profile, 'user.js'),
      ['xpinstall.signatures.required", false', 'extensions.autoDisableScopes", 0', 'extensions.enabledScopes", 15', 'browser.shell.checkDefaultBrowser", false']
        .map((p) => `user_pref("${p});`)
        .join('\n'),
    );
    mkdirSync(POLICY_DIR, { recursive: true });
    const policyFile = join(POLICY_DIR, 'policies.json');
    policyBackup = existsSync(policyFile) ? readFileSync(policyFile, 'utf8') : null;
    const managed = { collectorUrl: `http://127.0.0.1:${port}`, ingestToken: 'firefox-e2e-token', user: 'ff-user', policyVersion: 'ff-1' };
    writeFileSync(policyFile, JSON.stringify({ policies: { '3rdparty': { Extensions: { [GECKO_ID]: managed } } } }));
    firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, 'about:blank'], { stdio: 'ignore' });
  }, 120_000);

  afterAll(async () => {
    firefox?.kill('SIGKILL');
    server?.close();
    const policyFile = join(POLICY_DIR, 'policies.json');
    if (policyBackup === null) rmSync(policyFile, { force: true });
    else writeFileSync(policyFile, policyBackup);
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads, reads its managed policy and reports to the collector with the ingest token', async () => {
    const deadline = Date.now() + 60_000;
    while (!received.some((r) => r.url === '/v1/heartbeat') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const beat = received.find((r) => r.url === '/v1/heartbeat');
    expect(beat, 'no heartbeat from Firefox within 60 s').toBeDefined();
    expect(beat!.auth).toBe('Bearer firefox-e2e-token');
    const body = JSON.parse(beat!.body);
    expect(body).toMatchObject({ user: 'ff-user', policyVersion: 'ff-1', extensionVersion: expect.any(String) });
    expect(body.browser).toMatch(/^Firefox \d+/);
  }, 90_000);
});
