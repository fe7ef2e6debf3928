/**
 * FleetCounts.recent (what /metrics uses): a scrape is answered with the last count while it is under the
 * given age and nothing moved in the fleet, a count past the TTL is redone in the background for the next
 * scrape, and past the age (or after a change) the scrape waits for a fresh count. Real SQLite storage; only
 * the number of counts is watched.
 */
import { describe, expect, it } from 'vitest';
import { sampleHeartbeat } from '../../src/events/sample.js';
import { FleetCounts } from '../../src/collector/fleet-counts.js';
import { Metrics } from '../../src/collector/metrics.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');

describe('FleetCounts.recent', () => {
  it('answers from the last count up to its age, recounts in the background past the TTL, and waits past the age or after a change', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    await storage.upsertHeartbeat({ ...sampleHeartbeat({ deviceId: 'pc-1' }) }, T0);
    let counts = 0;
    const deviceGroups = storage.deviceGroups.bind(storage);
    storage.deviceGroups = (...a) => {
      counts++;
      return deviceGroups(...a);
    };
    let now = T0;
    const fleet = new FleetCounts({ storage, metrics: new Metrics(), now: () => now, ttlMs: 10_000 });

    expect((await fleet.recent(60_000)).at).toBe(T0);
    expect(counts).toBe(1);
    now = T0 + 5_000; // within the TTL: the same count, no new one
    expect((await fleet.recent(60_000)).at).toBe(T0);
    expect(counts).toBe(1);
    now = T0 + 15_000; // past the TTL: the last count at once, and a new one started
    expect((await fleet.recent(60_000)).at).toBe(T0);
    expect(counts).toBe(2);
    await new Promise((r) => setTimeout(r, 10));
    expect((await fleet.recent(60_000)).at).toBe(T0 + 15_000);
    now = T0 + 90_000; // past the age: waits for a fresh count
    expect((await fleet.recent(60_000)).at).toBe(T0 + 90_000);
    expect(counts).toBe(3);
    // A new device moves the fleet: counted again at once, and it is in the answer.
    await storage.upsertHeartbeat({ ...sampleHeartbeat({ deviceId: 'pc-2' }) }, now);
    const after = await fleet.recent(60_000);
    expect(counts).toBe(4);
    expect(after.groups.reduce((n, g) => n + g.devices, 0)).toBe(2);
    await storage.close();
  });
});
