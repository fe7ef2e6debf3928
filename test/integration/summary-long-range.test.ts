/**
 * Red team G3: `summary?tz=America/New_York&from=0001-01-01&to=9999-12-31` walked 10,000 years a day at a
 * time on the event loop and then ran one query per DST stretch (~20,000): the collector answered
 * nothing, ingest included, for 15-60 s. Now the walk covers only the years holding events, so the
 * request answers at once, counts the same as a short range, and ingest is served meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'ingest-token-for-tests-0123456789';
const ADMIN = 'admin-token-for-tests-9876543210';

describe('a summary over any range a query can name (SQLite)', () => {
  let c: Collector;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-longrange-'));
    c = await createCollector({
      storage: new SqliteStorage({ path: join(dir, 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      ingestRateLimit: { perSecond: 1000, burst: 1000 },
      adminRateLimit: { perSecond: 1000, burst: 1000 },
      timeWindow: false,
    });
    url = await c.listen(0);
    // Either side of New York's autumn change: 11/01 01:30 EDT and 11/01 01:30 EST, 11/04 23:30 EST.
    const events = ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-05T04:30:00Z'].map((time) => sampleEvent({ time }));
    const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers fast, counts by local day, and ingest is not held up', async () => {
    // The event loop's longest stall while the summaries run (three at once, as the red team sent them).
    let last = performance.now();
    let stall = 0;
    const timer = setInterval(() => {
      const t = performance.now();
      stall = Math.max(stall, t - last);
      last = t;
    }, 5);
    const started = performance.now();
    const q = '/v1/admin/summary?tz=America/New_York&from=0001-01-01&to=9999-12-31';
    const summaries = [0, 1, 2].map(() => fetch(url + q, { headers: { authorization: `Bearer ${ADMIN}` } }));
    const ingest = fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [sampleEvent({ time: '2026-11-07T05:10:00Z' })] }),
    }).then((r) => ({ status: r.status, ms: performance.now() - started }));
    const answers = await Promise.all(summaries);
    const stored = await ingest;
    clearInterval(timer);
    const took = performance.now() - started;
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(stored.status).toBe(200);
    // Generous for a shared, loaded machine: the unbounded walk took 15-60 s.
    expect(took).toBeLessThan(5000);
    expect(stored.ms).toBeLessThan(5000);
    expect(stall).toBeLessThan(2000);
    const s = (await answers[0]!.json()) as { total: number; byDay: { day: string; count: number }[] };
    const short = (await (await fetch(`${url}/v1/admin/summary?tz=America/New_York&from=2026-10-01&to=2026-12-01`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as typeof s;
    expect(s.byDay).toEqual(short.byDay);
    expect(s.total).toBe(short.total);
    expect(Object.fromEntries(short.byDay.map((d) => [d.day, d.count]))).toMatchObject({ '2026-11-01': 2, '2026-11-04': 1 });
  }, 120_000);
});
