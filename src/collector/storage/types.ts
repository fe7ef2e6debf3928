/**
 * The storage interface every back end (SQLite, PostgreSQL) implements, and the shapes that cross it.
 * Times cross this boundary as epoch milliseconds; the API layer converts to and from ISO strings.
 */
import type { Action, Category, Channel, Heartbeat, Outcome, StoredEvent, UploadEvent, Verdict } from '../../events/schema.js';

/** What admins filter on. Every list means "any of"; absent means "no filter". */
export interface EventFilter {
  /** Inclusive lower bound on event time, epoch ms. */
  from?: number;
  /** Exclusive upper bound on event time, epoch ms. */
  to?: number;
  user?: string;
  device?: string;
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

export type SortOrder = 'time' | '-time';

export interface EventQuery extends EventFilter {
  /** `-time` (newest first, the default) or `time`. Ties are broken by id, so pages are stable. */
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
export type ReceivedHeartbeat = Heartbeat & { tokenId?: string };

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
}

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores a batch atomically: all events or none. Duplicate ids (already stored or repeated in the batch) are skipped. */
  insertEvents(events: readonly UploadEvent[], receivedAt: number): Promise<InsertResult>;
  queryEvents(query: EventQuery): Promise<EventPage>;
  /** `tzOffsetMinutes` shifts day boundaries, e.g. 540 for JST. */
  summary(filter: EventFilter, tzOffsetMinutes?: number): Promise<Summary>;
  /**
   * Keeps the newest heartbeat per device (an older one arriving late is ignored), the first time the
   * device was heard of, and its previous extension version when the version changes.
   */
  upsertHeartbeat(heartbeat: ReceivedHeartbeat, receivedAt: number): Promise<void>;
  /** Every device, most recently seen first. */
  devices(): Promise<DeviceRow[]>;
  /** Deletes events whose time is before `time` (epoch ms); returns how many. */
  purgeBefore(time: number): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}
