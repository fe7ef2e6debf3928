/**
 * When an available extension update is applied (update.ts): at a safe moment, or after a bounded wait.
 * No extension API here, so the rule is tested as it is.
 */
/** Seconds without a guard question before the update is applied. */
export const QUIET_MS = 3_000;
/** A warning younger than this may still be on screen, waiting for the employee. */
export const ANSWER_WINDOW_MS = 2 * 60_000;
/** The longest an available update waits for a safe moment. */
export const MAX_WAIT_MS = 5 * 60_000;

export interface Activity {
  /** Guard questions being answered now. */
  inFlight: number;
  /** When the last one started or ended (ms). */
  last: number;
  /** When the newest warning still without an answer was made (ms), or 0. */
  newestWarning: number;
  /** When this version was first told of the update (ms). */
  since: number;
}

/** Whether to apply the update now. */
export function safeToApply(a: Activity, now: number): boolean {
  if (now - a.since >= MAX_WAIT_MS) return true;
  return a.inFlight === 0 && now - a.last >= QUIET_MS && now - a.newestWarning >= ANSWER_WINDOW_MS;
}
