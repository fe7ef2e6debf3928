/**
 * The few statements incidents need, on either back end: `?` placeholders (numbered for PostgreSQL)
 * and table names qualified by the PostgreSQL schema. Writes go through the main connection (SQLite)
 * or the pool (PostgreSQL), like every other write.
 */
import type { Storage } from '../storage/types.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { PostgresStorage } from '../storage/postgres.js';

export interface Sql {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** `name` as the statement must write it (`schema.name` on PostgreSQL). */
  t(name: string): string;
}

export function sqlFor(storage: Storage): Sql {
  if (storage instanceof SqliteStorage) {
    const db = storage.db;
    return {
      all: async <T,>(sql: string, params: readonly unknown[] = []) => db.prepare(sql).all(...params) as T[],
      run: async (sql, params = []) => db.prepare(sql).run(...params).changes,
      t: (name) => name,
    };
  }
  if (storage instanceof PostgresStorage) {
    const pool = storage.pool;
    const numbered = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    return {
      all: async <T,>(sql: string, params: readonly unknown[] = []) => (await pool.query(numbered(sql), params as unknown[])).rows as T[],
      run: async (sql, params = []) => (await pool.query(numbered(sql), params as unknown[])).rowCount ?? 0,
      t: (name) => `${storage.schema}.${name}`,
    };
  }
  throw new Error(`incidents: unsupported storage ${storage.kind}`);
}
