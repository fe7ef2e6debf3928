/**
 * The bounded event queue. Every decision is written here before anything else happens with it;
 * the sender removes events only after the collector acknowledged them (at-least-once delivery; the
 * collector drops duplicates by id).
 */
import type { UploadEvent } from '../../src/events/schema.js';
import type { Db, QueuedEvent } from './db.js';

/** ~10,000 events of ~600 bytes is a few MB: enough for days offline, small enough never to hurt. */
export const QUEUE_CAPACITY = 10_000;

/** Clean uploads that were allowed are the cheapest to lose; every other event is evidence. */
export function priorityOf(e: UploadEvent): 0 | 1 {
  return e.verdict === 'clean' && e.outcome === 'allowed' ? 0 : 1;
}

/**
 * Appends events; when the queue would exceed `capacity`, evicts the oldest low-priority events, then
 * the oldest of any kind, and adds the number evicted to the `dropped` counter (reported in heartbeats).
 * One transaction: a crash leaves either all of it or none.
 */
export async function enqueue(db: Db, events: UploadEvent[], capacity = QUEUE_CAPACITY): Promise<{ dropped: number }> {
  if (events.length === 0) return { dropped: 0 };
  const tx = db.transaction(['queue', 'meta'], 'readwrite');
  const queue = tx.objectStore('queue');
  for (const event of events) await queue.add({ priority: priorityOf(event), event } satisfies QueuedEvent);
  let excess = (await queue.count()) - capacity;
  let dropped = 0;
  for (const priority of [0, 1]) {
    if (excess <= 0) break;
    let cursor = await queue.index('priority').openCursor(IDBKeyRange.only(priority));
    while (cursor && excess > 0) {
      await cursor.delete();
      excess--;
      dropped++;
      cursor = await cursor.continue();
    }
  }
  if (dropped > 0) {
    const meta = tx.objectStore('meta');
    const before = ((await meta.get('dropped')) as number | undefined) ?? 0;
    await meta.put(before + dropped, 'dropped');
  }
  await tx.done;
  return { dropped };
}

/** The oldest `limit` events, in order, with their queue keys. */
export async function peek(db: Db, limit: number): Promise<{ seq: number; event: UploadEvent }[]> {
  const out: { seq: number; event: UploadEvent }[] = [];
  let cursor = await db.transaction('queue').store.openCursor();
  while (cursor && out.length < limit) {
    out.push({ seq: cursor.value.seq as number, event: cursor.value.event });
    cursor = await cursor.continue();
  }
  return out;
}

/** Removes acknowledged (or definitively refused) events. */
export async function remove(db: Db, seqs: number[]): Promise<void> {
  const tx = db.transaction('queue', 'readwrite');
  await Promise.all([...seqs.map((s) => tx.store.delete(s)), tx.done]);
}

export function length(db: Db): Promise<number> {
  return db.count('queue');
}
