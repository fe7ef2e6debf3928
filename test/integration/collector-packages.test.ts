/**
 * The collector serves the extension packages: update manifests for Chrome/Edge (gupdate XML) and
 * Firefox (JSON), and the CRX/XPI/ZIP named in release.json, behind the ingest token (header or
 * ?token=). A temporary packages directory stands in for `npm run package`'s output.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'ingest-token-for-package-tests-0123';
const HOSTILE_TOKEN = `tok'"<>&x-hostile-token-0123456789`;
const ADMIN = 'admin-token-for-package-tests-3210';
const CHROME_ID = 'kifiiikeeilkcdcehgbnoedbcgaoafec';
const GECKO_ID = 'upload-guard@upload-guard.example';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Pkg {
  dir: string;
  files: Record<string, Buffer>;
  write(version: string, opts?: { crx?: boolean; xpi?: boolean; zip?: boolean; mtime?: number }): void;
}

function packagesDir(): Pkg {
  const dir = mkdtempSync(join(tmpdir(), 'ug-packages-'));
  dirs.push(dir);
  const pkg: Pkg = {
    dir,
    files: {},
    write(version, opts = {}) {
      const names = {
        crx: opts.crx === false ? null : `upload-guard-${version}.crx`,
        zip: opts.zip === false ? null : `upload-guard-${version}-webstore.zip`,
        xpi: opts.xpi === false ? null : `upload-guard-${version}.xpi`,
      };
      const sha256: Record<string, string> = {};
      for (const n of Object.values(names)) {
        if (!n) continue;
        const bytes = Buffer.concat([Buffer.from(`${n}\n`), randomBytes(64 * 1024)]);
        writeFileSync(join(dir, n), bytes);
        pkg.files[n] = bytes;
        sha256[n] = sha(bytes);
      }
      const release = {
        name: 'upload-guard',
        version,
        chrome: { id: CHROME_ID, crx: names.crx, zip: names.zip },
        firefox: { id: GECKO_ID, xpi: names.xpi },
        sha256,
        builtAt: '2026-11-24T10:00:00.000Z',
      };
      writeFileSync(join(dir, 'release.json'), JSON.stringify(release, null, 2));
      // A distinct mtime per write, so the mtime cache cannot serve the previous release.
      const t = (opts.mtime ?? Date.now()) / 1000;
      utimesSync(join(dir, 'release.json'), t, t);
      writeFileSync(join(dir, 'SHA256SUMS'), 'not listed in release.json\n');
    },
  };
  return pkg;
}

async function start(extra: Partial<CollectorOptions>): Promise<{ c: Collector; url: string }> {
  const c = await createCollector({
    storage: new SqliteStorage({ path: ':memory:' }),
    ingestTokens: [INGEST, HOSTILE_TOKEN],
    adminTokens: [ADMIN],
    ingestRateLimit: { perSecond: 1000, burst: 1000 },
    adminRateLimit: { perSecond: 1000, burst: 1000 },
    ...extra,
  });
  return { c, url: await c.listen(0) };
}

const q = (token: string) => `token=${encodeURIComponent(token)}`;
const codebaseOf = (xml: string) => {
  const m = /<updatecheck codebase='([^']*)' version='([^']*)'\s*\/>/.exec(xml);
  return m ? { codebase: m[1]!.replace(/&amp;/g, '&').replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>'), version: m[2] } : null;
};

/** A GET with the exact path given (fetch would normalise `..`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET' }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode!, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

describe('extension packages served by the collector', () => {
  let pkg: Pkg;
  let c: Collector;
  let url: string;
  beforeAll(async () => {
    pkg = packagesDir();
    pkg.write('0.1.0', { mtime: Date.parse('2026-11-24T10:00:00Z') });
    ({ c, url } = await start({ packagesDir: pkg.dir }));
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
  });

  it('needs an ingest token: none → 401, wrong → 401, admin → 403; query or header are both fine', async () => {
    for (const path of ['/extension/updates.xml', '/extension/updates.json', '/extension/upload-guard.crx', '/extension/upload-guard-0.1.0.xpi']) {
      const none = await fetch(url + path);
      expect(none.status, path).toBe(401);
      expect((await none.json()).error).toMatch(/missing token/);
      expect((await fetch(`${url}${path}?token=wrong-token`)).status, path).toBe(401);
      const admin = await fetch(`${url}${path}?${q(ADMIN)}`);
      expect(admin.status, path).toBe(403);
      expect((await admin.json()).error).toMatch(/admin token is not valid/);
      expect((await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } })).status, path).toBe(403);
      expect((await fetch(`${url}${path}?${q(INGEST)}`)).status, path).toBe(200);
      expect((await fetch(url + path, { headers: { authorization: `Bearer ${INGEST}` } })).status, path).toBe(200);
    }
    // A repeated token is no token.
    expect((await fetch(`${url}/extension/updates.xml?${q(INGEST)}&${q(INGEST)}`)).status).toBe(401);
  });

  it('updates.xml: a gupdate manifest whose codebase carries the same token, for the CRX of release.json', async () => {
    // Chrome appends its own parameters (x=id%3D…, prodversion, …) to the update URL: they are ignored.
    const res = await fetch(`${url}/extension/updates.xml?${q(INGEST)}&x=id%3D${CHROME_ID}%26v%3D0.0.1%26uc&prodversion=142.0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version='1\.0' encoding='UTF-8'\?>\s*<gupdate xmlns='http:\/\/www\.google\.com\/update2\/response' protocol='2\.0'>/);
    expect(xml).toContain(`<app appid='${CHROME_ID}'>`);
    expect(codebaseOf(xml)).toEqual({ codebase: `${url}/extension/upload-guard-0.1.0.crx?${q(INGEST)}`, version: '0.1.0' });
    // The link works and serves the CRX.
    const crx = await fetch(codebaseOf(xml)!.codebase);
    expect(Buffer.from(await crx.arrayBuffer()).equals(pkg.files['upload-guard-0.1.0.crx']!)).toBe(true);
  });

  it('escapes the token for the URL and the XML: a hostile token cannot break out of the attribute', async () => {
    const xml = await (await fetch(`${url}/extension/updates.xml?${q(HOSTILE_TOKEN)}`)).text();
    // URL-encoded (", <, >, & → %xx), then XML-escaped (' → &apos;).
    expect(xml).toContain(`?token=tok&apos;%22%3C%3E%26x-hostile-token-0123456789'`);
    expect(xml).not.toContain(HOSTILE_TOKEN);
    // Only the manifest's own markup: <?xml, <gupdate, <app, <updatecheck, </app, </gupdate.
    expect(xml.match(/</g)).toHaveLength(6);
    // Seven quoted attributes: version, encoding, xmlns, protocol, appid, codebase, version.
    expect(xml.match(/'/g)).toHaveLength(2 * 7);
  });

  it('never builds links from the Host header: the listen address without publicUrl, whatever the client says', async () => {
    const get = (headers: Record<string, string>, token = INGEST) => c.app.inject({ method: 'GET', url: `/extension/updates.xml?${q(token)}`, headers });
    for (const host of ['evil.example', `evil.example'><x y='`, 'collector.example:8443']) {
      const res = await get({ host, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
      expect(res.statusCode, host).toBe(200);
      expect(codebaseOf(res.body)!.codebase).toBe(`${url}/extension/upload-guard-0.1.0.crx?${q(INGEST)}`);
      expect(res.body).not.toContain('evil');
    }
    const ff = await c.app.inject({ method: 'GET', url: `/extension/updates.json?${q(INGEST)}`, headers: { host: `x'"<>` } });
    expect(ff.statusCode).toBe(200);
    expect(ff.body).not.toContain(`x'`);
  });

  it('updates.json: the Firefox manifest with the XPI link (same token) and its sha256', async () => {
    const res = await fetch(`${url}/extension/updates.json?${q(INGEST)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    const xpi = 'upload-guard-0.1.0.xpi';
    expect(body).toEqual({
      addons: { [GECKO_ID]: { updates: [{ version: '0.1.0', update_link: `${url}/extension/${xpi}?${q(INGEST)}`, update_hash: `sha256:${sha(pkg.files[xpi]!)}` }] } },
    });
  });

  it('serves exactly the files named in release.json and the stable aliases, as attachments with an ETag', async () => {
    const cases = [
      ['upload-guard-0.1.0.crx', 'upload-guard-0.1.0.crx', 'application/x-chrome-extension'],
      ['upload-guard.crx', 'upload-guard-0.1.0.crx', 'application/x-chrome-extension'],
      ['upload-guard-0.1.0.xpi', 'upload-guard-0.1.0.xpi', 'application/x-xpinstall'],
      ['upload-guard.xpi', 'upload-guard-0.1.0.xpi', 'application/x-xpinstall'],
      ['upload-guard-0.1.0-webstore.zip', 'upload-guard-0.1.0-webstore.zip', 'application/zip'],
      ['upload-guard-webstore.zip', 'upload-guard-0.1.0-webstore.zip', 'application/zip'],
    ] as const;
    for (const [requested, file, type] of cases) {
      const res = await fetch(`${url}/extension/${requested}?${q(INGEST)}`);
      expect(res.status, requested).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${file}"`);
      expect(res.headers.get('etag')).toBe(`"${sha(pkg.files[file]!)}"`);
      expect(res.headers.get('content-length')).toBe(String(pkg.files[file]!.length));
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer()).equals(pkg.files[file]!), requested).toBe(true);
    }
    const etag = `"${sha(pkg.files['upload-guard-0.1.0.crx']!)}"`;
    const again = await fetch(`${url}/extension/upload-guard.crx?${q(INGEST)}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('never takes a path from the request: traversal and unlisted files are 404', async () => {
    for (const path of [
      '/extension/..%2frelease.json',
      '/extension/..%2Frelease.json',
      '/extension/release.json',
      '/extension/SHA256SUMS',
      '/extension/%2e%2e',
      '/extension/..',
      '/extension/..%2f..%2f..%2fetc%2fpasswd',
      '/extension/upload-guard-0.1.0.crx%00.xpi',
      '/extension/UPLOAD-GUARD.CRX',
      '/extension/__proto__',
      '/extension/constructor',
    ]) {
      const res = await fetch(`${url}${path}?${q(INGEST)}`);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body, path).not.toContain('upload-guard-0.1.0'); // nothing of release.json leaks
      expect(body, path).not.toContain('root:');
    }
    for (const path of ['/extension/../release.json', '/extension/./release.json', '/extension/../../../../etc/passwd', '/extension//release.json']) {
      const res = await rawGet(url, `${path}?${q(INGEST)}`);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('"sha256"');
      expect(res.body).not.toContain('root:');
    }
  });

  it('counts update checks and downloads per kind in /metrics', async () => {
    const before = c.metrics.packageDownloads.xpi;
    await (await fetch(`${url}/extension/upload-guard.xpi?${q(INGEST)}`)).arrayBuffer();
    expect(c.metrics.packageDownloads.xpi).toBe(before + 1);
    const text = await (await fetch(url + '/metrics', { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(text).toMatch(/^upload_guard_package_downloads_total\{kind="crx"\} [1-9]\d*$/m);
    expect(text).toMatch(/^upload_guard_package_downloads_total\{kind="xpi"\} [1-9]\d*$/m);
    expect(text).toMatch(/^upload_guard_package_downloads_total\{kind="zip"\} [1-9]\d*$/m);
    expect(text).toMatch(/^upload_guard_update_checks_total\{browser="chrome"\} [1-9]\d*$/m);
    expect(text).toMatch(/^upload_guard_update_checks_total\{browser="firefox"\} [1-9]\d*$/m);
  });

  it('serves a fresh release without a restart; no CRX → "noupdate", no XPI → no updates', async () => {
    pkg.write('0.2.0', { crx: false, xpi: false, mtime: Date.parse('2026-11-25T10:00:00Z') });
    const xml = await (await fetch(`${url}/extension/updates.xml?${q(INGEST)}`)).text();
    expect(xml).toMatch(/<updatecheck status='noupdate'\s*\/>/);
    expect(xml).not.toContain('codebase');
    expect(await (await fetch(`${url}/extension/updates.json?${q(INGEST)}`)).json()).toEqual({ addons: { [GECKO_ID]: { updates: [] } } });
    const alias = await fetch(`${url}/extension/upload-guard.crx?${q(INGEST)}`);
    expect(alias.status).toBe(404);
    expect((await alias.json()).error).toMatch(/no CRX/);
    // The old version's files are still on disk but no longer listed: not served.
    expect((await fetch(`${url}/extension/upload-guard-0.1.0.crx?${q(INGEST)}`)).status).toBe(404);
    expect((await fetch(`${url}/extension/upload-guard-0.2.0-webstore.zip?${q(INGEST)}`)).status).toBe(200);

    // A CRX that release.json lists but the disk lacks is not linked either.
    pkg.write('0.3.0', { mtime: Date.parse('2026-11-26T10:00:00Z') });
    expect(codebaseOf(await (await fetch(`${url}/extension/updates.xml?${q(INGEST)}`)).text())!.version).toBe('0.3.0');
    unlinkSync(join(pkg.dir, 'upload-guard-0.3.0.crx'));
    expect(await (await fetch(`${url}/extension/updates.xml?${q(INGEST)}`)).text()).toMatch(/status='noupdate'/);
    expect((await fetch(`${url}/extension/upload-guard-0.3.0.crx?${q(INGEST)}`)).status).toBe(404);
  });

  it('a file that does not match its sha256 (half written) is 503, not served', async () => {
    writeFileSync(join(pkg.dir, 'upload-guard-0.3.0.xpi'), 'truncated');
    const res = await fetch(`${url}/extension/upload-guard.xpi?${q(INGEST)}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect((await res.json()).error).toMatch(/does not match its sha256/);
  });

  it('an invalid release.json is a clear 500; a missing one a 404', async () => {
    writeFileSync(join(pkg.dir, 'release.json'), JSON.stringify({ name: 'upload-guard', version: '1.0', chrome: { id: 'x', crx: '../../etc/passwd', zip: null } }));
    const bad = await fetch(`${url}/extension/updates.xml?${q(INGEST)}`);
    expect(bad.status).toBe(500);
    expect((await bad.json()).error).toMatch(/^release\.json is invalid: .*chrome\.id/);
    expect((await fetch(`${url}/extension/passwd?${q(INGEST)}`)).status).toBe(500);
    writeFileSync(join(pkg.dir, 'release.json'), '{"name":');
    expect((await (await fetch(`${url}/extension/updates.json?${q(INGEST)}`)).json()).error).toMatch(/not valid JSON/);
    unlinkSync(join(pkg.dir, 'release.json'));
    const missing = await fetch(`${url}/extension/updates.xml?${q(INGEST)}`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/release\.json is missing/);
  });
});

describe('extension packages: configuration', () => {
  it('without a packages directory every package route is a clear 404 (after the token check)', async () => {
    const { c, url } = await start({});
    try {
      for (const path of ['/extension/updates.xml', '/extension/updates.json', '/extension/upload-guard.crx']) {
        expect((await fetch(url + path)).status).toBe(401);
        const res = await fetch(`${url}${path}?${q(INGEST)}`);
        expect(res.status, path).toBe(404);
        expect((await res.json()).error).toMatch(/no packages directory/);
      }
    } finally {
      await c.close();
      await c.storage.close();
    }
  });

  it('publicUrl sets the base of the links, whatever Host says', async () => {
    const pkg = packagesDir();
    pkg.write('0.1.0');
    const pub = await start({ packagesDir: pkg.dir, publicUrl: 'https://ug.example.co.jp/guard/' });
    try {
      const xml = (await pub.c.app.inject({ method: 'GET', url: `/extension/updates.xml?${q(INGEST)}`, headers: { host: 'evil.example' } })).body;
      expect(codebaseOf(xml)!.codebase).toBe(`https://ug.example.co.jp/guard/extension/upload-guard-0.1.0.crx?${q(INGEST)}`);
    } finally {
      await pub.c.close();
      await pub.c.storage.close();
    }
    for (const bad of ['ftp://x', 'https://u:p@x', 'https://x/?a=1', 'not a url']) {
      await expect(createCollector({ storage: new SqliteStorage({ path: ':memory:' }), ingestTokens: ['ingest-token-0123456789abcdef'], adminTokens: ['admin-token-0123456789abcdef'], publicUrl: bad })).rejects.toThrow(/publicUrl/);
    }
  });
});
