/**
 * Sign-in throttling, per account and per address: a few failures are free, then each further failure
 * doubles the wait (30 s, 1 min, 2 min … at most 15 min). Failures are forgotten 15 minutes after the
 * last one; a success clears the account's count. Kept in memory: a restart forgets it (the scrypt cost
 * still bounds guessing to a few checks per second per core).
 */
export interface ThrottleOptions {
  /** Failures allowed per account before waits start (default 5). */
  perAccount?: number;
  /** Failures allowed per address (default 20: an office behind one NAT). */
  perAddress?: number;
}

interface Count {
  failures: number;
  lastMs: number;
  untilMs: number;
}

const FORGET_MS = 15 * 60_000;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;
/** Beyond this many tracked keys the oldest are dropped (a flood of made-up names cannot fill memory). */
const MAX_KEYS = 100_000;

export class LoginThrottle {
  private readonly counts = new Map<string, Count>();
  private readonly free: { account: number; address: number };

  constructor(
    private readonly now: () => number,
    o: ThrottleOptions = {},
  ) {
    this.free = { account: o.perAccount ?? 5, address: o.perAddress ?? 20 };
  }

  /** Seconds to wait before this account may try again from this address; 0: go ahead. */
  wait(account: string, address: string): number {
    const t = this.now();
    const until = Math.max(this.get(`a:${account}`, t)?.untilMs ?? 0, this.get(`i:${address}`, t)?.untilMs ?? 0);
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  failed(account: string, address: string): void {
    this.bump(`a:${account}`, this.free.account);
    this.bump(`i:${address}`, this.free.address);
  }

  succeeded(account: string): void {
    this.counts.delete(`a:${account}`);
  }

  private get(key: string, t: number): Count | undefined {
    const c = this.counts.get(key);
    if (c && t - c.lastMs > FORGET_MS && c.untilMs <= t) {
      this.counts.delete(key);
      return undefined;
    }
    return c;
  }

  private bump(key: string, free: number): void {
    const t = this.now();
    const c = this.get(key, t) ?? { failures: 0, lastMs: t, untilMs: 0 };
    c.failures++;
    c.lastMs = t;
    if (c.failures >= free) c.untilMs = t + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (c.failures - free));
    this.counts.delete(key); // re-inserted last: the Map's order is oldest first
    this.counts.set(key, c);
    if (this.counts.size > MAX_KEYS) this.counts.delete(this.counts.keys().next().value!);
  }
}
