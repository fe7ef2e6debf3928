/**
 * Red team G6: a device's event budget admitted any batch while one token was left and went into debt by
 * the rest, and duplicates were charged like new events: resending 1,000 already-stored events under a
 * device's id kept that device's real events refused (29 of 30 got 429). Now a batch must fit the budget,
 * duplicates are given back after the insert, and a refused batch costs nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { RateLimiter } from '../../src/collector/rate-limit.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'ingest-token-for-dup-budget-0123456789';

describe('RateLimiter', () => {
  it('admits a cost only when the bucket holds it, and takes back what is given', () => {
    let t = 0;
    const l = new RateLimiter({ perSecond: 10, burst: 100 }, () => t);
    expect(l.take('d', 60)).toBe(0);
    // 40 left: a batch of 60 waits (2 s at 10/s) instead of driving the bucket to -20.
    expect(l.take('d', 60)).toBe(2);
    l.give('d', 60);
    expect(l.take('d', 100)).toBe(0);
    expect(l.take('d', 1)).toBe(1);
    // A cost above the burst passes from a full bucket only.
    t += 10_000;
    expect(l.take('d', 150)).toBe(0);
    expect(l.take('d', 1)).toBeGreaterThan(0);
  });
});

describe('duplicates do not spend a device budget (SQLite)', () => {
  let c: Collector;
  let url: string;
  let dir: string;
  const post = (events: unknown[]) =>
    fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-dupbudget-'));
    // One event a second per device, 2,000 in a burst (two batches): what a refill cannot hide.
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: ['admin-token-for-dup-budget-0123456789'], ingestRateLimit: { perSecond: 1, burst: 100 }, timeWindow: false });
    url = await c.listen(0);
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("1,000 stored events resent five times under the device's id leave its new events admitted", async () => {
    const device = 'victim-device-0001';
    const batch = Array.from({ length: 1000 }, (_, i) => sampleEvent({ deviceId: device, time: new Date(Date.parse('2026-11-01T00:00:00Z') + i).toISOString() }));
    expect((await post(batch)).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const r = await post(batch);
      expect(r.status, `resend ${i}`).toBe(200);
      expect(await r.json()).toEqual({ accepted: 0, duplicates: 1000 });
    }
    const real = await post([sampleEvent({ deviceId: device, action: 'warn', outcome: 'proceeded', justification: '自宅で作業するため' })]);
    expect(real.status).toBe(200);
    expect(await real.json()).toEqual({ accepted: 1, duplicates: 0 });
  });
});
