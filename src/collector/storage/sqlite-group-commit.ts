/**
 * Group commit for SQLite ingest. Every acknowledged batch must survive a power cut, so the WAL is
 * synced after each commit (off the event loop: sqlite-wal-sync.ts) before anyone is answered: a few
 * milliseconds of fsync that would otherwise be paid by every request. The batches handed in during one turn of the event loop are written in one
 * transaction instead, each in its own savepoint, so each is still stored whole or not at all (one that
 * fails rolls back alone and rejects alone), and one commit (one fsync) serves every request waiting
 * then. Nobody is answered before the commit that holds their batch is synced: an answer means it is on disk.
 */
import type Database from 'better-sqlite3';

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export class GroupCommit<I, R> {
  private queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private weight = 0;

  /**
   * `write` stores one item; it must be a better-sqlite3 transaction function (a savepoint when nested).
   * A group is committed at once when its items weigh `maxWeight` (`weigh`: events in a batch): every
   * request of a group waits for all of it, so a few large batches are not held together (their sync
   * is shared over many events already), while many small ones are.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly write: (item: I) => R,
    private readonly weigh: (item: I) => number = () => 1,
    private readonly maxWeight = Infinity,
    /** Runs after each commit (the WAL checkpoints, sqlite-checkpoint.ts). */
    private readonly committed: () => void = () => {},
    /**
     * Makes the commits so far durable, off the event loop (sqlite-wal-sync.ts): the group then commits
     * with synchronous = NORMAL and is answered once this resolves. Without it (':memory:') the
     * connection's own setting applies.
     */
    private readonly durable?: () => Promise<void>,
  ) {
    this.normal = db.prepare('PRAGMA synchronous = NORMAL');
    this.full = db.prepare('PRAGMA synchronous = FULL');
  }

  private readonly normal: Database.Statement;
  private readonly full: Database.Statement;

  run(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.weight += this.weigh(item);
      // The first item of a group schedules its commit after the requests already read in this turn.
      if (this.queue.length === 1) setImmediate(() => this.flush());
      if (this.weight >= this.maxWeight) this.flush();
    });
  }

  private flush(): void {
    const group = this.queue.splice(0);
    this.weight = 0;
    if (group.length === 0) return;
    let outcomes: Outcome<R>[];
    // An item's error that ended the whole transaction (SQLITE_FULL, an I/O error: SQLite rolls it all back):
    // what each request is answered with, rather than the commit's "no transaction is active".
    let cause: unknown;
    try {
      // Only this commit skips the inline sync (durable() does it); every other write on the connection
      // keeps FULL.
      if (this.durable) this.normal.run();
      try {
        outcomes = this.db.transaction(() => group.map(({ item }): Outcome<R> => {
          // After such a rollback nothing more is written (it would commit on its own, outside the group).
          if (cause !== undefined) return { ok: false, error: cause };
          try {
            return { ok: true, value: this.write(item) };
          } catch (error) {
            if (!this.db.inTransaction) cause ??= error;
            return { ok: false, error };
          }
        }))();
      } finally {
        if (this.durable) this.full.run();
      }
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the group is stored.
      for (const g of group) g.reject(cause ?? error);
      return;
    }
    this.committed();
    const answer = () => outcomes.forEach((o, i) => (o.ok ? group[i]!.resolve(o.value) : group[i]!.reject(o.error)));
    if (!this.durable) return answer();
    // Nobody is answered before the sync: a failed one (I/O error) fails the whole group, which resends
    // (ids make the resent events duplicates if they were stored after all).
    this.durable().then(answer, (error) => group.forEach((g) => g.reject(error)));
  }
}
