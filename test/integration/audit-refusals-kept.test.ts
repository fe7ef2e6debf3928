/**
 * A refusal is answered only once its audit entry is kept (red team coll7, "app.audit() drops a failed
 * write"): a failed sign-in, a refused account or token change, a guessed token, a role refused and a
 * sign-out were answered (401, 400, 403, 200) while the database refused their entry, which was lost.
 * Now such a request is answered 503 with Retry-After, and a sign-out leaves the session as it was (the
 * session and its entry are one transaction); once the log can be written, each is answered as before,
 * on record. An export cut mid-stream, whose answer is already under way, keeps its export.cut entry and
 * writes it once the log can be written. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { refuseAudit, testBackends } from '../support/backends.js';

const ADMIN = 'audit-refusals-admin-token-0123456789';
const PASSWORD = 'correct horse battery 秘 refusals';

for (const backend of testBackends('auditkept')) {
  describe(`refusals answered only on record on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    const call = (method: string, path: string, o: { auth?: string; cookie?: string; csrf?: string; body?: unknown } = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          ...(o.auth ? { authorization: `Bearer ${o.auth}` } : {}),
          ...(o.cookie ? { cookie: o.cookie } : {}),
          ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json', origin: url } : {}),
        },
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
    const admin = (method: string, path: string, body?: unknown) => call(method, path, { auth: ADMIN, body });
    const entries = async (action: string) =>
      ((await (await admin('GET', `/v1/admin/audit?action=${action}`)).json()) as { entries: { actor: string; details: Record<string, unknown> }[] }).entries;
    /** While the database refuses audit entries. */
    async function whileRefused(work: () => Promise<void>): Promise<void> {
      await refuseAudit(storage, true);
      try {
        await work();
      } finally {
        await refuseAudit(storage, false);
      }
    }

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['audit-refusals-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false });
      url = await c.listen(0);
      expect((await admin('POST', '/v1/admin/accounts', { name: 'kimura', role: 'investigator', password: PASSWORD })).status).toBe(201);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('a failed sign-in is 503 while its signin.failure cannot be written, 401 on record after', async () => {
      const wrong = () => call('POST', '/v1/auth/login', { body: { name: 'kimura', password: 'not the password at all' } });
      await whileRefused(async () => {
        const r = await wrong();
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toBeTruthy();
        expect(((await r.json()) as { error: string }).error).toMatch(/audit log cannot be written/);
      });
      expect(await entries('signin.failure')).toHaveLength(0);
      expect((await wrong()).status).toBe(401);
      expect((await entries('signin.failure')).map((e) => e.details.reason)).toEqual(['wrong password']);
    });

    it('a refused token change, a guessed token and a role refused are 503 while their entries cannot be written', async () => {
      const viewer = (await (await admin('POST', '/v1/admin/tokens', { name: 'dash', role: 'viewer' })).json()) as { token: string };
      await whileRefused(async () => {
        expect((await admin('POST', '/v1/admin/tokens', { name: 'legacy-0badc0de', role: 'admin' })).status).toBe(503);
        expect((await call('GET', '/v1/admin/events', { auth: 'ugt_guessed_0123456789abcdef0123456789' })).status).toBe(503);
        expect((await call('GET', '/v1/admin/audit', { auth: viewer.token })).status).toBe(503);
      });
      expect(await entries('change.refused')).toHaveLength(0);
      expect((await admin('POST', '/v1/admin/tokens', { name: 'legacy-0badc0de', role: 'admin' })).status).toBe(400);
      expect(await entries('change.refused')).toHaveLength(1);
      // The guessed token's first refusal was not on record, so the next one is the address's first entry.
      expect((await call('GET', '/v1/admin/events', { auth: 'ugt_guessed_0123456789abcdef0123456789' })).status).toBe(401);
      expect((await call('GET', '/v1/admin/audit', { auth: viewer.token })).status).toBe(403);
      const denied = await entries('access.denied');
      expect(denied.map((e) => e.actor).sort()).toEqual(['token:dash', 'unknown']);
    });

    it('a sign-out that cannot be recorded keeps the session (503); once it can, the session ends on record', async () => {
      const r = await call('POST', '/v1/auth/login', { body: { name: 'kimura', password: PASSWORD } });
      expect(r.status).toBe(200);
      const { csrf } = (await r.json()) as { csrf: string };
      const cookie = r.headers.getSetCookie().find((s) => s.startsWith('ug_session='))!.split(';')[0]!;
      const signedIn = async () => ((await (await call('GET', '/v1/auth/me', { cookie })).json()) as { signedIn: boolean }).signedIn;
      await whileRefused(async () => {
        const out = await call('POST', '/v1/auth/logout', { cookie, csrf, body: {} });
        expect(out.status).toBe(503);
        expect(out.headers.getSetCookie().join()).not.toMatch(/ug_session=;/);
      });
      expect(await signedIn()).toBe(true);
      expect(await entries('signout')).toHaveLength(0);
      expect((await call('POST', '/v1/auth/logout', { cookie, csrf, body: {} })).status).toBe(200);
      expect(await signedIn()).toBe(false);
      expect((await entries('signout')).map((e) => e.actor)).toEqual(['kimura']);
      // A bearer token has no session: its "sign-out" is refused, not written as one.
      expect((await admin('POST', '/v1/auth/logout', {})).status).toBe(400);
      expect((await entries('signout')).map((e) => e.actor)).toEqual(['kimura']);
    });

    it('an export cut while the log cannot be written keeps its export.cut entry and writes it later', async () => {
      const t = Date.now() - 60_000;
      for (let b = 0; b < 4; b++) await storage.insertEvents(Array.from({ length: 5_000 }, (_, i) => sampleEvent({ user: `u${b}-${i}@example.co.jp`, time: new Date(t - b * 5_000 - i).toISOString() })), Date.now());
      const made = (await (await admin('POST', '/v1/admin/tokens', { name: 'siem-pull', role: 'investigator' })).json()) as { id: string; token: string };
      const r = await call('GET', '/v1/admin/export?format=csv&layout=events&from=30d', { auth: made.token });
      expect(r.status).toBe(200);
      const reader = r.body!.getReader();
      await reader.read();
      expect((await admin('DELETE', `/v1/admin/tokens/${made.id}`)).status).toBe(200);
      let text = '';
      await whileRefused(async () => {
        for (let x = await reader.read(); !x.done; x = await reader.read()) text += Buffer.from(x.value).toString('utf8');
      });
      expect(text.trimEnd().split('\r\n').at(-1)).toMatch(/^# ERROR: export incomplete: access withdrawn/);
      await c.app.flushDenied();
      const cut = await entries('export.cut');
      expect(cut.map((e) => e.actor)).toEqual(['token:siem-pull']);
    }, 60_000);
  });
}
