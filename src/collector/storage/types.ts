/**
 * The storage interface every back end (SQLite, PostgreSQL) implements, and the shapes that cross it.
 * Times cross this boundary as epoch milliseconds; the API layer converts to and from ISO strings.
 */
import type { TxWork } from '../incidents/sql.js';
import type { GroupCount, GroupKey } from './group-counts.js';
import type { Action, Category, Channel, EventSender, Heartbeat, KeptEvent, Outcome, StoredEvent, UploadEvent, Verdict } from '../../events/schema.js';

/** What admins filter on. Every list means "any of"; absent means "no filter". */
export interface EventFilter {
  /** Inclusive lower bound on event time, epoch ms. */
  from?: number;
  /** Exclusive upper bound on event time, epoch ms. */
  to?: number;
  user?: string;
  /** User begins with (case-insensitive for ASCII). */
  userPrefix?: string;
  device?: string;
  /** Device name (from policy, see docs/collector.md) begins with (case-insensitive for ASCII). */
  deviceName?: string;
  /** Department (policy field department), exactly. */
  department?: string;
  /** Event ids, any of (a decision's answers, an incident's events). */
  ids?: string[];
  /** Events answering or disputing any of these decisions. */
  relatesTo?: string[];
  service?: string[];
  category?: Category[];
  verdict?: Verdict[];
  rule?: (1 | 2 | 3)[];
  action?: Action[];
  outcome?: Outcome[];
  channel?: Channel[];
  /** File name contains (case-insensitive for ASCII). */
  q?: string;
}

/** Columns the event list sorts by on the server; `-` is descending. Ties go by time, then id. */
export const SORT_KEYS = ['time', 'user', 'service', 'fileName', 'verdict', 'action', 'outcome', 'deviceName'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = SortKey | `-${SortKey}`;

export interface EventQuery extends EventFilter {
  /** `-time` (newest first, the default), `time`, or another SORT_KEYS column. Ties are broken by time and id, so pages are stable. */
  sort?: SortOrder;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string | null;
}

export interface EventPage {
  events: StoredEvent[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

export interface InsertResult {
  accepted: number;
  duplicates: number;
  /** The events that were new (stored by this call): alerts fire for these only, so resends never re-alert. */
  inserted: UploadEvent[];
  /** Alerts written to the outbox with these events (same transaction). */
  alerts: number;
}

/** Where an alert goes: the incident webhook (incidents, stale devices) or a SIEM (every event: CEF over syslog, Splunk HEC). */
export type AlertChannel = 'webhook' | 'syslog' | 'hec';

/** One alert to deliver. `ref` is unique per channel: the same alert is never queued twice. */
export interface OutboxItem {
  channel: AlertChannel;
  ref: string;
  /** What is sent: the webhook's JSON body, or the CEF record. */
  payload: string;
}

export interface OutboxRow extends OutboxItem {
  id: number;
  attempts: number;
  createdMs: number;
}

/** One channel's alerts (the admin page's per-channel status). */
export interface ChannelStats {
  channel: AlertChannel;
  pending: number;
  /** Marked done: delivered (webhook 2xx, HEC accepted) or, for syslog, written to the socket. */
  done: number;
  /** The last error of a pending alert (a refusal, a redirect not followed, a timeout), or null. */
  lastError: string | null;
}

export interface OutboxStats {
  /** Not yet delivered (including those waiting for a retry). */
  pending: number;
  /** Creation time of the oldest pending alert, epoch ms; null when none is pending. */
  oldestPendingMs: number | null;
  /** Delivered and still kept (delivered alerts are kept 7 days). */
  delivered: number;
  /** Pending alerts whose last attempt failed. */
  retrying: number;
}

export interface InsertOptions {
  /** The alerts a newly stored event raises, given the event as stored (sql.ts asStored); called inside the insert transaction. */
  alertsFor?: (e: KeptEvent) => OutboxItem[];
  /**
   * How far an event's own time may be from its arrival, ms; outside, the event is stored at its arrival
   * time and keeps its claim as `claimedTime` (see sql.ts eventValues). Absent: times are believed.
   */
  timeWindow?: TimeWindow;
  /**
   * Who sent the batch, kept with each event it stores: the client's address (through trusted proxies,
   * as the audit log writes it) and the ingest token's fingerprint (auth.ts tokenId).
   */
  sender?: EventSender;
}

export interface TimeWindow {
  pastMs: number;
  futureMs: number;
}

export interface Summary {
  total: number;
  byService: { service: string | null; serviceName: string | null; count: number }[];
  /** Day is `YYYY-MM-DD` in the requested time zone offset. */
  byDay: { day: string; count: number }[];
  byVerdict: { verdict: Verdict; count: number }[];
  byAction: { action: Action; count: number }[];
}

/** A heartbeat as stored: as sent, plus the fingerprint of the ingest token it came with (see auth.tokenId). */
/**
 * A heartbeat as stored: with the fingerprint of the ingest token it came with and the address it came
 * from (through trusted proxies), as the collector saw them.
 */
export type ReceivedHeartbeat = Heartbeat & { tokenId?: string; receivedFrom?: string };

/** One device: its last heartbeat as sent, and what the collector recorded about it over time. */
export interface DeviceRow extends ReceivedHeartbeat {
  /** When the collector last received a heartbeat from the device, ISO-8601 UTC. */
  lastSeen: string;
  /** When the collector first heard from the device (first heartbeat, or an earlier event), ISO-8601 UTC. */
  firstSeen: string;
  /** The extension version the device ran before its current one; null when it never changed. */
  previousVersion: string | null;
  /**
   * When the current extension version was first reported, ISO-8601 UTC; null when unknown (devices
   * recorded before the collector kept versions).
   */
  versionSince: string | null;
  /** Warnings any heartbeat of this device ever raised (see sql.ts raisedBy), with the last time, ISO-8601 UTC. */
  raised: Record<string, string>;
}

/** Which devices a page lists (see devices.ts DeviceFilter); `now` and the stale rule decide `status`. */
export interface DevicePageQuery {
  filter: { status?: 'active' | 'stale'; version?: string; user?: string; tokenId?: string };
  now: number;
  /** The collector's --stale-after-minutes, overriding the per-device rule. */
  staleAfterMinutes?: number;
  limit: number;
  cursor?: string | null;
}

export interface DevicePage {
  devices: DeviceRow[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

/** Devices of one extension version and one ingest token fingerprint (null: not recorded). */
export interface DeviceGroup {
  extensionVersion: string;
  tokenId: string | null;
  devices: number;
  stale: number;
}

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores a batch atomically: all events or none. Duplicate ids (already stored or repeated in the batch) are skipped. */
  insertEvents(events: readonly UploadEvent[], receivedAt: number, opts?: InsertOptions): Promise<InsertResult>;
  queryEvents(query: EventQuery): Promise<EventPage>;
  /** `tzOffsetMinutes` shifts day boundaries, e.g. 540 for JST. */
  summary(filter: EventFilter, tzOffsetMinutes?: number): Promise<Summary>;
  /**
   * Keeps the newest heartbeat per device (an older one arriving late is ignored), the first time the
   * device was heard of, and its previous extension version when the version changes.
   */
  upsertHeartbeat(heartbeat: ReceivedHeartbeat, receivedAt: number): Promise<void>;
  /**
   * Counts the heartbeats (of this collector) that may have moved a device between the fleet's groups: a
   * new device, another version or token, a device back from silence; and purges. A cached count of the
   * groups (fleet-counts.ts) is good while this has not moved.
   */
  readonly fleetChanges: number;
  /** What the collector should say at start about this store (e.g. a search that is not indexed). */
  readonly notices?: readonly string[];
  /** Every device, most recently seen first. */
  devices(): Promise<DeviceRow[]>;
  /** One page of devices, filtered and ordered (most recently seen first) by the database. */
  devicePage(q: DevicePageQuery): Promise<DevicePage>;
  /** The whole fleet counted by version and token, stale ones apart: what the device list's totals need. */
  deviceGroups(now: number, staleAfterMinutes?: number): Promise<DeviceGroup[]>;
  /**
   * Events counted per group of `keys` (one GROUP BY; `day` is the day number in `tzOffsetMinutes`):
   * what the periodic report reads (report/data.ts). siem13.
   */
  groupCounts(filter: EventFilter, keys: readonly GroupKey[], tzOffsetMinutes?: number): Promise<GroupCount[]>;
  /**
   * Deletes events whose time is before `time` (epoch ms); returns how many. `then`, given that number,
   * is more work in the same transaction (the incidents that go with them and the run's audit entry:
   * all of it or none).
   */
  purgeBefore(time: number, then?: (removed: number) => TxWork<unknown>): Promise<number>;
  count(): Promise<number>;
  /** Gets ready to serve reads (SQLite starts its read workers); the collector calls it when it starts. */
  warm?(): void;
  /** Answers when the database does (readiness); throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // --- the alert outbox: written with the events, delivered by alerts/outbox.ts ---------------------
  /** Queues alerts not already queued (same channel and ref); returns how many were new. */
  enqueueAlerts(items: readonly OutboxItem[], now: number): Promise<number>;
  /**
   * Leases up to `limit` due alerts of a channel, oldest first, to `owner` until now + leaseMs. Alerts
   * leased by another collector whose lease has not run out are skipped, so each goes to one sender.
   */
  claimAlerts(channel: AlertChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]>;
  /** Marks leased alerts delivered. */
  alertsDelivered(ids: readonly number[], owner: string, now: number): Promise<void>;
  /** Releases a leased alert for another attempt at `nextMs`. */
  alertFailed(id: number, owner: string, nextMs: number, error: string): Promise<void>;
  outboxStats(): Promise<OutboxStats>;
  /** The outbox per channel (sql.ts outboxChannelsSql). */
  outboxChannels(): Promise<ChannelStats[]>;
  /** Deletes delivered alerts older than `before`; returns how many. */
  purgeDeliveredAlerts(before: number): Promise<number>;
  /** A stored setting: the value already there, or `value` if there was none. */
  metaOnce(key: string, value: string): Promise<string>;
}
