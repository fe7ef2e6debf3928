/**
 * A small pool of SQLite read workers (sqlite-read-worker.ts). better-sqlite3 is synchronous: a summary
 * or a file-name search over a million events on the main thread would stop ingest, /healthz and every
 * other request until it ends. Here each read goes to the least busy worker; the main thread only waits.
 *
 * A worker that dies (crash, out of memory, killed) or does not answer within the timeout fails the
 * reads it had with ReadUnavailableError (503, "retry"), and the next read starts a fresh worker. Reads
 * change nothing, so nothing is lost: the admin retries.
 */
import { Worker } from 'node:worker_threads';
import { BadCursorError } from './sql.js';
import type { ReadReply } from './sqlite-read-worker.js';
import type { READS, ReadName } from './sqlite-reads.js';

/** A read that could not be answered now (worker gone or too slow): the request answers 503. */
export class ReadUnavailableError extends Error {
  readonly code = 'READ_UNAVAILABLE';
}

type Args<K extends ReadName> = Parameters<(typeof READS)[K]> extends [unknown, ...infer A] ? A : never;
type Result<K extends ReadName> = ReturnType<(typeof READS)[K]>;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Runs once the worker has the read. */
  timer: NodeJS.Timeout | undefined;
}

const ENTRY = new URL('./sqlite-read-worker.mjs', import.meta.url);

/** A worker that has not opened the database in this time is given up (its reads fail with 503). */
const START_TIMEOUT_MS = 60_000;

class ReadWorker {
  private worker: Worker | null = null;
  readonly pending = new Map<number, Pending>();
  /** Reads waiting for the worker to be ready: a read's timeout runs from when the worker has it, not through start-up. */
  private queued: { id: number; op: ReadName; args: unknown[]; timeoutMs: number }[] = [];
  private ready = false;
  private nextId = 1;

  constructor(private readonly path: string) {}

  call(op: ReadName, args: unknown[], timeoutMs: number): Promise<unknown> {
    this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, timer: undefined });
      this.queued.push({ id, op, args, timeoutMs });
      if (this.ready) this.flush();
    });
  }

  private flush(): void {
    const worker = this.worker!;
    for (const { id, op, args, timeoutMs } of this.queued.splice(0)) {
      const p = this.pending.get(id);
      if (!p) continue;
      p.timer = setTimeout(() => this.fail(worker, new ReadUnavailableError(`the read took longer than ${timeoutMs} ms and was abandoned`)), timeoutMs);
      worker.postMessage({ id, op, args });
    }
  }

  start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY, { workerData: { path: this.path } });
    this.ready = false;
    const starting = setTimeout(() => this.fail(worker, new ReadUnavailableError('the read worker did not start')), START_TIMEOUT_MS);
    // A worker with nothing to do does not keep the process alive.
    worker.unref();
    worker.on('message', (reply: ReadReply | 'ready') => {
      if (reply !== 'ready') return this.settle(reply);
      clearTimeout(starting);
      this.ready = true;
      this.flush();
    });
    worker.once('exit', () => clearTimeout(starting));
    worker.on('error', (err) => this.fail(worker, new ReadUnavailableError(`the read worker failed: ${err.message}`)));
    worker.on('exit', (code) => this.fail(worker, new ReadUnavailableError(`the read worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: ReadReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if ('value' in reply) return p.resolve(reply.value);
    const { name, message, code } = reply.error;
    const err = name === 'BadCursorError' ? new BadCursorError() : Object.assign(new Error(message), code ? { code } : {});
    p.reject(err);
  }

  /** Fails every read in hand and drops the worker (terminated if still running); the next read starts another. */
  fail(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = false;
    this.queued = [];
    void worker.terminate();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  /** For tests: the running thread, to kill it mid-read. */
  get thread(): Worker | null {
    return this.worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (w) this.fail(w, new ReadUnavailableError('the collector is closing'));
    await w?.terminate();
  }
}

export interface ReadersOptions {
  /** Worker threads (default 2: one slow search does not hold up the summary). */
  size?: number;
  /** A read not answered in this time fails with 503 and its worker is replaced, ms (default 20 s). */
  timeoutMs?: number;
}

export class SqliteReaders {
  private readonly workers: ReadWorker[];
  private readonly timeoutMs: number;
  private closed = false;

  constructor(path: string, opts: ReadersOptions = {}) {
    this.workers = Array.from({ length: Math.max(1, opts.size ?? 2) }, () => new ReadWorker(path));
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  run<K extends ReadName>(op: K, ...args: Args<K>): Promise<Result<K>> {
    if (this.closed) return Promise.reject(new ReadUnavailableError('the collector is closing'));
    const least = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return least.call(op, args, this.timeoutMs) as Promise<Result<K>>;
  }

  /** Starts every worker now (a worker takes a moment to load), so the first admin read does not wait for it. */
  warm(): void {
    if (!this.closed) this.workers.forEach((w) => w.start());
  }

  /** For tests: the worker threads now running. */
  threads(): Worker[] {
    return this.workers.flatMap((w) => (w.thread ? [w.thread] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
