/**
 * Cookies written through `document.cookie` that wait for the guard (headers.ts): until each is written
 * or refused, every request the page starts waits, so it carries the cookies the page wrote before it
 * (pages write a cookie and request at once, expecting the server to read it), and a later cookie is
 * not written before an earlier one. The requests are judged on their own; refused or not, the cookie
 * only holds them back. A cookie waits when the page cannot judge it alone: base64 whose bytes hold
 * 秘/㊙ (url.ts), a tampered realm, a text that looks marked.
 */
import { pending, settle, whenDecided, YES, type Decision } from './decision.js';
import { READY, waitFor, type Gate } from './gates.js';

/** Settles (always yes) once the latest waiting cookie and every one before it are written or refused. */
let last: Decision = YES;

export function holdRequestsFor(d: Decision): void {
  const before = last;
  const mine = (last = pending());
  whenDecided(d, () => whenDecided(before, () => settle(mine, true)));
}

/** What the cookies still waiting add to a request (and to a later cookie, through url.ts). */
export const cookiesGate = (): Gate => (last.done ? READY : waitFor(last));
