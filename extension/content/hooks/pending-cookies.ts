/**
 * Cookies written through `document.cookie` that wait for the guard (headers.ts): until each is written
 * or refused, every request the page starts waits, so it carries the cookies the page wrote before it
 * (pages write a cookie and request at once, expecting the server to read it), and a later cookie is
 * not written before an earlier one. A cookie waits when the page cannot judge it alone: base64 whose
 * bytes hold 秘/㊙ (url.ts), a tampered realm. One already known to be marked is never written, so
 * nothing waits for it. The requests are judged on their own: a cookie only holds them back, and for
 * HOLD_MS at most (an employee still reading a warning about it, or an answer that never comes, does
 * not stop the page's traffic; those requests go without the cookie).
 */
import { pending, settle, whenDecided, YES, type Decision } from './decision.js';
import { READY, waitFor, type Gate } from './gates.js';
import { setTimer } from './safe-self.js';

const HOLD_MS = 3000;
/** Settles (always yes) once the latest waiting cookie and every one before it are written or refused. */
let last: Decision = YES;

export function holdRequestsFor(d: Decision): void {
  const before = last;
  const mine = (last = pending());
  whenDecided(d, () => whenDecided(before, () => settle(mine, true)));
  setTimer(() => settle(mine, true), HOLD_MS);
}

/** What the cookies still waiting add to a request (and to a later cookie, through url.ts). */
export const cookiesGate = (): Gate => (last.settled ? READY : waitFor(last));
