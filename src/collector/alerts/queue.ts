/**
 * An in-memory delivery queue with retry. Ingest only enqueues (never awaits delivery), so a slow or
 * dead webhook/SIEM cannot slow down or fail event ingestion. Bounded: on overflow the oldest items are
 * dropped and counted. Events are already stored, so nothing is lost for the record, only the alert.
 */
export interface DeliveryQueueOptions<T> {
  name: string;
  deliver: (item: T) => Promise<void>;
  /** Delays between attempts, ms; the item is dropped after the last one fails. */
  backoff?: number[];
  maxLength?: number;
  /** Items delivered at the same time. */
  concurrency?: number;
  onSent?: () => void;
  onFailed?: (err: unknown) => void;
  onDropped?: () => void;
}

interface Entry<T> {
  item: T;
  attempt: number;
}

export class DeliveryQueue<T> {
  private readonly items: Entry<T>[] = [];
  private active = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: DeliveryQueueOptions<T>) {}

  get length(): number {
    return this.items.length + this.active + this.timers.size;
  }

  push(item: T): void {
    if (this.closed) return;
    if (this.items.length >= (this.opts.maxLength ?? 10_000)) {
      this.items.shift();
      this.opts.onDropped?.();
    }
    this.items.push({ item, attempt: 0 });
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.active < (this.opts.concurrency ?? 4) && this.items.length > 0) {
      const entry = this.items.shift()!;
      this.active++;
      this.opts
        .deliver(entry.item)
        .then(
          () => this.opts.onSent?.(),
          (err) => {
            this.opts.onFailed?.(err);
            const backoff = this.opts.backoff ?? [500, 1000, 2000, 5000, 10_000, 30_000];
            if (entry.attempt < backoff.length && !this.closed) {
              const timer = setTimeout(() => {
                this.timers.delete(timer);
                this.items.unshift({ item: entry.item, attempt: entry.attempt + 1 });
                this.pump();
              }, backoff[entry.attempt]);
              timer.unref();
              this.timers.add(timer);
            } else {
              this.opts.onDropped?.();
            }
          },
        )
        .finally(() => {
          this.active--;
          this.pump();
          if (this.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  /** Resolves when everything queued has been delivered or dropped (tests, shutdown). */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.items.length = 0;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
