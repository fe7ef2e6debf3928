/**
 * An event dated before the retention period (a device that queued it offline longer than, say, a
 * 7-day retention) is acknowledged and kept: stored at its arrival time with its claim as claimedTime,
 * not deleted by the next retention run. Real SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'retention-old-ingest-token-0123456789';
const ADMIN = 'retention-old-admin-token-0123456789';

for (const backend of testBackends('oldated')) {
  describe(`old-dated events under a short retention on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], retentionDays: 7 });
      url = await c.listen(0);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it('keeps an acknowledged event dated 20 days ago through the retention run, its claim shown', async () => {
      const claimed = new Date(Date.now() - 20 * 86_400_000).toISOString();
      const e = sampleEvent({ time: claimed, fileName: '秘-queued-offline.docx', action: 'block', outcome: 'blocked' });
      const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [e] }) });
      expect(await r.json()).toMatchObject({ accepted: 1 });
      await c.purgeExpired();
      const page = await (await fetch(`${url}/v1/admin/events?from=30d&q=queued-offline`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
      expect(page.events).toHaveLength(1);
      expect(page.events[0]).toMatchObject({ id: e.id, claimedTime: claimed });
    });
  });
}
