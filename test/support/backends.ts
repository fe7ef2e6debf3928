/** The storage back ends a collector test runs on: SQLite always, PostgreSQL when UPLOAD_GUARD_TEST_PG is set. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';

export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Storage>;
  cleanup(s: Storage): Promise<void>;
}

export function testBackends(prefix: string): Backend[] {
  const url = process.env.UPLOAD_GUARD_TEST_PG;
  const list: Backend[] = [
    {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), `ug-${prefix}-`));
        const s = new SqliteStorage({ path: join(dir, 'events.db') });
        (s as unknown as { dir: string }).dir = dir;
        return s;
      },
      async cleanup(s) {
        await s.close();
        rmSync((s as unknown as { dir: string }).dir, { recursive: true, force: true });
      },
    },
  ];
  if (url) {
    list.push({
      name: 'postgres',
      open: () => PostgresStorage.open({ connectionString: url, schema: `ug_${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`, poolSize: 4 }),
      async cleanup(s) {
        await (s as PostgresStorage).dropSchema();
        await s.close();
      },
    });
  }
  return list;
}

/** Makes the database refuse every new audit entry (what a full disk does to the insert), or stop refusing. */
export async function refuseAudit(storage: Storage, on: boolean): Promise<void> {
  if (storage instanceof SqliteStorage) {
    storage.db.exec(on ? "CREATE TRIGGER audit_full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END" : 'DROP TRIGGER audit_full');
    return;
  }
  const t = (storage as PostgresStorage).schema;
  await (storage as PostgresStorage).pool.query(
    on
      ? `CREATE FUNCTION ${t}.audit_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;
         CREATE TRIGGER audit_full BEFORE INSERT ON ${t}.audit_log FOR EACH ROW EXECUTE FUNCTION ${t}.audit_full();`
      : `DROP TRIGGER audit_full ON ${t}.audit_log; DROP FUNCTION ${t}.audit_full();`,
  );
}
