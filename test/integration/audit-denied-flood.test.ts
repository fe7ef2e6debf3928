/**
 * Red team G8: every refused credential wrote an access.denied entry, so one unauthenticated address
 * with made-up bearer tokens added ~60 entries a second. Now the first refusal of a minute per address is
 * an entry at once and the rest one access.denied.repeated entry with their count: all counted, few rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const ADMIN = 'admin-token-for-denied-flood-0123456789';

describe('refused unknown credentials from one address (SQLite)', () => {
  let c: Collector;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ug-deniedflood-'));
    c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: ['ingest-token-for-denied-flood-0123'], adminTokens: [ADMIN], timeWindow: false, adminRateLimit: { perSecond: 1000, burst: 1000 } });
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are all counted, in two entries rather than one each', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await c.app.inject({ method: 'GET', url: '/v1/admin/summary', remoteAddress: '192.0.2.7', headers: { authorization: `Bearer made-up-token-${i}` } });
      expect(r.statusCode).toBe(401);
    }
    await c.app.flushDenied();
    const entries = (action: string) =>
      c.app.inject({ method: 'GET', url: `/v1/admin/audit?action=${action}`, headers: { authorization: `Bearer ${ADMIN}` } }).then((r) => (r.json() as { entries: { address: string; details: Record<string, unknown> }[] }).entries);
    const first = await entries('access.denied');
    const repeated = await entries('access.denied.repeated');
    expect(first.filter((e) => e.address === '192.0.2.7')).toHaveLength(1);
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({ address: '192.0.2.7', details: { count: 99, routes: { 'GET /v1/admin/summary': 99 } } });
  });
});
