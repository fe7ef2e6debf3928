/**
 * Parses the admin API's query string (also used by `upload-guard pull` for its flags) into a
 * storage query. Every parameter is validated; errors name the parameter.
 */
import { z } from 'zod';
import { ACTIONS, CATEGORIES, CHANNELS, LIMITS, OUTCOMES, VERDICTS, describeIssues } from '../events/schema.js';
import { EXPORT_FORMATS, type ExportFormat } from '../events/encode.js';
import { DEVICE_STATUSES, type DeviceFilter } from './devices.js';
import { resolveServices } from './service-names.js';
import { encodeCursor } from './storage/sql.js';
import { SORT_KEYS, type EventFilter, type EventQuery, type SortOrder } from './storage/types.js';
import { isTimeZone, offsetMinutes, parseLocal } from './time-zone.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/**
 * The longest `cursor` an events page can hand out: it carries the last row's sort value, at most a
 * file name of LIMITS.fileName characters, each a control character JSON writes as \u00XX. It was 512,
 * so sorted by file name or user, a page ending at a name past about 380 ASCII or 120 Japanese
 * characters (one a device chose) handed out a cursor its own next page refused (400): the admin page's
 * "Load more" stopped there and nothing after it could be paged to (red team coll7 F9).
 */
export const CURSOR_MAX = encodeCursor({ t: -8_640_000_000_000_000, id: 'f'.repeat(36), s: '-deviceName', v: '\u0001'.repeat(LIMITS.fileName) }).length;

/**
 * `2026-11-01`, `2026-11-01T09:00:00Z` (any ISO-8601 Date.parse accepts) or relative to now: `7d`, `24h`,
 * `30m`, `2w` (that long ago), or `now`. Returns epoch ms, or null when unparseable.
 */
export function parseTime(s: string, now = Date.now()): number | null {
  const rel = /^(\d{1,6})([mhdw])$/.exec(s.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  if (s.trim() === 'now') return now;
  // Only ISO-like strings: Date.parse also takes loose formats whose meaning depends on the machine.
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s.trim())) return null;
  const t = Date.parse(s.trim());
  return Number.isFinite(t) ? t : null;
}

const TIME_HELP = 'expected an ISO-8601 time (a plain date is a local date in tz) or a relative time like 7d, 24h, 30m';

/** Checked here; read in parseAdminQuery once the time zone is known (plain dates are local dates). */
const time = z.string().max(64).refine((s) => parseTime(s) !== null, TIME_HELP);

/**
 * A time of the admin query: a plain date or date-time (no offset) is local to `zone` when one is given
 * (`from=2026-11-01&tz=Asia/Tokyo` is midnight in Tokyo); anything else as parseTime reads it.
 */
export function parseZonedTime(s: string, zone: string | null, fixedMinutes?: number, now = Date.now()): number | null {
  if (zone) return parseLocal(s, zone) ?? parseTime(s, now);
  // A fixed offset (minutes east of UTC) acts as a zone of its own.
  const local = fixedMinutes === undefined ? null : parseLocal(s, 'UTC');
  return local !== null ? local - fixedMinutes! * 60_000 : parseTime(s, now);
}

/** `a,b,c` → ['a','b','c'], each checked against the allowed values. */
function list<T extends string>(values: readonly T[]) {
  return z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values as unknown as [T, ...T[]])).max(20));
}

/** No control characters (a NUL broke SQLite's full-text syntax into "match everything"): none is in any stored name. */
const printable = (s: z.ZodString) => s.refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not hold control characters');
const short = printable(z.string().min(1).max(256));

export const AdminQuerySchema = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  since: time.optional(),
  until: time.optional(),
  user: short.optional(),
  userPrefix: short.optional(),
  device: short.optional(),
  deviceName: short.optional(),
  /** Department (policy field department), exactly. */
  department: short.optional(),
  /** Service ids or display names (`gmail`, `Gmail`), comma-separated. */
  service: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(128)).max(50))
    .optional(),
  category: list(CATEGORIES).optional(),
  verdict: list(VERDICTS).optional(),
  action: list(ACTIONS).optional(),
  outcome: list(OUTCOMES).optional(),
  channel: list(CHANNELS).optional(),
  rule: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['1', '2', '3'])).max(3))
    .transform((a) => a.map(Number) as (1 | 2 | 3)[])
    .optional(),
  q: printable(z.string().max(256)).optional(),
  sort: z.enum(SORT_KEYS.flatMap((k) => [k, `-${k}`]) as [SortOrder, ...SortOrder[]]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(CURSOR_MAX).optional(),
  format: z.enum(EXPORT_FORMATS as [ExportFormat, ...ExportFormat[]]).optional(),
  /** CSV export: one row per decision (default) or the raw events with field names. */
  layout: z.enum(['decisions', 'events']).optional(),
  /** Language of the decisions CSV's headers and words. */
  lang: z.enum(['ja', 'en']).optional(),
  /**
   * The admin's time zone: an IANA name (`Asia/Tokyo`: plain dates in from/to are local dates there, and
   * per-day counts follow it) or minutes east of UTC (540), as older pages send.
   */
  tz: z
    .string()
    .max(64)
    .refine((s) => /^-?\d{1,3}$/.test(s) ? Math.abs(Number(s)) <= 840 : isTimeZone(s), 'expected an IANA time zone such as Asia/Tokyo, or minutes east of UTC (-840 to 840)')
    .optional(),
});

export interface AdminQuery {
  query: EventQuery;
  filter: EventFilter;
  format: ExportFormat | undefined;
  /** Minutes east of UTC for per-day counts (for a zone: its offset at the start of the range). */
  tz: number;
  /** The IANA zone asked for, or null when the query gave minutes or nothing. */
  zone: string | null;
  layout: 'decisions' | 'events';
  lang: 'ja' | 'en';
}

export type ParseResult = { ok: true; value: AdminQuery } | { ok: false; errors: string[] };

export function parseAdminQuery(raw: Record<string, unknown>, defaultLimit = 100): ParseResult {
  // Repeated parameters arrive as arrays; refuse them rather than guess which one was meant.
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) return { ok: false, errors: [`${k}: given more than once`] };
  }
  const r = AdminQuerySchema.safeParse(raw);
  if (!r.success) return { ok: false, errors: describeIssues(r.error) };
  const p = r.data;
  const minutes = p.tz !== undefined && /^-?\d+$/.test(p.tz) ? Number(p.tz) : null;
  const zone = p.tz !== undefined && minutes === null ? p.tz : null;
  const at = (s: string | undefined) => (s === undefined ? undefined : (parseZonedTime(s, zone, minutes ?? undefined) ?? undefined));
  const from = at(p.from ?? p.since);
  const filter: EventFilter = {
    from,
    to: at(p.to ?? p.until),
    user: p.user,
    userPrefix: p.userPrefix,
    device: p.device,
    deviceName: p.deviceName,
    department: p.department,
    service: p.service ? resolveServices(p.service) : undefined,
    category: p.category,
    verdict: p.verdict,
    rule: p.rule,
    action: p.action,
    outcome: p.outcome,
    channel: p.channel,
    q: p.q || undefined,
  };
  for (const k of Object.keys(filter) as (keyof EventFilter)[]) if (filter[k] === undefined) delete filter[k];
  const sort: SortOrder = p.sort ?? '-time';
  return {
    ok: true,
    value: {
      filter,
      query: { ...filter, sort, limit: p.limit ?? defaultLimit, cursor: p.cursor ?? null },
      format: p.format,
      tz: minutes ?? (zone ? offsetMinutes(zone, from ?? Date.now()) : 0),
      zone,
      layout: p.layout ?? 'decisions',
      lang: p.lang ?? 'ja',
    },
  };
}

// --- GET /v1/admin/devices ---------------------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ident = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'control characters are not allowed');

export const DeviceQuerySchema = z.strictObject({
  status: z.enum(DEVICE_STATUSES).optional(),
  version: ident(LIMITS.extensionVersion).optional(),
  user: ident(LIMITS.user).optional(),
  tokenId: z.string().regex(/^[0-9a-f]{8}$/, 'expected the 8 hex digits of a token fingerprint').optional(),
  format: z.enum(['json', 'csv']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2048).optional(),
});

/** Devices per page when the request does not say (the admin page asks for this many). */
export const DEVICE_PAGE_DEFAULT = 500;

export interface DeviceQuery {
  filter: DeviceFilter;
  format: 'json' | 'csv' | undefined;
  limit: number;
  cursor: string | null;
}

export function parseDeviceQuery(raw: Record<string, unknown>): { ok: true; value: DeviceQuery } | { ok: false; errors: string[] } {
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) return { ok: false, errors: [`${k}: given more than once`] };
  }
  const r = DeviceQuerySchema.safeParse(raw);
  if (!r.success) return { ok: false, errors: describeIssues(r.error) };
  const { format, limit, cursor, ...filter } = r.data;
  for (const k of Object.keys(filter) as (keyof DeviceFilter)[]) if (filter[k] === undefined) delete filter[k];
  return { ok: true, value: { filter, format, limit: limit ?? DEVICE_PAGE_DEFAULT, cursor: cursor ?? null } };
}
