/**
 * A token's end is announced before it comes (red team coll8: tokens end after 90 days by default and
 * nothing said so until the 401 stopped a SIEM pull): a live API token, or the admin token with
 * UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES, ending within 14 days
 *   - carries X-Upload-Guard-Token-Expires and -Days-Left on every answer to it, and `upload-guard pull`
 *     prints a warning line on stderr (stdout stays the data);
 *   - is marked in the token list (`endsInDays`, shown on the admin page);
 *   - is counted in /metrics (no names: /metrics may be public) and named in a warning of the collector's
 *     log at start (then daily).
 * Header, list and metrics on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL; the log and `pull`
 * with real processes (bin/upload-guard.js) on SQLite.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';
import { exited, receiver, ROOT, spawnCollector, until } from './collector-process.js';

const ADMIN = 'token-ending-admin-token-0123456789';
const INGEST = 'token-ending-ingest-token-0123456789';
const DAY = 86_400_000;
const exec = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

for (const backend of testBackends('tokend')) {
  describe(`tokens near their end on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let clock = Date.parse('2026-12-07T00:00:00Z');
    const call = (method: string, url: string, auth: string, body?: unknown) =>
      c.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${auth}` }, ...(body !== undefined ? { payload: body as object } : {}) });

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, now: () => clock, adminTokenExpiresMs: clock + 40 * DAY });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('says so on every answer, in the token list and in /metrics from 14 days before', async () => {
      const month = (await call('POST', '/v1/admin/tokens', ADMIN, { name: 'siem-month', role: 'investigator', expiresInDays: 30 })).json() as { id: string; token: string; expiresAt: string };
      await call('POST', '/v1/admin/tokens', ADMIN, { name: 'siem-forever', role: 'viewer', expiresInDays: 0 });
      const listed = async () => (await call('GET', '/v1/admin/tokens', ADMIN)).json().tokens as { name: string; endsInDays: number | null }[];
      const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await call('GET', '/metrics', ADMIN)).body)?.[1]);

      let r = await call('GET', '/v1/admin/summary', month.token);
      expect(r.statusCode).toBe(200);
      expect(r.headers['x-upload-guard-token-expires']).toBeUndefined();
      expect((await listed()).map((t) => t.endsInDays)).toEqual([null, null]);
      expect(await metric('upload_guard_api_tokens_ending_soon')).toBe(0);
      expect(await metric('upload_guard_api_token_min_days_left')).toBe(-1);

      clock += 16 * DAY + 3_600_000; // 13 days and 23 hours left: "14 days"
      r = await call('GET', '/v1/admin/summary', month.token);
      expect(r.statusCode).toBe(200);
      expect(r.headers['x-upload-guard-token-expires']).toBe(month.expiresAt);
      expect(r.headers['x-upload-guard-token-days-left']).toBe('14');
      expect((await listed()).find((t) => t.name === 'siem-month')!.endsInDays).toBe(14);
      expect((await listed()).find((t) => t.name === 'siem-forever')!.endsInDays).toBeNull();
      expect(await metric('upload_guard_api_tokens_ending_soon')).toBe(1);
      expect((await c.checkTokensEnding()).map((t) => t.name)).toEqual(['siem-month']);

      // The admin token's end (40 days from the start) comes within 14 days too: both counted, nearest first.
      clock += 10 * DAY;
      r = await call('GET', '/v1/admin/summary', ADMIN);
      expect(r.headers['x-upload-guard-token-days-left']).toBe('14');
      expect(await metric('upload_guard_api_tokens_ending_soon')).toBe(2);
      expect(await metric('upload_guard_api_token_min_days_left')).toBe(4);
      expect((await c.checkTokensEnding()).map((t) => [t.id, t.daysLeft])).toEqual([
        [month.id, 4],
        ['admin', 14],
      ]);

      // Revoked, it is no longer announced.
      expect((await call('DELETE', `/v1/admin/tokens/${month.id}`, ADMIN)).statusCode).toBe(200);
      expect((await listed()).find((t) => t.name === 'siem-month')!.endsInDays).toBeNull();
      expect(await metric('upload_guard_api_tokens_ending_soon')).toBe(1);
    });
  });
}

describe('tokens near their end, in the log and in upload-guard pull', () => {
  it('the collector names them in a warning at start; pull prints when its token ends', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ug-tokend-'));
    dirs.push(data);
    const cli = (args: string[]) => exec(process.execPath, [join(ROOT, 'bin/upload-guard.js'), ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', UPLOAD_GUARD_ADMIN_TOKEN: '' } });
    const made = await cli(['collector', 'token', 'add', '--role', 'investigator', '--expires-days', '10', '--data', data, 'nightly-siem']);
    const token = made.stdout.trim();
    expect(token).toMatch(/^ugt_/);
    await cli(['collector', 'token', 'add', '--role', 'viewer', '--expires-days', '90', '--data', data, 'dashboard']);
    const listed = (await cli(['collector', 'token', 'list', '--data', data])).stdout;
    expect(listed).toMatch(/nightly-siem\tinvestigator\tactive, ends in 10 days: replace it\t/);
    expect(listed).toMatch(/dashboard\tviewer\tactive\t/);

    const hook = await receiver();
    const { child, url, output } = await spawnCollector(data, hook.url, { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, DATABASE_URL: '' });
    try {
      await until('the warning of tokens ending', () => /API tokens expiring within 14 days/.test(output()));
      const line = output().split('\n').find((l) => l.includes('API tokens expiring within 14 days'))!;
      expect(line).toMatch(/nightly-siem \(10 days\)/);
      expect(line).not.toMatch(/dashboard/);
      expect(JSON.parse(line)).toMatchObject({ level: 40, tokensEndingSoon: [{ name: 'nightly-siem', daysLeft: 10 }] });

      const pulled = await exec(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'pull', '--url', url, '--token', token], { cwd: ROOT, env: { ...process.env, UPLOAD_GUARD_ADMIN_TOKEN: '' } });
      const warnings = pulled.stderr.split('\n').filter((l) => l.includes('warning: this token expires'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^upload-guard pull: warning: this token expires at \d{4}-\d\d-\d\dT[\d:.]+Z \(in 10 days\); ask an admin for a new one/);
      expect(pulled.stdout).not.toMatch(/warning/);
      // The admin token has no end: nothing said.
      const admin = await exec(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'pull', '--url', url, '--token', ADMIN], { cwd: ROOT, env: { ...process.env, UPLOAD_GUARD_ADMIN_TOKEN: '' } });
      expect(admin.stderr).not.toMatch(/warning/);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
      hook.server.close();
    }
  }, 60_000);
});
