/**
 * SQLite back end: the zero-setup default. One file in WAL mode (readers never block the writer),
 * prepared statements, one transaction per ingest batch.
 */
import Database from 'better-sqlite3';
import type { Heartbeat, UploadEvent } from '../../events/schema.js';
import { COLUMN_NAMES, DAY_MS, Where, dayString, deviceRow, eventValues, pageClause, toPage } from './sql.js';
import type { DeviceRow, EventFilter, EventPage, EventQuery, InsertResult, ReceivedHeartbeat, Storage, Summary } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  relates_to TEXT,
  time_ms INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  v INTEGER NOT NULL,
  user_name TEXT,
  device_id TEXT NOT NULL,
  browser TEXT NOT NULL,
  extension_version TEXT NOT NULL,
  service TEXT,
  service_name TEXT,
  category TEXT,
  origin TEXT NOT NULL,
  channel TEXT NOT NULL,
  file_name TEXT,
  size INTEGER,
  sha256 TEXT,
  verdict TEXT NOT NULL,
  rule INTEGER,
  reason TEXT,
  location TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  justification TEXT,
  policy_version TEXT
);
-- (time, id) is the page order; the others serve the common admin filters without a full scan.
CREATE INDEX IF NOT EXISTS events_time_id ON events (time_ms, id);
CREATE INDEX IF NOT EXISTS events_service_verdict_time ON events (service, verdict, time_ms, id);
CREATE INDEX IF NOT EXISTS events_verdict_time ON events (verdict, time_ms, id);
CREATE INDEX IF NOT EXISTS events_action_time ON events (action, time_ms, id);
CREATE INDEX IF NOT EXISTS events_user_time ON events (user_name, time_ms);
CREATE INDEX IF NOT EXISTS events_device_time ON events (device_id, time_ms);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  heartbeat TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL
);
`;

/**
 * Changes after SCHEMA (the first release's layout, kept as it was so every database, old or new, takes
 * the same path). `PRAGMA user_version` counts the migrations applied. Append only; keep in step with
 * MIGRATIONS in postgres.ts.
 */
const MIGRATIONS: string[] = [
  // 1: devices keep when they were first heard of and their version history (tamper evidence).
  // first_seen_ms of an existing device: its first heartbeat is unknown, so the earlier of its last
  // heartbeat and its first stored event. version_since_ms stays NULL: when that version came is unknown.
  `ALTER TABLE devices ADD COLUMN first_seen_ms INTEGER;
   ALTER TABLE devices ADD COLUMN extension_version TEXT;
   ALTER TABLE devices ADD COLUMN previous_version TEXT;
   ALTER TABLE devices ADD COLUMN version_since_ms INTEGER;
   UPDATE devices SET
     extension_version = json_extract(heartbeat, '$.extensionVersion'),
     first_seen_ms = min(last_seen_ms,
       coalesce((SELECT min(received_ms) FROM events WHERE events.device_id = devices.device_id), last_seen_ms));`,
];

/** The number of migrations this code knows; a database beyond it was written by a newer collector. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly insertBatch: (events: readonly UploadEvent[], receivedAt: number) => UploadEvent[];

  constructor(opts: SqliteOptions) {
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.insertStmt = this.db.prepare(
      `INSERT INTO events (${COLUMN_NAMES.join(', ')}) VALUES (${COLUMN_NAMES.map(() => '?').join(', ')})
       ON CONFLICT (id) DO NOTHING`,
    );
    this.insertBatch = this.db.transaction((events: readonly UploadEvent[], receivedAt: number) => {
      const inserted: UploadEvent[] = [];
      for (const e of events) {
        if (this.insertStmt.run(...eventValues(e, receivedAt)).changes === 1) inserted.push(e);
      }
      return inserted;
    });
  }

  /** Creates or upgrades the tables; IMMEDIATE so two collectors opening one file never both migrate. */
  private migrate(): void {
    this.db
      .transaction(() => {
        this.db.exec(SCHEMA);
        const done = this.db.pragma('user_version', { simple: true }) as number;
        if (done > MIGRATIONS.length) {
          throw new Error(`the database is at schema version ${done}, newer than this collector knows (${MIGRATIONS.length}): upgrade the collector`);
        }
        for (let i = done; i < MIGRATIONS.length; i++) this.db.exec(MIGRATIONS[i]!);
        if (done < MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
      })
      .immediate();
  }

  async insertEvents(events: readonly UploadEvent[], receivedAt: number): Promise<InsertResult> {
    const inserted = this.insertBatch(events, receivedAt);
    return { accepted: inserted.length, duplicates: events.length - inserted.length, inserted };
  }

  async queryEvents(q: EventQuery): Promise<EventPage> {
    const where = new Where(() => '?', 'LIKE').filter(q);
    const order = pageClause(where, q);
    const rows = this.db
      .prepare(`SELECT * FROM events ${where.sql()} ${order} LIMIT ?`)
      .all(...where.params, q.limit + 1) as Record<string, unknown>[];
    return toPage(rows, q);
  }

  async summary(filter: EventFilter, tzOffsetMinutes = 0): Promise<Summary> {
    const where = new Where(() => '?', 'LIKE').filter(filter);
    const w = where.sql();
    const p = where.params;
    const all = <T>(sql: string, ...extra: unknown[]) => this.db.prepare(sql).all(...extra, ...p) as T[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM events ${w}`).get(...p) as { n: number }).n;
    const byService = all<{ service: string | null; serviceName: string | null; count: number }>(
      `SELECT service, max(service_name) AS serviceName, count(*) AS count FROM events ${w}
       GROUP BY service ORDER BY count DESC, service`,
    );
    const byDay = all<{ d: number; count: number }>(
      `SELECT CAST((time_ms + ?) / ${DAY_MS} AS INTEGER) AS d, count(*) AS count FROM events ${w} GROUP BY d ORDER BY d`,
      tzOffsetMinutes * 60_000,
    ).map((r) => ({ day: dayString(Number(r.d)), count: r.count }));
    const byVerdict = all<Summary['byVerdict'][number]>(
      `SELECT verdict, count(*) AS count FROM events ${w} GROUP BY verdict ORDER BY count DESC, verdict`,
    );
    const byAction = all<Summary['byAction'][number]>(
      `SELECT action, count(*) AS count FROM events ${w} GROUP BY action ORDER BY count DESC, action`,
    );
    return { total, byService, byDay, byVerdict, byAction };
  }

  async upsertHeartbeat(h: ReceivedHeartbeat, receivedAt: number): Promise<void> {
    const params = { id: h.deviceId, hb: JSON.stringify(h), at: receivedAt, ver: h.extensionVersion };
    this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM devices WHERE device_id = ?').get(h.deviceId)) {
          // First heartbeat: the device may have sent events before it (they count as first contact).
          this.db
            .prepare(
              `INSERT INTO devices (device_id, heartbeat, last_seen_ms, first_seen_ms, extension_version, previous_version, version_since_ms)
               VALUES (@id, @hb, @at, min(@at, coalesce((SELECT min(received_ms) FROM events WHERE device_id = @id), @at)), @ver, NULL, @at)`,
            )
            .run(params);
          return;
        }
        // A heartbeat older than the stored one (delivered late) changes nothing.
        this.db
          .prepare(
            `UPDATE devices SET
               heartbeat = @hb,
               last_seen_ms = @at,
               previous_version = CASE WHEN extension_version IS @ver THEN previous_version ELSE extension_version END,
               version_since_ms = CASE WHEN extension_version IS @ver THEN version_since_ms ELSE @at END,
               extension_version = @ver,
               first_seen_ms = coalesce(first_seen_ms, @at)
             WHERE device_id = @id AND last_seen_ms <= @at`,
          )
          .run(params);
      })
      .immediate();
  }

  async devices(): Promise<DeviceRow[]> {
    const rows = this.db
      .prepare(
        `SELECT heartbeat, last_seen_ms, coalesce(first_seen_ms, last_seen_ms) AS first_seen_ms, previous_version, version_since_ms
         FROM devices ORDER BY last_seen_ms DESC, device_id`,
      )
      .all() as { heartbeat: string; last_seen_ms: number; first_seen_ms: number; previous_version: string | null; version_since_ms: number | null }[];
    return rows.map((r) => deviceRow(JSON.parse(r.heartbeat) as Heartbeat, r));
  }

  async purgeBefore(time: number): Promise<number> {
    return this.db.prepare('DELETE FROM events WHERE time_ms < ?').run(time).changes;
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
