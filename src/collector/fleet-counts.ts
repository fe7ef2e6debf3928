/**
 * The fleet's counts per version and token (Storage.deviceGroups) read from every device record: tens of
 * milliseconds over 100,000 devices, too much for each load of the device list's first page and each
 * /metrics scrape. One count is shared until it is `ttlMs` old or a heartbeat may have moved a device
 * between groups (Storage.fleetChanges: a new device, version or token, or one back from silence), so
 * the figures shown are never older than the TTL and change at once when this collector sees a change.
 * Heartbeats stored by another collector on the same PostgreSQL show within the TTL.
 */
import type { Metrics } from './metrics.js';
import type { DeviceGroup, Storage } from './storage/types.js';

export interface FleetCountsOptions {
  storage: Storage;
  metrics: Metrics;
  now: () => number;
  staleAfterMinutes?: number;
  /** How long one count is used, ms (default 10 s; 0 counts on every call). */
  ttlMs?: number;
}

export interface Counted {
  /** The time the counts are for, epoch ms. */
  at: number;
  groups: DeviceGroup[];
}

export class FleetCounts {
  private cached: { at: number; changes: number; groups: Promise<Counted>; done?: Counted } | null = null;

  constructor(private readonly o: FleetCountsOptions) {}

  /** The groups at about `now` (never counted before `now - ttl`, nor before the last change), and when they were counted. */
  groups(now = this.o.now()): Promise<Counted> {
    const c = this.cached;
    const ttl = this.o.ttlMs ?? 10_000;
    if (c && c.changes === this.o.storage.fleetChanges && now >= c.at && now - c.at < ttl) return c.groups;
    const changes = this.o.storage.fleetChanges;
    const groups = this.o.metrics.time('devices', async () => ({ at: now, groups: await this.o.storage.deviceGroups(now, this.o.staleAfterMinutes) }));
    const entry: { at: number; changes: number; groups: Promise<Counted>; done?: Counted } = { at: now, changes, groups };
    this.cached = entry;
    groups.then((g) => (entry.done = g), () => {});
    // A failed count is not kept: the next call counts again.
    groups.catch(() => {
      if (this.cached?.groups === groups) this.cached = null;
    });
    return groups;
  }

  /**
   * For /metrics: the last count at once if it is under `maxAgeMs` old and no change was seen since; one
   * past the TTL starts a count in the background, which the next call gets. A scrape then never waits for
   * a count over every device (Prometheus samples anyway; the age of what it got is in the answer), while
   * the device list (groups) keeps its TTL. With no usable count, this counts and waits, as groups does.
   */
  async recent(maxAgeMs: number, now = this.o.now()): Promise<Counted> {
    const c = this.cached;
    const ttl = this.o.ttlMs ?? 10_000;
    // Only a finished count (one still running is waited for through groups, as before).
    if (c?.done && c.changes === this.o.storage.fleetChanges && now >= c.at && now - c.at < maxAgeMs) {
      if (now - c.at >= ttl) this.groups(now).catch(() => {});
      return c.done;
    }
    return this.groups(now);
  }
}
