/**
 * Red team coll7 F9: sorted by file name or user, a page ending at a long name (a device chooses it: up
 * to 1,024 characters of file name, 256 of user) handed out a `cursor` longer than the 512 characters
 * the next request accepted, so that request was refused (400) and the admin page's "Load more" stopped
 * at that row. Every order is paged here to its end, one event a page, over the longest names the
 * schema admits. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/events/schema.js';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const ADMIN = 'cursor-long-names-admin-token-0123456789';

for (const backend of testBackends('cursorlong')) {
  describe(`pages past the longest names (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    const events = [
      sampleEvent({ fileName: '\u0001'.repeat(LIMITS.fileName), user: '"'.repeat(LIMITS.user), deviceName: '\u0002'.repeat(LIMITS.deviceName) }),
      sampleEvent({ fileName: '秘'.repeat(LIMITS.fileName), user: '営'.repeat(LIMITS.user), deviceName: '端'.repeat(LIMITS.deviceName) }),
      sampleEvent({ fileName: '\\'.repeat(LIMITS.fileName), user: 'a\\'.repeat(LIMITS.user / 2), deviceName: 'PC-0001' }),
      sampleEvent({ fileName: 'short.docx', user: 'taro', deviceName: null }),
    ];
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: ['cursor-long-names-ingest-token-012345'], adminTokens: [ADMIN], timeWindow: false, adminRateLimit: { perSecond: 0, burst: 0 } });
      await storage.insertEvents(events, Date.now());
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });

    it.each(['fileName', '-fileName', 'user', '-user', 'deviceName', '-deviceName'])('sort=%s, one event a page, to the end', async (sort) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await c.app.inject({ url: `/v1/admin/events?sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: { authorization: `Bearer ${ADMIN}` } });
        expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
        const page = r.json() as { events: { id: string }[]; nextCursor: string | null };
        seen.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor && seen.length <= events.length);
      expect(seen.sort()).toEqual(events.map((e) => e.id).sort());
    });
  });
}
