/**
 * Admission control: the collector refuses work it cannot do in time (503 with Retry-After) instead of
 * queueing it until every client times out. It counts the work in hand (requests being read or stored,
 * events being stored) and watches the event loop's lag; past any limit, new ingest requests are
 * refused at once, before their bodies are read. Browsers keep their events and resend later.
 *
 * The main limit adapts to what the machine can do now: requests whose bodies have arrived and are
 * being validated and stored ("working") are capped, and the cap shrinks by a quarter in every 200 ms
 * in which a request took longer than the target, and grows by one in every 200 ms in which it was
 * reached while requests kept within the target (additive increase, multiplicative
 * decrease, as TCP does). A request waits for at most the cap's worth of work ahead of it, so its time
 * stays near the target whatever the load, on an idle server or on a machine shared with other work.
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
   * Target time for storing an ingest request once its body has arrived, ms (default 250): the working
   * limit shrinks when a request takes longer (see above). Requests also wait before they are seen
   * (in the sockets, behind the event loop), so this is well under the 1 s a client may wait.
   */
  targetMs?: number;
  /** Requests being validated and stored at once, at most (default 64) and at first (default 8). */
  maxWorking?: number;
  initialWorking?: number;
  /**
   * Share of the time the event loop was busy, in each of the last two 200 ms windows, beyond which new
   * requests are refused while they keep arriving (5 or more a window). Small requests are each handled
   * in one go, so their queue is in the sockets, unseen by the counts above: a saturated loop is what
   * shows it. Off unless set (the CLI sets 0.95): in a process that also runs its own clients (tests),
   * the loop is busy with them.
   */
  maxBusy?: number;
  /**
   * How long a request may have waited for the CPU before it is stored, ms: from the end of its body
   * (read as it arrives, so a slow network does not count) to its storing, plus the event loop's lag of
   * the last 100 ms (how long its bytes likely sat unread before that). A later request is refused with
   * 503 instead of being stored late: on a machine past capacity (other processes on the same cores)
   * requests wait for the CPU before any count above sees them, and storing them anyway only makes
   * every answer later. Off unless set (the CLI sets 500): in a process that also runs its own clients
   * (tests), the loop lags because of them.
   */
  maxWaitMs?: number;
}

export class Admission {
  requests = 0;
  events = 0;
  private readonly lag: IntervalHistogram;
  /** The lag of the last two windows, ms: both past the limit means overload, one is a hiccup. */
  private lagMs = [0, 0];
  private readonly timer: NodeJS.Timeout;
  /** Requests whose bodies have arrived, being validated and stored; capped by `limit`. */
  working = 0;
  /** The adaptive cap on `working`. */
  limit: number;
  /** These 200 ms: the longest time a request took, and whether the cap was reached. */
  private slowest = 0;
  private capped = false;
  /** Event-loop utilisation of the last two 200 ms windows: near 1 means every request waits behind the others. */
  private busy = [0, 0];
  /** Ingest requests that arrived in the current and the last 200 ms window. */
  private arrivals = [0, 0];
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private ticks = 0;

  constructor(private readonly o: AdmissionOptions = {}) {
    this.limit = Math.min(o.initialWorking ?? 8, this.maxWorking);
    this.lag = monitorEventLoopDelay({ resolution: 10 });
    this.lag.enable();
    // The lag over the last 100 ms window: recent enough to react, smooth enough not to flap.
    let last = performance.now();
    this.timer = setInterval(() => {
      // This timer's own lateness counts too: after a stall (the process stopped or starved) it can run
      // before the histogram's timer has recorded the stall, and the window would then read as calm.
      const tick = performance.now();
      const late = tick - last - 100;
      last = tick;
      this.lagMs = [this.lagMs[1]!, Math.max(this.lag.max / 1e6, late)];
      this.lag.reset();
      if (++this.ticks % 2 === 0) this.adapt();
      if (this.ticks % 2 === 0) {
        const now = performance.eventLoopUtilization();
        this.busy = [this.busy[1]!, performance.eventLoopUtilization(now, this.elu).utilization];
        this.elu = now;
        this.arrivals = [0, this.arrivals[0]!];
      }
    }, 100);
    this.timer.unref();
  }

  private get maxWorking(): number {
    return Math.max(1, this.o.maxWorking ?? 64);
  }

  /** Every 200 ms: shrink the working cap after a slow request, grow it when it was the bottleneck. */
  private adapt(): void {
    // A request also waits behind the event loop before it is seen: a lagging loop counts as slow work.
    if (Math.max(this.slowest, this.lagMs[1]!) > (this.o.targetMs ?? 250)) this.limit = Math.max(1, Math.floor(this.limit * 0.75));
    else if (this.capped) this.limit = Math.min(this.maxWorking, this.limit + 1);
    this.slowest = 0;
    this.capped = false;
  }

  /** A request's body has arrived: whether it may be validated and stored now (then call `done` after). */
  startWork(): boolean {
    if (this.working >= this.limit) {
      this.capped = true;
      return false;
    }
    this.working++;
    return true;
  }

  /** A request taken by startWork is answered, after `ms`. */
  done(ms: number): void {
    this.working--;
    this.slowest = Math.max(this.slowest, ms);
  }

  /** Why a new request cannot be taken now (before its body is read), or null. */
  refuse(): string | null {
    if (this.requests >= (this.o.maxRequests ?? 512)) return 'too many requests in progress';
    // Requests whose bodies are still coming count too (a few times the working cap: bodies take a
    // while to arrive), so the queue cannot build up in front of the cap either.
    if (this.working >= this.limit || this.requests >= 4 * this.limit + 8) {
      this.capped = true;
      return 'the collector is overloaded';
    }
    if (Math.min(...this.lagMs) > (this.o.maxLagMs ?? 500)) return 'the collector is overloaded';
    this.arrivals[0]!++;
    if (this.o.maxBusy !== undefined && this.arrivals[1]! >= 5 && Math.min(...this.busy) > this.o.maxBusy) return 'the collector is overloaded';
    return null;
  }

  /**
   * The event loop's lag as a request is first seen, ms: how long its bytes likely sat unread. The last
   * two windows and this one so far, so a stall that just ended still counts when the request's own
   * hooks (token checks) take a window or two before it is judged by `late`.
   */
  recentLag(): number {
    return Math.max(this.lagMs[0]!, this.lagMs[1]!, this.lag.max / 1e6);
  }

  /**
   * Whether a request whose body arrived `ageMs` ago, first seen with `seenLagMs` of lag (recentLag),
   * waited too long to be stored in time (see maxWaitMs).
   */
  late(ageMs: number, seenLagMs = 0): boolean {
    if (this.o.maxWaitMs === undefined) return false;
    return ageMs + Math.max(seenLagMs, this.lagMs[1]!, this.lag.max / 1e6) > this.o.maxWaitMs;
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
