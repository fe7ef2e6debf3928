/**
 * Collector benchmark: ingest rate and p99 latency over real HTTP (batches of 500 events, a plain
 * concurrent client), and the time of filtered pulls over 1,000,000 stored events, on SQLite and
 * PostgreSQL. Run alone with `node bin/run-ts.js bench/collector.ts`, or from `npm run bench`.
 *
 * PostgreSQL rows need UPLOAD_GUARD_TEST_PG (or UPLOAD_GUARD_BENCH_PG); a fresh schema is used and dropped.
 * UPLOAD_GUARD_BENCH_EVENTS overrides the 1,000,000 stored events (for a quick run).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleEvent, sampleHeartbeat } from '../src/events/sample.js';
import type { UploadEvent } from '../src/events/schema.js';
import { createCollector } from '../src/collector/server.js';
import { PostgresStorage } from '../src/collector/storage/postgres.js';
import { SqliteStorage } from '../src/collector/storage/sqlite.js';
import type { Storage } from '../src/collector/storage/types.js';
import { printTable, type Row } from './table.js';

const INGEST = 'bench-ingest-token-0123456789';
const ADMIN = 'bench-admin-token-0123456789';
const BATCH = 500;
const CONCURRENCY = 8;
const INGEST_EVENTS = 100_000;
const STORED = Number(process.env.UPLOAD_GUARD_BENCH_EVENTS ?? 1_000_000);
const DAY = 86_400_000;
const DEVICES = 20_000;
const SERVICES = [
  ['gmail', 'Gmail', 'webmail'],
  ['yahoo-mail', 'Yahoo!メール', 'webmail'],
  ['google-drive', 'Google Drive', 'sharing'],
  ['gigafile', 'GigaFile便', 'sharing'],
  ['chatgpt', 'ChatGPT', 'genai'],
] as const;

/** A realistic mix: most uploads are clean and allowed; about one in five is marked. */
function mixedEvent(i: number, time: number): UploadEvent {
  // Floor(i/5) so the marked events (every fifth) spread over every service too.
  const [service, serviceName, category] = SERVICES[Math.floor(i / 5) % SERVICES.length]!;
  const marked = i % 5 === 0;
  const unscannable = !marked && i % 37 === 0;
  return sampleEvent({
    id: randomUUID(),
    time: new Date(time).toISOString(),
    user: `user${i % 2000}@example.co.jp`,
    deviceId: `pc-${i % 3000}`,
    service,
    serviceName,
    category,
    fileName: marked ? `秘—見積書-${i}.xlsx` : `report-${i}.pdf`,
    size: 1000 + (i % 100_000),
    verdict: marked ? 'marked' : unscannable ? 'unscannable' : 'clean',
    rule: marked ? ((i % 3) + 1) as 1 | 2 | 3 : null,
    reason: marked ? 'name' : unscannable ? 'encrypted' : null,
    action: marked ? (i % 2 ? 'block' : 'warn') : 'allow',
    outcome: marked ? (i % 2 ? 'blocked' : 'pending') : 'allowed',
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Storage>;
  dispose(s: Storage): Promise<void>;
}

function backends(): Backend[] {
  const list: Backend[] = [];
  const dirs: string[] = [];
  list.push({
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ug-bench-'));
      dirs.push(dir);
      return new SqliteStorage({ path: join(dir, 'events.db') });
    },
    async dispose(s) {
      await s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  });
  const pg = process.env.UPLOAD_GUARD_BENCH_PG ?? process.env.UPLOAD_GUARD_TEST_PG;
  if (pg) {
    list.push({
      name: 'postgres',
      open: () => PostgresStorage.open({ connectionString: pg, schema: `ug_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}` }),
      async dispose(s) {
        await (s as PostgresStorage).dropSchema();
        await s.close();
      },
    });
  }
  return list;
}

/** POSTs INGEST_EVENTS events in batches of BATCH from CONCURRENCY clients; returns events/s and latencies. */
async function ingest(url: string): Promise<{ rate: number; p50: number; p99: number; shed: number; resets: number }> {
  const now = Date.now();
  // Bodies are serialised before the clock starts: we measure the collector, not the client.
  const bodies: string[] = [];
  for (let b = 0; b < INGEST_EVENTS / BATCH; b++) {
    const events = Array.from({ length: BATCH }, (_, i) => mixedEvent(b * BATCH + i, now - (b * BATCH + i) * 1000));
    bodies.push(JSON.stringify({ events }));
  }
  const latencies: number[] = [];
  let next = 0;
  let shed = 0;
  let resets = 0;
  const retry: string[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length || retry.length) {
        const body = retry.pop() ?? bodies[next++]!;
        const t = performance.now();
        let res: Response;
        try {
          res = await fetch(url + '/v1/events', {
            method: 'POST',
            headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
            body,
          });
        } catch {
          // A connection reset: count it and resend the batch (ids make the resend harmless).
          resets++;
          retry.push(body);
          continue;
        }
        const r = (await res.json()) as { accepted: number };
        if (res.status === 503) {
          // Shed: wait and send the same batch again, as the extension does.
          shed++;
          await new Promise((resolve) => setTimeout(resolve, 200));
          retry.push(body);
          continue;
        }
        if (res.status !== 200 || r.accepted + (r as { duplicates?: number }).duplicates! !== BATCH) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(r)}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - start) / 1000;
  return { rate: INGEST_EVENTS / secs, p50: pct(latencies, 50), p99: pct(latencies, 99), shed, resets };
}

/**
 * Ingest under a load: `clients` concurrent clients each POSTing batches of `batch` events for `ms`.
 * Returns accepted events/s, p99 of accepted requests, and how many were shed with 503.
 */
async function load(url: string, clients: number, batch: number, ms: number): Promise<{ rate: number; p99: number; shed: number; requests: number }> {
  const latencies: number[] = [];
  let shed = 0;
  let accepted = 0;
  let requests = 0;
  // Bodies made before the clock starts (the client must not be the bottleneck); reused round-robin, so
  // later rounds are resends the collector validates and skips as duplicates.
  const bodies = Array.from({ length: 400 }, (_, b) =>
    JSON.stringify({ events: Array.from({ length: batch }, (_, i) => ({ ...mixedEvent(b * batch + i, Date.now()), deviceId: `pc-load-${b % clients}` })) }),
  );
  let seq = 0;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const body = bodies[seq++ % bodies.length]!;
        const t = performance.now();
        let res: Response;
        try {
          res = await fetch(url + '/v1/events', { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body });
          await res.arrayBuffer();
        } catch {
          requests++;
          shed++; // a reset under overload counts as shed
          continue;
        }
        requests++;
        if (res.status === 200) {
          latencies.push(performance.now() - t);
          accepted += batch;
        } else if (res.status === 503) {
          shed++;
          await new Promise((r) => setTimeout(r, 50)); // a real client waits Retry-After; a short pause keeps the pressure on
        } else throw new Error(`ingest under load: HTTP ${res.status}`);
      }
    }),
  );
  return { rate: accepted / (ms / 1000), p99: pct(latencies, 99), shed, requests };
}

/** Ingest p99 (small batches, as browsers send) while an admin keeps loading the page's summary and first page. */
async function ingestWhileAdminReads(url: string, ms: number): Promise<{ ingestP99: number; summaryP50: number }> {
  let reading = true;
  const summaryTimes: number[] = [];
  const reader = (async () => {
    while (reading) {
      const t = performance.now();
      const [a, b] = await Promise.all([
        fetch(`${url}/v1/admin/summary?from=30d&tz=540`, { headers: { authorization: `Bearer ${ADMIN}` } }),
        fetch(`${url}/v1/admin/events?from=30d&limit=100`, { headers: { authorization: `Bearer ${ADMIN}` } }),
      ]);
      await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
      summaryTimes.push(performance.now() - t);
    }
  })();
  const r = await load(url, 4, 20, ms);
  reading = false;
  await reader;
  return { ingestP99: r.p99, summaryP50: pct(summaryTimes, 50) };
}

/** A burst of `n` incidents through the webhook to a local receiver: time until every alert arrived. */
async function webhookBurst(storage: Storage, n: number): Promise<{ secs: number; delivered: number; unique: number }> {
  const { createServer } = await import('node:http');
  const ids: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      ids.push((JSON.parse(body) as { alertId: string }).alertId);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], ingestRateLimit: { perSecond: 0, burst: 0 }, alerts: { webhookUrl: hook } });
  const url = await c.listen(0);
  const start = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({ ...mixedEvent(5 * (i + j), Date.now()), action: 'block' as const, outcome: 'blocked' as const }));
    const res = await fetch(url + '/v1/events', { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    if (res.status !== 200) throw new Error(`burst: HTTP ${res.status}`);
  }
  const deadline = performance.now() + 600_000;
  while (new Set(ids).size < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const secs = (performance.now() - start) / 1000;
  await c.close();
  server.close();
  return { secs, delivered: ids.length, unique: new Set(ids).size };
}

/** Loads STORED events straight through the storage layer, spread over 30 days. */
async function bulkLoad(storage: Storage, end: number): Promise<number> {
  const start = performance.now();
  const chunk = 5000;
  const span = 30 * DAY;
  for (let i = 0; i < STORED; i += chunk) {
    const events: UploadEvent[] = [];
    for (let j = i; j < Math.min(STORED, i + chunk); j++) events.push(mixedEvent(j, end - Math.floor((j / STORED) * span)));
    await storage.insertEvents(events, end);
  }
  return (performance.now() - start) / 1000;
}

async function timed(url: string, path: string, runs = 7): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    bytes = body.byteLength;
    times.push(performance.now() - t);
  }
  return { ms: pct(times, 50), bytes };
}

/**
 * The collector as its own process (`upload-guard collector`), so the load generator does not share
 * its event loop: overload shows in the collector, not in the client.
 */
async function collectorProcess(env: Record<string, string> = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'ug-bench-'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, [join(root, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', dir, '--rate-limit', '0'], {
    env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/listening on (\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`collector did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: /listening on (\S+)/.exec(out)![1]!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Current load (8 clients) and ten times it (80 clients), against a collector process of its own. */
async function loadRows(backend: 'sqlite' | 'postgres', env: Record<string, string>): Promise<Row[]> {
  const rows: Row[] = [];
  const p = await collectorProcess(env);
  try {
    for (const [label, clients] of [['current load', 8], ['10× load', 80]] as const) {
      const l = await load(p.url, clients, 100, 8_000);
      rows.push({
        area: 'collector',
        case: `${backend}: ingest at ${label} (${clients} clients × 100/batch, 8 s, collector in its own process): accepted rate, p99 of accepted, shed (503)`,
        ours: `${Math.round(l.rate).toLocaleString('en-US')} events/s, p99 ${l.p99.toFixed(0)} ms, ${l.shed} of ${l.requests} shed`,
        target: clients === 80 ? 'p99 ≤ 1,000 ms, sheds' : undefined,
        met: clients === 80 ? l.p99 <= 1000 && l.shed > 0 : undefined,
      });
    }
  } finally {
    await p.stop();
  }
  return rows;
}

export async function runCollectorBench(): Promise<Row[]> {
  const rows: Row[] = [];
  // Each row as soon as it is measured (stderr): a long run shows progress.
  const push = rows.push.bind(rows);
  rows.push = (...r: Row[]) => {
    for (const x of r) console.error(`  ${x.case}: ${x.ours}${x.target ? ` (target ${x.target}: ${x.met ? 'met' : 'NOT met'})` : ''}`);
    return push(...r);
  };
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const b of backends()) {
    // 1. Ingest over HTTP into an empty store.
    let storage = await b.open();
    let c = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      ingestRateLimit: { perSecond: 0, burst: 0 },
      adminRateLimit: { perSecond: 1e9, burst: 1e9 },
    });
    let url = await c.listen(0);
    const r = await ingest(url);
    rows.push({ area: 'collector', case: `${b.name}: ingest (HTTP, ${BATCH}/batch, ${CONCURRENCY} clients)`, ours: `${fmt(r.rate)} events/s`, target: b.name === 'sqlite' ? '≥ 20,000 events/s' : undefined, met: b.name === 'sqlite' ? r.rate >= 20_000 : undefined });
    rows.push({ area: 'collector', case: `${b.name}: ingest latency per batch p50 / p99`, ours: `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms (${r.shed} batches shed with 503, ${r.resets} connection resets; both resent)` });
    // Current load and ten times it: past capacity the collector must shed with 503 and keep accepted requests fast.
    const pgUrl = process.env.UPLOAD_GUARD_BENCH_PG ?? process.env.UPLOAD_GUARD_TEST_PG ?? '';
    rows.push(...(await loadRows(b.name, b.name === 'sqlite' ? { DATABASE_URL: '' } : { DATABASE_URL: pgUrl, UPLOAD_GUARD_PG_SCHEMA: `ug_bench_load_${randomUUID().replace(/-/g, '').slice(0, 8)}` })));
    await c.close();
    await b.dispose(storage);

    storage = await b.open();
    const burst = await webhookBurst(storage, 30_000);
    rows.push({
      area: 'collector',
      case: `${b.name}: webhook alerts for a 30,000-incident burst (ingest to last alert)`,
      ours: `${fmt(burst.unique)} of 30,000 delivered (${fmt(burst.delivered - burst.unique)} repeats) in ${burst.secs.toFixed(1)} s`,
      target: 'all',
      met: burst.unique === 30_000,
    });
    await b.dispose(storage);

    // 2. Filtered pulls over STORED events.
    storage = await b.open();
    const end = Date.now();
    const loadSecs = await bulkLoad(storage, end);
    rows.push({ area: 'collector', case: `${b.name}: bulk load ${fmt(STORED)} events (storage layer)`, ours: `${loadSecs.toFixed(1)} s (${fmt(STORED / loadSecs)}/s)` });
    c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], ingestRateLimit: { perSecond: 0, burst: 0 }, adminRateLimit: { perSecond: 1e9, burst: 1e9 } });
    url = await c.listen(0);
    const first = await timed(url, '/v1/admin/events?verdict=marked&service=gmail&limit=100');
    rows.push({ area: 'collector', case: `${b.name}: pull first page (verdict=marked&service=gmail, 100 of ${fmt(STORED)})`, ours: `${first.ms.toFixed(1)} ms`, target: '≤ 100 ms', met: first.ms <= 100 });
    const from = new Date(end - 3 * DAY).toISOString();
    const to = new Date(end - 2 * DAY).toISOString();
    const day = await timed(url, `/v1/admin/export?format=csv&verdict=marked&service=gmail&from=${from}&to=${to}`, 5);
    const dayRows = (await storage.queryEvents({ verdict: ['marked'], service: ['gmail'], from: Date.parse(from), to: Date.parse(to), limit: 1_000_000 })).events.length;
    rows.push({ area: 'collector', case: `${b.name}: CSV export of a filtered day (${fmt(dayRows)} rows)`, ours: `${day.ms.toFixed(1)} ms`, target: '≤ 100 ms', met: day.ms <= 100 });
    const summary = await timed(url, `/v1/admin/summary?from=7d`, 3);
    rows.push({ area: 'collector', case: `${b.name}: summary of the last 7 days`, ours: `${summary.ms.toFixed(1)} ms`, target: '≤ 100 ms', met: summary.ms <= 100 });
    const all = await timed(url, `/v1/admin/summary?from=30d&tz=540`, 3);
    rows.push({ area: 'collector', case: `${b.name}: summary over all ${fmt(STORED)} events (30 days, JST)`, ours: `${all.ms.toFixed(1)} ms`, target: '≤ 100 ms', met: all.ms <= 100 });
    const busy = await ingestWhileAdminReads(url, 8_000);
    rows.push({
      area: 'collector',
      case: `${b.name}: ingest p99 (4 clients × 20/batch) while an admin loads the page (summary + first page) over ${fmt(STORED)} events`,
      ours: `${busy.ingestP99.toFixed(1)} ms (page loads p50 ${busy.summaryP50.toFixed(0)} ms)`,
      target: '≤ 100 ms',
      met: busy.ingestP99 <= 100,
    });
    await c.close();
    await b.dispose(storage);

    // 3. Tamper evidence over a large fleet: the devices list (filtered in memory) and /metrics (device counts).
    storage = await b.open();
    for (let i = 0; i < DEVICES; i++) {
      // Every tenth device silent for two hours: stale.
      const at = end - (i % 10 === 0 ? 2 * 3_600_000 : 60_000);
      await storage.upsertHeartbeat({ ...sampleHeartbeat({ deviceId: `pc-${i}`, user: `user${i}@example.co.jp`, time: new Date(at).toISOString() }), tokenId: 'abcdef01' }, at);
    }
    c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], adminRateLimit: { perSecond: 1e9, burst: 1e9 } });
    url = await c.listen(0);
    const stale = await timed(url, '/v1/admin/devices?status=stale', 5);
    rows.push({ area: 'collector', case: `${b.name}: stale devices of ${fmt(DEVICES)} (JSON, ${fmt(DEVICES / 10)} listed)`, ours: `${stale.ms.toFixed(1)} ms`, target: '≤ 1,000 ms', met: stale.ms <= 1000 });
    const scrape = await timed(url, '/metrics', 5);
    rows.push({ area: 'collector', case: `${b.name}: /metrics scrape with ${fmt(DEVICES)} devices (p50; device counts reused for 30 s)`, ours: `${scrape.ms.toFixed(1)} ms` });
    await c.close();
    await b.dispose(storage);
  }
  if (!backends().some((b) => b.name === 'postgres')) rows.push({ area: 'collector', case: 'postgres', ours: 'skipped: UPLOAD_GUARD_TEST_PG not set' });
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printTable(await runCollectorBench());
}
