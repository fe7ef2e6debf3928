/**
 * Health and metrics:
 *   GET /healthz   none          liveness: the process answers ({status: "ok"})
 *   GET /readyz    none          readiness: the database answers within 2 s and no write failed for want of space in the last 30 s (else 503)
 *   GET /metrics   admin token   Prometheus text (public with metricsPublic)
 */
import { AccountStore } from '../accounts/store.js';
import { tokensEndingSoon } from '../accounts/tokens-ending-soon.js';
import type { CollectorPlugin } from '../context.js';
import { fleetTotals } from '../devices.js';
import { DISK_FULL_RETRY_S } from './errors.js';

const READY_TIMEOUT_MS = 2_000;
/** The oldest device count a scrape is answered with. */
const SCRAPE_COUNT_MAX_AGE_MS = 60_000;

export const healthRoutes: CollectorPlugin<{ metricsPublic?: boolean }> = async (app, { ctx, metricsPublic }) => {
  const { storage, metrics, now } = ctx;
  const accounts = AccountStore.of(storage);

  // No storage details, counts or versions: these endpoints are unauthenticated.
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    // A database that answers but cannot store: not ready until a while after the last refused write.
    if (now() - ctx.diskFull.lastMs < DISK_FULL_RETRY_S * 1000) {
      return reply.code(503).header('retry-after', String(DISK_FULL_RETRY_S)).send({ status: 'not ready', error: 'the disk is full: writes fail' });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([storage.ping(), timeout]);
      return { status: 'ready' };
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'not ready', error: 'the database does not answer' });
    } finally {
      clearTimeout(timer);
    }
  });

  // Device counts for a Prometheus rule on stale devices, counted by the database and shared (fleet-counts.ts).
  // A scrape takes the last count if under a minute old and starts the next in the background, so it never
  // waits for a count over every device; the count's age is in the answer.
  const deviceCounts = async () => {
    const c = await ctx.fleet.recent(SCRAPE_COUNT_MAX_AGE_MS, now());
    return { counts: fleetTotals(c.groups).counts, at: c.at };
  };

  // The first scrape after a start finds a count too: counted now, in the background (a read worker on SQLite).
  // A stop right after the start closes the database under that count: its failure then is no news.
  let closing = false;
  app.addHook('preClose', async () => void (closing = true));
  app.addHook('onReady', async () => {
    ctx.fleet.groups(now()).catch((err) => closing || app.log.warn({ err }, 'device count at start failed'));
  });

  app.get('/metrics', { onRequest: metricsPublic ? [] : app.requireToken('admin') }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    const [outbox, devices, ending] = await Promise.all([ctx.outbox.status(), deviceCounts(), tokensEndingSoon(accounts, ctx.adminTokenExpiresMs, now())]);
    const spool = app.auditSpoolStatus();
    return metrics.render({ storageKind: storage.kind, outbox, now: now(), devices: devices.counts, devicesCountedAt: devices.at, tokensEnding: ending.map((t) => t.daysLeft), auditSpool: { waiting: spool.waiting.length, refused: spool.refused.length } });
  });
};
