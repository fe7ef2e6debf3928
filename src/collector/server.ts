/**
 * The collector's HTTP server: ingest (extension → collector), the admin API, the admin page,
 * health and metrics. Built with Fastify; every route but /healthz and the admin page's static shell
 * needs a bearer token of the right kind.
 *
 *   POST /v1/events          ingest token   {events: UploadEvent[]} → {accepted, duplicates}
 *   POST /v1/heartbeat       ingest token   Heartbeat → 204
 *   GET  /v1/admin/events    admin token    one page: filters, sort, limit, cursor, format
 *   GET  /v1/admin/export    admin token    every matching event, streamed (csv default)
 *   GET  /v1/admin/summary   admin token    counts per service, day, verdict, action
 *   GET  /v1/admin/devices   admin token    devices: status (active/stale), warnings, versions, counts
 *   GET  /extension/…        ingest token   update manifests and packages (header or ?token=), see packages.ts
 *   GET  /healthz            none           {status: "ok"}
 *   GET  /metrics            admin token    Prometheus text (public with metricsPublic)
 *   GET  /admin/             none           the admin page (it signs in with an admin token)
 */
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CONTENT_TYPES, ExportEncoder, toCsv, toNdjson, type ExportFormat } from '../events/encode.js';
import { HeartbeatSchema, IngestBatchSchema, describeIssues } from '../events/schema.js';
import { ADMIN_CSP, API_CSP, loadAdminAssets } from './admin-assets.js';
import { Alerts, type AlertOptions } from './alerts/index.js';
import { TokenSet, authorizeToken, bearer, queryToken, tokenId, type Scope } from './auth.js';
import { devicesCsv, fleetReport, type DeviceReport } from './devices.js';
import { StaleWatch } from './stale-watch.js';
import { Metrics } from './metrics.js';
import { PackageStore, normalizePublicUrl, registerPackageRoutes } from './packages.js';
import { parseAdminQuery, parseDeviceQuery, type AdminQuery } from './query-params.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { BadCursorError } from './storage/sql.js';
import type { Storage } from './storage/types.js';

export interface CollectorOptions {
  storage: Storage;
  /** Accepted ingest tokens; the first is the current one (the others are accepted during a rotation). */
  ingestTokens: readonly string[];
  adminTokens: readonly string[];
  /** Request body cap for ingest, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Per client (token + IP) on /v1/events and /v1/heartbeat. Default 50/s, burst 100. */
  ingestRateLimit?: RateLimitOptions;
  /** Per client on the admin API. Default 50/s, burst 200. */
  adminRateLimit?: RateLimitOptions;
  /** Events older than this many days are purged at start and hourly; 0 or undefined keeps everything. */
  retentionDays?: number;
  retentionIntervalMs?: number;
  /** How often to look for devices that went stale, to alert through the webhook. Default 60 s. */
  staleCheckIntervalMs?: number;
  alerts?: AlertOptions;
  /** Serve /metrics without a token (for a scraper on a private network). Default false. */
  metricsPublic?: boolean;
  /** Trust X-Forwarded-For from a load balancer for the client IP used in rate limiting. */
  trustProxy?: boolean;
  /** Fastify's logger (default off; the CLI turns it on). */
  logger?: boolean;
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
   * Default: from the request (protocol and Host; with trustProxy, X-Forwarded-Proto and -Host).
   */
  publicUrl?: string;
}

export interface Collector {
  app: FastifyInstance;
  metrics: Metrics;
  alerts: Alerts;
  storage: Storage;
  /** Runs retention now; returns the number of events deleted. */
  purgeExpired(): Promise<number>;
  /** Looks for devices that went stale since the last look and alerts on them; returns them. */
  checkStale(): Promise<DeviceReport[]>;
  /** Listens; returns the base URL, e.g. http://127.0.0.1:8787. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const EXPORT_MAX_ROWS = 5_000_000;

export async function createCollector(opts: CollectorOptions): Promise<Collector> {
  if (opts.ingestTokens.filter(Boolean).length === 0) throw new Error('at least one ingest token is required');
  if (opts.adminTokens.filter(Boolean).length === 0) throw new Error('at least one admin token is required');
  const shared = opts.ingestTokens.filter((t) => opts.adminTokens.includes(t));
  if (shared.length) throw new Error('ingest and admin tokens must differ');

  const { storage } = opts;
  const now = opts.now ?? Date.now;
  const metrics = new Metrics();
  const alerts = new Alerts(opts.alerts ?? {}, metrics);
  const tokens: Record<Scope, TokenSet> = { ingest: new TokenSet(opts.ingestTokens), admin: new TokenSet(opts.adminTokens) };
  // During a rotation several ingest tokens are accepted; the first is the current one (see devices.ts).
  const ingestTokenIds = opts.ingestTokens.filter(Boolean).map(tokenId);
  const limiters: Record<Scope, RateLimiter> = {
    ingest: new RateLimiter(opts.ingestRateLimit ?? { perSecond: 50, burst: 100 }),
    admin: new RateLimiter(opts.adminRateLimit ?? { perSecond: 50, burst: 200 }),
  };
  const bodyLimit = opts.bodyLimit ?? MiB;
  const staleAfterMinutes = opts.staleAfterMinutes;
  if (staleAfterMinutes !== undefined && !(Number.isInteger(staleAfterMinutes) && staleAfterMinutes >= 1)) {
    throw new Error('staleAfterMinutes must be a positive integer');
  }
  const publicUrl = opts.publicUrl ? normalizePublicUrl(opts.publicUrl) : undefined;

  const app = Fastify({
    logger: opts.logger
      ? {
          level: 'info',
          // Package requests carry the ingest token in the query (updaters cannot send headers): never log it.
          serializers: {
            req: (req: { method: string; url: string; ip?: string }) => ({
              method: req.method,
              url: req.url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]'),
              remoteAddress: req.ip,
            }),
          },
        }
      : false,
    bodyLimit,
    trustProxy: opts.trustProxy ?? false,
    // Prototype-poisoning keys in JSON bodies are refused outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });

  // Only JSON bodies: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');

  // --- headers on every response -------------------------------------------------------------
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('cache-control', 'no-store');
    reply.header('content-security-policy', req.url.startsWith('/admin') ? ADMIN_CSP : API_CSP);
    return payload;
  });

  // --- errors: JSON, clear, and never a stack trace ----------------------------------------------
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const isIngest = req.url.startsWith('/v1/events') || req.url.startsWith('/v1/heartbeat');
    if (isIngest) metrics.batchesRejected++;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: `request body too large: at most ${bodyLimit} bytes` });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'content-type must be application/json' });
    }
    if (err instanceof BadCursorError) return reply.code(400).send({ error: err.message, errors: [err.message] });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 400) return reply.code(400).send({ error: `malformed request body: ${err.message}` });
    if (status === 500) req.log.error(err);
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  // --- auth + rate limit ----------------------------------------------------------------------
  /** The request's token: the Authorization header, or (where allowed) the `token` query parameter. */
  function tokenOf(req: FastifyRequest, allowQuery = false): string | null {
    return bearer(req.headers.authorization) ?? (allowQuery ? queryToken(req.query) : null);
  }

  function guard(scope: Scope, allowQueryToken = false) {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const token = tokenOf(req, allowQueryToken);
      const auth = authorizeToken(token, scope, tokens);
      // Valid tokens get a bucket per IP and token (one flooding client does not starve others behind
      // the same NAT); every refused request from an IP shares one bucket, so rotating made-up tokens
      // does not escape the limit and token guessing is throttled too.
      const key = auth.ok ? `${req.ip}|${tokenId(token ?? '')}` : `${req.ip}|refused`;
      const wait = limiters[scope].take(key);
      if (wait > 0) {
        metrics.rateLimited++;
        return reply.code(429).header('retry-after', String(wait)).send({ error: 'too many requests' });
      }
      if (!auth.ok) {
        metrics.authFailures++;
        if (auth.status === 401) reply.header('www-authenticate', 'Bearer');
        const error = token === null && allowQueryToken ? 'missing token: send Authorization: Bearer <token> or ?token=<token>' : auth.error;
        return reply.code(auth.status).send({ error });
      }
    };
  }

  // --- ingest ---------------------------------------------------------------------------------
  app.post('/v1/events', { onRequest: guard('ingest') }, async (req, reply) => {
    const body = req.body as { events?: unknown } | null;
    const parsed = IngestBatchSchema.safeParse(body);
    if (!parsed.success) {
      metrics.batchesRejected++;
      metrics.eventsRejected += Array.isArray(body?.events) ? body.events.length : 0;
      const errors = describeIssues(parsed.error);
      // Nothing from a batch with any invalid event is stored: the extension fixes or drops the
      // offending event and resends, and no half-batch ever needs reconciling.
      return reply.code(400).send({ error: errors[0], errors });
    }
    const result = await metrics.time('insert', () => storage.insertEvents(parsed.data.events, now()));
    metrics.eventsIngested += result.accepted;
    metrics.eventsDuplicate += result.duplicates;
    alerts.publish(result.inserted);
    return { accepted: result.accepted, duplicates: result.duplicates };
  });

  app.post('/v1/heartbeat', { onRequest: guard('ingest'), bodyLimit: 16 * 1024 }, async (req, reply) => {
    const parsed = HeartbeatSchema.safeParse(req.body);
    if (!parsed.success) {
      metrics.batchesRejected++;
      const errors = describeIssues(parsed.error);
      return reply.code(400).send({ error: errors[0], errors });
    }
    const stored = { ...parsed.data, tokenId: tokenId(tokenOf(req, false) ?? '') };
    await metrics.time('heartbeat', () => storage.upsertHeartbeat(stored, now()));
    metrics.heartbeats++;
    return reply.code(204).send();
  });

  // --- admin API ------------------------------------------------------------------------------
  function adminQuery(req: FastifyRequest, reply: FastifyReply, defaultLimit?: number): AdminQuery | null {
    const r = parseAdminQuery(req.query as Record<string, unknown>, defaultLimit);
    if (!r.ok) {
      void reply.code(400).send({ error: r.errors[0], errors: r.errors });
      return null;
    }
    return r.value;
  }

  /** `format=` wins; otherwise the Accept header; otherwise `fallback`. */
  function negotiate(req: FastifyRequest, format: ExportFormat | undefined, fallback: ExportFormat): ExportFormat {
    if (format) return format;
    const accept = req.headers.accept ?? '';
    if (/text\/csv/.test(accept)) return 'csv';
    if (/application\/(x-)?ndjson/.test(accept)) return 'ndjson';
    if (/application\/json/.test(accept)) return 'json';
    return fallback;
  }

  app.get('/v1/admin/events', { onRequest: guard('admin') }, async (req, reply) => {
    const q = adminQuery(req, reply);
    if (!q) return reply;
    const page = await metrics.time('query', () => storage.queryEvents(q.query));
    const format = negotiate(req, q.format, 'json');
    if (page.nextCursor) {
      reply.header('x-next-cursor', page.nextCursor);
    }
    reply.type(CONTENT_TYPES[format]);
    if (format === 'json') return page;
    if (format === 'ndjson') return toNdjson(page.events);
    return toCsv(page.events, { bom: true });
  });

  app.get('/v1/admin/export', { onRequest: guard('admin') }, async (req, reply) => {
    const q = adminQuery(req, reply, 1000);
    if (!q) return reply;
    const format = negotiate(req, q.format, 'csv');
    const stamp = new Date(now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
    reply.type(CONTENT_TYPES[format]);
    reply.header('content-disposition', `attachment; filename="upload-guard-events-${stamp}.${format}"`);
    const query = { ...q.query, limit: 1000 };
    // Pages are fetched one at a time as the client reads, so memory stays flat however large the export.
    async function* rows(): AsyncGenerator<string> {
      const enc = new ExportEncoder(format);
      const head = enc.start();
      if (head) yield head;
      let cursor = q!.query.cursor ?? null;
      do {
        const page = await metrics.time('query', () => storage.queryEvents({ ...query, cursor }));
        const chunk = enc.page(page.events);
        if (chunk) yield chunk;
        cursor = page.nextCursor;
      } while (cursor && enc.count < EXPORT_MAX_ROWS);
      const tail = enc.end();
      if (tail) yield tail;
    }
    return reply.send(Readable.from(rows()));
  });

  app.get('/v1/admin/summary', { onRequest: guard('admin') }, async (req, reply) => {
    const q = adminQuery(req, reply);
    if (!q) return reply;
    return metrics.time('summary', () => storage.summary(q.filter, q.tz));
  });

  app.get('/v1/admin/devices', { onRequest: guard('admin') }, async (req, reply) => {
    const q = parseDeviceQuery(req.query as Record<string, unknown>);
    if (!q.ok) return reply.code(400).send({ error: q.errors[0], errors: q.errors });
    const rows = await metrics.time('devices', () => storage.devices());
    const report = fleetReport(rows, now(), q.value.filter, staleAfterMinutes, ingestTokenIds);
    const format = q.value.format ?? (/text\/csv/.test(req.headers.accept ?? '') ? 'csv' : 'json');
    if (format === 'csv') {
      const stamp = new Date(now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
      reply.type(CONTENT_TYPES.csv);
      reply.header('content-disposition', `attachment; filename="upload-guard-devices-${stamp}.csv"`);
      return devicesCsv(report.devices);
    }
    return report;
  });

  // --- extension packages (update manifests, CRX, XPI) ---------------------------------------------------
  registerPackageRoutes(app, {
    store: opts.packagesDir ? new PackageStore(opts.packagesDir) : null,
    publicUrl,
    guard: guard('ingest', true),
    tokenOf: (req) => tokenOf(req, true) ?? '',
    metrics,
  });

  // --- health and metrics -----------------------------------------------------------------------
  // No storage details, counts or versions: this endpoint is unauthenticated.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Device counts for a Prometheus rule on stale devices. Counting reads every device (about 0.2 s for
  // 20,000, npm run bench), so scrapes share one count for 30 s.
  let counted: { at: number; counts: { active: number; stale: number } } | null = null;
  async function deviceCounts(): Promise<{ active: number; stale: number }> {
    if (!counted || now() - counted.at >= 30_000 || now() < counted.at) {
      counted = { at: now(), counts: fleetReport(await storage.devices(), now(), {}, staleAfterMinutes, ingestTokenIds).counts };
    }
    return counted.counts;
  }

  app.get('/metrics', { onRequest: opts.metricsPublic ? [] : guard('admin') }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render({ storageKind: storage.kind, alertQueue: alerts.length, devices: await deviceCounts() });
  });

  // --- admin page ---------------------------------------------------------------------------------
  // Browsers ask for it on every page; answer without a body rather than log a 404.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/admin', async (_req, reply) => reply.redirect('/admin/'));
  app.get('/admin/', async (_req, reply) => reply.type('text/html; charset=utf-8').send((await loadAdminAssets()).html));
  app.get('/admin/app.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send((await loadAdminAssets()).js));
  app.get('/admin/app.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send((await loadAdminAssets()).css));

  // --- retention ----------------------------------------------------------------------------------
  const retentionDays = opts.retentionDays ?? 0;
  async function purgeExpired(): Promise<number> {
    if (!(retentionDays > 0)) return 0;
    const removed = await metrics.time('purge', () => storage.purgeBefore(now() - retentionDays * 86_400_000));
    metrics.eventsPurged += removed;
    if (removed > 0) app.log.info({ removed, retentionDays }, 'retention: purged expired events');
    return removed;
  }
  // --- devices going stale: an alert as it happens (the Devices view lists them anyway) ------------------
  const staleWatch = new StaleWatch({ storage, now, staleAfterMinutes, ingestTokenIds, onStale: (d) => alerts.publishStale(d) });
  const checkStale = () => staleWatch.check();
  let staleTimer: NodeJS.Timeout | null = null;
  if (opts.alerts?.webhookUrl) {
    await checkStale(); // takes stock: what was stale before this start is not news
    staleTimer = setInterval(() => {
      checkStale().catch((err) => app.log.error(err, 'stale device check failed'));
    }, opts.staleCheckIntervalMs ?? 60_000);
    staleTimer.unref();
  }

  let retentionTimer: NodeJS.Timeout | null = null;
  if (retentionDays > 0) {
    await purgeExpired();
    retentionTimer = setInterval(() => {
      purgeExpired().catch((err) => app.log.error(err, 'retention purge failed'));
    }, opts.retentionIntervalMs ?? 3_600_000);
    retentionTimer.unref();
  }

  return {
    app,
    metrics,
    alerts,
    storage,
    purgeExpired,
    checkStale,
    async listen(port, host = '127.0.0.1') {
      await app.listen({ port, host });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
    },
    async close() {
      if (retentionTimer) clearInterval(retentionTimer);
      if (staleTimer) clearInterval(staleTimer);
      await app.close();
      alerts.close();
    },
  };
}

