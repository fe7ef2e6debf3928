/**
 * Retry timing. The service worker is killed when idle, so retries are chrome.alarms, never timers:
 * this only computes when the next alarm should fire.
 */

/** Chrome does not fire alarms sooner than 30 s after scheduling (packed extensions). */
export const MIN_RETRY_MS = 30_000;
/** Short enough that events reach the collector within minutes of it coming back. */
export const MAX_RETRY_MS = 5 * 60_000;

/** 30 s, 60 s, 120 s, 240 s, then 5 min, each with up to +20 % jitter so a fleet does not retry in step. */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const exp = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (1 + 0.2 * random()));
}

/** How the sender should treat an HTTP answer from the collector. */
export type Disposition = 'ok' | 'retry' | 'split' | 'shrink' | 'reject';

export function dispositionOf(status: number, batchSize: number): Disposition {
  if (status >= 200 && status < 300) return 'ok';
  // Too large: send fewer at a time.
  if (status === 413) return batchSize > 1 ? 'shrink' : 'reject';
  // Refused as invalid: find the offending event(s) by sending the batch one by one; a single one is discarded.
  if (status === 400 || status === 422) return batchSize > 1 ? 'split' : 'reject';
  // 401/403 (token not yet configured right), 408, 429, 5xx, anything else: the collector or its
  // configuration will recover; keep the events.
  return 'retry';
}
