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
  const w = wallClock(Math.floor(ms / 1000) * 1000, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

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
  const w = wallClock(ms, zone);
  const off = offsetMinutes(zone, ms);
  const sign = off < 0 ? '-' : '+';
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** `YYYY-MM-DD`: the local day of `ms` in `zone`. */
export function dayInZone(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}
