/**
 * The SQLite checkpoint worker (see sqlite-checkpoint.ts): its own read-write connection to the events
 * file, copying the WAL back into the database (PASSIVE: it never waits for, nor blocks, the writer or
 * the readers) when asked. A checkpoint syncs the WAL and then the database file; here those syncs no
 * longer fall inside an ingest commit on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export type CheckpointReply = 'ready' | { frames: number; copied: number; busy: boolean } | { error: string };

const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
// FULL, as the main connection: the checkpoint syncs the WAL before copying it and the database after,
// so a power cut during it loses nothing that a commit had synced.
db.pragma('synchronous = FULL');
// This connection writes nothing itself; it must not checkpoint on its own schedule either.
db.pragma('wal_autocheckpoint = 0');
db.pragma('busy_timeout = 0');

parentPort!.on('message', () => {
  let reply: CheckpointReply;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    reply = { frames: r!.log, copied: r!.checkpointed, busy: r!.busy !== 0 };
  } catch (err) {
    reply = { error: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage('ready' satisfies CheckpointReply);
