/**
 * SQLite back end: the zero-setup default. One file in WAL mode (readers never block the writer),
 * prepared statements, each ingest batch in its own savepoint of a group commit (sqlite-group-commit.ts).
 */
import { ACCOUNTS_MORE_SQLITE, ACCOUNTS_SQLITE, ACCOUNTS_SUBJECT, deniedPending, refusedPending, tokenExpiry, viewWindows } from '../accounts/schema.js';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { SQLITE_INCIDENTS_MIGRATION, incidentAlertedMigration, incidentDueMigration, incidentLinkMigration, incidentOrderMigration } from '../incidents/schema.js';
import Database from 'better-sqlite3';
import type { UploadEvent } from '../../events/schema.js';
import { asStored, COLUMN_NAMES, EVENT_SOURCE_MIGRATION, FTS_TABLE, HOUR_MS, NAMES_TABLE, TIME_INDEX, eventValues, movesInFleet, raisedBy, type FleetPlace } from './sql.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { runSqliteWork } from './tx-work.js';
import type { TxWork } from '../incidents/sql.js';
import { WalSync } from './sqlite-wal-sync.js';
import { READS, type ReadName } from './sqlite-reads.js';
import type { GroupCount, GroupKey } from './group-counts.js';
import { SqliteReaders, type ReadersOptions } from './sqlite-readers.js';
import { WalCheckpoints, type CheckpointOptions } from './sqlite-checkpoint.js';
import type {
  AlertChannel,
  InsertOptions,
  DeviceGroup,
  DevicePage,
  DevicePageQuery,
  DeviceRow,
  EventFilter,
  EventPage,
  EventQuery,
  InsertResult,
  OutboxItem,
  OutboxRow,
  OutboxStats,
  ReceivedHeartbeat,
  Storage,
  Summary,
  ChannelStats,
} from './types.js';

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
 * Fills file_names from the stored events and points each event at its name: migration 4 over an existing
 * store, and the bench's seeded store (whose rows are written by one SQL statement, not insertEvents).
 */
export const NAME_BACKFILL = `INSERT OR IGNORE INTO ${NAMES_TABLE} (name) SELECT DISTINCT file_name FROM events WHERE file_name IS NOT NULL;
   UPDATE events SET name_id = (SELECT id FROM ${NAMES_TABLE} WHERE name = events.file_name) WHERE file_name IS NOT NULL;`;

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
  // 2: the alert outbox (alerts are written with their events and survive restarts), settings, the
  // device's own claim of an event's time when it was implausible (time_ms then holds the arrival), and
  // hourly counts for the summary (hour × service × verdict × action, kept on insert and purge).
  `ALTER TABLE events ADD COLUMN claimed_time_ms INTEGER;
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     channel TEXT NOT NULL,
     ref TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     next_ms INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     lease_owner TEXT,
     lease_until_ms INTEGER,
     delivered_ms INTEGER,
     last_error TEXT,
     UNIQUE (channel, ref)
   );
   CREATE INDEX outbox_due ON outbox (channel, next_ms, id) WHERE delivered_ms IS NULL;
   CREATE INDEX outbox_delivered ON outbox (delivered_ms) WHERE delivered_ms IS NOT NULL;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE event_counts (
     hour INTEGER NOT NULL,
     service TEXT NOT NULL,
     verdict TEXT NOT NULL,
     action TEXT NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (hour, service, verdict, action)
   ) WITHOUT ROWID;
   INSERT INTO event_counts SELECT time_ms / ${HOUR_MS}, coalesce(service, ''), verdict, action, count(*) FROM events GROUP BY 1, 2, 3, 4;
   CREATE INDEX devices_last_seen ON devices (last_seen_ms DESC, device_id);
   ALTER TABLE devices ADD COLUMN raised TEXT;`,
  // 3: what the device list filters and counts on, as columns with indexes (not read out of the JSON of
  // every heartbeat): the interval that decides staleness, the token fingerprint and the user.
  `ALTER TABLE devices ADD COLUMN heartbeat_minutes INTEGER;
   ALTER TABLE devices ADD COLUMN token_id TEXT;
   ALTER TABLE devices ADD COLUMN user_name TEXT;
   UPDATE devices SET heartbeat_minutes = json_extract(heartbeat, '$.heartbeatMinutes'), token_id = json_extract(heartbeat, '$.tokenId'),
     user_name = json_extract(heartbeat, '$.user');
   CREATE INDEX devices_version ON devices (extension_version, last_seen_ms DESC, device_id);
   CREATE INDEX devices_user ON devices (user_name, last_seen_ms DESC, device_id);
   CREATE INDEX devices_token ON devices (token_id, last_seen_ms DESC, device_id);
   -- Covering: the page order with the interval (stale or not is decided in the index, not by reading
   -- each heartbeat), and the fleet's counts per version and token from the index alone.
   DROP INDEX devices_last_seen;
   CREATE INDEX devices_last_seen ON devices (last_seen_ms DESC, device_id, heartbeat_minutes);
   CREATE INDEX devices_fleet ON devices (extension_version, token_id, heartbeat_minutes, last_seen_ms);`,
  // 4: file-name search served by an index over the DISTINCT names (a name repeats across many events: the
  // same document tried again, on many devices). file_names holds each name once; an FTS5 table of its
  // trigrams (any substring of 3 characters or more) is kept by triggers on file_names, so only a name
  // never seen before costs an FTS insert (columnsize=0: no per-row size record, which nothing reads).
  // Events point at their name by name_id (indexed). file_names has an INTEGER PRIMARY KEY, so VACUUM
  // never renumbers what the index points at.
  `CREATE TABLE ${NAMES_TABLE} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
   CREATE VIRTUAL TABLE ${FTS_TABLE} USING fts5(name, content='${NAMES_TABLE}', content_rowid='id', tokenize='trigram', columnsize=0);
   CREATE TRIGGER ${FTS_TABLE}_insert AFTER INSERT ON ${NAMES_TABLE} BEGIN
     INSERT INTO ${FTS_TABLE}(rowid, name) VALUES (new.id, new.name);
   END;
   CREATE TRIGGER ${FTS_TABLE}_delete AFTER DELETE ON ${NAMES_TABLE} BEGIN
     INSERT INTO ${FTS_TABLE}(${FTS_TABLE}, rowid, name) VALUES ('delete', old.id, old.name);
   END;
   ALTER TABLE events ADD COLUMN name_id INTEGER;
   ${NAME_BACKFILL}
   CREATE INDEX events_name ON events (name_id);`,
  // accounts13: local and OpenID Connect accounts, sessions, named API tokens and the audit log (accounts/schema.ts).
  ACCOUNTS_SQLITE,
  // triage13: the PC name the deployment put in policy (deviceName), as the device sent it with the event.
  `ALTER TABLE events ADD COLUMN device_name TEXT;`,
  // triage13: incidents (incidents/schema.ts).
  SQLITE_INCIDENTS_MIGRATION,
  // report13: the department (organizational unit) the deployment put in policy, as sent with the event (per-department report).
  `ALTER TABLE events ADD COLUMN department TEXT;`,
  // admin13: accounts can be disabled and keep their last sign-in; the shared sign-in throttle (accounts/schema.ts).
  ACCOUNTS_MORE_SQLITE,
  // export11: the answers to warnings found by what they answer (relates_to), as the decisions CSV asks
  // for every page of warnings it writes; without it each page read every event. Partial: most events
  // answer nothing, and the index stays the size of the answers.
  `CREATE INDEX events_relates_to ON events (relates_to) WHERE relates_to IS NOT NULL;`,
  // names11: a new name's trigrams are written by the insert itself (nameId), not by a trigger on
  // file_names. A statement inside a trigger runs in a statement savepoint of its own, and FTS5 writes its
  // pending terms out as a segment at every savepoint: one tiny segment (and its merges) per new name, 4×
  // the cost of the same rows written directly. The delete trigger stays (the purge deletes in bulk).
  `DROP TRIGGER ${FTS_TABLE}_insert;`,
  // subject14: OpenID Connect accounts keyed by the provider's subject, not a claimed e-mail (accounts/schema.ts).
  ACCOUNTS_SUBJECT,
  // link14: incidents link events by "not yet linked", whatever the clocks (incidents/schema.ts).
  incidentLinkMigration('INTEGER'),
  // denied15: the refused credentials counted since an address's first entry, held durably (accounts/schema.ts).
  deniedPending('INTEGER'),
  // due16: an incident's deadline runs from its first event's arrival, not the device's clock (incidents/schema.ts).
  incidentDueMigration('INTEGER'),
  // throttled17: the held refusal counts name the caller too: valid credentials over their rate limit (accounts/schema.ts).
  refusedPending('INTEGER'),
  // alerted18: the deadline alert last queued per incident, so each is queued once (incidents/schema.ts).
  incidentAlertedMigration('INTEGER', 'INTEGER'),
  // source19: each event's sender as the collector saw it: address and ingest token (sql.ts).
  EVENT_SOURCE_MIGRATION,
  // expires20: an API token's end, set when it is made (accounts/schema.ts).
  tokenExpiry('INTEGER'),
  // order21: the incident list's default order as an index (incidents/schema.ts).
  incidentOrderMigration,
  // views22: the once-per-window reads' windows and counts (accounts/schema.ts).
  viewWindows('INTEGER'),
];

/** The number of migrations this code knows; a database beyond it was written by a newer collector. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /**
   * The read workers that run the slow reads off the main thread (a file only; ':memory:' reads on the
   * main connection). `false` reads on the main connection (the migration tests, tools).
   */
  readers?: ReadersOptions | false;
  /** WAL checkpoints off the commit path (a file only; ':memory:' has no WAL). */
  checkpoints?: CheckpointOptions;
}

/** What the group commit writes: a better-sqlite3 transaction function (a savepoint inside the group) and its weight in events. */
interface GroupWrite {
  weight: number;
  write: () => unknown;
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly outboxStmt: Database.Statement;
  private readonly nameSelect: Database.Statement;
  private readonly nameInsert: Database.Statement;
  private readonly trigramInsert: Database.Statement;
  /**
   * Name ids already looked up in the batch being written. Only within one transaction: it holds the
   * write lock, so no purge (here or in another collector on the file) can delete a name meanwhile.
   */
  private readonly batchNames = new Map<string, number>();
  private readonly insertBatch: (events: readonly UploadEvent[], receivedAt: number, opts: InsertOptions) => { inserted: UploadEvent[]; alerts: number };
  /** Ingest batches, and the small writes that ride along with them (runInGroup), committed together. */
  private readonly group: GroupCommit<GroupWrite, unknown>;
  /** The read workers; null: reads run on the main connection. */
  readonly readers: SqliteReaders | null;
  /** The group commit's WAL sync off the event loop (sqlite-wal-sync.ts); null for ':memory:'. */
  private readonly walSync: WalSync | null;
  /** The WAL checkpoints (sqlite-checkpoint.ts); null for ':memory:'. */
  readonly checkpoints: WalCheckpoints | null;
  fleetChanges = 0;

  constructor(opts: SqliteOptions) {
    if (opts.path !== ':memory:') {
      // Events are confidential: 0600 whether the file is new or not (SQLite gives -wal and -shm the same mode).
      closeSync(openSync(opts.path, 'a', 0o600));
      chmodSync(opts.path, 0o600);
    }
    this.db = new Database(opts.path);
    if (opts.path !== ':memory:') checkIntegrity(this.db, opts.path);
    this.db.pragma('journal_mode = WAL');
    // FULL: the WAL is synced at every commit, so an acknowledged batch survives a power cut or an OS
    // crash, not only a killed process (NORMAL in WAL mode may lose the last commits then). The group
    // commit shares that sync among the requests that arrive together, and runs it off the event loop
    // (sqlite-wal-sync.ts) before it answers.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.checkpoints = opts.path !== ':memory:' ? new WalCheckpoints(this.db, opts.path, opts.checkpoints) : null;
    this.readers = opts.path !== ':memory:' && opts.readers !== false ? new SqliteReaders(opts.path, opts.readers) : null;
    this.insertStmt = this.db.prepare(
      `INSERT INTO events (${COLUMN_NAMES.join(', ')}, name_id) VALUES (${COLUMN_NAMES.map(() => '?').join(', ')}, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.nameSelect = this.db.prepare(`SELECT id FROM ${NAMES_TABLE} WHERE name = ?`).pluck();
    this.nameInsert = this.db.prepare(`INSERT INTO ${NAMES_TABLE} (name) VALUES (?)`);
    this.trigramInsert = this.db.prepare(`INSERT INTO ${FTS_TABLE} (rowid, name) VALUES (?, ?)`);
    this.countStmt = this.db.prepare(
      `INSERT INTO event_counts (hour, service, verdict, action, n) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (hour, service, verdict, action) DO UPDATE SET n = n + excluded.n`,
    );
    this.outboxStmt = this.db.prepare(
      `INSERT INTO outbox (channel, ref, payload, created_ms, next_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, ref) DO NOTHING`,
    );
    // Events, their hourly counts and their alerts in one transaction: an acknowledged event always has its alerts.
    this.insertBatch = this.db.transaction((events: readonly UploadEvent[], receivedAt: number, opts: InsertOptions) => {
      const inserted: UploadEvent[] = [];
      let alerts = 0;
      this.batchNames.clear();
      // The batch's hourly counts, summed here and written once per key: a batch holds a few keys (hour ×
      // service × verdict × action), and an upsert per event was a tenth of the insert's time.
      const counts = new Map<string, [number, string, string, string, number]>();
      for (const e of events) {
        const values = eventValues(e, receivedAt, opts.timeWindow, opts.sender);
        if (this.insertStmt.run(...values, this.nameId(e.fileName)).changes !== 1) continue;
        inserted.push(e);
        const hour = Math.floor(Number(values[TIME_INDEX]) / HOUR_MS);
        const key = `${hour}\u0000${e.service ?? ''}\u0000${e.verdict}\u0000${e.action}`;
        const c = counts.get(key);
        if (c) c[4]++;
        else counts.set(key, [hour, e.service ?? '', e.verdict, e.action, 1]);
        for (const a of opts.alertsFor?.(asStored(e, values)) ?? []) alerts += this.outboxStmt.run(a.channel, a.ref, a.payload, receivedAt, receivedAt).changes;
      }
      for (const c of counts.values()) this.countStmt.run(...c);
      return { inserted, alerts };
    });
    this.walSync = opts.path !== ':memory:' ? new WalSync(`${opts.path}-wal`) : null;
    const walSync = this.walSync;
    // Up to 4,000 events a group: a commit writes every page its events touched (the id, user and device
    // indexes take events at random places), so larger groups write fewer pages per event: 2.6 pages an
    // event at 500, 2.0 at 1,000, 0.9 at 4,000 (50,000 stored). Over HTTP (8 clients × 500, in process),
    // 1,000 against 4,000 in alternate runs: 2,885 / 5,950, 4,252 / 5,176, 9,234 / 12,150 events/s.
    this.group = new GroupCommit(this.db, (w: GroupWrite) => w.write(), (w) => w.weight, 4_000, () => this.checkpoints?.committed(), walSync ? () => walSync.sync() : undefined);
  }

  /**
   * One small write (an audit entry) committed with the next group of ingest batches, in a savepoint of
   * its own: durable when the promise resolves, as before, but without a commit of its own. Alone it
   * synced the WAL on the event loop (3–5 ms at load, for every audited admin read and export), which
   * ingest and /healthz waited behind.
   */
  async runInGroup(sql: string, params: readonly unknown[]): Promise<number> {
    const write = this.db.transaction(() => this.db.prepare(sql).run(...params).changes);
    return (await this.group.run({ weight: 1, write })) as number;
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

  /**
   * The file_names row of an event's name: one lookup in its unique index; a name never seen before is
   * added, with its trigrams (migration names11 says why not by trigger). Protected: the bench replaces it
   * to measure inserts without the name index.
   */
  protected nameId(name: string | null | undefined): number | null {
    if (name === null || name === undefined) return null;
    let id = this.batchNames.get(name);
    if (id === undefined) {
      id = this.nameSelect.get(name) as number | undefined;
      if (id === undefined) {
        id = Number(this.nameInsert.run(name).lastInsertRowid);
        this.trigramInsert.run(id, name);
      }
      this.batchNames.set(name, id);
    }
    return id;
  }

  async insertEvents(events: readonly UploadEvent[], receivedAt: number, opts: InsertOptions = {}): Promise<InsertResult> {
    const { inserted, alerts } = (await this.group.run({ weight: events.length, write: () => this.insertBatch(events, receivedAt, opts) })) as {
      inserted: UploadEvent[];
      alerts: number;
    };
    return { accepted: inserted.length, duplicates: events.length - inserted.length, inserted, alerts };
  }

  /** A slow read: in a read worker when there are workers, else on the main connection. */
  private read<K extends ReadName>(op: K, ...args: Parameters<(typeof READS)[K]> extends [unknown, ...infer A] ? A : never): Promise<ReturnType<(typeof READS)[K]>> {
    if (this.readers) return this.readers.run(op, ...args);
    const fn = READS[op] as (db: Database.Database, ...a: unknown[]) => ReturnType<(typeof READS)[K]>;
    return Promise.resolve().then(() => fn(this.db, ...args));
  }

  queryEvents(q: EventQuery): Promise<EventPage> {
    return this.read('queryEvents', q);
  }

  summary(filter: EventFilter, tzOffsetMinutes = 0): Promise<Summary> {
    return this.read('summary', filter, tzOffsetMinutes);
  }

  devices(): Promise<DeviceRow[]> {
    return this.read('devices');
  }

  devicePage(q: DevicePageQuery): Promise<DevicePage> {
    return this.read('devicePage', q);
  }

  deviceGroups(now: number, staleAfterMinutes?: number): Promise<DeviceGroup[]> {
    return this.read('deviceGroups', now, staleAfterMinutes);
  }

  outboxStats(): Promise<OutboxStats> {
    return this.read('outboxStats');
  }
  outboxChannels(): Promise<ChannelStats[]> {
    return this.read('outboxChannels');
  }

  groupCounts(filter: EventFilter, keys: readonly GroupKey[], tzOffsetMinutes = 0): Promise<GroupCount[]> {
    return this.read('groupCounts', filter, keys, tzOffsetMinutes);
  }

  count(): Promise<number> {
    return this.read('count');
  }

  async upsertHeartbeat(h: ReceivedHeartbeat, receivedAt: number): Promise<void> {
    const params = {
      id: h.deviceId,
      hb: JSON.stringify(h),
      at: receivedAt,
      ver: h.extensionVersion,
      raised: JSON.stringify(raisedBy(h, receivedAt)),
      hbm: h.heartbeatMinutes ?? null,
      tok: h.tokenId ?? null,
      user: h.user ?? null,
    };
    this.db
      .transaction(() => {
        const before = this.db
          .prepare('SELECT extension_version AS version, token_id AS tokenId, last_seen_ms AS lastSeenMs, heartbeat_minutes AS minutes FROM devices WHERE device_id = ?')
          .get(h.deviceId) as FleetPlace | undefined;
        if (movesInFleet(before, h, receivedAt)) this.fleetChanges++;
        if (!before) {
          // First heartbeat: the device may have sent events before it (they count as first contact).
          this.db
            .prepare(
              `INSERT INTO devices (device_id, heartbeat, last_seen_ms, first_seen_ms, extension_version, previous_version, version_since_ms, raised,
                 heartbeat_minutes, token_id, user_name)
               VALUES (@id, @hb, @at, min(@at, coalesce((SELECT min(received_ms) FROM events WHERE device_id = @id), @at)), @ver, NULL, @at, @raised,
                 @hbm, @tok, @user)`,
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
               first_seen_ms = coalesce(first_seen_ms, @at),
               raised = json_patch(coalesce(raised, '{}'), @raised),
               heartbeat_minutes = @hbm,
               token_id = @tok,
               user_name = @user
             WHERE device_id = @id AND last_seen_ms <= @at`,
          )
          .run(params);
      })
      .immediate();
  }

  async purgeBefore(time: number, then?: (removed: number) => TxWork<unknown>): Promise<number> {
    const hour = Math.floor(time / HOUR_MS);
    return this.db
      .transaction(() => {
        const removed = this.purgeEvents(time);
        // Device records fall under retention too: a device silent for the whole period is forgotten.
        if (this.db.prepare('DELETE FROM devices WHERE last_seen_ms < ?').run(time).changes) this.fleetChanges++;
        // Hours wholly before `time` go; the hour it falls in is counted again from what is left.
        this.db.prepare('DELETE FROM event_counts WHERE hour <= ?').run(hour);
        this.db
          .prepare(
            `INSERT INTO event_counts SELECT time_ms / ${HOUR_MS}, coalesce(service, ''), verdict, action, count(*) FROM events
             WHERE time_ms >= ? AND time_ms < ? GROUP BY 1, 2, 3, 4`,
          )
          .run(hour * HOUR_MS, (hour + 1) * HOUR_MS);
        if (then) runSqliteWork(this.db, then(removed));
        return removed;
      })
      .immediate();
  }

  /**
   * Deletes the events before `time` and then the names no event uses any more. Only the names of the
   * purged events are checked (each one lookup in events_name), so the cost follows what is purged,
   * not the number of names stored.
   */
  private purgeEvents(time: number): number {
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS purged_names (id INTEGER PRIMARY KEY)');
    this.db.prepare('INSERT OR IGNORE INTO purged_names SELECT name_id FROM events WHERE time_ms < ? AND name_id IS NOT NULL').run(time);
    const removed = this.db.prepare('DELETE FROM events WHERE time_ms < ?').run(time).changes;
    this.db.exec(
      `DELETE FROM ${NAMES_TABLE} WHERE id IN (SELECT id FROM purged_names) AND NOT EXISTS (SELECT 1 FROM events WHERE name_id = ${NAMES_TABLE}.id);
       DELETE FROM purged_names;`,
    );
    return removed;
  }

  warm(): void {
    this.readers?.warm();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async enqueueAlerts(items: readonly OutboxItem[], now: number): Promise<number> {
    return this.db.transaction(() => items.reduce((n, a) => n + this.outboxStmt.run(a.channel, a.ref, a.payload, now, now).changes, 0)).immediate();
  }

  async claimAlerts(channel: AlertChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `SELECT id, channel, ref, payload, attempts, created_ms AS createdMs FROM outbox
             WHERE channel = ? AND delivered_ms IS NULL AND next_ms <= ? AND (lease_until_ms IS NULL OR lease_until_ms < ?)
             ORDER BY id LIMIT ?`,
          )
          .all(channel, now, now, limit) as OutboxRow[];
        const lease = this.db.prepare('UPDATE outbox SET lease_owner = ?, lease_until_ms = ? WHERE id = ?');
        for (const r of rows) lease.run(owner, now + leaseMs, r.id);
        return rows;
      })
      .immediate();
  }

  async alertsDelivered(ids: readonly number[], owner: string, now: number): Promise<void> {
    const done = this.db.prepare('UPDATE outbox SET delivered_ms = ?, lease_owner = NULL, lease_until_ms = NULL WHERE id = ? AND lease_owner = ?');
    this.db.transaction(() => ids.forEach((id) => done.run(now, id, owner))).immediate();
  }

  async alertFailed(id: number, owner: string, nextMs: number, error: string): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, next_ms = ?, last_error = ?, lease_owner = NULL, lease_until_ms = NULL WHERE id = ? AND lease_owner = ?')
      .run(nextMs, error.slice(0, 500), id, owner);
  }

  async purgeDeliveredAlerts(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM outbox WHERE delivered_ms < ?').run(before).changes;
  }

  async metaOnce(key: string, value: string): Promise<string> {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string }).value;
  }

  async close(): Promise<void> {
    await this.readers?.close();
    await this.checkpoints?.close();
    if (this.db.open) this.db.close();
    this.walSync?.close();
  }
}

/** Refuses a damaged database file at start, with the way out, instead of answering 500 to everything. */
function checkIntegrity(db: Database.Database, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (err) {
    problems = [(err as Error).message];
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  db.close();
  throw new StorageDamagedError(
    `${path} is damaged (${problems.join('; ').replace(/\s+/g, ' ').slice(0, 300)}): restore it from a backup, or move it aside to start with an empty database ` +
      `(sqlite3 ${path} ".recover" can salvage readable rows)`,
  );
}

export class StorageDamagedError extends Error {}
