/**
 * Who an OpenID Connect sign-in is: the provider's subject (issuer + sub), never an e-mail address the
 * user typed into their own profile (the "nOAuth" pattern). A real provider (test/support/oidc.ts), the
 * collector over real HTTP, on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL; rows written by
 * releases before subject14 (named by a claimed address, no subject) migrate as docs/collector.md says.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';
import { OIDC_CLIENT_SECRET, oidcSignIn, testProvider, type TestProvider } from '../support/oidc.js';

const ADMIN = 'admin-token-for-oidc-identity-tests-0123';
/**
 * Every sign-in from one address takes from the address's sign-in budget (the last tests here check that
 * throttle at its defaults): a test with several sign-ins first lets a second of it come back (5 sign-ins),
 * so the file's sign-ins in a row never reach the throttle, however fast they run.
 */
const refilled = () => new Promise((r) => setTimeout(r, 1_000));
const GROUPS: Record<string, string[]> = { sato: ['ug-admins'], mallory: ['ug-soc'], trudy: ['ug-soc'], olga: ['ug-soc'], eve: ['ug-soc'], kenji: ['ug-soc'], yuki: ['ug-admins'] };

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

for (const backend of testBackends('oidcid')) {
  describe(`OpenID Connect identity on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    let idp: TestProvider;
    const api = async (method: string, path: string, payload?: object) =>
      (await c.app.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${ADMIN}` }, ...(payload ? { payload } : {}) })).json();
    const me = async (cookie: string | null) => (await (await fetch(`${url}/v1/auth/me`, { headers: { cookie: cookie ?? '' } })).json()) as { actor?: string; role?: string };
    const account = async (name: string) => ((await api('GET', '/v1/admin/accounts')).accounts as { name: string; role: string; disabled?: boolean }[]).find((a) => a.name === name);

    beforeAll(async () => {
      storage = await backend.open();
      idp = await testProvider(GROUPS);
      const port = await freePort();
      const redirectUri = `http://127.0.0.1:${port}/v1/auth/oidc/callback`;
      c = await createCollector({
        storage,
        ingestTokens: ['ingest-token-for-oidc-identity-tests-0123'],
        adminTokens: [ADMIN],
        accounts: { oidc: { issuer: idp.issuer, clientId: 'upload-guard', clientSecret: OIDC_CLIENT_SECRET, redirectUri, roleMap: { 'ug-admins': 'admin', 'ug-soc': 'investigator' }, scopes: 'email groups' } },
      });
      url = await c.listen(port);
      idp.serve(`${url}/v1/auth/oidc/callback`);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
      idp?.server.close();
    });

    it('names a person by their verified address; an unverified claim of someone else\'s address is not them', async () => {
      const sato = await oidcSignIn(url, 'sato');
      expect(await me(sato.cookie)).toMatchObject({ actor: 'oidc:sato@example.co.jp', role: 'admin' });
      // trudy (investigator) types sato's address into her profile: the provider says email_verified false.
      const trudy = await oidcSignIn(url, 'trudy|sato@example.co.jp');
      const who = await me(trudy.cookie);
      expect(who.role).toBe('investigator');
      expect(who.actor).toMatch(/^oidc:oidc-[0-9a-f]{16}$/);
      await fetch(`${url}/v1/admin/events?limit=1`, { headers: { cookie: trudy.cookie! } });
      // sato's row keeps its role, and trudy's search is not audited under sato's name.
      expect(await account('sato@example.co.jp')).toMatchObject({ role: 'admin' });
      const searches = (await api('GET', '/v1/admin/audit?action=search')).entries as { actor: string }[];
      expect(searches.map((e) => e.actor)).toEqual([who.actor]);
      const success = (await api('GET', `/v1/admin/audit?actor=${encodeURIComponent(who.actor!)}&action=signin.success`)).entries[0];
      expect(success.details).toMatchObject({ subject: `${idp.issuer} trudy`, email: 'sato@example.co.jp', emailVerified: false });
    });

    it("a person's first sign-in makes their account on record: account.create by the identity provider, with issuer and subject", async () => {
      await refilled();
      const first = await oidcSignIn(url, 'kenji');
      expect(await me(first.cookie)).toMatchObject({ actor: 'oidc:kenji@example.co.jp', role: 'investigator' });
      await oidcSignIn(url, 'kenji');
      const created = (await api('GET', '/v1/admin/audit?action=account.create')).entries as { actor: string; details: Record<string, unknown> }[];
      const his = created.filter((e) => e.details.name === 'kenji@example.co.jp');
      // Once, at the first sign-in only.
      expect(his).toHaveLength(1);
      expect(his[0]).toMatchObject({
        actor: 'oidc:kenji@example.co.jp',
        details: { name: 'kenji@example.co.jp', role: 'investigator', source: 'oidc', by: 'identity provider', issuer: idp.issuer, subject: `${idp.issuer} kenji` },
      });
      // trudy's account (named by her subject's digest) is on record too.
      expect(created.some((e) => /^oidc-[0-9a-f]{16}$/.test(String(e.details.name)) && e.details.subject === `${idp.issuer} trudy`)).toBe(true);
    });

    it('keeps a disabled person out whatever address they claim next', async () => {
      const first = await oidcSignIn(url, 'mallory');
      expect(await me(first.cookie)).toMatchObject({ actor: 'oidc:mallory@example.co.jp', role: 'investigator' });
      await api('PATCH', '/v1/admin/accounts/mallory@example.co.jp', { disabled: true });
      for (const login of ['mallory', 'mallory|m2@example.co.jp', 'mallory|sato@example.co.jp']) {
        expect(await oidcSignIn(url, login), login).toEqual({ landed: '/admin/?signin=disabled', cookie: null });
      }
      expect(await account('sato@example.co.jp')).toMatchObject({ role: 'admin' });
      expect(await account('m2@example.co.jp')).toBeUndefined();
    });

    it('a person the provider no longer gives any role loses her sessions and the tokens she made at her next sign-in', async () => {
      // Red team collector6 #4: a demotion at the provider ended her sessions and revoked her tokens above
      // the new role; taken out of every mapped group, her sign-in was refused and nothing else happened:
      // her other sessions stayed admin until idle, and her admin API token kept working for good.
      await refilled();
      GROUPS.yuki = ['ug-admins'];
      const laptop = await oidcSignIn(url, 'yuki');
      const desktop = await oidcSignIn(url, 'yuki');
      const csrf = ((await (await fetch(`${url}/v1/auth/me`, { headers: { cookie: laptop.cookie! } })).json()) as { csrf: string }).csrf;
      const made = await fetch(`${url}/v1/admin/tokens`, {
        method: 'POST',
        headers: { cookie: laptop.cookie!, 'x-csrf-token': csrf, origin: url, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'yuki-script', role: 'admin' }),
      });
      expect(made.status, await made.clone().text()).toBe(201);
      const { token } = (await made.json()) as { token: string };
      const withToken = async () => (await fetch(`${url}/v1/admin/accounts`, { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await withToken()).toBe(200);
      expect(await me(desktop.cookie)).toMatchObject({ actor: 'oidc:yuki@example.co.jp', role: 'admin' });

      GROUPS.yuki = [];
      expect(await oidcSignIn(url, 'yuki')).toEqual({ landed: '/admin/?signin=denied', cookie: null });
      expect(await me(laptop.cookie)).toMatchObject({ signedIn: false });
      expect(await me(desktop.cookie)).toMatchObject({ signedIn: false });
      expect(await withToken()).toBe(401);
      const revoked = (await api('GET', '/v1/admin/audit?action=token.revoke')).entries as { actor: string; details: Record<string, unknown> }[];
      expect(revoked.filter((e) => e.details.name === 'yuki-script')).toMatchObject([{ actor: 'oidc:yuki@example.co.jp', details: { role: 'admin' } }]);
      const ended = (await api('GET', '/v1/admin/audit?action=account.update')).entries as { details: Record<string, unknown> }[];
      expect(ended.filter((e) => e.details.name === 'yuki@example.co.jp')).toMatchObject([{ details: { sessions: 2, by: 'identity provider' } }]);
      // Back in a group, she signs in as before.
      GROUPS.yuki = ['ug-soc'];
      expect(await me((await oidcSignIn(url, 'yuki')).cookie)).toMatchObject({ actor: 'oidc:yuki@example.co.jp', role: 'investigator' });
    });

    it('limits how fast one address can start sign-ins (each writes a pending row)', async () => {
      const t0 = Date.now();
      const codes = await Promise.all(Array.from({ length: 400 }, async () => (await c.app.inject({ url: '/v1/auth/oidc/start', remoteAddress: '127.0.0.55' })).statusCode));
      // The address's bucket: 200 at once, 50 a second; a sign-in takes 10 of it (20 at once, 5 a second).
      expect(codes.filter((s) => s === 302).length).toBeLessThanOrEqual(20 + Math.ceil(((Date.now() - t0) / 1000) * 5));
      expect(codes.filter((s) => s === 429).length).toBeGreaterThan(0);
    });

    it('limits how fast one address can send made-up sign-in answers (each failure is an audit entry)', async () => {
      const t0 = Date.now();
      const codes = await Promise.all(Array.from({ length: 300 }, async () => (await c.app.inject({ url: '/v1/auth/oidc/callback?code=x&state=y', remoteAddress: '127.0.0.56' })).statusCode));
      const allowed = 20 + Math.ceil(((Date.now() - t0) / 1000) * 5);
      expect(codes.filter((s) => s === 302).length).toBeLessThanOrEqual(allowed);
      expect(codes.filter((s) => s === 429).length).toBeGreaterThan(0);
      const rows = (await api('GET', '/v1/admin/audit?action=signin.failure&limit=1000')).entries.filter((e: { address: string }) => e.address === '127.0.0.56');
      expect(rows.length).toBeLessThanOrEqual(allowed);
    });

    it('migrates rows made before subjects: taken over by the verified address, a disabled one refuses who used it', async () => {
      await refilled();
      const store = c.app.accountStore;
      const t = Date.now();
      await store.putAccount({ name: 'olga@example.co.jp', role: 'viewer', passwordHash: null, source: 'oidc', createdMs: t, createdBy: 'identity provider' });
      await store.putAccount({ name: 'evelyn@example.co.jp', role: 'investigator', passwordHash: null, source: 'oidc', createdMs: t, createdBy: 'identity provider' });
      await store.setDisabled('evelyn@example.co.jp', { actor: 'ada', ms: t });
      // eve once signed in as evelyn@ (an address she claimed); the old audit entry recorded her bare subject.
      await store.appendAudit({ timeMs: t - 1000, actor: 'oidc:evelyn@example.co.jp', action: 'signin.success', details: { method: 'oidc', role: 'investigator', subject: 'eve' }, address: null });

      const olga = await oidcSignIn(url, 'olga');
      expect(await me(olga.cookie)).toMatchObject({ actor: 'oidc:olga@example.co.jp', role: 'investigator' });
      expect((await store.account('olga@example.co.jp'))?.oidcSubject).toBe(`${idp.issuer} olga`);
      const bound = (await api('GET', '/v1/admin/audit?action=account.update')).entries as { actor: string; details: Record<string, unknown> }[];
      expect(bound.filter((e) => e.details.name === 'olga@example.co.jp')).toMatchObject([{ actor: 'oidc:olga@example.co.jp', details: { name: 'olga@example.co.jp', by: 'identity provider', issuer: idp.issuer, subject: `${idp.issuer} olga` } }]);
      expect(await oidcSignIn(url, 'eve')).toEqual({ landed: '/admin/?signin=disabled', cookie: null });
      expect(await oidcSignIn(url, 'eve|e3@example.co.jp')).toEqual({ landed: '/admin/?signin=disabled', cookie: null });
    });
  });
}
