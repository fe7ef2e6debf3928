/**
 * Red team G7: heartbeats for made-up device ids, sent once, became one "no heartbeat from device …"
 * chat post each when they went stale (1,000 → 636 posts), hiding the one real "extension removed"
 * among them. Now a check posts at most STALE_ALERTS_PER_CHECK devices one by one (devices heard from for
 * a while first) and one digest for the rest; a check that finds the same devices again posts nothing.
 * Red team L5: one user's many silent devices took every post and the digest's whole list, so another
 * user's silent PC was only a number in the count. Now posts and the list take one device per user in
 * turn, and the digest names every user with their count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleHeartbeat } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { DIGEST_DEVICES, staleDigestAlert } from '../../src/collector/alerts/webhook.js';
import { STALE_ALERTS_PER_CHECK } from '../../src/collector/stale-watch.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { webhookReceiver } from '../support/webhook.js';

const INGEST = 'ingest-token-for-stale-flood-0123456789';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Posted = { kind: string; count?: number; text?: string; device?: { deviceId: string }; users?: { user: string; count: number; devices: string[] }[]; devices?: { deviceId: string }[] };

/**
 * A collector on SQLite with its clock in the test's hands, posting alerts to a local webhook that keeps
 * what it received; `beat` sends a heartbeat at the current clock; `close` ends all of it.
 */
async function floodCollector() {
  const hook = await webhookReceiver<Posted>();
  const { received, keys } = hook;
  const dir = mkdtempSync(join(tmpdir(), 'ug-staleflood-'));
  dirs.push(dir);
  const clock = { ms: Date.parse('2026-11-24T09:00:00Z') };
  const c = await createCollector({
    storage: new SqliteStorage({ path: join(dir, 'events.db') }),
    ingestTokens: [INGEST],
    adminTokens: ['admin-token-for-stale-flood-0123456789'],
    ingestRateLimit: { perSecond: 10_000, burst: 10_000 },
    timeWindow: false,
    now: () => clock.ms,
    alerts: { webhookUrl: hook.url, backoff: [100] },
    staleCheckIntervalMs: 3_600_000,
  });
  const beat = (deviceId: string, user?: string) =>
    c.app.inject({ method: 'POST', url: '/v1/heartbeat', headers: { authorization: `Bearer ${INGEST}` }, payload: sampleHeartbeat({ deviceId, ...(user ? { user } : {}), time: new Date(clock.ms).toISOString(), heartbeatMinutes: 15 }) });
  const close = async () => {
    await c.close();
    await c.storage.close();
    hook.close();
  };
  return { c, received, keys, clock, beat, close };
}

describe('a stale-device alert for a device id in any script (SQLite)', () => {
  // fetch refuses a header value beyond Latin-1: the alert was never sent, retried for good (red team coll7 F8).
  it('is delivered, its Idempotency-Key in ASCII and the body exact', async () => {
    const { c, received, keys, clock, beat, close } = await floodCollector();
    try {
      expect(await c.checkStale()).toEqual([]);
      for (const id of ['営業-PC-0001', 'caf\u00e9-50%']) expect((await beat(id)).statusCode).toBe(204);
      clock.ms += 60 * 60_000;
      expect(await c.checkStale()).toHaveLength(2);
      await c.outbox.idle(5_000);
      const posted = received.map((r, i) => ({ id: r.device?.deviceId, key: keys[i] }));
      expect(posted).toEqual(
        expect.arrayContaining([
          { id: '営業-PC-0001', key: expect.stringMatching(/^stale:%E5%96%B6%E6%A5%AD-PC-0001:[\x21-\x7e]+$/) },
          { id: 'caf\u00e9-50%', key: expect.stringMatching(/^stale:caf%C3%A9-50%25:[\x21-\x7e]+$/) },
        ]),
      );
      expect(posted).toHaveLength(2);
    } finally {
      await close();
    }
  });
});

describe('stale-device alerts under a flood of made-up devices (SQLite)', () => {
  it('posts the real device, at most the cap one by one, and one digest for the rest', async () => {
    const { c, received, clock, beat, close } = await floodCollector();
    try {
      expect(await c.checkStale()).toEqual([]);
      // The real PC, heard from every 15 minutes for two hours.
      for (let i = 0; i < 8; i++) {
        expect((await beat('real-pc-0001')).statusCode).toBe(204);
        clock.ms += 15 * 60_000;
      }
      // Its last heartbeat, and at the same moment 200 made-up ids, each sent once.
      expect((await beat('real-pc-0001')).statusCode).toBe(204);
      for (let i = 0; i < 200; i++) expect((await beat(`fake-${String(i).padStart(4, '0')}`)).statusCode).toBe(204);
      clock.ms += 60 * 60_000;
      expect(await c.checkStale()).toHaveLength(201);
      await c.outbox.idle();
      const single = received.filter((r) => r.kind === 'upload-guard.device-stale');
      const digests = received.filter((r) => r.kind === 'upload-guard.devices-stale');
      expect(single).toHaveLength(STALE_ALERTS_PER_CHECK);
      expect(single[0]!.device!.deviceId).toBe('real-pc-0001');
      expect(digests.map((d) => d.count)).toEqual([201 - STALE_ALERTS_PER_CHECK]);
      // The same devices at the next check: nothing more.
      clock.ms += 60_000;
      await c.checkStale();
      await c.outbox.idle();
      expect(received).toHaveLength(STALE_ALERTS_PER_CHECK + 1);
    } finally {
      await close();
    }
  }, 60_000);

  it("one user's many silent devices do not hide another user's", async () => {
    const { c, received, clock, beat, close } = await floodCollector();
    const NOISY = 150;
    try {
      expect(await c.checkStale()).toEqual([]);
      // A lab of 150 PCs under one account and hanako's PC, all heard from for two hours; hanako's went silent last.
      for (let i = 0; i < 9; i++) {
        for (let n = 0; n < NOISY; n++) expect((await beat(`lab-${String(n).padStart(4, '0')}`, 'lab-kiosk@example.co.jp')).statusCode).toBe(204);
        expect((await beat('hanako-pc', 'hanako@example.co.jp')).statusCode).toBe(204);
        if (i < 8) clock.ms += 15 * 60_000;
      }
      clock.ms += 60_000;
      expect((await beat('hanako-pc', 'hanako@example.co.jp')).statusCode).toBe(204);
      clock.ms += 60 * 60_000;
      expect(await c.checkStale()).toHaveLength(NOISY + 1);
      await c.outbox.idle();
      const single = received.filter((r) => r.kind === 'upload-guard.device-stale');
      const [digest] = received.filter((r) => r.kind === 'upload-guard.devices-stale');
      expect(single).toHaveLength(STALE_ALERTS_PER_CHECK);
      // hanako's PC has a post of its own although 150 others went silent before it.
      expect(single.map((s) => s.device!.deviceId)).toContain('hanako-pc');
      expect(digest!.count).toBe(NOISY + 1 - STALE_ALERTS_PER_CHECK);
      expect(digest!.users).toEqual([{ user: 'lab-kiosk@example.co.jp', count: NOISY + 1 - STALE_ALERTS_PER_CHECK, devices: expect.any(Array) }]);
      expect(digest!.text).toContain(`of 1 user stopped sending heartbeats: "lab-kiosk@example[.]co[.]jp" ${NOISY + 1 - STALE_ALERTS_PER_CHECK} (`);
    } finally {
      await close();
    }
  }, 120_000);

  it('the digest names every user with their count and lists one device per user in turn', () => {
    const at = (deviceId: string, user: string | null) => ({ deviceId, user, browser: 'chrome', extensionVersion: '1.0.0', policyVersion: '1', lastSeen: '2026-11-24T09:00:00.000Z', silentMinutes: 60 });
    const devices = [
      ...Array.from({ length: 300 }, (_, i) => at(`lab-${i}`, 'lab-kiosk@example.co.jp')),
      at('hanako-pc', 'hanako@example.co.jp'),
      at('nameless-pc', null),
    ];
    const d = staleDigestAlert(devices as Parameters<typeof staleDigestAlert>[0], 'stale-digest:x');
    expect(d.count).toBe(302);
    expect(d.users.map((u) => [u.user, u.count])).toEqual([
      ['lab-kiosk@example.co.jp', 300],
      ['hanako@example.co.jp', 1],
      [null, 1],
    ]);
    expect(d.otherUsers).toBe(0);
    expect(d.devices).toHaveLength(DIGEST_DEVICES);
    expect(d.devices.slice(0, 3).map((x) => x.deviceId)).toEqual(['lab-0', 'hanako-pc', 'nameless-pc']);
    expect(d.text).toContain('302 more devices of 3 users');
    expect(d.text).toContain('"hanako@example[.]co[.]jp" 1 ("hanako-pc")');
    expect(d.text).toContain('"unknown user" 1 ("nameless-pc")');
  });
});
