/** The collector over real HTTP (Fastify listening on port 0) with real SQLite storage. */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import type { StoredEvent, UploadEvent } from '../../src/events/schema.js';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { cefHeader, cefValue, toCef } from '../../src/collector/alerts/cef.js';
import { webhookReceiver } from '../support/webhook.js';

const INGEST = 'ingest-token-for-tests-0123456789';
const ADMIN = 'admin-token-for-tests-9876543210';
const dirs: string[] = [];

async function start(extra: Partial<CollectorOptions> = {}): Promise<{ c: Collector; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-collector-'));
  dirs.push(dir);
  const c = await createCollector({
    storage: new SqliteStorage({ path: join(dir, 'events.db') }),
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    ingestRateLimit: { perSecond: 1000, burst: 1000 },
    adminRateLimit: { perSecond: 1000, burst: 1000 },
    timeWindow: false, // fixed sample dates; the window has its own test
    ...extra,
  });
  return { c, url: await c.listen(0) };
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const auth = (t: string) => ({ authorization: `Bearer ${t}` });

function post(url: string, path: string, body: unknown, token = INGEST, raw = false) {
  return fetch(url + path, {
    method: 'POST',
    headers: { ...auth(token), 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

const get = (url: string, path: string, token = ADMIN, headers: Record<string, string> = {}) =>
  fetch(url + path, { headers: { ...auth(token), ...headers } });

describe('collector API', () => {
  let c: Collector;
  let url: string;
  beforeAll(async () => {
    ({ c, url } = await start());
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
  });

  it('GET /healthz needs no token and says nothing secret; every response has security headers', async () => {
    const res = await fetch(url + '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const notFound = await fetch(url + '/nope');
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses missing, wrong and wrong-kind tokens', async () => {
    const e = { events: [sampleEvent()] };
    expect((await fetch(url + '/v1/events', { method: 'POST', body: JSON.stringify(e), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await post(url, '/v1/events', e, 'wrong-token')).status).toBe(401);
    expect((await post(url, '/v1/events', e, ADMIN)).status).toBe(403);
    expect((await fetch(url + '/v1/admin/events')).status).toBe(401);
    expect((await get(url, '/v1/admin/events', 'wrong-token')).status).toBe(401);
    const asIngest = await get(url, '/v1/admin/events', INGEST);
    expect(asIngest.status).toBe(403);
    expect((await asIngest.json()).error).toMatch(/ingest token/);
    expect((await get(url, '/v1/admin/summary', INGEST)).status).toBe(403);
    expect((await get(url, '/v1/admin/export', INGEST)).status).toBe(403);
    expect((await get(url, '/metrics', INGEST)).status).toBe(403);
    expect((await fetch(url + '/metrics')).status).toBe(401);
    expect(await c.storage.count()).toBe(0);
  });

  it('refuses malformed JSON, wrong content types and invalid events, storing nothing', async () => {
    const malformed = await post(url, '/v1/events', '{"events": [', INGEST, true);
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toMatch(/malformed/);
    const text = await fetch(url + '/v1/events', { method: 'POST', headers: { ...auth(INGEST), 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
    const proto = await post(url, '/v1/events', '{"events":[],"__proto__":{"x":1}}', INGEST, true);
    expect(proto.status).toBe(400);

    const good = sampleEvent();
    const bad = { ...sampleEvent(), sha256: 'nothex' };
    const res = await post(url, '/v1/events', { events: [good, good, good, bad] });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe('events[3].sha256: expected 64 lowercase hex characters');
    expect(body.errors).toContain('events[3].sha256: expected 64 lowercase hex characters');
    expect((await post(url, '/v1/events', { events: [{ ...good, excerpt: '秘 Confidential' }] })).status).toBe(400);
    expect((await post(url, '/v1/events', [good])).status).toBe(400);
    expect(await c.storage.count()).toBe(0);
  });

  it('refuses oversized bodies with 413', async () => {
    const huge = JSON.stringify({ events: [sampleEvent({ fileName: 'x'.repeat(1000) })], pad: 'y'.repeat(1024 * 1024) });
    const res = await post(url, '/v1/events', huge, INGEST, true);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/too large/);
    expect(await c.storage.count()).toBe(0);
  });

  it('stores a batch once and reports duplicates on resend', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => sampleEvent({ time: new Date(Date.now() - i * 60_000).toISOString() }));
    const first = await post(url, '/v1/events', { events: batch });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 50, duplicates: 0 });
    const again = await post(url, '/v1/events', { events: [...batch.slice(0, 10), sampleEvent()] });
    expect(await again.json()).toEqual({ accepted: 1, duplicates: 10 });
    expect(await c.storage.count()).toBe(51);
  });

  it('records heartbeats per device', async () => {
    expect((await post(url, '/v1/heartbeat', sampleHeartbeat({ deviceId: 'pc-1', queueLength: 3, dropped: 1 }))).status).toBe(204);
    expect((await post(url, '/v1/heartbeat', sampleHeartbeat({ deviceId: 'pc-1', queueLength: 0, dropped: 1 }))).status).toBe(204);
    const bad = await post(url, '/v1/heartbeat', { ...sampleHeartbeat(), queueLength: -1 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^queueLength:/);
    const res = await get(url, '/v1/admin/devices');
    const { devices } = await res.json();
    expect(devices.find((d: { deviceId: string }) => d.deviceId === 'pc-1')).toMatchObject({ queueLength: 0, dropped: 1 });
  });
});

describe('admin queries', () => {
  let c: Collector;
  let url: string;
  const base = Date.parse('2026-10-01T00:00:00.000Z');
  const fixtures: UploadEvent[] = [];
  beforeAll(async () => {
    ({ c, url } = await start());
    const services = ['gmail', 'yahoo-mail', 'gigafile'] as const;
    for (let i = 0; i < 30; i++) {
      const marked = i % 3 !== 2;
      fixtures.push(
        sampleEvent({
          time: new Date(base + i * 3_600_000).toISOString(),
          service: services[i % 3],
          serviceName: services[i % 3],
          user: i % 2 ? 'alice' : 'bob',
          deviceId: `pc-${i % 4}`,
          verdict: marked ? 'marked' : 'clean',
          rule: marked ? ((i % 2) + 1) as 1 | 2 : null,
          action: marked ? (i % 5 === 0 ? 'warn' : 'block') : 'allow',
          outcome: marked ? (i % 5 === 0 ? 'pending' : 'blocked') : 'allowed',
          fileName: i === 7 ? '=HYPERLINK("http://evil/","x").xlsx' : `file-${i}.docx`,
        }),
      );
    }
    expect((await post(url, '/v1/events', { events: fixtures })).status).toBe(200);
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
  });

  const list = async (qs: string) => {
    const res = await get(url, `/v1/admin/events?${qs}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { events: StoredEvent[]; nextCursor: string | null };
  };

  it('filters by time range, service, verdict, action, user, device, rule and file name', async () => {
    expect((await list('from=2026-10-01T10:00:00Z&to=2026-10-01T12:00:00Z')).events).toHaveLength(2);
    const gm = await list('service=gmail&verdict=marked');
    expect(gm.events.every((e) => e.service === 'gmail' && e.verdict === 'marked')).toBe(true);
    expect(gm.events).toHaveLength(fixtures.filter((e) => e.service === 'gmail' && e.verdict === 'marked').length);
    expect((await list('action=block,warn')).events).toHaveLength(20);
    expect((await list('user=alice&device=pc-1')).events.length).toBe(fixtures.filter((e) => e.user === 'alice' && e.deviceId === 'pc-1').length);
    expect((await list('rule=2')).events.every((e) => e.rule === 2)).toBe(true);
    expect((await list('q=HYPERLINK')).events.map((e) => e.id)).toEqual([fixtures[7]!.id]);
    expect((await list('from=3000d&limit=1000')).events).toHaveLength(30);
  });

  it('refuses bad parameters with 400 naming them', async () => {
    for (const [qs, msg] of [
      ['verdict=maybe', /^verdict/],
      ['from=yesterday', /^from: expected an ISO-8601/],
      ['limit=100000', /^limit/],
      ['cursor=abc', /cursor/],
      ['bogus=1', /bogus: unknown field/],
      ['user=a&user=b', /user: given more than once/],
    ] as const) {
      const res = await get(url, `/v1/admin/events?${qs}`);
      expect(res.status, qs).toBe(400);
      expect((await res.json()).error, qs).toMatch(msg);
    }
  });

  it('paginates with opaque cursors in a stable (time, id) order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`from=3000d&limit=7&sort=time${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(fixtures.map((e) => e.id));
    const newest = await list('from=3000d&limit=1');
    expect(newest.events[0]!.id).toBe(fixtures[29]!.id);
  });

  it('encodes pages as JSON, NDJSON and CSV (format= or Accept)', async () => {
    const nd = await get(url, '/v1/admin/events?from=3000d&limit=5&format=ndjson');
    expect(nd.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(nd.headers.get('x-next-cursor')).toBeTruthy();
    const lines = (await nd.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0]!).v).toBe(1);

    const csv = await get(url, '/v1/admin/events?from=3000d&limit=100&q=HYPERLINK', ADMIN, { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
    const text = bytes.toString('utf8');
    expect(text.split('\r\n')[0]).toMatch(/^\uFEFFv,id,relatesTo,time/);
    expect(text).toContain(`"'=HYPERLINK(""http://evil/"",""x"").xlsx"`);
  });

  it('exports every matching event, streamed, in each format', async () => {
    const csv = await get(url, '/v1/admin/export?from=3000d&verdict=marked');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="upload-guard-events-\d+T\d+\.csv"/);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows).toHaveLength(1 + 20);
    const json = (await (await get(url, '/v1/admin/export?from=3000d&format=json')).json()) as StoredEvent[];
    expect(json).toHaveLength(30);
    const nd = await (await get(url, '/v1/admin/export?from=3000d&format=ndjson&service=gigafile')).text();
    expect(nd.trimEnd().split('\n')).toHaveLength(10);
  });

  it('summarises per service, day, verdict and action', async () => {
    const res = await get(url, '/v1/admin/summary?from=3000d&tz=540');
    const s = await res.json();
    expect(s.total).toBe(30);
    expect(s.byService).toHaveLength(3);
    expect(s.byService[0].count).toBe(10);
    // 30 hours from 2026-10-01T00:00Z in JST (+9): 15 h on 10-01, 15 h on 10-02.
    expect(s.byDay).toEqual([
      { day: '2026-10-01', count: 15 },
      { day: '2026-10-02', count: 15 },
    ]);
    expect(s.byVerdict).toEqual([
      { verdict: 'marked', count: 20 },
      { verdict: 'clean', count: 10 },
    ]);
    expect((await get(url, '/v1/admin/summary?tz=9999')).status).toBe(400);
  });

  it('exposes Prometheus metrics to the admin token', async () => {
    const res = await get(url, '/metrics');
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^upload_guard_events_ingested_total 30$/m);
    expect(text).toMatch(/^upload_guard_events_duplicate_total 0$/m);
    expect(text).toMatch(/upload_guard_storage_seconds_count\{op="insert"\} 1/);
    expect(text).toContain('upload_guard_storage_info{backend="sqlite"} 1');
  });
});

describe('collector limits, retention and alerts', () => {
  it('answers 429 with Retry-After when one client floods it, and counts it', async () => {
    // A refill of one token per 100 s: under a loaded machine ten requests took over a second, and one
    // token refilled at 1/s let a sixth request through (CI preview, load 9).
    const { c, url } = await start({ ingestRateLimit: { perSecond: 0.01, burst: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await post(url, '/v1/events', { events: [sampleEvent()] })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
      const res = await post(url, '/v1/events', { events: [sampleEvent()] });
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(c.metrics.rateLimited).toBeGreaterThanOrEqual(6);
      expect(await c.storage.count()).toBe(5);
      // Made-up tokens do not get a fresh bucket each: refused requests from one IP share one.
      const guesses: number[] = [];
      for (let i = 0; i < 8; i++) guesses.push((await post(url, '/v1/events', { events: [] }, `guess-${i}`)).status);
      expect(guesses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(guesses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await c.close();
      await c.storage.close();
    }
  });

  it('purges events older than the retention period at start and on demand', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const dir = mkdtempSync(join(tmpdir(), 'ug-retention-'));
    dirs.push(dir);
    const storage = new SqliteStorage({ path: join(dir, 'events.db') });
    const day = 86_400_000;
    await storage.insertEvents(
      [400, 200, 10].map((d) => sampleEvent({ time: new Date(now - d * day).toISOString() })),
      now,
    );
    const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], retentionDays: 365, now: () => now });
    try {
      expect(await storage.count()).toBe(2); // the 400-day-old event went at start
      now += 190 * day;
      expect(await c.purgeExpired()).toBe(1);
      expect(await storage.count()).toBe(1);
      expect(c.metrics.eventsPurged).toBe(2);
    } finally {
      await c.close();
      await storage.close();
    }
  });

  it('calls the incident webhook within seconds of a block/warn event (not for allow, not for resends)', async () => {
    const received: { body: { kind: string; alertId: string; text: string; event: UploadEvent }; at: number }[] = [];
    let failFirst = true;
    const hook = createHttpServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        if (failFirst) {
          // The first delivery fails: the queue must retry.
          failFirst = false;
          res.writeHead(503).end();
          return;
        }
        received.push({ body: JSON.parse(data), at: Date.now() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    const { c, url } = await start({ alerts: { webhookUrl: `http://127.0.0.1:${port}/hook`, backoff: [100, 100, 100] } });
    try {
      const block = sampleEvent({ fileName: '<b>秘—x</b>.docx' });
      const warn = sampleEvent({ action: 'warn', outcome: 'pending' });
      const allow = sampleEvent({ verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed' });
      const sent = Date.now();
      const res = await post(url, '/v1/events', { events: [block, warn, allow] });
      expect(res.status).toBe(200);
      await post(url, '/v1/events', { events: [block] }); // a resend must not alert again
      const deadline = Date.now() + 5000;
      while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await c.outbox.idle();
      expect(received.map((r) => r.body.event.id).sort()).toEqual([block.id, warn.id].sort());
      expect(Math.max(...received.map((r) => r.at)) - sent).toBeLessThan(5000);
      const b = received.find((r) => r.body.event.id === block.id)!.body;
      expect(b.kind).toBe('upload-guard.incident');
      expect(b.text).toContain('"&lt;b&gt;秘—x&lt;/b&gt;.docx" blocked on "Gmail" (rule 2)');
      expect(b.alertId).toBe(`incident:${block.id}`);
      expect(c.metrics.alertsFailed).toBe(1);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  });

  it('alerts once through the webhook when a device goes stale (not for devices stale before start), and counts devices in /metrics', async () => {
    const hook = await webhookReceiver<{ kind: string; text: string; device: { deviceId: string; silentMinutes: number } }>();
    const received = hook.received;
    let clock = Date.parse('2026-11-24T09:00:00Z');
    const beat = (u: string, deviceId: string) =>
      post(u, '/v1/heartbeat', sampleHeartbeat({ deviceId, time: new Date(clock).toISOString(), heartbeatMinutes: 15 }));
    const first = await start({ now: () => clock });
    // One device known before the collector restarts, silent long enough to be stale at the restart.
    expect((await beat(first.url, 'pc-old-news')).status).toBe(204);
    await first.c.close();
    clock += 60 * 60_000;
    const { c, url } = await start({
      storage: first.c.storage,
      now: () => clock,
      alerts: { webhookUrl: hook.url, backoff: [100] },
      staleCheckIntervalMs: 3_600_000,
    });
    try {
      expect((await beat(url, '<img src=x onerror=alert(1)>')).status).toBe(204);
      expect(await c.checkStale()).toEqual([]);
      clock += 49 * 60_000; // 3 × 15 + 5 = 50 minutes allowed
      expect(await c.checkStale()).toEqual([]);
      clock += 2 * 60_000;
      expect((await c.checkStale()).map((d) => d.deviceId)).toEqual(['<img src=x onerror=alert(1)>']);
      expect(await c.checkStale()).toEqual([]); // reported once
      await c.outbox.idle();
      expect(received).toHaveLength(1);
      expect(received[0]!.kind).toBe('upload-guard.device-stale');
      expect(received[0]!.device).toMatchObject({ deviceId: '<img src=x onerror=alert(1)>', silentMinutes: 51 });
      expect(received[0]!.text).toContain('no heartbeat from device "&lt;img src=x onerror=alert(1)&gt;"');
      const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(metrics).toContain('upload_guard_devices{status="stale"} 2');
      expect(metrics).toContain('upload_guard_devices{status="active"} 0');
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  });

  it('forwards every event to a syslog listener as CEF over UDP', async () => {
    const sock = createSocket('udp4');
    const lines: string[] = [];
    sock.on('message', (m) => lines.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const { c, url } = await start({ alerts: { syslogUrl: `udp://127.0.0.1:${sock.address().port}` } });
    try {
      const e = sampleEvent({ fileName: 'a|b=c\\d.docx', justification: 'x\ny' });
      const allow = sampleEvent({ verdict: 'clean', rule: null, action: 'allow', outcome: 'allowed' });
      await post(url, '/v1/events', { events: [e, allow] });
      const deadline = Date.now() + 5000;
      while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^<162>1 \S+ \S+ upload-guard - - - CEF:0\|Upload Guard\|Upload Guard\|[^|]+\|upload-marked-block\|marked upload blocked\|8\|/);
      expect(lines[0]).toContain('fname=a|b\\=c\\\\d.docx');
      expect(lines[0]).toContain('cs4=x\\ny');
      expect(lines[0]).toContain(`externalId=${e.id}`);
      expect(lines[1]).toContain('upload-clean-allow');
    } finally {
      await c.close();
      await c.storage.close();
      sock.close();
    }
  });

  it('forwards to a syslog listener over TCP, newline-framed, in order', async () => {
    let data = '';
    const server = createTcpServer((s) => s.on('data', (d) => (data += d.toString('utf8'))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { c, url } = await start({ alerts: { syslogUrl: `tcp://127.0.0.1:${(server.address() as { port: number }).port}` } });
    try {
      const events = Array.from({ length: 5 }, (_, i) => sampleEvent({ time: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }));
      await post(url, '/v1/events', { events });
      const deadline = Date.now() + 5000;
      while (data.split('\n').length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const lines = data.trimEnd().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines.map((l) => /externalId=(\S+)/.exec(l)![1])).toEqual(events.map((e) => e.id));
    } finally {
      await c.close();
      await c.storage.close();
      server.close();
    }
  });

  it('CEF escaping: header escapes | and \\, extension escapes = and \\ and line breaks', () => {
    expect(cefHeader('a|b\\c')).toBe('a\\|b\\\\c');
    expect(cefValue('a=b\\c\r\nd|e')).toBe('a\\=b\\\\c\\r\\nd|e');
    const cef = toCef(sampleEvent({ service: 'x', serviceName: null, user: 'u=1' }));
    expect(cef).toContain('suser=u\\=1');
    expect(cef.split('|')).toHaveLength(8);
  });

  it('refuses to start with shared or missing tokens', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    await expect(createCollector({ storage, ingestTokens: ['same'], adminTokens: ['same'] })).rejects.toThrow(/differ/);
    await expect(createCollector({ storage, ingestTokens: [], adminTokens: ['a'] })).rejects.toThrow(/ingest token/);
    await storage.close();
    expect(randomUUID()).toBeTruthy();
  });
});
