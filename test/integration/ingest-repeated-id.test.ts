/**
 * Red team coll7 F11: a batch that holds one id twice with different contents (the same UUID in upper and
 * lower case is one id) stores its first occurrence. On PostgreSQL both went into one statement, which
 * stored either and queued the alerts of either: the event stored was a block of first.docx while the
 * chat and the SIEM were told of second.docx, or an allow was stored and a block alerted. What is stored
 * and what every channel is told must be the same event. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { testBackends } from '../support/backends.js';
import { webhookReceiver, syslogReceiver } from '../support/webhook.js';

const INGEST = 'repeated-id-ingest-token-0123456789ab';
const ADMIN = 'repeated-id-admin-token-0123456789abcd';

for (const backend of testBackends('repeatid')) {
  describe(`one id twice in a batch (${backend.name})`, () => {
    it('stores the first, and every channel is told of the first only', async () => {
      const hook = await webhookReceiver<{ event: { id: string; fileName: string } }>();
      const siem = await syslogReceiver();
      const storage = await backend.open();
      const c = await createCollector({
        storage,
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        timeWindow: false,
        alerts: { webhookUrl: hook.url, syslogUrl: siem.url, pollMs: 50 },
      });
      try {
        const one = randomUUID();
        const two = randomUUID();
        const batch = [
          sampleEvent({ id: one, fileName: 'first.docx', action: 'block', outcome: 'blocked' }),
          sampleEvent({ id: one.toUpperCase(), fileName: 'second.docx', action: 'warn', outcome: 'pending' }),
          // An allow first (no chat alert), then a block under its id: nothing to post.
          sampleEvent({ id: two, fileName: 'allowed.txt', verdict: 'clean', rule: null, reason: null, action: 'allow', outcome: 'allowed' }),
          sampleEvent({ id: two, fileName: 'blocked.xlsx', action: 'block', outcome: 'blocked' }),
        ];
        const r = await c.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${INGEST}` }, payload: { events: batch } });
        expect(r.json()).toEqual({ accepted: 2, duplicates: 2 });
        await c.outbox.idle(10_000);
        const stored = (await c.app.inject({ url: '/v1/admin/events?from=1h&sort=fileName', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { events: { fileName: string }[] };
        expect(stored.events.map((e) => e.fileName)).toEqual(['allowed.txt', 'first.docx']);
        expect(hook.received.map((b) => b.event.fileName)).toEqual(['first.docx']);
        const names = [...siem.text().matchAll(/ fname=(\S+)/g)].map((m) => m[1]).sort();
        expect(names).toEqual(['allowed.txt', 'first.docx']);
      } finally {
        await c.close();
        await backend.cleanup(storage);
        hook.close();
        siem.close();
      }
    });
  });
}
