/**
 * Opening the account list or the API token list is on record (red team coll8: it was not, so nobody
 * could say who had looked at the people with admin rights or at the tokens, and when): `accounts.view`
 * and `tokens.view`, once per session or token and list in 15 minutes, an entry when the window ends
 * (or the next view's) counting the views between (`viewsBetween`; window and count in the database), so
 * the admin page reloading its list after each change does not flood the log. A new sign-in is a new session, so a new entry. Refused with 503 when the entry cannot be written,
 * as the other recorded reads. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { refuseAudit, testBackends } from '../support/backends.js';

const ADMIN = 'credential-lists-admin-token-0123456789';
const PASSWORD = 'correct horse battery 秘 lists';

for (const backend of testBackends('credlists')) {
  describe(`who opened the account and token lists (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    let clock = Date.parse('2026-12-07T00:00:00Z');
    const call = (path: string, o: { auth?: string; cookie?: string } = {}) =>
      fetch(`${url}${path}`, { headers: { ...(o.auth ? { authorization: `Bearer ${o.auth}` } : {}), ...(o.cookie ? { cookie: o.cookie } : {}) } });
    const entries = async (action: string) =>
      ((await (await call(`/v1/admin/audit?action=${action}`, { auth: ADMIN })).json()) as { entries: { actor: string; details: Record<string, unknown> }[] }).entries.reverse();
    const signIn = async () => {
      const r = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ name: 'yamada', password: PASSWORD }) });
      expect(r.status).toBe(200);
      return r.headers.getSetCookie().find((s) => s.startsWith('ug_session='))!.split(';')[0]!;
    };

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['credential-lists-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false, now: () => clock, adminRateLimit: { perSecond: 1000, burst: 1000 } });
      url = await c.listen(0);
      const r = await fetch(`${url}/v1/admin/accounts`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'yamada', role: 'admin', password: PASSWORD }) });
      expect(r.status).toBe(201);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('records the first view per session and list in 15 minutes, then the views between', async () => {
      const cookie = await signIn();
      for (let i = 0; i < 5; i++) {
        expect((await call('/v1/admin/accounts', { cookie })).status).toBe(200);
        expect((await call('/v1/admin/tokens', { cookie })).status).toBe(200);
      }
      expect((await entries('accounts.view')).map((e) => e.actor)).toEqual(['yamada']);
      expect((await entries('tokens.view')).map((e) => e.actor)).toEqual(['yamada']);
      // The admin token is a credential of its own.
      expect((await call('/v1/admin/tokens', { auth: ADMIN })).status).toBe(200);
      expect((await entries('tokens.view')).map((e) => e.actor)).toEqual(['yamada', expect.stringMatching(/^token:legacy-/)]);

      clock += 14 * 60_000;
      expect((await call('/v1/admin/tokens', { cookie })).status).toBe(200);
      expect(await entries('tokens.view')).toHaveLength(2);
      clock += 2 * 60_000;
      expect((await call('/v1/admin/tokens', { cookie })).status).toBe(200);
      const views = await entries('tokens.view');
      expect(views).toHaveLength(3);
      expect(views[2]).toMatchObject({ actor: 'yamada', details: { viewsBetween: 5 } });

      // Signed in again: a new session, a new entry at once.
      const again = await signIn();
      expect((await call('/v1/admin/accounts', { cookie: again })).status).toBe(200);
      expect((await entries('accounts.view')).map((e) => e.actor)).toEqual(['yamada', 'yamada']);
    });

    it('answers 503 and shows nothing while the entry cannot be written', async () => {
      clock += 60 * 60_000;
      await refuseAudit(storage, true);
      try {
        const r = await call('/v1/admin/tokens', { auth: ADMIN });
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toBeTruthy();
        expect(await r.text()).not.toMatch(/"tokens"/);
      } finally {
        await refuseAudit(storage, false);
      }
      expect((await call('/v1/admin/tokens', { auth: ADMIN })).status).toBe(200);
      expect((await entries('tokens.view')).at(-1)).toMatchObject({ actor: expect.stringMatching(/^token:legacy-/) });
    });

    /**
     * coll9's leftovers: the views between were counted in the collector's memory, so a restart lost
     * them, and a window nobody opened the list in after was never written; two first views at the same
     * moment both made an entry. The windows and counts are in the database now.
     */
    it('keeps the views counted over a restart, writes a window nobody viewed after, and makes one entry of two first views at once', async () => {
      clock += 60 * 60_000;
      // The windows of the tests above, ended: written now (their views between).
      await c.app.flushDenied();
      const cookie = await signIn();
      // Two first views at the same moment: one entry, the other counted.
      const both = await Promise.all([call('/v1/admin/accounts', { cookie }), call('/v1/admin/accounts', { cookie })]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      const before = (await entries('accounts.view')).length;
      for (let i = 0; i < 3; i++) expect((await call('/v1/admin/accounts', { cookie })).status).toBe(200);

      // The collector restarts inside the window.
      await c.close();
      c = await createCollector({ storage, ingestTokens: ['credential-lists-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false, now: () => clock, adminRateLimit: { perSecond: 1000, burst: 1000 } });
      url = await c.listen(0);
      expect((await call('/v1/admin/accounts', { cookie })).status).toBe(200);
      expect(await entries('accounts.view')).toHaveLength(before);

      // Nobody opens the list after the window: its views (1 + 3 + 1) are written when it ends.
      clock += 16 * 60_000;
      await c.app.flushDenied();
      const views = await entries('accounts.view');
      expect(views).toHaveLength(before + 1);
      expect(views.at(-1)).toMatchObject({ actor: 'yamada', details: { viewsBetween: 5, from: expect.any(String), to: expect.any(String) } });
      // Written once: the next minute's flush finds nothing, and the next view is a first one again.
      await c.app.flushDenied();
      expect((await call('/v1/admin/accounts', { cookie })).status).toBe(200);
      const after = await entries('accounts.view');
      expect(after).toHaveLength(before + 2);
      expect(after.at(-1)!.details.viewsBetween).toBeUndefined();
    });
  });
}
