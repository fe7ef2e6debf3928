/**
 * A yes/no that arrives later (the guard's answer), without Promises: a page can replace
 * Promise.prototype.then, or give Promise.prototype a `constructor` getter, and thereby see or change
 * every value a Promise chain of the hooks would pass. A Decision is a plain object that never leaves
 * the hooks, so the page can reach none of it.
 */
import { SafeSet, setAdd, setForEach, weakMapGet, weakMapSet } from './safe-self.js';

export interface Decision {
  settled: boolean;
  ok: boolean;
  waiters: Set<(ok: boolean) => void>;
}

export function pending(): Decision {
  return { settled: false, ok: false, waiters: new SafeSet() };
}

/** Already decided: go ahead. */
export const YES: Decision = { settled: true, ok: true, waiters: new SafeSet() };
/** Already decided: refused. */
export const NO: Decision = { settled: true, ok: false, waiters: new SafeSet() };

/**
 * Sends in order on one target (a socket, a port): `send(ok)` runs once `verdict` is decided and every
 * earlier send on that target has run. `last` remembers each target's latest send.
 */
export function inOrder<T extends object>(last: WeakMap<T, Decision>, target: T, verdict: Decision, send: (ok: boolean) => void): void {
  const before = weakMapGet(last, target);
  const sent = pending();
  weakMapSet(last, target, sent);
  whenDecided(before ?? YES, () =>
    whenDecided(verdict, (ok) => {
      try {
        send(ok);
      } finally {
        settle(sent, true);
      }
    }),
  );
}

export function settle(d: Decision, ok: boolean): void {
  if (d.settled) return;
  d.settled = true;
  d.ok = ok;
  setForEach(d.waiters, (f) => run(f, ok));
}

/** Runs `f(ok)` once `d` is decided (now, if it already is). */
export function whenDecided(d: Decision, f: (ok: boolean) => void): void {
  if (d.settled) run(f, d.ok);
  else setAdd(d.waiters, f);
}

/** Yes only when every one says yes; no as soon as one says no. */
export function allOf(ds: Decision[]): Decision {
  if (ds.length === 1) return ds[0];
  const d = pending();
  let left = ds.length;
  if (left === 0) settle(d, true);
  for (let i = 0; i < ds.length; i++) {
    whenDecided(ds[i], (ok) => {
      if (!ok) settle(d, false);
      else if (--left === 0) settle(d, true);
    });
  }
  return d;
}

/** One waiter's failure (say, a send the page already aborted) must not keep the others from running. */
function run(f: (ok: boolean) => void, ok: boolean): void {
  try {
    f(ok);
  } catch {
    /* that waiter's own business */
  }
}
