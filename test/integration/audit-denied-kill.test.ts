/**
 * Red team L6: the refusals of unknown credentials after an address's first `access.denied` entry were
 * counted in memory and written once a minute, so a collector killed with -9 before then left only the
 * first entry: the burst's size was lost. Now each count is in the database before its 401 is sent, and
 * the next collector on that database writes what a dead one held into the log; refusals past the
 * address's bucket (429, unchecked) are counted the same way. A real collector process
 * (bin/upload-guard.js) killed with SIGKILL, on SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { THROTTLED } from '../../src/collector/plugins/sessions.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { exited, receiver, spawnCollector } from './collector-process.js';

const INGEST = 'denied-kill-ingest-token-0123456789';
const ADMIN = 'denied-kill-admin-token-0123456789';
const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const REFUSALS = 40;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const backends: { name: string; env: () => Record<string, string>; open: (data: string, env: Record<string, string>) => Promise<Storage> }[] = [
  { name: 'sqlite', env: () => ({ DATABASE_URL: '' }), open: async (data) => new SqliteStorage({ path: join(data, 'events.db') }) },
  ...(PG_URL
    ? [
        {
          name: 'postgres',
          env: () => ({ DATABASE_URL: PG_URL, UPLOAD_GUARD_PG_SCHEMA: `ug_deniedkill_${randomUUID().replace(/-/g, '').slice(0, 16)}` }),
          open: (_data: string, env: Record<string, string>) => PostgresStorage.open({ connectionString: PG_URL, schema: env.UPLOAD_GUARD_PG_SCHEMA!, poolSize: 2 }),
        },
      ]
    : []),
];

for (const backend of backends) {
  describe(`refused credentials counted before kill -9 on ${backend.name}`, () => {
    it('are all in the audit log once a collector runs on the database again', async () => {
      const data = mkdtempSync(join(tmpdir(), 'ug-deniedkill-'));
      dirs.push(data);
      const env = backend.env();
      const hook = await receiver();
      const { child, url } = await spawnCollector(data, hook.url, { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, ...env });
      const statuses: number[] = [];
      const guess = async (i: number) => statuses.push((await fetch(`${url}/v1/admin/summary`, { headers: { authorization: `Bearer made-up-token-${i}-${'x'.repeat(24)}` } })).status);
      try {
        for (let i = 0; i < REFUSALS; i++) await guess(i);
        expect(statuses.every((s) => s === 401)).toBe(true);
        // Then a flood past the address's bucket of refused requests (200 at once): answered 429, unchecked, but counted.
        // Batches go on until one is refused so (a loaded machine answers slowly enough for the bucket to refill).
        for (let b = 0; b < 4 || (b < 20 && !statuses.includes(429)); b++) await Promise.all(Array.from({ length: 100 }, (_, i) => guess(REFUSALS + b * 100 + i)));
      } finally {
        child.kill('SIGKILL');
        await exited(child);
        hook.server.close();
      }

      // The collector comes back (more than 5 minutes later: the dead one's counts are no longer its own).
      const storage = await backend.open(data, env);
      const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false, now: () => Date.now() + 6 * 60_000 });
      try {
        await c.app.ready();
        const entries = async (action: string) =>
          ((await c.app.inject({ method: 'GET', url: `/v1/admin/audit?action=${action}`, headers: { authorization: `Bearer ${ADMIN}` } })).json() as { entries: { details: Record<string, unknown> }[] })
            .entries;
        expect(await entries('access.denied')).toHaveLength(1);
        const repeated = await entries('access.denied.repeated');
        expect(repeated).toHaveLength(1);
        const throttled = statuses.filter((s) => s === 429).length;
        expect(throttled).toBeGreaterThan(0);
        expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
        expect(repeated[0]!.details).toMatchObject({ count: statuses.length - 1, routes: { 'GET /v1/admin/summary': statuses.length - 1 }, countedByStoppedCollector: true });
        expect((repeated[0]!.details.reasons as Record<string, number>)[THROTTLED]).toBe(throttled);
        // Moved, not copied: the next flush writes nothing again.
        await c.app.flushDenied();
        expect(await entries('access.denied.repeated')).toHaveLength(1);
      } finally {
        await c.close();
        if (storage instanceof PostgresStorage) await storage.dropSchema();
        await storage.close();
      }
    }, 60_000);
  });
}
