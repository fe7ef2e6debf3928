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
