/**
 * Concurrent ingest on real PostgreSQL: batches stored at the same moment must never deadlock.
 *
 * Found by `npm run bench -- collector` (read part): with four clients ingesting while an admin read,
 * the collector answered HTTP 500 "deadlock detected" (40P01, "while inserting index tuple … in relation
 * event_counts"). Each batch is one statement that inserts its events and upserts their hourly counts;
 * two batches touching the same rows in different orders each held one row and waited for the other's.
 * The same happens on the events' primary key when a device resends events in another order while the
 * first send is still being stored. Fixed by taking rows in one order (by id, by count key) in every
 * statement; a deadlock that still happens (another writer) answers 503 with Retry-After, not 500.
 *
 * Needs UPLOAD_GUARD_TEST_PG (skipped with a printed warning without it; fails if it is set and unreachable).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { isUnavailable } from '../../src/collector/plugins/errors.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
if (!PG_URL) console.warn('UPLOAD_GUARD_TEST_PG is not set: the PostgreSQL concurrent-insert suite is skipped');

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const SERVICES = ['gmail', 'box', 'chatgpt', 'google-drive', 'gigafile'];
const VERDICTS = [
  { verdict: 'clean', action: 'allow', outcome: 'allowed', rule: null, reason: null },
  { verdict: 'marked', action: 'block', outcome: 'blocked', rule: 1, reason: 'name' },
  { verdict: 'marked', action: 'warn', outcome: 'pending', rule: 2, reason: 'name' },
  { verdict: 'unscannable', action: 'allow', outcome: 'allowed', rule: null, reason: 'encrypted' },
] as const;

/** An event whose hourly count key (hour, service, verdict, action) is picked by `key`. */
function event(key: number, hourBase: number): UploadEvent {
  const v = VERDICTS[key % VERDICTS.length]!;
  return sampleEvent({
    id: randomUUID(),
    time: new Date(T0 + (hourBase + Math.floor(key / 20)) * HOUR).toISOString(),
    service: SERVICES[Math.floor(key / VERDICTS.length) % SERVICES.length]!,
    ...v,
  });
}

describe.skipIf(!PG_URL)('PostgreSQL: concurrent batches do not deadlock', () => {
  let s: PostgresStorage;
  beforeAll(async () => {
    s = await PostgresStorage.open({ connectionString: PG_URL!, schema: `ug_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`, poolSize: 8 });
  });
  afterAll(async () => {
    await s?.dropSchema();
    await s?.close();
  });

  it('the same events sent twice at once in opposite orders are stored once, without an error', async () => {
    const failures: string[] = [];
    let stored = 0;
    for (let round = 0; round < 20; round++) {
      const events = Array.from({ length: 300 }, (_, i) => event(i, round * 20));
      const results = await Promise.allSettled([s.insertEvents(events, Date.now()), s.insertEvents([...events].reverse(), Date.now())]);
      for (const r of results) {
        if (r.status === 'rejected') failures.push(String((r.reason as Error).message));
        else stored += r.value.accepted;
      }
    }
    expect(failures).toEqual([]);
    expect(stored).toBe(20 * 300);
    expect(await s.count()).toBe(20 * 300);
  });

  it('different events counted under the same new hour, eight batches at once, without an error', async () => {
    const failures: string[] = [];
    const before = await s.count();
    let sent = 0;
    // As browsers send them: small batches of distinct events, each over its own mix of services and
    // verdicts in an hour with no counts yet, so concurrent statements add the same new count keys in
    // different orders.
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        Array.from({ length: 8 }, async (_, client) => {
          const batch = Array.from({ length: 20 }, (_, i) => event((client * 13 + (i % 8) * 7) % 20, 5_000 + round));
          sent += batch.length;
          await s.insertEvents(batch, Date.now()).catch((err: Error) => failures.push(err.message));
        }),
      );
    }
    expect(failures).toEqual([]);
    expect((await s.count()) - before).toBe(sent);
    // The hourly counts add up to the events (the summary reads them).
    const { rows } = await s.pool.query<{ n: string }>(`SELECT sum(n) AS n FROM ${s.schema}.event_counts`);
    expect(Number(rows[0]!.n)).toBe(await s.count());
  });
});

describe('a deadlock or serialization failure is transient', () => {
  it('answers 503 (retry), not 500', () => {
    expect(isUnavailable(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' }))).toBe(true);
  });
});
