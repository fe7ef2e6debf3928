/**
 * The background's IndexedDB (through idb): the event queue, warnings awaiting the employee's answer,
 * and small state (device id, counters, delivery status, recent decisions). IndexedDB rather than
 * storage.local because the queue needs ordered, bounded, transactional access and must survive the
 * service worker being killed and the browser restarting.
 * No webextension-polyfill here: this module runs in the real browser tests and could run in Node
 * with fake-indexeddb.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { UploadEvent } from '../../src/events/schema.js';

export interface QueuedEvent {
  /** Insertion order; the queue sends oldest first. */
  seq?: number;
  /** 0 = cheap to lose (clean, allowed), 1 = evidence (anything else). Overflow evicts 0s first. */
  priority: 0 | 1;
  event: UploadEvent;
}

/** Compact record of one decision for the popup. */
export interface RecentDecision {
  id: string;
  time: string;
  service: string | null;
  fileName: string | null;
  verdict: UploadEvent['verdict'];
  action: UploadEvent['action'];
  outcome: UploadEvent['outcome'];
}

export interface DeliveryStatus {
  lastSuccess: string | null;
  lastFailure: string | null;
  lastError: string | null;
  /** Consecutive failed attempts; drives the backoff. */
  failures: number;
  /** When the next retry alarm fires (ms since epoch), or null. */
  nextRetry: number | null;
  lastHeartbeat: string | null;
}

export interface Meta {
  deviceId: string;
  dropped: number;
  /** Events the collector refused as invalid (400) and that were therefore discarded. */
  rejected: number;
  delivery: DeliveryStatus;
  recent: RecentDecision[];
  /** The latest refusals (block and warn decisions), whole, so an employee's dispute can point at one. */
  disputable: UploadEvent[];
}

interface GuardDB extends DBSchema {
  queue: { key: number; value: QueuedEvent; indexes: { priority: number } };
  pending: { key: string; value: { id: string; at: number; event: UploadEvent } };
  meta: { key: string; value: unknown };
}

export type Db = IDBPDatabase<GuardDB>;

export const DB_NAME = 'upload-guard';

export function openGuardDb(name = DB_NAME): Promise<Db> {
  return openDB<GuardDB>(name, 1, {
    upgrade(db) {
      const q = db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
      // Entries with equal index keys are ordered by primary key, so a cursor over priority 0 visits the oldest first.
      q.createIndex('priority', 'priority');
      db.createObjectStore('pending', { keyPath: 'id' });
      db.createObjectStore('meta');
    },
  });
}

let shared: Promise<Db> | null = null;
/** One connection per service-worker lifetime. */
export function db(): Promise<Db> {
  shared ??= openGuardDb();
  return shared;
}

export async function getMeta<K extends keyof Meta>(d: Db, key: K, fallback: Meta[K]): Promise<Meta[K]> {
  const v = (await d.get('meta', key)) as Meta[K] | undefined;
  return v ?? fallback;
}

export async function setMeta<K extends keyof Meta>(d: Db, key: K, value: Meta[K]): Promise<void> {
  await d.put('meta', value, key);
}

export const EMPTY_DELIVERY: DeliveryStatus = {
  lastSuccess: null,
  lastFailure: null,
  lastError: null,
  failures: 0,
  nextRetry: null,
  lastHeartbeat: null,
};

/** The device id: generated once, kept for the life of the profile. */
export async function deviceId(d: Db): Promise<string> {
  const tx = d.transaction('meta', 'readwrite');
  let id = (await tx.store.get('deviceId')) as string | undefined;
  if (!id) {
    id = crypto.randomUUID();
    await tx.store.put(id, 'deviceId');
  }
  await tx.done;
  return id;
}
