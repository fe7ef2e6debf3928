/**
 * SQL shared by the SQLite and PostgreSQL back ends: one table layout, one filter builder, one cursor
 * format. Only the placeholder style and a few functions differ, so the two stores cannot drift apart.
 */
import type { EventSender, Heartbeat, KeptEvent, StoredEvent, UploadEvent } from '../../events/schema.js';
import { DEFAULT_HEARTBEAT_MINUTES, DEFAULT_SERVICES } from '../../policy/defaults.js';
import { STALE_GRACE_MINUTES, STALE_MISSED_HEARTBEATS, staleAfter } from '../devices.js';
import type { AlertChannel, ChannelStats, DeviceGroup, DevicePageQuery, DeviceRow, EventFilter, EventQuery, ReceivedHeartbeat, SortKey, SortOrder, Summary, TimeWindow } from './types.js';

/** Event field → column. Times are stored as epoch ms integers so ordering and range scans are exact. */
export const COLUMNS = [
  ['id', 'id'],
  ['relatesTo', 'relates_to'],
  ['time', 'time_ms'],
  ['user', 'user_name'],
  ['deviceId', 'device_id'],
  ['browser', 'browser'],
  ['extensionVersion', 'extension_version'],
  ['service', 'service'],
  ['serviceName', 'service_name'],
  ['category', 'category'],
  ['origin', 'origin'],
  ['channel', 'channel'],
  ['fileName', 'file_name'],
  ['size', 'size'],
  ['sha256', 'sha256'],
  ['verdict', 'verdict'],
  ['rule', 'rule'],
  ['reason', 'reason'],
  ['location', 'location'],
  ['action', 'action'],
  ['outcome', 'outcome'],
  ['justification', 'justification'],
  ['policyVersion', 'policy_version'],
  ['deviceName', 'device_name'],
  ['department', 'department'],
] as const satisfies readonly (readonly [keyof UploadEvent, string])[];

export const COLUMN_NAMES = [...COLUMNS.map(([, c]) => c), 'received_ms', 'v', 'claimed_time_ms', 'received_from', 'ingest_token_id'];

/**
 * source19: who sent each event, as the collector saw it: the client's address (through trusted proxies,
 * as the audit log writes it) and the fingerprint of the ingest token it came with. The trust model says
 * the record keeps what a device claimed and from where the collector heard it; it kept neither, so an
 * event forged with a leaked ingest token from outside could not be told from a PC's, nor the events of
 * a retired token after a rotation (red team coll7 F10). Null for events stored before.
 */
export const EVENT_SOURCE_MIGRATION = `ALTER TABLE events ADD COLUMN received_from TEXT;
   ALTER TABLE events ADD COLUMN ingest_token_id TEXT;`;
export const TIME_INDEX = COLUMNS.findIndex(([f]) => f === 'time');

/**
 * How far an event's own time may be from its arrival before the collector stops believing it: devices
 * queue events while offline (days), but no honest device reports the future or a time years ago.
 */
export const TIME_WINDOW: TimeWindow = { pastMs: 30 * 86_400_000, futureMs: 10 * 60_000 };

/**
 * Values in COLUMN_NAMES order. An event whose time is outside TIME_WINDOW of its arrival is stored at its
 * arrival time (so it neither pins itself to the top of the views nor escapes or falls to retention) and
 * keeps the device's claim in claimed_time_ms.
 */
export function eventValues(e: UploadEvent, receivedAt: number, window?: TimeWindow, sender?: EventSender): unknown[] {
  const claimed = Date.parse(e.time);
  const plausible = !window || (claimed >= receivedAt - window.pastMs && claimed <= receivedAt + window.futureMs);
  return [
    ...COLUMNS.map(([f]) => (f === 'time' ? (plausible ? claimed : receivedAt) : (e[f] ?? null))),
    receivedAt,
    e.v,
    plausible ? null : claimed,
    sender?.receivedFrom ?? null,
    sender?.ingestTokenId ?? null,
  ];
}

const CLAIMED_INDEX = COLUMN_NAMES.indexOf('claimed_time_ms');
const FROM_INDEX = COLUMN_NAMES.indexOf('received_from');
const TOKEN_INDEX = COLUMN_NAMES.indexOf('ingest_token_id');

/**
 * The event as eventValues stores it, for the alerts written with it: its sender (as rowToEvent reads it
 * back), and at its arrival when the device's time was implausible, the claim kept as claimedTime. The
 * alerts were built from the event as sent, so
 * an event dated 1970 was stored at its arrival while the chat said "at 1970-01-01", CEF's rt and OCSF's
 * time were 1970 and HEC indexed it in 1970, where a SIEM's search of the day (or its retention, which
 * may drop it at once) never finds it (red team coll7 F12).
 */
export function asStored(e: UploadEvent, values: readonly unknown[]): KeptEvent {
  const claimed = values[CLAIMED_INDEX];
  const from = values[FROM_INDEX];
  const token = values[TOKEN_INDEX];
  if (claimed == null && from == null && token == null) return e;
  return {
    ...e,
    ...(claimed == null ? {} : { time: new Date(Number(values[TIME_INDEX])).toISOString(), claimedTime: safeIso(Number(claimed)) }),
    ...(from == null ? {} : { receivedFrom: String(from) }),
    ...(token == null ? {} : { ingestTokenId: String(token) }),
  };
}

export function rowToEvent(row: Record<string, unknown>): StoredEvent {
  const out: Record<string, unknown> = { v: Number(row.v) };
  for (const [field, col] of COLUMNS) {
    const value = row[col];
    if (field === 'time') out.time = new Date(Number(value)).toISOString();
    // PostgreSQL returns BIGINT as a string; sizes fit in a double (schema caps at MAX_SAFE_INTEGER).
    else if ((field === 'size' || field === 'rule') && value !== null && value !== undefined) out[field] = Number(value);
    // Optional: absent rather than null when the device sent none, so events read back as they were sent.
    else if ((field === 'deviceName' || field === 'department') && (value === null || value === undefined)) continue;
    else out[field] = value ?? null;
  }
  out.receivedAt = new Date(Number(row.received_ms)).toISOString();
  // The device's own time when it was implausible (see eventValues); `time` is then the arrival.
  if (row.claimed_time_ms !== null && row.claimed_time_ms !== undefined) out.claimedTime = safeIso(Number(row.claimed_time_ms));
  // Where it came from (source19); absent for events stored before, or written other than through ingest.
  if (row.received_from !== null && row.received_from !== undefined) out.receivedFrom = String(row.received_from);
  if (row.ingest_token_id !== null && row.ingest_token_id !== undefined) out.ingestTokenId = String(row.ingest_token_id);
  return out as StoredEvent;
}

/** SQLite's distinct file names (migration 4 of sqlite.ts); events.name_id points into it. */
export const NAMES_TABLE = 'file_names';

/** SQLite's trigram index of the distinct file names (rowid = file_names.id). */
export const FTS_TABLE = 'file_names_fts';

/** The shortest search the trigram index can serve (shorter ones scan with LIKE). */
export const TRIGRAM_MIN = 3;

/** A file-name search as an FTS5 phrase: the whole text, quoted, so no character is FTS syntax. */
export function ftsPhrase(q: string): string {
  return `"${q.replace(/"/g, '""')}"`;
}

/** `s` matched literally by LIKE … ESCAPE '\\'. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Builds a WHERE clause. `ph(n)` renders the n-th (1-based) placeholder: `?` or `$n`. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  constructor(
    private readonly ph: (n: number) => string,
    private readonly ilike: string,
    /**
     * SQLite: narrow a file-name search to the events whose name its trigram index finds (the LIKE
     * still decides, so results are the same with or without it). Off for searches that match most rows (see
     * sqlite-reads.ts): then walking the time index and testing LIKE finds a page sooner.
     */
    private readonly trigram = false,
  ) {}

  add(sqlWithMarks: string, ...values: unknown[]): void {
    // `$?` marks where each value goes, so callers never hand-number placeholders.
    let out = sqlWithMarks;
    for (const v of values) {
      this.params.push(v);
      out = out.replace('$?', this.ph(this.params.length));
    }
    this.clauses.push(out);
  }

  in(column: string, values: readonly unknown[] | undefined): void {
    if (!values || values.length === 0) return;
    this.add(`${column} IN (${values.map(() => '$?').join(', ')})`, ...values);
  }

  filter(f: EventFilter): this {
    if (f.from !== undefined) this.add('time_ms >= $?', f.from);
    if (f.to !== undefined) this.add('time_ms < $?', f.to);
    if (f.user !== undefined) this.add('user_name = $?', f.user);
    if (f.userPrefix) this.add(`user_name ${this.ilike} $? ESCAPE '\\'`, `${likeEscape(f.userPrefix)}%`);
    if (f.device !== undefined) this.add('device_id = $?', f.device);
    if (f.deviceName) this.add(`device_name ${this.ilike} $? ESCAPE '\\'`, `${likeEscape(f.deviceName)}%`);
    if (f.department !== undefined) this.add('department = $?', f.department);
    this.in('id', f.ids);
    this.in('relates_to', f.relatesTo);
    this.in('service', f.service);
    this.in('category', f.category);
    this.in('verdict', f.verdict);
    this.in('rule', f.rule);
    this.in('action', f.action);
    this.in('outcome', f.outcome);
    this.in('channel', f.channel);
    if (f.q) this.add(`file_name ${this.ilike} $? ESCAPE '\\'`, `%${likeEscape(f.q)}%`);
    if (f.q && this.trigram && [...f.q].length >= TRIGRAM_MIN) this.add(`name_id IN (SELECT rowid FROM ${FTS_TABLE} WHERE ${FTS_TABLE} MATCH $?)`, ftsPhrase(f.q));
    return this;
  }

  sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** The expression each sort key orders by (nulls as '' so keyset comparisons never meet NULL). */
const SORT_SQL: Record<SortKey, string> = {
  time: 'time_ms',
  user: "coalesce(user_name, '')",
  // By display name, from the collector's own catalogue (what the admin sees), else the id.
  service: `CASE service ${DEFAULT_SERVICES.map((x) => `WHEN ${sqlString(x.id)} THEN ${sqlString(x.name)}`).join(' ')} ELSE coalesce(service, '') END`,
  fileName: "coalesce(file_name, '')",
  verdict: 'verdict',
  action: 'action',
  outcome: 'outcome',
  deviceName: "coalesce(device_name, '')",
};

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function splitSort(sort: SortOrder): { key: SortKey; desc: boolean } {
  return sort.startsWith('-') ? { key: sort.slice(1) as SortKey, desc: true } : { key: sort as SortKey, desc: false };
}

/**
 * The cursor is the last row's sort value (other than time), time and id, plus the sort it belongs to,
 * base64url-encoded JSON.
 */
interface CursorData {
  t: number;
  id: string;
  s: SortOrder;
  /** The sort column's value when the sort is not by time. */
  v?: string;
}

export function encodeCursor(c: CursorData): string {
  return Buffer.from(JSON.stringify(c.v === undefined ? [c.t, c.id, c.s] : [c.t, c.id, c.s, c.v])).toString('base64url');
}

export class BadCursorError extends Error {
  constructor() {
    super('cursor: invalid or from a different sort order');
  }
}

export function decodeCursor(cursor: string, sort: SortOrder): CursorData {
  const byTime = splitSort(sort).key === 'time';
  try {
    const [t, id, s, v] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof t === 'number' && Number.isSafeInteger(t) && typeof id === 'string' && id.length <= 64 && s === sort) {
      if (byTime && v === undefined) return { t, id, s: sort };
      if (!byTime && typeof v === 'string' && v.length <= 2048) return { t, id, s: sort, v };
    }
  } catch {
    /* fall through */
  }
  throw new BadCursorError();
}

/** Adds the keyset condition for the page after `cursor` and returns the ORDER BY clause. */
export function pageClause(where: Where, q: EventQuery): string {
  const sort = q.sort ?? '-time';
  const { key, desc } = splitSort(sort);
  const dir = desc ? 'DESC' : 'ASC';
  const cmp = desc ? '<' : '>';
  if (q.cursor) {
    const c = decodeCursor(q.cursor, sort);
    // Row-value comparison: (time_ms, id) uses its index in both SQLite and PostgreSQL.
    if (key === 'time') where.add(`(time_ms, id) ${cmp} ($?, $?)`, c.t, c.id);
    else where.add(`(${SORT_SQL[key]}, time_ms, id) ${cmp} ($?, $?, $?)`, c.v, c.t, c.id);
  }
  if (key === 'time') return `ORDER BY time_ms ${dir}, id ${dir}`;
  return `ORDER BY ${SORT_SQL[key]} ${dir}, time_ms ${dir}, id ${dir}`;
}

/** The SELECT list of an event page: every column, plus the sort value the next cursor needs. */
export function pageColumns(q: EventQuery): string {
  const { key } = splitSort(q.sort ?? '-time');
  return key === 'time' ? '*' : `*, ${SORT_SQL[key]} AS sort_value`;
}

/** Given limit+1 fetched rows, trims to `limit` and computes the next cursor. */
export function toPage(rows: Record<string, unknown>[], q: EventQuery) {
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  const s = q.sort ?? '-time';
  return {
    events: page.map(rowToEvent),
    nextCursor:
      more && last
        ? encodeCursor({ t: Number(last.time_ms), id: String(last.id), s, ...(last.sort_value !== undefined ? { v: String(last.sort_value) } : {}) })
        : null,
  };
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

function safeIso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

export function dayString(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/**
 * The warnings a heartbeat raises about its own device, with when (epoch ms). Stored merged into the
 * device's history (newest time per warning), so a later heartbeat that says all is well (possibly a
 * forged one: the ingest token is on every PC) cannot erase what an earlier one raised.
 */
export function raisedBy(h: Heartbeat, at: number): Record<string, number> {
  const raised: Record<string, number> = {};
  if (h.installType !== undefined && h.installType !== 'admin') raised['not-force-installed'] = at;
  if (h.managed === false) raised['no-managed-policy'] = at;
  if (h.dropped > 0) raised['queue-dropping'] = at;
  return raised;
}

/** Where a device stood in the fleet's counts before a heartbeat (see Storage.fleetChanges). */
export interface FleetPlace {
  version: string | null;
  tokenId: string | null;
  lastSeenMs: number | string;
  minutes: number | null;
}

/**
 * Whether a heartbeat may move its device between the fleet's groups (version × token, stale or not):
 * a new device, a new version or token, or one silent past its own stale rule until now.
 */
export function movesInFleet(before: FleetPlace | undefined, h: ReceivedHeartbeat, receivedAt: number): boolean {
  if (!before) return true;
  if (before.version !== h.extensionVersion || (before.tokenId ?? null) !== (h.tokenId ?? null)) return true;
  return receivedAt - Number(before.lastSeenMs) > staleAfter(before.minutes) * 60_000;
}

/** A devices row (PostgreSQL returns BIGINT as strings) → DeviceRow. */
export function deviceRow(
  heartbeat: Heartbeat,
  r: {
    last_seen_ms: number | string;
    first_seen_ms: number | string;
    previous_version: string | null;
    version_since_ms: number | string | null;
    raised?: Record<string, number | string> | null;
  },
): DeviceRow {
  return {
    ...heartbeat,
    raised: Object.fromEntries(Object.entries(r.raised ?? {}).map(([w, t]) => [w, iso(t)])),
    lastSeen: iso(r.last_seen_ms),
    firstSeen: iso(r.first_seen_ms),
    previousVersion: r.previous_version ?? null,
    versionSince: r.version_since_ms === null || r.version_since_ms === undefined ? null : iso(r.version_since_ms),
  };
}

/**
 * One row of counts per day (already shifted by the time zone) × service × verdict × action: summed from
 * the hourly counts, or counted from events for the hours at a range's edges.
 */
export interface DayCount {
  day: number | string;
  service: string;
  verdict: string;
  action: string;
  n: number | string;
}

/**
 * Whether a summary can be answered from the hourly counts, and how: the whole hours inside [from, to)
 * from event_counts, the partial hours at the edges from events. Only filters that the counts keep
 * (time, service, verdict, action) and whole-hour time zones qualify; anything else returns null and
 * the summary counts events.
 */
export function rollupPlan(f: EventFilter, tzOffsetMinutes: number): { hours: [number, number]; edges: [number, number][] } | null {
  if (f.user !== undefined || f.userPrefix || f.deviceName || f.department !== undefined || f.ids || f.relatesTo || f.device !== undefined || f.q || f.category?.length || f.rule?.length || f.outcome?.length || f.channel?.length) return null;
  if (tzOffsetMinutes % 60 !== 0) return null;
  const from = f.from ?? 0;
  const to = f.to ?? 8.64e15;
  const first = Math.ceil(from / HOUR_MS);
  const last = Math.floor(to / HOUR_MS);
  if (first >= last) return { hours: [0, 0], edges: [[from, to]] };
  const edges: [number, number][] = [];
  if (from < first * HOUR_MS) edges.push([from, first * HOUR_MS]);
  if (last * HOUR_MS < to) edges.push([last * HOUR_MS, to]);
  return { hours: [first, last], edges };
}

/**
 * The SQL of a rollup summary: one statement that sums the hourly counts per day and adds the edge
 * hours counted from events, so the database returns one row per day × service × verdict × action
 * (hundreds, not the tens of thousands of hourly rows). `day` is SQL turning epoch ms into a day
 * number (integer division differs between SQLite and PostgreSQL).
 */
export function rollupSql(
  /** '' (SQLite) or 'schema.' (PostgreSQL), before the table names. */
  prefix: string,
  w: Where,
  filter: EventFilter,
  tzOffsetMinutes: number,
  plan: { hours: [number, number]; edges: [number, number][] },
  day: (msExpr: string) => string,
): { sql: string; params: unknown[] } {
  const tz = tzOffsetMinutes * 60_000;
  const parts: string[] = [];
  // One Where for every part, so the placeholders number on across the UNION; each part takes its clauses.
  w.add('hour >= $? AND hour < $?', ...plan.hours);
  w.in('service', filter.service);
  w.in('verdict', filter.verdict);
  w.in('action', filter.action);
  const hourClauses = w.clauses.splice(0);
  parts.push(`SELECT ${day(`hour * ${HOUR_MS} + ${tz}`)} AS day, service, verdict, action, n FROM ${prefix}event_counts WHERE ${hourClauses.join(' AND ')}`);
  for (const [from, to] of plan.edges) {
    w.filter({ ...filter, from, to });
    const clauses = w.clauses.splice(0);
    parts.push(
      `SELECT ${day(`time_ms + ${tz}`)} AS day, coalesce(service, '') AS service, verdict, action, count(*) AS n FROM ${prefix}events
       WHERE ${clauses.join(' AND ')} GROUP BY 1, 2, 3, 4`,
    );
  }
  return {
    sql: `SELECT day, service, verdict, action, sum(n) AS n FROM (${parts.join(' UNION ALL ')}) AS parts GROUP BY day, service, verdict, action`,
    params: w.params,
  };
}

/**
 * The SQL of a summary counted from the events themselves (filters the hourly counts do not keep: user,
 * device, file name, …): one pass over the matches, grouped by day × service × verdict × action, which
 * summaryFromCounts folds into the five views. `w` carries the filter already. Five counts (total, per
 * service, per day, …) would read every match five times.
 */
export function eventCountsSql(prefix: string, w: Where, tzOffsetMinutes: number, day: (msExpr: string) => string): string {
  const tz = Math.trunc(Number(tzOffsetMinutes)) * 60_000;
  return `SELECT ${day(`time_ms + ${tz}`)} AS day, coalesce(service, '') AS service, verdict, action, count(*) AS n FROM ${prefix}events ${w.sql()} GROUP BY 1, 2, 3, 4`;
}

/** The summary from per-day counts. Service names are filled in by the caller. */
export function summaryFromCounts(rows: readonly DayCount[]): Summary {
  const byService = new Map<string, number>();
  const byDay = new Map<number, number>();
  const byVerdict = new Map<string, number>();
  const byAction = new Map<string, number>();
  const add = (m: Map<string | number, number>, k: string | number, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (!n) continue;
    total += n;
    add(byService as Map<string | number, number>, r.service, n);
    add(byDay as Map<string | number, number>, Number(r.day), n);
    add(byVerdict as Map<string | number, number>, r.verdict, n);
    add(byAction as Map<string | number, number>, r.action, n);
  }
  const ranked = <K extends string>(m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) as [K, number][];
  return {
    total,
    byService: ranked(byService).map(([service, count]) => ({ service: service === '' ? null : service, serviceName: null, count })),
    byDay: [...byDay].sort((a, b) => a[0] - b[0]).map(([d, count]) => ({ day: dayString(d), count })),
    byVerdict: ranked<Summary['byVerdict'][number]['verdict']>(byVerdict).map(([verdict, count]) => ({ verdict, count })),
    byAction: ranked<Summary['byAction'][number]['action']>(byAction).map(([action, count]) => ({ action, count })),
  };
}

// --- devices: filtered, paged and counted in SQL (100,000 devices must not be read to show 100) ------

/**
 * SQL that is true for a stale device at `now` (the rule of devices.ts staleAfter): silent longer than
 * 3 × its heartbeat interval + 5 min, or than `overrideMinutes`. Only numbers the collector computed are spliced in, never request text.
 * `interval`: where the heartbeat interval comes from, the row's column or a `?` parameter (one group's).
 */
export function staleSql(now: number, overrideMinutes?: number, interval: 'heartbeat_minutes' | '?' = 'heartbeat_minutes'): string {
  const at = Math.floor(Number(now));
  if (!Number.isSafeInteger(at)) throw new Error('staleSql: now must be epoch ms');
  if (overrideMinutes !== undefined) return `(last_seen_ms < ${at - Math.floor(overrideMinutes * 60_000)})`;
  return `(last_seen_ms < ${at} - (${STALE_MISSED_HEARTBEATS} * coalesce(${interval}, ${DEFAULT_HEARTBEAT_MINUTES}) + ${STALE_GRACE_MINUTES}) * 60000)`;
}

/**
 * The device list is ordered stale devices first (what an admin acts on), then active ones; within each,
 * the most recently seen first (ties by id, ascending: the order of the devices_last_seen index). It is
 * read in parts, one per status, each a keyset range on that index: `devicePageParts` says which parts
 * a page reads, in order, and where each starts; the backend reads them until the page is full.
 */
export interface DevicePart {
  status: 'stale' | 'active';
  /** (last_seen_ms, device_id) of the row before this part's first one, or null: from the start. */
  after: [number, string] | null;
}

/** The device page cursor: the status part, last_seen_ms and device_id of the page's last row, base64url. */
export function encodeDeviceCursor(part: DevicePart['status'], lastSeenMs: number, deviceId: string): string {
  return Buffer.from(JSON.stringify([lastSeenMs, deviceId, part])).toString('base64url');
}

function decodeDeviceCursor(cursor: string): { after: [number, string]; status: DevicePart['status'] } {
  try {
    const [t, id, status] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof t === 'number' && Number.isSafeInteger(t) && typeof id === 'string' && id.length <= 1024 && (status === 'stale' || status === 'active')) {
      return { after: [t, id], status };
    }
  } catch {
    /* fall through */
  }
  throw new BadCursorError();
}

/** The parts one page of devices reads, in order (see DevicePart). */
export function devicePageParts(q: DevicePageQuery): DevicePart[] {
  const from = q.cursor ? decodeDeviceCursor(q.cursor) : null;
  if (q.filter.status) {
    if (from && from.status !== q.filter.status) throw new BadCursorError();
    return [{ status: q.filter.status, after: from?.after ?? null }];
  }
  if (from?.status === 'active') return [{ status: 'active', after: from.after }];
  return [
    { status: 'stale', after: from?.after ?? null },
    { status: 'active', after: null },
  ];
}

/** WHERE and ORDER BY of one part of a page of devices (see DevicePart). Returns the SQL after `FROM devices`. */
export function devicePageSql(w: Where, q: DevicePageQuery, part: DevicePart): string {
  const f = q.filter;
  w.clauses.push(part.status === 'stale' ? staleSql(q.now, q.staleAfterMinutes) : `NOT ${staleSql(q.now, q.staleAfterMinutes)}`);
  // The same rule as a range on last_seen_ms (the shortest and longest silence any interval allows), so
  // the index skips the devices that cannot match instead of testing each.
  const [shortest, longest] = q.staleAfterMinutes !== undefined ? [q.staleAfterMinutes, q.staleAfterMinutes] : [staleAfter(1), staleAfter(1440)];
  if (part.status === 'stale') w.add('last_seen_ms < $?', Math.floor(q.now - shortest * 60_000));
  else w.add('last_seen_ms >= $?', Math.floor(q.now - longest * 60_000));
  if (f.version !== undefined) w.add('extension_version = $?', f.version);
  if (f.user !== undefined) w.add('user_name = $?', f.user);
  if (f.tokenId !== undefined) w.add('token_id = $?', f.tokenId);
  if (part.after) {
    const [t, id] = part.after;
    w.add('(last_seen_ms < $? OR (last_seen_ms = $? AND device_id > $?))', t, t, id);
  }
  return `${w.sql()} ORDER BY last_seen_ms DESC, device_id ASC`;
}

/**
 * Reads the parts of a page of devices in order until it holds `limit` + 1 rows; returns the page and
 * the cursor after it. `read(part, n)` reads at most n rows of one part (SQLite runs it synchronously in
 * a read worker, PostgreSQL awaits it: hence two forms).
 */
export function devicePageRows<R extends DeviceDbRowKey>(q: DevicePageQuery, read: (part: DevicePart, n: number) => R[]): { rows: R[]; nextCursor: string | null } {
  const got: [R, DevicePart][] = [];
  for (const part of devicePageParts(q)) {
    if (got.length > q.limit) break;
    for (const r of read(part, q.limit + 1 - got.length)) got.push([r, part]);
  }
  return devicePageResult(got, q.limit);
}

export async function devicePageRowsAsync<R extends DeviceDbRowKey>(q: DevicePageQuery, read: (part: DevicePart, n: number) => Promise<R[]>): Promise<{ rows: R[]; nextCursor: string | null }> {
  const got: [R, DevicePart][] = [];
  for (const part of devicePageParts(q)) {
    if (got.length > q.limit) break;
    for (const r of await read(part, q.limit + 1 - got.length)) got.push([r, part]);
  }
  return devicePageResult(got, q.limit);
}

interface DeviceDbRowKey {
  last_seen_ms: number | string;
  device_id: string;
}

function devicePageResult<R extends DeviceDbRowKey>(got: [R, DevicePart][], limit: number): { rows: R[]; nextCursor: string | null } {
  const last = got[limit - 1];
  return {
    rows: got.slice(0, limit).map(([r]) => r),
    nextCursor: got.length > limit && last ? encodeDeviceCursor(last[1].status, Number(last[0].last_seen_ms), last[0].device_id) : null,
  };
}

/** The fleet's devices grouped by version and token, with how many of each are stale. */
export function deviceGroupsSql(table: string, now: number, overrideMinutes?: number): string {
  return `SELECT extension_version AS "extensionVersion", token_id AS "tokenId", count(*) AS devices,
            sum(CASE WHEN ${staleSql(now, overrideMinutes)} THEN 1 ELSE 0 END) AS stale
          FROM ${table} GROUP BY extension_version, token_id`;
}

/** Numbers from PostgreSQL (BIGINT and sums come back as strings). */
export function deviceGroup(r: { extensionVersion: string; tokenId: string | null; devices: number | string; stale: number | string | null }): DeviceGroup {
  return { extensionVersion: r.extensionVersion, tokenId: r.tokenId ?? null, devices: Number(r.devices), stale: Number(r.stale ?? 0) };
}

/** The outbox per channel, the same SQL on both back ends: counts and the newest error of a pending alert. */
export function outboxChannelsSql(table: string): string {
  return `SELECT channel,
      SUM(CASE WHEN delivered_ms IS NULL THEN 1 ELSE 0 END) AS pending,
      SUM(CASE WHEN delivered_ms IS NOT NULL THEN 1 ELSE 0 END) AS done,
      (SELECT e.last_error FROM ${table} e WHERE e.channel = o.channel AND e.delivered_ms IS NULL AND e.last_error IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS last_error
    FROM ${table} o GROUP BY channel ORDER BY channel`;
}

export function toChannelStats(r: Record<string, unknown>): ChannelStats {
  return { channel: r.channel as AlertChannel, pending: Number(r.pending), done: Number(r.done), lastError: (r.last_error as string | null) ?? null };
}
