/**
 * Who is calling the admin API, and may they: every route under /v1/admin/ and /v1/auth/ gets its
 * minimum role from ROUTE_RULES (accounts/roles.ts), checked here for every request before the route's
 * own hooks run; a guarded route without a rule is refused. Accepted credentials:
 *   - the session cookie of a signed-in person (local account or OpenID Connect), with, for anything that
 *     changes state, the session's CSRF token in X-CSRF-Token and an Origin of this collector;
 *   - a named API token (`ugt_…`, its own role), or an admin token of tokens.json / the environment (admin).
 * Also the audit log: `app.audit(actor, action, details, req?)` appends one entry, and throws
 * AuditUnwritten when it cannot (the request is then answered 503, never as if it were on record); routes
 * whose rule names an audit action are recorded before they answer (refused with 503 when the entry
 * cannot be written).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseApiToken, secretMatches, sha256hex } from '../accounts/api-tokens.js';
import { cookieValue, SESSION_COOKIE } from '../accounts/cookies.js';
import { atLeast, isGuarded, ruleFor, type Role } from '../accounts/roles.js';
import { AccountStore, type AuditEntry, type SessionRow } from '../accounts/store.js';
import { bearer, tokenId } from '../auth.js';
import { clientKey } from '../client-key.js';
import { appWide, type CollectorPlugin } from '../context.js';
import { tooMany } from './token-checks.js';
import { daysLeft, TOKEN_DAYS_HEADER, TOKEN_ENDS_HEADER } from '../accounts/token-ending.js';
import { AuditSpool, refusalReason, type RefusedEntry, type SpooledEntry } from '../audit-spool.js';

export interface Principal {
  /** Who, as the audit log names them: `alice`, `oidc:alice@example.co.jp`, `token:ci-export`, `token:legacy-1a2b3c4d`. */
  actor: string;
  role: Role;
  via: 'session' | 'api-token' | 'admin-token';
  session?: SessionRow;
  /** A token's end (epoch ms), null: never; undefined for a session. */
  expiresMs?: number | null;
}

export type Found = { ok: true; p: Principal } | { ok: false; status: 401 | 403; error: string };

export interface SessionOptions {
  /** A session unused this long ends (default 30 minutes). */
  idleMinutes?: number;
  /** A session ends this long after sign-in whatever its use (default 12 hours). */
  maxHours?: number;
  /**
   * The file auditLater's entries are kept in until the database has them (audit-spool.ts; the CLI's
   * `<data>/audit-spool.jsonl`). Unset: held in memory only (lost with the process).
   */
  auditSpool?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    accountStore: AccountStore;
    /**
     * Appends one audit entry (never a secret in `details`). When it cannot be written it throws
     * AuditUnwritten, which answers the request 503 (errors.ts): a refusal (signin.failure,
     * change.refused, access.denied…) is answered only once its entry is kept.
     */
    audit(actor: string, action: string, details?: Record<string, unknown>, req?: FastifyRequest): Promise<void>;
    /**
     * For an entry whose request cannot be answered otherwise any more (an export cut mid-stream): kept
     * in the audit spool (fsynced) and written from there now, or every minute, at close and at the next
     * start until it is (audit-spool.ts). It waits for the database 5 seconds at most.
     */
    auditLater(actor: string, action: string, details: Record<string, unknown>, req?: FastifyRequest): Promise<void>;
    /** The audit spool now: entries waiting for the database, and those it refused (set aside, tried again later). */
    auditSpoolStatus(): { waiting: SpooledEntry[]; refused: RefusedEntry[] };
    /** The entry of a change, written with the change in one transaction (AccountStore.change, the retention purge). */
    auditEntry(actor: string, action: string, details: Record<string, unknown>, req?: FastifyRequest): AuditEntry;
    /**
     * Writes the counts of refused unknown credentials held since their address's first entry (a timer
     * does it every minute), and those a stopped collector left in the database (5 minutes old).
     */
    flushDenied(): Promise<void>;
    /**
     * Counts a refused request of an unknown caller for the audit log (the first of its address's minute
     * an entry at once, the rest in access.denied.repeated), durably before the caller answers it.
     */
    deniedRefused(req: FastifyRequest, details: { route: string; status: number; reason: string }): Promise<void>;
    /**
     * Counts a request of a valid credential refused with 429 for its rate limit, under its actor (the
     * first of its address's minute an `access.throttled` entry at once, the rest in
     * access.throttled.repeated), durably before the caller answers it.
     */
    throttled(req: FastifyRequest, actor: string, route: string): Promise<void>;
    /** Who sent this request (null: no credentials at all), without answering it. */
    whoIs(req: FastifyRequest): Promise<Found | null>;
    /**
     * Whether the credential this request was admitted with still admits it (a long answer, e.g. an
     * export, asks between pages): null if so, else why not (revoked, session ended, role lowered).
     */
    stillAdmitted(req: FastifyRequest): Promise<string | null>;
    /** Authenticates and checks the role; answers 401/403/429 itself and returns null when refused. */
    admit(req: FastifyRequest, reply: FastifyReply, min: Role | 'signed-in'): Promise<Principal | null>;
    sessionLimits: { idleMs: number; maxMs: number };
    /** Every route registered after this plugin, `METHOD /url` (the route-table test walks them). */
    registeredRoutes: string[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A session's last use is written at most this often (a busy page would otherwise write on every call). */
const TOUCH_MS = 60_000;

/** The origins this collector answers as: the request's own host, and --public-url. */
function sameOrigin(req: FastifyRequest, publicUrl: string | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  return origin === own || (publicUrl !== undefined && origin === new URL(publicUrl).origin);
}

export const sessions: CollectorPlugin<{ sessions?: SessionOptions }> = appWide(async (app, { ctx, sessions: o = {} }) => {
  const store = AccountStore.of(ctx.storage);
  const limits = { idleMs: (o.idleMinutes ?? 30) * 60_000, maxMs: (o.maxHours ?? 12) * 3_600_000 };
  app.decorate('accountStore', store);
  app.decorate('sessionLimits', limits);
  app.decorateRequest('principal', null);
  const routes: string[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routes.push(`${m} ${r.url}`);
  });

  const entry = (actor: string, action: string, details: Record<string, unknown>, req?: FastifyRequest) => ({ timeMs: ctx.now(), actor, action, details, address: req?.ip ?? null });
  /**
   * Before, a failed write was logged and the caller answered as if it were on record: a refused
   * sign-in, a refused change or a sign-out was answered while its entry was lost (red team coll7).
   */
  async function audit(actor: string, action: string, details: Record<string, unknown> = {}, req?: FastifyRequest): Promise<void> {
    try {
      await store.appendAudit(entry(actor, action, details, req));
    } catch (err) {
      app.log.error({ err, action }, 'audit log write failed: request refused');
      throw new AuditUnwritten(action, err);
    }
  }
  app.decorate('audit', audit);
  app.decorate('auditEntry', entry);

  /**
   * auditLater's entries go to the spool first (fsynced: they survive a kill -9 while the database is
   * down or hung), then to the database from there; each minute, at start and when the collector stops,
   * what is still in the spool is written again (audit-spool.ts).
   */
  const spool = new AuditSpool(o.auditSpool ?? null, (err, what) => app.log.error({ err }, what));
  async function auditLater(actor: string, action: string, details: Record<string, unknown>, req?: FastifyRequest): Promise<void> {
    const e = entry(actor, action, { ...details, spoolId: randomUUID() }, req) as SpooledEntry;
    spool.keep(e);
    // Tried at once, but a hung database does not hold the answer: the spool has the entry already.
    await writeSpooled(SPOOL_WAIT_MS);
  }
  app.decorate('auditLater', auditLater);
  app.decorate('auditSpoolStatus', () => ({ waiting: spool.entries(), refused: spool.refused() }));
  const SPOOL_WAIT_MS = 5_000;
  /** Entries passed over in one run with none written after them: the database refuses them all. */
  const PASS_OVER_MAX = 20;
  const passedBefore = new Set<string>();
  /** The run under way, and at most one queued behind it (for entries kept after the first took its list). */
  let writing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  function scheduleWrite(): Promise<void> {
    // Cleared in a later turn (.finally), never inside a run that awaited nothing: `=` would then set it after.
    if (!writing) return (writing = writeAll().finally(() => (writing = null)));
    const next = () => {
      queued = null;
      return scheduleWrite();
    };
    return (queued ??= writing.then(next, next));
  }
  /**
   * Writes the spool's entries, oldest first. When one fails, a write that inserts nothing asks whether
   * the database takes audit entries at all: if not (down, hung, the table locked), the run stops there
   * and everything waits for the next. If it does, the entry is passed over for now and the run goes on;
   * an entry passed over in a run that wrote another was refused for what it holds, and is set aside
   * (audit-spool.ts) with the database's reason, on record as `audit.spool.refused`. Before, the first
   * failure ended every run, so one entry the database always refuses held every later one back.
   * Set-aside entries are tried again once their wait is over (at start, all of them).
   */
  async function writeAll(): Promise<void> {
    const written = new Set<string>();
    const passed: { entry: SpooledEntry; reason: string }[] = [];
    const now = ctx.now();
    // Entries passed over in an earlier run go last: a run stopped by a row of them still reaches the rest.
    const waiting = spool.entries();
    const order = [...waiting.filter((e) => !passedBefore.has(e.details.spoolId)), ...waiting.filter((e) => passedBefore.has(e.details.spoolId))];
    let passedInRow = 0;
    let unavailable = false;
    try {
      for (const e of order) {
        try {
          await store.appendAuditOnce(e);
          written.add(e.details.spoolId);
          passedBefore.delete(e.details.spoolId);
          passedInRow = 0;
        } catch (err) {
          if (!(await takesAuditEntries())) {
            unavailable = true;
            throw err;
          }
          passed.push({ entry: e, reason: refusalReason(err) });
          passedBefore.add(e.details.spoolId);
          // A database that refuses every entry (a trigger, a full disk) is not asked about thousands.
          if (++passedInRow >= PASS_OVER_MAX) throw err;
        }
      }
    } catch (err) {
      app.log.error({ err }, 'audit log write failed: entries kept in the audit spool, written again later');
    }
    try {
      if (written.size) spool.drop(written);
    } catch (err) {
      // Left in the spool: written again later, once only (appendAuditOnce).
      app.log.error({ err }, 'audit spool cannot be rewritten');
    }
    // Refused while the database took other entries in the same run: refused for what they hold.
    if (written.size && passed.length) {
      await setAside(passed, now);
      for (const p of passed) passedBefore.delete(p.entry.details.spoolId);
    }
    if (!unavailable) await retryRefused(now, firstRun);
    firstRun = false;
  }
  let firstRun = true;
  /** Whether the database takes an audit entry at all now (a write of nothing, 5 s at most). */
  async function takesAuditEntries(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([store.auditWritable(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), SPOOL_WAIT_MS).unref()))]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
  async function setAside(list: { entry: SpooledEntry; reason: string }[], now: number): Promise<void> {
    try {
      spool.setAside(list, now);
    } catch (err) {
      app.log.error({ err }, 'audit spool cannot be rewritten');
      return;
    }
    for (const { entry: e, reason } of list) {
      app.log.error({ auditEntry: { action: e.action, actor: e.actor, time: new Date(e.timeMs).toISOString(), spoolId: e.details.spoolId }, reason, refused: spool.refusedPath }, 'audit entry refused by the database: set aside, tried again later');
      // On record in the log itself (it takes other entries): the security admin sees it in the audit view.
      await store
        .appendAudit(entry('system', 'audit.spool.refused', { spoolId: e.details.spoolId, action: e.action, actor: e.actor, time: new Date(e.timeMs).toISOString(), reason }))
        .catch((err: unknown) => app.log.error({ err }, 'audit log write failed (audit.spool.refused)'));
    }
  }
  /** Tries the set-aside entries whose wait is over (all of them at start). */
  async function retryRefused(now: number, all = false): Promise<void> {
    const due = spool.refused().filter((r) => all || r.nextMs <= now);
    if (!due.length) return;
    const written = new Set<string>();
    const again = new Map<string, string>();
    for (const r of due) {
      try {
        await store.appendAuditOnce(r.entry);
        written.add(r.entry.details.spoolId);
      } catch (err) {
        // The database gone meanwhile: not counted against the entry.
        if (!(await takesAuditEntries())) break;
        again.set(r.entry.details.spoolId, refusalReason(err));
      }
    }
    try {
      spool.retried(written, again, now);
    } catch (err) {
      app.log.error({ err }, 'audit spool cannot be rewritten');
    }
    if (written.size) app.log.warn({ entries: written.size }, 'audit entries set aside earlier are now in the audit log');
    if (again.size) app.log.error({ entries: again.size, reasons: [...new Set(again.values())] }, 'audit entries set aside are still refused by the database: tried again later');
  }
  /** Writes the spool's entries, oldest first, up to the first that fails; waits at most `waitMs`. One run at a time. */
  async function writeSpooled(waitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([scheduleWrite(), new Promise<void>((r) => (timer = setTimeout(r, waitMs).unref()))]);
    clearTimeout(timer);
  }

  /**
   * Refused unknown credentials, per address: the first of a minute is an entry at once, the rest of that
   * minute one `access.denied.repeated` entry with their count when the minute is over. One address with
   * made-up tokens wrote ~60 entries a second (5 M a day) and drowned the log (red team G8); every refusal
   * is still counted, in at most one entry per address and minute beside the first. The count is written
   * to the database (denied_pending) before each refusal is answered: a collector killed before its
   * minute was over lost the burst's count (red team L6); now the next flush of any collector on the
   * database moves a dead one's counts into the log once they are ORPHAN_MS old.
   */
  const holder = randomUUID();
  const DENIED_FLUSH_MS = 60_000;
  const ORPHAN_MS = 5 * DENIED_FLUSH_MS;
  const denied = new Map<string, { actor: string; address: string; count: number; fromMs: number; routes: Record<string, number>; reasons: Record<string, number>; written: Promise<boolean>; next: Promise<boolean> | null }>();
  const DENIED_KEYS = 10_000;
  /**
   * Counts a refusal of `actor` ('' for an unknown caller) from the request's address. Valid credentials
   * over their rate limit are counted the same way under their own actor (red team collector6 #2: a
   * token or a session hammering the API, or an ingest token over its budget, was answered 429 with
   * nothing on record).
   */
  async function countRefused(req: FastifyRequest, actor: string, details: { route: string; status: number; reason: string }): Promise<void> {
    // Beyond DENIED_KEYS callers and addresses at once (IPv6), the rest of each caller share one count.
    const client = clientKey(req.ip);
    const mine = JSON.stringify([actor, client]);
    const address = denied.has(mine) || denied.size < DENIED_KEYS ? client : '*';
    const key = JSON.stringify([actor, address]);
    const seen = denied.get(key);
    if (!seen) {
      const fresh = { actor, address, count: 0, fromMs: ctx.now(), routes: {}, reasons: {}, written: Promise.resolve(true), next: null };
      denied.set(key, fresh);
      try {
        return await (actor === '' ? audit('unknown', 'access.denied', details, req) : audit(actor, 'access.throttled', details, req));
      } catch (err) {
        // Not on record, so not the first of the minute either: the next refusal tries the entry again.
        if (denied.get(key) === fresh && fresh.count === 0) denied.delete(key);
        throw err;
      }
    }
    seen.count++;
    seen.routes[details.route] = (seen.routes[details.route] ?? 0) + 1;
    seen.reasons[details.reason] = (seen.reasons[details.reason] ?? 0) + 1;
    // One write in flight per address: the refusals counted meanwhile ride on the next one (a burst
    // costs a write per database round trip, not per request), and each is answered once one holds it.
    if (!seen.next) {
      seen.next = seen.written.then(() => {
        seen.next = null;
        return holdDenied(seen);
      });
      seen.written = seen.next;
    }
    await seen.next;
  }
  /** Writes a caller's and address's count; false when it could not be (logged; written again at the flush). */
  const holdDenied = (d: { actor: string; address: string; count: number; fromMs: number; routes: Record<string, number>; reasons: Record<string, number> }) =>
    store.holdDenied(holder, { actor: d.actor, address: d.address, fromMs: d.fromMs, lastMs: ctx.now(), count: d.count, routes: d.routes, reasons: d.reasons }).then(
      () => true,
      (err) => (app.log.error({ err }, 'audit log write failed (refused credentials count)'), false),
    );
  async function flushDenied(): Promise<void> {
    // The window ends for every address now; their counts' writes still under way land before the move,
    // and a count whose last write failed is tried once more.
    const held = [...denied];
    denied.clear();
    await Promise.all(held.map(async ([, d]) => d.count > 0 && !(await d.written) && (await holdDenied(d))));
    const now = ctx.now();
    await store.flushDenied(holder, now - ORPHAN_MS, now).catch((err) => app.log.error({ err }, 'audit log write failed'));
    // The views counted in once-per-window reads whose window ended (any collector's: they are in the database).
    await store.flushViews(now).catch((err) => app.log.error({ err }, 'audit log write failed (views counted in a window)'));
    await writeSpooled(SPOOL_WAIT_MS);
  }
  const deniedTimer = setInterval(() => void flushDenied(), DENIED_FLUSH_MS);
  deniedTimer.unref();
  app.decorate('flushDenied', flushDenied);
  const deniedUnknown = (req: FastifyRequest, details: { route: string; status: number; reason: string }) => countRefused(req, '', details);
  app.decorate('deniedRefused', deniedUnknown);
  app.decorate('throttled', (req: FastifyRequest, actor: string, route: string) => countRefused(req, actor, { route, status: 429, reason: OVER_RATE }));
  // What a collector killed over 5 minutes ago left is written at once, not at the first minute.
  app.addHook('onReady', flushDenied);
  app.addHook('onClose', async () => {
    clearInterval(deniedTimer);
    await flushDenied();
    const left = spool.entries().length;
    if (left && spool.path) app.log.error({ entries: left, spool: spool.path }, 'audit entries not yet written: kept in the audit spool, written at the next start');
    for (const e of spool.memoryOnly()) app.log.error({ auditEntry: e }, 'audit entry not written: the collector stops');
  });

  async function fromSession(req: FastifyRequest, id: string): Promise<Found> {
    const idHash = sha256hex(id);
    const s = await store.session(idHash);
    const now = ctx.now();
    if (!s || s.expiresMs <= now || now - s.lastMs > limits.idleMs) {
      if (s) await store.deleteSession(idHash);
      return { ok: false, status: 401, error: 'session ended: sign in again' };
    }
    if (STATE_CHANGING.has(req.method)) {
      // Synchronizer token plus Origin: a cross-site form or fetch has neither.
      const csrf = req.headers['x-csrf-token'];
      if (typeof csrf !== 'string' || !secretMatches(csrf, sha256hex(s.csrf)) || !sameOrigin(req, ctx.publicUrl)) {
        return { ok: false, status: 403, error: 'CSRF check failed: missing or wrong X-CSRF-Token or Origin' };
      }
    }
    if (now - s.lastMs > TOUCH_MS) await store.touchSession(idHash, now);
    const actor = s.source === 'oidc' ? `oidc:${s.account}` : s.account;
    return { ok: true, p: { actor, role: s.role, via: 'session', session: s } };
  }

  async function fromBearer(token: string): Promise<Found> {
    if (ctx.tokens.admin.has(token)) {
      const ends = ctx.adminTokenExpiresMs;
      if (ends !== null && ctx.now() >= ends) return { ok: false, status: 401, error: `token expired: the admin token (token:legacy-${tokenId(token)}) expired at ${iso(ends)}; set a new one (UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES)` };
      return { ok: true, p: { actor: `token:legacy-${tokenId(token)}`, role: 'admin', via: 'admin-token', expiresMs: ends } };
    }
    const parsed = parseApiToken(token);
    const row = parsed ? await store.token(parsed.id) : null;
    if (parsed && row && row.revokedMs === null && secretMatches(parsed.secret, row.secretHash)) {
      // Told only to a caller holding the secret: which token it was and when it ended (the refusal is on
      // record with this reason, so the log says which token a script still uses).
      const ends = row.expiresMs ?? null;
      if (ends !== null && ctx.now() >= ends) return { ok: false, status: 401, error: `token expired: API token ${row.name} (${row.id}) expired at ${iso(ends)}; ask an admin for a new one` };
      // Last use to the minute: a busy script does not write a row on every request.
      if (row.lastUsedMs === null || ctx.now() - row.lastUsedMs > TOUCH_MS) await store.tokenUsed(row.id, ctx.now());
      return { ok: true, p: { actor: `token:${row.name}`, role: row.role, via: 'api-token', expiresMs: ends } };
    }
    if (ctx.tokens.ingest.has(token)) return { ok: false, status: 403, error: 'ingest token is not valid for this endpoint' };
    return { ok: false, status: 401, error: 'invalid token' };
  }

  async function identify(req: FastifyRequest): Promise<Found | null> {
    const token = bearer(req.headers.authorization);
    if (token !== null) return fromBearer(token);
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    return id === null ? null : fromSession(req, id);
  }

  app.decorate('whoIs', identify);

  async function admit(req: FastifyRequest, reply: FastifyReply, min: Role | 'signed-in'): Promise<Principal | null> {
    const identified = await identify(req);
    const presented = identified !== null;
    const found = identified ?? { ok: false as const, status: 401 as const, error: 'sign in, or send Authorization: Bearer <token>' };
    // Refused requests from one address share one bucket (guessing is throttled); admitted ones get one per person.
    const wait = ctx.limiters.admin.take(found.ok ? `${clientKey(req.ip)}|${found.p.actor}` : `${clientKey(req.ip)}|refused`);
    if (wait > 0) {
      // A presented credential refused for want of budget is counted too (red team L6): a flood past
      // the bucket is on record by its size, not only up to the bucket's allowance.
      if (!found.ok && presented) await deniedUnknown(req, { route: routeOf(req), status: 429, reason: THROTTLED });
      // A valid one over its own rate is on record under its name (red team collector6 #2).
      if (found.ok) await countRefused(req, found.p.actor, { route: routeOf(req), status: 429, reason: OVER_RATE });
      tooMany(reply, ctx.metrics, wait);
      return null;
    }
    if (!found.ok) {
      ctx.metrics.authFailures++;
      // A credential that was presented and refused (a guessed or revoked token, an ended session) is on record.
      if (presented) await deniedUnknown(req, { route: routeOf(req), status: found.status, reason: found.error });
      if (found.status === 401) reply.header('www-authenticate', 'Bearer');
      void reply.code(found.status).header('connection', 'close').send({ error: found.error });
      return null;
    }
    if (min !== 'signed-in' && !atLeast(found.p.role, min)) {
      // Privilege probing (a viewer asking for an export, an admin token, the audit log) is on record.
      await audit(found.p.actor, 'access.denied', { route: routeOf(req), status: 403, role: found.p.role, needs: min }, req);
      void reply.code(403).send({ error: `this needs the ${min} role (you are ${found.p.role})` });
      return null;
    }
    req.principal = found.p;
    // A token near its end says so on every answer (`upload-guard pull` prints it): its script's owner
    // learns it before the 401, not from it.
    const left = daysLeft(found.p.expiresMs, ctx.now());
    if (left !== null) void reply.header(TOKEN_ENDS_HEADER, iso(found.p.expiresMs!)).header(TOKEN_DAYS_HEADER, String(left));
    return found.p;
  }
  app.decorate('admit', admit);

  // The same checks as at the start of the request, against the database as it is now: a revoked token,
  // an ended session, a disabled account or a lowered role (the session or the token is gone then too).
  async function stillAdmitted(req: FastifyRequest): Promise<string | null> {
    const was = req.principal;
    const rule = req.routeOptions.url === undefined ? undefined : ruleFor(req.method, req.routeOptions.url);
    if (!was) return 'not signed in';
    const found = await identify(req);
    if (!found?.ok) return found?.error ?? 'credential gone';
    if (found.p.actor !== was.actor) return 'the credential names someone else now';
    const min = rule && rule.role !== 'public' ? rule.role : was.role;
    if (min !== 'signed-in' && !atLeast(found.p.role, min)) return `this needs the ${min} role (you are ${found.p.role} now)`;
    return null;
  }
  app.decorate('stillAdmitted', stillAdmitted);

  app.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined || !isGuarded(url)) return;
    const rule = ruleFor(req.method, url);
    if (!rule) {
      // Fail closed: a route nobody gave a role is nobody's.
      req.log.error({ route: `${req.method} ${url}` }, 'admin route without a role in ROUTE_RULES: refused');
      return reply.code(403).send({ error: 'this route has no role assigned' });
    }
    if (rule.role === 'public') return;
    if (!(await admit(req, reply, rule.role))) return reply;
    if (rule.audit && !(await auditRead(req, reply, rule.audit, rule.auditOncePerMinutes))) return reply;
  });

  /**
   * A read whose rule names an audit action (searches, exports, device lists…) is recorded before the
   * handler runs, so before any data leaves: an export the client aborts, or a crash mid-stream, is on
   * record. No entry, no data: a write that fails (disk full, database down) answers 503.
   */
  async function auditRead(req: FastifyRequest, reply: FastifyReply, action: string, oncePerMinutes?: number): Promise<boolean> {
    const p = req.principal!;
    // Once per credential, route and window: a session by its id (a new sign-in is a new entry), a token by its actor.
    // The window and its count are in the database (AccountStore.viewOnce): kept over a restart, shared
    // by the collectors of one database, and one entry for two first views at the same moment.
    const key = oncePerMinutes === undefined ? null : JSON.stringify([p.actor, p.session?.idHash ?? p.via, action]);
    const query = { ...(req.query as Record<string, unknown>) };
    delete query.token;
    // What the path names too (GET /v1/admin/incidents/:id): without it the entry said someone read an
    // incident, never which one (red team coll7 F6).
    const params = { ...(req.params as Record<string, unknown> | undefined) };
    try {
      const details = Object.keys(params).length ? { query, params } : { query };
      const e = entry(p.actor, action, details, req);
      if (key === null) await store.appendAudit(e);
      else await store.viewOnce(key, e.timeMs, e.timeMs + oncePerMinutes! * 60_000, e);
      return true;
    } catch (err) {
      req.log.error({ err, action }, 'audit log write failed: request refused');
      void reply.code(503).header('retry-after', '30').send({ error: 'the audit log cannot be written: nothing is shown until it can (try again later)' });
      return false;
    }
  }
});

/**
 * An audit entry that could not be written: the request that needed it is answered 503 with
 * Retry-After (errors.ts), never as if it were on record.
 */
export class AuditUnwritten extends Error {
  constructor(readonly action: string, cause: unknown) {
    super(`the audit log cannot be written (${action})`, { cause });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The reason counted for a refusal answered 429 because the address's bucket of refused requests is empty. */
export const THROTTLED = 'throttled: too many refused requests from this address';

/** The reason counted for a valid credential answered 429 because it is over its own rate limit. */
export const OVER_RATE = 'throttled: over this credential\'s rate limit';

/** The route as the audit log names it: method and pattern (no ids, no query). */
export const routeOf = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;

/** A new session id (the cookie) and CSRF token; the store keeps the id's hash. */
export function newSessionSecrets(): { id: string; csrf: string } {
  return { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url') };
}
