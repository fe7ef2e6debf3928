/**
 * Work whose client has gone is abandoned, and a refused request does not keep its connection: a
 * collector stalled (SIGSTOP, as a machine past capacity stalls it) receives complete requests whose
 * clients then give up (a real HTTP client aborting); when it runs again it must not store them (the
 * client never saw an answer and resends), while a client that waited is answered and stored.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { exited, sleep, spawnCollector, until } from './collector-process.js';

const INGEST = 'abandon-ingest-token-0123456789';
const ADMIN = 'abandon-admin-token-0123456789';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ug-abandon-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** POSTs a batch with node:http; `abort` destroys the request once the whole body has been sent. */
function post(url: string, body: string, abort: boolean): Promise<number | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err) => (abort ? resolve('aborted') : reject(err)));
    req.end(body, () => {
      if (abort) setTimeout(() => req.destroy(), 100);
    });
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

describe('abandoned and refused requests', () => {
  it('does not store requests whose client gave up while the collector was stalled', async () => {
    const { child, url } = await spawnCollector(tmp(), 'http://127.0.0.1:9/never', { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN });
    try {
      const batch = (tag: string) => JSON.stringify({ events: Array.from({ length: 5 }, () => sampleEvent({ id: randomUUID(), deviceId: `pc-${tag}` })) });
      // Connections opened first, so the stalled process's listen backlog holds them.
      child.kill('SIGSTOP');
      const gone = Array.from({ length: 4 }, (_, i) => post(url, batch(`gone-${i}`), true));
      expect(await Promise.all(gone)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
      await sleep(200);
      child.kill('SIGCONT');
      // A client that waits for its answer is stored (sent once the collector runs again: one that
      // waited through the stall may be refused by admission by age, see collector-admission.test.ts).
      await sleep(1000);
      expect(await post(url, batch('waited'), false)).toBe(200);
      const devices = async (tag: string) => {
        const page = (await (await fetch(`${url}/v1/admin/events?device=pc-${tag}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { events: unknown[] };
        return page.events.length;
      };
      expect(await devices('waited')).toBe(5);
      for (let i = 0; i < 4; i++) expect(await devices(`gone-${i}`)).toBe(0);
      expect(await metric(url, 'upload_guard_abandoned_total')).toBe(4);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited(child);
    }
  }, 60_000);

  it('closes the connection after an early 429 while the client is still sending its body', async () => {
    const c = await createCollector({
      storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      ingestRateLimit: { perSecond: 0.01, burst: 1 },
    });
    const url = await c.listen(0);
    const port = Number(new URL(url).port);
    try {
      // Empty out this address's bucket (20 × the device limit) with small valid requests.
      let status = 0;
      for (let i = 0; i < 60 && status !== 429; i++) {
        const res = await fetch(`${url}/v1/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: '{}' });
        await res.arrayBuffer();
        status = res.status;
      }
      expect(status).toBe(429);
      // A slow client: headers, then its body a few bytes at a time. The 429 comes at once and the
      // connection is closed, so the rest of the body is never read.
      const t = Date.now();
      const result = await new Promise<{ text: string; closedAfter: number }>((resolve) => {
        let text = '';
        const sock = connect(port, '127.0.0.1');
        sock.on('error', () => {});
        sock.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"events":[`);
        const drip = setInterval(() => sock.writable && sock.write(' '), 100);
        sock.on('data', (d) => (text += d));
        sock.on('close', () => {
          clearInterval(drip);
          resolve({ text, closedAfter: Date.now() - t });
        });
        setTimeout(() => sock.destroy(), 10_000);
      });
      expect(result.text).toMatch(/^HTTP\/1\.1 429/);
      expect(result.text).toMatch(/retry-after: \d+/i);
      expect(result.text).toMatch(/connection: close/i);
      expect(result.closedAfter).toBeLessThan(2000);
      await until('the refusal to be counted', async () => c.metrics.rateLimited >= 2, 5000);
    } finally {
      await c.close();
    }
  }, 60_000);
});
