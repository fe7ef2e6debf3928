/**
 * Red team coll7 F12: an event whose time is implausible is stored at its arrival (its claim kept as
 * claimedTime), but its alerts were built from the event as sent: the chat said "at 1970-01-01", CEF's
 * rt, OCSF's time and HEC's index time were 1970, so the SIEM filed it where a search of the day (or its
 * retention) never finds it, while the record had it today. Alerts now carry the time as stored, and the
 * claim beside it. SQLite and (with UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { testBackends } from '../support/backends.js';
import { webhookReceiver, syslogReceiver } from '../support/webhook.js';

const INGEST = 'implausible-time-ingest-token-012345678';
const ADMIN = 'implausible-time-admin-token-0123456789';
const NOW = Date.parse('2026-12-07T03:00:00.000Z');

for (const backend of testBackends('alerttime')) {
  describe(`alerts of an event with an implausible time (${backend.name})`, () => {
    it('say the time as stored (the arrival), with the claim beside it', async () => {
      const hook = await webhookReceiver<{ text: string; event: { time: string; claimedTime?: string; fileName: string } }>();
      const siem = await syslogReceiver();
      const storage = await backend.open();
      const c = await createCollector({
        storage,
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        now: () => NOW,
        alerts: { webhookUrl: hook.url, syslogUrl: siem.url, pollMs: 50 },
      });
      try {
        const old = sampleEvent({ time: '1970-01-01T00:00:00.000Z', fileName: 'old.docx' });
        const fine = sampleEvent({ time: new Date(NOW - 3_600_000).toISOString(), fileName: 'fine.docx' });
        const r = await c.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${INGEST}` }, payload: { events: [old, fine] } });
        expect(r.statusCode).toBe(200);
        await c.outbox.idle(10_000);
        const stored = (await c.app.inject({ url: '/v1/admin/events?from=0001-01-01&sort=fileName', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { events: { fileName: string; time: string; claimedTime?: string }[] };
        expect(stored.events.map((e) => [e.fileName, e.time, e.claimedTime])).toEqual([
          ['fine.docx', fine.time, undefined],
          ['old.docx', new Date(NOW).toISOString(), '1970-01-01T00:00:00.000Z'],
        ]);
        const posted = hook.received.find((b) => b.event.fileName === 'old.docx')!;
        expect(posted.text).toContain(`at ${new Date(NOW).toISOString()}`);
        expect(posted.event).toMatchObject({ time: new Date(NOW).toISOString(), claimedTime: '1970-01-01T00:00:00.000Z' });
        expect(hook.received.find((b) => b.event.fileName === 'fine.docx')!.event).not.toHaveProperty('claimedTime');
        const line = siem.text().split('\n').find((l) => l.includes('fname=old.docx'))!;
        expect(line).toMatch(new RegExp(`\\|rt=${NOW} `));
        expect(line).toContain(' deviceCustomDate1Label=claimedTime deviceCustomDate1=0 ');
      } finally {
        await c.close();
        await backend.cleanup(storage);
        hook.close();
        siem.close();
      }
    });
  });
}
