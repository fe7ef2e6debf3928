/**
 * SQLite reads off the event loop (storage/sqlite-readers.ts), against a real SQLite file and real HTTP:
 * ingest and /healthz answer while a read worker runs a slow read, and do not with reads on the main
 * connection (the same test run the other way, so it can fail); a worker killed mid-read or too slow
 * gives a clear 503 and the next read works.
 *
 * The slow read is a real one: a summary filtered by outcome (the hourly counts cannot answer it and no
 * index serves it; a file-name search now has its trigram index) over 500,000 stored events (about twice the 100 ms timeout of the test that compares them, under load), which
 * counts every event five times. Timing is only compared within one run
 * (which request finished first), never against a wall-clock figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage, type SqliteOptions } from '../../src/collector/storage/sqlite.js';

const INGEST = 'readers-ingest-token-0123456789';
const ADMIN = 'readers-admin-token-0123456789';
const STORED = 500_000;
const dir = mkdtempSync(join(tmpdir(), 'ug-readers-'));
const path = join(dir, 'events.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SLOW_READ = '/v1/admin/summary?outcome=allowed';

beforeAll(async () => {
  // Seeded by one SQL statement (the test is about reading them, and this takes a second, not a minute).
  const s = new SqliteStorage({ path, readers: false });
  const now = Date.now();
  s.db.exec(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${STORED})
    INSERT INTO events (id, time_ms, received_ms, v, user_name, device_id, browser, extension_version, service, origin, channel, file_name, verdict, action, outcome)
    SELECT 'seed-' || x, ${now} - x * 1000, ${now}, 1, 'user' || (x % 50), 'pc-' || (x % 100), 'Chrome 142', '0.1.0', 'gmail', 'https://mail.google.com',
      'file-input', 'report-' || x || '.pdf', 'clean', 'allow', 'allowed' FROM n`);
  await s.close();
}, 120_000);

async function start(readers: SqliteOptions['readers']): Promise<{ c: Collector; url: string; storage: SqliteStorage }> {
  const storage = new SqliteStorage({ path, readers });
  const c = await createCollector({
    storage,
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    ingestRateLimit: { perSecond: 0, burst: 0 },
    adminRateLimit: { perSecond: 1e6, burst: 1e6 },
  });
  return { c, url: await c.listen(0), storage };
}

const admin = (url: string, path: string) => fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } });
const ingestOne = (url: string) =>
  fetch(url + '/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [sampleEvent()] }),
  });

/**
 * Starts the slow read, then (once it is under way) sends ingest requests and /healthz one after the
 * other; returns how many of them finished before the slow read did.
 */
async function raceSlowRead(url: string): Promise<{ before: number; total: number; status: number }> {
  let readDone = false;
  const read = admin(url, SLOW_READ).then(async (r) => {
    await r.arrayBuffer();
    readDone = true;
    return r.status;
  });
  await new Promise((r) => setTimeout(r, 50));
  let before = 0;
  const total = 6;
  for (let i = 0; i < total; i++) {
    const res = i % 3 === 2 ? await fetch(url + '/healthz') : await ingestOne(url);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    if (!readDone) before++;
  }
  return { before, total, status: await read };
}

describe('SQLite read workers', () => {
  it('ingest and /healthz answer while a worker runs a slow read; on the main connection they wait for it', async () => {
    const off = await start({});
    try {
      // Warm the worker first: its start-up is not what is measured.
      expect((await admin(off.url, '/v1/admin/summary?from=1h')).status).toBe(200);
      const r = await raceSlowRead(off.url);
      expect(r.status).toBe(200);
      expect(r.before).toBe(r.total);
    } finally {
      await off.c.close();
    }
    const on = await start(false);
    try {
      const r = await raceSlowRead(on.url);
      expect(r.status).toBe(200);
      // The read holds the event loop: the first ingest request waits until it is done.
      expect(r.before).toBe(0);
    } finally {
      await on.c.close();
    }
  }, 180_000);

  it('a worker killed mid-read answers 503 with Retry-After, and the next read starts a fresh worker', async () => {
    const { c, url, storage } = await start({ size: 1 });
    try {
      expect((await admin(url, '/v1/admin/summary?from=1h')).status).toBe(200);
      const [thread] = storage.readers!.threads();
      expect(thread).toBeDefined();
      const pending = admin(url, SLOW_READ);
      await new Promise((r) => setTimeout(r, 50));
      await thread!.terminate();
      const res = await pending;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await res.json()).error).toMatch(/storage unavailable/);
      // Ingest never depended on the worker.
      expect((await ingestOne(url)).status).toBe(200);
      const again = await admin(url, '/v1/admin/events?limit=1');
      expect(again.status).toBe(200);
      expect((await again.json()).events).toHaveLength(1);
      expect(storage.readers!.threads()[0]).not.toBe(thread);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('a read slower than the timeout answers 503 at the timeout, and reads work again after', async () => {
    const { c, url } = await start({ size: 1, timeoutMs: 100 });
    try {
      // The timeout runs from when the worker has the read, not through its start-up.
      expect((await admin(url, '/v1/admin/summary?from=1h')).status).toBe(200);
      const t = performance.now();
      const res = await admin(url, SLOW_READ);
      const slowMs = performance.now() - t;
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/storage unavailable/);
      // The answer came at the timeout, not when the read would have ended (compare: the read on a
      // worker without the short timeout).
      expect((await admin(url, '/v1/admin/summary?from=1h')).status).toBe(200);
      const full = await start({ size: 1 });
      try {
        await admin(full.url, '/v1/admin/summary?from=1h');
        const t2 = performance.now();
        expect((await admin(full.url, SLOW_READ)).status).toBe(200);
        expect(slowMs).toBeLessThan(performance.now() - t2);
      } finally {
        await full.c.close();
      }
    } finally {
      await c.close();
    }
  }, 120_000);
});
