/**
 * Red team G2: a sign-in reads the account, spends a while on scrypt, then made a session with the role
 * it had read; a disable, demotion or password reset in between deleted the sessions that existed then,
 * and the new one lived on with the old rights (and could make admin API tokens that outlived the
 * account). Now the session is made only if the account is still as read, every request checks the
 * session against its account, and disabling (or demoting) an account revokes the tokens it made.
 * Real SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'admin-token-for-signin-race-3210';
const PASSWORD = 'correct horse battery race';
const ORIGIN = 'http://localhost:80';

for (const backend of testBackends('srace')) {
  describe(`sign-in against account changes (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    const call = (method: string, url: string, o: { auth?: string; cookie?: string; csrf?: string; body?: unknown } = {}) =>
      c.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(o.auth ? { authorization: `Bearer ${o.auth}` } : {}),
          ...(o.cookie ? { cookie: o.cookie, origin: ORIGIN } : {}),
          ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
        },
        ...(o.body !== undefined ? { payload: o.body as object } : {}),
      });
    const sql = async (text: string, params: unknown[]) => {
      if (storage instanceof SqliteStorage) storage.db.prepare(text.replace(/\bT\./g, '')).run(...params);
      else {
        let i = 0;
        await (storage as PostgresStorage).pool.query(text.replace(/\bT\./g, `${(storage as PostgresStorage).schema}.`).replace(/\?/g, () => `$${++i}`), params);
      }
    };
    async function signIn(name: string): Promise<{ status: number; cookie?: string; csrf?: string }> {
      const r = await call('POST', '/v1/auth/login', { body: { name, password: PASSWORD } });
      const cookie = [r.headers['set-cookie'] ?? []].flat().find((s) => s.startsWith('ug_session='))?.split(';')[0];
      return { status: r.statusCode, cookie, csrf: r.statusCode === 200 ? (r.json().csrf as string) : undefined };
    }
    const me = async (cookie: string) => (await call('GET', '/v1/auth/me', { cookie })).json() as { signedIn: boolean; role?: string };

    /** Signs `name` in over and over (three at a time) while `change` runs; the sessions obtained. */
    async function signInDuring(name: string, change: () => Promise<unknown>): Promise<string[]> {
      const cookies: string[] = [];
      let changed = false;
      const loop = async () => {
        // Until the change is done, and a few rounds after it.
        for (let after = 0; after < 3; ) {
          const r = await signIn(name);
          if (r.cookie) cookies.push(r.cookie);
          if (changed) after++;
        }
      };
      const loops = [loop(), loop(), loop()];
      // Once a sign-in has gone through, so that others are under way (scrypt) when the change lands.
      while (cookies.length === 0) await new Promise((r) => setTimeout(r, 5));
      await change();
      changed = true;
      await Promise.all(loops);
      return cookies;
    }

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['ingest-token-for-signin-race-0123'], adminTokens: [ADMIN], timeWindow: false, accounts: { throttle: { perAccount: 1000, perAddress: 1000 } } });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    const make = async (name: string, role: string) => expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name, role, password: PASSWORD } })).statusCode).toBe(201);

    it('a session is not made from an account read before it was disabled, demoted or given a new password', async () => {
      await make('stale', 'admin');
      const store = c.app.accountStore;
      const read = (await store.account('stale'))!;
      const session = (n: number) => ({ idHash: `${n}`.padStart(64, '0'), account: 'stale', role: read.role, source: 'local' as const, csrf: 'x', createdMs: 1, lastMs: 1, expiresMs: Date.now() + 3_600_000 });
      expect(await store.createSession(session(1), read.passwordHash)).toBe(true);
      await store.setRole('stale', 'viewer');
      expect(await store.createSession(session(2), read.passwordHash)).toBe(false);
      await store.setRole('stale', 'admin');
      await store.putAccount({ ...read, passwordHash: 'another hash' });
      expect(await store.createSession(session(3), read.passwordHash)).toBe(false);
      await store.putAccount(read);
      await store.setDisabled('stale', { actor: 'test', ms: 1 });
      expect(await store.createSession(session(4), read.passwordHash)).toBe(false);
    });

    it('a session whose account changed behind its back is ended at its next request', async () => {
      await make('behind', 'admin');
      const s = await signIn('behind');
      expect(s.status).toBe(200);
      expect((await call('GET', '/v1/admin/accounts', { cookie: s.cookie })).statusCode).toBe(200);
      // The role changed without the DELETE of its sessions (what a racing sign-in slipped past).
      await sql("UPDATE T.accounts SET role = 'viewer' WHERE name = ?", ['behind']);
      expect((await call('GET', '/v1/admin/accounts', { cookie: s.cookie })).statusCode).toBe(401);
      expect((await me(s.cookie!)).signedIn).toBe(false);
    });

    it('disabling an admin while she signs in over and over leaves her no live session, and revokes the tokens she made', async () => {
      await make('mallory', 'admin');
      const s = await signIn('mallory');
      const made = await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: s.csrf, body: { name: 'keep-mallory', role: 'admin' } });
      expect(made.statusCode, made.body).toBe(201);
      const token = made.json().token as string;
      const cookies = await signInDuring('mallory', async () => expect((await call('PATCH', '/v1/admin/accounts/mallory', { auth: ADMIN, body: { disabled: true } })).statusCode).toBe(200));
      for (const cookie of cookies) {
        expect((await me(cookie)).signedIn).toBe(false);
        expect((await call('GET', '/v1/admin/accounts', { cookie })).statusCode).toBe(401);
      }
      expect((await call('GET', '/v1/admin/accounts', { auth: token })).statusCode).toBe(401);
      const audit = (await call('GET', '/v1/admin/audit?action=token.revoke', { auth: ADMIN })).json() as { entries: { details: { name: string; reason?: string } }[] };
      expect(audit.entries.find((e) => e.details.name === 'keep-mallory')?.details.reason).toMatch(/mallory.*disabled/);
    }, 60_000);

    it('demoting an admin while she signs in leaves no session with admin rights; her admin tokens are revoked, lower ones kept', async () => {
      await make('trudy', 'admin');
      const s = await signIn('trudy');
      const admin = (await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: s.csrf, body: { name: 'trudy-admin', role: 'admin' } })).json().token as string;
      const viewer = (await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: s.csrf, body: { name: 'trudy-viewer', role: 'viewer' } })).json().token as string;
      const cookies = await signInDuring('trudy', async () => expect((await call('PATCH', '/v1/admin/accounts/trudy', { auth: ADMIN, body: { role: 'viewer' } })).statusCode).toBe(200));
      for (const cookie of cookies) {
        expect((await me(cookie)).role ?? 'none').not.toBe('admin');
        expect((await call('GET', '/v1/admin/accounts', { cookie })).statusCode).not.toBe(200);
      }
      expect((await call('GET', '/v1/admin/accounts', { auth: admin })).statusCode).toBe(401);
      expect((await call('GET', '/v1/admin/summary', { auth: viewer })).statusCode).toBe(200);
    }, 60_000);

    it('a password reset while the old password signs in leaves no session made with the old one', async () => {
      await make('leaked', 'admin');
      const cookies = await signInDuring('leaked', async () =>
        expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'leaked', role: 'admin', password: 'a brand new password 2026' } })).statusCode).toBe(200),
      );
      for (const cookie of cookies) expect((await me(cookie)).signedIn).toBe(false);
    }, 60_000);
  });
}
