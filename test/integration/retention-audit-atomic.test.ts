/**
 * The retention purge and its audit entry are one transaction (red team coll8): the entry was written
 * after the purge and, when the log refused it, kept in memory only, so the events and incidents were
 * gone while nothing said so (and a crash then lost it for good). Now an entry that cannot be written
 * undoes the run: events and incidents stay, and the next run purges them on record. The failure comes
 * between the two: the database refuses the audit insert after the deletes ran. SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/collector/accounts/store.js';
import { sqlFor } from '../../src/collector/incidents/sql.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { sampleEvent } from '../../src/events/sample.js';
import { refuseAudit, testBackends } from '../support/backends.js';

const ADMIN = 'retention-atomic-admin-token-0123456789';
const NOW = Date.parse('2026-11-30T12:00:00Z');
const old = (i: number) => sampleEvent({ time: new Date(Date.parse('2026-09-20T03:00:00Z') + i * 60_000).toISOString(), user: `old-${i}`, sha256: String(i % 10).repeat(64) });
const recent = sampleEvent({ time: '2026-11-29T03:00:00Z', user: 'recent', sha256: 'f'.repeat(64) });

describe.each(testBackends('retatomic'))('retention purge and its entry, both or neither ($name)', (backend) => {
  let storage: Storage;
  let c: Collector;
  const incidents = async () => Number((await sqlFor(storage).all<{ n: number }>(`SELECT count(*) AS n FROM ${sqlFor(storage).t('incidents')}`))[0]!.n);
  const entries = () => AccountStore.of(storage).audit({ action: 'retention.purge', limit: 10 });

  beforeAll(async () => {
    storage = await backend.open();
    c = await createCollector({ storage, ingestTokens: ['retention-atomic-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false, now: () => NOW, retentionDays: 30, retentionIntervalMs: 3_600_000 });
    await c.app.ready();
    for (const e of [old(1), old(2), old(3), recent]) await storage.insertEvents([e], Date.parse(e.time));
    // Incidents are built on a read: one per user here.
    expect((await c.app.inject({ method: 'GET', url: '/v1/admin/incidents?limit=500', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode).toBe(200);
    expect(await incidents()).toBe(4);
  });
  afterAll(async () => {
    await c?.close();
    await backend.cleanup(storage);
  });

  it('keeps events and incidents when the entry cannot be written, and purges them on record once it can', async () => {
    await refuseAudit(storage, true);
    try {
      await expect(c.purgeExpired()).rejects.toThrow(/full|No space/);
    } finally {
      await refuseAudit(storage, false);
    }
    expect(await storage.count()).toBe(4);
    expect(await incidents()).toBe(4);
    expect(await entries()).toHaveLength(0);

    expect(await c.purgeExpired()).toBe(3);
    expect(await storage.count()).toBe(1);
    expect(await incidents()).toBe(1);
    const written = await entries();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ actor: 'system', details: { retentionDays: 30, events: 3, incidents: 3 } });
  });
});
