/**
 * The figures of the periodic report (guideline 5-1), read from the database as counts: the totals,
 * per-day trend and per-service counts from the summary (its hourly rollup), the rest from one GROUP BY
 * each (storage.groupCounts); the devices that stopped reporting from the device list. Nothing reads
 * every event of the period.
 */
import { byUserInTurn } from '../alerts/webhook.js';
import { deviceReport } from '../devices.js';
import { serviceName } from '../service-names.js';
import type { GroupCount } from '../storage/group-counts.js';
import type { EventFilter, Storage } from '../storage/types.js';
import { localDays } from '../time-zone.js';
import type { ReportRange } from './range.js';
import { zonedGroupCounts, zonedSummary } from './zoned.js';

/** The figures of one row of a breakdown. "Attempts" are events the engine found marked or could not read. */
export interface Tally {
  total: number;
  marked: number;
  unscannable: number;
  blocked: number;
  /** Warnings shown (a warning's answer is a separate event and not counted again here). */
  warned: number;
  /** Warnings the employee answered by sending anyway. */
  proceeded: number;
  disputed: number;
}

export interface Row extends Tally {
  /** Stable key (user, service id, rule number) and what is shown. */
  key: string | null;
  label: string | null;
  /** Same tally in the previous period (only where the report shows a trend). */
  previous?: number;
}

export interface IncidentSummary {
  /** Incidents: block, a warning sent anyway, a dispute or an unscannable upload, grouped by user + file + local day. */
  count: number;
  previous: number;
  bySeverity: { high: number; medium: number };
  /**
   * How fast the period's incidents were reported to the customer, from incident triage (the
   * collector's own source: report/route.ts); null when no source is given. See IncidentSource.
   */
  reporting: { reported: number; withinAgreed: number; medianHours: number | null; agreedHours: number | null } | null;
  /**
   * The largest groups (most events), TOP_INCIDENTS at most, one per user in turn (each user's largest
   * before anyone's second), each with how many incidents its user had in the period.
   */
  top: { user: string | null; file: string | null; day: string; events: number; userIncidents: number }[];
  /** Users with incidents in the period that have no row in `top` (beyond its bound). */
  usersNotShown: number;
}

export interface StaleDeviceRow {
  deviceId: string;
  user: string | null;
  lastSeen: string;
  silentMinutes: number;
  extensionVersion: string;
  /** From the device's last heartbeat (policy department); null when it sent none. */
  department: string | null;
}

export interface ReportData {
  range: ReportRange;
  generatedAt: string;
  totals: Tally;
  previousTotals: Tally;
  byDay: { day: string; count: number; attempts: number }[];
  /**
   * Per department: the `department` the deployment sets in policy per organizational unit, sent with
   * each event (key null: events without one). `previous` is the department's total in the previous period.
   */
  byDepartment: Row[];
  /** Whether any event of the period carries a department (if none, the report says how to set it). */
  departmentsKnown: boolean;
  byUser: Row[];
  byService: Row[];
  byCategory: Row[];
  byRule: Row[];
  incidents: IncidentSummary;
  staleDevices: StaleDeviceRow[];
  staleAsOf: string;
}

/**
 * Where incident triage (the incidents table) plugs in: given the period, how many incidents were
 * reported to the customer and how fast. Absent, the report says that reporting times are not recorded.
 */
export type IncidentSource = (range: ReportRange) => Promise<IncidentSummary['reporting']>;

const empty = (): Tally => ({ total: 0, marked: 0, unscannable: 0, blocked: 0, warned: 0, proceeded: 0, disputed: 0 });

function add(t: Tally, g: GroupCount): void {
  t.total += g.count;
  if (g.verdict === 'marked') t.marked += g.count;
  if (g.verdict === 'unscannable') t.unscannable += g.count;
  if (g.outcome === 'blocked') t.blocked += g.count;
  if (g.action === 'warn' && g.outcome === 'pending') t.warned += g.count;
  if (g.outcome === 'proceeded') t.proceeded += g.count;
  if (g.outcome === 'disputed') t.disputed += g.count;
}

/** Sums groups into rows by one key, biggest first (by attempts, then total). */
function rows(groups: readonly GroupCount[], key: 'user' | 'service' | 'category' | 'rule' | 'department', label: (k: string | null) => string | null): Row[] {
  const by = new Map<string | null, Row>();
  for (const g of groups) {
    const k = g[key] === null || g[key] === undefined ? null : String(g[key]);
    let r = by.get(k);
    if (!r) by.set(k, (r = { key: k, label: label(k), ...empty() }));
    add(r, g);
  }
  return [...by.values()].sort((a, b) => b.marked + b.unscannable - (a.marked + a.unscannable) || b.total - a.total || String(a.key).localeCompare(String(b.key)));
}

const OUTCOME_KEYS = ['verdict', 'action', 'outcome'] as const;
const DAY_MS = 86_400_000;
const dayString = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The filters that pick incident events; disjoint, so their counts add up. */
const INCIDENT_FILTERS: EventFilter[] = [
  { action: ['block'] },
  { action: ['warn'], outcome: ['proceeded', 'disputed'] },
  { verdict: ['unscannable'], action: ['allow', 'audit'] },
];

async function incidentGroups(storage: Storage, from: number, to: number, tz: string): Promise<GroupCount[]> {
  const parts = await Promise.all(INCIDENT_FILTERS.map((f) => zonedGroupCounts(storage, { ...f, from, to }, ['user', 'file', 'day', 'action'], tz)));
  // One incident per user + file + local day, whichever filters its events came through.
  const merged = new Map<string, GroupCount>();
  for (const g of parts.flat()) {
    const k = JSON.stringify([g.user, g.file, g.day]);
    const m = merged.get(k);
    if (!m) merged.set(k, { ...g });
    else {
      m.count += g.count;
      m.firstMs = Math.min(m.firstMs, g.firstMs);
      if (g.action === 'block') m.action = 'block';
    }
  }
  return [...merged.values()];
}

/** Rows of the report's incident table. */
export const TOP_INCIDENTS = 20;

/**
 * The incident table: the largest incidents, one user at a time (red team L5: one user's many incidents
 * filled all 20 rows, and nobody else's appeared), with each user's number of incidents, and how many
 * users with incidents the bound left out.
 */
function topIncidents(incidents: GroupCount[]): Pick<ReportData['incidents'], 'top' | 'usersNotShown'> {
  const rows = incidents
    .sort((a, b) => b.count - a.count || a.firstMs - b.firstMs)
    .map((g) => ({ user: (g.user as string | null) ?? null, file: (g.file as string | null) ?? null, day: dayString(Number(g.day)), events: g.count }));
  const perUser = new Map<string | null, number>();
  for (const r of rows) perUser.set(r.user, (perUser.get(r.user) ?? 0) + 1);
  const top = byUserInTurn(rows)
    .slice(0, TOP_INCIDENTS)
    .map((r) => ({ ...r, userIncidents: perUser.get(r.user)! }));
  return { top, usersNotShown: perUser.size - new Set(top.map((r) => r.user)).size };
}

export async function buildReport(
  storage: Storage,
  range: ReportRange,
  opts: { now: number; staleAfterMinutes?: number; incidents?: IncidentSource; maxRows?: number },
): Promise<ReportData> {
  const { fromMs: from, toMs: to, prevFromMs, prevToMs, tz } = range;
  // Days start at local midnight, also across a DST change (zoned.ts queries each offset's stretch apart).
  const cur: EventFilter = { from, to };
  // One scan of the period serves the totals and every breakdown (a few thousand groups at most).
  const [summary, prevSummary, groups, prevTotals, attemptsByDay, incidents, prevIncidents] = await Promise.all([
    zonedSummary(storage, cur, tz),
    zonedSummary(storage, { from: prevFromMs, to: prevToMs }, tz),
    storage.groupCounts(cur, ['department', 'user', 'service', 'category', 'rule', ...OUTCOME_KEYS]),
    storage.groupCounts({ from: prevFromMs, to: prevToMs }, ['department', ...OUTCOME_KEYS]),
    zonedGroupCounts(storage, { ...cur, verdict: ['marked', 'unscannable'] }, ['day'], tz),
    incidentGroups(storage, from, to, tz),
    incidentGroups(storage, prevFromMs, prevToMs, tz),
  ]);
  const tally = (gs: GroupCount[]) => gs.reduce((t, g) => (add(t, g), t), empty());
  const prevService = new Map(prevSummary.byService.map((s) => [s.service, s.count]));
  const prevDepartment = new Map(rows(prevTotals, 'department', (k) => k).map((r) => [r.key, r.total]));
  const byDepartment = rows(groups, 'department', (k) => k);
  const attempts = new Map(attemptsByDay.map((g) => [dayString(Number(g.day)), g.count]));
  const max = opts.maxRows ?? 50;

  const asOf = Math.min(opts.now, to);
  const stale = await storage.devicePage({ filter: { status: 'stale' }, now: asOf, staleAfterMinutes: opts.staleAfterMinutes, limit: 200 });
  const reporting = opts.incidents ? await opts.incidents(range) : null;
  return {
    range,
    generatedAt: new Date(opts.now).toISOString(),
    totals: tally(groups),
    previousTotals: tally(prevTotals),
    // Every day of the period, also those without events (a chart with gaps reads wrong).
    byDay: localDays(tz, from, to).map((day) => ({ day, count: summary.byDay.find((d) => d.day === day)?.count ?? 0, attempts: attempts.get(day) ?? 0 })),
    // Every department (an organization has tens, not thousands), each against the previous period.
    byDepartment: byDepartment.map((r) => ({ ...r, previous: prevDepartment.get(r.key) ?? 0 })),
    departmentsKnown: byDepartment.some((r) => r.key !== null),
    byUser: rows(groups, 'user', (k) => k).slice(0, max),
    byService: rows(groups, 'service', (k) => serviceName(k) ?? k)
      .map((r) => ({ ...r, previous: prevService.get(r.key) ?? 0 }))
      .slice(0, max),
    byCategory: rows(groups, 'category', (k) => k),
    byRule: rows(groups, 'rule', (k) => k),
    incidents: {
      count: incidents.length,
      previous: prevIncidents.length,
      bySeverity: { high: incidents.filter((g) => g.action === 'block').length, medium: incidents.filter((g) => g.action !== 'block').length },
      reporting,
      ...topIncidents(incidents),
    },
    staleDevices: stale.devices.map((d) => {
      const r = deviceReport(d, asOf, opts.staleAfterMinutes, []);
      return { deviceId: r.deviceId, user: r.user, lastSeen: r.lastSeen, silentMinutes: r.silentMinutes, extensionVersion: r.extensionVersion, department: r.department ?? null };
    }),
    staleAsOf: new Date(asOf).toISOString(),
  };
}
