/**
 * Runs a transaction's work (incidents/sql.ts TxWork: statements yielded one by one, each sent its
 * result) on a connection already inside a transaction, for both back ends: sqlFor's `tx`, and a
 * storage method whose own transaction takes the caller's work too (purgeBefore: the retention purge
 * and its audit entry, both or neither).
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { TxWork } from '../incidents/sql.js';

/** SQLite: synchronous, inside the caller's `db.transaction`. */
export function runSqliteWork<T>(db: Database.Database, work: TxWork<T>): T {
  for (let r = work.next(); ; ) {
    if (r.done) return r.value;
    const q = r.value;
    r = work.next(q.rows ? db.prepare(q.sql).all(...q.params) : db.prepare(q.sql).run(...q.params).changes);
  }
}

/** PostgreSQL: on a client between its BEGIN and COMMIT; `?` placeholders numbered. */
export async function runPgWork<T>(client: pg.PoolClient, work: TxWork<T>): Promise<T> {
  for (let r = work.next(); ; ) {
    if (r.done) return r.value;
    const res = await client.query(numbered(r.value.sql), r.value.params as unknown[]);
    r = work.next(r.value.rows ? res.rows : (res.rowCount ?? 0));
  }
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * `fn` in a transaction on a connection of `pool`: BEGIN, COMMIT, ROLLBACK on failure. A connection whose
 * ROLLBACK failed too is closed, not given back: the server did not answer (its process hung or stopped,
 * the network gone quiet, the client's read timeout), and the pool hands out the connection last given
 * back first, so the next transaction waited behind the unanswered statement and failed the same way,
 * and the one after it (red team fix12: a backend stopped with SIGSTOP made every admin change and audit
 * entry fail while the database's other connections answered).
 */
export async function inPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}
