/**
 * The outbox's cap (maxPending) counts alerts really queued: a stored batch sent again (duplicates;
 * PostgreSQL builds alerts for every event of a batch) raises nothing, so new incidents are still queued.
 * Real SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL, a real webhook receiver that keeps failing.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'outbox-pending-ingest-token-0123456789';
const ADMIN = 'outbox-pending-admin-token-0123456789';

for (const backend of testBackends('pending')) {
  describe(`outbox cap on ${backend.name}`, () => {
    let storage: Storage;
    let c: Collector;
    let url: string;
    let hook: Server;
    beforeAll(async () => {
      hook = createServer((_req, res) => res.writeHead(500).end());
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      storage = await backend.open();
      c = await createCollector({
        storage,
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        ingestRateLimit: { perSecond: 0, burst: 0 },
        alerts: { webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/`, maxPending: 10, backoff: [60_000] },
      });
      url = await c.listen(0);
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
      hook?.close();
    });
    const send = async (events: unknown[]) =>
      (await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) })).json();

    it('queues the alerts of new incidents after a stored batch was resent many times', async () => {
      const batch = Array.from({ length: 5 }, () => sampleEvent({ action: 'block', outcome: 'blocked' }));
      expect(await send(batch)).toMatchObject({ accepted: 5 });
      for (let i = 0; i < 6; i++) expect(await send(batch)).toMatchObject({ accepted: 0, duplicates: 5 });
      expect(await send(Array.from({ length: 3 }, () => sampleEvent({ action: 'block', outcome: 'blocked' })))).toMatchObject({ accepted: 3 });
      const alerts = await (await fetch(`${url}/v1/admin/alerts`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
      expect(alerts).toMatchObject({ pending: 8, dropped: 0 });
    });
  });
}
