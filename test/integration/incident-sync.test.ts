/**
 * Building incidents from a backlog (SQLite; PostgreSQL with UPLOAD_GUARD_TEST_PG): a collector that
 * starts over many stored blocks links them in batches, one transaction each, and lets the event loop
 * run between batches, so it keeps answering requests while it catches up (a stall of over a minute was
 * seen over 1 M events when every statement was its own transaction and the loop never turned).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { IncidentStore } from '../../src/collector/incidents/store.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { testBackends } from '../support/backends.js';

const USERS = 40;
const EVENTS = 1_200;

describe.each(testBackends('incsync'))('incident sync over a backlog ($name)', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await backend.open();
    const events = Array.from({ length: EVENTS }, (_, i) =>
      sampleEvent({ time: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T03:00:00Z`, user: `user-${i % USERS}@example.co.jp`, sha256: (i % 7).toString(16).repeat(64) }),
    );
    for (let i = 0; i < events.length; i += 200) await storage.insertEvents(events.slice(i, i + 200), Date.parse('2026-11-30T00:00:00Z') + i);
  }, 60_000);
  afterAll(async () => storage && backend.cleanup(storage));

  it('links every event once, in batches, with the event loop turning between them', async () => {
    const store = new IncidentStore(sqlFor(storage));
    // Turns of the event loop that happen while sync runs: each batch boundary lets at least one in.
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const linked = await store.sync('Asia/Tokyo', Date.parse('2026-12-01T00:00:00Z'), 100);
    spinning = false;
    expect(linked).toBe(EVENTS);
    expect(turns).toBeGreaterThanOrEqual(EVENTS / 100 - 1);
    const sql = sqlFor(storage);
    const [{ n, total }] = await sql.all<{ n: number | string; total: number | string }>(`SELECT count(*) AS n, sum(event_count) AS total FROM ${sql.t('incidents')}`);
    // user × file × day: i mod 40, i mod 7, i mod 28 → lcm(40, 7, 28) = 280 distinct groups.
    expect(Number(n)).toBe(280);
    expect(Number(total)).toBe(EVENTS);
    // A second run finds nothing new (the watermark moved with each batch's transaction).
    expect(await store.sync('Asia/Tokyo', Date.parse('2026-12-01T00:00:00Z'), 100)).toBe(0);
  }, 60_000);
});

/**
 * Two collectors on one PostgreSQL database catching up on the same backlog at the same moment: each
 * batch locks the events it reads and skips those the other holds, and links in incident-key order, so
 * neither waits on nor deadlocks with the other, and every event is linked and counted exactly once.
 */
describe.each(testBackends('incsync2').filter((b) => b.name === 'postgres'))('two collectors syncing one backlog at once ($name)', (backend) => {
  it('links every event once between them, without a deadlock', async () => {
    const a = (await backend.open()) as PostgresStorage;
    const b = await PostgresStorage.open({ connectionString: process.env.UPLOAD_GUARD_TEST_PG!, schema: a.schema, poolSize: 4 });
    try {
      const events = Array.from({ length: EVENTS }, (_, i) =>
        sampleEvent({ time: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T03:00:00Z`, user: `user-${i % USERS}@example.co.jp`, sha256: (i % 7).toString(16).repeat(64) }),
      );
      for (let i = 0; i < events.length; i += 200) await a.insertEvents(events.slice(i, i + 200), Date.parse('2026-11-30T00:00:00Z') + i);
      const now = Date.parse('2026-12-01T00:00:00Z');
      const [la, lb] = await Promise.all([new IncidentStore(sqlFor(a)).sync('Asia/Tokyo', now, 50), new IncidentStore(sqlFor(b)).sync('Asia/Tokyo', now, 50)]);
      // Whatever either left (a batch it found all locked ends its run early) the next sync takes.
      const rest = await new IncidentStore(sqlFor(a)).sync('Asia/Tokyo', now, 50);
      expect(la + lb + rest).toBe(EVENTS);
      const sql = sqlFor(a);
      const [{ n, total }] = await sql.all<{ n: number | string; total: number | string }>(`SELECT count(*) AS n, sum(event_count) AS total FROM ${sql.t('incidents')}`);
      expect(Number(n)).toBe(280);
      expect(Number(total)).toBe(EVENTS);
      const [{ left }] = await sql.all<{ left: number | string }>(`SELECT count(*) AS left FROM ${sql.t('events')} WHERE incident_linked = 0`);
      expect(Number(left)).toBe(0);
    } finally {
      await b.close();
      await backend.cleanup(a);
    }
  }, 60_000);
});
