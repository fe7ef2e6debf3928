/**
 * A sync batch links its events in a handful of statements, not four per event (red team coll9: under a
 * 10× admin burst on PostgreSQL the incident list, which brings incidents up to date before it answers,
 * had a p99 of 3.6 s; a catch-up of 2,000 events was 8,000 statements, each a round trip, measured at
 * 7.2 s on a loaded machine, and every list request waited for it). The incidents it makes hold the same
 * counts, kinds, first and last times, deadline start and latest PC name as one event at a time gave,
 * also for incidents an earlier sync made. SQLite; PostgreSQL with UPLOAD_GUARD_TEST_PG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlFor, type Sql, type TxWork } from '../../src/collector/incidents/sql.js';
import { IncidentStore } from '../../src/collector/incidents/store.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { testBackends } from '../support/backends.js';

const GROUPS = 30;

/** The back end's own Sql, counting the statements each transaction runs (every one is run, unchanged). */
function counting(sql: Sql): { sql: Sql; perTx: number[] } {
  const perTx: number[] = [];
  return {
    perTx,
    sql: {
      ...sql,
      tx<T>(work: TxWork<T>) {
        const i = perTx.push(0) - 1;
        function* counted(): TxWork<T> {
          for (let r = work.next(); ; ) {
            if (r.done) return r.value;
            perTx[i]!++;
            r = work.next(yield r.value);
          }
        }
        return sql.tx(counted());
      },
    },
  };
}

describe.each(testBackends('incstmts'))('incident sync statements ($name)', (backend) => {
  let storage: Storage;
  const base = Date.parse('2026-11-20T00:00:00Z');
  const made: ReturnType<typeof sampleEvent>[] = [];
  const receivedMs = new Map<string, number>();
  beforeAll(async () => {
    storage = await backend.open();
  }, 60_000);
  afterAll(async () => storage && backend.cleanup(storage));

  const add = async (n: number, from: number, at: number) => {
    const events = Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return sampleEvent({
        action: i % 3 === 0 ? 'block' : 'warn',
        outcome: i % 3 === 0 ? 'blocked' : 'proceeded',
        user: `user-${i % GROUPS}@example.co.jp`,
        sha256: (i % GROUPS).toString(16).padStart(2, '0').repeat(32),
        // Same local day for a group, times out of order within it.
        time: new Date(base + ((i * 7919) % 36_000) * 1000).toISOString(),
        deviceName: i % 4 === 0 ? null : `PC-${i}`,
      });
    });
    await storage.insertEvents(events, at);
    for (const e of events) receivedMs.set(e.id, at);
    made.push(...events);
  };

  it('one batch of 500 events is at most 7 statements, and the incidents hold what one event at a time gave', async () => {
    // An earlier sync made the incidents of a first few events; the batch then joins and makes them.
    for (let b = 0; b < 2; b++) await add(20, b * 20, base + 86_400_000 + b);
    const c = counting(sqlFor(storage));
    const store = new IncidentStore(c.sql);
    expect(await store.sync('UTC', base + 2 * 86_400_000, 500)).toBe(40);
    for (let b = 0; b < 10; b++) await add(50, 40 + b * 50, base + 86_400_000 + 10 + b);
    c.perTx.length = 0;
    expect(await store.sync('UTC', base + 2 * 86_400_000, 500)).toBe(500);
    // The batch's transaction, then one that finds nothing left.
    expect(c.perTx[0]).toBeLessThanOrEqual(7);

    const rows = await c.sql.all<Record<string, unknown>>(`SELECT * FROM ${c.sql.t('incidents')} ORDER BY user_name`);
    expect(rows).toHaveLength(GROUPS);
    for (const r of rows) {
      const mine = made.filter((e) => e.user === r.user_name);
      // In the order sync reads them (arrival, then id), as the PC name of the latest is kept.
      mine.sort((x, y) => receivedMs.get(x.id)! - receivedMs.get(y.id)! || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      const times = mine.map((e) => Date.parse(e.time));
      expect(Number(r.event_count)).toBe(mine.length);
      expect(Number(r.opened_ms)).toBe(Math.min(...times));
      expect(Number(r.last_ms)).toBe(Math.max(...times));
      expect(Number(r.due_from_ms)).toBe(Math.min(...mine.map((e) => receivedMs.get(e.id)!)));
      expect(String(r.kinds).split(',').sort()).toEqual([...new Set(mine.map((e) => (e.action === 'block' ? 'block' : 'proceeded')))].sort());
      const named = mine.filter((e) => e.deviceName);
      expect(r.device_name).toBe(named.at(-1)?.deviceName ?? null);
    }
    const [{ n }] = await c.sql.all<{ n: number | string }>(`SELECT count(*) AS n FROM ${c.sql.t('incident_events')}`);
    expect(Number(n)).toBe(540);
  }, 60_000);
});
