/**
 * Sign-in throttling, per account and per address: a few failures are free, then each further failure
 * doubles the wait (30 s, 1 min, 2 min … at most 15 min). Failures are forgotten 15 minutes after the
 * last one; a success clears the account's count. The counts are kept in the collector's database
 * (store.ts, table signin_throttle), not in memory: several collectors behind a load balancer share
 * them, so spreading guesses over the instances gains nothing, and a restart forgets nothing.
 */
import type { AccountStore } from './store.js';

export interface ThrottleOptions {
  /** Failures allowed per account before waits start (default 5). */
  perAccount?: number;
  /** Failures allowed per address (default 20: an office behind one NAT). */
  perAddress?: number;
}

const FORGET_MS = 15 * 60_000;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;

/** The wait after the `failures`-th failure when `free` are allowed (0: none yet). */
export function waitAfter(failures: number, free: number): number {
  return failures < free ? 0 : Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(failures - free, 30));
}

const accountKey = (account: string) => `a:${account}`;
const addressKey = (address: string) => `i:${address}`;

export class LoginThrottle {
  private readonly free: { account: number; address: number };

  constructor(
    private readonly store: AccountStore,
    private readonly now: () => number,
    o: ThrottleOptions = {},
  ) {
    this.free = { account: o.perAccount ?? 5, address: o.perAddress ?? 20 };
  }

  /** Seconds to wait before this account may try again from this address; 0: go ahead. */
  async wait(account: string, address: string): Promise<number> {
    const t = this.now();
    const counts = await this.store.throttleCounts([accountKey(account), addressKey(address)]);
    let until = 0;
    for (const c of counts.values()) if (c.untilMs > until) until = c.untilMs;
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  async failed(account: string, address: string): Promise<void> {
    await this.bump(accountKey(account), this.free.account);
    await this.bump(addressKey(address), this.free.address);
  }

  async succeeded(account: string): Promise<void> {
    await this.store.throttleClear(accountKey(account));
  }

  private async bump(key: string, free: number): Promise<void> {
    const t = this.now();
    const failures = await this.store.throttleFailed(key, t, FORGET_MS);
    const wait = waitAfter(failures, free);
    if (wait > 0) await this.store.throttleWait(key, t + wait);
  }
}
