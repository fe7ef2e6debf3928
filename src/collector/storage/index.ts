/** Opens the storage back end the configuration asks for. */
import { join } from 'node:path';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './types.js';

export type { Storage } from './types.js';
export { SqliteStorage } from './sqlite.js';
export { PostgresStorage } from './postgres.js';

/** `DATABASE_URL=postgres://…` selects PostgreSQL; otherwise SQLite at DATA/events.db. */
export async function openStorage(opts: { databaseUrl?: string; dataDir: string; pgSchema?: string }): Promise<Storage> {
  if (opts.databaseUrl && /^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    return PostgresStorage.open({ connectionString: opts.databaseUrl, schema: opts.pgSchema });
  }
  return new SqliteStorage({ path: join(opts.dataDir, 'events.db') });
}
