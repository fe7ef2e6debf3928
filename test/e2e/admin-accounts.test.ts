/**
 * Account and token management on the admin page in real Chromium, signed in with a local admin account
 * (session cookie + CSRF token): issue an API token (secret shown once, copied, never listed), revoke it,
 * change a role and disable an account through the page, each recorded in the audit log; names from the
 * identity provider stay inert text; other roles see no such views and the API refuses them; English too.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../src/collector/server.js';
import { startAdminLab, watchedPage, type AdminLab, type WatchedPage } from './support/admin-lab.js';

const ADMIN = 'e2e-admin-token-for-accounts-0123456789';
const PASSWORD = 'ローカルの長いパスワード 42';
const HOSTILE = '<img src=x onerror=alert(1)>@example.co.jp';

describe('account and token management on the admin page', () => {
  let c: Collector;
  let url: string;
  let browser: Browser;
  let lab: AdminLab;

  const api = async (method: string, path: string, payload?: object) => {
    const r = await c.app.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${ADMIN}` }, ...(payload ? { payload } : {}) });
    return r.json();
  };

  beforeAll(async () => {
    lab = await startAdminLab({ ingestTokens: ['e2e-ingest-token-for-accounts-0123456789'], adminTokens: [ADMIN] });
    ({ collector: c, url, browser } = lab);
    for (const [name, role] of [['ada', 'admin'], ['ivan', 'investigator'], ['iris', 'investigator']] as const) await api('POST', '/v1/admin/accounts', { name, role, password: PASSWORD });
    // A person from the identity provider whose claimed address is markup (a row of a release before
    // subject14, which named people by the claimed address), and a token they made.
    await c.app.accountStore.putAccount({ name: HOSTILE, role: 'investigator', passwordHash: null, source: 'oidc', createdMs: Date.now(), createdBy: 'identity provider' });
    await c.app.accountStore.createToken({ id: '0123456789ab', name: 'legacy-import', role: 'viewer', secretHash: '0'.repeat(64), createdMs: Date.now(), createdBy: `oidc:${HOSTILE}`, lastUsedMs: null, revokedMs: null, revokedBy: null });
  });
  afterAll(() => lab?.close());

  async function signIn(name: string, locale = 'ja-JP'): Promise<WatchedPage> {
    const context = await browser.newContext({ locale });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    const { page, dialogs, problems } = await watchedPage(context);
    await page.goto(`${url}/admin/`);
    await page.fill('input[name=username]', name);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('[data-testid=signin-local] button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    return { page, dialogs, problems };
  }

  it('issues a token shown once (copied, never listed), revokes it; changes a role and disables an account; all audited', async () => {
    const { page, dialogs, problems } = await signIn('ada');

    // --- API tokens -----------------------------------------------------------------------------
    await page.click('[data-view=tokens]');
    const tokens = page.locator('[data-testid=api-tokens]');
    await tokens.locator('tr[data-name=legacy-import]').waitFor();
    // The hostile creator is text, not an element.
    expect(await tokens.locator('tr[data-name=legacy-import] td.user').nth(1).textContent()).toBe(`oidc:${HOSTILE}`);
    await page.fill('input[name=token-name]', 'siem-splunk');
    await page.selectOption('select[name=token-role]', 'investigator');
    await page.click('[data-testid=create-token] button[type=submit]');
    const once = page.locator('[data-testid=one-time-secret]');
    await once.waitFor();
    expect(await once.textContent()).toContain('この値は今しか表示されません');
    const secret = await once.locator('[data-testid=secret]').inputValue();
    expect(secret).toMatch(/^ugt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    await once.locator('[data-testid=copy-secret]').click();
    await expect.poll(() => once.textContent()).toContain('コピーしました');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    // The token works for its role, and its last use shows up in the list.
    const used = await fetch(`${url}/v1/admin/events?from=30d`, { headers: { authorization: `Bearer ${secret}` } });
    expect(used.status).toBe(200);
    await once.locator('[data-testid=secret-done]').click();
    await expect.poll(() => once.count()).toBe(0);
    const row = tokens.locator('tr[data-name=siem-splunk]');
    await row.waitFor();
    expect(await row.locator('td.role').textContent()).toBe('調査担当者');
    expect(await row.locator('td.user').nth(1).textContent()).toBe('ada');
    // Never the secret after creation: not on the page, not in the list the API gives. The secret
    // part is everything after the id (base64url, so it may itself hold '_': not split('_')[2]).
    const secretPart = secret.slice('ugt_'.length + 12 + 1);
    expect(secretPart).toHaveLength(43);
    expect(await page.textContent('body')).not.toContain(secretPart);
    expect(JSON.stringify(await api('GET', '/v1/admin/tokens'))).not.toContain(secretPart);

    await row.locator('[data-testid=revoke]').click();
    await row.locator('[data-testid=revoke-confirm]').click();
    await expect.poll(() => row.locator('td.state').textContent()).toMatch(/^失効（.*、ada）$/);
    expect(await row.locator('[data-testid=revoke]').count()).toBe(0);
    // Its use above is its last use (the list read again after the revocation).
    expect(await row.locator('td.time').nth(1).textContent()).not.toBe('なし');
    expect(await tokens.locator('tr[data-name=legacy-import] td.time').nth(1).textContent()).toBe('なし');
    expect((await fetch(`${url}/v1/admin/events?from=30d`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

    // --- accounts -------------------------------------------------------------------------------
    await page.click('[data-view=accounts]');
    const accounts = page.locator('[data-testid=accounts]');
    const ivan = accounts.locator('tr[data-name=ivan]');
    await ivan.waitFor();
    expect(await accounts.locator('tr[data-name=ada] td.user').textContent()).toBe('ada （あなた）');
    // Own row: no role picker and no disable button.
    expect(await accounts.locator('tr[data-name=ada] select, tr[data-name=ada] button').count()).toBe(0);
    expect(await accounts.locator('tr[data-name=ada] td.time').first().textContent()).not.toBe('なし');
    expect(await ivan.locator('td.time').first().textContent()).toBe('なし');
    // The identity provider's person: role shown (set by their groups), name inert.
    const hostileRow = accounts.locator('tr', { hasText: 'onerror' });
    expect(await hostileRow.locator('td.user').textContent()).toBe(HOSTILE);
    expect(await hostileRow.locator('select').count()).toBe(0);
    expect(await page.locator('[data-testid=accounts] img').count()).toBe(0);

    await ivan.locator('select[name=role]').selectOption('viewer');
    await expect.poll(() => page.locator('[data-testid=accounts-message]').textContent()).toBe('ivan を変更しました。');
    await expect.poll(async () => (await api('GET', '/v1/admin/accounts')).accounts.find((a: { name: string }) => a.name === 'ivan').role).toBe('viewer');
    await ivan.locator('[data-testid=disable]').click();
    await expect.poll(() => ivan.locator('td.state').textContent()).toMatch(/^無効（.*、ada）$/);
    await ivan.locator('[data-testid=enable]').waitFor();

    // An invited account: the first password shown once, and it signs in.
    await page.fill('input[name=account-name]', 'nina');
    await page.selectOption('select[name=account-role]', 'investigator');
    await page.click('[data-testid=add-account] button[type=submit]');
    await once.waitFor();
    const password = await once.locator('[data-testid=secret]').inputValue();
    expect((await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nina', password }) })).status).toBe(200);

    // --- the audit log: every change, by whom, on the page and through the API -------------------
    const entries = (await api('GET', '/v1/admin/audit?actor=ada')).entries as { action: string; details: Record<string, unknown> }[];
    const actions = entries.map((e) => [e.action, e.details]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['token.create', expect.objectContaining({ name: 'siem-splunk', role: 'investigator' })],
        ['token.revoke', expect.objectContaining({ name: 'siem-splunk' })],
        ['account.role', { name: 'ivan', from: 'investigator', to: 'viewer' }],
        ['account.disable', { name: 'ivan' }],
        ['account.create', { name: 'nina', role: 'investigator', invited: true }],
      ]),
    );
    expect(JSON.stringify(entries)).not.toContain(secret);
    expect(JSON.stringify(entries)).not.toContain(password);
    await page.click('[data-view=audit]');
    const roleRow = page.locator('[data-testid=audit] tr[data-action="account.role"]');
    await roleRow.waitFor();
    expect(await roleRow.textContent()).toContain('役割の変更');
    expect(await page.locator('[data-testid=audit] tr[data-action="token.revoke"]').textContent()).toContain('API トークン失効');

    // The disabled account cannot sign in, and is told why in Japanese.
    const refused = await browser.newPage({ locale: 'ja-JP' });
    await refused.goto(`${url}/admin/`);
    await refused.fill('input[name=username]', 'ivan');
    await refused.fill('input[name=password]', PASSWORD);
    await refused.click('[data-testid=signin-local] button[type=submit]');
    await refused.waitForSelector('[data-testid=signin] .error');
    expect(await refused.textContent('[data-testid=signin] .error')).toContain('無効にされています');
    await refused.close();

    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('an investigator sees no account or token views, and the API refuses them', async () => {
    const { page } = await signIn('iris');
    await page.waitForSelector('[data-view=events]');
    expect(await page.locator('[data-view=accounts], [data-view=tokens], [data-view=audit]').count()).toBe(0);
    const status = await page.evaluate(async () => [(await fetch('/v1/admin/accounts')).status, (await fetch('/v1/admin/tokens')).status]);
    expect(status).toEqual([403, 403]);
    await page.context().close();
  });

  it('in English: the views, the one-time warning and the roles', async () => {
    const { page } = await signIn('ada', 'en-US');
    await page.click('[data-view=tokens]');
    expect(await page.textContent('[data-view=tokens]')).toBe('API tokens');
    await page.fill('input[name=token-name]', 'nightly-export');
    await page.click('[data-testid=create-token] button[type=submit]');
    const once = page.locator('[data-testid=one-time-secret]');
    await once.waitFor();
    expect(await once.textContent()).toContain('This is shown only now');
    expect(await once.textContent()).toContain('API token “nightly-export”');
    await once.locator('[data-testid=secret-done]').click();
    expect(await page.locator('tr[data-name=nightly-export] td.role').textContent()).toBe('Investigator');
    await page.click('[data-view=accounts]');
    await page.locator('[data-testid=accounts] tr[data-name=ivan]').waitFor();
    expect(await page.locator('[data-testid=accounts] tr[data-name=ivan] td.state').textContent()).toMatch(/^Disabled \(.*, ada\)$/);
    await page.context().close();
  });
});
