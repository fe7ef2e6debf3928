/**
 * The sign-in throttle is shared through the database: two collectors on one PostgreSQL schema (as behind
 * a load balancer) and two on one SQLite file count the same failures, so spreading guesses over the
 * instances gains nothing. Real HTTP requests to each collector's own port.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/collector/accounts/store.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';

const ADMIN = 'admin-token-for-throttle-tests-0123456';
const PASSWORD = 'correct horse battery 秘';
const PG = process.env.UPLOAD_GUARD_TEST_PG;

interface Pair {
  name: string;
  open(): Promise<[Storage, Storage]>;
  cleanup(): Promise<void>;
}

const pairs: Pair[] = [];
{
  const dir = mkdtempSync(join(tmpdir(), 'ug-throttle-'));
  pairs.push({
    name: 'two collectors on one SQLite file',
    open: async () => [new SqliteStorage({ path: join(dir, 'events.db') }), new SqliteStorage({ path: join(dir, 'events.db') })],
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  });
}
if (PG) {
  const schema = `ug_throttle_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let first: PostgresStorage | undefined;
  pairs.push({
    name: 'two collectors on one PostgreSQL schema',
    open: async () => {
      first = await PostgresStorage.open({ connectionString: PG, schema, poolSize: 4 });
      return [first, await PostgresStorage.open({ connectionString: PG, schema, poolSize: 4 })];
    },
    cleanup: async () => {
      const s = await PostgresStorage.open({ connectionString: PG, schema, poolSize: 1 });
      await s.dropSchema();
      await s.close();
    },
  });
}

for (const pair of pairs) {
  describe(`sign-in throttle: ${pair.name}`, () => {
    let storages: Storage[] = [];
    const collectors: Collector[] = [];
    const urls: string[] = [];

    beforeAll(async () => {
      storages = await pair.open();
      for (const storage of storages) {
        const c = await createCollector({ storage, ingestTokens: ['ingest-token-for-throttle-0123456'], adminTokens: [ADMIN], accounts: { throttle: { perAccount: 4, perAddress: 1000 } } });
        collectors.push(c);
        urls.push(await c.listen(0));
      }
      const made = await fetch(`${urls[0]}/v1/admin/accounts`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sato', role: 'admin', password: PASSWORD }) });
      expect(made.status).toBe(201);
    });
    afterAll(async () => {
      for (const c of collectors) await c.close();
      for (const s of storages) await s.close();
      await pair.cleanup();
    });

    const login = async (i: number, password: string, name = 'sato') =>
      fetch(`${urls[i]}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });

    it('failures spread over both collectors add up: after 4 (2 on each) both make the account wait, even with the right password', async () => {
      for (const i of [0, 1, 0]) expect((await login(i, 'wrong password 0001')).status).toBe(401);
      // 3 failures in all: still free on either collector (each alone has seen at most 2).
      expect((await login(1, 'wrong password 0002')).status).toBe(401);
      for (const i of [0, 1]) {
        const r = await login(i, PASSWORD);
        expect(r.status).toBe(429);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(20);
      }
      // Each collector's audit shows the refusal it made.
      const audit = (await (await fetch(`${urls[1]}/v1/admin/audit?actor=sato&action=signin.failure`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { entries: { details: { reason: string } }[] };
      expect(audit.entries.filter((e) => e.details.reason === 'throttled').length).toBe(2);
    });

    it('failures sent at the same moment to both collectors are all counted (no update lost between them)', async () => {
      const made = await fetch(`${urls[1]}/v1/admin/accounts`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'kato', role: 'viewer', password: PASSWORD }) });
      expect(made.status).toBe(201);
      // A collector shedding load answers 503 with Retry-After before doing any work (admission.ts); a
      // client tries again, as this one does: the 20 attempts all end in a 401 or a 429.
      const attempt = async (i: number): Promise<Response> => {
        for (let tries = 0; ; tries++) {
          const r = await fetch(`${urls[i % 2]}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'kato', password: `wrong password ${1000 + i}` }) });
          if (r.status !== 503 || tries >= 20) return r;
          await new Promise((res) => setTimeout(res, 100 + 50 * tries));
        }
      };
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i)));
      const statuses = answers.map((r) => r.status);
      const refused = statuses.filter((st) => st === 401).length;
      expect(refused + statuses.filter((st) => st === 429).length, `statuses: ${statuses.join(' ')}`).toBe(20);
      // Every 401 was one counted failure, whichever collector answered it.
      const counts = await AccountStore.of(storages[0]!).throttleCounts(['a:kato']);
      expect(counts.get('a:kato')!.failures, `statuses: ${statuses.join(' ')}`).toBe(refused);
      expect(refused).toBeGreaterThanOrEqual(4);
      for (const i of [0, 1]) expect((await login(i, PASSWORD, 'kato')).status).toBe(429);
    });
  });
}
