/**
 * Red team coll7 F10: the trust model says the record keeps what a device claimed and from where the
 * collector heard it, but an event kept neither its sender's address nor the ingest token it came with:
 * one forged with a leaked token from outside the company could not be told from a PC's, nor, after a
 * rotation, the events still sent with the retired token. Each stored event now keeps both (source19),
 * in the API, NDJSON and CSV, and in what goes to the SIEM and the webhook (CEF src / c6a1 and
 * flexString1, the event in the webhook's body, OCSF unmapped); a resend from elsewhere does not change them. SQLite and (with
 * UPLOAD_GUARD_TEST_PG) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { tokenId } from '../../src/collector/auth.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { testBackends } from '../support/backends.js';
import { webhookReceiver, syslogReceiver } from '../support/webhook.js';
import { toOcsf } from '../../src/collector/alerts/ocsf.js';

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

    it('a device keeps the address of its last heartbeat: one sent in its name from elsewhere shows (coll7 F13)', async () => {
      const beat = (ip: string) =>
        c.app.inject({ method: 'POST', url: '/v1/heartbeat', remoteAddress: ip, headers: { authorization: `Bearer ${CURRENT}` }, payload: sampleHeartbeat({ deviceId: 'pc-src-0001' }) });
      expect((await beat('10.1.2.3')).statusCode).toBe(204);
      const devices = async () => ((await c.app.inject({ url: '/v1/admin/devices', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { devices: { deviceId: string; receivedFrom: string | null }[] }).devices;
      expect((await devices()).find((d) => d.deviceId === 'pc-src-0001')?.receivedFrom).toBe('10.1.2.3');
      expect((await beat('198.51.100.20')).statusCode).toBe(204);
      expect((await devices()).find((d) => d.deviceId === 'pc-src-0001')?.receivedFrom).toBe('198.51.100.20');
      const csv = (await c.app.inject({ url: '/v1/admin/devices?format=csv', headers: { authorization: `Bearer ${ADMIN}` } })).body.split('\r\n');
      const head = csv[0]!.replace(/^\uFEFF/, '').split(',');
      const row = csv.find((l) => l.startsWith('pc-src-0001,'))!.split(',');
      expect(row[head.indexOf('receivedFrom')]).toBe('198.51.100.20');
    });

    it('goes with the event to the SIEM (CEF over syslog) and the webhook', async () => {
      const hook = await webhookReceiver<{ event: Record<string, unknown> }>();
      const siem = await syslogReceiver();
      const s2 = await backend.open();
      const c2 = await createCollector({
        storage: s2,
        ingestTokens: [CURRENT],
        adminTokens: [ADMIN],
        timeWindow: false,
        alerts: { webhookUrl: hook.url, syslogUrl: siem.url, pollMs: 50 },
      });
      try {
        const v4 = sampleEvent({ user: 'v4@example.co.jp' });
        const v6 = sampleEvent({ user: 'v6@example.co.jp' });
        for (const [e, ip] of [[v4, '::ffff:10.1.2.3'], [v6, '2001:db8::7']] as const) {
          const r = await c2.app.inject({ method: 'POST', url: '/v1/events', remoteAddress: ip, headers: { authorization: `Bearer ${CURRENT}` }, payload: { events: [e] } });
          expect(r.statusCode).toBe(200);
        }
        await c2.outbox.idle(10_000);
        const fp = tokenId(CURRENT);
        const line = (user: string) => siem.text().split('\n').find((l) => l.includes(`suser=${user}`)) ?? '';
        expect(line('v4@example.co.jp')).toContain(` src=10.1.2.3 flexString1Label=ingestTokenId flexString1=${fp}`);
        expect(line('v6@example.co.jp')).toContain(` c6a1Label=source address c6a1=2001:db8::7 flexString1Label=ingestTokenId flexString1=${fp}`);
        expect(hook.received.map((b) => [b.event.user, b.event.receivedFrom, b.event.ingestTokenId]).sort()).toEqual([
          ['v4@example.co.jp', '::ffff:10.1.2.3', fp],
          ['v6@example.co.jp', '2001:db8::7', fp],
        ]);
      } finally {
        await c2.close();
        await backend.cleanup(s2);
        hook.close();
        siem.close();
      }
    });
  });
}

describe('OCSF findings carry the sender', () => {
  it('in unmapped, when known', () => {
    const e = sampleEvent();
    expect(toOcsf({ ...e, receivedFrom: '10.1.2.3', ingestTokenId: '0a1b2c3d' }).unmapped).toMatchObject({ received_from: '10.1.2.3', ingest_token_id: '0a1b2c3d' });
    expect(toOcsf(e).unmapped).not.toHaveProperty('received_from');
  });
});
