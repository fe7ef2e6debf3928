/**
 * The report's period in the admin's time zone (an IANA name such as Asia/Tokyo). Plain dates are local
 * dates: `--from 2026-11-01 --to 2026-12-01 --tz Asia/Tokyo` is 2026-10-31T15:00Z to 2026-11-30T15:00Z,
 * so an event at 11/01 00:30 JST belongs to November. `to` is exclusive. The default is the last whole
 * calendar month in that zone. The previous period is the same length, ending where this one starts.
 */

export interface ReportRange {
  fromMs: number;
  toMs: number;
  prevFromMs: number;
  prevToMs: number;
  tz: string;
  /** Local dates of the period, `to` inclusive (the last day in it), for titles: 2026-11-01 – 2026-11-30. */
  fromDate: string;
  lastDate: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/** Whether the runtime knows the zone (Intl throws a RangeError on an unknown one). */
export function validTimeZone(tz: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The machine's zone (the CLI's default). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Minutes east of UTC of `tz` at instant `ms`. */
export function offsetMinutes(tz: string, ms: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant of local midnight starting `y-m-d` in `tz` (the offset may differ across the day before: DST). */
export function localMidnight(y: number, m: number, d: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d);
  let ms = guess - offsetMinutes(tz, guess) * 60_000;
  ms = guess - offsetMinutes(tz, ms) * 60_000; // a second pass settles a DST change between the guess and the answer
  return ms;
}

/** `YYYY-MM-DD` of instant `ms` in `tz`. */
export function localDate(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** A plain date (local midnight in `tz`) or an ISO time with an offset; anything else is an error naming the parameter. */
export function parseInstant(name: string, s: string, tz: string): number {
  const d = DATE.exec(s);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const check = new Date(Date.UTC(y, m - 1, day));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) throw new RangeError(`${name}: not a calendar date: ${s}`);
    return localMidnight(y, m, day, tz);
  }
  if (DATETIME.test(s) && !Number.isNaN(Date.parse(s))) return Date.parse(s);
  throw new RangeError(`${name}: expected a date (2026-11-01) or a time with its offset (2026-11-01T09:00:00+09:00), got ${s.slice(0, 40)}`);
}

/** The period from the request; `now` decides the default (the last whole calendar month in `tz`). */
export function reportRange(q: { from?: string; to?: string; tz: string }, now: number): ReportRange {
  const { tz } = q;
  if (!validTimeZone(tz)) throw new RangeError(`tz: unknown time zone: ${tz.slice(0, 64)}`);
  let fromMs: number, toMs: number;
  if (q.from === undefined && q.to === undefined) {
    const [y, m] = localDate(now, tz).split('-').map(Number) as [number, number];
    toMs = localMidnight(y, m, 1, tz);
    fromMs = m === 1 ? localMidnight(y - 1, 12, 1, tz) : localMidnight(y, m - 1, 1, tz);
  } else {
    if (q.from === undefined || q.to === undefined) throw new RangeError('from and to: give both, or neither for last month');
    fromMs = parseInstant('from', q.from, tz);
    toMs = parseInstant('to', q.to, tz);
  }
  if (!(toMs > fromMs)) throw new RangeError('to must be after from');
  if (toMs - fromMs > 366 * DAY_MS) throw new RangeError('the period may be at most 366 days');
  const length = toMs - fromMs;
  return { fromMs, toMs, prevFromMs: fromMs - length, prevToMs: fromMs, tz, fromDate: localDate(fromMs, tz), lastDate: localDate(toMs - 1, tz) };
}
