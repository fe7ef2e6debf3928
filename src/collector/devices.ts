/**
 * Tamper evidence: which devices stopped sending heartbeats (extension removed or disabled, browser
 * kept off the policy), which extension versions run where, and what looks wrong on each device.
 * Pure functions over the stored device rows, so both back ends and every format agree.
 */
import { csvHeader, csvRow, CSV_BOM } from '../events/encode.js';
import type { InstallType } from '../events/schema.js';
import { DEFAULT_HEARTBEAT_MINUTES } from '../policy/defaults.js';
import type { DeviceGroup, DeviceRow } from './storage/types.js';

export const DEVICE_STATUSES = ['active', 'stale'] as const;
export type DeviceStatusName = (typeof DEVICE_STATUSES)[number];

/**
 * - `stale`: no heartbeat for longer than allowed (see staleAfter).
 * - `not-force-installed`: installed by the user (or sideloaded, or unpacked), not by policy: they can
 *   remove or disable it.
 * - `no-managed-policy`: the extension runs without the managed policy (defaults only, no collector set by IT).
 * - `queue-dropping`: the local queue overflowed and events were lost.
 * - `downgraded`: the version now running is older than the one before it.
 * - `old-token`: the device still sends with an ingest token that is not the current one (a rotation in
 *   progress: it has not received the new policy yet), or with one the collector no longer accepts.
 * - `warnings-cleared`: an earlier heartbeat raised a warning that the latest one no longer shows. It
 *   may have been fixed, or the latest heartbeat may be forged (anyone with the ingest token can send
 *   one): the admin checks the device. `raised` says which warning and when it was last raised.
 */
export const DEVICE_WARNINGS = ['stale', 'not-force-installed', 'no-managed-policy', 'queue-dropping', 'downgraded', 'old-token', 'warnings-cleared'] as const;
export type DeviceWarning = (typeof DEVICE_WARNINGS)[number];

/** Missed heartbeats before a device counts as stale, and the grace added for slow networks and sleep. */
export const STALE_MISSED_HEARTBEATS = 3;
export const STALE_GRACE_MINUTES = 5;

/** A device as the admin API reports it: optional heartbeat fields are null when the extension did not send them. */
export interface DeviceReport extends Omit<DeviceRow, 'heartbeatMinutes' | 'installType' | 'managed' | 'incognitoAllowed' | 'tokenId' | 'receivedFrom'> {
  heartbeatMinutes: number | null;
  /** Fingerprint of the ingest token of the last heartbeat (auth.tokenId); null for heartbeats stored before it was kept. */
  tokenId: string | null;
  /** The address the last heartbeat came from (through trusted proxies); null for heartbeats stored before it was kept. */
  receivedFrom: string | null;
  installType: InstallType | null;
  managed: boolean | null;
  incognitoAllowed: boolean | null;
  status: DeviceStatusName;
  /** Whole minutes since the last heartbeat. */
  silentMinutes: number;
  /** Silence after which this device counts as stale, minutes. */
  staleAfterMinutes: number;
  warnings: DeviceWarning[];
}

export interface VersionCount {
  extensionVersion: string;
  devices: number;
  stale: number;
}

/** One configured ingest token (by fingerprint) and how many devices last used it; `retired` ones are no longer accepted. */
export interface TokenCount {
  tokenId: string;
  state: 'current' | 'accepted' | 'retired';
  devices: number;
  active: number;
}

export interface FleetReport {
  devices: DeviceReport[];
  /** Pass back as `cursor` for the next page of devices; null when this page is the last. */
  nextCursor?: string | null;
  /** Ingest tokens in use across the fleet, for watching a rotation: current first, then still accepted, then retired. */
  tokens: TokenCount[];
  /** Versions running across the whole fleet, newest first (not narrowed by the filters). */
  versions: VersionCount[];
  /** Across the whole fleet (not narrowed by the filters). */
  counts: { total: number; active: number; stale: number };
  /** When tokens, versions and counts were counted (they are reused for a few seconds: see fleet-counts.ts), ISO-8601 UTC. */
  countedAt?: string;
}

export interface DeviceFilter {
  status?: DeviceStatusName;
  tokenId?: string;
  version?: string;
  user?: string;
}

/** `staleAfterMinutes` (a collector option) overrides the per-device rule: 3 × its interval + 5 min. */
export function staleAfter(heartbeatMinutes: number | null | undefined, override?: number): number {
  if (override !== undefined) return override;
  return STALE_MISSED_HEARTBEATS * (heartbeatMinutes ?? DEFAULT_HEARTBEAT_MINUTES) + STALE_GRACE_MINUTES;
}

/**
 * Compares dotted extension versions ("1.10.0" > "1.9.3"). Chrome versions are 1–4 integers; anything
 * else falls back to string order, so the sort is total even for odd values.
 */
export function compareVersions(a: string, b: string): number {
  const num = /^\d{1,9}(\.\d{1,9}){0,3}$/;
  if (num.test(a) && num.test(b)) {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The collector's ingest tokens by fingerprint, current one first (see auth.tokenId). Empty: not known. */
export type IngestTokenIds = readonly string[];

export function deviceReport(row: DeviceRow, now: number, staleAfterOverride?: number, ingestTokenIds: IngestTokenIds = []): DeviceReport {
  const silentMs = Math.max(0, now - Date.parse(row.lastSeen));
  const limit = staleAfter(row.heartbeatMinutes, staleAfterOverride);
  const stale = silentMs > limit * 60_000;
  const warnings: DeviceWarning[] = [];
  if (stale) warnings.push('stale');
  if (row.installType !== undefined && row.installType !== 'admin') warnings.push('not-force-installed');
  if (row.managed === false) warnings.push('no-managed-policy');
  if (row.dropped > 0) warnings.push('queue-dropping');
  if (row.previousVersion !== null && compareVersions(row.extensionVersion, row.previousVersion) < 0) warnings.push('downgraded');
  if (row.tokenId && ingestTokenIds.length && row.tokenId !== ingestTokenIds[0]) warnings.push('old-token');
  if (Object.keys(row.raised ?? {}).some((w) => !warnings.includes(w as DeviceWarning))) warnings.push('warnings-cleared');
  return {
    ...row,
    tokenId: row.tokenId ?? null,
    receivedFrom: row.receivedFrom ?? null,
    heartbeatMinutes: row.heartbeatMinutes ?? null,
    installType: row.installType ?? null,
    managed: row.managed ?? null,
    incognitoAllowed: row.incognitoAllowed ?? null,
    status: stale ? 'stale' : 'active',
    silentMinutes: Math.floor(silentMs / 60_000),
    staleAfterMinutes: limit,
    warnings,
  };
}

export function fleetReport(
  rows: readonly DeviceRow[],
  now: number,
  filter: DeviceFilter = {},
  staleAfterOverride?: number,
  ingestTokenIds: IngestTokenIds = [],
): FleetReport {
  const all = rows.map((r) => deviceReport(r, now, staleAfterOverride, ingestTokenIds));
  const byVersion = new Map<string, VersionCount>();
  let stale = 0;
  for (const d of all) {
    let v = byVersion.get(d.extensionVersion);
    if (!v) byVersion.set(d.extensionVersion, (v = { extensionVersion: d.extensionVersion, devices: 0, stale: 0 }));
    v.devices++;
    if (d.status === 'stale') {
      v.stale++;
      stale++;
    }
  }
  const devices = all.filter(
    (d) =>
      (filter.status === undefined || d.status === filter.status) &&
      (filter.version === undefined || d.extensionVersion === filter.version) &&
      (filter.user === undefined || d.user === filter.user) &&
      (filter.tokenId === undefined || d.tokenId === filter.tokenId),
  );
  return {
    devices,
    tokens: tokenCounts(all, ingestTokenIds),
    versions: [...byVersion.values()].sort((a, b) => compareVersions(b.extensionVersion, a.extensionVersion)),
    counts: { total: all.length, active: all.length - stale, stale },
  };
}

function tokenCounts(devices: readonly DeviceReport[], ingestTokenIds: IngestTokenIds): TokenCount[] {
  return tokenCountsOf(
    devices.map((d) => ({ tokenId: d.tokenId, devices: 1, active: d.status === 'active' ? 1 : 0 })),
    ingestTokenIds,
  );
}

function tokenCountsOf(groups: readonly { tokenId: string | null; devices: number; active: number }[], ingestTokenIds: IngestTokenIds): TokenCount[] {
  const counts = new Map<string, TokenCount>();
  ingestTokenIds.forEach((tokenId, i) => counts.set(tokenId, { tokenId, state: i === 0 ? 'current' : 'accepted', devices: 0, active: 0 }));
  for (const g of groups) {
    if (!g.tokenId) continue;
    let c = counts.get(g.tokenId);
    if (!c) counts.set(g.tokenId, (c = { tokenId: g.tokenId, state: 'retired', devices: 0, active: 0 }));
    c.devices += g.devices;
    c.active += g.active;
  }
  return [...counts.values()];
}

/**
 * The fleet's totals (versions, tokens, active and stale counts) from the database's counts per version
 * and token (Storage.deviceGroups): the same figures as fleetReport without reading every device.
 */
export function fleetTotals(groups: readonly DeviceGroup[], ingestTokenIds: IngestTokenIds = []): Omit<FleetReport, 'devices' | 'nextCursor' | 'countedAt'> {
  const byVersion = new Map<string, VersionCount>();
  let total = 0;
  let stale = 0;
  for (const g of groups) {
    let v = byVersion.get(g.extensionVersion);
    if (!v) byVersion.set(g.extensionVersion, (v = { extensionVersion: g.extensionVersion, devices: 0, stale: 0 }));
    v.devices += g.devices;
    v.stale += g.stale;
    total += g.devices;
    stale += g.stale;
  }
  return {
    tokens: tokenCountsOf(
      groups.map((g) => ({ tokenId: g.tokenId, devices: g.devices, active: g.devices - g.stale })),
      ingestTokenIds,
    ),
    versions: [...byVersion.values()].sort((a, b) => compareVersions(b.extensionVersion, a.extensionVersion)),
    counts: { total, active: total - stale, stale },
  };
}

/** CSV columns of the device export, in order. */
export const DEVICE_CSV_COLUMNS = [
  'deviceId',
  // The PC name from policy, so an admin can find the machine a random device id stands for.
  'deviceName',
  'user',
  'status',
  'silentMinutes',
  'warnings',
  'lastSeen',
  'firstSeen',
  'extensionVersion',
  'previousVersion',
  'versionSince',
  'browser',
  'policyVersion',
  'installType',
  'managed',
  'incognitoAllowed',
  'heartbeatMinutes',
  'staleAfterMinutes',
  'tokenId',
  'receivedFrom',
  'queueLength',
  'dropped',
] as const satisfies readonly (keyof DeviceReport)[];

/** The device CSV (the same as the event export: BOM, CRLF, RFC 4180, formula-safe) starts with this. */
export const DEVICE_CSV_HEAD = CSV_BOM + csvHeader(DEVICE_CSV_COLUMNS);

/** Rows of the device CSV; warnings joined by spaces. */
export function deviceCsvRows(devices: readonly DeviceReport[]): string {
  let out = '';
  for (const d of devices) out += csvRow(DEVICE_CSV_COLUMNS.map((c) => (c === 'warnings' ? d.warnings.join(' ') : d[c])));
  return out;
}
