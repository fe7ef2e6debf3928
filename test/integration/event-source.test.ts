/**
 * Red team coll7 F10: the trust model says the record keeps what a device claimed and from where the
 * collector heard it, but an event kept neither its sender's address nor the ingest token it came with:
 * one forged with a leaked token from outside the company could not be told from a PC's, nor, after a
 * rotation, the events still sent with the retired token. Each stored event now keeps both (source19),
 * in the API, NDJSON and CSV; a resend from elsewhere does not change them. SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { tokenId } from '../../src/collector/auth.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';

const CURRENT = 'event-source-ingest-token-current-0123';
const RETIRED = 'event-source-ingest-token-retired-4567';
const ADMIN = 'event-source-admin-token-0123456789ab';

for (const backend of testBackends('evsource')) {
  describe(`each event keeps its sender (${backend.name})`, () => {
    let storage: Storage;
    let c: Collector;
    beforeAll(async () => {
      storage = await backend.open();
      c = await createCollector({ storage, ingestTokens: [CURRENT, RETIRED], adminTokens: [ADMIN], timeWindow: false });
    });
    afterAll(async () => {
      await c?.close();
      await backend.cleanup(storage);
    });
    const send = (token: string, ip: string, events: unknown[]) =>
      c.app.inject({ method: 'POST', url: '/v1/events', remoteAddress: ip, headers: { authorization: `Bearer ${token}` }, payload: { events } });
    const read = (qs: string) => c.app.inject({ url: `/v1/admin/events?${qs}`, headers: { authorization: `Bearer ${ADMIN}` } });

    it('the address and the ingest token fingerprint, in JSON, NDJSON and CSV; a resend from elsewhere changes neither', async () => {
      const pc = sampleEvent({ user: 'taro@example.co.jp' });
      const forged = sampleEvent({ user: 'hanako@example.co.jp' });
      expect((await send(CURRENT, '10.1.2.3', [pc])).statusCode).toBe(200);
      expect((await send(RETIRED, '203.0.113.9', [forged])).statusCode).toBe(200);
      expect((await send(RETIRED, '203.0.113.9', [pc])).json()).toEqual({ accepted: 0, duplicates: 1 });
      const json = (await read('from=1h&sort=user')).json() as { events: Record<string, unknown>[] };
      expect(json.events.map((e) => [e.user, e.receivedFrom, e.ingestTokenId])).toEqual([
        ['hanako@example.co.jp', '203.0.113.9', tokenId(RETIRED)],
        ['taro@example.co.jp', '10.1.2.3', tokenId(CURRENT)],
      ]);
      const nd = (await read('from=1h&sort=user&format=ndjson')).body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(nd.map((e) => e.receivedFrom)).toEqual(['203.0.113.9', '10.1.2.3']);
      const csv = (await read('from=1h&sort=user&format=csv')).body.split('\r\n');
      const head = csv[0]!.replace(/^\uFEFF/, '').split(',');
      const row = csv[1]!.split(',');
      expect([row[head.indexOf('receivedFrom')], row[head.indexOf('ingestTokenId')]]).toEqual(['203.0.113.9', tokenId(RETIRED)]);
    });
  });
}
