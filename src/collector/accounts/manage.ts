/**
 * Creating and removing accounts and API tokens, shared by the admin API (plugins/accounts.ts) and the
 * CLI (`upload-guard collector account|token …`). Each change is written to the audit log by the caller's
 * `audit`, with the actor who made it.
 */
import { newApiToken } from './api-tokens.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { isRole, type Role } from './roles.js';
import type { AccountStore, TokenRow } from './store.js';

/** Account and token names: letters, digits and . _ @ - (an email address fits); no spaces or markup. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const NAME_RULE = 'name: 1–64 letters, digits, . _ @ - (starting with a letter or digit)';
const ROLE_RULE = 'role: viewer, investigator or admin';

export type Audit = (action: string, details: Record<string, unknown>) => Promise<void>;
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error: string };

export async function putLocalAccount(
  store: AccountStore, input: { name: unknown; role: unknown; password: unknown }, actor: string, now: number, audit: Audit,
): Promise<Outcome<{ name: string; role: Role; created: boolean }>> {
  const { name, role, password } = input;
  if (typeof name !== 'string' || !NAME.test(name)) return { ok: false, status: 400, error: NAME_RULE };
  if (!isRole(role)) return { ok: false, status: 400, error: ROLE_RULE };
  const problem = typeof password === 'string' ? passwordProblem(password) : 'password is required';
  if (problem) return { ok: false, status: 400, error: problem };
  const created = await store.putAccount({ name, role, passwordHash: await hashPassword(password as string), source: 'local', createdMs: now, createdBy: actor });
  await audit(created ? 'account.create' : 'account.update', { name, role });
  return { ok: true, value: { name, role, created } };
}

export async function removeAccount(store: AccountStore, name: string, audit: Audit): Promise<Outcome<null>> {
  if (!(await store.deleteAccount(name))) return { ok: false, status: 404, error: 'no such account' };
  await audit('account.delete', { name });
  return { ok: true, value: null };
}

/** A new named token; `token` is shown this once (only its hash is kept). */
export async function createApiToken(
  store: AccountStore, input: { name: unknown; role: unknown }, actor: string, now: number, audit: Audit,
): Promise<Outcome<{ id: string; name: string; role: Role; token: string }>> {
  const { name, role } = input;
  if (typeof name !== 'string' || !NAME.test(name)) return { ok: false, status: 400, error: NAME_RULE };
  if (!isRole(role)) return { ok: false, status: 400, error: ROLE_RULE };
  if ((await store.tokens()).some((t) => t.name === name && t.revokedMs === null)) return { ok: false, status: 409, error: 'a token with this name exists: revoke it first' };
  const made = newApiToken();
  await store.createToken({ id: made.id, name, role, secretHash: made.secretHash, createdMs: now, createdBy: actor, lastUsedMs: null, revokedMs: null, revokedBy: null });
  await audit('token.create', { id: made.id, name, role });
  return { ok: true, value: { id: made.id, name, role, token: made.token } };
}

/** Revokes by id, or by name (the active token of that name). */
export async function revokeApiToken(store: AccountStore, idOrName: string, actor: string, now: number, audit: Audit): Promise<Outcome<null>> {
  const row = (await store.token(idOrName)) ?? (await store.tokens()).find((t) => t.name === idOrName && t.revokedMs === null);
  if (!row || !(await store.revokeToken(row.id, actor, now))) return { ok: false, status: 404, error: 'no such active token' };
  await audit('token.revoke', { id: row.id, name: row.name });
  return { ok: true, value: null };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A token as listed: never its hash. */
export const tokenView = (t: TokenRow) => ({
  id: t.id, name: t.name, role: t.role, createdAt: iso(t.createdMs), createdBy: t.createdBy,
  lastUsedAt: iso(t.lastUsedMs), revokedAt: iso(t.revokedMs), revokedBy: t.revokedBy,
});
