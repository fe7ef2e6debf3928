/**
 * A full disk (real SQLite refusing to grow: PRAGMA max_page_count, the same SQLITE_FULL a full file
 * system gives): ingest answers 503 with Retry-After (nothing stored, the extension keeps its queue) and
 * /readyz says not ready, so a load balancer sends traffic elsewhere; both recover once there is room.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'disk-full-ingest-token-0123456789';
const ADMIN = 'disk-full-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'ug-diskfull-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('disk full (SQLite)', () => {
  it('answers ingest 503 + Retry-After and /readyz not ready, and recovers once there is room', async () => {
    const storage = new SqliteStorage({ path: join(dir, 'events.db') });
    let clock = Date.now();
    const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], ingestRateLimit: { perSecond: 0, burst: 0 }, now: () => clock });
    const url = await c.listen(0);
    const post = () =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: Array.from({ length: 200 }, () => sampleEvent({ fileName: `秘-${'x'.repeat(150)}-${Math.random()}.docx` })) }),
      });
    try {
      const pages = Number(storage.db.pragma('page_count', { simple: true }));
      storage.db.pragma(`max_page_count = ${pages + 20}`);
      let r = await post();
      for (let i = 0; i < 50 && r.status === 200; i++) r = await post();
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('30');
      expect(await r.json()).toMatchObject({ error: expect.stringMatching(/disk is full/) });
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      storage.db.pragma('max_page_count = 1073741823');
      clock += 31_000;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await post()).status).toBe(200);
    } finally {
      await c.close();
      await storage.close();
    }
  }, 60_000);
});
