/**
 * A database written by the previous collector (devices without first-seen or version history) is
 * upgraded in place when the new collector opens it, on SQLite and (with UPLOAD_GUARD_TEST_PG) on
 * PostgreSQL. The old layouts are in test/fixtures/collector/, copied from the code before the change.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { PG_SCHEMA_VERSION, PostgresStorage } from '../../src/collector/storage/postgres.js';
import { COLUMN_NAMES, eventValues } from '../../src/collector/storage/sql.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { SQLITE_SCHEMA_VERSION, SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const FIXTURES = join(import.meta.dirname, '../fixtures/collector');
const OLD_SQLITE = readFileSync(join(FIXTURES, 'schema-old-sqlite.sql'), 'utf8');
const OLD_PG = readFileSync(join(FIXTURES, 'schema-old-postgres.sql'), 'utf8');

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

// What the old collector had stored: device "old-a" with events from before its last heartbeat,
// device "old-b" with no events at all.
const oldHeartbeatA = sampleHeartbeat({ deviceId: 'old-a', extensionVersion: '0.0.9', time: iso(T0) });
const oldHeartbeatB = sampleHeartbeat({ deviceId: 'old-b', extensionVersion: '0.1.0', time: iso(T0) });
const oldEvents = [sampleEvent({ deviceId: 'old-a', time: iso(T0 - 50 * HOUR) }), sampleEvent({ deviceId: 'old-a', time: iso(T0 - 30 * HOUR) })];
const eventReceived = [T0 - 48 * HOUR, T0 - 24 * HOUR];

/** The same checks for both back ends, on a storage opened over an old database. */
async function checkUpgraded(s: Storage): Promise<void> {
  const devices = await s.devices();
  const a = devices.find((d) => d.deviceId === 'old-a')!;
  const b = devices.find((d) => d.deviceId === 'old-b')!;
  // The old rows are all there, with first contact from the earliest event, and no version history yet.
  expect(a).toMatchObject({ ...oldHeartbeatA, lastSeen: iso(T0), firstSeen: iso(T0 - 48 * HOUR), previousVersion: null, versionSince: null });
  expect(b).toMatchObject({ ...oldHeartbeatB, lastSeen: iso(T0 - HOUR), firstSeen: iso(T0 - HOUR), previousVersion: null, versionSince: null });
  expect(await s.count()).toBe(2);
  // The device list's columns are filled from the old rows' heartbeats: filter and count by them.
  const page = await s.devicePage({ filter: { user: oldHeartbeatA.user!, version: '0.0.9', status: 'stale' }, now: T0 + 10 * HOUR, limit: 10 });
  expect(page.devices.map((d) => d.deviceId)).toEqual(['old-a']);
  expect((await s.deviceGroups(T0 + 10 * HOUR)).reduce((n, g) => n + g.stale, 0)).toBe(2);

  // Tracking works on the upgraded rows: an upgrade records the version the old collector knew.
  await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'old-a', extensionVersion: '0.1.0' }), T0 + HOUR);
  await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'old-b', extensionVersion: '0.1.0' }), T0 + HOUR);
  const after = await s.devices();
  expect(after.find((d) => d.deviceId === 'old-a')).toMatchObject({ extensionVersion: '0.1.0', previousVersion: '0.0.9', versionSince: iso(T0 + HOUR), firstSeen: iso(T0 - 48 * HOUR) });
  expect(after.find((d) => d.deviceId === 'old-b')).toMatchObject({ previousVersion: null, versionSince: null, lastSeen: iso(T0 + HOUR) });
  // The old events are found by a file-name search (on SQLite through the name index the upgrade filled).
  const name = oldEvents[0]!.fileName!;
  expect((await s.queryEvents({ limit: 10, q: name.slice(1, -1) })).events.map((e) => e.fileName)).toEqual([name, name]);
  // New devices and events still work.
  await s.insertEvents([sampleEvent({ deviceId: 'new-c' })], T0 + 2 * HOUR);
  await s.upsertHeartbeat(sampleHeartbeat({ deviceId: 'new-c' }), T0 + 3 * HOUR);
  expect((await s.devices()).find((d) => d.deviceId === 'new-c')).toMatchObject({ firstSeen: iso(T0 + 2 * HOUR), versionSince: iso(T0 + 3 * HOUR) });
}

/** The events columns of the previous collector (before claimed_time_ms, device_name, department and source19's). */
const LATER = new Set(['claimed_time_ms', 'device_name', 'department', 'received_from', 'ingest_token_id']);
const OLD_COLUMNS = COLUMN_NAMES.filter((c) => !LATER.has(c));
/** An event's values for OLD_COLUMNS. */
const oldValues = (e: UploadEvent, receivedAt: number) => {
  const all = eventValues(e, receivedAt);
  return OLD_COLUMNS.map((c) => all[COLUMN_NAMES.indexOf(c)]);
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('storage migration: sqlite', () => {
  function oldDatabase(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ug-migrate-'));
    dirs.push(dir);
    const path = join(dir, 'events.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(OLD_SQLITE);
    const ins = db.prepare(`INSERT INTO events (${OLD_COLUMNS.join(', ')}) VALUES (${OLD_COLUMNS.map(() => '?').join(', ')})`);
    oldEvents.forEach((e, i) => ins.run(...oldValues(e, eventReceived[i]!)));
    const dev = db.prepare('INSERT INTO devices (device_id, heartbeat, last_seen_ms) VALUES (?, ?, ?)');
    dev.run('old-a', JSON.stringify(oldHeartbeatA), T0);
    dev.run('old-b', JSON.stringify(oldHeartbeatB), T0 - HOUR);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
    return path;
  }

  it('upgrades a database written by the previous collector, keeping every row', async () => {
    const path = oldDatabase();
    const s = new SqliteStorage({ path });
    try {
      expect(s.db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      await checkUpgraded(s);
      // Three events (two upgraded, one new) of one name: one name stored, pointed at by all three.
      expect(s.db.prepare('SELECT count(*) AS names, (SELECT count(DISTINCT name_id) FROM events) AS used FROM file_names').get()).toEqual({ names: 1, used: 1 });
    } finally {
      await s.close();
    }
    // Opening again runs nothing twice and loses nothing.
    const again = new SqliteStorage({ path });
    try {
      expect((await again.devices()).map((d) => d.deviceId).sort()).toEqual(['new-c', 'old-a', 'old-b']);
      expect((await again.devices()).find((d) => d.deviceId === 'old-a')?.previousVersion).toBe('0.0.9');
    } finally {
      await again.close();
    }
  });

  it('refuses a database from a newer collector instead of guessing', () => {
    const path = oldDatabase();
    const db = new Database(path);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStorage({ path })).toThrow(/newer than this collector/);
  });
});

describe.skipIf(!PG_URL)('storage migration: postgres', () => {
  const schema = `ug_migrate_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const pool = PG_URL ? new pg.Pool({ connectionString: PG_URL, max: 2 }) : null;
  afterAll(async () => {
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool?.end();
  });

  it('upgrades a schema written by the previous collector (migration 1 only), keeping every row', async () => {
    const c = await pool!.connect();
    try {
      // Exactly what the previous collector's migrate() left: its migrations table at version 1.
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(`CREATE TABLE ${schema}.migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      await c.query(`SET search_path TO ${schema}`);
      await c.query(OLD_PG);
      await c.query(`INSERT INTO migrations (version) VALUES (1)`);
      for (let i = 0; i < oldEvents.length; i++) {
        await c.query(
          `INSERT INTO events (${OLD_COLUMNS.join(', ')}) VALUES (${OLD_COLUMNS.map((_, j) => `$${j + 1}`).join(', ')})`,
          oldValues(oldEvents[i]!, eventReceived[i]!),
        );
      }
      await c.query('INSERT INTO devices (device_id, heartbeat, last_seen_ms) VALUES ($1, $2, $3), ($4, $5, $6)', [
        'old-a',
        JSON.stringify(oldHeartbeatA),
        T0,
        'old-b',
        JSON.stringify(oldHeartbeatB),
        T0 - HOUR,
      ]);
    } finally {
      await c.query('RESET search_path').catch(() => {});
      c.release();
    }
    const s = await PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 2 });
    try {
      await checkUpgraded(s);
      const { rows } = await pool!.query<{ v: number }>(`SELECT max(version) AS v FROM ${schema}.migrations`);
      expect(rows[0]!.v).toBe(PG_SCHEMA_VERSION);
    } finally {
      await s.close();
    }
    // Opening again is a no-op; a schema from a newer collector is refused.
    const again = await PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 2 });
    expect((await again.devices()).map((d) => d.deviceId).sort()).toEqual(['new-c', 'old-a', 'old-b']);
    await again.close();
    await pool!.query(`INSERT INTO ${schema}.migrations (version) VALUES (99)`);
    await expect(PostgresStorage.open({ connectionString: PG_URL!, schema, poolSize: 2 })).rejects.toThrow(/newer than this collector/);
  });
});
