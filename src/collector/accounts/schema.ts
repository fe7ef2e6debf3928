/**
 * The accounts tables (see store.ts), one migration in each back end's MIGRATIONS array. Kept apart from
 * store.ts so the storage modules can import it without importing the store (which imports them).
 */
const tables = (id: string, big: string) => `
  CREATE TABLE accounts (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT, source TEXT NOT NULL,
    created_ms ${big} NOT NULL, created_by TEXT NOT NULL);
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY, account TEXT NOT NULL, role TEXT NOT NULL, source TEXT NOT NULL, csrf TEXT NOT NULL,
    created_ms ${big} NOT NULL, last_ms ${big} NOT NULL, expires_ms ${big} NOT NULL);
  CREATE INDEX sessions_account ON sessions (account);
  CREATE INDEX sessions_expires ON sessions (expires_ms);
  CREATE TABLE oidc_pending (id_hash TEXT PRIMARY KEY, state TEXT NOT NULL, nonce TEXT NOT NULL, verifier TEXT NOT NULL, expires_ms ${big} NOT NULL);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, secret_hash TEXT NOT NULL,
    created_ms ${big} NOT NULL, created_by TEXT NOT NULL, last_used_ms ${big}, revoked_ms ${big}, revoked_by TEXT);
  CREATE UNIQUE INDEX api_tokens_name ON api_tokens (name) WHERE revoked_ms IS NULL;
  CREATE TABLE audit_log (
    id ${id}, time_ms ${big} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, details TEXT NOT NULL, address TEXT);
  CREATE INDEX audit_time ON audit_log (time_ms, id);
  CREATE INDEX audit_actor ON audit_log (actor, time_ms);
  CREATE INDEX audit_action ON audit_log (action, time_ms);`;

/** The migration that adds the accounts tables (SQLite). */
export const ACCOUNTS_SQLITE = tables('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER');
/** The same for PostgreSQL (run with search_path set to the collector's schema). */
export const ACCOUNTS_PG = tables('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', 'BIGINT');


/**
 * admin13: an account can be disabled (kept for the audit trail, refused at sign-in) and records its last
 * sign-in; people who sign in through the identity provider get a row too (source 'oidc', role from their
 * claims) so they can be listed and disabled. The sign-in throttle's counts live here so every collector
 * on this database throttles together (accounts/throttle.ts).
 */
const more = (big: string, alter: (col: string) => string) => `
  ${alter(`disabled_ms ${big}`)}
  ${alter('disabled_by TEXT')}
  ${alter(`last_signin_ms ${big}`)}
  CREATE TABLE signin_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_ms ${big} NOT NULL, until_ms ${big} NOT NULL);
  CREATE INDEX signin_throttle_last ON signin_throttle (last_ms);`;

export const ACCOUNTS_MORE_SQLITE = more('INTEGER', (c) => `ALTER TABLE accounts ADD COLUMN ${c};`);
export const ACCOUNTS_MORE_PG = more('BIGINT', (c) => `ALTER TABLE accounts ADD COLUMN ${c};`);

/**
 * subject14: a person who signs in through the identity provider is the provider's subject (issuer and
 * `sub`, the one claim the provider never lets a user change or reassign), not the e-mail address they
 * may have typed into their profile. Rows made before this have no subject: store.ts binds one to its
 * subject at the first sign-in whose *verified* e-mail is the row's name.
 */
export const ACCOUNTS_SUBJECT = `ALTER TABLE accounts ADD COLUMN oidc_subject TEXT;
  CREATE UNIQUE INDEX accounts_oidc_subject ON accounts (oidc_subject) WHERE oidc_subject IS NOT NULL;`;

/**
 * denied15: the counts of refused unknown credentials held between an address's first `access.denied`
 * entry and its `access.denied.repeated` entry (plugins/sessions.ts), written before each refusal is
 * answered, so a collector killed before its minute is over loses none of them (red team L6). One row
 * per collector process (`holder`) and address; IF NOT EXISTS: safe to run again.
 */
export const deniedPending = (big: string) => `
  CREATE TABLE IF NOT EXISTS denied_pending (
    holder TEXT NOT NULL, address TEXT NOT NULL, from_ms ${big} NOT NULL, last_ms ${big} NOT NULL,
    n INTEGER NOT NULL, routes TEXT NOT NULL, reasons TEXT NOT NULL, PRIMARY KEY (holder, address));
  CREATE INDEX IF NOT EXISTS denied_pending_last ON denied_pending (last_ms);`;

/**
 * throttled17: the held counts name who was refused as well as from where (refused_pending replaces
 * denied_pending): a valid credential answered 429 for being over its rate limit (an admin token, a
 * session, an API token, an ingest token) is counted for the audit log under its own actor, as refused
 * unknown credentials are (actor '': `unknown` in the log; red team collector6 #2: those 429s were on
 * record nowhere).
 * A dead collector's held counts move over. IF NOT EXISTS and ON CONFLICT: safe to run again.
 */
export const refusedPending = (big: string) => `
  CREATE TABLE IF NOT EXISTS refused_pending (
    holder TEXT NOT NULL, actor TEXT NOT NULL, address TEXT NOT NULL, from_ms ${big} NOT NULL, last_ms ${big} NOT NULL,
    n INTEGER NOT NULL, routes TEXT NOT NULL, reasons TEXT NOT NULL, PRIMARY KEY (holder, actor, address));
  CREATE INDEX IF NOT EXISTS refused_pending_last ON refused_pending (last_ms);
  INSERT INTO refused_pending (holder, actor, address, from_ms, last_ms, n, routes, reasons)
    SELECT holder, '', address, from_ms, last_ms, n, routes, reasons FROM denied_pending WHERE true ON CONFLICT DO NOTHING;
  DROP TABLE denied_pending;`;

/**
 * expires20: an API token may have an end (`expires_ms`, set when it is made; null: none, as every token
 * made before this has). An expired token is refused (401, on record) like a revoked one (red team coll7:
 * API tokens never expired).
 */
export const tokenExpiry = (big: string) => `ALTER TABLE api_tokens ADD COLUMN expires_ms ${big};`;

/**
 * views22: the windows of the reads recorded once per window (roles.ts auditOncePerMinutes: the account
 * and API token lists), with the views counted in each, in the database: they were counted in the
 * collector's memory, so a restart lost them, a window nobody viewed after was never written, and two
 * first views at the same moment both made an entry (coll9's leftovers). The key names the credential
 * (a session by its id's hash, a token by its actor) and the action. It can run again safely.
 */
export const viewWindows = (big: string) => `CREATE TABLE IF NOT EXISTS view_windows (
    key TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    address TEXT,
    from_ms ${big} NOT NULL,
    until_ms ${big} NOT NULL,
    n INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS view_windows_until ON view_windows (until_ms);`;
