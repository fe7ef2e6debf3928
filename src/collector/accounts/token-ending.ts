/**
 * When a token's end is near enough to say so (tokens end after 90 days by default: a script's token
 * that ends unannounced stops a SIEM pull on a weekend). Shared by the collector (a header on each answer
 * to such a token, its log and /metrics, the token list) and `upload-guard pull`, which prints it.
 */

/** A live token ending within this many days is announced. */
export const ENDING_SOON_DAYS = 14;

const DAY_MS = 86_400_000;

/** Days left, counted up (a token ending in 3 hours has 1 day left), if it ends within 14 days and has not yet; else null. */
export function daysLeft(expiresMs: number | null | undefined, now: number): number | null {
  if (expiresMs === null || expiresMs === undefined || expiresMs <= now || expiresMs - now > ENDING_SOON_DAYS * DAY_MS) return null;
  return Math.ceil((expiresMs - now) / DAY_MS);
}

/** The answer's headers telling a token's user its end: the time (ISO 8601) and the days left. */
export const TOKEN_ENDS_HEADER = 'x-upload-guard-token-expires';
export const TOKEN_DAYS_HEADER = 'x-upload-guard-token-days-left';
