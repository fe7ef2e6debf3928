/**
 * The collector under faults: kill -9 during a burst and during alert delivery (a real child process),
 * two collectors on one PostgreSQL, PostgreSQL hung and stopped (through a TCP proxy this test controls:
 * PostgreSQL itself is shared with other tests, so it is never signalled), a corrupt SQLite file, and
 * clients that send slowly or keep sending after a refusal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { ROOT, burst, exited, incident, postEvents as postAs, receiver, sleep, spawnCollector as spawnOne, until } from './collector-process.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const INGEST = 'faults-ingest-token-0123456789';
const ADMIN = 'faults-admin-token-0123456789';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ug-faults-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function spawnCollector(data: string, webhook: string): Promise<{ child: ChildProcess; url: string }> {
  return spawnOne(data, webhook, { UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, DATABASE_URL: '' });
}

const postEvents = (url: string, events: unknown[], token = INGEST) => postAs(url, events, token);

describe('kill -9', () => {
  it('loses no acknowledged event and no alert of one, during a burst and during alert delivery', async () => {
    const data = tmp();
    // A slow receiver: alerts are still being delivered when the collector is killed.
    const hook = await receiver(5);
    let { child, url } = await spawnCollector(data, hook.url);
    // 16 clients, each sending batches of 20 incidents until the kill.
    const load = burst(url, INGEST, 16);
    const acked = load.acked;
    // The receiver stalls once delivery has begun, so the kill always finds acknowledged alerts not yet
    // delivered (on a fast machine delivery could otherwise keep pace with the burst).
    await until('delivery under way', () => hook.ids.length > 0);
    hook.pause();
    const delivered = new Set(hook.ids).size;
    await until('a burst under way', () => acked.length >= delivered + 600);
    child.kill('SIGKILL');
    await load.stop();
    await exited(child);
    hook.resume(); // the alerts held when the collector died are recorded now: they may come again
    const deliveredBeforeKill = new Set(hook.ids).size;
    expect(deliveredBeforeKill).toBeLessThan(acked.length); // the kill really came during delivery

    ({ child, url } = await spawnCollector(data, hook.url));
    try {
      await until('every acknowledged alert delivered', () => acked.every((id) => hook.ids.includes(`incident:${id}`)), 60_000);
      const storage = new SqliteStorage({ path: join(data, 'events.db') });
      try {
        const stored = new Set<string>();
        let cursor: string | null = null;
        do {
          const page = await storage.queryEvents({ limit: 1000, cursor });
          page.events.forEach((e) => stored.add(e.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(acked.filter((id) => !stored.has(id))).toEqual([]);
      } finally {
        await storage.close();
      }
      // Resends only for the alerts in flight at the kill (one leased batch at most).
      const repeats = hook.ids.length - new Set(hook.ids).size;
      expect(repeats).toBeLessThanOrEqual(64);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      hook.server.close();
    }
  }, 120_000);
});

describe.skipIf(!PG_URL)('two collectors on one PostgreSQL', () => {
  const schema = `ug_faults_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  afterAll(async () => {
    const s = await PostgresStorage.open({ connectionString: PG_URL!, schema });
    await s.dropSchema();
    await s.close();
  });

  it('migrate together, then send each incident and each stale-device alert exactly once', async () => {
    const hook = await receiver();
    let clock = Date.now();
    // Both open a fresh schema at the same moment: the migration runs once.
    const [sa, sb] = await Promise.all([0, 1].map(() => PostgresStorage.open({ connectionString: PG_URL!, schema })));
    const opts = (storage: PostgresStorage): CollectorOptions => ({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      ingestRateLimit: { perSecond: 0, burst: 0 },
      now: () => clock,
      alerts: { webhookUrl: hook.url, backoff: [50], pollMs: 50 },
      staleCheckIntervalMs: 3_600_000,
    });
    const a = await createCollector(opts(sa!));
    const b = await createCollector(opts(sb!));
    const [ua, ub] = [await a.listen(0), await b.listen(0)];
    try {
      const events = Array.from({ length: 400 }, incident);
      for (let i = 0; i < 400; i += 50) expect((await postEvents(i % 100 ? ua : ub, events.slice(i, i + 50))).status).toBe(200);
      await a.outbox.idle();
      await until('400 alerts', () => hook.ids.length >= 400);
      await sleep(300);
      expect(hook.ids.length).toBe(400);
      expect(new Set(hook.ids).size).toBe(400);

      // A device goes silent; both collectors look, several times: one alert.
      const beat = await fetch(`${ua}/v1/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleHeartbeat({ deviceId: 'pc-goes-silent', heartbeatMinutes: 15 })),
      });
      expect(beat.status).toBe(204);
      clock += 51 * 60_000;
      await Promise.all([a.checkStale(), b.checkStale(), a.checkStale(), b.checkStale()]);
      await until('the stale alert', () => hook.ids.some((id) => id.startsWith('stale:pc-goes-silent:')));
      await sleep(300);
      expect(hook.ids.filter((id) => id.startsWith('stale:')).length).toBe(1);
      const m = await (await fetch(`${ua}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(m).toContain('upload_guard_alerts_pending 0');
      expect(m).toMatch(/upload_guard_alerts_delivered 401/);
    } finally {
      await a.close();
      await b.close();
      await sa!.close();
      await sb!.close();
      hook.server.close();
    }
  }, 60_000);
});

/** A TCP proxy to PostgreSQL that can stop forwarding (a hung server) or drop everything (a stopped one). */
async function pgProxy(target: URL) {
  const sockets = new Set<Socket>();
  let hung = false;
  const server = createTcpServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d) => !hung && upstream.write(d));
    upstream.on('data', (d) => !hung && client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target.href);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.href,
    hang: () => (hung = true),
    resume: () => (hung = false),
    /** Every connection dropped and new ones refused: a stopped server. */
    stop: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

describe.skipIf(!PG_URL)('PostgreSQL hung and stopped during ingest', () => {
  it('answers 503 within bounded time and says not ready; liveness stays ok', async () => {
    const proxy = await pgProxy(new URL(PG_URL!));
    const schema = `ug_hang_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const storage = await PostgresStorage.open({ connectionString: proxy.url, schema, statementTimeoutMs: 1000, connectTimeoutMs: 1000 });
    const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], timeWindow: false });
    const url = await c.listen(0);
    try {
      expect((await postEvents(url, [incident()])).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      proxy.hang();
      let t = Date.now();
      const res = await postEvents(url, [incident()]);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(Date.now() - t).toBeLessThan(6_000);
      t = Date.now();
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect(Date.now() - t).toBeLessThan(3_000);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      proxy.stop();
      t = Date.now();
      expect((await postEvents(url, [incident()])).status).toBe(503);
      expect(Date.now() - t).toBeLessThan(6_000);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
    } finally {
      await c.close();
      await storage.close().catch(() => {});
      const clean = await PostgresStorage.open({ connectionString: PG_URL!, schema });
      await clean.dropSchema();
      await clean.close();
    }
  }, 60_000);
});

describe('a corrupt SQLite file', () => {
  it('is refused at start with a clear message (not 500 to everything while /healthz says ok)', async () => {
    const dir = tmp();
    const path = join(dir, 'events.db');
    const s = new SqliteStorage({ path });
    for (let i = 0; i < 20; i++) await s.insertEvents(Array.from({ length: 100 }, () => sampleEvent({ fileName: 'x'.repeat(200) })), Date.now());
    await s.close();
    // Garbage over pages in the middle of the file (not the header: the file still opens as SQLite).
    const fd = openSync(path, 'r+');
    const size = statSync(path).size;
    for (let off = 8192; off < size - 4096; off += 16384) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, off);
    closeSync(fd);
    expect(() => new SqliteStorage({ path })).toThrow(/events\.db is damaged .*restore it from a backup/s);

    const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', dir], {
      cwd: ROOT,
      env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, DATABASE_URL: '' },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await exited(child);
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^upload-guard collector: cannot open the database: .*events\.db is damaged/);
  }, 60_000);
});

describe('slow and refused clients', () => {
  let c: Collector;
  let port: number;
  afterAll(async () => {
    await c.close();
    await c.storage.close();
  });

  /** Sends `head` and then waits; resolves with what came back and how long until the server closed. */
  function rawRequest(head: string, waitMs: number): Promise<{ text: string; closedAfter: number | null }> {
    return new Promise((resolve) => {
      const t = Date.now();
      const sock = connect(port, '127.0.0.1');
      let text = '';
      let closedAfter: number | null = null;
      sock.on('data', (d) => (text += d));
      sock.on('close', () => {
        closedAfter = Date.now() - t;
        resolve({ text, closedAfter });
      });
      sock.on('error', () => {});
      sock.write(head);
      setTimeout(() => {
        sock.destroy();
        resolve({ text, closedAfter });
      }, waitMs);
    });
  }

  it('cuts off a body that never finishes, and closes the connection after an early 401', async () => {
    c = await createCollector({
      storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      requestTimeoutMs: 1000,
    });
    port = Number(new URL(await c.listen(0)).port);
    // 200 slow-body connections: each is cut off by the request timeout.
    const slow = await Promise.all(
      Array.from({ length: 200 }, () =>
        rawRequest(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"events":[`, 8000),
      ),
    );
    for (const r of slow) {
      expect(r.closedAfter).not.toBeNull();
      expect(r.closedAfter!).toBeLessThan(6000);
    }
    // A client that trickles its body a byte at a time (never idle) is cut off by the request timeout.
    const trickle = await new Promise<number>((resolve) => {
      const t = Date.now();
      const sock = connect(port, '127.0.0.1');
      sock.on('error', () => {});
      sock.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
      const drip = setInterval(() => sock.write(' '), 200);
      sock.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - t);
      });
      setTimeout(() => sock.destroy(), 10_000);
    });
    expect(trickle).toBeLessThan(4000);
    // A refused token: 401 at once, then the connection is closed (the rest of the body is not read).
    const refused = await rawRequest(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token-0123456789abcdef\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"ev`, 5000);
    expect(refused.text).toMatch(/^HTTP\/1\.1 401/);
    expect(refused.text).toMatch(/connection: close/i);
    expect(refused.closedAfter).not.toBeNull();
    expect(refused.closedAfter!).toBeLessThan(1000);
  }, 60_000);

  it('sheds load with 503 and Retry-After when too much work is in hand', async () => {
    const busy = await createCollector({
      storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      admission: { maxRequests: 2 },
      requestTimeoutMs: 3000,
    });
    const url = await busy.listen(0);
    const p = Number(new URL(url).port);
    try {
      // Two requests whose bodies have not arrived hold both slots.
      const held = [0, 1].map(() => {
        const s = connect(p, '127.0.0.1');
        s.on('error', () => {});
        s.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
        return s;
      });
      await sleep(200);
      const res = await postEvents(url, [incident()]);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      held.forEach((s) => s.destroy());
      await sleep(200);
      expect((await postEvents(url, [incident()])).status).toBe(200);
      expect(busy.metrics.overloaded).toBeGreaterThanOrEqual(1);
    } finally {
      await busy.close();
      await busy.storage.close();
    }
  });
});
