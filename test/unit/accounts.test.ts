/** The pieces of accounts/ on their own: password hashing, throttling, OIDC settings, tokens and cookies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken, parseApiToken, secretMatches } from '../../src/collector/accounts/api-tokens.js';
import { cookieValue, setCookie } from '../../src/collector/accounts/cookies.js';
import { oidcFromEnv } from '../../src/collector/accounts/oidc.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/collector/accounts/passwords.js';
import { atLeast, highest } from '../../src/collector/accounts/roles.js';
import { AccountStore } from '../../src/collector/accounts/store.js';
import { LoginThrottle, waitAfter } from '../../src/collector/accounts/throttle.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

describe('passwords', () => {
  it('hashes with scrypt and a fresh salt; verifies only the right password', async () => {
    const a = await hashPassword('ｐａｓｓ word 秘密 2026');
    const b = await hashPassword('ｐａｓｓ word 秘密 2026');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('ｐａｓｓ word 秘密 2026', a)).toBe(true);
    expect(await verifyPassword('ｐａｓｓ word 秘密 2027', a)).toBe(false);
    // The same text in another Unicode normal form is the same password (NFC before hashing).
    const composed = await hashPassword('café au lait 12');
    expect(await verifyPassword('cafe\u0301 au lait 12', composed)).toBe(true);
  });

  it('an unknown account, a damaged hash or a cost bomb verify as false, never throw', async () => {
    expect(await verifyPassword('anything at all 1', null)).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1099511627776$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1000$8$1$AAAA$AAAA')).toBe(false); // N not a power of two
    expect(await verifyPassword('x'.repeat(5000), await hashPassword('x'.repeat(20) + 'abcde'))).toBe(false);
  });

  it('refuses short and repetitive passwords', () => {
    expect(passwordProblem('short')).toMatch(/12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/different/);
    expect(passwordProblem('長いけれど覚えられる合言葉です')).toBeNull();
  });
});

describe('sign-in throttle (counts in the database: SQLite here, PostgreSQL in test/integration/throttle-shared.test.ts)', () => {
  let storage: SqliteStorage;
  let store: AccountStore;
  beforeAll(async () => {
    storage = new SqliteStorage({ path: ':memory:' });
    store = AccountStore.of(storage);
  });
  afterAll(() => storage.close());
  /** One sign-in with a wrong (or right) password, as the route runs it: counted first, then settled. */
  const attempt = async (th: LoginThrottle, name: string, address: string, ok = false) => {
    const a = await th.attempt(name, address);
    if (!('wait' in a) && ok) await th.succeeded(a);
  };

  it('lets a few failures through, then makes the account wait, doubling; a success clears it', async () => {
    let t = 0;
    const th = new LoginThrottle(store, () => t, { perAccount: 3, perAddress: 10 });
    for (let i = 0; i < 2; i++) await attempt(th, 'sato', '10.0.0.1');
    expect(await th.wait('sato', '10.0.0.1')).toBe(0);
    await attempt(th, 'sato', '10.0.0.1');
    expect(await th.wait('sato', '10.0.0.1')).toBe(30);
    expect(await th.wait('sato', '10.0.0.2')).toBe(0); // per account from that address: not the owner's machine
    expect(await th.wait('suzuki', '10.0.0.1')).toBe(0);
    t += 30_000;
    await attempt(th, 'sato', '10.0.0.1');
    expect(await th.wait('sato', '10.0.0.1')).toBe(60);
    t += 60_000;
    await attempt(th, 'sato', '10.0.0.1', true);
    expect(await th.wait('sato', '10.0.0.1')).toBe(0);
  });

  it('makes the account wait everywhere once guesses spread over many addresses reach ten times the allowance', async () => {
    const th = new LoginThrottle(store, () => 0, { perAccount: 3, perAddress: 10 });
    for (let i = 0; i < 30; i++) await attempt(th, 'tanaka', `10.1.${i}.1`);
    expect(await th.wait('tanaka', '10.2.0.1')).toBeGreaterThan(0);
    expect(await th.wait('kato', '10.2.0.1')).toBe(0);
  });

  it('makes an address that tries many names wait too', async () => {
    const th = new LoginThrottle(store, () => 0, { perAccount: 100, perAddress: 5 });
    for (let i = 0; i < 5; i++) await attempt(th, `user${i}`, '10.9.9.9');
    expect(await th.wait('someone-new', '10.9.9.9')).toBeGreaterThan(0);
    expect(await th.wait('someone-new', '10.9.9.8')).toBe(0);
  });

  it('forgets failures 15 minutes after the last one, and caps the wait at 15 minutes', async () => {
    let t = 1_000_000;
    const th = new LoginThrottle(store, () => t, { perAccount: 3, perAddress: 1000 });
    for (let i = 0; i < 2; i++) await attempt(th, 'kato', '10.1.1.1');
    t += 15 * 60_000 + 1;
    await attempt(th, 'kato', '10.1.1.1'); // counts as the first again
    expect(await th.wait('kato', '10.1.1.1')).toBe(0);
    expect(waitAfter(40, 3)).toBe(15 * 60_000);
  });
});

describe('OpenID Connect settings from the environment', () => {
  const base = {
    UPLOAD_GUARD_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
    UPLOAD_GUARD_OIDC_CLIENT_ID: 'client',
    UPLOAD_GUARD_OIDC_CLIENT_SECRET: 'secret',
    UPLOAD_GUARD_OIDC_ROLES: 'UploadGuard.Admin=admin, 0b5e-guid=viewer',
  };
  it('is off without an issuer; maps value=role pairs; defaults the callback from the public URL', () => {
    expect(oidcFromEnv({}, undefined)).toBeUndefined();
    const o = oidcFromEnv(base, 'https://ug.example.co.jp/')!;
    expect(o.redirectUri).toBe('https://ug.example.co.jp/v1/auth/oidc/callback');
    expect(o.roleMap).toEqual({ 'UploadGuard.Admin': 'admin', '0b5e-guid': 'viewer' });
    expect(o.roleClaim).toBe('groups');
  });
  it('refuses an unknown role, no map, no secret, no callback, and a plain-http issuer elsewhere than this machine', () => {
    expect(() => oidcFromEnv({ ...base, UPLOAD_GUARD_OIDC_ROLES: 'x=root' }, 'https://ug')).toThrow(/root|value=/);
    expect(() => oidcFromEnv({ ...base, UPLOAD_GUARD_OIDC_ROLES: '' }, 'https://ug')).toThrow(/role map/);
    expect(() => oidcFromEnv({ ...base, UPLOAD_GUARD_OIDC_CLIENT_SECRET: '' }, 'https://ug')).toThrow(/secret/);
    expect(() => oidcFromEnv(base, undefined)).toThrow(/REDIRECT_URI/);
    expect(() => oidcFromEnv({ ...base, UPLOAD_GUARD_OIDC_ISSUER: 'http://idp.example.co.jp' }, 'https://ug')).toThrow(/https/);
    expect(oidcFromEnv({ ...base, UPLOAD_GUARD_OIDC_ISSUER: 'http://127.0.0.1:8080/realms/x' }, 'https://ug')).toBeDefined();
  });
});

describe('roles, tokens and cookies', () => {
  it('orders roles', () => {
    expect(atLeast('admin', 'investigator')).toBe(true);
    expect(atLeast('viewer', 'investigator')).toBe(false);
    expect(highest(['viewer', 'admin', 'investigator'])).toBe('admin');
    expect(highest([])).toBeNull();
  });
  it('API tokens: parsed strictly, the secret checked against its hash only', () => {
    const t = newApiToken();
    const p = parseApiToken(t.token)!;
    expect(p.id).toBe(t.id);
    expect(secretMatches(p.secret, t.secretHash)).toBe(true);
    expect(secretMatches(p.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), t.secretHash)).toBe(false);
    for (const bad of ['ugt_', `${t.token}x`, t.token.replace('ugt_', 'ugx_'), `ugt_${'g'.repeat(12)}_${'a'.repeat(43)}`]) expect(parseApiToken(bad)).toBeNull();
  });
  it('cookies: only well-formed values are read; attributes as asked', () => {
    const v = 'A'.repeat(43);
    expect(cookieValue(`a=1; ug_session=${v}; b=2`, 'ug_session')).toBe(v);
    expect(cookieValue('ug_session=<script>', 'ug_session')).toBeNull();
    expect(cookieValue('xug_session=AAAAAAAAAAAAAAAAAAAA', 'ug_session')).toBeNull();
    expect(setCookie('ug_session', v, { secure: true, sameSite: 'Strict', path: '/' })).toBe(`ug_session=${v}; Path=/; HttpOnly; SameSite=Strict; Secure`);
  });
});
