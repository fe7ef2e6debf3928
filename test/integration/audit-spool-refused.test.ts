/**
 * One audit entry the database always refuses no longer holds back the entries behind it (coll9's
 * leftover): the spool was written oldest first up to the first failure, so an entry a constraint or a
 * trigger refuses stayed first for ever and every later export cut waited behind it (logged every
 * minute, never on record). Now an entry refused while the database takes others is set aside beside the
 * spool (`audit-spool-refused.jsonl`) with the database's reason, on record as `audit.spool.refused`,
 * listed by GET /v1/admin/audit/refused, counted in /metrics, and tried again with a growing wait and at
 * every start; a database that takes nothing (hung, locked) sets nothing aside. A real collector process
 * killed with SIGKILL while it drains a spool loses nothing and writes nothing twice.
 * SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL; the refusal is a real trigger or CHECK constraint.
 */
import { spawn } from 'node:child_process';
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
import { exited, receiver, ROOT, spawnCollector, until } from './collector-process.js';

const INGEST = 'spool-refused-ingest-token-0123456789';
const ADMIN = 'spool-refused-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Back {
  name: string;
  /** Environment of a collector process on this back end (a fresh schema on PostgreSQL). */
  env: () => Record<string, string>;
  open: (data: string, env: Record<string, string>) => Promise<Storage>;
  /** Makes the database refuse every audit entry whose details hold `cannot-store-me` (its reason does not); returns what undoes it. */
  refusePoison: (data: string, env: Record<string, string>) => Promise<() => Promise<void>>;
  /** Makes the database take no audit entry at all (its write lock held elsewhere); returns what undoes it. */
  hold: (data: string, env: Record<string, string>) => Promise<() => Promise<void>>;
  /** The spoolIds of the export.cut entries in the database (not those an audit.spool.refused note names). */
  spoolIds: (data: string, env: Record<string, string>) => Promise<string[]>;
}

const sqlite: Back = {
  name: 'sqlite',
  env: () => ({ DATABASE_URL: '' }),
  open: async (data) => new SqliteStorage({ path: join(data, 'events.db') }),
  async refusePoison(data) {
    const db = new Database(join(data, 'events.db'));
    db.exec(`CREATE TRIGGER refuse_marked BEFORE INSERT ON audit_log WHEN NEW.details LIKE '%cannot-store-me%' BEGIN SELECT RAISE(ABORT, 'refused by a rule of the DBA'); END`);
    return async () => {
      db.exec('DROP TRIGGER refuse_marked');
      db.close();
    };
  },
  async hold(data) {
    const db = new Database(join(data, 'events.db'));
    db.exec('BEGIN IMMEDIATE');
    return async () => {
      db.exec('ROLLBACK');
      db.close();
    };
  },
  async spoolIds(data) {
    const db = new Database(join(data, 'events.db'), { readonly: true });
    try {
      return (db.prepare(`SELECT json_extract(details, '$.spoolId') AS id FROM audit_log WHERE action = 'export.cut' AND json_extract(details, '$.spoolId') IS NOT NULL`).all() as { id: string }[]).map((r) => r.id);
    } finally {
      db.close();
    }
  },
};

const withPg = async <T>(f: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
};

const postgres: Back = {
  name: 'postgres',
  env: () => ({ DATABASE_URL: PG_URL!, UPLOAD_GUARD_PG_SCHEMA: `ug_spoolref_${randomUUID().replace(/-/g, '').slice(0, 16)}` }),
  open: (_data, env) => PostgresStorage.open({ connectionString: PG_URL!, schema: env.UPLOAD_GUARD_PG_SCHEMA!, poolSize: 2 }),
  async refusePoison(_data, env) {
    const t = env.UPLOAD_GUARD_PG_SCHEMA!;
    await withPg((c) => c.query(`ALTER TABLE ${t}.audit_log ADD CONSTRAINT dba_rule CHECK (details NOT LIKE '%cannot-store-me%') NOT VALID`));
    return () => withPg(async (c) => void (await c.query(`ALTER TABLE ${t}.audit_log DROP CONSTRAINT dba_rule`)));
  },
  async hold(_data, env) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    // Every insert waits, unanswered, as behind a DBA's VACUUM FULL.
    await c.query(`BEGIN; LOCK TABLE ${env.UPLOAD_GUARD_PG_SCHEMA!}.audit_log IN ACCESS EXCLUSIVE MODE`);
    return async () => {
      await c.query('ROLLBACK');
      await c.end();
    };
  },
  spoolIds: (_data, env) =>
    withPg(async (c) => (await c.query(`SELECT details::jsonb->>'spoolId' AS id FROM ${env.UPLOAD_GUARD_PG_SCHEMA!}.audit_log WHERE action = 'export.cut' AND details::jsonb ? 'spoolId'`)).rows.map((r: { id: string }) => r.id)),
};

const backs = [sqlite, ...(PG_URL ? [postgres] : [])];

interface Refused {
  waiting: number;
  refused: { actor: string; action: string; details: Record<string, unknown>; reason: string; attempts: number; firstRefusedAt: string; nextTryAt: string }[];
}

for (const b of backs) {
  describe(`an audit entry the database refuses (${b.name})`, () => {
    async function start(data: string, env: Record<string, string>, now?: () => number) {
      const storage = await b.open(data, env);
      const spool = join(data, 'audit-spool.jsonl');
      const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, accounts: { auditSpool: spool }, ...(now ? { now } : {}) });
      await c.app.ready();
      const get = async <T>(url: string) => (await c.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN}` } })) as unknown as { statusCode: number; json(): T; body: string };
      const actors = async (action: string) => (await get<{ entries: { actor: string; details: Record<string, unknown> }[] }>(`/v1/admin/audit?action=${action}`)).json().entries;
      return {
        c,
        spool,
        refusedFile: join(data, 'audit-spool-refused.jsonl'),
        get,
        actors,
        async stop(drop = false) {
          await c.close();
          if (drop && storage instanceof PostgresStorage) await storage.dropSchema();
          await storage.close();
        },
      };
    }

    it('is set aside with its reason, counted and listed, and the entries behind it are written; written once the refusal goes', async () => {
      const data = mkdtempSync(join(tmpdir(), 'ug-spoolref-'));
      dirs.push(data);
      const env = b.env();
      let clock = Date.now();
      let s = await start(data, env, () => clock);
      const undo = await b.refusePoison(data, env);
      let undone = false;
      try {
        await s.c.app.auditLater('token:poisoned', 'export.cut', { reason: 'cannot-store-me' });
        await s.c.app.auditLater('token:after-1', 'export.cut', { reason: 'access withdrawn' });
        await s.c.app.auditLater('token:after-2', 'export.cut', { reason: 'access withdrawn' });
        // The two behind it are on record (before: neither, for ever).
        expect((await s.actors('export.cut')).map((e) => e.actor)).toEqual(['token:after-2', 'token:after-1']);
        expect(readFileSync(s.spool, 'utf8')).toBe('');

        // Set aside, durably, with the database's reason; listed for the admin and counted.
        const aside = readFileSync(s.refusedFile, 'utf8').trim().split('\n');
        expect(aside).toHaveLength(1);
        expect(JSON.parse(aside[0]!)).toMatchObject({ entry: { actor: 'token:poisoned', action: 'export.cut' }, attempts: 1 });
        const listed = (await s.get<Refused>('/v1/admin/audit/refused')).json();
        expect(listed.waiting).toBe(0);
        expect(listed.refused).toHaveLength(1);
        expect(listed.refused[0]).toMatchObject({ actor: 'token:poisoned', action: 'export.cut', attempts: 1, details: { reason: 'cannot-store-me' } });
        expect(listed.refused[0]!.reason).toMatch(/refused by a rule|dba_rule/);
        expect(Date.parse(listed.refused[0]!.nextTryAt) - Date.parse(listed.refused[0]!.firstRefusedAt)).toBe(60_000);
        expect((await s.get('/metrics')).body).toMatch(/^upload_guard_audit_entries_refused 1$/m);
        expect((await s.get('/metrics')).body).toMatch(/^upload_guard_audit_entries_waiting 0$/m);
        const noted = await s.actors('audit.spool.refused');
        expect(noted).toHaveLength(1);
        expect(noted[0]).toMatchObject({ actor: 'system', details: { action: 'export.cut', actor: 'token:poisoned', reason: expect.stringMatching(/refused by a rule|dba_rule/) } });
        // The log's own answer holds them: the admin page asks once, and one look is one `audit.view`
        // entry (asked apart, each look was two `audit.view` entries); the route apart is on record by its own name.
        const log = (await s.get<{ spool: Refused }>('/v1/admin/audit?limit=1')).json();
        expect(log.spool).toEqual(listed);
        const views = await s.actors('audit.view');
        // Newest first: this look, the log above, the two looks before; the /refused call is not among them.
        expect(views.map((e) => e.details.query)).toEqual([{ action: 'audit.view' }, { limit: '1' }, { action: 'audit.spool.refused' }, { action: 'export.cut' }]);
        expect(await s.actors('audit.refused.view')).toHaveLength(1);
        // The CSV an auditor pulls holds it too, saying it is not stored and why (before: absent); on the
        // first page only (a later page is the database's), and under the query's filters.
        const csv = (await s.get('/v1/admin/audit?action=export.cut&format=csv')).body.split('\r\n').filter(Boolean);
        expect(csv.slice(1).map((l) => /^[^,]*,([^,]*),/.exec(l)![1])).toEqual(['token:poisoned', 'token:after-2', 'token:after-1']);
        expect(csv[1]).toMatch(/,"?no: refused by the database \(.*(refused by a rule|dba_rule).*\); tried 1 times, next /);
        expect(csv[2]!.endsWith(',yes')).toBe(true);
        const page2 = (await s.get('/v1/admin/audit?action=export.cut&format=csv&before=999999999')).body;
        expect(page2).not.toContain('token:poisoned');
        expect((await s.get('/v1/admin/audit?action=audit.view&format=csv')).body).not.toContain('token:poisoned');
        // Only admins see it.
        const viewer = await s.c.app.inject({ method: 'GET', url: '/v1/admin/audit/refused' });
        expect(viewer.statusCode).toBe(401);

        // Tried again after its wait, refused again: it waits twice as long, and nothing is lost.
        clock += 61_000;
        await s.c.app.flushDenied();
        const again = (await s.get<Refused>('/v1/admin/audit/refused')).json().refused;
        expect(again).toHaveLength(1);
        expect(again[0]!.attempts).toBe(2);
        expect(Date.parse(again[0]!.nextTryAt) - clock).toBe(120_000);

        // The DBA lifts the refusal; the next start writes it, once.
        await undo();
        undone = true;
        await s.stop();
        s = await start(data, env);
        expect((await s.actors('export.cut')).map((e) => e.actor).sort()).toEqual(['token:after-1', 'token:after-2', 'token:poisoned']);
        expect(readFileSync(s.refusedFile, 'utf8')).toBe('');
        expect((await s.get<Refused>('/v1/admin/audit/refused')).json().refused).toEqual([]);
        expect((await s.get('/metrics')).body).toMatch(/^upload_guard_audit_entries_refused 0$/m);
      } finally {
        if (!undone) await undo();
        await s.stop(true);
      }
    }, 60_000);

    it('a database that takes no entry at all (its write lock held) sets nothing aside; all are written once it is back', async () => {
      const data = mkdtempSync(join(tmpdir(), 'ug-spoolref-'));
      dirs.push(data);
      const env = b.env();
      const s = await start(data, env);
      const release = await b.hold(data, env);
      let released = false;
      try {
        const t0 = Date.now();
        await s.c.app.auditLater('token:held-1', 'export.cut', { reason: 'access withdrawn' });
        await s.c.app.auditLater('token:held-2', 'export.cut', { reason: 'access withdrawn' });
        // The answers are not held by the database (the spool's wait, 5 s each at most).
        expect(Date.now() - t0).toBeLessThan(15_000);
        expect(existsSync(s.refusedFile) ? readFileSync(s.refusedFile, 'utf8') : '').toBe('');
        await release();
        released = true;
        await until('the held entries written', async () => (await s.actors('export.cut')).length === 2, 30_000);
        await s.c.app.flushDenied();
        expect((await s.actors('export.cut')).map((e) => e.actor).sort()).toEqual(['token:held-1', 'token:held-2']);
        expect(existsSync(s.refusedFile) ? readFileSync(s.refusedFile, 'utf8') : '').toBe('');
        expect(readFileSync(s.spool, 'utf8')).toBe('');
      } finally {
        if (!released) await release();
        await s.stop(true);
      }
    }, 60_000);

    it('a collector killed (-9) while it drains a spool with refused entries in it loses none and writes none twice', async () => {
      const data = mkdtempSync(join(tmpdir(), 'ug-spoolref-'));
      dirs.push(data);
      const env = b.env();
      // The database made (tables there), then the refusal added.
      await (await b.open(data, env)).close();
      const undo = await b.refusePoison(data, env);
      // A spool a collector left: 1,500 entries, every 100th one refused.
      const t = Date.now() - 3_600_000;
      const entries = Array.from({ length: 1_500 }, (_, i) => ({
        timeMs: t + i,
        actor: `token:pull-${i}`,
        action: 'export.cut',
        details: { reason: i % 100 === 7 ? 'cannot-store-me' : 'access withdrawn', spoolId: randomUUID() },
        address: '192.0.2.1',
      }));
      const poisoned = new Set(entries.filter((e) => e.details.reason === 'cannot-store-me').map((e) => e.details.spoolId));
      writeFileSync(join(data, 'audit-spool.jsonl'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
      const hook = await receiver();
      const midDrain: number[] = [];
      try {
        // Killed as soon as the log holds at least `after` of them (before it listens: the drain runs at start).
        for (const after of [1, 500, 1_000]) {
          const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', data, '--webhook', hook.url], {
            cwd: ROOT,
            env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, ...env },
            stdio: 'ignore',
          });
          await until('entries written', async () => child.exitCode !== null || (await b.spoolIds(data, env).catch(() => [])).length >= after, 60_000);
          child.kill('SIGKILL');
          await exited(child);
          midDrain.push((await b.spoolIds(data, env)).length);
        }
        // The last start drains what is left.
        const { child, url } = await spawnCollector(data, hook.url, { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, ...env });
        try {
          await until('the spool drained', () => readFileSync(join(data, 'audit-spool.jsonl'), 'utf8') === '', 60_000);
          const listed = (await (await fetch(`${url}/v1/admin/audit/refused`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Refused;
          expect(new Set(listed.refused.map((r) => r.details.spoolId))).toEqual(poisoned);
          expect(listed.refused.every((r) => /refused by a rule|dba_rule/.test(r.reason))).toBe(true);
        } finally {
          child.kill('SIGKILL');
          await exited(child);
        }
        const ids = await b.spoolIds(data, env);
        // Every entry the database takes is there exactly once; the refused ones are aside, none lost.
        expect(ids.length).toBe(new Set(ids).size);
        expect(new Set(ids)).toEqual(new Set(entries.map((e) => e.details.spoolId).filter((id) => !poisoned.has(id))));
        const aside = readFileSync(join(data, 'audit-spool-refused.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { entry: { details: { spoolId: string } } });
        expect(new Set(aside.map((r) => r.entry.details.spoolId))).toEqual(poisoned);
        console.log(`${b.name}: entries in the log at each kill: ${midDrain.join(', ')} of ${entries.length - poisoned.size}`);
        // At least one kill came in the middle of the drain.
        expect(midDrain.some((n) => n > 0 && n < entries.length - poisoned.size)).toBe(true);
      } finally {
        hook.server.close();
        await undo();
        if (b === postgres) await withPg((c) => c.query(`DROP SCHEMA ${env.UPLOAD_GUARD_PG_SCHEMA!} CASCADE`));
      }
    }, 180_000);
  });
}
