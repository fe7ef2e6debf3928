/**
 * Signing in to the admin page in real Chromium through a real OpenID Connect provider (panva's
 * oidc-provider, run in this process on a random port: authorization code + PKCE, state, nonce) and with a
 * local account: roles enforced (a viewer sees totals, never file names), CSRF refused without the token,
 * cross-site requests carry no session, and the audit log has every sign-in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { Collector } from '../../src/collector/server.js';
import { startAdminLab, type AdminLab } from './support/admin-lab.js';

const ADMIN = 'e2e-admin-token-for-signin-0123456789';
const SECRET_FILE = '秘—人事評価_2026.xlsx';
const CLIENT_SECRET = 'client-secret-for-the-e2e-provider-0123456789';
/** The people the provider knows: login → groups claim. */
const PEOPLE: Record<string, string[]> = { alice: ['ug-admins', 'staff'], vic: ['ug-viewers'], eve: ['staff'] };

/** A port free a moment ago (the collector's redirect URI must be known before it listens). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('admin sign-in (OpenID Connect and local accounts) in Chromium', () => {
  let c: Collector;
  let url: string;
  let idp: Server;
  let issuer: string;
  let browser: Browser;
  let lab: AdminLab;

  beforeAll(async () => {
    // The provider's port first (the collector needs the issuer), then the collector (the provider needs its callback).
    idp = createServer();
    await new Promise<void>((r) => idp.listen(0, r));
    // localhost, not 127.0.0.1: the provider is another site than the collector, as in real life.
    issuer = `http://localhost:${(idp.address() as AddressInfo).port}`;
    const port = await freePort();
    lab = await startAdminLab(
      {
        ingestTokens: ['e2e-ingest-token-for-signin-0123456789'],
        adminTokens: [ADMIN],
        accounts: {
          oidc: {
            issuer,
            clientId: 'upload-guard',
            clientSecret: CLIENT_SECRET,
            redirectUri: `http://127.0.0.1:${port}/v1/auth/oidc/callback`,
            roleMap: { 'ug-admins': 'admin', 'ug-viewers': 'viewer' },
            scopes: 'email groups',
          },
        },
      },
      { port, lang: 'ja' },
    );
    ({ collector: c, url, browser } = lab);
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'upload-guard',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${url}/v1/auth/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      pkce: { methods: ['S256'], required: () => true },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
      conformIdTokenClaims: false,
      cookies: { keys: ['e2e-cookie-key-0123456789'] },
      async findAccount(_ctx, id) {
        return { accountId: id, claims: async () => ({ sub: id, email: `${id}@example.co.jp`, email_verified: true, groups: PEOPLE[id] ?? [] }) };
      },
    });
    idp.on('request', provider.callback());
    await c.storage.insertEvents([sampleEvent({ fileName: SECRET_FILE, user: 'hanako@example.co.jp', time: new Date(Date.now() - 60_000).toISOString() })], Date.now());
  });
  afterAll(async () => {
    await lab?.close();
    idp?.close();
  });

  const api = async (path: string) => (await c.app.inject({ url: path, headers: { authorization: `Bearer ${ADMIN}` } })).json();

  async function oidcSignIn(login: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${url}/admin/`);
    await page.click('[data-testid=signin-oidc]');
    // The provider's own (development) login and consent pages.
    await page.waitForURL((u) => u.href.startsWith(issuer));
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[autofocus]');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith(`${url}/admin/`));
    return page;
  }

  it('an admin in a mapped group signs in with PKCE, state and nonce; the session cookie is HttpOnly and SameSite=Strict', async () => {
    const page = await oidcSignIn('alice');
    await page.waitForSelector('[data-testid=events] tbody tr');
    expect(await page.textContent('[data-testid=who]')).toContain('alice@example.co.jp');
    expect(await page.textContent('[data-testid=who]')).toContain('管理者');
    expect(await page.locator('td.file').allTextContents()).toContain(SECRET_FILE);
    const cookies = await page.context().cookies(url);
    const sessionCookie = cookies.find((k) => k.name === 'ug_session')!;
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.find((k) => k.name === 'ug_oidc')).toBeUndefined();
    // The session id is not in the page's reach.
    expect(await page.evaluate(() => document.cookie)).not.toContain('ug_session');

    // CSRF: a state-changing call from the page without the token is refused; with it, allowed.
    const without = await page.evaluate(async () => (await fetch('/v1/admin/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'from-page', role: 'viewer' }) })).status);
    expect(without).toBe(403);
    const withToken = await page.evaluate(async () => {
      const me = await (await fetch('/v1/auth/me')).json();
      return (await fetch('/v1/admin/tokens', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf }, body: JSON.stringify({ name: 'from-page', role: 'viewer' }) })).status;
    });
    expect(withToken).toBe(201);
    // Another site (the provider's origin) cannot ride the session: the Strict cookie is not sent.
    await page.goto(`${issuer}/.well-known/openid-configuration`);
    const crossSite = await page.evaluate(async (u) => {
      try {
        return (await fetch(`${u}/v1/admin/accounts`, { credentials: 'include' })).status;
      } catch {
        return 'blocked';
      }
    }, url);
    expect(crossSite).not.toBe(200);

    // The admin's audit tab lists the sign-in and the token made above, in Japanese.
    await page.goto(`${url}/admin/`);
    await page.click('[data-view=audit]');
    await page.waitForSelector('[data-testid=audit] tr[data-action="token.create"]');
    const signinRow = page.locator('[data-testid=audit] tr[data-action="signin.success"]', { hasText: 'oidc:alice@example.co.jp' });
    expect(await signinRow.count()).toBeGreaterThanOrEqual(1);
    expect(await signinRow.first().textContent()).toContain('サインイン');
    await page.click('.top button:has-text("サインアウト")');
    await page.waitForSelector('[data-testid=signin]');
    const audit = (await api('/v1/admin/audit?actor=oidc:alice@example.co.jp')).entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['signin.success', 'search', 'token.create', 'signout']));
    await page.context().close();
  });

  it('a viewer sees totals only: no file names, and the API refuses them event rows', async () => {
    const page = await oidcSignIn('vic');
    await page.waitForSelector('[data-testid=aggregates] [data-testid=total]');
    expect(await page.textContent('[data-testid=total]')).toBe('1');
    expect(await page.textContent('[data-testid=who]')).toContain('閲覧者');
    const text = await page.textContent('body');
    expect(text).not.toContain(SECRET_FILE);
    expect(text).not.toContain('hanako');
    expect(await page.locator('[data-testid=events]').count()).toBe(0);
    expect(await page.locator('[data-view=audit]').count()).toBe(0);
    const status = await page.evaluate(async () => (await fetch('/v1/admin/events?from=30d')).status);
    expect(status).toBe(403);
    await page.context().close();
  });

  it('a person in no mapped group is told so in Japanese and gets no session; the refusal is audited', async () => {
    const page = await oidcSignIn('eve');
    await page.waitForSelector('[data-testid=signin] .error');
    expect(await page.textContent('[data-testid=signin] .error')).toContain('権限が割り当てられていません');
    expect((await page.context().cookies(url)).find((k) => k.name === 'ug_session')).toBeUndefined();
    const entries = (await api('/v1/admin/audit?actor=oidc:eve@example.co.jp&action=signin.failure')).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0].details.reason).toContain('staff');
    await page.context().close();
  });

  it('a person from the identity provider is listed after signing in; once disabled, their next sign-in is refused with a message', async () => {
    // vic signed in above (a viewer): listed as a company account with the role their groups gave.
    const vic = (await api('/v1/admin/accounts')).accounts.find((a: { name: string }) => a.name === 'vic@example.co.jp');
    expect(vic).toMatchObject({ source: 'oidc', role: 'viewer', disabledAt: null });
    expect(vic.lastSignInAt).not.toBeNull();
    const off = await c.app.inject({ method: 'PATCH', url: '/v1/admin/accounts/vic@example.co.jp', headers: { authorization: `Bearer ${ADMIN}` }, payload: { disabled: true } });
    expect(off.statusCode, off.body).toBe(200);
    const page = await oidcSignIn('vic');
    await page.waitForSelector('[data-testid=signin] .error');
    expect(await page.textContent('[data-testid=signin] .error')).toContain('無効にされています');
    expect((await page.context().cookies(url)).find((k) => k.name === 'ug_session')).toBeUndefined();
    const refused = (await api('/v1/admin/audit?actor=oidc:vic@example.co.jp&action=signin.failure')).entries;
    expect(refused[0].details.reason).toBe('account disabled');
    await page.context().close();
  });

  it('a local account signs in on the same page (investigator: events, no account management)', async () => {
    const made = await c.app.inject({ method: 'POST', url: '/v1/admin/accounts', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: 'suzuki', role: 'investigator', password: 'ローカルの長いパスワード 42' } });
    expect(made.statusCode).toBe(201);
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${url}/admin/`);
    await page.waitForSelector('[data-testid=signin-local]');
    await page.fill('input[name=username]', 'suzuki');
    await page.fill('input[name=password]', 'wrong password 1234');
    await page.click('[data-testid=signin-local] button[type=submit]');
    await page.waitForSelector('[data-testid=signin] .error');
    expect(await page.textContent('[data-testid=signin] .error')).toContain('ユーザー名またはパスワードが正しくありません');
    await page.fill('input[name=password]', 'ローカルの長いパスワード 42');
    await page.click('[data-testid=signin-local] button[type=submit]');
    await page.waitForSelector('[data-testid=events] tbody tr');
    expect(await page.textContent('[data-testid=who]')).toContain('調査担当者');
    const status = await page.evaluate(async () => (await fetch('/v1/admin/accounts')).status);
    expect(status).toBe(403);
    const actions = (await api('/v1/admin/audit?actor=suzuki')).entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['signin.failure', 'signin.success', 'search']));
    await context.close();
  });
});
