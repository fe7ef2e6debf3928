/**
 * Daily figures that follow local midnights in zones with DST. The database buckets days at one fixed
 * offset per query (storage.summary / groupCounts), so a period across a DST change is queried once per
 * stretch of one offset (time-zone.ts offsetSpans) and the pieces are added up: a day cut by the change
 * gets both of its parts, and no event moves to the neighbouring day. Zones without DST are one query.
 */
import type { GroupCount, GroupKey } from '../storage/group-counts.js';
import type { EventFilter, Storage, Summary } from '../storage/types.js';
import { offsetMinutes, offsetSpans } from '../time-zone.js';

function spansOf(filter: EventFilter, zone: string): { filter: EventFilter; offset: number }[] {
  if (filter.from === undefined || filter.to === undefined) return [{ filter, offset: offsetAtStart(zone, filter) }];
  return offsetSpans(zone, filter.from, filter.to).map((s) => ({ filter: { ...filter, from: s.from, to: s.to }, offset: s.offset }));
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
  const parts = await Promise.all(spansOf(filter, zone).map((s) => storage.summary(s.filter, s.offset)));
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
  const parts = await Promise.all(spansOf(filter, zone).map((s) => storage.groupCounts(s.filter, keys, s.offset)));
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
