/**
 * Work on timers, beside the routes: retention (events past the retention period and the incidents
 * built from them, delivered alerts after 7 days; each run that removes anything is an audit entry, in its transaction), the stale-device watch, and the alert outbox's delivery workers. Each runs once when
 * the app is ready and then on its interval; all stop when the app closes.
 */
import { tokensEndingSoon, type EndingToken } from '../accounts/tokens-ending-soon.js';
import { appWide, type CollectorPlugin } from '../context.js';
import type { DeviceReport } from '../devices.js';
import { sqlFor } from '../incidents/sql.js';
import { IncidentStore, type IncidentPurge } from '../incidents/store.js';
import { StaleWatch } from '../stale-watch.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: {
      /** Runs retention now; returns the number of events deleted. */
      purgeExpired(): Promise<number>;
      /** Looks for devices that went stale and queues their alerts; returns the devices newly alerted. */
      checkStale(): Promise<DeviceReport[]>;
      /** Logs the tokens that end within 14 days (a warning, at most daily for the same list); returns them. */
      checkTokensEnding(): Promise<EndingToken[]>;
    };
  }
}

export interface JobOptions {
  /** Events older than this many days are purged at start and hourly; 0 or undefined keeps everything. */
  retentionDays?: number;
  retentionIntervalMs?: number;
  /** How often to look for devices that went stale, to alert through the webhook. Default 60 s. */
  staleCheckIntervalMs?: number;
}

const DELIVERED_ALERTS_KEPT_MS = 7 * 86_400_000;

/** The audit entry's names for an incident purge: incidents, incidentLinks, incidentsKeptForAlerts. */
const prefixed = (p: IncidentPurge) => ({ incidents: p.incidents, incidentLinks: p.links, incidentsKeptForAlerts: p.keptForAlerts });

export const jobs: CollectorPlugin<JobOptions> = appWide(async (app, { ctx, ...o }) => {
  const { storage, metrics, now, outbox } = ctx;
  const retentionDays = o.retentionDays ?? 0;
  const incidentStore = new IncidentStore(sqlFor(storage));

  /**
   * The events, the incidents that go with them and the run's audit entry are one transaction: an entry
   * that cannot be written (database full, audit_log locked) undoes the run, which the next one does
   * again. Before, the entry was written after the purge and, when it could not be, kept in memory
   * only: a crash then left data deleted with nothing on record (red team coll8).
   */
  async function purgeExpired(): Promise<number> {
    await storage.purgeDeliveredAlerts(now() - DELIVERED_ALERTS_KEPT_MS);
    if (!(retentionDays > 0)) return 0;
    const before = now() - retentionDays * 86_400_000;
    const retention = { retentionDays, before: new Date(before).toISOString() };
    const removed = await metrics.time('purge', () =>
      storage.purgeBefore(before, function* (events) {
        // Incidents follow their events (incidents/store.ts purge: one with an undelivered deadline alert waits).
        const incidents = yield* incidentStore.purgeTx(before);
        if (events > 0 || incidents.incidents > 0 || incidents.links > 0) {
          yield* app.accountStore.auditTx(app.auditEntry('system', 'retention.purge', { ...retention, events, ...prefixed(incidents) }));
        }
      }),
    );
    metrics.eventsPurged += removed;
    if (removed > 0) app.log.info({ removed, retentionDays }, 'retention: purged expired events');
    return removed;
  }

  /**
   * A warning in the log naming the tokens that end within 14 days, at start and then when that list
   * changes or a day after the last one: the operator learns it before a script's pull fails with 401.
   */
  let endingSaid = { key: '', ms: -Infinity };
  async function checkTokensEnding(): Promise<EndingToken[]> {
    const t = now();
    const ending = await tokensEndingSoon(app.accountStore, ctx.adminTokenExpiresMs, t);
    const key = ending.map((e) => e.id).join(',');
    if (ending.length && (key !== endingSaid.key || t - endingSaid.ms >= 86_400_000)) {
      const names = ending.map((e) => `${e.name} (${e.daysLeft} day${e.daysLeft === 1 ? '' : 's'})`).join(', ');
      app.log.warn({ tokensEndingSoon: ending }, `API tokens expiring within 14 days: ${names}; issue new ones and replace them`);
      endingSaid = { key, ms: t };
    }
    if (!ending.length) endingSaid = { key: '', ms: -Infinity };
    return ending;
  }

  const staleWatch = new StaleWatch({ storage, outbox, now, staleAfterMinutes: ctx.staleAfterMinutes, ingestTokenIds: ctx.ingestTokenIds });
  const checkStale = () => (outbox.webhook ? staleWatch.check() : Promise.resolve([]));
  app.decorate('jobs', { purgeExpired, checkStale, checkTokensEnding });

  const timers: NodeJS.Timeout[] = [];
  function every(ms: number, name: string, job: () => Promise<unknown>): void {
    const t = setInterval(() => job().catch((err) => app.log.error({ err }, `${name} failed`)), ms);
    t.unref();
    timers.push(t);
  }

  app.addHook('onReady', async () => {
    // A run refused at start (the audit log cannot be written) does not keep the collector from serving.
    await purgeExpired().catch((err) => app.log.error({ err }, 'retention purge failed: nothing purged, tried again later'));
    every(o.retentionIntervalMs ?? 3_600_000, 'retention purge', purgeExpired);
    await checkTokensEnding().catch((err) => app.log.error({ err }, 'token expiry check failed'));
    every(3_600_000, 'token expiry check', checkTokensEnding);
    if (outbox.webhook) {
      // Not awaited: the check reads the device list (a read worker, which may still be starting), and
      // the collector must not be held from serving by it.
      checkStale().catch((err) => app.log.error({ err }, 'stale device check failed'));
      every(o.staleCheckIntervalMs ?? 60_000, 'stale device check', checkStale);
    }
    outbox.start();
  });

  app.addHook('onClose', async () => {
    for (const t of timers) clearInterval(t);
    await outbox.close();
  });
});
