/**
 * WAL checkpoints off the ingest path. SQLite's automatic checkpoint runs inside the commit that takes
 * the WAL past 1,000 pages, on the main thread: it copies the WAL into the database and syncs both files
 * (synchronous = FULL), and while an admin read holds an old snapshot it cannot finish, so it is tried
 * again in every following commit. Each of those stalls ingest, /healthz and every other request.
 *
 * Here the main connection has the automatic checkpoint off (but for a backstop far above the bound, see
 * the constructor) and a worker thread
 * with a read-write connection of its own runs PASSIVE checkpoints (they never wait for, nor block, the
 * writer or the readers) a short while after commits. Durability is unchanged: every commit still syncs
 * the WAL before it is acknowledged, and a checkpoint only copies what is already synced.
 *
 * The worker's checkpoint copies the WAL as it was when it began; commits go on meanwhile, and the writer
 * starts the WAL again from its beginning only after a checkpoint that copied all of it. So once the worker
 * is done, the main connection copies the short tail committed meanwhile (after a round longer than 50 ms
 * the worker takes up to three more first, each copying only what came during the last), between two commits, and the WAL does not only grow.
 *
 * Bounded: if the worker is gone or stuck (no answer in 30 s), past `inlineBytes` the main connection
 * checkpoints itself after a commit, as SQLite would have: nothing can commit between that commit and its
 * checkpoint, so it finishes (unless a reader holds an old snapshot, which held SQLite's own checkpoint
 * back the same way). journal_size_limit truncates the file after each reset, so the file's size tells
 * how far the WAL grew since.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointReply } from './sqlite-checkpoint-worker.js';

const ENTRY = new URL('./sqlite-checkpoint-worker.mjs', import.meta.url);

/**
 * A worker round at most this long leaves the main thread a short tail to copy (what was committed during
 * it); after a longer one the worker takes another round first.
 */
const SHORT_ROUND_MS = 50;
/** A worker that has not answered a checkpoint in this time is taken as stuck: the inline bound applies. */
const STUCK_MS = 30_000;


export interface CheckpointOptions {
  /** A checkpoint is started this long after the first commit since the last one began, ms (default 200). */
  intervalMs?: number;
  /** WAL size past which the main connection checkpoints itself, bytes (default 64 MiB). */
  inlineBytes?: number;
  /** `false`: no worker, every checkpoint inline past inlineBytes (tests of the bound). */
  worker?: boolean;
}

export interface CheckpointStats {
  /** Checkpoints the worker finished. */
  worker: number;
  /** Checkpoints run on the main connection because the WAL passed inlineBytes. */
  inline: number;
  /** Worker failures (it is started again at the next commit). */
  failures: number;
  /** Tails finished on the main connection after a worker checkpoint, and the longest one, ms. */
  finish: number;
  finishMs: number;
}

export class WalCheckpoints {
  private worker: Worker | null = null;
  private ready = false;
  private inFlight = false;
  private timer: NodeJS.Timeout | null = null;
  private lastStart = 0;
  /** The WAL size at the last inline checkpoint while the WAL stayed past the bound; 0: none. */
  private inlineAt = 0;
  private lastFrames = -1;
  /** When the running checkpoint was asked for (performance.now()). */
  private askedAt = 0;
  /** Worker rounds taken in a row to shorten the tail (see SHORT_ROUND_MS). */
  private rounds = 0;
  private closed = false;
  private readonly sweep: NodeJS.Timeout;
  private readonly intervalMs: number;
  private readonly inlineBytes: number;
  readonly stats: CheckpointStats = { worker: 0, inline: 0, failures: 0, finish: 0, finishMs: 0 };

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly opts: CheckpointOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 200;
    this.inlineBytes = opts.inlineBytes ?? 64 * 1024 * 1024;
    // SQLite's own checkpoint stays only as a backstop at twice the bound: for writes that run on the main
    // connection without returning to the event loop (a long job awaiting only synchronous statements), where
    // neither the worker nor the bound below get a turn. Normally the WAL never comes near it.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`wal_autocheckpoint = ${Math.ceil((2 * this.inlineBytes) / (pageSize + 24))}`);
    // Half the bound: after a reset the file shrinks to this, so a file past inlineBytes has really grown.
    db.pragma(`journal_size_limit = ${Math.floor(this.inlineBytes / 2)}`);
    // Writes that do not pass through committed() (accounts, incidents, alerts) are checkpointed too. A
    // checkpoint with nothing new to copy reads the WAL index and syncs nothing.
    this.sweep = setInterval(() => this.committed(), 1_000);
    this.sweep.unref();
  }

  /** After each commit of the main connection. */
  committed(): void {
    if (this.closed) return;
    if (this.opts.worker !== false) this.schedule();
    this.bound();
  }

  private schedule(): void {
    if (this.inFlight || this.timer) return;
    const wait = Math.max(0, this.lastStart + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, wait);
    this.timer.unref();
  }

  private start(): void {
    if (this.closed || this.inFlight) return;
    const worker = this.spawn();
    this.inFlight = true;
    this.lastStart = performance.now();
    this.askedAt = this.lastStart;
    if (this.ready) worker.postMessage(0);
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY, { workerData: { path: this.path } });
    this.ready = false;
    worker.unref();
    worker.on('message', (reply: CheckpointReply) => {
      if (reply === 'ready') {
        this.ready = true;
        if (this.inFlight) worker.postMessage(0);
        return;
      }
      this.inFlight = false;
      if ('error' in reply) return this.fail(worker);
      this.stats.worker++;
      // Not all of it copied (a reader's snapshot): try again after the interval.
      if (reply.busy || reply.copied < reply.frames) return this.schedule();
      // The same WAL end as last time: nothing was committed since, so nothing is left to finish.
      if (reply.frames === this.lastFrames) return;
      this.lastFrames = reply.frames;
      // What was committed during a long checkpoint may be much: then another round in the worker at once
      // (it copies only that, so it is shorter and leaves less), up to 3, before the main thread finishes.
      if (performance.now() - this.askedAt > SHORT_ROUND_MS && this.rounds < 3) {
        this.rounds++;
        return this.start();
      }
      this.rounds = 0;
      this.finish();
    });
    worker.on('error', () => this.fail(worker));
    worker.on('exit', () => this.fail(worker));
    this.worker = worker;
    return worker;
  }

  /** Drops a failed worker; the next commit starts another (and the inline bound holds meanwhile). */
  private fail(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = false;
    this.inFlight = false;
    this.stats.failures++;
    void worker.terminate();
  }

  /**
   * The worker copied the WAL as it was when it began; what was committed meanwhile is copied here, between
   * two commits, so the checkpoint is complete and the next commit starts the WAL again from its beginning
   * (a WAL that only grows makes every commit extend the file, and every read search a longer index). Only
   * that short tail is copied and synced on the main thread.
   */
  private finish(): void {
    const t = performance.now();
    this.db.pragma('wal_checkpoint(PASSIVE)');
    this.stats.finish++;
    this.stats.finishMs = Math.max(this.stats.finishMs, performance.now() - t);
  }

  /** The WAL file's size, bytes (0: none). */
  private walBytes(): number {
    try {
      return statSync(`${this.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  /**
   * The main connection checkpoints itself when the WAL has grown past the bound (see the top) and the
   * worker is not at it: none, or no answer for STUCK_MS (a worker copying a large WAL is left to finish
   * it rather than the main thread copying it again, stopped meanwhile).
   */
  private bound(): void {
    const size = this.walBytes();
    const stuck = this.inFlight && performance.now() - this.askedAt > STUCK_MS;
    if (size <= this.inlineBytes || (this.opts.worker !== false && !stuck)) {
      this.inlineAt = 0;
      return;
    }
    // Once finished, the next commit starts the WAL again and truncates the file below the bound. If a
    // reader's old snapshot keeps it from finishing, it is tried again only each quarter of the bound the
    // WAL grows (not in every commit, as SQLite's own would).
    if (this.inlineAt && size < this.inlineAt + this.inlineBytes / 4) return;
    this.inlineAt = size;
    this.db.pragma('wal_checkpoint(PASSIVE)');
    this.stats.inline++;
  }

  /** For tests: the worker thread now running. */
  get thread(): Worker | null {
    return this.worker;
  }

  /** Stops the worker (the main connection's close then checkpoints what is left). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
