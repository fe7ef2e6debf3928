/**
 * Accounts, roles, sessions, CSRF, named API tokens and the audit log, through the collector's HTTP API on
 * real SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL. The browser flow and OpenID Connect are in
 * test/e2e/admin-signin.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { ROUTE_RULES, isGuarded, ruleFor, type Role } from '../../src/collector/accounts/roles.js';
import { tokenId } from '../../src/collector/auth.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'ingest-token-for-accounts-tests-0123';
const ADMIN = 'admin-token-for-accounts-tests-3210';
const PASSWORD = 'correct horse battery 秘';
const ORIGIN = 'http://localhost:80';
const SECRET_FILE = '秘—買収計画.xlsx';

type Reply = Awaited<ReturnType<Collector['app']['inject']>>;

for (const backend of testBackends('acct')) {
  describe(`accounts on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let clock = Date.parse('2026-11-02T00:00:00Z');
    const tokens: Partial<Record<Role, string>> = {};

    const call = (method: string, url: string, o: { auth?: string; cookie?: string; csrf?: string; origin?: string; body?: unknown; ip?: string } = {}) =>
      c.app.inject({
        method: method as 'GET',
        url,
        remoteAddress: o.ip,
        headers: {
          ...(o.auth ? { authorization: `Bearer ${o.auth}` } : {}),
          ...(o.cookie ? { cookie: o.cookie } : {}),
          ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
          ...(o.origin ? { origin: o.origin } : {}),
        },
        ...(o.body !== undefined ? { payload: o.body as object } : {}),
      });
    const sessionCookie = (r: Reply) => {
      const all = [r.headers['set-cookie'] ?? []].flat();
      const c = all.find((s) => s.startsWith('ug_session='));
      return c?.split(';')[0];
    };
    async function signIn(name: string, password = PASSWORD) {
      const r = await call('POST', '/v1/auth/login', { body: { name, password }, origin: ORIGIN });
      expect(r.statusCode, r.body).toBe(200);
      return { cookie: sessionCookie(r)!, csrf: r.json().csrf as string, setCookie: String(r.headers['set-cookie']) };
    }

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({
        storage,
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        timeWindow: false,
        retentionDays: 30,
        now: () => clock,
        accounts: { throttle: { perAccount: 3, perAddress: 50 } },
      });
      await storage.insertEvents([sampleEvent({ fileName: SECRET_FILE, user: 'hanako@example.co.jp', time: new Date(Date.now() - 60_000).toISOString() })], clock);
      for (const role of ['viewer', 'investigator', 'admin'] as const) {
        const r = await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name: `ci-${role}`, role } });
        expect(r.statusCode, r.body).toBe(201);
        tokens[role] = r.json().token;
      }
      for (const [name, role] of [['vera', 'viewer'], ['ivan', 'investigator'], ['ada', 'admin']] as const) {
        expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name, role, password: PASSWORD } })).statusCode).toBe(201);
      }
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('gives every registered admin and sign-in route a role, and enforces it on each one', async () => {
      const guarded = c.app.registeredRoutes.filter((r) => isGuarded(r.split(' ')[1]!) && !r.startsWith('HEAD '));
      expect(guarded.length).toBeGreaterThanOrEqual(Object.keys(ROUTE_RULES).length);
      const missing = guarded.filter((r) => !ruleFor(r.split(' ')[0]!, r.split(' ')[1]!));
      expect(missing, 'routes without a row in ROUTE_RULES (accounts/roles.ts)').toEqual([]);
      const order: Role[] = ['viewer', 'investigator', 'admin'];
      for (const route of guarded) {
        const [method, url] = route.split(' ') as [string, string];
        const rule = ruleFor(method, url)!;
        if (rule.role === 'public') continue;
        const path = url.replace(/:[a-z]+/g, 'nobody');
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        expect((await call(method, path, { body })).statusCode, `${route} without credentials`).toBe(401);
        for (const role of order) {
          const r = await call(method, path, { auth: tokens[role], body });
          const allowed = rule.role === 'signed-in' || order.indexOf(role) >= order.indexOf(rule.role);
          if (allowed) expect([401, 403], `${route} as ${role}: ${r.body}`).not.toContain(r.statusCode);
          else expect(r.statusCode, `${route} as ${role}`).toBe(403);
        }
      }
    });

    it('has no route that edits or deletes the audit log', () => {
      const audit = c.app.registeredRoutes.filter((r) => r.includes('/audit'));
      expect(audit.filter((r) => !/^(GET|HEAD) /.test(r))).toEqual([]);
    });

    it('a viewer sees aggregates and device counts, never event rows, file names or users', async () => {
      const s = await signIn('vera');
      const summary = await call('GET', '/v1/admin/summary?from=30d', { cookie: s.cookie });
      expect(summary.statusCode).toBe(200);
      expect(summary.body).not.toContain(SECRET_FILE);
      expect(summary.body).not.toContain('hanako');
      expect((await call('GET', '/v1/admin/fleet', { cookie: s.cookie })).statusCode).toBe(200);
      // Counts filtered by a person, a device or a file name's words would answer yes or no about them.
      for (const filter of ['user=hanako@example.co.jp', 'userPrefix=han', 'device=pc-1', 'deviceName=PC', `q=${encodeURIComponent(SECRET_FILE.slice(0, 6))}`]) {
        expect((await call('GET', `/v1/admin/summary?from=30d&${filter}`, { cookie: s.cookie })).statusCode, filter).toBe(403);
      }
      expect((await call('GET', '/v1/admin/summary?from=30d&action=block,warn&category=webmail', { cookie: s.cookie })).statusCode).toBe(200);
      for (const url of ['/v1/admin/events?from=30d', '/v1/admin/export?from=30d', '/v1/admin/devices', '/v1/admin/audit']) {
        const r = await call('GET', url, { cookie: s.cookie });
        expect(r.statusCode, url).toBe(403);
        expect(r.body).not.toContain(SECRET_FILE);
      }
      const inv = await signIn('ivan');
      const events = await call('GET', '/v1/admin/events?from=30d', { cookie: inv.cookie });
      expect(events.statusCode).toBe(200);
      expect(events.body).toContain(SECRET_FILE);
      expect((await call('GET', `/v1/admin/summary?from=30d&q=${encodeURIComponent(SECRET_FILE.slice(0, 6))}`, { cookie: inv.cookie })).statusCode).toBe(200);
      // A control character in a text filter is a clear 400 (a NUL made SQLite's search match everything).
      expect((await call('GET', '/v1/admin/events?from=30d&q=ab%00c', { cookie: inv.cookie })).statusCode).toBe(400);
      expect((await call('GET', '/v1/admin/summary?from=30d&user=a%00', { cookie: inv.cookie })).statusCode).toBe(400);
    });

    it('session cookies are HttpOnly, SameSite=Strict, Secure over https; plain http only from loopback', async () => {
      const s = await signIn('ada');
      expect(s.setCookie).toMatch(/HttpOnly/);
      expect(s.setCookie).toMatch(/SameSite=Strict/);
      expect(s.setCookie).not.toMatch(/Secure/); // loopback quick start over http
      const far = await call('POST', '/v1/auth/login', { body: { name: 'ada', password: PASSWORD }, ip: '10.1.2.3' });
      expect(far.statusCode).toBe(403);
      expect(far.json().error).toMatch(/HTTPS/);
    });

    it('refuses a state-changing request without the CSRF token or from another origin', async () => {
      const s = await signIn('ada');
      const body = { name: 'csrf-probe', role: 'viewer' };
      expect((await call('POST', '/v1/admin/tokens', { cookie: s.cookie, origin: ORIGIN, body })).statusCode).toBe(403);
      expect((await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: s.csrf, origin: 'https://evil.example', body })).statusCode).toBe(403);
      expect((await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: 'x'.repeat(43), origin: ORIGIN, body })).statusCode).toBe(403);
      expect((await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: s.csrf, body })).statusCode).toBe(403);
      const ok = await call('POST', '/v1/admin/tokens', { cookie: s.cookie, csrf: s.csrf, origin: ORIGIN, body });
      expect(ok.statusCode, ok.body).toBe(201);
      // A sign-in posted from another site is refused too (login CSRF).
      expect((await call('POST', '/v1/auth/login', { body: { name: 'ada', password: PASSWORD }, origin: 'https://evil.example' })).statusCode).toBe(403);
    });

    it('ends sessions on sign-out, after the idle timeout and after the maximum age', async () => {
      const a = await signIn('ada');
      const signedIn = async (cookie: string) => (await call('GET', '/v1/auth/me', { cookie })).json().signedIn as boolean;
      expect((await call('GET', '/v1/auth/me', { cookie: a.cookie })).json()).toMatchObject({ signedIn: true, actor: 'ada', role: 'admin', via: 'session' });
      expect((await call('POST', '/v1/auth/logout', { cookie: a.cookie, csrf: a.csrf, origin: ORIGIN })).statusCode).toBe(200);
      expect(await signedIn(a.cookie)).toBe(false);
      // The ended session is refused on the API too.
      expect((await call('GET', '/v1/admin/accounts', { cookie: a.cookie })).statusCode).toBe(401);

      const b = await signIn('ada');
      clock += 31 * 60_000;
      expect(await signedIn(b.cookie)).toBe(false);

      const d = await signIn('ada');
      for (let i = 0; i < 25; i++) {
        clock += 29 * 60_000; // used within the idle timeout, but 12 h after sign-in it ends all the same
        expect(await signedIn(d.cookie)).toBe(i < 24);
      }
    });

    it('throttles sign-in per account after failures, even with the right password', async () => {
      const name = 'tom';
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name, role: 'viewer', password: PASSWORD } })).statusCode).toBe(201);
      for (let i = 0; i < 3; i++) expect((await call('POST', '/v1/auth/login', { body: { name, password: 'wrong password 123' } })).statusCode).toBe(401);
      const locked = await call('POST', '/v1/auth/login', { body: { name, password: PASSWORD } });
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      clock += 31_000;
      expect((await call('POST', '/v1/auth/login', { body: { name, password: PASSWORD } })).statusCode).toBe(200);
      // Wrong passwords for her name from another machine lock that machine out, not her (round 4 M3).
      for (let i = 0; i < 4; i++) await call('POST', '/v1/auth/login', { body: { name, password: 'wrong password 123' }, ip: '127.0.0.2' });
      expect((await call('POST', '/v1/auth/login', { body: { name, password: PASSWORD }, ip: '127.0.0.2' })).statusCode).toBe(429);
      expect((await call('POST', '/v1/auth/login', { body: { name, password: PASSWORD } })).statusCode).toBe(200);
      // The same answer for a name that does not exist as for a wrong password.
      const ghost = await call('POST', '/v1/auth/login', { body: { name: 'ghost', password: PASSWORD } });
      expect(ghost.statusCode).toBe(401);
      expect(ghost.json().error).toBe('wrong name or password');
    });

    it('invites, changes a role, disables and enables an account; each change ends its sessions and is audited; nobody changes themselves', async () => {
      const ada = await signIn('ada');
      const as = (method: string, url: string, body?: unknown) => call(method, url, { cookie: ada.cookie, csrf: ada.csrf, origin: ORIGIN, body });
      const invited = await as('POST', '/v1/admin/accounts/invite', { name: 'nina', role: 'investigator' });
      expect(invited.statusCode, invited.body).toBe(201);
      const { password } = invited.json() as { password: string };
      expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect((await as('POST', '/v1/admin/accounts/invite', { name: 'nina', role: 'viewer' })).statusCode).toBe(409);
      const nina = await signIn('nina', password);
      const listed = (await as('GET', '/v1/admin/accounts')).json().accounts.find((a: { name: string }) => a.name === 'nina');
      expect(listed).toMatchObject({ role: 'investigator', source: 'local', createdBy: 'ada', lastSignInAt: new Date(clock).toISOString(), disabledAt: null });
      expect(JSON.stringify(listed)).not.toMatch(/scrypt/);

      expect((await as('PATCH', '/v1/admin/accounts/nina', { role: 'viewer' })).json()).toMatchObject({ role: 'viewer', disabled: false });
      expect((await call('GET', '/v1/auth/me', { cookie: nina.cookie })).json().signedIn).toBe(false);
      const again = await signIn('nina', password);
      expect((await call('GET', '/v1/admin/events', { cookie: again.cookie })).statusCode).toBe(403);

      expect((await as('PATCH', '/v1/admin/accounts/nina', { disabled: true })).statusCode).toBe(200);
      expect((await call('GET', '/v1/auth/me', { cookie: again.cookie })).json().signedIn).toBe(false);
      const refused = await call('POST', '/v1/auth/login', { body: { name: 'nina', password }, origin: ORIGIN });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ disabled: true });
      expect((await as('PATCH', '/v1/admin/accounts/nina', { disabled: false })).statusCode).toBe(200);
      await signIn('nina', password);

      expect((await as('PATCH', '/v1/admin/accounts/ada', { role: 'viewer' })).statusCode).toBe(409);
      expect((await as('PATCH', '/v1/admin/accounts/ada', { disabled: true })).statusCode).toBe(409);
      expect((await as('PATCH', '/v1/admin/accounts/nina', { role: 'root' })).statusCode).toBe(400);
      expect((await as('PATCH', '/v1/admin/accounts/nobody', { role: 'viewer' })).statusCode).toBe(404);
      // Without the CSRF token the change is refused.
      expect((await call('PATCH', '/v1/admin/accounts/nina', { cookie: ada.cookie, origin: ORIGIN, body: { role: 'admin' } })).statusCode).toBe(403);

      const actions = (await call('GET', '/v1/admin/audit?actor=ada', { auth: ADMIN })).json().entries.map((e: { action: string; details: Record<string, unknown> }) => [e.action, e.details]);
      expect(actions).toEqual(
        expect.arrayContaining([
          ['account.create', { name: 'nina', role: 'investigator', invited: true }],
          ['account.role', { name: 'nina', from: 'investigator', to: 'viewer' }],
          ['account.disable', { name: 'nina' }],
          ['account.enable', { name: 'nina' }],
        ]),
      );
      expect(JSON.stringify(actions)).not.toContain(password);
    });

    it('keeps a row per identity-provider subject: role as their claims say now, a local account of the same name untouched', async () => {
      const store = c.app.accountStore;
      const entry = (account: string, action: string, details: Record<string, unknown>) => ({ timeMs: clock, actor: `oidc:${account}`, action, details, address: null });
      const olga = { subject: 'https://idp.example olga', email: 'olga@example.co.jp', oldNames: ['olga@example.co.jp'], claimed: { email: 'olga@example.co.jp', verified: true }, claimValues: [] };
      expect(await store.oidcSignedIn({ ...olga, role: 'viewer' }, clock, entry)).toMatchObject({ name: 'olga@example.co.jp', source: 'oidc', role: 'viewer', passwordHash: null, lastSigninMs: clock });
      expect(await store.oidcSignedIn({ ...olga, role: 'admin' }, clock + 1, entry)).toMatchObject({ role: 'admin', lastSigninMs: clock + 1 });
      expect((await call('PATCH', '/v1/admin/accounts/olga@example.co.jp', { auth: ADMIN, body: { role: 'viewer' } })).statusCode).toBe(409);
      expect((await call('PATCH', '/v1/admin/accounts/olga@example.co.jp', { auth: ADMIN, body: { disabled: true } })).statusCode).toBe(200);
      // Disabled: a later sign-in neither re-enables nor changes the row, whatever address the subject claims.
      expect(await store.oidcSignedIn({ ...olga, email: null, role: 'investigator' }, clock + 2, entry)).toMatchObject({ role: 'admin', lastSigninMs: clock + 1, disabledBy: `token:legacy-${tokenId(ADMIN)}` });
      const ada = { ...olga, subject: 'https://idp.example ada', email: 'ada', oldNames: ['ada'] };
      expect(await store.oidcSignedIn({ ...ada, role: 'viewer' }, clock, entry)).toMatchObject({ source: 'oidc', name: expect.stringMatching(/^oidc-/) });
      expect(await store.account('ada')).toMatchObject({ source: 'local', role: 'admin' });
    });

    it("a role lowered at the identity provider, at the person's next sign-in: sessions end, tokens above it are revoked, on record", async () => {
      const store = c.app.accountStore;
      const entry = (account: string, action: string, details: Record<string, unknown>) => ({ timeMs: clock, actor: `oidc:${account}`, action, details, address: null });
      const pia = { subject: 'https://idp.example pia', email: 'pia@example.co.jp', oldNames: ['pia@example.co.jp'], claimed: { email: 'pia@example.co.jp', verified: true }, claimValues: [] };
      await store.oidcSignedIn({ ...pia, role: 'admin' }, clock, entry);
      // Tokens she made with her session (created_by is her actor name).
      for (const [name, role] of [['pia-admin', 'admin'], ['pia-viewer', 'viewer']] as const) {
        await store.createToken({ id: `pia-${role}`, name, role, secretHash: 'x'.repeat(64), createdMs: clock, createdBy: 'oidc:pia@example.co.jp', lastUsedMs: null, revokedMs: null, revokedBy: null });
      }
      expect(await store.oidcSignedIn({ ...pia, role: 'viewer' }, clock + 1, entry)).toMatchObject({ role: 'viewer' });
      const live = (await store.tokens()).filter((t) => t.name.startsWith('pia-') && t.revokedMs == null).map((t) => t.name);
      expect(live).toEqual(['pia-viewer']);
      const audit = (await call('GET', '/v1/admin/audit?actor=oidc:pia@example.co.jp', { auth: ADMIN })).json().entries.map((e: { action: string; details: { name: string } }) => [e.action, e.details.name]);
      expect(audit).toEqual(expect.arrayContaining([['account.role', 'pia@example.co.jp'], ['token.revoke', 'pia-admin']]));
      // Raised again: on record, nothing revoked.
      expect(await store.oidcSignedIn({ ...pia, role: 'admin' }, clock + 2, entry)).toMatchObject({ role: 'admin' });
    });

    it('refuses weak passwords and markup in names', async () => {
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'weak', role: 'viewer', password: 'short' } })).statusCode).toBe(400);
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: '<img src=x>', role: 'viewer', password: PASSWORD } })).statusCode).toBe(400);
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'x', role: 'root', password: PASSWORD } })).statusCode).toBe(400);
    });

    it('API tokens are stored hashed, scoped to their role, and stop working when revoked', async () => {
      const made = await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name: 'siem-export', role: 'investigator' } });
      const { id, token } = made.json() as { id: string; token: string };
      expect(token).toMatch(/^ugt_/);
      const list = await call('GET', '/v1/admin/tokens', { auth: tokens.admin });
      expect(list.body).not.toContain(token);
      // The secret part is base64url and may itself hold '_': take all of it after the id.
      expect(list.body).not.toContain(token.slice('ugt_'.length + 12 + 1));
      expect(list.json().tokens.find((t: { id: string }) => t.id === id)).toMatchObject({ name: 'siem-export', role: 'investigator', revokedAt: null });
      expect((await call('GET', '/v1/admin/events', { auth: token })).statusCode).toBe(200);
      expect((await call('GET', '/v1/admin/accounts', { auth: token })).statusCode).toBe(403);
      expect((await call('DELETE', `/v1/admin/tokens/${id}`, { auth: ADMIN })).statusCode).toBe(200);
      expect((await call('GET', '/v1/admin/events', { auth: token })).statusCode).toBe(401);
      // A token with a right id and a wrong secret is refused.
      expect((await call('GET', '/v1/admin/summary', { auth: tokens.viewer!.slice(0, -4) + 'AAAA' })).statusCode).toBe(401);
      // The ingest token is not an admin credential.
      expect((await call('GET', '/v1/admin/summary', { auth: INGEST })).statusCode).toBe(403);
    });

    it("disabling an admin revokes the tokens she made, and the tokens they made, down the chain (not another admin's)", async () => {
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'mallory', role: 'admin', password: PASSWORD } })).statusCode).toBe(201);
      const m = await signIn('mallory');
      const made = (auth: { cookie?: string; csrf?: string; auth?: string }, name: string) =>
        call('POST', '/v1/admin/tokens', { ...auth, origin: auth.cookie ? ORIGIN : undefined, body: { name, role: 'admin' } }).then((r) => r.json().token as string);
      const t1 = await made({ cookie: m.cookie, csrf: m.csrf }, 'm-ci');
      const t2 = await made({ auth: t1 }, 'nightly-backup');
      const t3 = await made({ auth: t2 }, 'nightly-backup-2');
      const others = await made({ auth: ADMIN }, 'ops-export');
      expect((await call('PATCH', '/v1/admin/accounts/mallory', { auth: ADMIN, body: { disabled: true } })).statusCode).toBe(200);
      for (const t of [t1, t2, t3]) expect((await call('GET', '/v1/admin/accounts', { auth: t })).statusCode).toBe(401);
      expect((await call('GET', '/v1/admin/accounts', { auth: others })).statusCode).toBe(200);
      const revoked = (await call('GET', '/v1/admin/audit?action=token.revoke', { auth: ADMIN })).json().entries.map((e: { details: { name: string } }) => e.details.name);
      expect(revoked).toEqual(expect.arrayContaining(['m-ci', 'nightly-backup', 'nightly-backup-2']));
    });

    it('revoking a token revokes the tokens it made, down the chain, each on record (not one another token made)', async () => {
      const made = (auth: string, name: string) => call('POST', '/v1/admin/tokens', { auth, body: { name, role: 'admin' } }).then((r) => r.json() as { id: string; token: string });
      const leaked = await made(ADMIN, 'leaked-ci');
      const backdoor = await made(leaked.token, 'backup-job');
      const deeper = await made(backdoor.token, 'backup-job-2');
      const others = await made(ADMIN, 'ops-report');
      expect((await call('DELETE', `/v1/admin/tokens/${leaked.id}`, { auth: ADMIN })).statusCode).toBe(200);
      for (const t of [leaked, backdoor, deeper]) expect((await call('GET', '/v1/admin/accounts', { auth: t.token })).statusCode).toBe(401);
      expect((await call('GET', '/v1/admin/accounts', { auth: others.token })).statusCode).toBe(200);
      const entries = (await call('GET', '/v1/admin/audit?action=token.revoke', { auth: ADMIN })).json().entries as { details: { id: string; reason?: string } }[];
      expect(entries.find((e) => e.details.id === leaked.id)?.details.reason).toBeUndefined();
      for (const t of [backdoor, deeper]) expect(entries.find((e) => e.details.id === t.id)?.details.reason).toBe('made by token leaked-ci, which was revoked');
      // Revoked already: 404, and nothing more is revoked.
      expect((await call('DELETE', `/v1/admin/tokens/${leaked.id}`, { auth: ADMIN })).statusCode).toBe(404);
    });

    it('refuses a token named as the admin token of tokens.json is named in the audit log (token:legacy-…), and an account named as the collector itself', async () => {
      for (const name of [`legacy-${tokenId(ADMIN)}`, 'Legacy-00000000']) {
        const r = await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name, role: 'admin' } });
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json().error).toMatch(/legacy-/);
      }
      // Nor an account named as the collector's own actors (retention: system; refused callers: unknown).
      for (const [route, name] of [['/v1/admin/accounts', 'system'], ['/v1/admin/accounts/invite', 'Unknown']] as const) {
        const r = await call('POST', route, { auth: ADMIN, body: { name, role: 'admin', password: PASSWORD } });
        expect(r.statusCode, r.body).toBe(400);
      }
      const refused = (await call('GET', '/v1/admin/audit?action=change.refused', { auth: ADMIN })).json().entries as { details: { target: string } }[];
      expect(refused.map((e) => e.details.target)).toEqual(expect.arrayContaining([`legacy-${tokenId(ADMIN)}`, 'system', 'Unknown']));
    });

    it('POST /v1/admin/accounts replaces only a local account, never your own role; no token is named like a token id', async () => {
      const entry = (account: string, action: string, details: Record<string, unknown>) => ({ timeMs: clock, actor: `oidc:${account}`, action, details, address: null });
      const who = { subject: 'https://idp.example kudo', email: 'kudo@example.co.jp', oldNames: ['kudo@example.co.jp'], claimed: { email: 'kudo@example.co.jp', verified: true }, claimValues: [] };
      await c.app.accountStore.oidcSignedIn({ ...who, role: 'viewer' }, clock, entry);
      const over = await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'kudo@example.co.jp', role: 'admin', password: PASSWORD } });
      expect(over.statusCode, over.body).toBe(409);
      expect(await c.app.accountStore.account('kudo@example.co.jp')).toMatchObject({ source: 'oidc', role: 'viewer', passwordHash: null });
      // An admin replacing her own account: her password, not her role (PATCH refuses that too).
      const a = await signIn('ada');
      const self = (role: string) => call('POST', '/v1/admin/accounts', { cookie: a.cookie, csrf: a.csrf, origin: ORIGIN, body: { name: 'ada', role, password: PASSWORD } });
      expect((await self('viewer')).statusCode).toBe(409);
      expect((await c.app.accountStore.account('ada'))!.role).toBe('admin');
      // A token named like another token's id: `token revoke <name>` would revoke the other one.
      const made = (await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name: 'id-shaped', role: 'viewer' } })).json() as { id: string };
      for (const name of [made.id, made.id.toUpperCase(), '0123456789ab']) expect((await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name, role: 'viewer' } })).statusCode).toBe(400);
    });

    it('refuses look-alike names: Cyrillic or fullwidth letters by the pattern, case and ASCII confusables against the names there are', async () => {
      // Cyrillic а (U+0430) in "ada", fullwidth ａｄａ: never an account or a token name.
      for (const name of ['\u0430da', 'ａｄａ', 'ad\u0430']) {
        expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name, role: 'admin', password: PASSWORD } })).statusCode).toBe(400);
        expect((await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name, role: 'admin' } })).statusCode).toBe(400);
      }
      // Against ada, ivan (accounts) and ci-admin (a token): case, 1/l/i, 0/o, rn/m.
      for (const name of ['Ada', 'ADA', '1van', 'lvan']) {
        const r = await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name, role: 'admin', password: PASSWORD } });
        expect(r.statusCode, name).toBe(409);
        expect(r.json().error).toMatch(/looks like the existing account/);
      }
      for (const name of ['CI-admin', 'ci-adm1n', 'cl-admin', 'ci-adrnin']) {
        expect((await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name, role: 'viewer' } })).statusCode, name).toBe(409);
      }
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'mori', role: 'viewer', password: PASSWORD } })).statusCode).toBe(201);
      expect((await call('POST', '/v1/admin/accounts/invite', { auth: ADMIN, body: { name: 'rnori', role: 'admin' } })).statusCode).toBe(409);
      // The same name again replaces the account (its password), as before; also for a look-alike pair a
      // database made before holds (made straight in the store here).
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'mori', role: 'viewer', password: `${PASSWORD}!` } })).statusCode).toBe(200);
      await c.app.accountStore.putAccount({ name: 'Mori', role: 'viewer', passwordHash: null, source: 'local', createdMs: clock, createdBy: 'upgrade-test' });
      expect((await call('POST', '/v1/admin/accounts', { auth: ADMIN, body: { name: 'Mori', role: 'viewer', password: `${PASSWORD}!` } })).statusCode).toBe(200);
      // A person from the identity provider whose verified address looks like an account's gets the subject's digest.
      const entry = (account: string, action: string, details: Record<string, unknown>) => ({ timeMs: clock, actor: `oidc:${account}`, action, details, address: null });
      const who = { subject: 'https://idp.example m0ri', email: 'M0ri', oldNames: ['M0ri'], claimed: { email: 'M0ri', verified: true }, claimValues: [] };
      expect(await c.app.accountStore.oidcSignedIn({ ...who, role: 'viewer' }, clock, entry)).toMatchObject({ name: expect.stringMatching(/^oidc-[0-9a-f]{16}$/) });
      const refused = (await call('GET', '/v1/admin/audit?action=change.refused', { auth: ADMIN })).json().entries as { details: { target: string; reason: string } }[];
      expect(refused.filter((e) => /looks like/.test(e.details.reason)).map((e) => e.details.target)).toEqual(expect.arrayContaining(['Ada', '1van', 'ci-adm1n', 'rnori']));
    });

    it('records sign-ins, searches, exports and changes in the audit log, filterable, as JSON and CSV, without secrets', async () => {
      const from = clock;
      await call('POST', '/v1/auth/login', { body: { name: 'ivan', password: 'not the password' } });
      const s = await signIn('ivan');
      await call('GET', '/v1/admin/events?from=30d&q=%E7%A7%98', { cookie: s.cookie });
      await call('GET', '/v1/admin/export?from=30d', { cookie: s.cookie });
      await call('POST', '/v1/admin/tokens', { auth: ADMIN, body: { name: 'audit-probe', role: 'viewer' } });
      const r = await call('GET', `/v1/admin/audit?from=${new Date(from).toISOString()}`, { auth: tokens.admin });
      expect(r.statusCode).toBe(200);
      const entries = r.json().entries as { actor: string; action: string; details: Record<string, unknown>; time: string }[];
      const actions = entries.map((e) => `${e.actor} ${e.action}`);
      expect(actions).toEqual(expect.arrayContaining(['ivan signin.failure', 'ivan signin.success', 'ivan search', 'ivan export']));
      expect(actions.some((a) => /^token:legacy-[0-9a-f]{8} token\.create$/.test(a))).toBe(true);
      expect(entries.find((e) => e.action === 'search')!.details).toMatchObject({ query: { q: '秘' } });
      expect(r.body).not.toContain(PASSWORD);
      expect(r.body).not.toContain('not the password');

      const byActor = await call('GET', '/v1/admin/audit?actor=ivan&action=export', { auth: ADMIN });
      expect(byActor.json().entries.map((e: { action: string }) => e.action)).toEqual(['export']);
      const before = await call('GET', `/v1/admin/audit?to=${new Date(from).toISOString()}&actor=ivan&action=export`, { auth: ADMIN });
      expect(before.json().entries).toEqual([]);
      const csv = await call('GET', '/v1/admin/audit?format=csv&actor=ivan', { auth: ADMIN });
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.body.split('\r\n')[0]).toBe('\uFEFFtime,actor,action,address,details,actorTokenId,stored');
      expect(csv.body).toContain(',ivan,export,');
      expect((await call('GET', '/v1/admin/audit?from=yesterday', { auth: ADMIN })).statusCode).toBe(400);
    });

    it('purges audit entries under the events’ retention period', async () => {
      await c.app.audit('old-actor', 'search', {});
      clock += 31 * 86_400_000;
      await c.purgeExpired();
      const r = await call('GET', '/v1/admin/audit?actor=old-actor', { auth: ADMIN });
      expect(r.json().entries).toEqual([]);
    });
  });
}

describe('OpenID Connect with the provider down', () => {
  it('sends the browser back to the page with a message, not a 500', async () => {
    const [backend] = testBackends('acct-down');
    const storage = await backend!.open();
    const c = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      accounts: { oidc: { issuer: 'http://127.0.0.1:9/', clientId: 'ug', clientSecret: 'secret', redirectUri: 'http://127.0.0.1:8787/v1/auth/oidc/callback', roleMap: { a: 'admin' } } },
    });
    try {
      expect((await c.app.inject({ url: '/v1/auth/methods' })).json()).toEqual({ local: false, oidc: true });
      const r = await c.app.inject({ url: '/v1/auth/oidc/start' });
      expect(r.statusCode).toBe(302);
      expect(r.headers.location).toBe('/admin/?signin=failed');
      // A callback with no sign-in started in this browser is refused and audited.
      const cb = await c.app.inject({ url: '/v1/auth/oidc/callback?code=x&state=y' });
      expect(cb.headers.location).toBe('/admin/?signin=failed');
      const audit = await c.app.inject({ url: '/v1/admin/audit?action=signin.failure', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(audit.json().entries[0].details).toMatchObject({ method: 'oidc', reason: expect.stringContaining('no pending sign-in') });
    } finally {
      await c.close();
      await backend!.cleanup(storage);
    }
  });
});
