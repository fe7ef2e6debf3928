/**
 * The SQLite reads that can be slow over a large store (event pages and exports, the summary, the device
 * list, counts). Plain functions over a connection, so the same code runs on the main connection (an
 * in-memory database, tests) and in the read workers (sqlite-read-worker.ts), which keep them off the
 * event loop that ingest runs on.
 */
import type Database from 'better-sqlite3';
import type { Heartbeat } from '../../events/schema.js';
import {
  DAY_MS,
  FTS_TABLE,
  TRIGRAM_MIN,
  Where,
  ftsPhrase,
  devicePageSql,
  deviceRow,
  devicePageRows,
  eventCountsSql,
  pageClause,
  pageColumns,
  rollupPlan,
  rollupSql,
  summaryFromCounts,
  staleSql,
  toPage,
  outboxChannelsSql,
  toChannelStats,
  type DayCount,
} from './sql.js';
import { groupCountsSql, toGroupCount, type GroupCount, type GroupKey } from './group-counts.js';
import type { ChannelStats, DeviceGroup, DevicePage, DevicePageQuery, DeviceRow, EventFilter, EventPage, EventQuery, OutboxStats, Summary } from './types.js';

type Db = Database.Database;

const where = (trigram = false) => new Where(() => '?', 'LIKE', trigram);

/**
 * Matches beyond which a file-name search walks the time index instead of the trigram index: a common
 * word finds a page of matches among the newest events at once, while fetching and sorting all its
 * matches from the index would not. A rarer one is served by the index (a few thousand row lookups).
 */
const TRIGRAM_MAX_MATCHES = 5_000;

/** Whether the trigram index should serve this search: long enough for trigrams, and not too common. */
function useTrigrams(db: Db, q: string | undefined): boolean {
  if (!q || [...q].length < TRIGRAM_MIN) return false;
  // Events, not names: one name may stand for thousands of events. CROSS JOIN keeps the names first, so
  // the count stops at the limit instead of listing every matching name.
  const { n } = db
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${FTS_TABLE} CROSS JOIN events ON events.name_id = ${FTS_TABLE}.rowid WHERE ${FTS_TABLE} MATCH ? LIMIT ?)`)
    .get(ftsPhrase(q), TRIGRAM_MAX_MATCHES) as { n: number };
  return n < TRIGRAM_MAX_MATCHES;
}

export function queryEvents(db: Db, q: EventQuery): EventPage {
  const w = where(useTrigrams(db, q.q)).filter(q);
  const order = pageClause(w, q);
  const rows = db.prepare(`SELECT ${pageColumns(q)} FROM events ${w.sql()} ${order} LIMIT ?`).all(...w.params, q.limit + 1) as Record<string, unknown>[];
  return toPage(rows, q);
}

/** Epoch ms → day number (SQLite divides integers as integers). */
const sqliteDay = (ms: string) => `((${ms}) / ${DAY_MS})`;

export function summary(db: Db, filter: EventFilter, tzOffsetMinutes = 0): Summary {
  const plan = rollupPlan(filter, tzOffsetMinutes);
  if (plan) {
    const { sql, params } = rollupSql('', where(), filter, tzOffsetMinutes, plan, sqliteDay);
    return summaryFromCounts(db.prepare(sql).all(...params) as DayCount[]);
  }
  // A summary counts every match: the trigram index finds them sooner than a scan, however many there are.
  const w = where(!!filter.q && [...filter.q].length >= TRIGRAM_MIN).filter(filter);
  return summaryFromCounts(db.prepare(eventCountsSql('', w, tzOffsetMinutes, sqliteDay)).all(...w.params) as DayCount[]);
}

const DEVICE_COLUMNS = `device_id, heartbeat, last_seen_ms, coalesce(first_seen_ms, last_seen_ms) AS first_seen_ms, previous_version, version_since_ms, raised`;

interface DeviceDbRow {
  device_id: string;
  heartbeat: string;
  last_seen_ms: number;
  first_seen_ms: number;
  previous_version: string | null;
  version_since_ms: number | null;
  raised: string | null;
}

const toDevice = (r: DeviceDbRow): DeviceRow =>
  deviceRow(JSON.parse(r.heartbeat) as Heartbeat, { ...r, raised: r.raised ? (JSON.parse(r.raised) as Record<string, number>) : null });

export function devices(db: Db): DeviceRow[] {
  return (db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY last_seen_ms DESC, device_id`).all() as DeviceDbRow[]).map(toDevice);
}

export function devicePage(db: Db, q: DevicePageQuery): DevicePage {
  const { rows, nextCursor } = devicePageRows(q, (part, n) => {
    const w = where();
    const rest = devicePageSql(w, q, part);
    return db.prepare(`SELECT ${DEVICE_COLUMNS} FROM devices ${rest} LIMIT ?`).all(...w.params, n) as DeviceDbRow[];
  });
  return { devices: rows.map(toDevice), nextCursor };
}

/**
 * The fleet's counts per version and token, and how many of each are stale (sql.ts deviceGroupsSql, in
 * two steps). Deciding stale or not for each device (a CASE per row) made a count over 100,000 devices
 * cost four times a plain count. So: devices per version × token × heartbeat interval (a plain count over
 * the devices_fleet index), then the stale ones of each of those few groups, a range of the same index
 * below that interval's stale time (staleSql): only stale devices are visited.
 */
export function deviceGroups(db: Db, now: number, staleAfterMinutes?: number): DeviceGroup[] {
  const parts = db
    .prepare('SELECT extension_version AS version, token_id AS token, heartbeat_minutes AS minutes, count(*) AS n FROM devices GROUP BY 1, 2, 3')
    .all() as { version: string; token: string | null; minutes: number | null; n: number }[];
  // The stale rule of a group, with its interval as a parameter rather than read from each row.
  const override = staleAfterMinutes !== undefined;
  const stale = db
    .prepare(`SELECT count(*) FROM devices WHERE extension_version IS ? AND token_id IS ? AND heartbeat_minutes IS ? AND ${staleSql(now, staleAfterMinutes, '?')}`)
    .pluck();
  const groups = new Map<string, DeviceGroup>();
  for (const p of parts) {
    const key = JSON.stringify([p.version, p.token]);
    const g = groups.get(key) ?? groups.set(key, { extensionVersion: p.version, tokenId: p.token ?? null, devices: 0, stale: 0 }).get(key)!;
    g.devices += p.n;
    g.stale += stale.get(p.version, p.token, p.minutes, ...(override ? [] : [p.minutes])) as number;
  }
  return [...groups.values()];
}

export function outboxStats(db: Db): OutboxStats {
  const r = db
    .prepare(
      `SELECT
         (SELECT count(*) FROM outbox WHERE delivered_ms IS NULL) AS pending,
         (SELECT min(created_ms) FROM outbox WHERE delivered_ms IS NULL) AS oldest,
         (SELECT count(*) FROM outbox WHERE delivered_ms IS NOT NULL) AS delivered,
         (SELECT count(*) FROM outbox WHERE delivered_ms IS NULL AND attempts > 0) AS retrying`,
    )
    .get() as { pending: number; oldest: number | null; delivered: number; retrying: number };
  return { pending: r.pending, oldestPendingMs: r.oldest, delivered: r.delivered, retrying: r.retrying };
}

export function outboxChannels(db: Db): ChannelStats[] {
  return (db.prepare(outboxChannelsSql('outbox')).all() as Record<string, unknown>[]).map(toChannelStats);
}

export function groupCounts(db: Db, filter: EventFilter, keys: readonly GroupKey[], tzOffsetMinutes = 0): GroupCount[] {
  const w = where();
  const sql = groupCountsSql('events', w, filter, keys, tzOffsetMinutes, (ms) => `CAST((${ms}) / ${DAY_MS} AS INTEGER)`);
  return (db.prepare(sql).all(...w.params) as Record<string, unknown>[]).map((r) => toGroupCount(r, keys));
}

export function count(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
}

/** Every read by name: what a read worker may be asked to run. */
export const READS = { queryEvents, summary, devices, devicePage, deviceGroups, outboxStats, outboxChannels, count, groupCounts } as const;
export type ReadName = keyof typeof READS;
