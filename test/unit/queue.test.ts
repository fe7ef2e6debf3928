/**
 * The queue's logic over IndexedDB, in Node with fake-indexeddb. Persistence across a real browser
 * restart and delivery to a collector are tested in real Chromium (test/e2e/policy-managed.test.ts).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { getMeta, openGuardDb, deviceId } from '../../extension/background/db.js';
import { enqueue, length, peek, priorityOf, remove } from '../../extension/background/queue.js';
import { decisionEvent, type EventContext } from '../../src/events/build.js';
import { dispositionOf, MAX_RETRY_MS, MIN_RETRY_MS, retryDelayMs } from '../../extension/background/backoff.js';
import type { Finding } from '../../src/events/finding.js';
import type { UploadEvent } from '../../src/events/schema.js';

const ctx: EventContext = { deviceId: 'd', user: null, browser: 'Chromium 142', extensionVersion: '0.1.0', policyVersion: null };
let n = 0;
function event(verdict: Finding['verdict'], action: UploadEvent['action']): UploadEvent {
  n++;
  return decisionEvent(
    ctx,
    { channel: 'drop', url: 'https://gigafile.nu/', fileName: `f${n}.txt`, size: n, sha256: null, verdict, rule: verdict === 'marked' ? 1 : null, reason: null, location: null },
    'https://gigafile.nu/',
    null,
    action,
  );
}
const fresh = () => openGuardDb(`test-${crypto.randomUUID()}`);

describe('event queue', () => {
  it('keeps events in order until removed', async () => {
    const db = await fresh();
    const evs = [event('marked', 'block'), event('clean', 'allow'), event('unscannable', 'warn')];
    await enqueue(db, evs);
    expect(await length(db)).toBe(3);
    const head = await peek(db, 2);
    expect(head.map((h) => h.event.id)).toEqual([evs[0].id, evs[1].id]);
    await remove(db, head.map((h) => h.seq));
    expect((await peek(db, 10)).map((h) => h.event.id)).toEqual([evs[2].id]);
  });

  it('is bounded: overflow evicts allowed clean events first, then the oldest, and counts every drop', async () => {
    const db = await fresh();
    const blocked1 = event('marked', 'block');
    const clean1 = event('clean', 'allow');
    const blocked2 = event('marked', 'block');
    const clean2 = event('clean', 'allow');
    await enqueue(db, [blocked1, clean1, blocked2, clean2], 4);
    expect(await getMeta(db, 'dropped', 0)).toBe(0);

    const blocked3 = event('marked', 'block');
    expect(await enqueue(db, [blocked3], 4)).toEqual({ dropped: 1 });
    expect((await peek(db, 10)).map((h) => h.event.id)).toEqual([blocked1.id, blocked2.id, clean2.id, blocked3.id]);

    const more = [event('marked', 'block'), event('marked', 'block')];
    expect(await enqueue(db, more, 4)).toEqual({ dropped: 2 });
    // clean2 went first (cheapest), then the oldest evidence.
    expect((await peek(db, 10)).map((h) => h.event.id)).toEqual([blocked2.id, blocked3.id, more[0].id, more[1].id]);
    expect(await getMeta(db, 'dropped', 0)).toBe(3);
  });

  it('survives reopening the database', async () => {
    const name = `test-${crypto.randomUUID()}`;
    const db1 = await openGuardDb(name);
    const e = event('marked', 'block');
    await enqueue(db1, [e]);
    const id1 = await deviceId(db1);
    db1.close();
    const db2 = await openGuardDb(name);
    expect((await peek(db2, 1))[0].event.id).toBe(e.id);
    expect(await deviceId(db2)).toBe(id1);
  });

  it('priority: only allowed clean uploads are cheap', () => {
    expect(priorityOf(event('clean', 'allow'))).toBe(0);
    expect(priorityOf(event('clean', 'audit'))).toBe(0);
    expect(priorityOf(event('marked', 'allow'))).toBe(1);
    expect(priorityOf(event('unscannable', 'warn'))).toBe(1);
  });
});

describe('retry backoff', () => {
  it('doubles from 30 s to a 5 min ceiling, with bounded jitter', () => {
    const no = () => 0;
    expect([1, 2, 3, 4, 5, 6, 20].map((f) => retryDelayMs(f, no))).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
    expect(retryDelayMs(1, () => 0.999)).toBeLessThanOrEqual(MIN_RETRY_MS * 1.2);
    expect(retryDelayMs(50, () => 0.999)).toBeLessThanOrEqual(MAX_RETRY_MS * 1.2);
  });

  it('keeps events on outages and auth errors, isolates invalid ones, shrinks on 413', () => {
    expect(dispositionOf(200, 10)).toBe('ok');
    expect(dispositionOf(202, 10)).toBe('ok');
    for (const s of [401, 403, 408, 429, 500, 502, 503]) expect(dispositionOf(s, 10)).toBe('retry');
    expect(dispositionOf(400, 10)).toBe('split');
    expect(dispositionOf(400, 1)).toBe('reject');
    expect(dispositionOf(413, 10)).toBe('shrink');
    expect(dispositionOf(413, 1)).toBe('reject');
  });
});
