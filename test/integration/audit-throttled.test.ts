/**
 * Red team collector6 #2: a valid credential over its rate limit was answered 429 with nothing on
 * record: an admin token hammering the API, or an ingest token over its budget, left no trace in the
 * audit log (only unknown credentials were counted, red team G8/L6). Now such a 429 is counted under
 * the caller's own actor, as refused unknown credentials are: the first of a minute per caller and
 * address an `access.throttled` entry at once, the rest one `access.throttled.repeated` entry with their
 * count, the count held in the database before each 429 is answered (a collector killed meanwhile loses
 * none). On SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestActor, tokenId } from '../../src/collector/auth.js';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SQLITE_SCHEMA_VERSION, SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';

const INGEST = 'throttled-ingest-token-0123456789';
const ADMIN = 'throttled-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A new database; `reopen` opens it again (each storage it opens is closed at the end). */
async function storageFor(pg: boolean): Promise<Storage & { reopen(): Promise<Storage> }> {
  const schema = `ug_throttled_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const dir = mkdtempSync(join(tmpdir(), 'ug-throttled-'));
  const open = async (): Promise<Storage> => {
    const s = pg ? await PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 4 }) : new SqliteStorage({ path: join(dir, 'events.db') });
    // Closed once, whichever comes first: the test (to reopen it) or the end.
    cleanups.push(() => s.close().catch(() => {}));
    return s;
  };
  cleanups.push(async () => {
    if (pg) {
      const s = await PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 1 });
      await s.dropSchema();
      await s.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return Object.assign(await open(), { reopen: open });
}

interface Entry {
  actor: string;
  action: string;
  address: string | null;
  details: Record<string, unknown>;
}

describe.each([
  { name: 'sqlite', pg: false },
  ...(PG_URL ? [{ name: 'postgres', pg: true }] : []),
])('valid credentials over their rate limit ($name)', ({ pg }) => {
  it('are on record under their own name, every 429 counted, held durably before it is answered', async () => {
    const storage = await storageFor(pg);
    // Budgets that do not refill during the test: 3 admin requests per caller, 2 per device.
    const c: Collector = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      timeWindow: false,
      adminRateLimit: { perSecond: 0.001, burst: 3 },
      ingestRateLimit: { perSecond: 0.001, burst: 2 },
    });
    cleanups.push(() => c.close());
    const admin = (remoteAddress: string) => c.app.inject({ method: 'GET', url: '/v1/admin/summary', remoteAddress, headers: { authorization: `Bearer ${ADMIN}` } });
    const heartbeat = () =>
      c.app.inject({ method: 'POST', url: '/v1/heartbeat', remoteAddress: '192.0.2.20', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, payload: sampleHeartbeat({ deviceId: 'pc-busy' }) });
    const events = () =>
      c.app.inject({ method: 'POST', url: '/v1/events', remoteAddress: '192.0.2.21', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, payload: { events: [sampleEvent({ deviceId: 'pc-loud' })] } });

    const adminCodes = [];
    for (let i = 0; i < 10; i++) adminCodes.push((await admin('192.0.2.10')).statusCode);
    expect(adminCodes.filter((s) => s === 429)).toHaveLength(7);
    const beatCodes = [];
    for (let i = 0; i < 6; i++) beatCodes.push((await heartbeat()).statusCode);
    expect(beatCodes.filter((s) => s === 429)).toHaveLength(4);
    const eventCodes = [];
    for (let i = 0; i < 5; i++) eventCodes.push((await events()).statusCode);
    expect(eventCodes.filter((s) => s === 429)).toHaveLength(3);

    // Before any flush: what a kill -9 now would leave is in the database, every 429 past the first.
    const sql = sqlFor(storage);
    const held = await sql.all<{ actor: string; address: string; n: number | string }>(`SELECT actor, address, n FROM ${sql.t('refused_pending')} ORDER BY address`);
    const token = `token:legacy-${tokenId(ADMIN)}`;
    const ingest = ingestActor(INGEST);
    expect(held.map((r) => [r.actor, r.address, Number(r.n)])).toEqual([
      [token, '192.0.2.10', 6],
      [ingest, '192.0.2.20', 3],
      [ingest, '192.0.2.21', 2],
    ]);

    await c.app.flushDenied();
    const r = await c.app.inject({ method: 'GET', url: '/v1/admin/audit?limit=100', remoteAddress: '192.0.2.99', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.statusCode).toBe(200);
    const entries = (r.json() as { entries: Entry[] }).entries.filter((e) => e.action.startsWith('access.'));
    const of = (action: string, address: string) => entries.filter((e) => e.action === action && e.address === address);
    expect(of('access.throttled', '192.0.2.10')).toMatchObject([{ actor: token, details: { route: 'GET /v1/admin/summary', status: 429 } }]);
    expect(of('access.throttled.repeated', '192.0.2.10')).toMatchObject([{ actor: token, details: { count: 6, routes: { 'GET /v1/admin/summary': 6 } } }]);
    expect(of('access.throttled', '192.0.2.20')).toMatchObject([{ actor: ingest, details: { route: 'POST /v1/heartbeat', status: 429 } }]);
    expect(of('access.throttled.repeated', '192.0.2.20')).toMatchObject([{ actor: ingest, details: { count: 3 } }]);
    expect(of('access.throttled', '192.0.2.21')).toMatchObject([{ actor: ingest, details: { route: 'POST /v1/events' } }]);
    expect(of('access.throttled.repeated', '192.0.2.21')).toMatchObject([{ actor: ingest, details: { count: 2 } }]);
    // Nothing was put down to an unknown caller.
    expect(entries.filter((e) => e.actor === 'unknown')).toEqual([]);
  });
});

describe.each([
  { name: 'sqlite', pg: false },
  ...(PG_URL ? [{ name: 'postgres', pg: true }] : []),
])('throttled17 over a database a denied15 collector left ($name)', ({ pg }) => {
  it('moves the counts a stopped collector held into the log, as refused unknown credentials', async () => {
    const s = await storageFor(pg);
    const sql = sqlFor(s);
    // As the previous collector left it: its held count in denied_pending, the schema one version back.
    await sql.run(`CREATE TABLE ${sql.t('denied_pending')} (holder TEXT NOT NULL, address TEXT NOT NULL, from_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL,
      n INTEGER NOT NULL, routes TEXT NOT NULL, reasons TEXT NOT NULL, PRIMARY KEY (holder, address))`);
    await sql.run(`INSERT INTO ${sql.t('denied_pending')} VALUES ('dead-collector', '192.0.2.66', 1000, 2000, 41, '{"GET /v1/admin/summary":41}', '{"invalid token":41}')`);
    // Back to before throttled17 (and alerted18, source19, expires20, order21 and views22 after it, whose columns and index go).
    await sql.run(`DROP INDEX ${sql.t('incidents_deadline_order')}`);
    await sql.run(`ALTER TABLE ${sql.t('incidents')} DROP COLUMN alert_stage`);
    await sql.run(`ALTER TABLE ${sql.t('incidents')} DROP COLUMN alert_due_ms`);
    await sql.run(`ALTER TABLE ${sql.t('events')} DROP COLUMN received_from`);
    await sql.run(`ALTER TABLE ${sql.t('events')} DROP COLUMN ingest_token_id`);
    await sql.run(`ALTER TABLE ${sql.t('api_tokens')} DROP COLUMN expires_ms`);
    if (pg) await sql.run(`DELETE FROM ${sql.t('migrations')} WHERE version >= (SELECT max(version) - 5 FROM ${sql.t('migrations')})`);
    else (s as unknown as SqliteStorage).db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION - 6}`);
    await s.close();

    const c = await createCollector({ storage: await s.reopen(), ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false });
    cleanups.push(() => c.close());
    await c.app.flushDenied();
    const r = await c.app.inject({ method: 'GET', url: '/v1/admin/audit?action=access.denied.repeated', headers: { authorization: `Bearer ${ADMIN}` } });
    expect((r.json() as { entries: Entry[] }).entries).toMatchObject([
      { actor: 'unknown', address: '192.0.2.66', details: { count: 41, reasons: { 'invalid token': 41 }, countedByStoppedCollector: true } },
    ]);
  });
});
