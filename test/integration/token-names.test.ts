/**
 * API tokens (red team coll7, "Left"): a token name is used once: reused after its token was revoked,
 * `token:<name>` in the audit log named two tokens; now refused (409), and the log's entries (JSON and
 * CSV) carry `actorTokenId`, the token of that name live at the entry's time, so a name reused before
 * the upgrade is told apart. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken } from '../../src/collector/accounts/api-tokens.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'token-lifetime-admin-token-0123456789';
const INGEST = 'token-lifetime-ingest-token-0123456789';

for (const backend of testBackends('toklife')) {
  describe(`API token names on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let clock = Date.parse('2026-11-02T00:00:00Z');
    const call = (method: string, url: string, auth: string, body?: unknown) =>
      c.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${auth}` }, ...(body !== undefined ? { payload: body as object } : {}) });
    const make = (body: Record<string, unknown>) => call('POST', '/v1/admin/tokens', ADMIN, body);

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, now: () => clock });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('a token name is used once, and entries of a name reused before the upgrade name the token live then', async () => {
      const first = (await make({ name: 'nightly-pull', role: 'investigator' })).json() as { id: string; token: string };
      clock += 1_000;
      expect((await call('GET', '/v1/admin/events', first.token)).statusCode).toBe(200);
      clock += 1_000;
      expect((await call('DELETE', `/v1/admin/tokens/${first.id}`, ADMIN)).statusCode).toBe(200);
      clock += 1_000;
      const again = await make({ name: 'nightly-pull', role: 'admin' });
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json().error).toMatch(/revoked token had this name/);
      // A database of an older release may hold a reused name (made straight in the store here).
      const old = newApiToken();
      await c.app.accountStore.createToken({ id: old.id, name: 'nightly-pull', role: 'investigator', secretHash: old.secretHash, createdMs: clock, createdBy: 'upgrade-test', lastUsedMs: null, revokedMs: null, revokedBy: null });
      clock += 1_000;
      expect((await call('GET', '/v1/admin/events', old.token)).statusCode).toBe(200);
      const searches = (await call('GET', '/v1/admin/audit?actor=token:nightly-pull&action=search', ADMIN)).json().entries as { actorTokenId: string }[];
      expect(searches.map((e) => e.actorTokenId)).toEqual([old.id, first.id]);
      const csv = (await call('GET', '/v1/admin/audit?actor=token:nightly-pull&action=search&format=csv', ADMIN)).body.split('\r\n');
      expect(csv[0]).toMatch(/,actorTokenId$/);
      expect(csv[1]!.endsWith(`,${old.id}`)).toBe(true);
      expect(csv[2]!.endsWith(`,${first.id}`)).toBe(true);
    });
  });
}

