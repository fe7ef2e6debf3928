/**
 * Delivers queued events to the collector: oldest first, in batches, removed only once acknowledged.
 * Failures schedule a retry alarm with exponential backoff (see backoff.ts); the alarm handler in
 * main.ts calls flush() again, possibly in a new service-worker instance.
 */
import browser from 'webextension-polyfill';
import { LIMITS } from '../../src/events/schema.js';
import type { EffectivePolicy } from '../../src/policy/types.js';
import { dispositionOf, retryDelayMs } from './backoff.js';
import { EMPTY_DELIVERY, getMeta, setMeta, type Db, type DeliveryStatus } from './db.js';
import { peek, remove } from './queue.js';

export const RETRY_ALARM = 'upload-guard-retry';

/** Batches this size keep a request well under collector body limits (~600 B per event). */
export const DEFAULT_BATCH = 200;
/** Per wake-up, so one flush cannot keep the worker busy for long. */
const MAX_BATCHES_PER_FLUSH = 50;
const REQUEST_TIMEOUT_MS = 20_000;

let batchSize = DEFAULT_BATCH;
let tail: Promise<void> = Promise.resolve();

export interface Collector {
  url: string;
  token: string;
}

export function collectorOf(p: EffectivePolicy): Collector | null {
  return p.collectorUrl && p.ingestToken ? { url: p.collectorUrl, token: p.ingestToken } : null;
}

export async function post(c: Collector, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    // No cookies or other ambient credentials: the token is the only authority.
    credentials: 'omit',
    cache: 'no-store',
  });
  return res.status;
}

/** One flush at a time; a call during a flush runs after it (new events may have arrived meanwhile). */
export function flush(d: Db, c: Collector | null): Promise<void> {
  const run = tail.then(() => doFlush(d, c));
  tail = run.catch(() => undefined);
  return run;
}

async function doFlush(d: Db, c: Collector | null): Promise<void> {
  if (!c) return;
  for (let i = 0; i < MAX_BATCHES_PER_FLUSH; i++) {
    const batch = await peek(d, Math.min(batchSize, LIMITS.batch));
    if (batch.length === 0) return succeeded(d);
    let status: number;
    try {
      status = await post(c, '/v1/events', { events: batch.map((b) => b.event) });
    } catch (e) {
      return failed(d, `network: ${String(e)}`);
    }
    switch (dispositionOf(status, batch.length)) {
      case 'ok':
        await remove(d, batch.map((b) => b.seq));
        await succeeded(d);
        if (batchSize < DEFAULT_BATCH) batchSize = Math.min(DEFAULT_BATCH, batchSize * 2);
        break;
      case 'shrink':
        batchSize = Math.max(1, Math.floor(batch.length / 2));
        break;
      case 'split':
        // Send one at a time so one bad event cannot hold the whole queue hostage.
        batchSize = 1;
        break;
      case 'reject': {
        console.error('[upload-guard] collector refused an event; discarding it', status, batch[0]?.event.id);
        await remove(d, batch.map((b) => b.seq));
        await setMeta(d, 'rejected', (await getMeta(d, 'rejected', 0)) + batch.length);
        batchSize = DEFAULT_BATCH;
        break;
      }
      case 'retry':
        return failed(d, `HTTP ${status}`);
    }
  }
  // More left than one wake-up should handle: continue soon through the alarm.
  await schedule(d, 0);
}

async function succeeded(d: Db): Promise<void> {
  const s = await getMeta(d, 'delivery', EMPTY_DELIVERY);
  await setMeta(d, 'delivery', { ...s, lastSuccess: new Date().toISOString(), failures: 0, nextRetry: null, lastError: null });
  await browser.alarms.clear(RETRY_ALARM);
}

async function failed(d: Db, error: string): Promise<void> {
  const s = await getMeta(d, 'delivery', EMPTY_DELIVERY);
  const failures = s.failures + 1;
  const next: DeliveryStatus = { ...s, lastFailure: new Date().toISOString(), lastError: error, failures };
  await setMeta(d, 'delivery', next);
  await schedule(d, retryDelayMs(failures));
}

async function schedule(d: Db, delayMs: number): Promise<void> {
  const when = Date.now() + Math.max(delayMs, 1000);
  await browser.alarms.create(RETRY_ALARM, { when });
  const s = await getMeta(d, 'delivery', EMPTY_DELIVERY);
  await setMeta(d, 'delivery', { ...s, nextRetry: when });
}

/**
 * Whether a new event should be sent right away. During backoff it waits for the retry alarm, so a
 * collector that is down is not hit once per upload attempt on every device.
 */
export async function inBackoff(d: Db): Promise<boolean> {
  const s = await getMeta(d, 'delivery', EMPTY_DELIVERY);
  return s.failures > 0 && s.nextRetry !== null && s.nextRetry > Date.now();
}
