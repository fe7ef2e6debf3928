/**
 * Creating and removing accounts and API tokens, shared by the admin API (plugins/accounts.ts) and the
 * CLI (`upload-guard collector account|token …`). Each change is written with its audit entry (made by
 * the caller's `audit`, naming the actor and address) in one transaction (AccountStore.change): an entry
 * that cannot be written undoes the change and fails the request, so nothing changes off the record.
 */
import { daysLeft } from './token-ending.js';
import { randomBytes } from 'node:crypto';
import { newApiToken } from './api-tokens.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { isRole, type Role } from './roles.js';
import { AccountStore, type AccountRow, type AuditEntry, type TokenRow } from './store.js';

/** Account and token names: letters, digits and . _ @ - (an email address fits); no spaces or markup. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const NAME_RULE = 'name: 1–64 letters, digits, . _ @ - (starting with a letter or digit)';
const ROLE_RULE = 'role: viewer, investigator or admin';
/**
 * The audit log names the admin token of tokens.json `token:legacy-<8 hex digits>` and a named token
 * `token:<name>`: a token named `legacy-…` would act under the admin token's name, and its actions could
 * not be told from the admin token's (nor could "is the old token still used?" be answered from the log)
 * (red team coll7 F2).
 */
const LEGACY_NAME = /^legacy-/i;
/**
 * The audit log names a local account by its bare name, and the collector itself `system` (retention)
 * and `unknown` (refused unknown credentials, failed sign-ins through the provider): an account of either
 * name would write its searches, exports and changes among the collector's own (coll7 F2).
 */
const COLLECTOR_ACTORS = /^(system|unknown)$/i;
const COLLECTOR_ACTORS_RULE = 'name: "system" and "unknown" are the audit log\'s names for the collector itself and for refused unknown callers';
/**
 * A token is revoked by id or by name (`token revoke ID|NAME`, DELETE /v1/admin/tokens/ID), the id first:
 * a token named like another's id made `token revoke <that name>` revoke the other token, and leave the
 * one meant live, answered as done (red team coll8).
 */
const TOKEN_ID = /^[0-9a-f]{12}$/i;
const TOKEN_ID_RULE = 'name: 12 hexadecimal digits is the form of a token id (tokens are revoked by id or name): choose another';
const LEGACY_RULE = 'name: names beginning with "legacy-" are kept for the admin token of tokens.json (the audit log names it token:legacy-…)';

/**
 * The audit log names a token `token:<name>`: a name used again after its token was revoked made every
 * entry of either token name both (red team coll7, "token names can be reused"). A name is used once:
 * the audit log's `token:<name>` is then one token for good (its id is in the token list).
 */
const REUSED_RULE = 'name: a revoked token had this name, and the audit log names a token by its name: choose another (e.g. add -2)';

/**
 * A name as it looks, for telling look-alikes apart: the audit log and the admin page name people and
 * tokens by their names, and `Sato` beside `sato`, `adm1n` beside `admin` or `rnori` beside `mori` read
 * as one (red team coll7, "look-alike user names"). Names are ASCII (NAME), so Cyrillic or fullwidth
 * letters never get this far (NFKC would fold fullwidth to ASCII; the pattern refuses both first); what
 * is left is case and the ASCII confusables: 0 and o, 1, l, I and i, rn and m, vv and w.
 */
export function nameSkeleton(name: string): string {
  return name.toLowerCase().replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/0/g, 'o').replace(/[1i]/g, 'l');
}

/** The existing name `name` would be taken for (another name with its skeleton), or null. */
export function lookAlike(name: string, taken: Iterable<string>): string | null {
  const k = nameSkeleton(name);
  for (const t of taken) if (t !== name && nameSkeleton(t) === k) return t;
  return null;
}
const lookAlikeRule = (kind: string, other: string) => `name: looks like the existing ${kind} "${other}" (case, 0/o, 1/l/i, rn/m and vv/w are not told apart in the audit log by a reader): choose a name that does not`;

/** The audit entry of a change, with the actor and address of whoever makes it (written with the change). */
export type Audit = (action: string, details: Record<string, unknown>) => AuditEntry;
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error: string };

export async function putLocalAccount(
  store: AccountStore, input: { name: unknown; role: unknown; password: unknown }, actor: string, now: number, audit: Audit,
): Promise<Outcome<{ name: string; role: Role; created: boolean }>> {
  const { name, role, password } = input;
  if (typeof name !== 'string' || !NAME.test(name)) return { ok: false, status: 400, error: NAME_RULE };
  if (COLLECTOR_ACTORS.test(name)) return { ok: false, status: 400, error: COLLECTOR_ACTORS_RULE };
  if (!isRole(role)) return { ok: false, status: 400, error: ROLE_RULE };
  const problem = typeof password === 'string' ? passwordProblem(password) : 'password is required';
  if (problem) return { ok: false, status: 400, error: problem };
  // Only a new name is checked: an account of a database made before (a look-alike pair) keeps its resets.
  const all = await store.accounts();
  const had = all.find((a) => a.name === name);
  // Replacing is for local accounts, and not your own role: this route made a person from the identity
  // provider a local account with a password the admin chose and a role their groups do not give (PATCH
  // refuses that role change), and let an admin demote herself, which PATCH refuses too (red team coll8).
  if (had && had.source !== 'local') return { ok: false, status: 409, error: "this name is a person from the identity provider: their role comes from its groups, and they sign in there (disable the account to stop them)" };
  if (had && had.role !== role && (actor === name || actor === `oidc:${name}`)) return { ok: false, status: 409, error: 'you cannot change your own role' };
  const names = all.map((a) => a.name);
  const similar = names.includes(name) ? null : lookAlike(name, names);
  if (similar !== null) return { ok: false, status: 409, error: lookAlikeRule('account', similar) };
  const row: AccountRow = { name, role, passwordHash: await hashPassword(password as string), source: 'local', createdMs: now, createdBy: actor };
  const created = await store.change(AccountStore.putAccountTx(row), (isNew) => [audit(isNew ? 'account.create' : 'account.update', { name, role })]);
  return { ok: true, value: { name, role, created } };
}

/**
 * A new local account with a password made here (an invitation): 20 random characters, shown once to the
 * admin who hands it over; only its hash is kept.
 */
export async function inviteLocalAccount(
  store: AccountStore, input: { name: unknown; role: unknown }, actor: string, now: number, audit: Audit,
): Promise<Outcome<{ name: string; role: Role; password: string }>> {
  // Looked up only when it can be a name (putLocalAccount refuses the rest with the rule): PostgreSQL's text
  // cannot hold NUL, and a lookup of 「\u0000」 answered 500 (red team coll9).
  if (typeof input.name === 'string' && NAME.test(input.name) && (await store.account(input.name))) return { ok: false, status: 409, error: 'an account with this name exists' };
  const password = randomBytes(15).toString('base64url');
  const r = await putLocalAccount(store, { ...input, password }, actor, now, (action, details) => audit(action, { ...details, invited: true }));
  return r.ok ? { ok: true, value: { name: r.value.name, role: r.value.role, password } } : r;
}

/**
 * A role change (local accounts: a person from the identity provider gets the role their groups give) or
 * disabling/enabling (either kind). Nobody changes their own role or disables themselves: the last admin
 * cannot lock everyone out by a slip. The account's sessions end, so the change holds at once.
 */
export async function changeAccount(
  store: AccountStore, name: string, input: { role?: unknown; disabled?: unknown }, actor: string, now: number, audit: Audit,
): Promise<Outcome<{ name: string; role: Role; disabled: boolean }>> {
  const row = storable(name) ? await store.account(name) : null;
  if (!row) return { ok: false, status: 404, error: 'no such account' };
  if (input.role === undefined && input.disabled === undefined) return { ok: false, status: 400, error: 'nothing to change: send role or disabled' };
  if (input.role !== undefined && !isRole(input.role)) return { ok: false, status: 400, error: ROLE_RULE };
  if (input.disabled !== undefined && typeof input.disabled !== 'boolean') return { ok: false, status: 400, error: 'disabled: true or false' };
  const self = actor === name || actor === `oidc:${name}`;
  if (self) return { ok: false, status: 409, error: 'you cannot change your own role or disable yourself' };
  const setRole = isRole(input.role) && input.role !== row.role ? input.role : null;
  if (setRole && row.source !== 'local') return { ok: false, status: 409, error: "this person's role comes from the identity provider's groups: change it there" };
  const wasDisabled = row.disabledMs != null;
  const setDisabled = typeof input.disabled === 'boolean' && input.disabled !== wasDisabled ? input.disabled : null;
  // Both changes and their entries in one transaction: either all are on record or none is made.
  const done = await store.change(
    (function* () {
      const role = setRole ? yield* AccountStore.setRoleTx(name, setRole) : false;
      const disabled = setDisabled !== null ? yield* AccountStore.setDisabledTx(name, setDisabled ? { actor, ms: now } : null) : false;
      // The API tokens she made go with her rights: all of them when disabled, those above her new role
      // when demoted (a token does not depend on the account that made it).
      const keepUpTo = disabled && setDisabled ? null : role ? setRole : undefined;
      const revoked = keepUpTo !== undefined ? yield* AccountStore.revokeTokensOfTx(name, actor, now, keepUpTo) : [];
      return { role, disabled, revoked };
    })(),
    (r) => [
      ...(r.role ? [audit('account.role', { name, from: row.role, to: setRole })] : []),
      ...(r.disabled ? [audit(setDisabled ? 'account.disable' : 'account.enable', { name })] : []),
      ...r.revoked.map((t) => audit('token.revoke', { id: t.id, name: t.name, role: t.role, reason: `made by ${name}, who was ${setDisabled ? 'disabled' : `changed to ${setRole}`}` })),
    ],
  );
  const role = done.role ? setRole! : row.role;
  return { ok: true, value: { name, role, disabled: typeof input.disabled === 'boolean' ? input.disabled : wasDisabled } };
}

/** An account as listed: never its password hash. */
export const accountView = (a: AccountRow) => ({
  name: a.name, role: a.role, source: a.source, createdAt: iso(a.createdMs), createdBy: a.createdBy,
  lastSignInAt: iso(a.lastSigninMs ?? null), disabledAt: iso(a.disabledMs ?? null), disabledBy: a.disabledBy ?? null,
});

export async function removeAccount(store: AccountStore, name: string, actor: string, now: number, audit: Audit): Promise<Outcome<null>> {
  // As for disabling yourself: the last admin deleting their own account locked everyone out (red team G12).
  if (actor === name || actor === `oidc:${name}`) return { ok: false, status: 409, error: 'you cannot delete your own account: ask another admin' };
  if (!storable(name)) return { ok: false, status: 404, error: 'no such account' };
  const gone = await store.change(
    (function* () {
      const deleted = yield* AccountStore.deleteAccountTx(name);
      return { deleted, revoked: deleted ? yield* AccountStore.revokeTokensOfTx(name, actor, now, null) : [] };
    })(),
    (r) => (r.deleted ? [audit('account.delete', { name }), ...r.revoked.map((t) => audit('token.revoke', { id: t.id, name: t.name, role: t.role, reason: `made by ${name}, who was deleted` }))] : []),
  );
  if (!gone.deleted) {
    return { ok: false, status: 404, error: 'no such account' };
  }
  return { ok: true, value: null };
}

/**
 * A new API token's lifetime when none is asked for, in days. Before expires20 a token never ended: one
 * copied into a script or a ticket years ago still read everything (red team coll7). 0 asks for none.
 */
export const TOKEN_DAYS_DEFAULT = 90;
export const TOKEN_DAYS_MAX = 3650;
const DAYS_RULE = `expiresInDays: a whole number of days, 1–${TOKEN_DAYS_MAX} (default ${TOKEN_DAYS_DEFAULT}), or 0 for a token that never expires`;

/** When a token made now with `expiresInDays` ends: null for never, undefined for a bad value. */
export function tokenExpiry(expiresInDays: unknown, now: number): number | null | undefined {
  const days = expiresInDays === undefined ? TOKEN_DAYS_DEFAULT : expiresInDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > TOKEN_DAYS_MAX) return undefined;
  return days === 0 ? null : now + days * 86_400_000;
}

/** A new named token; `token` is shown this once (only its hash is kept). */
export async function createApiToken(
  store: AccountStore, input: { name: unknown; role: unknown; expiresInDays?: unknown }, actor: string, now: number, audit: Audit,
): Promise<Outcome<{ id: string; name: string; role: Role; token: string; expiresAt: string | null }>> {
  const { name, role } = input;
  if (typeof name !== 'string' || !NAME.test(name)) return { ok: false, status: 400, error: NAME_RULE };
  if (LEGACY_NAME.test(name)) return { ok: false, status: 400, error: LEGACY_RULE };
  if (TOKEN_ID.test(name)) return { ok: false, status: 400, error: TOKEN_ID_RULE };
  if (!isRole(role)) return { ok: false, status: 400, error: ROLE_RULE };
  const expiresMs = tokenExpiry(input.expiresInDays, now);
  if (expiresMs === undefined) return { ok: false, status: 400, error: DAYS_RULE };
  const all = await store.tokens();
  const same = all.find((t) => t.name === name);
  if (same) return { ok: false, status: 409, error: same.revokedMs === null ? 'a token with this name exists: revoke it first' : REUSED_RULE };
  const similar = lookAlike(name, all.map((t) => t.name));
  if (similar !== null) return { ok: false, status: 409, error: lookAlikeRule('token', similar) };
  const made = newApiToken();
  // The token and its entry together: no credential exists without its entry, and no entry names a token
  // that was never made (two creations with one name: the second fails on the unique name, entry and all).
  const t: TokenRow = { id: made.id, name, role, secretHash: made.secretHash, createdMs: now, createdBy: actor, lastUsedMs: null, revokedMs: null, revokedBy: null, expiresMs };
  try {
    await store.change(AccountStore.createTokenTx(t), () => [audit('token.create', { id: made.id, name, role, expiresAt: iso(expiresMs) })]);
  } catch (err) {
    // Another creation with this name won the race (the unique index): nothing of this one was written.
    if (isUniqueViolation(err)) return { ok: false, status: 409, error: 'a token with this name exists: revoke it first' };
    throw err;
  }
  return { ok: true, value: { id: made.id, name, role, token: made.token, expiresAt: iso(expiresMs) } };
}

/** Revokes by id, or by name (the active token of that name), with the tokens it made down the chain (each on record). */
export async function revokeApiToken(store: AccountStore, idOrName: string, actor: string, now: number, audit: Audit): Promise<Outcome<null>> {
  const row = !storable(idOrName) ? null : ((await store.token(idOrName)) ?? (await store.tokens()).find((t) => t.name === idOrName && t.revokedMs === null));
  const revoked = row
    ? await store.change(AccountStore.revokeTokenTx(row.id, actor, now), (done) =>
        done.map((t) => (t.id === row.id ? audit('token.revoke', { id: t.id, name: t.name }) : audit('token.revoke', { id: t.id, name: t.name, role: t.role, reason: `made by token ${row.name}, which was revoked` }))),
      )
    : [];
  if (!row || !revoked.some((t) => t.id === row.id)) return { ok: false, status: 404, error: 'no such active token' };
  return { ok: true, value: null };
}

/**
 * Whether a name or id from a request's path can be stored at all: no account or token holds NUL
 * (PostgreSQL's text cannot), and looking one up answered 500 there (red team coll9); it is "no such" here.
 */
const storable = (s: string) => !s.includes('\u0000');

/** A unique index refused the row (SQLite's SQLITE_CONSTRAINT_UNIQUE, PostgreSQL's 23505). */
const isUniqueViolation = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A token as listed: never its hash. `endsInDays`: days left when a live token ends within 14 (token-ending.ts), else null. */
export const tokenView = (t: TokenRow, now: number) => ({
  id: t.id, name: t.name, role: t.role, createdAt: iso(t.createdMs), createdBy: t.createdBy,
  lastUsedAt: iso(t.lastUsedMs), revokedAt: iso(t.revokedMs), revokedBy: t.revokedBy, expiresAt: iso(t.expiresMs ?? null),
  endsInDays: t.revokedMs === null ? daysLeft(t.expiresMs, now) : null,
});
