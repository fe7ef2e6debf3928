/**
 * `npm run package` (scripts/package.ts) on the real builds in dist/ and dist-firefox/: every package
 * of one version, checksums that match, the store ZIP without a key, the CRX carrying the signing key.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { extensionIdOf } from '../../src/package/crx3.js';
import { ReleaseSchema } from '../../src/package/release.js';
import { GECKO_ID } from '../../src/policy/extension-id.js';

const ROOT = resolve(import.meta.dirname, '../..');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

function runPackage(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'scripts/package.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, UPLOAD_GUARD_CRX_KEY: '', UPLOAD_GUARD_CRX_KEY_PEM: '', ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The CRX3's archive: the bytes after the header. */
function crxArchive(crx: Buffer): Buffer {
  return crx.subarray(12 + crx.readUInt32LE(8));
}

describe('npm run package', () => {
  const work = mkdtempSync(join(tmpdir(), 'ug-package-'));
  const out = join(work, 'release');
  const keyFile = join(work, 'key.pem');
  let first: ReturnType<typeof runPackage>;

  beforeAll(() => {
    // npm test builds both; a standalone run builds what is missing.
    for (const [dir, browser] of [['dist', 'chrome'], ['dist-firefox', 'firefox']] as const) {
      if (!existsSync(join(ROOT, dir, 'manifest.json'))) {
        spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, env: { ...process.env, BROWSER: browser } });
      }
    }
    first = runPackage(['--no-build', '--new-key', keyFile, '--out', out, '--base-url', 'https://ext.example.co.jp/ug/']);
  }, 120_000);

  it('writes the CRX, store ZIP, XPI, release.json and checksums of one version', () => {
    expect(first.status, first.out).toBe(0);
    const release = ReleaseSchema.parse(JSON.parse(readFileSync(join(out, 'release.json'), 'utf8')));
    expect(release.version).toBe(version);
    expect(release.chrome.crx).toBe(`upload-guard-${version}.crx`);
    expect(release.firefox).toEqual({ id: GECKO_ID, xpi: `upload-guard-${version}.xpi` });
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(3);
    for (const line of sums) {
      const [hash, name] = line.split(/ {2}/);
      expect(createHash('sha256').update(readFileSync(join(out, name!))).digest('hex')).toBe(hash);
      expect(release.sha256[name!]).toBe(hash);
    }
  });

  it('the new key gives a new ID, and the CRX manifest carries that key; the store ZIP carries none', () => {
    const release = JSON.parse(readFileSync(join(out, 'release.json'), 'utf8'));
    const pub = new Uint8Array(createPublicKey(readFileSync(keyFile, 'utf8')).export({ type: 'spki', format: 'der' }));
    expect(release.chrome.id).toBe(extensionIdOf(pub));
    expect(first.out).toContain(`--extension-id ${release.chrome.id}`);
    const crxManifest = JSON.parse(strFromU8(unzipSync(crxArchive(readFileSync(join(out, release.chrome.crx))))['manifest.json']!));
    expect(crxManifest.key).toBe(Buffer.from(pub).toString('base64'));
    expect(crxManifest.version).toBe(version);
    const storeManifest = JSON.parse(strFromU8(unzipSync(readFileSync(join(out, release.chrome.zip)))['manifest.json']!));
    expect(storeManifest.key).toBeUndefined();
    expect(storeManifest.name).toBe(crxManifest.name);
    const xpi = unzipSync(readFileSync(join(out, release.firefox.xpi)));
    const xpiManifest = JSON.parse(strFromU8(xpi['manifest.json']!));
    expect(xpiManifest.browser_specific_settings.gecko.id).toBe(GECKO_ID);
    expect(xpiManifest.version).toBe(version);
    expect(xpiManifest.key).toBeUndefined();
  });

  it('with --base-url, static update manifests point at the packages', () => {
    const release = JSON.parse(readFileSync(join(out, 'release.json'), 'utf8'));
    const xml = readFileSync(join(out, 'updates.xml'), 'utf8');
    expect(xml).toContain(`appid='${release.chrome.id}'`);
    expect(xml).toContain(`codebase='https://ext.example.co.jp/ug/${release.chrome.crx}' version='${version}'`);
    const ff = JSON.parse(readFileSync(join(out, 'updates.json'), 'utf8'));
    expect(ff.addons[GECKO_ID].updates[0]).toEqual({
      version,
      update_link: `https://ext.example.co.jp/ug/${release.firefox.xpi}`,
      update_hash: `sha256:${release.sha256[release.firefox.xpi]}`,
    });
  });

  it('the same key and build give the same CRX bytes (reproducible)', () => {
    const again = join(work, 'again');
    const r = runPackage(['--no-build', '--key', keyFile, '--out', again]);
    expect(r.status, r.out).toBe(0);
    const name = `upload-guard-${version}.crx`;
    expect(readFileSync(join(again, name)).equals(readFileSync(join(out, name)))).toBe(true);
    expect(existsSync(join(again, 'updates.xml'))).toBe(false);
  });

  it('takes the key from UPLOAD_GUARD_CRX_KEY_PEM too', () => {
    const r = runPackage(['--no-build', '--out', join(work, 'env')], { UPLOAD_GUARD_CRX_KEY_PEM: readFileSync(keyFile, 'utf8') });
    expect(r.status, r.out).toBe(0);
  });

  it("--signed-xpi puts Mozilla's signed copy in place of the unsigned build, after checking it is this add-on and version", () => {
    const unsigned = unzipSync(readFileSync(join(out, `upload-guard-${version}.xpi`)));
    const signedFile = join(work, 'signed.xpi');
    writeFileSync(signedFile, zipSync({ ...unsigned, 'META-INF/mozilla.rsa': strToU8('signature'), 'META-INF/manifest.mf': strToU8('x') }));
    const r = runPackage(['--no-build', '--no-crx', '--signed-xpi', signedFile, '--out', join(work, 'signed')]);
    expect(r.status, r.out).toBe(0);
    expect(readFileSync(join(work, 'signed', `upload-guard-${version}.xpi`)).equals(readFileSync(signedFile))).toBe(true);

    const notSigned = join(work, 'plain.xpi');
    writeFileSync(notSigned, zipSync(unsigned));
    expect(runPackage(['--no-build', '--no-crx', '--signed-xpi', notSigned, '--out', join(work, 's2')]).out).toMatch(/no Mozilla signature/);
    const manifest = JSON.parse(strFromU8(unsigned['manifest.json']!));
    const older = join(work, 'older.xpi');
    writeFileSync(older, zipSync({ ...unsigned, 'manifest.json': strToU8(JSON.stringify({ ...manifest, version: '0.0.1' })), 'META-INF/mozilla.rsa': strToU8('s') }));
    const r3 = runPackage(['--no-build', '--no-crx', '--signed-xpi', older, '--out', join(work, 's3')]);
    expect(r3.status).toBe(2);
    expect(r3.out).toMatch(/version 0\.0\.1, expected/);
  });

  it('--firefox-update-url goes into the XPI manifest (before signing), so installed add-ons find updates', () => {
    const url = 'https://ug.example.co.jp/extension/updates.json?token=ugi_x';
    const r = runPackage(['--no-build', '--no-crx', '--firefox-update-url', url, '--out', join(work, 'ffu')]);
    expect(r.status, r.out).toBe(0);
    const xpi = unzipSync(readFileSync(join(work, 'ffu', `upload-guard-${version}.xpi`)));
    const manifest = JSON.parse(strFromU8(xpi['manifest.json']!));
    expect(manifest.browser_specific_settings.gecko).toMatchObject({ id: GECKO_ID, update_url: url });
    expect(runPackage(['--no-build', '--no-crx', '--firefox-update-url', 'javascript:alert(1)', '--out', join(work, 'ffu2')]).status).toBe(2);
  });

  it('without a key, or with a bad one, it stops with a clear message; --no-crx makes the rest', () => {
    const none = runPackage(['--no-build', '--out', join(work, 'none')]);
    expect(none.status).toBe(2);
    expect(none.out).toMatch(/no CRX signing key: give --key FILE/);
    const bad = join(work, 'bad.pem');
    writeFileSync(bad, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const badRun = runPackage(['--no-build', '--key', bad, '--out', join(work, 'bad')]);
    expect(badRun.status).toBe(2);
    expect(badRun.out).toMatch(/not a usable RSA private key/);
    expect(runPackage(['--no-build', '--new-key', keyFile, '--out', join(work, 'x')]).out).toMatch(/refusing to overwrite/);
    const noCrx = runPackage(['--no-build', '--no-crx', '--out', join(work, 'nocrx')]);
    expect(noCrx.status, noCrx.out).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'nocrx', 'release.json'), 'utf8')).chrome.crx).toBeNull();
    expect(runPackage(['--no-build', '--no-crx', '--base-url', 'ftp://x/?a', '--out', join(work, 'y')]).status).toBe(2);
  });
});
