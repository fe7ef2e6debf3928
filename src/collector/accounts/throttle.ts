/**
 * Sign-in throttling, per account from one address, per account from everywhere (ten times as many), and
 * per address: a few failures are free, then each further failure
 * doubles the wait (30 s, 1 min, 2 min … at most 15 min). Failures are forgotten 15 minutes after the
 * last one; a success clears the account's count. The counts are kept in the collector's database
 * (store.ts, table signin_throttle), not in memory: several collectors behind a load balancer share
 * them, so spreading guesses over the instances gains nothing, and a restart forgets nothing.
 * An account's own count is kept per address: someone who sends wrong passwords for an admin's name
 * from their machine locks that name out of their machine only, not the admin out of hers (collector
 * round 4 M3); guesses spread over many addresses still meet the account's count from everywhere.
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
const accountFromKey = (account: string, address: string) => `a:${account}|${address}`;
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
    const counts = await this.store.throttleCounts([accountFromKey(account, address), accountKey(account), addressKey(address)]);
    let until = 0;
    for (const c of counts.values()) if (c.untilMs > until) until = c.untilMs;
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  /**
   * Counts this attempt *before* the password is checked, per account and per address, each in one
   * statement with the wait it starts (store.ts throttleTake): of a burst sent at once only the allowed
   * number get a check, whatever their timing (a check-then-count let 30 concurrent guesses through).
   * Returns the seconds to wait (refused, 429), or the attempt to settle with succeeded() or release().
   * A wrong password needs nothing more: it was counted.
   */
  async attempt(account: string, address: string): Promise<{ wait: number } | Attempt> {
    const t = this.now();
    const keys = [
      { key: accountFromKey(account, address), free: this.free.account },
      { key: accountKey(account), free: this.free.account * 10 },
      { key: addressKey(address), free: this.free.address },
    ];
    const taken: Attempt = { keys: [] };
    for (const k of keys) {
      const n = await this.store.throttleTake(k.key, t, { forgetMs: FORGET_MS, free: k.free, firstMs: FIRST_WAIT_MS, maxMs: MAX_WAIT_MS, firstWaitMs: waitAfter(1, k.free) });
      if (n === null) {
        // Refused unchecked (a wait runs): not counted, and nothing the guesser can learn.
        await this.release(taken);
        return { wait: Math.max(1, await this.wait(account, address)) };
      }
      taken.keys.push(k);
    }
    return taken;
  }

  /** The password was right: the account's counts are cleared, the address's attempt not counted. */
  async succeeded(a: Attempt): Promise<void> {
    await this.store.throttleClear(a.keys[0]!.key);
    await this.store.throttleClear(a.keys[1]!.key);
    await this.store.throttleForgive(a.keys[2]!.key, a.keys[2]!.free);
  }

  /** The password could not be checked (too busy): the attempt is not counted. */
  async release(a: Attempt): Promise<void> {
    for (const k of a.keys) await this.store.throttleForgive(k.key, k.free);
  }
}

/** An attempt counted by attempt(): the keys it was counted under. */
export interface Attempt {
  keys: { key: string; free: number }[];
}
