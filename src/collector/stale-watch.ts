/**
 * Tamper evidence that comes to the admin: notices when a device goes silent (extension removed or
 * disabled, browser kept off the policy, machine off) and reports it once, through the alert webhook.
 * The Devices view and the API list the same devices; this only says "it just happened".
 *
 * "Once" is kept by the database, not in memory: the alert for a silence is keyed by the device and its
 * last heartbeat, so a restart, a second collector or a check that runs twice queues it once, and a
 * device that went silent while the collector was down is reported when it is back. Devices already
 * silent when the watch first ran (the first start of a collector that has alerts) are old news and are
 * not reported.
 */
import type { AlertOutbox } from './alerts/outbox.js';
import { byUserInTurn } from './alerts/webhook.js';
import { deviceReport, type DeviceReport, type IngestTokenIds } from './devices.js';
import type { Storage } from './storage/types.js';

export interface StaleWatchOptions {
  storage: Storage;
  outbox: AlertOutbox;
  now: () => number;
  staleAfterMinutes?: number;
  ingestTokenIds?: IngestTokenIds;
}

export class StaleWatch {
  constructor(private readonly o: StaleWatchOptions) {}

  /** Queues an alert for each device that went stale since the watch began and was not yet alerted; returns those devices. */
  async check(): Promise<DeviceReport[]> {
    const since = Number(await this.o.storage.metaOnce('stale-watch-since', String(this.o.now())));
    const now = this.o.now();
    const news: DeviceReport[] = [];
    // The stale devices only, a page at a time, filtered and ordered by the database.
    let cursor: string | null = null;
    do {
      const page = await this.o.storage.devicePage({ filter: { status: 'stale' }, now, staleAfterMinutes: this.o.staleAfterMinutes, limit: 1000, cursor });
      for (const row of page.devices) {
        const d = deviceReport(row, now, this.o.staleAfterMinutes, this.o.ingestTokenIds);
        if (d.status === 'stale' && Date.parse(d.lastSeen) + d.staleAfterMinutes * 60_000 >= since) news.push(d);
      }
      cursor = page.nextCursor;
    } while (cursor);
    // One post per device up to STALE_ALERTS_PER_CHECK, the rest in one digest: heartbeats for 1,000
    // made-up device ids became 636 chat posts when they went stale, burying the one real "extension
    // removed" among them (red team G7). Devices heard from over a while come first, so a real PC
    // keeps its own post; the order is the same at every check, so the same devices get the posts.
    // Within each of the two (heard from a while, the rest), one device per user in turn, so one user's
    // many devices cannot take every post (red team L5).
    const sorted = news
      .map((d) => ({ ...d, lastSeenMs: Date.parse(d.lastSeen) }))
      .sort((a, b) => a.lastSeenMs - b.lastSeenMs || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
    const ordered = [...byUserInTurn(sorted.filter(established)), ...byUserInTurn(sorted.filter((d) => !established(d)))];
    const queued = await this.o.outbox.publishStale(ordered.slice(0, STALE_ALERTS_PER_CHECK), ordered.slice(STALE_ALERTS_PER_CHECK));
    return queued ? news : [];
  }
}

/** Devices posted one by one per check; more go into one digest alert. */
export const STALE_ALERTS_PER_CHECK = 20;

/** Heard from for an hour or more before going silent (a made-up id sent once was not). */
const established = (d: DeviceReport & { lastSeenMs: number }) => d.lastSeenMs - Date.parse(d.firstSeen) >= 3_600_000;
