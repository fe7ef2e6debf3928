/**
 * The collector's HTTP server: ingest (extension → collector), the admin API and page, extension
 * packages, health and metrics, and the jobs beside them. Built with Fastify, one plugin per concern
 * (src/collector/plugins/):
 *
 *   headers        security headers on every response
 *   errors         JSON errors, 503 when the database cannot answer, every 500 logged
 *   token-checks   bearer tokens and rate limits, by scope (ingest, admin)
 *   sessions       who calls the admin API (session, API token, admin token), roles per route, CSRF, audit
 *   accounts       sign-in (local, OpenID Connect), accounts, API tokens, the audit log
 *   ingest         POST /v1/events, POST /v1/heartbeat (admission control, per-device limits)
 *   admin          /v1/admin/* (events, export, summary, devices, alerts) and /admin/
 *   packages       /extension/* (update manifests, CRX, XPI)
 *   health         /healthz (liveness), /readyz (database), /metrics
 *   jobs           retention, stale-device watch, alert delivery
 */
import type { EndingToken } from './accounts/tokens-ending-soon.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { Admission, type AdmissionOptions } from './admission.js';
import { AlertOutbox, type AlertOptions } from './alerts/outbox.js';
import { reportRoutes } from './report/route.js';
import { TokenSet, tokenId, MIN_TOKEN_LENGTH } from './auth.js';
import type { CollectorContext } from './context.js';
import type { DeviceReport } from './devices.js';
import { redactUrl } from './log.js';
import { FleetCounts } from './fleet-counts.js';
import { Metrics } from './metrics.js';
import { normalizePublicUrl } from './packages.js';
import { accountRoutes, type AccountOptions } from './plugins/accounts.js';
import { adminRoutes } from './plugins/admin.js';
import { errors } from './plugins/errors.js';
import { headers } from './plugins/headers.js';
import { healthRoutes } from './plugins/health.js';
import { ingestRoutes } from './plugins/ingest.js';
import { jsonBody } from './plugins/json-body.js';
import { LIMITS } from '../events/schema.js';
import { jobs } from './plugins/jobs.js';
import { packageRoutes } from './plugins/packages.js';
import { sessions, type SessionOptions } from './plugins/sessions.js';
import { tokenChecks } from './plugins/token-checks.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { TIME_WINDOW } from './storage/sql.js';
import type { Storage, TimeWindow } from './storage/types.js';

export type { AlertOptions } from './alerts/outbox.js';

export interface CollectorOptions {
  storage: Storage;
  /** Accepted ingest tokens; the first is the current one (the others are accepted during a rotation). */
  ingestTokens: readonly string[];
  adminTokens: readonly string[];
  /**
   * When the admin tokens stop working (epoch ms; UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES): refused with 401 and
   * on record from then on. Undefined: never (as before; the break-glass way in).
   */
  adminTokenExpiresMs?: number;
  /** Request body cap for ingest, bytes (default 1 MiB). */
  bodyLimit?: number;
  /**
   * Per device on /v1/events and /v1/heartbeat. Default 50/s, burst 100. perSecond 0 = no limit.
   * Per address (a NAT in front of many browsers) the limit is 20 times this, and per ingest token (the
   * whole fleet) 200 times.
   */
  ingestRateLimit?: RateLimitOptions;
  /** Per client on the admin API. Default 50/s, burst 200. */
  adminRateLimit?: RateLimitOptions;
  /** Events older than this many days are purged at start and hourly; 0 or undefined keeps everything. */
  retentionDays?: number;
  retentionIntervalMs?: number;
  /** How often to look for devices that went stale, to alert through the webhook. Default 60 s. */
  staleCheckIntervalMs?: number;
  alerts?: AlertOptions;
  /** Ingest work in hand beyond which new requests get 503 (see admission.ts). */
  admission?: AdmissionOptions;
  /** Serve /metrics without a token (for a scraper on a private network). Default false. */
  metricsPublic?: boolean;
  /**
   * Proxies in front of the collector whose X-Forwarded-For (and -Proto) is believed: `true` for a proxy
   * on this machine (loopback) only, or a list of addresses and CIDRs. The client address is the
   * right-most one not written by a trusted proxy (a client cannot choose its own). Never "every private
   * address": the PCs of a corporate network are on private addresses, and any of them reaching the
   * collector directly would choose the address in the audit log and its rate-limit key (F16).
   */
  trustProxy?: boolean | string[];
  /** Log level: 'info' (every request), 'warn' (errors and warnings), false (nothing; tests). Default false. */
  logger?: boolean | 'info' | 'warn';
  /** Clock, for tests of retention and device staleness. */
  now?: () => number;
  /**
   * A device is stale after this many minutes without a heartbeat. Default: per device, 3 × the
   * heartbeatMinutes it reports (15 when it does not say) + 5 minutes' grace.
   */
  staleAfterMinutes?: number;
  /** Directory with release.json and the extension packages to serve under /extension/ (off when unset). */
  packagesDir?: string;
  /**
   * The collector's public base URL (e.g. https://ug.example.co.jp), for the links in update manifests.
   * Default: the address it listens on (never the request's Host).
   */
  publicUrl?: string;
  /**
   * How far an event's own time may be from its arrival (default 30 days back, 10 minutes ahead);
   * outside it the event is kept at its arrival time, its claim shown as claimedTime. false: believe
   * every time (tests with fixed dates).
   */
  timeWindow?: TimeWindow | false;
  /** Timeouts, ms: a whole request (headers and body; default 30 s), and an idle keep-alive connection (default 65 s). */
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Accounts, sign-in and sessions (issue 13): OpenID Connect, login throttling, session lifetimes. */
  accounts?: Pick<AccountOptions, 'oidc' | 'throttle'> & SessionOptions;
  /** How long the fleet's device counts (device list totals, /metrics) are reused, ms (default 10 s; see fleet-counts.ts). */
  fleetCountsTtlMs?: number;
}

export interface Collector {
  app: FastifyInstance;
  metrics: Metrics;
  outbox: AlertOutbox;
  storage: Storage;
  /** Runs retention now; returns the number of events deleted. */
  purgeExpired(): Promise<number>;
  /** Looks for devices that went stale and queues their alerts; returns the devices newly alerted. */
  checkStale(): Promise<DeviceReport[]>;
  /** Logs the tokens that end within 14 days (a warning, at most daily for the same list); returns them. */
  checkTokensEnding(): Promise<EndingToken[]>;
  /** Listens; returns the base URL, e.g. http://127.0.0.1:8787. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
/** What `trustProxy: true` trusts: a proxy on this machine (127.0.0.0/8, ::1). Any other is named. */
const LOCAL_PROXY = ['loopback'];

function checkTokens(opts: CollectorOptions): void {
  for (const [kind, list] of [['ingest', opts.ingestTokens], ['admin', opts.adminTokens]] as const) {
    if (list.filter(Boolean).length === 0) throw new Error(`at least one ${kind} token is required`);
    const weak = list.find((t) => t.length < MIN_TOKEN_LENGTH || new Set(t).size < 8);
    if (weak !== undefined) throw new Error(`${kind} tokens must be at least ${MIN_TOKEN_LENGTH} characters with at least 8 different ones (one is not)`);
  }
  if (opts.ingestTokens.some((t) => opts.adminTokens.includes(t))) throw new Error('ingest and admin tokens must differ');
}

function buildContext(opts: CollectorOptions, log: () => FastifyInstance['log']): CollectorContext {
  const { storage } = opts;
  storage.warm?.();
  const now = opts.now ?? Date.now;
  const metrics = new Metrics();
  const staleAfterMinutes = opts.staleAfterMinutes;
  if (staleAfterMinutes !== undefined && !(Number.isInteger(staleAfterMinutes) && staleAfterMinutes >= 1)) {
    throw new Error('staleAfterMinutes must be a positive integer');
  }
  const ingest = opts.ingestRateLimit ?? { perSecond: 50, burst: 100 };
  const scaled = (k: number): RateLimitOptions => ({ perSecond: ingest.perSecond * k, burst: ingest.burst * k });
  const events = (k: number): RateLimitOptions => ({ perSecond: ingest.perSecond * k, burst: 2 * LIMITS.batch * k });
  return {
    storage,
    metrics,
    now,
    tokens: { ingest: new TokenSet(opts.ingestTokens), admin: new TokenSet(opts.adminTokens) },
    adminTokenExpiresMs: opts.adminTokenExpiresMs ?? null,
    // During a rotation several ingest tokens are accepted; the first is the current one (see devices.ts).
    ingestTokenIds: opts.ingestTokens.filter(Boolean).map(tokenId),
    limiters: { ingest: new RateLimiter(ingest), admin: new RateLimiter(opts.adminRateLimit ?? { perSecond: 50, burst: 200 }) },
    addressLimiter: new RateLimiter(scaled(20)),
    deviceLimiter: new RateLimiter(ingest),
    tokenLimiter: new RateLimiter(scaled(200)),
    // As many events a second as requests, with room for two full batches (an offline queue catching up).
    eventLimiters: ingest.perSecond > 0 ? { device: new RateLimiter(events(1)), address: new RateLimiter(events(20)), token: new RateLimiter(events(200)) } : null,
    admission: new Admission(opts.admission),
    outbox: new AlertOutbox(storage, metrics, opts.alerts ?? {}, now, (err, msg) => log().error({ err }, msg)),
    fleet: new FleetCounts({ storage, metrics, now, staleAfterMinutes, ttlMs: opts.fleetCountsTtlMs }),
    bodyLimit: opts.bodyLimit ?? MiB,
    staleAfterMinutes,
    publicUrl: opts.publicUrl ? normalizePublicUrl(opts.publicUrl) : undefined,
    timeWindow: opts.timeWindow === false ? null : withinRetention(opts.timeWindow ?? TIME_WINDOW, opts.retentionDays),
    diskFull: { lastMs: 0 },
  };
}

/**
 * A claimed time is believed no further back than the retention period: an event dated before it (a
 * device queued offline longer) is stored at its arrival time, with its claim as claimedTime, so the
 * retention run does not delete an event the collector has just acknowledged.
 */
function withinRetention(window: TimeWindow, retentionDays: number | undefined): TimeWindow {
  return retentionDays ? { ...window, pastMs: Math.min(window.pastMs, retentionDays * 86_400_000) } : window;
}

export async function createCollector(opts: CollectorOptions): Promise<Collector> {
  checkTokens(opts);
  // The context's logger is read lazily, once the app below exists.
  const ctx = buildContext(opts, () => app.log);
  const app: FastifyInstance = Fastify({
    logger: opts.logger
      ? {
          level: opts.logger === true ? 'info' : opts.logger,
          // Package requests carry the ingest token in the query (updaters cannot send headers): never
          // log it, however it is encoded; headers are not logged at all.
          serializers: {
            req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
          },
        }
      : false,
    bodyLimit: ctx.bodyLimit,
    trustProxy: opts.trustProxy === true ? LOCAL_PROXY : opts.trustProxy || false,
    // Prototype-poisoning keys in JSON bodies are refused outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // A client that sends its headers or body slowly is cut off: slow-body clients cannot hold sockets.
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    connectionTimeout: opts.requestTimeoutMs ?? 30_000,
    // Long enough that a client reusing a connection rarely races the server closing it (a reset).
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 65_000,
    // Node checks the request and headers timeouts on this interval (default 30 s: too coarse for a
    // client that trickles a byte at a time, which the idle timeout never catches).
    http: { headersTimeout: Math.min(opts.requestTimeoutMs ?? 30_000, 20_000), connectionsCheckingInterval: 1_000 },
  });
  // Only JSON bodies: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');

  let listenUrl = 'http://127.0.0.1';
  await app.register(headers, { ctx });
  await app.register(jsonBody, { ctx });
  await app.register(errors, { ctx });
  await app.register(tokenChecks, { ctx });
  await app.register(sessions, { ctx, sessions: opts.accounts });
  await app.register(accountRoutes, { ctx, ...opts.accounts, retentionDays: opts.retentionDays, retentionIntervalMs: opts.retentionIntervalMs });
  await app.register(ingestRoutes, { ctx });
  await app.register(adminRoutes, { ctx });
  await app.register(reportRoutes, { ctx });
  await app.register(packageRoutes, { ctx, packagesDir: opts.packagesDir, baseUrl: () => listenUrl });
  await app.register(healthRoutes, { ctx, metricsPublic: opts.metricsPublic });
  await app.register(jobs, { ctx, retentionDays: opts.retentionDays, retentionIntervalMs: opts.retentionIntervalMs, staleCheckIntervalMs: opts.staleCheckIntervalMs });
  await app.ready();

  return {
    app,
    metrics: ctx.metrics,
    outbox: ctx.outbox,
    storage: ctx.storage,
    purgeExpired: async () => {
      await app.purgeAccounts();
      return app.jobs.purgeExpired();
    },
    checkStale: () => app.jobs.checkStale(),
    checkTokensEnding: () => app.jobs.checkTokensEnding(),
    async listen(port, host = '127.0.0.1') {
      await app.listen({ port, host });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      listenUrl = `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
      return listenUrl;
    },
    async close() {
      ctx.admission.close();
      await app.close();
    },
  };
}
