/**
 * A token bucket per client key (token fingerprint + IP). Each request costs one token; the bucket
 * refills continuously. It stops one misbehaving client from flooding the collector without getting in
 * the way of thousands of browsers sending a batch a minute.
 */
export interface RateLimitOptions {
  /** Sustained requests per second per client; 0 means no limit. */
  perSecond: number;
  /** Bucket size: requests a client may send in a burst. */
  burst: number;
  /** Buckets kept at most; the oldest idle ones are dropped beyond it (bounds memory under spoofed IPs). */
  maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly opts: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Takes `cost` tokens (one request, or the events of a batch); returns 0 when allowed, or the seconds to
   * wait before retrying. A bucket with a token left pays any cost, into debt if need be: a batch larger
   * than the burst still goes through once, and the sender then waits until the debt is paid back.
   */
  take(key: string, cost = 1): number {
    if (!(this.opts.perSecond > 0)) return 0;
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.opts.burst, at: t };
      if (this.buckets.size >= (this.opts.maxClients ?? 100_000)) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.perSecond);
      b.at = t;
      // Re-insert so Map order stays least-recently-used first.
      this.buckets.delete(key);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.opts.perSecond));
  }
}
