/**
 * A SQLite read worker: its own read-only connection to the events file (WAL: it reads the last committed
 * state and never blocks the writer), answering the reads of sqlite-reads.ts by message. A read runs
 * here, not on the main thread, so a slow summary or search never holds up ingest.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { READS, type ReadName } from './sqlite-reads.js';

export interface ReadRequest {
  id: number;
  op: ReadName;
  args: unknown[];
}

export type ReadReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string; code?: string } };

const db = new Database((workerData as { path: string }).path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');

parentPort!.on('message', ({ id, op, args }: ReadRequest) => {
  let reply: ReadReply;
  try {
    const read = READS[op] as (db: Database.Database, ...a: unknown[]) => unknown;
    if (typeof read !== 'function') throw new Error(`unknown read: ${String(op)}`);
    reply = { id, value: read(db, ...args) };
  } catch (err) {
    const e = err as Error & { code?: string };
    reply = { id, error: { name: e.constructor?.name ?? 'Error', message: e.message, code: e.code } };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage('ready');
