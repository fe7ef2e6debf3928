/**
 * Sign-in, sessions, accounts, named API tokens and the audit log (roles: accounts/roles.ts):
 *   GET  /v1/auth/methods           which sign-in methods this collector offers
 *   POST /v1/auth/login             local account: {name, password} → session cookie + CSRF token
 *   GET  /v1/auth/oidc/start        → the identity provider (code + PKCE, state, nonce)
 *   GET  /v1/auth/oidc/callback     ← the identity provider → session cookie, back to /admin/
 *   GET  /v1/auth/me                who is signed in, their role, the session's CSRF token
 *   POST /v1/auth/logout            ends the session
 *   GET|POST /v1/admin/accounts, PATCH|DELETE /v1/admin/accounts/:name   accounts (admin)
 *   POST /v1/admin/accounts/invite  a local account with a password made by the collector, shown once (admin)
 *   GET|POST /v1/admin/tokens, DELETE /v1/admin/tokens/:id            API tokens (admin)
 *   GET  /v1/admin/audit            the audit log, JSON or CSV (admin)
 *   GET  /v1/admin/audit/refused    audit entries the database refused, set aside with its reason (admin)
 *   GET  /v1/admin/fleet            device counts only (viewer)
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSV_BOM, csvRow } from '../../events/encode.js';
import { sha256hex } from '../accounts/api-tokens.js';
import { cookieValue, OIDC_COOKIE, SESSION_COOKIE, setCookie } from '../accounts/cookies.js';
import { OidcClient, type OidcOptions } from '../accounts/oidc.js';
import { accountView, changeAccount, createApiToken, inviteLocalAccount, NAME, putLocalAccount, removeAccount, revokeApiToken, tokenView, type Outcome } from '../accounts/manage.js';
import { PasswordsBusy, verifyPassword } from '../accounts/passwords.js';
import type { Role } from '../accounts/roles.js';
import { AccountStore, type AccountSource, type AuditEntry, type AuditQuery, type AuditRow, type TokenRow } from '../accounts/store.js';
import type { RefusedEntry } from '../audit-spool.js';
import { LoginThrottle, type ThrottleOptions } from '../accounts/throttle.js';
import { appWide, type CollectorPlugin } from '../context.js';
import { clientKey } from '../client-key.js';
import { fleetTotals } from '../devices.js';
import { AuditUnwritten, newSessionSecrets, routeOf, THROTTLED } from './sessions.js';
import { tooMany } from './token-checks.js';

/**
 * What one sign-in attempt takes from its address's bucket of refused requests (50 a second, 200 at once):
 * at most 5 a second, 20 at once, from one address, so that failed sign-ins cannot fill the audit log.
 */
const SIGNIN_COST = 10;
export interface AccountOptions {
  oidc?: OidcOptions;
  throttle?: ThrottleOptions;
  /** Audit entries older than this many days are purged with the events (0 or undefined: kept). */
  retentionDays?: number;
  retentionIntervalMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Ends sessions past their time and purges audit entries past the retention period. */
    purgeAccounts(): Promise<{ sessions: number; audit: number }>;
  }
}

const OIDC_PENDING_MS = 10 * 60_000;
const AUDIT_CSV_HEAD = ['time', 'actor', 'action', 'address', 'details', 'actorTokenId', 'stored'];

const isLoopback = (a: string | undefined) => !!a && /^(127\.|::1$|::ffff:127\.)/.test(a);

export const accountRoutes: CollectorPlugin<AccountOptions> = appWide(async (app, { ctx, ...o }) => {
  const store = app.accountStore;
  const { now } = ctx;
  const throttle = new LoginThrottle(store, now, o.throttle);
  const oidc = o.oidc ? new OidcClient(o.oidc) : null;

  /**
   * Cookies are Secure over https (directly or through a trusted proxy). Plain http is accepted only from
   * this machine (the quick start on 127.0.0.1): anywhere else a session cookie would cross the network in clear.
   */
  function transport(req: FastifyRequest, reply: FastifyReply): { secure: boolean } | null {
    if (req.protocol === 'https') return { secure: true };
    if (isLoopback(req.socket.remoteAddress) && isLoopback(req.ip)) return { secure: false };
    void reply.code(403).send({ error: 'sign-in needs HTTPS (plain http only from the collector machine itself)' });
    return null;
  }

  /** A browser's sign-in must come from this collector's own page (no login CSRF); clients without Origin pass. */
  function foreignOrigin(req: FastifyRequest): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    return origin !== `${req.protocol}://${req.headers.host ?? ''}` && (ctx.publicUrl === undefined || origin !== new URL(ctx.publicUrl).origin);
  }

  /** A session for the account as read (`passwordHash` as checked); null when the account changed meanwhile. */
  async function startSession(reply: FastifyReply, secure: boolean, account: string, role: Role, source: AccountSource, passwordHash: string | null) {
    const { id, csrf } = newSessionSecrets();
    const t = now();
    const idHash = sha256hex(id);
    if (!(await store.createSession({ idHash, account, role, source, csrf, createdMs: t, lastMs: t, expiresMs: t + app.sessionLimits.maxMs }, passwordHash))) return null;
    reply.header('set-cookie', setCookie(SESSION_COOKIE, id, { secure, sameSite: 'Strict', path: '/' }));
    return { name: account, role, csrf, idHash };
  }

  /**
   * The sign-in's entry in the audit log, before the session is handed over: when it cannot be written
   * (a lock on the table, the disk full), the session is ended and the sign-in refused, so nobody is
   * signed in off the record (collector round 4 M4). False when refused (the reply is sent).
   */
  async function signedInOnRecord(req: FastifyRequest, reply: FastifyReply, actor: string, details: Record<string, unknown>, idHash: string, secure: boolean): Promise<boolean> {
    try {
      await store.appendAudit(app.auditEntry(actor, 'signin.success', details, req));
      return true;
    } catch (err) {
      req.log.error({ err }, 'audit log write failed: sign-in refused');
      await store.deleteSession(idHash).catch(() => undefined);
      reply.header('set-cookie', setCookie(SESSION_COOKIE, '', { secure, sameSite: 'Strict', path: '/', maxAge: 0 }));
      void reply.code(503).header('retry-after', '30').send({ error: 'the audit log cannot be written: sign-in is refused until it can (try again later)' });
      return false;
    }
  }
  const CHANGED = 'your account was changed while you signed in (disabled, another role or a new password): sign in again';

  // local: whether any local account exists (the quick start has none: the page then asks for the admin token only).
  app.get('/v1/auth/methods', async () => ({ local: (await store.accounts()).some((a) => a.passwordHash !== null), oidc: oidc !== null }));

  app.post('/v1/auth/login', async (req, reply) => {
    const body = req.body as { name?: unknown; password?: unknown } | null;
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    if (!NAME.test(name) || !password) return reply.code(400).send({ error: 'name and password are required' });
    if (foreignOrigin(req)) return reply.code(403).send({ error: 'sign-in from another site refused' });
    const via = transport(req, reply);
    if (!via) return reply;
    // Sign-in attempts share the address's bucket of refused requests, at a higher cost: each one that
    // fails is a row in the audit log, and a flood must not fill it.
    const flood = ctx.limiters.admin.take(`${clientKey(req.ip)}|refused`, SIGNIN_COST);
    if (flood > 0) {
      // Not checked, but counted: a flood of sign-ins is on record by its size (red team L6).
      await app.deniedRefused(req, { route: routeOf(req), status: 429, reason: THROTTLED });
      return tooMany(reply, ctx.metrics, flood);
    }
    const attempt = await throttle.attempt(name, clientKey(req.ip));
    if ('wait' in attempt) {
      await app.audit(name, 'signin.failure', { method: 'password', reason: 'throttled' }, req);
      return reply.code(429).header('retry-after', String(attempt.wait)).send({ error: 'too many failed sign-ins: try again later' });
    }
    const account = await store.account(name);
    let ok;
    try {
      ok = await verifyPassword(password, account?.passwordHash ?? null);
    } catch (err) {
      if (!(err instanceof PasswordsBusy)) throw err;
      await throttle.release(attempt);
      return reply.code(503).header('retry-after', '5').send({ error: 'the collector is busy checking other sign-ins: try again in a few seconds' });
    }
    if (!ok || !account) {
      await app.audit(name, 'signin.failure', { method: 'password', reason: account ? 'wrong password' : 'no such account' }, req);
      // One answer for both: the response does not tell which names exist.
      return reply.code(401).send({ error: 'wrong name or password' });
    }
    await throttle.succeeded(attempt);
    if (account.disabledMs != null) {
      // Told only to someone who knew the password: the account exists but an admin switched it off.
      await app.audit(name, 'signin.failure', { method: 'password', reason: 'account disabled' }, req);
      return reply.code(403).send({ error: 'this account is disabled', disabled: true });
    }
    const started = await startSession(reply, via.secure, name, account.role, 'local', account.passwordHash);
    if (!started) {
      await app.audit(name, 'signin.failure', { method: 'password', reason: 'account changed during sign-in' }, req);
      return reply.code(409).send({ error: CHANGED });
    }
    await store.signedIn(name, now());
    if (!(await signedInOnRecord(req, reply, name, { method: 'password', role: account.role }, started.idHash, via.secure))) return reply;
    return { name: started.name, role: started.role, csrf: started.csrf };
  });

  app.get('/v1/auth/oidc/start', async (req, reply) => {
    if (!oidc) return reply.code(404).send({ error: 'OpenID Connect sign-in is not configured' });
    const via = transport(req, reply);
    if (!via) return reply;
    // Unauthenticated and writing a row (kept 10 minutes): it shares the address's bucket of refused requests.
    const flood = ctx.limiters.admin.take(`${clientKey(req.ip)}|refused`, SIGNIN_COST);
    if (flood > 0) return tooMany(reply, ctx.metrics, flood);
    let started;
    try {
      started = await oidc.start();
    } catch (err) {
      // The provider cannot be reached or its discovery document is wrong: say so on the page, not as a 500.
      req.log.error({ err }, 'OpenID Connect provider unavailable');
      return reply.redirect('/admin/?signin=failed');
    }
    const { id } = newSessionSecrets();
    await store.putPending({ idHash: sha256hex(id), state: started.state, nonce: started.nonce, verifier: started.verifier, expiresMs: now() + OIDC_PENDING_MS });
    // Lax: the provider sends the browser back with a cross-site top-level GET, which Strict would not carry.
    reply.header('set-cookie', setCookie(OIDC_COOKIE, id, { secure: via.secure, sameSite: 'Lax', path: '/v1/auth/oidc/', maxAge: OIDC_PENDING_MS / 1000 }));
    return reply.redirect(started.url);
  });

  app.get('/v1/auth/oidc/callback', async (req, reply) => {
    if (!oidc) return reply.code(404).send({ error: 'OpenID Connect sign-in is not configured' });
    const via = transport(req, reply);
    if (!via) return reply;
    reply.header('set-cookie', setCookie(OIDC_COOKIE, '', { secure: via.secure, sameSite: 'Lax', path: '/v1/auth/oidc/', maxAge: 0 }));
    // Unauthenticated, and each failure is a row in the audit log: as for a password sign-in (collector round 4 M1).
    const flood = ctx.limiters.admin.take(`${clientKey(req.ip)}|refused`, SIGNIN_COST);
    if (flood > 0) {
      await app.deniedRefused(req, { route: routeOf(req), status: 429, reason: THROTTLED });
      return tooMany(reply, ctx.metrics, flood);
    }
    const id = cookieValue(req.headers.cookie, OIDC_COOKIE);
    const pending = id === null ? null : await store.takePending(sha256hex(id), now());
    const fail = async (reason: string, who = 'unknown', code = 'failed', claims: Record<string, unknown> = {}) => {
      await app.audit(who, 'signin.failure', { method: 'oidc', reason, ...claims }, req);
      return reply.redirect(`/admin/?signin=${code}`);
    };
    if (!pending) return fail('no pending sign-in in this browser (expired, used, or started elsewhere)');
    let who;
    try {
      who = await oidc.finish(req.url.slice(req.url.indexOf('?') + 1), pending);
    } catch (err) {
      req.log.warn({ err }, 'OpenID Connect sign-in failed');
      return fail(String((err as Error).message).slice(0, 200));
    }
    const claimed = { subject: who.subject, email: who.claimed.email, emailVerified: who.claimed.verified };
    if (!who.role) {
      // Out of every mapped group: what she holds goes too (sessions, tokens she made), not only this sign-in.
      await store.oidcNoRole(who.subject, now(), (account, action, details) => app.auditEntry(`oidc:${account}`, action, details, req));
      return fail(`no mapped ${o.oidc!.roleClaim ?? 'groups'} value (${who.claimValues.join(', ') || 'none'})`, `oidc:${who.email ?? 'unknown'}`, 'denied', claimed);
    }
    const row = await store.oidcSignedIn({ ...who, role: who.role }, now(), (account, action, details) => app.auditEntry(`oidc:${account}`, action, details, req));
    if (!row || row.disabledMs != null) return fail('account disabled', row ? `oidc:${row.name}` : 'oidc:unknown', 'disabled', claimed);
    // Fastify appends a second set-cookie header (the pending cookie's deletion stays).
    const started = await startSession(reply, via.secure, row.name, row.role, 'oidc', null);
    if (!started) return fail('account changed during sign-in', `oidc:${row.name}`, 'disabled', claimed);
    if (!(await signedInOnRecord(req, reply, `oidc:${row.name}`, { method: 'oidc', role: row.role, ...claimed }, started.idHash, via.secure))) return reply;
    return reply.redirect('/admin/');
  });

  // Public, so the page can ask "am I signed in?" without a 401 in the console; a refused credential
  // still counts against the address's refused-request bucket (no free token guessing here).
  app.get('/v1/auth/me', async (req, reply) => {
    const found = await app.whoIs(req);
    if (!found?.ok) {
      const wait = found ? ctx.limiters.admin.take(`${clientKey(req.ip)}|refused`) : 0;
      if (wait > 0) return tooMany(reply, ctx.metrics, wait);
      return { signedIn: false, error: found?.error ?? null };
    }
    const p = found.p;
    return { signedIn: true, actor: p.actor, role: p.role, via: p.via, csrf: p.session?.csrf ?? null, expiresAt: p.expiresMs == null ? null : iso(p.expiresMs) };
  });

  app.post('/v1/auth/logout', async (req, reply) => {
    const p = req.principal!;
    // A token is not a sign-in: before, a bearer token's "sign-out" was answered ok and written as
    // `signout` while the token kept working, a record of something that did not happen (red team coll8).
    if (!p.session) return reply.code(400).send({ error: 'a token has no session to end: revoke the token to stop it (DELETE /v1/admin/tokens/ID)' });
    // The session ends with its entry, in one transaction: a sign-out is answered only on record, and one
    // that cannot be recorded leaves the session as it was (503; the page says so and the person tries
    // again). Before, the session ended and the entry was lost when the log could not be written.
    const entry = app.auditEntry(p.actor, 'signout', {}, req);
    try {
      await store.change(AccountStore.deleteSessionTx(p.session.idHash), () => [entry]);
    } catch (err) {
      throw new AuditUnwritten('signout', err);
    }
    reply.header('set-cookie', setCookie(SESSION_COOKIE, '', { secure: req.protocol === 'https', sameSite: 'Strict', path: '/', maxAge: 0 }));
    return { ok: true };
  });

  // --- accounts and API tokens (accounts/manage.ts: shared with the CLI) ----------------------------
  // A change whose entry cannot be written fails the request rather than answer as if it were on record.
  const by = (req: FastifyRequest) => (action: string, details: Record<string, unknown>) => app.auditEntry(req.principal!.actor, action, details, req);
  const answer = async <T>(reply: FastifyReply, r: Outcome<T>, code = 200) => {
    if (r.ok) return reply.code(code).send(r.value ?? { ok: true });
    // A refused change is on record too (who tried what, and why it was refused).
    const req = reply.request;
    await app.audit(req.principal?.actor ?? 'unknown', 'change.refused', { route: `${req.method} ${req.routeOptions.url ?? ''}`, target: (req.params as Record<string, string>).name ?? (req.params as Record<string, string>).id ?? (req.body as { name?: unknown } | null)?.name ?? null, status: r.status, reason: r.error }, req);
    return reply.code(r.status).send({ error: r.error });
  };

  app.get('/v1/admin/accounts', async () => ({ accounts: (await store.accounts()).map(accountView) }));
  app.post('/v1/admin/accounts', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const r = await putLocalAccount(store, { name: b.name, role: b.role, password: b.password }, req.principal!.actor, now(), by(req));
    return answer(reply, r.ok ? { ok: true, value: { name: r.value.name, role: r.value.role } } : r, r.ok && r.value.created ? 201 : 200);
  });
  app.post('/v1/admin/accounts/invite', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    return answer(reply, await inviteLocalAccount(store, { name: b.name, role: b.role }, req.principal!.actor, now(), by(req)), 201);
  });
  app.patch('/v1/admin/accounts/:name', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    return answer(reply, await changeAccount(store, (req.params as { name: string }).name, { role: b.role, disabled: b.disabled }, req.principal!.actor, now(), by(req)));
  });
  app.delete('/v1/admin/accounts/:name', async (req, reply) => answer(reply, await removeAccount(store, (req.params as { name: string }).name, req.principal!.actor, now(), by(req))));

  app.get('/v1/admin/tokens', async () => ({ tokens: (await store.tokens()).map((t) => tokenView(t, ctx.now())) }));
  app.post('/v1/admin/tokens', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    return answer(reply, await createApiToken(store, { name: b.name, role: b.role, expiresInDays: b.expiresInDays }, req.principal!.actor, now(), by(req)), 201);
  });
  app.delete('/v1/admin/tokens/:id', async (req, reply) =>
    answer(reply, await revokeApiToken(store, (req.params as { id: string }).id, req.principal!.actor, now(), by(req))),
  );

  // --- the audit log ------------------------------------------------------------------------------
  /** Entries the database refused (set aside, tried again) and those still waiting for it. */
  const spoolView = () => {
    const s = app.auditSpoolStatus();
    return {
      waiting: s.waiting.length,
      refused: s.refused.map((r) => ({
        time: iso(r.entry.timeMs),
        actor: r.entry.actor,
        action: r.entry.action,
        address: r.entry.address,
        details: r.entry.details,
        reason: r.reason,
        attempts: r.attempts,
        firstRefusedAt: iso(r.firstMs),
        lastTriedAt: iso(r.lastMs),
        nextTryAt: iso(r.nextMs),
      })),
    };
  };
  app.get('/v1/admin/audit', async (req, reply) => {
    const q = parseAuditQuery(req.query as Record<string, unknown>);
    if ('error' in q) return reply.code(400).send({ error: q.error });
    const rows = await store.audit(q.query);
    const tokenOf = tokenAt(await store.tokens());
    const nextBefore = rows.length === q.query.limit ? rows[rows.length - 1]!.id : null;
    if (q.csv) {
      reply.type('text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="upload-guard-audit.csv"');
      if (nextBefore !== null) reply.header('x-next-before', String(nextBefore));
      const row = (r: AuditEntry, stored: string) => csvRow([iso(r.timeMs), r.actor, r.action, r.address, JSON.stringify(r.details), tokenOf(r), stored]);
      // Acknowledged entries not in the database yet (waiting for it, or refused by it and tried again)
      // are part of the log: on the first page, before the stored ones, each saying why it is not stored.
      const unstored = q.query.beforeId === undefined ? spoolRows(app.auditSpoolStatus(), q.query) : [];
      return CSV_BOM + csvRow(AUDIT_CSV_HEAD) + unstored.map(([e, why]) => row(e, why)).join('') + rows.map((r) => row(r, 'yes')).join('');
    }
    return { entries: rows.map((r) => ({ ...auditView(r), actorTokenId: tokenOf(r) })), nextBefore, spool: spoolView() };
  });

  /**
   * The audit entries the database refused while it took others (audit-spool.ts): set aside on the
   * collector's disk with the database's reason and tried again later. Per collector (each has its own
   * spool); /metrics counts them (upload_guard_audit_entries_refused). The log's own answer holds them
   * too (`spool`), so the admin page asks once and opening the audit view is one `audit.view` entry
   * (it was two); this route, for other clients, is on record under its own name.
   */
  app.get('/v1/admin/audit/refused', async () => spoolView());

  // --- what a viewer may see of the fleet: counts only, no device ids or users ----------------------
  app.get('/v1/admin/fleet', async () => {
    const fleet = await ctx.fleet.groups(now());
    return { ...fleetTotals(fleet.groups, ctx.ingestTokenIds), countedAt: iso(fleet.at) };
  });

  // --- retention ------------------------------------------------------------------------------------
  const purgeAccounts = () => store.purge(now(), o.retentionDays ? now() - o.retentionDays * 86_400_000 : null);
  app.decorate('purgeAccounts', purgeAccounts);
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await purgeAccounts();
    timer = setInterval(() => purgeAccounts().catch((err) => app.log.error({ err }, 'accounts purge failed')), o.retentionIntervalMs ?? 3_600_000);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The id of the API token an entry's actor `token:<name>` was at the entry's time: the token of that
 * name live then (names were unique only among live tokens before a name could be used once; see
 * manage.ts REUSED_RULE), so an entry of a name that was reused names one token. Null for other actors.
 */
function tokenAt(tokens: TokenRow[]): (r: AuditEntry) => string | null {
  const byName = new Map<string, TokenRow[]>();
  for (const t of tokens) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  return (r) => {
    if (!r.actor.startsWith('token:')) return null;
    const named = byName.get(r.actor.slice('token:'.length)) ?? [];
    return named.find((t) => t.createdMs <= r.timeMs && r.timeMs <= (t.revokedMs ?? Infinity))?.id ?? null;
  };
}
/** The audit spool's entries that the query asks for (same filters as the database's), with why each is not stored yet. */
function spoolRows(s: { waiting: AuditEntry[]; refused: RefusedEntry[] }, q: AuditQuery): [AuditEntry, string][] {
  const wanted = (e: AuditEntry) =>
    (q.actor === undefined || e.actor === q.actor) && (q.action === undefined || e.action === q.action) && (q.fromMs === undefined || e.timeMs >= q.fromMs) && (q.toMs === undefined || e.timeMs < q.toMs);
  const rows: [AuditEntry, string][] = [
    ...s.waiting.map((e): [AuditEntry, string] => [e, 'no: waiting for the database']),
    ...s.refused.map((r): [AuditEntry, string] => [r.entry, `no: refused by the database (${r.reason}); tried ${r.attempts} times, next ${iso(r.nextMs)}`]),
  ];
  return rows.filter(([e]) => wanted(e)).sort((a, b) => b[0].timeMs - a[0].timeMs);
}
const auditView = (r: AuditRow) => ({ id: r.id, time: iso(r.timeMs), actor: r.actor, action: r.action, address: r.address, details: r.details });

/** A time filter: ISO 8601 (with its offset; a plain date is UTC midnight) or epoch milliseconds. */
function parseTime(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 40) return null;
  const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

function parseAuditQuery(q: Record<string, unknown>): { query: AuditQuery; csv: boolean } | { error: string } {
  const str = (k: string) => (typeof q[k] === 'string' && (q[k] as string).length <= 200 ? (q[k] as string) : q[k] === undefined ? undefined : null);
  const actor = str('actor');
  const action = str('action');
  const fromMs = parseTime(q.from);
  const toMs = parseTime(q.to);
  if (actor === null || action === null) return { error: 'actor and action must be single strings' };
  // No entry's actor or action holds a control character; NUL answered 500 on PostgreSQL (red team coll9).
  if (/[\u0000-\u001f\u007f]/.test(`${actor ?? ''}${action ?? ''}`)) return { error: 'actor and action must not hold control characters' };
  if (fromMs === null || toMs === null) return { error: 'from and to: ISO 8601 times (e.g. 2026-11-01T00:00:00+09:00) or epoch milliseconds' };
  const limit = q.limit === undefined ? 500 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return { error: 'limit: 1 to 10000' };
  const before = q.before === undefined ? undefined : Number(q.before);
  if (before !== undefined && !Number.isSafeInteger(before)) return { error: 'before: an entry id' };
  const format = q.format ?? 'json';
  if (format !== 'json' && format !== 'csv') return { error: 'format: json or csv' };
  return { query: { actor: actor || undefined, action: action || undefined, fromMs, toMs, beforeId: before, limit }, csv: format === 'csv' };
}
