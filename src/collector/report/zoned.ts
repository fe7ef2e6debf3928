/**
 * Daily figures that follow local midnights in zones with DST. The database buckets days at one fixed
 * offset per query (storage.summary / groupCounts), so a period across a DST change is queried once per
 * stretch of one offset (time-zone.ts offsetSpans) and the pieces are added up: a day cut by the change
 * gets both of its parts, and no event moves to the neighbouring day. Zones without DST are one query.
 */
import type { GroupCount, GroupKey } from '../storage/group-counts.js';
import type { EventFilter, Storage, Summary } from '../storage/types.js';
import { offsetMinutes, offsetSpans } from '../time-zone.js';

/** Longer ranges are first cut to the stored events' own first and last times (dataExtent). */
const LONG_RANGE_MS = 400 * 86_400_000;

async function spansOf(storage: Storage, filter: EventFilter, zone: string): Promise<{ filter: EventFilter; offset: number }[]> {
  if (filter.from === undefined || filter.to === undefined) return [{ filter, offset: offsetAtStart(zone, filter) }];
  let from = filter.from;
  let to = filter.to;
  // `from=0001-01-01&to=9999-12-31` asked for a span walk and one query per DST stretch over 10,000
  // years (red team G3: the collector stood still for a minute). Only the years holding events are cut
  // at DST changes; the stretches before the first event and after the last join their neighbours (no
  // event is there to place on a day), so the work follows the data, not the range asked for.
  if (to - from > LONG_RANGE_MS) {
    const extent = await dataExtent(storage);
    if (!extent) return [{ filter, offset: offsetAtStart(zone, filter) }];
    from = Math.min(Math.max(from, extent.first), to);
    to = Math.max(Math.min(to, extent.last + 1), from);
    if (!(from < to)) return [{ filter, offset: offsetAtStart(zone, filter) }];
  }
  const spans = offsetSpans(zone, from, to);
  spans[0]!.from = filter.from;
  spans[spans.length - 1]!.to = filter.to;
  return spans.map((s) => ({ filter: { ...filter, from: s.from, to: s.to }, offset: s.offset }));
}

/** The times of the first and the last stored event (two index reads), null when there is none. */
async function dataExtent(storage: Storage): Promise<{ first: number; last: number } | null> {
  const [first, last] = await Promise.all([storage.queryEvents({ sort: 'time', limit: 1 }), storage.queryEvents({ sort: '-time', limit: 1 })]);
  if (!first.events[0] || !last.events[0]) return null;
  return { first: Date.parse(first.events[0].time), last: Date.parse(last.events[0].time) };
}

function sumBy<T>(parts: T[][], key: (x: T) => string, add: (into: T, x: T) => void): T[] {
  const by = new Map<string, T>();
  for (const x of parts.flat()) {
    const k = key(x);
    const have = by.get(k);
    if (have) add(have, x);
    else by.set(k, { ...x });
  }
  return [...by.values()];
}

const addCount = (a: { count: number }, b: { count: number }) => void (a.count += b.count);

/** storage.summary with `byDay` in local days of `zone` (the filter's from/to, when given, are cut at DST changes). */
export async function zonedSummary(storage: Storage, filter: EventFilter, zone: string): Promise<Summary> {
  if (filter.from === undefined || filter.to === undefined) return storage.summary(filter, offsetAtStart(zone, filter));
  const parts = await Promise.all((await spansOf(storage, filter, zone)).map((s) => storage.summary(s.filter, s.offset)));
  if (parts.length === 1) return parts[0]!;
  // The order summaryFromCounts gives: most first, then by key.
  const byCount = <T extends { count: number }>(xs: T[], key: (x: T) => string) =>
    xs.sort((a, b) => b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    total: parts.reduce((n, p) => n + p.total, 0),
    byService: byCount(sumBy(parts.map((p) => p.byService), (x) => x.service ?? '', addCount), (x) => x.service ?? ''),
    byDay: sumBy(parts.map((p) => p.byDay), (x) => x.day, addCount).sort((a, b) => a.day.localeCompare(b.day)),
    byVerdict: byCount(sumBy(parts.map((p) => p.byVerdict), (x) => x.verdict, addCount), (x) => x.verdict),
    byAction: byCount(sumBy(parts.map((p) => p.byAction), (x) => x.action, addCount), (x) => x.action),
  };
}

/** storage.groupCounts where `day` is the local day of `zone`, across DST changes; needs from and to. */
export async function zonedGroupCounts(storage: Storage, filter: EventFilter, keys: readonly GroupKey[], zone: string): Promise<GroupCount[]> {
  const parts = await Promise.all((await spansOf(storage, filter, zone)).map((s) => storage.groupCounts(s.filter, keys, s.offset)));
  if (parts.length === 1) return parts[0]!;
  return sumBy(
    parts,
    (g) => JSON.stringify(keys.map((k) => g[k] ?? null)),
    (a, b) => {
      a.count += b.count;
      a.firstMs = Math.min(a.firstMs, b.firstMs);
    },
  );
}

/** Without both ends there is nothing to cut: the offset at the start (or now), as before. */
function offsetAtStart(zone: string, filter: EventFilter): number {
  return offsetMinutes(zone, filter.from ?? filter.to ?? Date.now());
}
