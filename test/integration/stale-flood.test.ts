/**
 * Red team G7: heartbeats for made-up device ids, sent once, became one "no heartbeat from device …"
 * chat post each when they went stale (1,000 → 636 posts), hiding the one real "extension removed"
 * among them. Now a check posts at most STALE_ALERTS_PER_CHECK devices one by one (devices heard from for
 * a while first) and one digest for the rest; a check that finds the same devices again posts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleHeartbeat } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { STALE_ALERTS_PER_CHECK } from '../../src/collector/stale-watch.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'ingest-token-for-stale-flood-0123456789';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('stale-device alerts under a flood of made-up devices (SQLite)', () => {
  it('posts the real device, at most the cap one by one, and one digest for the rest', async () => {
    const received: { kind: string; count?: number; device?: { deviceId: string } }[] = [];
    const hook = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        received.push(JSON.parse(data));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'ug-staleflood-'));
    dirs.push(dir);
    let clock = Date.parse('2026-11-24T09:00:00Z');
    const c = await createCollector({
      storage: new SqliteStorage({ path: join(dir, 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: ['admin-token-for-stale-flood-0123456789'],
      ingestRateLimit: { perSecond: 10_000, burst: 10_000 },
      timeWindow: false,
      now: () => clock,
      alerts: { webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`, backoff: [100] },
      staleCheckIntervalMs: 3_600_000,
    });
    const beat = (deviceId: string) =>
      c.app.inject({ method: 'POST', url: '/v1/heartbeat', headers: { authorization: `Bearer ${INGEST}` }, payload: sampleHeartbeat({ deviceId, time: new Date(clock).toISOString(), heartbeatMinutes: 15 }) });
    try {
      expect(await c.checkStale()).toEqual([]);
      // The real PC, heard from every 15 minutes for two hours.
      for (let i = 0; i < 8; i++) {
        expect((await beat('real-pc-0001')).statusCode).toBe(204);
        clock += 15 * 60_000;
      }
      // Its last heartbeat, and at the same moment 200 made-up ids, each sent once.
      expect((await beat('real-pc-0001')).statusCode).toBe(204);
      for (let i = 0; i < 200; i++) expect((await beat(`fake-${String(i).padStart(4, '0')}`)).statusCode).toBe(204);
      clock += 60 * 60_000;
      expect(await c.checkStale()).toHaveLength(201);
      await c.outbox.idle();
      const single = received.filter((r) => r.kind === 'upload-guard.device-stale');
      const digests = received.filter((r) => r.kind === 'upload-guard.devices-stale');
      expect(single).toHaveLength(STALE_ALERTS_PER_CHECK);
      expect(single[0]!.device!.deviceId).toBe('real-pc-0001');
      expect(digests.map((d) => d.count)).toEqual([201 - STALE_ALERTS_PER_CHECK]);
      // The same devices at the next check: nothing more.
      clock += 60_000;
      await c.checkStale();
      await c.outbox.idle();
      expect(received).toHaveLength(STALE_ALERTS_PER_CHECK + 1);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  }, 60_000);
});
