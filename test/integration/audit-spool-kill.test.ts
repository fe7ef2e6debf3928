/**
 * An audit entry the collector owes the log survives a kill -9 while the database cannot take it (red
 * team coll8): auditLater kept such entries in memory only, so an export cut part-way (`export.cut`, the
 * admin's client already told the export is incomplete) was lost with the process when the database was
 * down. Now the entry is in the audit spool (`<data>/audit-spool.jsonl`, fsynced) before the cut is
 * answered, and the next collector on that data directory writes it, once: a spool put back as a crash
 * between the insert and its removal would leave it writes nothing twice. A hung database (PostgreSQL:
 * audit_log locked by another transaction) no longer holds the export's last line either.
 * A real collector process (bin/upload-guard.js), killed with SIGKILL; SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { exited, receiver, spawnCollector } from './collector-process.js';

const INGEST = 'spool-kill-ingest-token-0123456789';
const ADMIN = 'spool-kill-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Case {
  name: string;
  env: () => Record<string, string>;
  open: (data: string, env: Record<string, string>) => Promise<Storage>;
  /** Makes the database refuse (or hang on) audit entries; returns what undoes it. */
  fail: (data: string, env: Record<string, string>) => Promise<() => Promise<void>>;
}

const pgCase = (how: 'refusing' | 'hung'): Case => ({
  name: `postgres ${how}`,
  env: () => ({ DATABASE_URL: PG_URL!, UPLOAD_GUARD_PG_SCHEMA: `ug_spoolkill_${randomUUID().replace(/-/g, '').slice(0, 16)}` }),
  open: (_data, env) => PostgresStorage.open({ connectionString: PG_URL!, schema: env.UPLOAD_GUARD_PG_SCHEMA!, poolSize: 2 }),
  async fail(_data, env) {
    const t = env.UPLOAD_GUARD_PG_SCHEMA!;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    if (how === 'hung') {
      // Another transaction holds the table: every insert waits, unanswered, as behind a DBA's VACUUM FULL.
      await client.query(`BEGIN; LOCK TABLE ${t}.audit_log IN ACCESS EXCLUSIVE MODE`);
      return async () => {
        await client.query('ROLLBACK');
        await client.end();
      };
    }
    await client.query(
      `CREATE FUNCTION ${t}.audit_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;
       CREATE TRIGGER audit_full BEFORE INSERT ON ${t}.audit_log FOR EACH ROW EXECUTE FUNCTION ${t}.audit_full();`,
    );
    return async () => {
      await client.query(`DROP TRIGGER audit_full ON ${t}.audit_log; DROP FUNCTION ${t}.audit_full();`);
      await client.end();
    };
  },
});

const cases: Case[] = [
  {
    name: 'sqlite refusing',
    env: () => ({ DATABASE_URL: '' }),
    open: async (data) => new SqliteStorage({ path: join(data, 'events.db') }),
    async fail(data) {
      const db = new Database(join(data, 'events.db'));
      db.exec("CREATE TRIGGER audit_full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
      return async () => {
        db.exec('DROP TRIGGER audit_full');
        db.close();
      };
    },
  },
  ...(PG_URL ? [pgCase('refusing'), pgCase('hung')] : []),
];

for (const k of cases) {
  describe(`audit entries owed to the log survive kill -9 (${k.name})`, () => {
    it('an export cut while the database cannot take its entry is on record once after a restart', async () => {
      const data = mkdtempSync(join(tmpdir(), 'ug-spoolkill-'));
      dirs.push(data);
      const env = k.env();
      // Enough rows for the export to be under way over many pages.
      const seed = await k.open(data, env);
      const t = Date.now() - 60_000;
      for (let b = 0; b < 4; b++) await seed.insertEvents(Array.from({ length: 5_000 }, (_, i) => sampleEvent({ user: `u${b}-${i}@example.co.jp`, time: new Date(t - b * 5_000 - i).toISOString() })), Date.now());
      await seed.close();

      const hook = await receiver();
      const { child, url } = await spawnCollector(data, hook.url, { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, ...env });
      const admin = (method: string, path: string, body?: unknown) =>
        fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      let undo: (() => Promise<void>) | null = null;
      let text = '';
      let tookMs = 0;
      try {
        const made = (await (await admin('POST', '/v1/admin/tokens', { name: 'siem-pull', role: 'investigator' })).json()) as { id: string; token: string };
        const r = await fetch(`${url}/v1/admin/export?format=csv&layout=events&from=30d`, { headers: { authorization: `Bearer ${made.token}` } });
        expect(r.status).toBe(200);
        const reader = r.body!.getReader();
        await reader.read();
        expect((await admin('DELETE', `/v1/admin/tokens/${made.id}`)).status).toBe(200);
        undo = await k.fail(data, env);
        const t0 = Date.now();
        for (let x = await reader.read(); !x.done; x = await reader.read()) text += Buffer.from(x.value).toString('utf8');
        tookMs = Date.now() - t0;
      } finally {
        // The cut was answered (its last line sent): the collector dies before the database is back.
        child.kill('SIGKILL');
        await exited(child);
        hook.server.close();
        await undo?.();
      }
      expect(text.trimEnd().split('\r\n').at(-1)).toMatch(/^# ERROR: export incomplete: access withdrawn/);
      // A hung database holds the answer at most the spool's wait (5 s), not forever.
      expect(tookMs).toBeLessThan(20_000);

      const spool = join(data, 'audit-spool.jsonl');
      const spooled = existsSync(spool) ? readFileSync(spool, 'utf8') : '';
      const storage = await k.open(data, env);
      const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, accounts: { auditSpool: spool } });
      try {
        await c.app.ready();
        const cuts = async () =>
          ((await c.app.inject({ method: 'GET', url: '/v1/admin/audit?action=export.cut', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { entries: { actor: string; details: Record<string, unknown> }[] })
            .entries;
        const written = await cuts();
        expect(written.map((e) => e.actor)).toEqual(['token:siem-pull']);
        expect(written[0]!.details).toMatchObject({ reason: expect.stringMatching(/revoked|invalid token|credential/) });
        expect(readFileSync(spool, 'utf8')).toBe('');
        // A crash after the insert but before the spool was emptied: the same line again writes nothing twice.
        expect(spooled.trim().split('\n')).toHaveLength(1);
        writeFileSync(spool, spooled);
        await c.app.flushDenied();
        expect((await cuts()).map((e) => e.actor)).toEqual(['token:siem-pull']);
        expect(readFileSync(spool, 'utf8')).toBe('');
      } finally {
        await c.close();
        if (storage instanceof PostgresStorage) await storage.dropSchema();
        await storage.close();
      }
    }, 90_000);
  });
}
