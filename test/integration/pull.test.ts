/** `upload-guard pull` as a real child process against a running collector. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { StoredEvent, UploadEvent } from '../../src/events/schema.js';
import { newApiToken } from '../../src/collector/accounts/api-tokens.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const ADMIN = 'pull-admin-token-0123456789';
const INGEST = 'pull-ingest-token-0123456789';

async function pull(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await exec(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'pull', ...args], {
      cwd: ROOT,
      env: { ...process.env, UPLOAD_GUARD_ADMIN_TOKEN: '', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('upload-guard pull', () => {
  let c: Collector;
  let url: string;
  let dir: string;
  const events: UploadEvent[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-pull-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: [ADMIN] });
    url = await c.listen(0);
    const now = Date.now();
    // 2,500 recent events (more than two pages of 1,000) and a few old ones outside --since 7d.
    for (let i = 0; i < 2500; i++) {
      events.push(
        sampleEvent({
          time: new Date(now - i * 60_000).toISOString(),
          service: i % 2 ? 'gmail' : 'gigafile',
          verdict: i % 5 === 0 ? 'clean' : 'marked',
          rule: i % 5 === 0 ? null : 1,
          fileName: i === 3 ? '=cmd|"/c calc"!A1' : i === 4 ? '秘—\u001b]0;pwned\u0007\u001b[2J\u202egpj.exe' : `秘—見積 ${i}.xlsx`,
        }),
      );
    }
    for (let i = 0; i < 3; i++) events.push(sampleEvent({ time: new Date(now - (10 + i) * 86_400_000).toISOString() }));
    await c.storage.insertEvents(events, now);
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows cursors and writes every matching event as CSV, oldest first', async () => {
    const r = await pull(['--since', '7d', '--format', 'csv', '--url', url, '--token', ADMIN]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^v,id,relatesTo,time,/);
    expect(rows).toHaveLength(2501);
    expect(rows[1]).toContain(events[2499]!.id);
    expect(r.stdout).toContain(`"'=cmd|""/c calc""!A1"`);
    // Terminal escapes and bidi overrides from a file name reach the admin's terminal as visible text.
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(r.stdout).toContain('秘—[U+001B]]0;pwned[U+0007][U+001B][2J[U+202E]gpj.exe');
    expect(r.stderr).toMatch(/2500 events/);
  });

  it('filters (--verdict, --service) and writes NDJSON and JSON; token from the environment', async () => {
    const nd = await pull(['--since', '7d', '--format', 'ndjson', '--verdict', 'marked', '--service', 'gmail', '--url', url], { UPLOAD_GUARD_ADMIN_TOKEN: ADMIN });
    expect(nd.code, nd.stderr).toBe(0);
    const lines = nd.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as StoredEvent);
    expect(lines.length).toBe(events.filter((e, i) => i < 2500 && e.service === 'gmail' && e.verdict === 'marked').length);
    expect(lines.every((e) => e.service === 'gmail' && e.verdict === 'marked')).toBe(true);
    const js = await pull(['--since', '30d', '--format', 'json', '--url', url, '--token', ADMIN]);
    expect((JSON.parse(js.stdout) as StoredEvent[]).length).toBe(2503);
  });

  it('reads plain dates as local dates in --tz (default: the machine zone) and writes CSV times with the offset', async () => {
    // 2026-11-01 00:30 JST belongs to November; 2026-12-01 01:00 JST does not (in UTC it is the other way round).
    const nov = sampleEvent({ time: '2026-10-31T15:30:00.000Z', fileName: 'november-first.docx' });
    const dec = sampleEvent({ time: '2026-11-30T16:00:00.000Z', fileName: 'december-first.docx' });
    await c.storage.insertEvents([nov, dec], Date.now());
    const args = ['--since', '2026-11-01', '--until', '2026-12-01', '--format', 'csv', '--url', url, '--token', ADMIN];
    const tokyo = await pull([...args, '--tz', 'Asia/Tokyo']);
    expect(tokyo.code, tokyo.stderr).toBe(0);
    expect(tokyo.stdout).toContain(nov.id);
    expect(tokyo.stdout).not.toContain(dec.id);
    expect(tokyo.stdout).toContain('2026-11-01T00:30:00+09:00');
    // No --tz: the machine's zone (here set through TZ).
    const machine = await pull(args, { TZ: 'Asia/Tokyo' });
    expect(machine.stdout).toContain(nov.id);
    expect(machine.stdout).not.toContain(dec.id);
    const utc = await pull([...args, '--tz', 'UTC']);
    expect(utc.stdout).not.toContain(nov.id);
    expect(utc.stdout).toContain(dec.id);
    expect(utc.stdout).toContain('2026-11-30T16:00:00+00:00');
    const bad = await pull([...args, '--tz', 'Tokyo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tz must be an IANA time zone/);
  });

  it('exits 2 with a clear message on HTTP errors and bad usage', async () => {
    const wrong = await pull(['--url', url, '--token', INGEST]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/HTTP 403: ingest token is not valid for this endpoint \(is this the ADMIN token\?\)/);
    // An API token past its end: the reason, not a guess that it is the wrong kind of token.
    const old = newApiToken();
    await c.app.accountStore.createToken({ id: old.id, name: 'pull-expired', role: 'investigator', secretHash: old.secretHash, createdMs: Date.now() - 2_000, createdBy: 'test', lastUsedMs: null, revokedMs: null, revokedBy: null, expiresMs: Date.now() - 1_000 });
    const expired = await pull(['--url', url, '--token', old.token]);
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(/HTTP 401: token expired: API token pull-expired \([0-9a-f]{12}\) expired at [^(]*; ask an admin for a new one\n/);
    const bad = await pull(['--url', url, '--token', ADMIN, '--verdict', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/HTTP 400: verdict/);
    const none = await pull(['--url', url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no admin token/);
    const down = await pull(['--url', 'http://127.0.0.1:1', '--token', ADMIN]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach the collector/);
    const fmt = await pull(['--format', 'xml', '--token', ADMIN]);
    expect(fmt.code).toBe(2);
  });
});
