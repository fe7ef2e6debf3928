/**
 * Admission control: the collector refuses work it cannot do in time (503 with Retry-After) instead of
 * queueing it until every client times out. It counts the work in hand (requests being read or stored,
 * events being stored) and watches the event loop's lag; past any limit, new ingest requests are
 * refused at once, before their bodies are read. Browsers keep their events and resend later.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface AdmissionOptions {
  /** Ingest requests in hand at once (default 512). */
  maxRequests?: number;
  /** Events being validated and stored at once (default 20,000). */
  maxEvents?: number;
  /** Event-loop lag beyond which new work is refused, ms, seen in two windows of 100 ms in a row (default 500). */
  maxLagMs?: number;
  /**
   * Mean time to answer an ingest request over the last half second beyond which new requests are
   * refused while more than a few are in hand, ms (default 400): queueing shows here first, before the
   * latency of accepted requests explodes.
   */
  maxLatencyMs?: number;
  /**
   * Share of the time the event loop was busy, in each of the last two 200 ms windows, beyond which new
   * requests are refused while they keep arriving (5 or more a window). Small requests are each handled
   * in one go, so their queue is in the sockets, unseen by the counts above: a saturated loop is what
   * shows it. Off unless set (the CLI sets 0.95): in a process that also runs its own clients (tests),
   * the loop is busy with them.
   */
  maxBusy?: number;
}

export class Admission {
  requests = 0;
  events = 0;
  private readonly lag: IntervalHistogram;
  /** The lag of the last two windows, ms: both past the limit means overload, one is a hiccup. */
  private lagMs = [0, 0];
  private readonly timer: NodeJS.Timeout;
  /** Answer times: the current half-second window and the mean of the last complete one. */
  private window = { sum: 0, count: 0, started: performance.now() };
  private recentLatencyMs = 0;
  /** Event-loop utilisation of the last two 200 ms windows: near 1 means every request waits behind the others. */
  private busy = [0, 0];
  /** Ingest requests that arrived in the current and the last 200 ms window. */
  private arrivals = [0, 0];
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private ticks = 0;

  constructor(private readonly o: AdmissionOptions = {}) {
    this.lag = monitorEventLoopDelay({ resolution: 10 });
    this.lag.enable();
    // The lag over the last 100 ms window: recent enough to react, smooth enough not to flap.
    this.timer = setInterval(() => {
      this.lagMs = [this.lagMs[1]!, this.lag.max / 1e6];
      this.lag.reset();
      if (++this.ticks % 2 === 0) {
        const now = performance.eventLoopUtilization();
        this.busy = [this.busy[1]!, performance.eventLoopUtilization(now, this.elu).utilization];
        this.elu = now;
        this.arrivals = [0, this.arrivals[0]!];
      }
    }, 100);
    this.timer.unref();
  }

  /** Records how long an ingest request took to answer. */
  done(ms: number): void {
    const now = performance.now();
    if (now - this.window.started >= 500) {
      this.recentLatencyMs = this.window.count ? this.window.sum / this.window.count : 0;
      this.window = { sum: 0, count: 0, started: now };
    }
    this.window.sum += ms;
    this.window.count++;
  }

  /** Why a new request cannot be taken now, or null. */
  refuse(): string | null {
    if (this.requests >= (this.o.maxRequests ?? 512)) return 'too many requests in progress';
    if (this.requests >= 4 && this.recentLatencyMs > (this.o.maxLatencyMs ?? 400)) {
      // With everything refused nothing is measured: after a second the old mean is forgotten, so
      // requests are let in again and the load is measured afresh.
      if (performance.now() - this.window.started >= 1000) this.recentLatencyMs = 0;
      return 'the collector is overloaded';
    }
    if (Math.min(...this.lagMs) > (this.o.maxLagMs ?? 500)) return 'the collector is overloaded';
    this.arrivals[0]!++;
    if (this.o.maxBusy !== undefined && this.arrivals[1]! >= 5 && Math.min(...this.busy) > this.o.maxBusy) return 'the collector is overloaded';
    return null;
  }

  /** Whether `n` more events can be stored now. */
  takeEvents(n: number): boolean {
    if (this.events > 0 && this.events + n > (this.o.maxEvents ?? 20_000)) return false;
    this.events += n;
    return true;
  }

  close(): void {
    clearInterval(this.timer);
    this.lag.disable();
  }
}
