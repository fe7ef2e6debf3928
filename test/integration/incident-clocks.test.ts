/**
 * F13 (red team round 2): incidents must not depend on the collectors' clocks. An event's arrival time
 * (received_ms) is the inserting collector's wall clock; incidents were built from a watermark on it
 * minus 120 s, so a block stored by a collector whose clock is 5 min behind another's on the same
 * PostgreSQL, or stored after a clock step back, was acknowledged and never became an incident (no
 * deadline, no incident-deadline alert). Over real HTTP, on SQLite and (with UPLOAD_GUARD_TEST_PG)
 * PostgreSQL, each collector with its own injected clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SQLITE_SCHEMA_VERSION, SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { IncidentStore } from '../../src/collector/incidents/store.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';

const INGEST = 'clocks-ingest-token-0123456789';
const ADMIN = 'clocks-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const NOW = Date.parse('2026-12-02T03:00:00Z');
const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Node {
  c: Collector;
  url: string;
  clock: { ms: number };
}

/** A collector over `storage` whose clock is `clock.ms`; its outbox posts to a port nobody listens on (the rows are what count). */
async function node(storage: Storage, start: number): Promise<Node> {
  const clock = { ms: start };
  const c = await createCollector({
    storage,
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    adminRateLimit: { perSecond: 1000, burst: 1000 },
    timeWindow: false,
    now: () => clock.ms,
    alerts: { webhookUrl: 'http://127.0.0.1:9/hook', backoff: [3_600_000] },
  });
  const url = await c.listen(0, '127.0.0.1');
  cleanups.push(() => c.close());
  return { c, url, clock };
}

async function block(n: Node, user: string): Promise<void> {
  const e = sampleEvent({ time: new Date(n.clock.ms - MIN).toISOString(), user, action: 'block', outcome: 'blocked', sha256: randomUUID().replace(/-/g, '').repeat(2) });
  const r = await fetch(n.url + '/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [e] }),
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

/** The incidents' users, through the admin API (which brings incidents up to date and queues deadline alerts first). */
async function incidentUsers(n: Node): Promise<string[]> {
  const r = await fetch(n.url + '/v1/admin/incidents?limit=100', { headers: { authorization: `Bearer ${ADMIN}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { incidents: { user: string; deadline: string }[] }).incidents.map((i) => i.user).sort();
}

/** Users named by the queued incident-deadline alerts. */
async function deadlineAlertUsers(storage: Storage): Promise<string[]> {
  const sql = sqlFor(storage);
  const rows = await sql.all<{ payload: string }>(`SELECT payload FROM ${sql.t('outbox')} WHERE channel = 'webhook' AND ref LIKE 'incident-deadline:overdue:%'`);
  return rows.map((r) => (JSON.parse(r.payload) as { incident: { user: string } }).incident.user).sort();
}

describe('incidents whatever the clocks (SQLite)', () => {
  it('a block stored after the clock stepped back 5 min still opens an incident, with its deadline alert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-clocks-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const a = await node(new SqliteStorage({ path: join(dir, 'events.db') }), NOW);
    cleanups.push(() => a.c.storage.close());
    await block(a, 'taro@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['taro@example.co.jp']);
    a.clock.ms = NOW - 5 * MIN; // NTP steps the clock back
    await block(a, 'hanako@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
    // A day later, both are overdue: both alerts are queued.
    a.clock.ms = NOW + 25 * 60 * MIN;
    await incidentUsers(a);
    expect(await deadlineAlertUsers(a.c.storage)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
  });
});

describe.skipIf(!PG_URL)('incidents whatever the clocks (PostgreSQL)', () => {
  async function twoNodes(skewMs: number): Promise<[Node, Node]> {
    const schema = `ug_clocks_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const sa = await PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 4 });
    const sb = await PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 4 });
    cleanups.push(async () => {
      await sa.dropSchema();
      await sa.close();
      await sb.close();
    });
    return [await node(sa, NOW), await node(sb, NOW + skewMs)];
  }

  it('two collectors on one database, one 5 min behind: both blocks become incidents with deadline alerts', async () => {
    const [a, b] = await twoNodes(-5 * MIN);
    await block(a, 'taro@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['taro@example.co.jp']);
    await block(b, 'hanako@example.co.jp');
    // Either collector builds it (they share the database), whichever syncs first.
    expect(await incidentUsers(b)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
    expect(await incidentUsers(a)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
    a.clock.ms += 25 * 60 * MIN;
    await incidentUsers(a);
    expect(await deadlineAlertUsers(a.c.storage)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
  });

  it('the slow collector syncs first and the other after: still every block', async () => {
    const [a, b] = await twoNodes(-5 * MIN);
    await block(b, 'hanako@example.co.jp');
    await block(a, 'taro@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
    await block(b, 'jiro@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['hanako@example.co.jp', 'jiro@example.co.jp', 'taro@example.co.jp']);
  });

  it('a clock step back on one collector', async () => {
    const [a] = await twoNodes(0);
    await block(a, 'taro@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['taro@example.co.jp']);
    a.clock.ms -= 5 * MIN;
    await block(a, 'hanako@example.co.jp');
    expect(await incidentUsers(a)).toEqual(['hanako@example.co.jp', 'taro@example.co.jp']);
  });
});

/**
 * The link14 migration over a database the watermark collector wrote: the storage is put back as it was
 * (no incident_linked, the watermark's index, version six lower: link14, denied15 and throttled17, which
 * are safe to run again, and due16, alerted18, source19 and expires20, whose columns go too), holding one block linked under the
 * watermark and one the watermark skipped. Opened again, the skipped one becomes an incident and the
 * linked one is not counted twice.
 */
describe.each([
  { name: 'sqlite', pg: false },
  ...(PG_URL ? [{ name: 'postgres', pg: true }] : []),
])('link14 migration of an existing database ($name)', ({ pg }) => {
  it('links the events the watermark skipped, and no event twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-clocks-'));
    const schema = `ug_clocks_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const open = async (): Promise<Storage> =>
      pg ? PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 2 }) : new SqliteStorage({ path: join(dir, 'events.db') });
    let s = await open();
    const done = sampleEvent({ user: 'taro@example.co.jp', action: 'block', outcome: 'blocked', sha256: 'a'.repeat(64) });
    const skipped = sampleEvent({ user: 'hanako@example.co.jp', action: 'block', outcome: 'blocked', sha256: 'b'.repeat(64) });
    await s.insertEvents([done], NOW);
    await s.insertEvents([skipped], NOW - 5 * MIN);
    const sql = sqlFor(s);
    // Linked as the old code did: incident, link, watermark past the skipped event.
    await sql.run(`INSERT INTO ${sql.t('incidents')} (group_key, device_id, day, kinds, opened_ms, last_ms, event_count, updated_ms, user_name) VALUES ('old', 'x', '2026-12-02', 'block', ?, ?, 1, ?, 'taro@example.co.jp')`, [NOW, NOW, NOW]);
    await sql.run(`INSERT INTO ${sql.t('incident_events')} (event_id, incident_id) SELECT ?, id FROM ${sql.t('incidents')} WHERE group_key = 'old'`, [done.id]);
    await sql.run(`INSERT INTO ${sql.t('meta')} (key, value) VALUES ('incidents.watermark', ?)`, [JSON.stringify([NOW, done.id])]);
    await sql.run(`DROP INDEX ${pg ? `${schema}.` : ''}events_unlinked`);
    await sql.run(`ALTER TABLE ${sql.t('events')} DROP COLUMN incident_linked`);
    await sql.run(`CREATE INDEX events_received ON ${sql.t('events')} (received_ms, id)`);
    await sql.run(`DROP INDEX ${pg ? `${schema}.` : ''}incidents_deadline_order`);
    await sql.run(`DROP INDEX ${pg ? `${schema}.` : ''}incidents_due`);
    await sql.run(`ALTER TABLE ${sql.t('incidents')} DROP COLUMN due_from_ms`);
    await sql.run(`ALTER TABLE ${sql.t('incidents')} DROP COLUMN alert_stage`);
    await sql.run(`ALTER TABLE ${sql.t('incidents')} DROP COLUMN alert_due_ms`);
    await sql.run(`ALTER TABLE ${sql.t('events')} DROP COLUMN received_from`);
    await sql.run(`ALTER TABLE ${sql.t('events')} DROP COLUMN ingest_token_id`);
    await sql.run(`ALTER TABLE ${sql.t('api_tokens')} DROP COLUMN expires_ms`);
    if (pg) await sql.run(`DELETE FROM ${schema}.migrations WHERE version >= (SELECT max(version) - 8 FROM ${schema}.migrations)`);
    else (s as SqliteStorage).db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION - 9}`);
    await s.close();

    s = await open();
    const sql2 = sqlFor(s);
    expect(await new IncidentStore(sql2).sync('Asia/Tokyo', NOW)).toBe(1);
    const rows = await sql2.all<{ user_name: string; event_count: number | string }>(`SELECT user_name, event_count FROM ${sql2.t('incidents')} ORDER BY user_name`);
    expect(rows.map((r) => [r.user_name, Number(r.event_count)])).toEqual([
      ['hanako@example.co.jp', 1],
      ['taro@example.co.jp', 1],
    ]);
    if (pg) await (s as PostgresStorage).dropSchema();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
