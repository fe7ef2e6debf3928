/**
 * The extension in Firefox (Debian's firefox-esr), deployed the way an admin deploys it:
 *
 *   npm run package (the XPI) → upload-guard collector --packages release/ (serves it)
 *   → upload-guard policy files policy.yaml --targets firefox → /etc/firefox/policies/policies.json
 *   → Firefox force-installs the add-on from the collector, reads its managed policy
 *     ("3rdparty" → "Extensions" → add-on id) and reports to the collector with the ingest token.
 *
 * The one test-only setting: the XPI is unsigned here (production XPIs are signed by Mozilla through
 * AMO, docs/deployment.md), so the profile turns off the signature requirement, which ESR allows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GECKO_ID } from '../../src/policy/extension-id.js';
import { until } from './policy-harness.js';
import { ADMIN_TOKEN, INGEST_TOKEN, ROOT, freePort, runPackage, runUploadGuard, startCollector, type RunningCollector } from './support/collector.js';

const DIST = join(ROOT, 'dist-firefox');
const FIREFOX = '/usr/bin/firefox-esr';
const POLICY_FILE = '/etc/firefox/policies/policies.json';


describe.skipIf(!existsSync(FIREFOX))('Firefox, force-installed by the generated policies.json', () => {
  const work = mkdtempSync(join(tmpdir(), 'ug-firefox-'));
  let collector: RunningCollector;
  let firefox: ChildProcess | null = null;
  let policyBackup: string | null = null;
  let generated: { policies: Record<string, unknown> };

  beforeAll(async () => {
    // npm test builds dist-firefox/ before any suite runs (another suite packages it); build only when missing.
    if (!existsSync(join(DIST, 'manifest.json'))) {
      const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, env: { ...process.env, BROWSER: 'firefox' } });
      if (built.status !== 0) throw new Error(`Firefox build failed: ${built.stderr}`);
    }
    runPackage(['--no-build', '--no-crx', '--out', join(work, 'release')]);
    collector = await startCollector({ dataDir: join(work, 'data'), port: await freePort(), args: ['--packages', join(work, 'release')] });

    writeFileSync(
      join(work, 'policy.yaml'),
      [`collectorUrl: ${collector.url}`, `ingestToken: ${INGEST_TOKEN}`, `user: ff-user`, `policyVersion: ff-1`].join('\n') + '\n',
    );
    runUploadGuard(['policy', 'files', join(work, 'policy.yaml'), '--out', join(work, 'deploy'), '--targets', 'firefox']);
    const file = join(work, 'deploy', 'firefox', 'policies.json');
    generated = JSON.parse(readFileSync(file, 'utf8'));
    mkdirSync(join(POLICY_FILE, '..'), { recursive: true });
    policyBackup = existsSync(POLICY_FILE) ? readFileSync(POLICY_FILE, 'utf8') : null;
    copyFileSync(file, POLICY_FILE);

    const profile = join(work, 'profile');
    mkdirSync(profile);
    writeFileSync(
      join(profile, 'user.js'),
      ['xpinstall.signatures.required", false', 'browser.shell.checkDefaultBrowser", false'].map((p) => `user_pref("${p});`).join('\n'),
    );
    firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, 'about:blank'], { stdio: 'ignore' });
  }, 120_000);

  afterAll(async () => {
    firefox?.kill('SIGKILL');
    if (policyBackup === null) rmSync(POLICY_FILE, { force: true });
    else writeFileSync(POLICY_FILE, policyBackup);
    await collector?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the generated file force-installs from the collector, in private windows too, and configures the add-on', () => {
    const settings = generated.policies.ExtensionSettings as Record<string, Record<string, unknown>>;
    expect(settings[GECKO_ID]).toMatchObject({
      installation_mode: 'force_installed',
      install_url: `${collector.url}/extension/upload-guard.xpi?token=${INGEST_TOKEN}`,
      private_browsing: true,
    });
    expect((generated.policies['3rdparty'] as { Extensions: Record<string, unknown> }).Extensions[GECKO_ID]).toMatchObject({ policyVersion: 'ff-1' });
  });

  it('Firefox installs the add-on from the collector; it runs force-installed with its policy and reports with the ingest token', async () => {
    const admin = (path: string) => fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.json());
    const device = await until(
      async () => {
        const r = (await admin('/v1/admin/devices')) as { devices: { browser: string; user: string | null; policyVersion: string | null; installType: string | null; extensionVersion: string }[] };
        return r.devices.find((d) => d.browser.startsWith('Firefox'));
      },
      'a heartbeat from Firefox',
      60_000,
      250,
    );
    expect(device).toMatchObject({ user: 'ff-user', policyVersion: 'ff-1', installType: 'admin' });
    const release = JSON.parse(readFileSync(join(work, 'release', 'release.json'), 'utf8'));
    expect(device.extensionVersion).toBe(release.version);
    // The collector counted the XPI download: Firefox fetched it from there, not from anywhere else.
    const metrics = await (await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(metrics).toMatch(/upload_guard_package_downloads_total\{kind="xpi"\} [1-9]/);
  }, 90_000);
});
