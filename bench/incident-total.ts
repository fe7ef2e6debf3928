/**
 * What the incident list's page and total cost: 100,000 incidents (two in five open, 300 users; the
 * integration test's seed, test/support/incidents.ts), the list's page and its total timed apart, for
 * the list's filters (none, open, open further in, one status, closed, a user), on SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL. Median of 21 runs after 3 warm-ups.
 *   UPLOAD_GUARD_TEST_PG=… node bin/run-ts.js bench/incident-total.ts [IncidentStore-list-only]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sqlFor } from '../src/collector/incidents/sql.js';
import { DEFAULT_REPORT_HOURS, IncidentStore, type IncidentListQuery } from '../src/collector/incidents/store.js';
import { PostgresStorage } from '../src/collector/storage/postgres.js';
import { SqliteStorage } from '../src/collector/storage/sqlite.js';
import type { Storage } from '../src/collector/storage/types.js';
import { seedIncidents } from '../test/support/incidents.js';

const N = Number(process.env.N ?? 100_000);
const RUNS = 21;

async function median(f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[RUNS >> 1]!;
}

const CASES: [string, Partial<IncidentListQuery>][] = [
  ['all, deadline order', { sort: 'deadline' }],
  ['open (new, investigating)', { sort: 'deadline', status: ['new', 'investigating'] }],
  ['open, page 41 (offset 2,000)', { sort: 'deadline', status: ['new', 'investigating'], offset: 2_000 }],
  ['investigating only', { sort: 'deadline', status: ['investigating'] }],
  ['closed, newest first', { sort: '-opened', status: ['closed'] }],
  ['one user', { sort: 'deadline', user: 'u7' }],
];

async function run(name: string, storage: Storage): Promise<void> {
  await seedIncidents(storage, N);
  const sql = sqlFor(storage);
  const store = new IncidentStore(sql);
  const s = { reportHours: DEFAULT_REPORT_HOURS, timeZone: 'UTC' };
  for (const [label, q] of CASES) {
    const query = { limit: 50, offset: 0, ...q } as IncidentListQuery;
    const list = await median(() => store.list(query, s, Date.now()));
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status?.length) {
      where.push(`status IN (${query.status.map(() => '?').join(', ')})`);
      params.push(...query.status);
    }
    if (query.user !== undefined) {
      where.push('user_name = ?');
      params.push(query.user);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const count = await median(() => sql.all(`SELECT count(*) AS n FROM ${sql.t('incidents')} ${w}`, params));
    const total = (await store.list(query, s, Date.now())).total;
    console.log(`${name}\t${label}\ttotal ${total}\tlist (page + total) ${list.toFixed(2)} ms\tcount(*) alone ${count.toFixed(2)} ms`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ug-inctotal-'));
try {
  const lite = new SqliteStorage({ path: join(dir, 'events.db') });
  await run('sqlite', lite);
  await lite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const url = process.env.UPLOAD_GUARD_TEST_PG;
if (url) {
  const pg = await PostgresStorage.open({ connectionString: url, schema: `ug_inctotal_${randomUUID().replace(/-/g, '').slice(0, 16)}`, poolSize: 4 });
  try {
    await run('postgres', pg);
  } finally {
    await pg.dropSchema();
    await pg.close();
  }
}
