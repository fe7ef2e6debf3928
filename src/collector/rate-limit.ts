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
   * wait before retrying. The bucket must hold the cost: admitting whenever one token was left let one
   * batch of 1,000 drive a device's bucket to -999, so a sender of duplicates kept the device's real
   * events refused (red team G6). Only a cost above the burst (which no bucket can hold) is taken from a
   * full bucket, into debt.
   */
  take(key: string, cost = 1): number {
    if (!(this.opts.perSecond > 0)) return 0;
    const b = this.bucket(key);
    const need = Math.min(cost, this.opts.burst);
    if (b.tokens >= need) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((need - b.tokens) / this.opts.perSecond));
  }

  /** Gives back `n` tokens taken for work that was not done (a batch refused elsewhere, duplicates not stored). */
  give(key: string, n: number): void {
    if (!(this.opts.perSecond > 0) || !(n > 0)) return;
    const b = this.bucket(key);
    b.tokens = Math.min(this.opts.burst, b.tokens + n);
  }

  /** The key's bucket, refilled to now (and made most recently used). */
  private bucket(key: string): Bucket {
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
    return b;
  }
}
