/**
 * PostgreSQL back end: for when one collector is not enough. Several collectors share one database:
 * inserts are idempotent (ON CONFLICT DO NOTHING on the event id) and migrations run under an advisory
 * lock, so collectors starting together do not race.
 */
import pg from 'pg';
import type { TxWork } from '../incidents/sql.js';
import { inPgTransaction, runPgWork } from './tx-work.js';
import { groupCountsSql, toGroupCount, type GroupCount, type GroupKey } from './group-counts.js';
import { ACCOUNTS_MORE_PG, ACCOUNTS_PG, ACCOUNTS_SUBJECT, deniedPending, refusedPending, tokenExpiry, viewWindows } from '../accounts/schema.js';
import { PG_INCIDENTS_MIGRATION, incidentAlertedMigration, incidentDueMigration, incidentLinkMigration, incidentOrderMigration } from '../incidents/schema.js';
import type { Heartbeat, UploadEvent } from '../../events/schema.js';
import {
  asStored,
  COLUMN_NAMES,
  EVENT_SOURCE_MIGRATION,
  DAY_MS,
  HOUR_MS,
  Where,
  deviceRow,
  eventValues,
  pageClause,
  pageColumns,
  raisedBy,
  deviceGroup,
  deviceGroupsSql,
  devicePageSql,
  devicePageRowsAsync,
  rollupPlan,
  rollupSql,
  summaryFromCounts,
  eventCountsSql,
  toPage,
  movesInFleet,
  outboxChannelsSql,
  toChannelStats,
  type DayCount,
  type FleetPlace,
} from './sql.js';
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

/** Column types for the unnest() bulk insert, in COLUMN_NAMES order. */
const PG_TYPES: Record<string, string> = {
  time_ms: 'bigint',
  received_ms: 'bigint',
  size: 'bigint',
  rule: 'smallint',
  v: 'smallint',
  claimed_time_ms: 'bigint',
};

/** Ordered migrations; each runs once per schema, recorded in `migrations`. Append only. */
const MIGRATIONS: string[] = [
  `CREATE TABLE events (
    id TEXT PRIMARY KEY,
    relates_to TEXT,
    time_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    v SMALLINT NOT NULL,
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
    size BIGINT,
    sha256 TEXT,
    verdict TEXT NOT NULL,
    rule SMALLINT,
    reason TEXT,
    location TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    justification TEXT,
    policy_version TEXT
  );
  CREATE INDEX events_time_id ON events (time_ms, id);
  CREATE INDEX events_service_verdict_time ON events (service, verdict, time_ms, id);
  CREATE INDEX events_verdict_time ON events (verdict, time_ms, id);
  CREATE INDEX events_action_time ON events (action, time_ms, id);
  CREATE INDEX events_user_time ON events (user_name, time_ms);
  CREATE INDEX events_device_time ON events (device_id, time_ms);
  CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    heartbeat JSONB NOT NULL,
    last_seen_ms BIGINT NOT NULL
  );`,
  // 2: devices keep when they were first heard of and their version history (tamper evidence); as
  // migration 1 of sqlite.ts. first_seen_ms of an existing device: the earlier of its last heartbeat and
  // its first stored event. version_since_ms stays NULL: when that version came is unknown.
  `ALTER TABLE devices
     ADD COLUMN first_seen_ms BIGINT,
     ADD COLUMN extension_version TEXT,
     ADD COLUMN previous_version TEXT,
     ADD COLUMN version_since_ms BIGINT;
   UPDATE devices d SET
     extension_version = d.heartbeat->>'extensionVersion',
     first_seen_ms = LEAST(d.last_seen_ms, (SELECT min(e.received_ms) FROM events e WHERE e.device_id = d.device_id));
   ALTER TABLE devices ALTER COLUMN first_seen_ms SET NOT NULL, ALTER COLUMN extension_version SET NOT NULL;`,
  // 3: as migration 2 of sqlite.ts: the alert outbox, settings, the device's implausible claim of an
  // event's time, hourly counts for the summary, and the device list's order.
  `ALTER TABLE events ADD COLUMN claimed_time_ms BIGINT;
   CREATE TABLE outbox (
     id BIGSERIAL PRIMARY KEY,
     channel TEXT NOT NULL,
     ref TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_ms BIGINT NOT NULL,
     next_ms BIGINT NOT NULL,
     attempts INT NOT NULL DEFAULT 0,
     lease_owner TEXT,
     lease_until_ms BIGINT,
     delivered_ms BIGINT,
     last_error TEXT,
     UNIQUE (channel, ref)
   );
   CREATE INDEX outbox_due ON outbox (channel, next_ms, id) WHERE delivered_ms IS NULL;
   CREATE INDEX outbox_delivered ON outbox (delivered_ms) WHERE delivered_ms IS NOT NULL;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE event_counts (
     hour BIGINT NOT NULL,
     service TEXT NOT NULL,
     verdict TEXT NOT NULL,
     action TEXT NOT NULL,
     n BIGINT NOT NULL,
     PRIMARY KEY (hour, service, verdict, action)
   );
   INSERT INTO event_counts SELECT floor(time_ms / ${HOUR_MS}.0), coalesce(service, ''), verdict, action, count(*) FROM events GROUP BY 1, 2, 3, 4;
   CREATE INDEX devices_last_seen ON devices (last_seen_ms DESC, device_id);
   ALTER TABLE devices ADD COLUMN raised JSONB;`,
  // 4: as migration 3 of sqlite.ts: what the device list filters and counts on, as indexed columns.
  `ALTER TABLE devices ADD COLUMN heartbeat_minutes INT, ADD COLUMN token_id TEXT, ADD COLUMN user_name TEXT;
   UPDATE devices SET heartbeat_minutes = (heartbeat->>'heartbeatMinutes')::int, token_id = heartbeat->>'tokenId', user_name = heartbeat->>'user';
   CREATE INDEX devices_version ON devices (extension_version, last_seen_ms DESC, device_id);
   CREATE INDEX devices_user ON devices (user_name, last_seen_ms DESC, device_id);
   CREATE INDEX devices_token ON devices (token_id, last_seen_ms DESC, device_id);
   DROP INDEX devices_last_seen;
   CREATE INDEX devices_last_seen ON devices (last_seen_ms DESC, device_id, heartbeat_minutes);
   CREATE INDEX devices_fleet ON devices (extension_version, token_id, heartbeat_minutes, last_seen_ms);`,
  // accounts13: as in sqlite.ts: accounts, sessions, named API tokens and the audit log (accounts/schema.ts).
  ACCOUNTS_PG,
  // triage13: as the matching migration of sqlite.ts: the PC name from policy, as sent with the event.
  `ALTER TABLE events ADD COLUMN device_name TEXT;`,
  // triage13: incidents (incidents/schema.ts).
  PG_INCIDENTS_MIGRATION,
  // report13: as the matching migration of sqlite.ts: the department from policy, as sent with the event.
  `ALTER TABLE events ADD COLUMN department TEXT;`,
  // admin13: as in sqlite.ts: disabled accounts, last sign-in, the shared sign-in throttle (accounts/schema.ts).
  ACCOUNTS_MORE_PG,
  // export11: as in sqlite.ts: answers found by the warning they answer (the decisions CSV, page by page).
  `CREATE INDEX events_relates_to ON events (relates_to) WHERE relates_to IS NOT NULL;`,
  // subject14: as in sqlite.ts: OpenID Connect accounts keyed by the provider's subject (accounts/schema.ts).
  ACCOUNTS_SUBJECT,
  // link14: as in sqlite.ts: incidents link events by "not yet linked", whatever the clocks (incidents/schema.ts).
  incidentLinkMigration('SMALLINT'),
  // denied15: as in sqlite.ts: refused credentials counted since an address's first entry (accounts/schema.ts).
  deniedPending('BIGINT'),
  // due16: as in sqlite.ts: deadlines from the first event's arrival (incidents/schema.ts).
  incidentDueMigration('BIGINT'),
  // throttled17: the held refusal counts name the caller too: valid credentials over their rate limit (accounts/schema.ts).
  refusedPending('BIGINT'),
  // alerted18: as in sqlite.ts: the deadline alert last queued per incident (incidents/schema.ts).
  incidentAlertedMigration('SMALLINT', 'BIGINT'),
  // source19: as in sqlite.ts: each event's sender, address and ingest token (sql.ts).
  EVENT_SOURCE_MIGRATION,
  // expires20: an API token's end, set when it is made (accounts/schema.ts).
  tokenExpiry('BIGINT'),
  // order21: the incident list's default order as an index (incidents/schema.ts).
  incidentOrderMigration,
  // views22: the once-per-window reads' windows and counts (accounts/schema.ts).
  viewWindows('BIGINT'),
];

/** Epoch ms → day number (BIGINT division would truncate towards zero; floor is right before 1970 too). */
const pgDay = (ms: string) => `floor((${ms}) / ${DAY_MS}.0)`;

const DEVICE_COLUMNS = 'device_id, heartbeat, last_seen_ms, first_seen_ms, previous_version, version_since_ms, raised';

interface DeviceDbRow {
  device_id: string;
  heartbeat: Heartbeat;
  last_seen_ms: string;
  first_seen_ms: string;
  previous_version: string | null;
  version_since_ms: string | null;
  raised: Record<string, number | string> | null;
}

/** The number of migrations this code knows; a schema beyond it was written by a newer collector. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

export interface PostgresOptions {
  connectionString: string;
  /** Schema to keep the tables in (default `upload_guard`); tests use a fresh one per run. */
  schema?: string;
  poolSize?: number;
  /**
   * Connections of the separate pool for admin reads (event pages, exports, summaries, counts, the device
   * list), default 4. Separate so that reads, however many and slow, never take the connections ingest,
   * heartbeats and alerts need (F11: 30 concurrent viewer summaries held the one pool and ingest got 503).
   */
  readPoolSize?: number;
  /** A statement running longer is cancelled by the server, ms (default 10 s). */
  statementTimeoutMs?: number;
  /** Waiting for a connection (a new one, or a free one from the pool), ms (default 5 s). */
  connectTimeoutMs?: number;
}

function newPool(opts: PostgresOptions, max: number, statementMs: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    // The server cancels a long statement; the client gives up a little later on a server that does
    // not answer at all (hung, or the network to it gone), so no request waits forever.
    statement_timeout: statementMs,
    query_timeout: statementMs + 2_000,
    keepAlive: true,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node exits.
  pool.on('error', () => {});
  return pool;
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  /** Writes (ingest, heartbeats, the outbox, incidents, accounts and audit) and the cheap reads they need. */
  readonly pool: pg.Pool;
  /**
   * Admin reads that can be slow (a summary or export over millions of events): a pool of their own, so
   * that when they queue they queue behind each other, never in front of ingest. A read that waits longer
   * than the connect timeout for one answers 503 + Retry-After (errors.ts); ingest is not affected.
   */
  readonly readPool: pg.Pool;
  readonly schema: string;
  private readonly insertSql: string;
  fleetChanges = 0;
  readonly notices: string[] = [];

  private constructor(opts: PostgresOptions) {
    this.schema = opts.schema ?? 'upload_guard';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`invalid PostgreSQL schema name: ${this.schema}`);
    const statementMs = opts.statementTimeoutMs ?? 10_000;
    this.pool = newPool(opts, opts.poolSize ?? 10, statementMs);
    this.readPool = newPool(opts, opts.readPoolSize ?? 4, statementMs);
    // unnest() turns one array per column into rows: one statement and 25 parameters per batch,
    // whatever its size (a VALUES list would need 25 × N parameters and a new plan per batch size).
    const casts = COLUMN_NAMES.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? 'text'}[]`);
    const n = COLUMN_NAMES.length;
    // One statement, so one transaction: the events, their hourly counts and their alerts together.
    // Every insert takes its rows in one order (ORDER BY: events by id, counts by key, alerts by key).
    // Concurrent batches wait on each other's new keys (a unique index waits for the transaction that
    // inserted the same key); in whatever order the aggregate happened to give them, two batches each
    // held a key the other wanted: "deadlock detected", HTTP 500 under load (bench, read part).
    this.insertSql = `WITH ins AS (
        INSERT INTO ${this.schema}.events (${COLUMN_NAMES.join(', ')})
        SELECT * FROM unnest(${casts.join(', ')}) AS u(${COLUMN_NAMES.join(', ')}) ORDER BY id
        ON CONFLICT (id) DO NOTHING RETURNING id, time_ms, service, verdict, action),
      counted AS (
        INSERT INTO ${this.schema}.event_counts AS c (hour, service, verdict, action, n)
        SELECT floor(time_ms / ${HOUR_MS}.0), coalesce(service, ''), verdict, action, count(*) FROM ins GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (hour, service, verdict, action) DO UPDATE SET n = c.n + excluded.n
        RETURNING 1),
      alerted AS (
        INSERT INTO ${this.schema}.outbox (channel, ref, payload, created_ms, next_ms)
        SELECT a.channel, a.ref, a.payload, $${n + 4}, $${n + 4}
        FROM unnest($${n + 1}::text[], $${n + 2}::text[], $${n + 3}::text[], $${n + 5}::text[]) AS a(event_id, channel, ref, payload)
        JOIN ins ON ins.id = a.event_id
        ORDER BY a.channel, a.ref
        ON CONFLICT (channel, ref) DO NOTHING
        RETURNING 1)
      SELECT id, (SELECT count(*) FROM alerted) AS alerts, (SELECT count(*) FROM counted) AS counted FROM ins`;
  }

  /** Connects and migrates. Throws when the database is unreachable (callers must not silently fall back). */
  static async open(opts: PostgresOptions): Promise<PostgresStorage> {
    const s = new PostgresStorage(opts);
    try {
      await s.migrate();
    } catch (err) {
      await s.readPool.end().catch(() => {});
      await s.pool.end().catch(() => {});
      throw err;
    }
    return s;
  }

  private async migrate(): Promise<void> {
    await inPgTransaction(this.pool, async (client) => {
      // One collector migrates at a time; the lock is released at COMMIT.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`upload-guard:${this.schema}`]);
      // Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
      // schema exists, and a DBA may give the collector a schema of its own and nothing more.
      const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      if (!schema.rowCount) await client.query(`CREATE SCHEMA ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.schema}.migrations`);
      const done = rows[0]?.v ?? 0;
      if (done > MIGRATIONS.length) {
        throw new Error(`schema ${this.schema} is at version ${done}, newer than this collector knows (${MIGRATIONS.length}): upgrade the collector`);
      }
      await client.query(`SET LOCAL search_path TO ${this.schema}`);
      for (let i = done; i < MIGRATIONS.length; i++) {
        await client.query(MIGRATIONS[i]!);
        await client.query(`INSERT INTO ${this.schema}.migrations (version) VALUES ($1)`, [i + 1]);
      }
      await this.ensureTrigramIndex(client);
    });
  }

  /**
   * File-name search served by an index: a pg_trgm GIN index on events.file_name, which the planner uses
   * for `file_name ILIKE '%…%'`. Not a numbered migration: it needs the pg_trgm extension (in Debian's
   * postgresql-15, and trusted: a user with CREATE on the database may add it), and where the extension
   * cannot be created the collector still works, unindexed, says so at start (notices), and tries again at
   * the next start. The extension goes in `public`, never in the collector's schema: dropping that schema
   * must not drop an extension other schemas use.
   */
  private async ensureTrigramIndex(client: pg.PoolClient): Promise<void> {
    const has = await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_file_name_trgm'`, [this.schema]);
    if (has.rowCount) return;
    await client.query('SAVEPOINT trgm');
    try {
      // Collectors of other schemas may add it at the same moment: one at a time (released at COMMIT).
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('upload-guard:pg_trgm'))`);
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
      const ext = await client.query<{ nspname: string }>(
        `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
      );
      const ns = ext.rows[0]!.nspname;
      await client.query(`CREATE INDEX events_file_name_trgm ON ${this.schema}.events USING gin (file_name ${pg.escapeIdentifier(ns)}.gin_trgm_ops)`);
      await client.query('RELEASE SAVEPOINT trgm');
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT trgm');
      this.notices.push(
        `file-name search is not indexed (searches read every event in range): the pg_trgm extension could not be used (${(err as Error).message}); ` +
          `a database owner can run "CREATE EXTENSION pg_trgm SCHEMA public" and restart the collector`,
      );
    }
  }

  async insertEvents(events: readonly UploadEvent[], receivedAt: number, opts: InsertOptions = {}): Promise<InsertResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0, inserted: [], alerts: 0 };
    const columns: unknown[][] = COLUMN_NAMES.map(() => []);
    // Alerts are built for every event of the batch; the statement keeps those of the events it inserted.
    const alerts: string[][] = [[], [], [], []];
    for (const e of firstOfEachId(events)) {
      const values = eventValues(e, receivedAt, opts.timeWindow, opts.sender);
      for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
      for (const a of opts.alertsFor?.(asStored(e, values)) ?? []) [e.id, a.channel, a.ref, a.payload].forEach((v, i) => alerts[i]!.push(v));
    }
    // One statement is one transaction: the whole batch or nothing.
    const { rows } = await this.pool.query<{ id: string; alerts: string }>(this.insertSql, [...columns, alerts[0], alerts[1], alerts[2], receivedAt, alerts[3]]);
    const ids = new Set(rows.map((r) => r.id));
    // A batch that repeats an id inserts it once: its first occurrence (firstOfEachId).
    const inserted: UploadEvent[] = [];
    for (const e of events) {
      if (ids.delete(e.id)) inserted.push(e);
    }
    return { accepted: inserted.length, duplicates: events.length - inserted.length, inserted, alerts: Number(rows[0]?.alerts ?? 0) };
  }

  async queryEvents(q: EventQuery): Promise<EventPage> {
    const where = new Where((n) => `$${n}`, 'ILIKE').filter(q);
    const order = pageClause(where, q);
    where.params.push(q.limit + 1);
    const { rows } = await this.readPool.query(
      `SELECT ${pageColumns(q)} FROM ${this.schema}.events ${where.sql()} ${order} LIMIT $${where.params.length}`,
      where.params,
    );
    return toPage(rows, q);
  }

  async groupCounts(filter: EventFilter, keys: readonly GroupKey[], tzOffsetMinutes = 0): Promise<GroupCount[]> {
    const w = new Where((n) => `$${n}`, 'ILIKE');
    const sql = groupCountsSql(`${this.schema}.events`, w, filter, keys, tzOffsetMinutes, (ms) => `floor((${ms}) / ${DAY_MS}.0)::bigint`);
    return (await this.readPool.query(sql, w.params)).rows.map((r: Record<string, unknown>) => toGroupCount(r, keys));
  }

  async summary(filter: EventFilter, tzOffsetMinutes = 0): Promise<Summary> {
    const plan = rollupPlan(filter, tzOffsetMinutes);
    if (plan) {
      const { sql, params } = rollupSql(`${this.schema}.`, new Where((n) => `$${n}`, 'ILIKE'), filter, tzOffsetMinutes, plan, pgDay);
      return summaryFromCounts((await this.readPool.query<DayCount>(sql, params)).rows);
    }
    const w = new Where((n) => `$${n}`, 'ILIKE').filter(filter);
    return summaryFromCounts((await this.readPool.query<DayCount>(eventCountsSql(`${this.schema}.`, w, tzOffsetMinutes, pgDay), w.params)).rows);
  }

  async upsertHeartbeat(h: ReceivedHeartbeat, receivedAt: number): Promise<void> {
    const t = `${this.schema}.devices`;
    // A heartbeat older than the stored one (delivered late, or by a slower collector) changes nothing.
    // `before` reads the row as it was (the statement's snapshot), for fleetChanges.
    const { rows } = await this.pool.query<{ inserted: boolean; before: FleetPlace | null }>(
      `WITH before AS (SELECT extension_version, token_id, last_seen_ms, heartbeat_minutes FROM ${t} WHERE device_id = $1)
       INSERT INTO ${t} AS d (device_id, heartbeat, last_seen_ms, first_seen_ms, extension_version, previous_version, version_since_ms, raised,
         heartbeat_minutes, token_id, user_name)
       VALUES ($1, $2, $3, $3, $4, NULL, $3, $5::jsonb, $6, $7, $8)
       ON CONFLICT (device_id) DO UPDATE SET
         heartbeat = excluded.heartbeat,
         last_seen_ms = excluded.last_seen_ms,
         previous_version = CASE WHEN d.extension_version IS DISTINCT FROM excluded.extension_version THEN d.extension_version ELSE d.previous_version END,
         version_since_ms = CASE WHEN d.extension_version IS DISTINCT FROM excluded.extension_version THEN excluded.last_seen_ms ELSE d.version_since_ms END,
         extension_version = excluded.extension_version,
         raised = coalesce(d.raised, '{}'::jsonb) || excluded.raised,
         heartbeat_minutes = excluded.heartbeat_minutes,
         token_id = excluded.token_id,
         user_name = excluded.user_name
       WHERE d.last_seen_ms <= excluded.last_seen_ms
       RETURNING (xmax = 0) AS inserted,
         (SELECT json_build_object('version', extension_version, 'tokenId', token_id, 'lastSeenMs', last_seen_ms, 'minutes', heartbeat_minutes) FROM before) AS before`,
      [h.deviceId, JSON.stringify(h), receivedAt, h.extensionVersion, JSON.stringify(raisedBy(h, receivedAt)), h.heartbeatMinutes ?? null, h.tokenId ?? null, h.user ?? null],
    );
    if (rows[0] && movesInFleet(rows[0].before ?? undefined, h, receivedAt)) this.fleetChanges++;
    if (rows[0]?.inserted) {
      // First heartbeat: the device may have sent events before it (they count as first contact).
      await this.pool.query(
        `UPDATE ${t} SET first_seen_ms = LEAST(first_seen_ms, (SELECT min(received_ms) FROM ${this.schema}.events WHERE device_id = $1))
         WHERE device_id = $1`,
        [h.deviceId],
      );
    }
  }

  async devices(): Promise<DeviceRow[]> {
    const { rows } = await this.readPool.query<DeviceDbRow>(`SELECT ${DEVICE_COLUMNS} FROM ${this.schema}.devices ORDER BY last_seen_ms DESC, device_id`);
    return rows.map((r) => deviceRow(r.heartbeat, r));
  }

  async devicePage(q: DevicePageQuery): Promise<DevicePage> {
    const { rows, nextCursor } = await devicePageRowsAsync(q, async (part, n) => {
      const w = new Where((i) => `$${i}`, 'ILIKE');
      const rest = devicePageSql(w, q, part);
      w.params.push(n);
      return (await this.readPool.query<DeviceDbRow>(`SELECT ${DEVICE_COLUMNS} FROM ${this.schema}.devices ${rest} LIMIT $${w.params.length}`, w.params)).rows;
    });
    return { devices: rows.map((r) => deviceRow(r.heartbeat, r)), nextCursor };
  }

  async deviceGroups(now: number, staleAfterMinutes?: number): Promise<DeviceGroup[]> {
    const { rows } = await this.readPool.query<Parameters<typeof deviceGroup>[0]>(deviceGroupsSql(`${this.schema}.devices`, now, staleAfterMinutes));
    return rows.map(deviceGroup);
  }

  async purgeBefore(time: number, then?: (removed: number) => TxWork<unknown>): Promise<number> {
    const hour = Math.floor(time / HOUR_MS);
    return inPgTransaction(this.pool, async (client) => {
      const r = await client.query(`DELETE FROM ${this.schema}.events WHERE time_ms < $1`, [time]);
      // Device records fall under retention too: a device silent for the whole period is forgotten.
      if ((await client.query(`DELETE FROM ${this.schema}.devices WHERE last_seen_ms < $1`, [time])).rowCount) this.fleetChanges++;
      // Hours wholly before `time` go; the hour it falls in is counted again from what is left.
      await client.query(`DELETE FROM ${this.schema}.event_counts WHERE hour <= $1`, [hour]);
      await client.query(
        `INSERT INTO ${this.schema}.event_counts SELECT floor(time_ms / ${HOUR_MS}.0), coalesce(service, ''), verdict, action, count(*)
         FROM ${this.schema}.events WHERE time_ms >= $1 AND time_ms < $2 GROUP BY 1, 2, 3, 4`,
        [hour * HOUR_MS, (hour + 1) * HOUR_MS],
      );
      if (then) await runPgWork(client, then(r.rowCount ?? 0));
      return r.rowCount ?? 0;
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async enqueueAlerts(items: readonly OutboxItem[], now: number): Promise<number> {
    if (items.length === 0) return 0;
    const r = await this.pool.query(
      `INSERT INTO ${this.schema}.outbox (channel, ref, payload, created_ms, next_ms)
       SELECT channel, ref, payload, $4, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS a(channel, ref, payload)
       ON CONFLICT (channel, ref) DO NOTHING`,
      [items.map((i) => i.channel), items.map((i) => i.ref), items.map((i) => i.payload), now],
    );
    return r.rowCount ?? 0;
  }

  async claimAlerts(channel: AlertChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    // SKIP LOCKED: collectors sharing the database each take different rows, without waiting on each other.
    const { rows } = await this.pool.query<{ id: string; channel: AlertChannel; ref: string; payload: string; attempts: number; created_ms: string }>(
      `UPDATE ${this.schema}.outbox SET lease_owner = $1, lease_until_ms = $2::bigint + $3::bigint
       WHERE id IN (
         SELECT id FROM ${this.schema}.outbox
         WHERE channel = $4 AND delivered_ms IS NULL AND next_ms <= $2 AND (lease_until_ms IS NULL OR lease_until_ms < $2)
         ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED)
       RETURNING id, channel, ref, payload, attempts, created_ms`,
      [owner, now, leaseMs, channel, limit],
    );
    return rows
      .map((r) => ({ id: Number(r.id), channel: r.channel, ref: r.ref, payload: r.payload, attempts: r.attempts, createdMs: Number(r.created_ms) }))
      .sort((a, b) => a.id - b.id);
  }

  async alertsDelivered(ids: readonly number[], owner: string, now: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.schema}.outbox SET delivered_ms = $1, lease_owner = NULL, lease_until_ms = NULL WHERE id = ANY($2::bigint[]) AND lease_owner = $3`,
      [now, ids, owner],
    );
  }

  async alertFailed(id: number, owner: string, nextMs: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.schema}.outbox SET attempts = attempts + 1, next_ms = $1, last_error = $2, lease_owner = NULL, lease_until_ms = NULL
       WHERE id = $3 AND lease_owner = $4`,
      [nextMs, error.slice(0, 500), id, owner],
    );
  }

  async outboxChannels(): Promise<ChannelStats[]> {
    return (await this.readPool.query(outboxChannelsSql(`${this.schema}.outbox`))).rows.map(toChannelStats);
  }

  async outboxStats(): Promise<OutboxStats> {
    const t = `${this.schema}.outbox`;
    const { rows } = await this.pool.query<{ pending: string; oldest: string | null; delivered: string; retrying: string }>(
      `SELECT (SELECT count(*) FROM ${t} WHERE delivered_ms IS NULL) AS pending,
              (SELECT min(created_ms) FROM ${t} WHERE delivered_ms IS NULL) AS oldest,
              (SELECT count(*) FROM ${t} WHERE delivered_ms IS NOT NULL) AS delivered,
              (SELECT count(*) FROM ${t} WHERE delivered_ms IS NULL AND attempts > 0) AS retrying`,
    );
    const r = rows[0]!;
    return { pending: Number(r.pending), oldestPendingMs: r.oldest === null ? null : Number(r.oldest), delivered: Number(r.delivered), retrying: Number(r.retrying) };
  }

  async purgeDeliveredAlerts(before: number): Promise<number> {
    return (await this.pool.query(`DELETE FROM ${this.schema}.outbox WHERE delivered_ms < $1`, [before])).rowCount ?? 0;
  }

  async metaOnce(key: string, value: string): Promise<string> {
    await this.pool.query(`INSERT INTO ${this.schema}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value]);
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM ${this.schema}.meta WHERE key = $1`, [key]);
    return rows[0]!.value;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.schema}.events`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Drops the schema and everything in it (tests only). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.readPool.end()]);
  }

}

/**
 * A batch's events with each id once, the first occurrence kept, as SQLite stores them (one row at a time,
 * in order). Given both to one statement, PostgreSQL stored either occurrence and queued the alerts of
 * either, so a batch repeating an id with other contents could have the chat and the SIEM told of an
 * event the record does not hold (a block alerted, an allow stored; or the reverse: red team coll7 F11).
 */
function firstOfEachId(events: readonly UploadEvent[]): UploadEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && !!seen.add(e.id));
}
