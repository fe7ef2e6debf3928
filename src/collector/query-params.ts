/**
 * Parses the admin API's query string (also used by `upload-guard pull` for its flags) into a
 * storage query. Every parameter is validated; errors name the parameter.
 */
import { z } from 'zod';
import { ACTIONS, CATEGORIES, CHANNELS, LIMITS, OUTCOMES, VERDICTS, describeIssues } from '../events/schema.js';
import { EXPORT_FORMATS, type ExportFormat } from '../events/encode.js';
import { DEVICE_STATUSES, type DeviceFilter } from './devices.js';
import type { EventFilter, EventQuery, SortOrder } from './storage/types.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

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

const time = z.string().transform((s, ctx) => {
  const t = parseTime(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 time or a relative time like 7d, 24h, 30m' });
    return z.NEVER;
  }
  return t;
});

/** `a,b,c` → ['a','b','c'], each checked against the allowed values. */
function list<T extends string>(values: readonly T[]) {
  return z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values as unknown as [T, ...T[]])).max(20));
}

const short = z.string().min(1).max(256);

export const AdminQuerySchema = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  since: time.optional(),
  until: time.optional(),
  user: short.optional(),
  device: short.optional(),
  service: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(64)).max(50))
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
  q: z.string().max(256).optional(),
  sort: z.enum(['time', '-time']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(512).optional(),
  format: z.enum(EXPORT_FORMATS as [ExportFormat, ...ExportFormat[]]).optional(),
  /** Minutes east of UTC for per-day counts, e.g. 540 for JST. */
  tz: z.coerce.number().int().min(-840).max(840).optional(),
});

export interface AdminQuery {
  query: EventQuery;
  filter: EventFilter;
  format: ExportFormat | undefined;
  tz: number;
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
  const filter: EventFilter = {
    from: p.from ?? p.since,
    to: p.to ?? p.until,
    user: p.user,
    device: p.device,
    service: p.service,
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
    value: { filter, query: { ...filter, sort, limit: p.limit ?? defaultLimit, cursor: p.cursor ?? null }, format: p.format, tz: p.tz ?? 0 },
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
