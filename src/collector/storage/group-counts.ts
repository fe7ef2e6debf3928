/**
 * Counts of events grouped by a few columns, for the periodic report (report/data.ts): one GROUP BY in
 * the database, shared by SQLite and PostgreSQL, so a month of events is never read row by row.
 */
import type { Where } from './sql.js';
import type { EventFilter } from './types.js';

/** What a report can group by → the SQL expression. `file` is the file's hash, or its name when there is none. */
export const GROUP_KEYS = {
  user: 'user_name',
  service: 'service',
  category: 'category',
  rule: 'rule',
  verdict: 'verdict',
  action: 'action',
  outcome: 'outcome',
  file: 'coalesce(sha256, file_name)',
  department: 'department',
} as const;
export type GroupKey = keyof typeof GROUP_KEYS | 'day';

/** One group: its key values (`day` is the local day number since 1970-01-01), how many events, and the first one's time. */
export type GroupCount = Partial<Record<GroupKey, string | number | null>> & { count: number; firstMs: number };

/**
 * The GROUP BY statement. `dayExpr` turns a shifted time in ms into a whole day number (each back end
 * has its own integer division); the time zone shift is a number we computed, written into the SQL.
 */
export function groupCountsSql(table: string, w: Where, filter: EventFilter, keys: readonly GroupKey[], tzOffsetMinutes: number, dayExpr: (ms: string) => string): string {
  const shift = Math.trunc(tzOffsetMinutes) * 60_000;
  const exprs = keys.map((k) => `${k === 'day' ? dayExpr(`time_ms + ${shift}`) : GROUP_KEYS[k]} AS ${k === 'user' ? 'user_key' : k}`);
  w.filter(filter);
  const cols = keys.map((_, i) => String(i + 1));
  return `SELECT ${[...exprs, 'count(*) AS count', 'min(time_ms) AS first_ms'].join(', ')} FROM ${table} ${w.sql()}${cols.length ? ` GROUP BY ${cols.join(', ')}` : ''}`;
}

/** A database row back to a GroupCount (PostgreSQL returns counts and BIGINTs as strings). */
export function toGroupCount(row: Record<string, unknown>, keys: readonly GroupKey[]): GroupCount {
  const out: GroupCount = { count: Number(row.count), firstMs: Number(row.first_ms) };
  for (const k of keys) {
    const v = row[k === 'user' ? 'user_key' : k];
    out[k] = v === null || v === undefined ? null : k === 'rule' || k === 'day' ? Number(v) : String(v);
  }
  return out;
}
