/**
 * The incident list's default page (open incidents nearest their deadline first, then the rest newest
 * first) is read from an index of that order, not by sorting every incident for each page: EXPLAIN ANALYZE
 * on PostgreSQL over 100,000 incidents showed a parallel scan and sort of them all, 99 ms for the first
 * 50 (red team coll9's 10× admin burst: every admin's list page paid it). The plan of the list's own
 * statement, as IncidentStore.list sends it, on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlFor, type Sql } from '../../src/collector/incidents/sql.js';
import { DEFAULT_REPORT_HOURS, IncidentStore, TOTAL_COUNTED_UP_TO } from '../../src/collector/incidents/store.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const N = 20_000;

describe.each(testBackends('incorder'))('the incident list reads its page in index order ($name)', (backend) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await backend.open();
    const sql = sqlFor(storage);
    // Incidents as sync makes them, one in five still open.
    for (let from = 0; from < N; from += 1_000) {
      const rows = Array.from({ length: 1_000 }, (_, k) => from + k);
      await sql.run(
        `INSERT INTO ${sql.t('incidents')} (group_key, user_name, device_id, day, opened_ms, due_from_ms, last_ms, event_count, status, updated_ms)
         VALUES ${rows.map(() => "(?, ?, 'pc', '2026-11-01', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), 1, ?, 0)").join(', ')}`,
        rows.flatMap((i) => [`k${i}`, `u${i % 300}`, 1_790_000_000_000 + i * 1000, 1_790_000_000_000 + ((i * 7919) % N) * 1000, 1_790_000_000_000 + i * 1000, ['new', 'investigating', 'closed', 'reported', 'closed'][i % 5]]),
      );
    }
    await sql.run(storage.kind === 'postgres' ? `ANALYZE ${sql.t('incidents')}` : 'ANALYZE');
  }, 120_000);
  afterAll(async () => storage && backend.cleanup(storage));

  it('the first page is an index scan in the deadline order, with no sort of every incident', async () => {
    const real = sqlFor(storage);
    const sent: { sql: string; params: readonly unknown[] }[] = [];
    const sql: Sql = { ...real, all: (s, p = []) => (sent.push({ sql: s, params: p }), real.all(s, p)) };
    const page = await new IncidentStore(sql).list({ sort: 'deadline', limit: 50, offset: 0 }, { reportHours: DEFAULT_REPORT_HOURS, timeZone: 'UTC' }, Date.now());
    expect(page).toMatchObject({ total: TOTAL_COUNTED_UP_TO, moreThanTotal: true });
    // Open ones first, nearest deadline first.
    expect(page.incidents.slice(0, 3).every((i) => i.status === 'new' || i.status === 'investigating')).toBe(true);
    const dues = page.incidents.map((i) => Date.parse(i.deadline));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    const listing = sent.find((q) => /ORDER BY/.test(q.sql))!;
    if (storage.kind === 'postgres') {
      const [plan] = await real.all<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${listing.sql}`, listing.params);
      const text = JSON.stringify(plan!['QUERY PLAN']);
      expect(text).toContain('incidents_deadline_order');
      expect(text).not.toContain('"Node Type":"Sort"');
    } else {
      const plan = (await real.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${listing.sql}`, listing.params)).map((r) => r.detail).join('\n');
      expect(plan).toContain('incidents_deadline_order');
      expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  }, 60_000);

  it('the total counts up to 1,000 (or the page’s end) and says when more match: it no longer reads every match for each page', async () => {
    const real = sqlFor(storage);
    const sent: { sql: string; params: readonly unknown[] }[] = [];
    const sql: Sql = { ...real, all: (s, p = []) => (sent.push({ sql: s, params: p }), real.all(s, p)) };
    const store = new IncidentStore(sql);
    const s = { reportHours: DEFAULT_REPORT_HOURS, timeZone: 'UTC' };
    // Few matches: exact. Many: counted to the bound, or to the end of a page further on.
    expect(await store.list({ sort: 'deadline', user: 'u7', limit: 50, offset: 0 }, s, Date.now())).toMatchObject({ total: 67, moreThanTotal: false });
    expect(await store.list({ sort: '-opened', status: ['new', 'investigating'], limit: 100, offset: 0 }, s, Date.now())).toMatchObject({ total: 1_000, moreThanTotal: true });
    expect(await store.list({ sort: '-opened', status: ['closed'], limit: 100, offset: 5_000 }, s, Date.now())).toMatchObject({ total: 5_100, moreThanTotal: true });
    expect(await store.list({ sort: '-opened', status: ['closed'], limit: 500, offset: 7_900 }, s, Date.now())).toMatchObject({ total: 8_000, moreThanTotal: false });
    // The count's statement stops at the bound: its plan has a limit under the count.
    const counting = sent.filter((q) => /count\(\*\)/.test(q.sql)).at(-1)!;
    if (storage.kind === 'postgres') {
      const [plan] = await real.all<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${counting.sql}`, counting.params);
      expect(JSON.stringify(plan!['QUERY PLAN'])).toMatch(/"Node Type":"Limit"/);
    } else {
      expect(counting.sql).toMatch(/LIMIT \?\) AS matching$/);
    }
  }, 60_000);
});
