/**
 * A PostgreSQL backend that stops answering in the middle of a transaction (its process stopped with
 * SIGSTOP: what a hung server or a network gone quiet looks like to the collector). The transaction
 * fails after the client's read timeout, as it should; the connection must not go back to the pool:
 * it was handed to the next transaction (the pool gives out the connection last returned), which waited
 * behind the stopped one and failed too, and so on, so admin changes and audit entries kept failing
 * on a database whose other connections answered. On a database of its own (created and dropped here),
 * so no other test's connection is stopped; needs UPLOAD_GUARD_TEST_PG, and the right to signal the
 * server's processes (same host, root or the postgres user), else skipped.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';

const admin = process.env.UPLOAD_GUARD_TEST_PG;

describe.skipIf(!admin)('a PostgreSQL backend stopped mid-transaction', () => {
  const db = `ug_stopped_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = admin?.replace(/\/[^/?]+(\?|$)/, `/${db}$1`) ?? '';
  let storage: PostgresStorage;
  beforeAll(async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    // A statement timeout of 300 ms: the client gives up 2 s later on a server that does not answer at all.
    storage = await PostgresStorage.open({ connectionString: url, schema: 'ug', poolSize: 3, statementTimeoutMs: 300 });
  });
  afterAll(async () => {
    await storage?.close();
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.end();
  });

  it('fails that transaction only: the next ones run on other connections', async (ctx) => {
    const sql = sqlFor(storage);
    let stopped: number | null = null;
    try {
      const failed = await sql
        .tx(
          (function* () {
            const [me] = (yield { sql: 'SELECT pg_backend_pid() AS pid', params: [], rows: true }) as { pid: number }[];
            try {
              execFileSync('kill', ['-STOP', String(me!.pid)]);
            } catch {
              return 'no-signal';
            }
            stopped = me!.pid;
            yield { sql: 'SELECT 1', params: [] };
            return 'answered';
          })(),
        )
        .then((v) => v, (err: Error) => err);
      if (failed === 'no-signal') return ctx.skip();
      expect(failed).toBeInstanceOf(Error);
      // The backend is still stopped: every transaction now must get an answer, from another connection.
      const answers: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        answers.push(
          await sql
            .tx(
              (function* () {
                const [r] = (yield { sql: 'SELECT pg_backend_pid() AS pid', params: [], rows: true }) as { pid: number }[];
                return r!.pid;
              })(),
            )
            .then((v) => v, (err: Error) => err.message),
        );
      }
      expect(answers.filter((a) => typeof a !== 'number')).toEqual([]);
      expect(answers).not.toContain(stopped);
    } finally {
      if (stopped !== null) execFileSync('kill', ['-CONT', String(stopped)]);
    }
  }, 60_000);
});
