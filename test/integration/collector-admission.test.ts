/**
 * Admission by age: a request that waited too long for the CPU before it could be stored (here the
 * collector process is stopped, as other processes on the same cores starve it) is refused with 503 + Retry-After
 * instead of being stored late, so accepted requests stay fast; a body that is slow to arrive is not
 * refused for it. Off without `maxWaitMs` (the CLI sets it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { exited, sleep, spawnCollector } from './collector-process.js';

const INGEST = 'admission-ingest-token-0123456789';
const ADMIN = 'admission-admin-token-0123456789';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function collector(admission: CollectorOptions['admission']) {
  const dir = mkdtempSync(join(tmpdir(), 'ug-admission-'));
  dirs.push(dir);
  const c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: [ADMIN], admission });
  return { c, port: Number(new URL(await c.listen(0)).port) };
}

/** Sends the headers, waits `delayMs`, then the body; resolves with the raw answer. */
function request(port: number, delayMs: number): Promise<string> {
  const body = JSON.stringify({ events: [sampleEvent({ id: randomUUID() })] });
  return new Promise((resolve) => {
    let text = '';
    const sock = connect(port, '127.0.0.1');
    sock.on('error', () => {});
    sock.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
    setTimeout(() => sock.write(body), delayMs);
    sock.on('data', (d) => (text += d));
    sock.on('close', () => resolve(text));
  });
}

/** As the extension does: resend after a 503 (a loaded test machine may shed a request now and then). */
async function sendUntilStored(port: number): Promise<string> {
  let answer = '';
  for (let i = 0; i < 10 && !/^HTTP\/1\.1 200/.test(answer); i++) {
    if (i) await sleep(1000);
    answer = await request(port, 0);
  }
  return answer;
}

describe('admission by age', () => {
  it('refuses with 503 and Retry-After a request that waited for the CPU (collector process stalled) longer than 500 ms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-admission-'));
    dirs.push(dir);
    const { child, url } = await spawnCollector(dir, 'http://127.0.0.1:9/never', { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN });
    const port = Number(new URL(url).port);
    try {
      expect(await sendUntilStored(port)).toMatch(/^HTTP\/1\.1 200/);
      // The request arrives while the process gets no CPU for 1.5 s (as on a machine past capacity).
      child.kill('SIGSTOP');
      const late = request(port, 0);
      await sleep(1500);
      child.kill('SIGCONT');
      const answer = await late;
      expect(answer).toMatch(/^HTTP\/1\.1 503/);
      expect(answer).toMatch(/retry-after: \d+/i);
      // Once it runs freely again, requests are stored.
      await sleep(500);
      expect(await sendUntilStored(port)).toMatch(/^HTTP\/1\.1 200/);
      const page = (await (await fetch(`${url}/v1/admin/events`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { events: unknown[] };
      expect(page.events).toHaveLength(2);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited(child);
    }
  }, 60_000);

  it('does not refuse a body that is slow to arrive (a slow network is not a wait for the CPU)', async () => {
    // The body comes 4 s after the headers, far past the 1.5 s bound, which leaves room for the test
    // process's own event-loop lag on a loaded machine (a bound of 800 ms was crossed once in a CI
    // preview with three lanes on two cores: a real wait for the CPU, not the slow body).
    // Up to three tries: a body counted from its headers is refused every time (4 s > 1.5 s), a loop lag
    // only now and then (at a load of 22 on two cores it crossed even 1.5 s once).
    const { c, port } = await collector({ maxWaitMs: 1500 });
    try {
      const answers: string[] = [];
      do answers.push(await request(port, 4000));
      while (answers.length < 3 && !/^HTTP\/1\.1 200/.test(answers.at(-1)!));
      expect(answers.at(-1), answers.map((a) => a.split('\r\n')[0]).join(' | ')).toMatch(/^HTTP\/1\.1 200/);
      expect(await c.storage.count()).toBe(1);
      expect(c.metrics.overloaded).toBe(answers.length - 1);
    } finally {
      await c.close();
    }
  }, 60_000);
});
