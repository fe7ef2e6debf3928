/**
 * API tokens and the admin token of tokens.json / the environment never ended (red team coll7, "Left"):
 *   - a token has an end: 90 days by default, `expiresInDays` 1–3650 or 0 for none, shown in the token
 *     list and /v1/auth/me; once past it the token is refused (401 "token expired: …", on record with
 *     that reason), also between the pages of an export; tokens made before (no end) keep working;
 *   - the admin token has an end only when UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES sets one (none by default);
 *   - a token name is used once: reused after its token was revoked, `token:<name>` in the audit log named
 *     two tokens; now refused (409), and the log's entries (JSON and CSV) carry `actorTokenId`, the token of
 *     that name live at the entry's time, so a name reused before the upgrade is told apart.
 * SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken } from '../../src/collector/accounts/api-tokens.js';
import { tokenId } from '../../src/collector/auth.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'token-lifetime-admin-token-0123456789';
const INGEST = 'token-lifetime-ingest-token-0123456789';
const DAY = 86_400_000;

for (const backend of testBackends('toklife')) {
  describe(`API token lifetimes and names on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let clock = Date.parse('2026-11-02T00:00:00Z');
    const call = (method: string, url: string, auth: string, body?: unknown) =>
      c.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${auth}` }, ...(body !== undefined ? { payload: body as object } : {}) });
    const make = (body: Record<string, unknown>) => call('POST', '/v1/admin/tokens', ADMIN, body);

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, now: () => clock, adminTokenExpiresMs: Date.parse('2027-06-01T00:00:00Z') });
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
      expect(csv[0]).toMatch(/,actorTokenId,stored$/);
      expect(csv[1]!.endsWith(`,${old.id},yes`)).toBe(true);
      expect(csv[2]!.endsWith(`,${first.id},yes`)).toBe(true);
    });

    it('a token ends after 90 days by default, or as asked; expired it is refused with a clear error, on record', async () => {
      const made = await make({ name: 'siem-90', role: 'investigator' });
      expect(made.statusCode, made.body).toBe(201);
      expect(made.json().expiresAt).toBe(new Date(clock + 90 * DAY).toISOString());
      const week = (await make({ name: 'siem-7', role: 'investigator', expiresInDays: 7 })).json() as { id: string; token: string; expiresAt: string };
      expect(week.expiresAt).toBe(new Date(clock + 7 * DAY).toISOString());
      const forever = (await make({ name: 'siem-forever', role: 'viewer', expiresInDays: 0 })).json() as { token: string; expiresAt: null };
      expect(forever.expiresAt).toBeNull();
      for (const bad of [-1, 3651, 1.5, '30', null]) expect((await make({ name: `bad-${String(bad).replace(/\W/g, 'x')}`, role: 'viewer', expiresInDays: bad })).statusCode).toBe(400);
      const listed = (await call('GET', '/v1/admin/tokens', ADMIN)).json().tokens as { name: string; expiresAt: string | null }[];
      expect(listed.find((t) => t.name === 'siem-7')!.expiresAt).toBe(week.expiresAt);
      expect(listed.find((t) => t.name === 'siem-forever')!.expiresAt).toBeNull();
      expect((await call('GET', '/v1/auth/me', week.token)).json()).toMatchObject({ signedIn: true, expiresAt: week.expiresAt });
      expect((await call('GET', '/v1/admin/events', week.token)).statusCode).toBe(200);

      clock += 7 * DAY;
      const refused = await call('GET', '/v1/admin/events', week.token);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toMatch(/^token expired: API token siem-7 \([0-9a-f]{12}\) expired at /);
      expect((await call('GET', '/v1/auth/me', week.token)).json()).toMatchObject({ signedIn: false, error: expect.stringMatching(/^token expired/) });
      const denied = (await call('GET', '/v1/admin/audit?action=access.denied', ADMIN)).json().entries as { details: { reason: string } }[];
      expect(denied.map((e) => e.details.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^token expired: API token siem-7/)]));
      // A token without an end (as every token made before lifetimes) keeps working.
      expect((await call('GET', '/v1/admin/summary', forever.token)).statusCode).toBe(200);
    });

    it('the admin token ends only when an end is set for it, then is refused on record', async () => {
      expect((await call('GET', '/v1/auth/me', ADMIN)).json()).toMatchObject({ signedIn: true, via: 'admin-token', expiresAt: '2027-06-01T00:00:00.000Z' });
      clock = Date.parse('2027-06-01T00:00:00Z');
      const r = await call('GET', '/v1/admin/tokens', ADMIN);
      expect(r.statusCode).toBe(401);
      expect(r.json().error).toBe(`token expired: the admin token (token:legacy-${tokenId(ADMIN)}) expired at 2027-06-01T00:00:00.000Z; set a new one (UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES)`);
      // The address's first refusal of the minute was the API token's: this one is counted in its repeated entry.
      await c.app.flushDenied();
      const rows = await c.app.accountStore.audit({ actor: 'unknown', limit: 10 });
      expect(rows.map((e) => JSON.stringify(e.details)).join()).toMatch(/token expired: the admin token/);
    });
  });
}

describe('the admin token without an end', () => {
  it('keeps working as before (no UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES)', async () => {
    const [backend] = testBackends('toklife0');
    const storage = await backend!.open();
    const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, now: () => Date.parse('2099-01-01T00:00:00Z') });
    try {
      const me = await c.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(me.json()).toMatchObject({ signedIn: true, expiresAt: null });
    } finally {
      await c.close();
      await backend!.cleanup(storage);
    }
  });
});
