/**
 * The few statements incidents need, on either back end: `?` placeholders (numbered for PostgreSQL)
 * and table names qualified by the PostgreSQL schema. Writes go through the main connection (SQLite)
 * or the pool (PostgreSQL), like every other write.
 */
import type { Storage } from '../storage/types.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { PostgresStorage } from '../storage/postgres.js';
import { inPgTransaction, numbered, runPgWork, runSqliteWork } from '../storage/tx-work.js';

/** One statement of a transaction's work: `rows` wants the rows back, else the number of rows changed. */
export interface Statement {
  sql: string;
  params: readonly unknown[];
  rows?: true;
}

/**
 * Work done in one transaction, written once for both back ends: it yields its statements and is sent
 * each one's result (rows, or rows changed) in turn.
 */
export type TxWork<T> = Generator<Statement, T, unknown>;

export interface Sql {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs `work` in one transaction (one commit, one sync of the log, instead of one per statement).
   * On SQLite it runs whole within one turn of the event loop, on the main connection: the caller
   * yields between transactions so that requests are served in between.
   */
  tx<T>(work: TxWork<T>): Promise<T>;
  /** `name` as the statement must write it (`schema.name` on PostgreSQL). */
  t(name: string): string;
  /**
   * Appended to a SELECT in `tx` to lock the rows read and pass over rows another transaction holds
   * (PostgreSQL); empty on SQLite, whose write transactions run one at a time anyway.
   */
  skipLocked: string;
  /**
   * A column as a term no index may serve (SQLite's unary `+`), where SQLite's planner would look the
   * rows up by it and sort them all though another index gives the order and the LIMIT stops early;
   * the column as is on PostgreSQL, whose planner weighs the LIMIT itself (hiding the column there made
   * a page 2,000 rows in take 52–74 ms instead of 2–3).
   */
  unindexed(column: string): string;
}

export function sqlFor(storage: Storage): Sql {
  if (storage instanceof SqliteStorage) {
    const db = storage.db;
    return {
      all: async <T,>(sql: string, params: readonly unknown[] = []) => db.prepare(sql).all(...params) as T[],
      run: async (sql, params = []) => db.prepare(sql).run(...params).changes,
      tx: async (work) => db.transaction(() => runSqliteWork(db, work)).immediate(),
      t: (name) => name,
      skipLocked: '',
      unindexed: (column) => `+${column}`,
    };
  }
  if (storage instanceof PostgresStorage) {
    const pool = storage.pool;
    return {
      all: async <T,>(sql: string, params: readonly unknown[] = []) => (await pool.query(numbered(sql), params as unknown[])).rows as T[],
      run: async (sql, params = []) => (await pool.query(numbered(sql), params as unknown[])).rowCount ?? 0,
      tx: (work) => inPgTransaction(pool, (client) => runPgWork(client, work)),
      t: (name) => `${storage.schema}.${name}`,
      skipLocked: ' FOR UPDATE SKIP LOCKED',
      unindexed: (column) => column,
    };
  }
  throw new Error(`incidents: unsupported storage ${storage.kind}`);
}
