/**
 * Admin reads are audited before their data leaves: an entry that cannot be written (the database
 * refusing the insert, as on a full disk) refuses the read with 503, and an export the client aborts
 * part-way is on record. Real SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { refuseAudit, testBackends } from '../support/backends.js';

const ADMIN = 'audit-before-data-admin-token-0123456789';
const SECRET_FILE = '秘—監査前_給与一覧.xlsx';


for (const backend of testBackends('auditfirst')) {
  describe(`admin reads audited before the data on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const entries = async (action: string) => ((await (await get(`/v1/admin/audit?action=${action}`)).json()) as { entries: unknown[] }).entries;

    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['audit-before-data-ingest-token-0123456789'], adminTokens: [ADMIN], timeWindow: false });
      url = await c.listen(0);
      const t = Date.now() - 60_000;
      for (let b = 0; b < 4; b++) {
        await storage.insertEvents(Array.from({ length: 5_000 }, (_, i) => sampleEvent({ fileName: SECRET_FILE, user: `user${i}@example.co.jp`, time: new Date(t - i).toISOString() })), Date.now());
      }
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('refuses searches, exports and device lists with 503 while the audit log cannot be written', async () => {
      await refuseAudit(storage, true);
      try {
        for (const path of ['/v1/admin/export?format=csv&from=30d', '/v1/admin/events?from=30d', '/v1/admin/devices']) {
          const r = await get(path);
          const body = await r.text();
          expect(r.status, path).toBe(503);
          expect(r.headers.get('retry-after')).toBeTruthy();
          expect(body).not.toContain(SECRET_FILE);
        }
      } finally {
        await refuseAudit(storage, false);
      }
      const r = await get('/v1/admin/events?from=30d&limit=1');
      expect(r.status).toBe(200);
      expect(await entries('search')).toHaveLength(1);
    });

    it('refuses to create an API token while its entry cannot be written', async () => {
      await refuseAudit(storage, true);
      try {
        const r = await fetch(`${url}/v1/admin/tokens`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'unrecorded', role: 'admin' }) });
        expect(r.status).toBeGreaterThanOrEqual(500);
        expect(await r.text()).not.toMatch(/ugt_/);
      } finally {
        await refuseAudit(storage, false);
      }
      const tokens = (await (await get('/v1/admin/tokens')).json()).tokens as { name: string }[];
      expect(tokens.map((t) => t.name)).not.toContain('unrecorded');
    });

    it('an export aborted after its first bytes is on record', async () => {
      const before = (await entries('export')).length;
      const ac = new AbortController();
      const r = await fetch(`${url}/v1/admin/export?format=csv&from=30d`, { headers: { authorization: `Bearer ${ADMIN}` }, signal: ac.signal });
      const reader = r.body!.getReader();
      expect((await reader.read()).value?.length).toBeGreaterThan(0);
      ac.abort();
      await new Promise((res) => setTimeout(res, 300));
      expect((await entries('export')).length).toBe(before + 1);
    });
  });
}
