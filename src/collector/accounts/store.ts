/**
 * Where accounts, sessions, API tokens, pending OpenID Connect sign-ins and the audit log are kept: the
 * collector's own database (SQLite or PostgreSQL), in the tables of ACCOUNTS_SQLITE / ACCOUNTS_PG (one
 * migration each in sqlite.ts and postgres.ts). Same SQL on both, `?` placeholders numbered for pg.
 * The audit log has no update or delete here but the retention purge: nothing can edit it through the API.
 */
import type pg from 'pg';
import { sqlFor, type Sql, type TxWork } from '../incidents/sql.js';
import { PostgresStorage } from '../storage/postgres.js';
import { SqliteStorage } from '../storage/sqlite.js';
import type { Storage } from '../storage/types.js';
import { sha256hex } from './api-tokens.js';
import { lookAlike, NAME } from './manage.js';
import type { Identity } from './oidc.js';
import { atLeast, ROLES, type Role } from './roles.js';

/** The end of a live token's time, for comparisons in SQL (any time before the year 285,000). */
const LIVE = 9_000_000_000_000_000;
export { ACCOUNTS_PG, ACCOUNTS_SQLITE } from './schema.js';

export type AccountSource = 'local' | 'oidc';

export interface AccountRow {
  name: string;
  role: Role;
  /** scrypt hash (passwords.ts); null for an account that signs in only through the identity provider. */
  passwordHash: string | null;
  source: AccountSource;
  createdMs: number;
  createdBy: string;
  /** When an admin disabled it (sign-in refused, sessions ended), or null. */
  disabledMs?: number | null;
  disabledBy?: string | null;
  lastSigninMs?: number | null;
  /** OpenID Connect: the provider's issuer and `sub` (null: local, or made before subject14 and not yet signed in). */
  oidcSubject?: string | null;
}

/** One key's failed sign-ins (accounts/throttle.ts). */
export interface ThrottleCount {
  failures: number;
  lastMs: number;
  untilMs: number;
}

export interface SessionRow {
  /** SHA-256 of the cookie's value: the database never holds a usable session id. */
  idHash: string;
  account: string;
  role: Role;
  source: AccountSource;
  csrf: string;
  createdMs: number;
  lastMs: number;
  expiresMs: number;
}

export interface PendingLogin {
  idHash: string;
  state: string;
  nonce: string;
  verifier: string;
  expiresMs: number;
}

export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  secretHash: string;
  createdMs: number;
  createdBy: string;
  lastUsedMs: number | null;
  revokedMs: number | null;
  revokedBy: string | null;
  /** When it stops working (refused from then on, 401 and on record); null: never (every token made before expires20). */
  expiresMs?: number | null;
}

export interface AuditEntry {
  timeMs: number;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  address: string | null;
}

/**
 * Refused requests of one caller from one address (`*`: the addresses beyond the limit) since its first
 * entry: unknown credentials (actor ''; `unknown` in the log), or a valid one over its rate limit.
 */
export interface HeldDenied {
  /** The caller as the audit log names it; '' for a credential that is not valid (or none). */
  actor: string;
  address: string;
  fromMs: number;
  lastMs: number;
  count: number;
  routes: Record<string, number>;
  reasons: Record<string, number>;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  fromMs?: number;
  toMs?: number;
  /** Entries with a smaller id only (the next page, newest first). */
  beforeId?: number;
  limit: number;
}

type Row = Record<string, unknown>;

/** Runs one statement; `?` placeholders. */
interface Exec {
  all(sql: string, params: unknown[]): Promise<Row[]>;
  run(sql: string, params: unknown[]): Promise<number>;
  /** An append nothing reads back at once (the audit log): on SQLite committed with the next ingest group. */
  append(sql: string, params: unknown[]): Promise<number>;
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function sqliteExec(storage: SqliteStorage): Exec {
  const db = storage.db;
  return {
    all: async (sql, params) => db.prepare(sql).all(...params) as Row[],
    run: async (sql, params) => db.prepare(sql).run(...params).changes,
    append: (sql, params) => storage.runInGroup(sql, params),
  };
}

function pgExec(pool: pg.Pool, schema: string): Exec {
  const numbered = (sql: string) => {
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`).replace(/\bT\./g, `${schema}.`);
  };
  return {
    all: async (sql, params) => (await pool.query(numbered(sql), params)).rows as Row[],
    run: async (sql, params) => (await pool.query(numbered(sql), params)).rowCount ?? 0,
    // PostgreSQL commits off the event loop already.
    append: async (sql, params) => (await pool.query(numbered(sql), params)).rowCount ?? 0,
  };
}

const account = (r: Row): AccountRow => ({
  name: String(r.name),
  role: r.role as Role,
  passwordHash: (r.password_hash as string | null) ?? null,
  source: r.source as AccountSource,
  createdMs: num(r.created_ms),
  createdBy: String(r.created_by),
  disabledMs: numOrNull(r.disabled_ms),
  disabledBy: (r.disabled_by as string | null) ?? null,
  lastSigninMs: numOrNull(r.last_signin_ms),
  oidcSubject: (r.oidc_subject as string | null) ?? null,
});

const session = (r: Row): SessionRow => ({
  idHash: String(r.id_hash),
  account: String(r.account),
  role: r.role as Role,
  source: r.source as AccountSource,
  csrf: String(r.csrf),
  createdMs: num(r.created_ms),
  lastMs: num(r.last_ms),
  expiresMs: num(r.expires_ms),
});

const token = (r: Row): TokenRow => ({
  id: String(r.id),
  name: String(r.name),
  role: r.role as Role,
  secretHash: String(r.secret_hash),
  createdMs: num(r.created_ms),
  createdBy: String(r.created_by),
  lastUsedMs: numOrNull(r.last_used_ms),
  revokedMs: numOrNull(r.revoked_ms),
  revokedBy: (r.revoked_by as string | null) ?? null,
  expiresMs: numOrNull(r.expires_ms),
});

const auditRow = (r: Row): AuditRow => ({
  id: num(r.id),
  timeMs: num(r.time_ms),
  actor: String(r.actor),
  action: String(r.action),
  details: JSON.parse(String(r.details)) as Record<string, unknown>,
  address: (r.address as string | null) ?? null,
});

/** Makes the audit entry of a change the identity provider's sign-in of `account` brought about. */
type OidcAudit = (account: string, action: string, details: Record<string, unknown>) => AuditEntry;

/** Who the identity provider vouched for, as the audit log records it: `subject` as in signin.success (`issuer sub`), and its issuer. */
const subjectDetails = (subject: string) => ({ issuer: subject.slice(0, subject.indexOf(' ')), subject });

const AUDIT_INSERT = 'INSERT INTO T.audit_log (time_ms, actor, action, details, address) VALUES (?, ?, ?, ?, ?)';
const auditParams = (e: AuditEntry) => [e.timeMs, e.actor, e.action, JSON.stringify(e.details), e.address];

/** Table names are written `T.name`: the schema on PostgreSQL, nothing on SQLite. */
export class AccountStore {
  private constructor(
    private readonly x: Exec,
    private readonly t: (sql: string) => string,
    /** Transactions (incidents/sql.ts), and how their statements name the tables. */
    private readonly sql: Sql,
    private readonly txT: (sql: string) => string,
    /** PostgreSQL: `FOR SHARE`, so a session is not made beside a concurrent change of its account. */
    private readonly forShare: string,
  ) {}

  static of(storage: Storage): AccountStore {
    if (storage instanceof SqliteStorage) {
      const bare = (s: string) => s.replace(/\bT\./g, '');
      return new AccountStore(sqliteExec(storage), bare, sqlFor(storage), bare, '');
    }
    if (storage instanceof PostgresStorage) {
      return new AccountStore(pgExec(storage.pool, storage.schema), (s) => s, sqlFor(storage), (s) => s.replace(/\bT\./g, `${storage.schema}.`), ' FOR SHARE OF a');
    }
    throw new Error(`accounts need SQLite or PostgreSQL storage, not ${(storage as Storage).kind}`);
  }

  /**
   * A change and its audit entries in one transaction: both or neither. Written apart, a change made
   * while audit_log could not be written (a lock, a DBA's VACUUM FULL, a statement timeout) stayed in
   * effect with no entry, and the request even answered 503 (red team G1). `audit` names the entries from
   * the change's result (none when nothing changed, e.g. no such account).
   */
  async change<T>(work: TxWork<T>, audit: (value: T) => AuditEntry[]): Promise<T> {
    const t = this.txT;
    function* whole(): TxWork<T> {
      let r = work.next();
      while (!r.done) r = work.next(yield { ...r.value, sql: t(r.value.sql) });
      for (const e of audit(r.value)) yield { sql: t(AUDIT_INSERT), params: auditParams(e) };
      return r.value;
    }
    return this.sql.tx(whole());
  }

  private all(sql: string, params: unknown[] = []) {
    return this.x.all(this.t(sql), params);
  }
  private run(sql: string, params: unknown[] = []) {
    return this.x.run(this.t(sql), params);
  }

  // --- accounts ----------------------------------------------------------------------------------
  async account(name: string): Promise<AccountRow | null> {
    const [r] = await this.all('SELECT * FROM T.accounts WHERE name = ?', [name]);
    return r ? account(r) : null;
  }
  async accounts(): Promise<AccountRow[]> {
    return (await this.all('SELECT * FROM T.accounts ORDER BY name')).map(account);
  }
  /** Creates or replaces an account; a changed role or password ends its sessions. Returns whether it is new. */
  async putAccount(a: AccountRow): Promise<boolean> {
    return this.change(AccountStore.putAccountTx(a), () => []);
  }
  static *putAccountTx(a: AccountRow): TxWork<boolean> {
    const had = (yield { sql: 'SELECT name FROM T.accounts WHERE name = ?', params: [a.name], rows: true }) as Row[];
    yield {
      sql: `INSERT INTO T.accounts (name, role, password_hash, source, created_ms, created_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, source = excluded.source`,
      params: [a.name, a.role, a.passwordHash, a.source, a.createdMs, a.createdBy],
    };
    if (had.length) yield { sql: 'DELETE FROM T.sessions WHERE account = ?', params: [a.name] };
    return had.length === 0;
  }
  /** A new role; the account's sessions end (they carry the old one). False: no such local account. */
  async setRole(name: string, role: Role): Promise<boolean> {
    return this.change(AccountStore.setRoleTx(name, role), () => []);
  }
  static *setRoleTx(name: string, role: Role): TxWork<boolean> {
    const changed = ((yield { sql: "UPDATE T.accounts SET role = ? WHERE name = ? AND source = 'local'", params: [role, name] }) as number) > 0;
    if (changed) yield { sql: 'DELETE FROM T.sessions WHERE account = ?', params: [name] };
    return changed;
  }
  /** Disables (by, when) or enables (null) an account; disabling ends its sessions. */
  async setDisabled(name: string, by: { actor: string; ms: number } | null): Promise<boolean> {
    return this.change(AccountStore.setDisabledTx(name, by), () => []);
  }
  static *setDisabledTx(name: string, by: { actor: string; ms: number } | null): TxWork<boolean> {
    const changed = ((yield { sql: 'UPDATE T.accounts SET disabled_ms = ?, disabled_by = ? WHERE name = ?', params: [by?.ms ?? null, by?.actor ?? null, name] }) as number) > 0;
    if (changed && by) yield { sql: 'DELETE FROM T.sessions WHERE account = ?', params: [name] };
    return changed;
  }
  async signedIn(name: string, ms: number): Promise<void> {
    await this.run('UPDATE T.accounts SET last_signin_ms = ? WHERE name = ?', [ms, name]);
  }
  /**
   * A person the identity provider vouched for, found by their subject (issuer and `sub`): their row (made
   * at the first sign-in, role as the claims say now) so admins can see and disable them. A disabled row
   * is returned unchanged (the caller refuses it). Rows of older releases, named by a claimed e-mail and
   * without a subject, are migrated here (docs/collector.md "OpenID Connect accounts"): one is taken over
   * only by the subject whose *verified* e-mail is its name; a disabled one also refuses every subject that
   * ever signed in under its name (per the audit log), so nobody comes back by claiming a new address.
   */
  /**
   * The row of a person the identity provider signed in, their role as its groups say now. A role that
   * changed there changes here at this sign-in, on record: the sessions they had end, and when it went
   * down, the API tokens they made above it are revoked, as a demotion on the admin page does
   * (collector round 4 H2). `audit` makes the entries of the person `account` signing in.
   */
  async oidcSignedIn(who: Identity & { role: Role }, ms: number, audit: OidcAudit): Promise<AccountRow | null> {
    const found = (await this.bySubject(who.subject)) ?? (await this.disabledOldRow(who)) ?? (await this.adoptOldRow(who, audit)) ?? (await this.newOidcRow(who, ms, audit));
    if (found.disabledMs != null || !found.oidcSubject) return found;
    const { name, role: from } = found;
    const to = who.role;
    await this.change(
      (function* () {
        const changed = ((yield { sql: 'UPDATE T.accounts SET role = ?, last_signin_ms = ? WHERE oidc_subject = ? AND disabled_ms IS NULL', params: [to, ms, who.subject] }) as number) > 0;
        if (!changed || from === to) return null;
        yield { sql: 'DELETE FROM T.sessions WHERE account = ?', params: [name] };
        return atLeast(to, from) ? [] : yield* AccountStore.revokeTokensOfTx(name, 'identity provider', ms, to);
      })(),
      (revoked) =>
        revoked === null
          ? []
          : [
              audit(name, 'account.role', { name, from, to, by: 'identity provider' }),
              ...revoked.map((t) => audit(name, 'token.revoke', { id: t.id, name: t.name, role: t.role, reason: `made by ${name}, whose role the identity provider changed to ${to}` })),
            ],
    );
    return this.bySubject(who.subject);
  }
  /**
   * A sign-in the identity provider gave no mapped role (taken out of every group): the person's
   * sessions end and the API tokens she made are revoked, as when an admin disables her account, in one
   * transaction with their entries. Before, the sign-in was refused and nothing else happened: her other
   * sessions kept her old role until idle, and the tokens she had made kept working for good, while a
   * mere demotion at the provider ended both (red team collector6 #4). The account stays as it was
   * (not disabled: put back in a group, she signs in again). Returns the tokens revoked.
   */
  async oidcNoRole(subject: string, ms: number, audit: OidcAudit): Promise<number> {
    const found = await this.bySubject(subject);
    if (!found || found.disabledMs != null) return 0;
    const name = found.name;
    const r = await this.change(
      (function* () {
        const sessions = (yield { sql: 'DELETE FROM T.sessions WHERE account = ?', params: [name] }) as number;
        return { sessions, revoked: yield* AccountStore.revokeTokensOfTx(name, 'identity provider', ms, null) };
      })(),
      ({ sessions, revoked }) => [
        ...(sessions ? [audit(name, 'account.update', { name, change: 'sessions ended: the identity provider gives no role', sessions, by: 'identity provider' })] : []),
        ...revoked.map((t) => audit(name, 'token.revoke', { id: t.id, name: t.name, role: t.role, reason: `made by ${name}, whom the identity provider gives no role any more` })),
      ],
    );
    return r.revoked.length;
  }
  private async bySubject(subject: string): Promise<AccountRow | null> {
    const [r] = await this.all("SELECT * FROM T.accounts WHERE oidc_subject = ? AND source = 'oidc'", [subject]);
    return r ? account(r) : null;
  }
  /** A disabled pre-subject row this person signed in as (any name they claimed then, or the audit log says so). */
  private async disabledOldRow(who: Identity): Promise<AccountRow | null> {
    const old = "source = 'oidc' AND oidc_subject IS NULL AND disabled_ms IS NOT NULL";
    const byName = await this.all(`SELECT * FROM T.accounts WHERE ${old} AND name IN (${who.oldNames.map(() => '?').join(', ')})`, who.oldNames);
    if (byName[0]) return account(byName[0]);
    // Older entries recorded the bare `sub` as "subject" (JSON text; LIKE wildcards escaped).
    const sub = who.subject.slice(who.subject.indexOf(' ') + 1);
    const pattern = `%"subject":${JSON.stringify(sub).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const [r] = await this.all(
      `SELECT a.* FROM T.accounts a JOIN T.audit_log l ON l.actor = 'oidc:' || a.name
       WHERE a.${old.replace(/ AND /g, ' AND a.')} AND l.action = 'signin.success' AND l.details LIKE ? ESCAPE '\\' LIMIT 1`,
      [pattern],
    );
    return r ? account(r) : null;
  }
  /** The pre-subject row named by this person's verified e-mail, now bound to their subject (on record). */
  private async adoptOldRow(who: Identity, audit: OidcAudit): Promise<AccountRow | null> {
    const name = who.email;
    if (!name) return null;
    await this.change(
      (function* () {
        return ((yield { sql: "UPDATE T.accounts SET oidc_subject = ? WHERE name = ? AND source = 'oidc' AND oidc_subject IS NULL", params: [who.subject, name] }) as number) > 0;
      })(),
      (bound) => (bound ? [audit(name, 'account.update', { name, change: 'bound to the identity provider subject', by: 'identity provider', ...subjectDetails(who.subject) })] : []),
    );
    return this.bySubject(who.subject);
  }
  /**
   * A new row, named by the verified e-mail when no account has that name, else by a digest of the
   * subject, with its `account.create` entry in the same transaction: who made it is the identity
   * provider's sign-in of this issuer and subject (before, such an account appeared with no entry).
   */
  private async newOidcRow(who: Identity & { role: Role }, ms: number, audit: OidcAudit): Promise<AccountRow> {
    // An address that looks like another account's name (case, 0/o…: manage.ts nameSkeleton) names
    // nobody: the person gets the subject's digest, as when the address is taken.
    const taken = (await this.accounts()).map((a) => a.name);
    const names = [who.email, `oidc-${sha256hex(who.subject).slice(0, 16)}`].filter((n): n is string => n !== null && NAME.test(n) && lookAlike(n, taken) === null);
    for (const name of names) {
      await this.change(
        (function* () {
          const made = (yield {
            sql: `INSERT INTO T.accounts (name, role, password_hash, source, created_ms, created_by, oidc_subject) VALUES (?, ?, NULL, 'oidc', ?, 'identity provider', ?)
             ON CONFLICT DO NOTHING`,
            params: [name, who.role, ms, who.subject],
          }) as number;
          return made > 0;
        })(),
        // Nothing made (the name is taken, or a sign-in of the same subject at the same moment made it): no entry.
        (made) => (made ? [audit(name, 'account.create', { name, role: who.role, source: 'oidc', by: 'identity provider', ...subjectDetails(who.subject), email: who.email })] : []),
      );
      const row = await this.bySubject(who.subject);
      if (row) return row;
    }
    throw new Error('no free account name for this OpenID Connect subject');
  }
  async deleteAccount(name: string): Promise<boolean> {
    return this.change(AccountStore.deleteAccountTx(name), () => []);
  }
  static *deleteAccountTx(name: string): TxWork<boolean> {
    yield { sql: 'DELETE FROM T.sessions WHERE account = ?', params: [name] };
    return ((yield { sql: 'DELETE FROM T.accounts WHERE name = ?', params: [name] }) as number) > 0;
  }

  // --- sessions ----------------------------------------------------------------------------------
  /**
   * A session for the account as the sign-in read it (`passwordHash`: the hash the password was checked
   * against; null for the identity provider's people), made only if the account still is that: enabled,
   * same role, same password. A sign-in reads the account, spends a second on scrypt, then made the
   * session with the role it had read, so a disable, demotion or password reset in between left a live
   * session with the old rights (red team G2). One statement; on PostgreSQL it waits for a change of the
   * account in flight (FOR SHARE), whose DELETE of the sessions then sees this one. False: refused.
   */
  async createSession(s: SessionRow, passwordHash: string | null): Promise<boolean> {
    const same = passwordHash === null ? 'a.password_hash IS NULL' : 'a.password_hash = ?';
    return (
      (await this.run(
        `INSERT INTO T.sessions (id_hash, account, role, source, csrf, created_ms, last_ms, expires_ms)
         SELECT ?, a.name, a.role, ?, ?, ?, ?, ? FROM T.accounts a
         WHERE a.name = ? AND a.role = ? AND a.source = ? AND a.disabled_ms IS NULL AND ${same}${this.forShare}`,
        [s.idHash, s.source, s.csrf, s.createdMs, s.lastMs, s.expiresMs, s.account, s.role, s.source, ...(passwordHash === null ? [] : [passwordHash])],
      )) > 0
    );
  }
  /**
   * The session, checked against its account on every request: a session whose account is gone,
   * disabled or has another role now is ended (null), whatever happened to the DELETE of its sessions.
   */
  async session(idHash: string): Promise<SessionRow | null> {
    const [r] = await this.all(
      'SELECT s.*, a.role AS account_role, a.disabled_ms AS account_disabled_ms FROM T.sessions s LEFT JOIN T.accounts a ON a.name = s.account WHERE s.id_hash = ?',
      [idHash],
    );
    if (!r) return null;
    if (r.account_role !== r.role || (r.account_disabled_ms !== null && r.account_disabled_ms !== undefined)) {
      await this.deleteSession(idHash);
      return null;
    }
    return session(r);
  }
  async touchSession(idHash: string, lastMs: number): Promise<void> {
    await this.run('UPDATE T.sessions SET last_ms = ? WHERE id_hash = ?', [lastMs, idHash]);
  }
  async deleteSession(idHash: string): Promise<void> {
    await this.run('DELETE FROM T.sessions WHERE id_hash = ?', [idHash]);
  }
  static *deleteSessionTx(idHash: string): TxWork<void> {
    yield { sql: 'DELETE FROM T.sessions WHERE id_hash = ?', params: [idHash] };
  }

  // --- pending OpenID Connect sign-ins (state, nonce, PKCE verifier), bound to a browser cookie ----
  async putPending(p: PendingLogin): Promise<void> {
    await this.run('INSERT INTO T.oidc_pending (id_hash, state, nonce, verifier, expires_ms) VALUES (?, ?, ?, ?, ?)', [p.idHash, p.state, p.nonce, p.verifier, p.expiresMs]);
  }
  /** The pending sign-in, removed as it is read: a callback can be used once. */
  async takePending(idHash: string, now: number): Promise<PendingLogin | null> {
    const [r] = await this.all('SELECT * FROM T.oidc_pending WHERE id_hash = ?', [idHash]);
    if (!r || (await this.run('DELETE FROM T.oidc_pending WHERE id_hash = ?', [idHash])) === 0) return null;
    const p = { idHash, state: String(r.state), nonce: String(r.nonce), verifier: String(r.verifier), expiresMs: num(r.expires_ms) };
    return p.expiresMs > now ? p : null;
  }

  // --- API tokens --------------------------------------------------------------------------------
  async createToken(t: TokenRow): Promise<void> {
    await this.change(AccountStore.createTokenTx(t), () => []);
  }
  static *createTokenTx(t: TokenRow): TxWork<void> {
    yield {
      sql: 'INSERT INTO T.api_tokens (id, name, role, secret_hash, created_ms, created_by, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
      params: [t.id, t.name, t.role, t.secretHash, t.createdMs, t.createdBy, t.expiresMs ?? null],
    };
  }
  async token(id: string): Promise<TokenRow | null> {
    const [r] = await this.all('SELECT * FROM T.api_tokens WHERE id = ?', [id]);
    return r ? token(r) : null;
  }
  async tokens(): Promise<TokenRow[]> {
    return (await this.all('SELECT * FROM T.api_tokens ORDER BY created_ms, id')).map(token);
  }
  async tokenUsed(id: string, now: number): Promise<void> {
    await this.run('UPDATE T.api_tokens SET last_used_ms = ? WHERE id = ?', [now, id]);
  }
  async revokeToken(id: string, by: string, now: number): Promise<boolean> {
    return (await this.change(AccountStore.revokeTokenTx(id, by, now), () => [])).length > 0;
  }
  /**
   * Revokes the active API tokens `account` created (through a session: `created_by` is its actor name),
   * and the tokens those tokens created, and so on (`created_by` `token:<name>`, made while that token
   * was live: a name is unique only among live tokens), all of them or those of a role above `keepUpTo`.
   * A token does not depend on the account that made it, so without this an admin who is disabled or
   * demoted (or an intruder in her session) kept every admin token she had made (red team G2), or one
   * her token had made (collector round 4 H1). Returns the revoked tokens, for their audit entries.
   */
  static *revokeTokensOfTx(account: string, by: string, now: number, keepUpTo: Role | null): TxWork<{ id: string; name: string; role: Role }[]> {
    const roles = ROLES.filter((r) => keepUpTo === null || !atLeast(keepUpTo, r));
    if (!roles.length) return [];
    const rows = (yield {
      sql: `WITH RECURSIVE made (id, name, from_ms, to_ms) AS (
          SELECT id, name, created_ms, COALESCE(revoked_ms, ${LIVE}) FROM T.api_tokens WHERE created_by IN (?, ?)
          UNION
          SELECT c.id, c.name, c.created_ms, COALESCE(c.revoked_ms, ${LIVE}) FROM T.api_tokens c
            JOIN made p ON c.created_by = 'token:' || p.name AND c.created_ms BETWEEN p.from_ms AND p.to_ms)
        UPDATE T.api_tokens SET revoked_ms = ?, revoked_by = ?
        WHERE id IN (SELECT id FROM made) AND revoked_ms IS NULL AND role IN (${roles.map(() => '?').join(', ')}) RETURNING id, name, role`,
      params: [account, `oidc:${account}`, now, by, ...roles],
      rows: true,
    }) as Row[];
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), role: r.role as Role }));
  }
  /**
   * Revokes the live token `id` and the tokens it made, and those they made, and so on (as
   * revokeTokensOfTx does for an account's). A token does not depend on the token that made it, so
   * without this a leaked admin token's own token outlived its revocation: the intruder made a second
   * one, the admin revoked the leaked one, and the second kept working (red team coll7 F1). Returns the
   * revoked tokens, the one named first; empty when it was not live.
   */
  static *revokeTokenTx(id: string, by: string, now: number): TxWork<{ id: string; name: string; role: Role }[]> {
    const rows = (yield {
      sql: `WITH RECURSIVE made (id, name, from_ms, to_ms) AS (
          SELECT id, name, created_ms, ${LIVE} FROM T.api_tokens WHERE id = ? AND revoked_ms IS NULL
          UNION
          SELECT c.id, c.name, c.created_ms, COALESCE(c.revoked_ms, ${LIVE}) FROM T.api_tokens c
            JOIN made p ON c.created_by = 'token:' || p.name AND c.created_ms BETWEEN p.from_ms AND p.to_ms)
        UPDATE T.api_tokens SET revoked_ms = ?, revoked_by = ?
        WHERE id IN (SELECT id FROM made) AND revoked_ms IS NULL RETURNING id, name, role`,
      params: [id, now, by],
      rows: true,
    }) as Row[];
    const revoked = rows.map((r) => ({ id: String(r.id), name: String(r.name), role: r.role as Role }));
    return revoked.sort((a, b) => Number(b.id === id) - Number(a.id === id));
  }

  // --- the sign-in throttle, shared by every collector on this database -----------------------------
  async throttleCounts(keys: string[]): Promise<Map<string, ThrottleCount>> {
    const rows = await this.all(`SELECT * FROM T.signin_throttle WHERE key IN (${keys.map(() => '?').join(', ')})`, keys);
    return new Map(rows.map((r) => [String(r.key), { failures: num(r.failures), lastMs: num(r.last_ms), untilMs: num(r.until_ms) }]));
  }
  /**
   * One more sign-in attempt for `key`, counted before the password is checked, in one statement with
   * the wait it starts: refused (null) while a wait runs, so of attempts sent at once only those before
   * the allowance ran out are let through, on every collector of this database. A count idle longer
   * than `forgetMs` starts again at 1. The wait after the n-th attempt (n ≥ free) is firstMs × 2^(n − free),
   * at most maxMs (throttle.ts waitAfter). Returns the new count.
   */
  async throttleTake(key: string, now: number, o: { forgetMs: number; free: number; firstMs: number; maxMs: number; firstWaitMs: number }): Promise<number | null> {
    const int = (v: number) => {
      if (!Number.isSafeInteger(v)) throw new Error(`throttle setting ${v} is not an integer`);
      return v;
    };
    const n = `(CASE WHEN excluded.last_ms - signin_throttle.last_ms > ${int(o.forgetMs)} THEN 1 ELSE signin_throttle.failures + 1 END)`;
    const steps = Math.ceil(Math.log2(o.maxMs / o.firstMs));
    const until = `CASE WHEN ${n} < ${int(o.free)} THEN 0 WHEN ${n} - ${o.free} >= ${steps} THEN excluded.last_ms + ${int(o.maxMs)}
      ELSE excluded.last_ms + ${int(o.firstMs)} * (1 << (${n} - ${o.free})) END`;
    const [r] = await this.all(
      `INSERT INTO T.signin_throttle (key, failures, last_ms, until_ms) VALUES (?, 1, ?, ?)
       ON CONFLICT (key) DO UPDATE SET failures = ${n}, until_ms = ${until}, last_ms = excluded.last_ms
       WHERE signin_throttle.until_ms <= excluded.last_ms
       RETURNING failures`,
      [key, now, o.firstWaitMs > 0 ? now + o.firstWaitMs : 0],
    );
    return r ? num(r.failures) : null;
  }
  /** One attempt of `key` taken back (a success, or never checked); a count back under `free` waits no more. */
  async throttleForgive(key: string, free: number): Promise<void> {
    await this.run('UPDATE T.signin_throttle SET failures = failures - 1, until_ms = CASE WHEN failures - 1 < ? THEN 0 ELSE until_ms END WHERE key = ? AND failures > 0', [free, key]);
  }
  async throttleClear(key: string): Promise<void> {
    await this.run('DELETE FROM T.signin_throttle WHERE key = ?', [key]);
  }

  // --- the audit log: append and read; deleted only by the retention purge -------------------------
  /** One audit entry as a transaction's work (written with work of another store: the retention purge). */
  *auditTx(e: AuditEntry): TxWork<void> {
    yield { sql: this.txT(AUDIT_INSERT), params: auditParams(e) };
  }
  /**
   * Appends `e` unless an entry of the same time, action and details is already there: an entry written
   * again from the audit spool (audit-spool.ts; its details carry a unique spoolId) after a crash that
   * came between its insert and its removal from the spool is written once.
   */
  async appendAuditOnce(e: AuditEntry): Promise<void> {
    const details = JSON.stringify(e.details);
    await this.x.append(
      this.t(
        `INSERT INTO T.audit_log (time_ms, actor, action, details, address) SELECT CAST(? AS BIGINT), ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM T.audit_log WHERE action = ? AND time_ms = ? AND details = ?)`,
      ),
      [e.timeMs, e.actor, e.action, details, e.address, e.action, e.timeMs, details],
    );
  }
  /**
   * Whether the database takes an audit entry now: an insert of no row, which still needs the table's
   * write lock (SQLite: the database's; PostgreSQL: the table's) and the right to insert. Throws if not.
   */
  async auditWritable(): Promise<void> {
    await this.x.append(this.t("INSERT INTO T.audit_log (time_ms, actor, action, details, address) SELECT CAST(0 AS BIGINT), '', '', '', NULL WHERE 1 = 0"), []);
  }
  async appendAudit(e: AuditEntry): Promise<void> {
    await this.x.append(this.t(AUDIT_INSERT), auditParams(e));
  }
  async audit(q: AuditQuery): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
    if (q.actor !== undefined) add('actor = ?', q.actor);
    if (q.action !== undefined) add('action = ?', q.action);
    if (q.fromMs !== undefined) add('time_ms >= ?', q.fromMs);
    if (q.toMs !== undefined) add('time_ms < ?', q.toMs);
    if (q.beforeId !== undefined) add('id < ?', q.beforeId);
    params.push(q.limit);
    const sql = `SELECT * FROM T.audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (await this.all(sql, params)).map(auditRow);
  }

  // --- reads recorded once per window, the views between counted (roles.ts auditOncePerMinutes) ---------
  /**
   * One view of such a read, in one transaction with its entry `e`: inside the window of its key it only
   * adds one to the window's count (in the database, before it is answered: a restart loses nothing);
   * otherwise it is written as `e`, with `viewsBetween` when the window that ended counted any, and opens
   * the next window, until `untilMs`. Two first views at the same moment make one entry: the second finds
   * the window the first opened (PostgreSQL: it waits for that insert) and is counted in it. Returns
   * whether `e` was written.
   */
  async viewOnce(key: string, now: number, untilMs: number, e: AuditEntry): Promise<boolean> {
    const between = await this.change(
      (function* (): TxWork<number | null | false> {
        if (yield { sql: 'UPDATE T.view_windows SET n = n + 1 WHERE key = ? AND until_ms > ?', params: [key, now] }) return false;
        const ended = (yield { sql: 'DELETE FROM T.view_windows WHERE key = ? AND until_ms <= ? RETURNING n', params: [key, now], rows: true }) as Row[];
        const opened = yield {
          sql: 'INSERT INTO T.view_windows (key, actor, action, address, from_ms, until_ms, n) VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (key) DO NOTHING',
          params: [key, e.actor, e.action, e.address, now, untilMs],
        };
        if (opened) return ended[0] ? num(ended[0].n) : null;
        // Another view opened it meanwhile: this one is counted in it.
        yield { sql: 'UPDATE T.view_windows SET n = n + 1 WHERE key = ?', params: [key] };
        return false;
      })(),
      (b) => (b === false ? [] : [{ ...e, details: { ...e.details, ...(b ? { viewsBetween: b } : {}) } }]),
    );
    return between !== false;
  }
  /**
   * The windows ended by `now` go, and each that counted views is one entry of its action with
   * `viewsBetween` and the window (`from`, `to`), in one transaction: a window nobody viewed after was never
   * written before. Any collector of the database does it (every minute), so a stopped one's counts are
   * not lost. Returns the entries written.
   */
  async flushViews(now: number): Promise<number> {
    const rows = await this.change(
      (function* (): TxWork<Row[]> {
        return (yield { sql: 'DELETE FROM T.view_windows WHERE until_ms <= ? RETURNING *', params: [now], rows: true }) as Row[];
      })(),
      (ended) =>
        ended
          .filter((r) => num(r.n) > 0)
          .map((r) => ({
            timeMs: now,
            actor: String(r.actor),
            action: String(r.action),
            details: { viewsBetween: num(r.n), from: new Date(num(r.from_ms)).toISOString(), to: new Date(num(r.until_ms)).toISOString() },
            address: r.address === null ? null : String(r.address),
          })),
    );
    return rows.filter((r) => num(r.n) > 0).length;
  }

  // --- refused requests counted since their caller's and address's first entry (plugins/sessions.ts) ---
  /**
   * The count `holder` (one collector process) keeps for a caller and address, written whole before the
   * refusal is answered. A write that arrives after a later one (PostgreSQL's pool may reorder them)
   * changes nothing.
   */
  async holdDenied(holder: string, d: HeldDenied): Promise<void> {
    await this.x.append(
      this.t(`INSERT INTO T.refused_pending AS d (holder, actor, address, from_ms, last_ms, n, routes, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (holder, actor, address) DO UPDATE SET last_ms = excluded.last_ms, n = excluded.n, routes = excluded.routes, reasons = excluded.reasons WHERE d.n < excluded.n`),
      [holder, d.actor, d.address, d.fromMs, d.lastMs, d.count, JSON.stringify(d.routes), JSON.stringify(d.reasons)],
    );
  }
  /**
   * Moves the held counts into the audit log, in one transaction (each count is in the log once, or still
   * held): `access.denied.repeated` for unknown credentials, `access.throttled.repeated` under the actor
   * of a valid one; this collector's, and those no collector has touched since `orphanBeforeMs` (a
   * collector that was killed: a live one moves its own every minute). Returns how many.
   */
  async flushDenied(holder: string, orphanBeforeMs: number, now: number): Promise<number> {
    const moved = await this.change(
      (function* () {
        return (yield { sql: 'DELETE FROM T.refused_pending WHERE holder = ? OR last_ms < ? RETURNING *', params: [holder, orphanBeforeMs], rows: true }) as Row[];
      })(),
      (rows) =>
        rows.map((r) => ({
          timeMs: now,
          actor: r.actor === '' ? 'unknown' : String(r.actor),
          action: r.actor === '' ? 'access.denied.repeated' : 'access.throttled.repeated',
          details: {
            count: num(r.n),
            from: new Date(num(r.from_ms)).toISOString(),
            to: new Date(num(r.last_ms)).toISOString(),
            routes: JSON.parse(String(r.routes)) as unknown,
            reasons: JSON.parse(String(r.reasons)) as unknown,
            // Written by another collector than the one that counted them: that one stopped without doing it.
            ...(r.holder === holder ? {} : { countedByStoppedCollector: true }),
          },
          address: r.address === '*' ? null : String(r.address),
        })),
    );
    return moved.length;
  }

  /** Ended sessions and pending sign-ins; audit entries older than `auditBefore` (the events' retention). */
  async purge(now: number, auditBefore: number | null): Promise<{ sessions: number; audit: number }> {
    const sessions = await this.run('DELETE FROM T.sessions WHERE expires_ms <= ?', [now]);
    await this.run('DELETE FROM T.oidc_pending WHERE expires_ms <= ?', [now]);
    // Throttle counts nobody would look at again (forgotten after 15 minutes, no wait running).
    await this.run('DELETE FROM T.signin_throttle WHERE last_ms < ? AND until_ms <= ?', [now - 15 * 60_000, now]);
    const audit = auditBefore === null ? 0 : await this.run('DELETE FROM T.audit_log WHERE time_ms < ?', [auditBefore]);
    return { sessions, audit };
  }
}
