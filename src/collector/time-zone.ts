/**
 * Time zones for admins: IANA names (Asia/Tokyo) resolved with Intl, so the collector, the admin page
 * and the CLI agree on what "2026-11-01" means (the local day, not UTC) and how a time is written
 * (ISO 8601 with the zone's offset). No platform API beyond Intl: the admin page bundles this too.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone this runtime knows (`UTC` included). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    partsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone this machine (or browser) runs in, `UTC` when it does not say. */
export function localTimeZone(): string {
  const z = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return z && isTimeZone(z) ? z : 'UTC';
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(ms: number, zone: string): WallClock {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as unknown as WallClock;
}

/** Minutes east of UTC in `zone` at instant `ms` (540 for Tokyo). */
export function offsetMinutes(zone: string, ms: number): number {
  // Before 1800 every zone keeps its local mean time (the first changes came later), and asking about
  // such an instant directly goes wrong: Date.UTC reads years 0-99 as 1900-1999, and Intl writes year 0
  // as 1 (BC), so from=0001-01-01 came out ~1900 years "east of UTC".
  const at = Math.floor(Math.max(ms, LMT_BEFORE) / 1000) * 1000;
  const w = wallClock(at, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - at) / 60_000);
}

const LMT_BEFORE = Date.UTC(1800, 0, 1);

/**
 * The instant a local wall-clock time happens in `zone` (a time a DST change skips or repeats resolves
 * to one of the instants next to it).
 */
export function zonedToInstant(zone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  // Two passes settle on the offset in force at the result (it can differ from the one at `naive`).
  const t = naive - offsetMinutes(zone, naive) * 60_000;
  return naive - offsetMinutes(zone, t) * 60_000;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A date or date-time without an offset (`2026-11-01`, `2026-11-01T09:00`) read as local time in `zone`;
 * null when `s` is not one (or names a day that does not exist).
 */
export function parseLocal(s: string, zone: string): number | null {
  const m = LOCAL.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || se! > 59) return null;
  if (new Date(Date.UTC(y!, mo! - 1, d!)).getUTCDate() !== d) return null;
  return zonedToInstant(zone, y!, mo!, d!, h, mi, se);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** `2026-11-01T00:30:00+09:00`: ISO 8601 in `zone` with its offset (`Z` never: the offset says the zone). */
export function isoInZone(ms: number, zone: string): string {
  // Asking Intl is slow (two formatToParts a time: 50 ms for a 1,300-row CSV with two times a row). In
  // the years where every zone's offset is whole minutes, the offset of the instant's UTC day is looked
  // up once per day and zone and the wall clock is plain arithmetic; other instants ask Intl.
  if (!(ms >= FAST_FROM && ms < FAST_TO)) return isoInZoneByIntl(ms, zone);
  const off = offsetAt(zone, ms);
  const d = new Date(ms + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** isoInZone as Intl writes it, for any instant (exported for the test that compares the two). */
export function isoInZoneByIntl(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  const off = offsetMinutes(zone, ms);
  const sign = off < 0 ? '-' : '+';
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/**
 * From 1980 (the last offsets with seconds, Liberia's, ended in 1972) to year 10000 (four-digit years):
 * here an offset is whole minutes, so the wall clock is the instant moved by it.
 */
const FAST_FROM = Date.UTC(1980, 0, 1);
const FAST_TO = Date.UTC(10000, 0, 1);

/** Per zone, the offset spans of each UTC day asked for (a day's spans cost Intl two calls, more on a DST day). */
const daySpans = new Map<string, Map<number, OffsetSpan[]>>();

function offsetAt(zone: string, ms: number): number {
  let days = daySpans.get(zone);
  if (!days) daySpans.set(zone, (days = new Map()));
  const day = Math.floor(ms / SPAN_STEP_MS);
  let spans = days.get(day);
  if (!spans) {
    // Bounded: a long-running collector asked about many days keeps the last few thousand.
    if (days.size >= 4096) days.clear();
    days.set(day, (spans = offsetSpans(zone, day * SPAN_STEP_MS, (day + 1) * SPAN_STEP_MS)));
  }
  for (const s of spans) if (ms < s.to) return s.offset;
  return spans[spans.length - 1]!.offset;
}

/** `YYYY-MM-DD`: the local day of `ms` in `zone`. */
export function dayInZone(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** A stretch of time in which a zone keeps one offset from UTC. */
export interface OffsetSpan {
  from: number;
  to: number;
  /** Minutes east of UTC throughout [from, to). */
  offset: number;
}

const SPAN_STEP_MS = 86_400_000;

/**
 * Offset changes are looked for in [SPANS_FROM, SPANS_TO) only: a span walk over any range a query can
 * name (years 0001 to 9999) took 15-60 s of one thread (red team G3). Outside, a single span keeps the
 * offset at the range's own end: no event is stored there (the collector stores the arrival time for a
 * claimed time outside its window), and one an older version kept gets a day that may be an hour off.
 */
const SPANS_FROM = Date.UTC(1970, 0, 1);
const SPANS_TO = Date.UTC(2100, 0, 1);

/**
 * How far apart the offset is sampled. Since 1970 no zone has changed its offset twice within 6.75 days
 * (America/Noronha, 1999-2000; Gaza and Hebron 7 days), so two changes never hide in one 3-day step;
 * the change itself is then found to the second. 130 years are ~16,000 samples, a few tens of ms.
 */
const SAMPLE_STEP_MS = 3 * SPAN_STEP_MS;

const offsetNames = new Map<string, Intl.DateTimeFormat>();

/** A cheap stand-in for the offset (`GMT-05:00`): equal names, equal offsets (a third of offsetMinutes' cost). */
function offsetName(zone: string, ms: number): string {
  let f = offsetNames.get(zone);
  if (!f) offsetNames.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })));
  return f.format(new Date(Math.floor(ms / 1000) * 1000));
}

/**
 * [from, to) cut where `zone` changes its offset (a DST change), each piece with the offset in force:
 * the database buckets days at one fixed offset per query, so a range across a change is queried per
 * piece and each local day still starts at its own local midnight. One piece for zones without DST.
 * The work is bounded by SPANS_FROM..SPANS_TO whatever the range, and each UTC year of a zone is walked
 * once (yearSpans), so a request costs what its years' changes cost, not a walk over its days.
 */
export function offsetSpans(zone: string, from: number, to: number): OffsetSpan[] {
  if (!(from < to)) return [{ from, to, offset: offsetMinutes(zone, from) }];
  const lo = Math.min(Math.max(from, SPANS_FROM), to);
  const hi = Math.max(Math.min(to, SPANS_TO), lo);
  const pieces: OffsetSpan[] = [];
  // Before SPANS_FROM: one piece at the offset in force at `from`.
  if (from < lo) pieces.push({ from, to: lo, offset: offsetMinutes(zone, from) });
  for (let y = new Date(lo).getUTCFullYear(); lo < hi && Date.UTC(y, 0, 1) < hi; y++) {
    for (const s of yearSpans(zone, y)) {
      const a = Math.max(s.from, lo);
      const b = Math.min(s.to, hi);
      if (a < b) pieces.push({ from: a, to: b, offset: s.offset });
    }
  }
  // After SPANS_TO the last piece runs on at the offset it has there.
  if (hi < to) pieces.push({ from: hi, to, offset: pieces.length ? pieces[pieces.length - 1]!.offset : offsetMinutes(zone, hi) });
  const spans: OffsetSpan[] = [];
  for (const p of pieces) {
    const last = spans[spans.length - 1];
    if (last && last.offset === p.offset && last.to === p.from) last.to = p.to;
    else spans.push({ ...p });
  }
  return spans;
}

/** Walked years per zone and year (`Asia/Tokyo 2026`); cleared when it grows past a few thousand. */
const walkedYears = new Map<string, OffsetSpan[]>();

function yearSpans(zone: string, year: number): OffsetSpan[] {
  const key = `${zone} ${year}`;
  let spans = walkedYears.get(key);
  if (!spans) {
    if (walkedYears.size >= 8192) walkedYears.clear();
    walkedYears.set(key, (spans = walk(zone, Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1))));
  }
  return spans;
}

/** The changes in [from, to) found by sampling every SAMPLE_STEP_MS, each then found to the second. */
function walk(zone: string, from: number, to: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  let start = from;
  let offset = offsetMinutes(zone, from);
  let name = offsetName(zone, from);
  for (let t = from; t < to; ) {
    const next = Math.min(t + SAMPLE_STEP_MS, to);
    // The last instant of [t, next) decides whether an offset change lies in it.
    const nextName = offsetName(zone, next - 1);
    if (nextName !== name && offsetMinutes(zone, next - 1) !== offset) {
      // Offsets are read per whole second: search seconds, lo keeps the old offset, hi has the new one.
      // The instant before t had the old offset (the previous step checked it): t itself may be the change.
      let lo = Math.floor((t > start ? t - 1 : t) / 1000);
      let hi = Math.floor((next - 1) / 1000);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetMinutes(zone, mid * 1000) === offset) lo = mid;
        else hi = mid;
      }
      const change = Math.max(hi * 1000, start + 1);
      spans.push({ from: start, to: change, offset });
      start = change;
      offset = offsetMinutes(zone, change);
      name = offsetName(zone, change);
      t = change;
      continue;
    }
    name = nextName;
    t = next;
  }
  spans.push({ from: start, to, offset });
  return spans;
}

/** The local days (`YYYY-MM-DD`) that [from, to) touches in `zone`, in order, each once. */
export function localDays(zone: string, from: number, to: number): string[] {
  const out: string[] = [];
  let day = dayInZone(from, zone);
  for (;;) {
    out.push(day);
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    const midnight = zonedToInstant(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
    if (midnight >= to) return out;
    // The date itself, not the day of `midnight`: where DST skips midnight that instant may fall the day before.
    day = next.toISOString().slice(0, 10);
  }
}
