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
import pg from 'pg';
import { sampleEvent, sampleHeartbeat } from '../src/events/sample.js';
import type { UploadEvent } from '../src/events/schema.js';
import { createCollector } from '../src/collector/server.js';
import { PostgresStorage } from '../src/collector/storage/postgres.js';
import { NAME_BACKFILL, SqliteStorage } from '../src/collector/storage/sqlite.js';
import { FTS_TABLE } from '../src/collector/storage/sql.js';
import type { Storage } from '../src/collector/storage/types.js';
import { insertRows } from './collector-insert.js';
import { printTable, type Row } from './table.js';

const INGEST = 'bench-ingest-token-0123456789';
const ADMIN = 'bench-admin-token-0123456789';
const BATCH = 500;
const CONCURRENCY = 8;
const INGEST_EVENTS = 100_000;
const STORED = Number(process.env.UPLOAD_GUARD_BENCH_EVENTS ?? 1_000_000);
const DAY = 86_400_000;
const DEVICES = Number(process.env.UPLOAD_GUARD_BENCH_DEVICES ?? 100_000);
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
  // UPLOAD_GUARD_BENCH_BACKENDS=postgres (or sqlite) runs one back end only.
  const only = process.env.UPLOAD_GUARD_BENCH_BACKENDS;
  if (only === 'postgres') list.pop();
  if (pg && only !== 'sqlite') {
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
  // Bodies are serialised (and encoded: fetch would convert each string body again, in this process) before
  // the clock starts: we measure the collector, not the client.
  const bodies: Uint8Array<ArrayBuffer>[] = [];
  for (let b = 0; b < INGEST_EVENTS / BATCH; b++) {
    const events = Array.from({ length: BATCH }, (_, i) => mixedEvent(b * BATCH + i, now - (b * BATCH + i) * 1000));
    bodies.push(new TextEncoder().encode(JSON.stringify({ events })));
  }
  const latencies: number[] = [];
  let next = 0;
  let shed = 0;
  let resets = 0;
  const retry: Uint8Array<ArrayBuffer>[] = [];
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
    new TextEncoder().encode(JSON.stringify({ events: Array.from({ length: batch }, (_, i) => ({ ...mixedEvent(b * batch + i, Date.now()), deviceId: `pc-load-${b % clients}` })) })),
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
          // As the extension does (it backs off further on repeated failures): wait what Retry-After says.
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
        } else throw new Error(`ingest under load: HTTP ${res.status}`);
      }
    }),
  );
  return { rate: accepted / (ms / 1000), p99: pct(latencies, 99), shed, requests };
}

/** What the admin page asks for when it opens: the last 30 days, block and warn, newest first, in JST. */
const DEFAULT_VIEW = 'from=30d&action=block,warn&sort=-time&tz=540';

/**
 * Ingest p99 (small batches, as browsers send) while an admin keeps loading the page's default view
 * (summary and first page at once), against the same ingest with no admin in the same run.
 */
async function ingestWhileAdminReads(url: string, ms: number): Promise<{ idleP99: number; ingestP99: number; pageP50: number; pages: number }> {
  const idle = await load(url, 4, 20, ms / 2);
  let reading = true;
  const pageTimes: number[] = [];
  const reader = (async () => {
    while (reading) {
      const t = performance.now();
      const [a, b] = await Promise.all([
        fetch(`${url}/v1/admin/summary?${DEFAULT_VIEW}`, { headers: { authorization: `Bearer ${ADMIN}` } }),
        fetch(`${url}/v1/admin/events?${DEFAULT_VIEW}&limit=100`, { headers: { authorization: `Bearer ${ADMIN}` } }),
      ]);
      await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
      if (!a.ok || !b.ok) throw new Error(`admin page: HTTP ${a.status} / ${b.status}`);
      pageTimes.push(performance.now() - t);
      // An admin clicking through filters, not a script hammering (the admin API allows 50 requests/s).
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const r = await load(url, 4, 20, ms);
  reading = false;
  await reader;
  return { idleP99: idle.p99, ingestP99: r.p99, pageP50: pct(pageTimes, 50), pages: pageTimes.length };
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
    const body = JSON.stringify({ events });
    for (;;) {
      const res = await fetch(url + '/v1/events', { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status === 200) break;
      // Shed under load: wait what Retry-After says and send the batch again, as the extension does.
      if (res.status !== 503) throw new Error(`burst: HTTP ${res.status}`);
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
    }
  }
  const deadline = performance.now() + 600_000;
  while (new Set(ids).size < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const secs = (performance.now() - start) / 1000;
  await c.close();
  server.close();
  return { secs, delivered: ids.length, unique: new Set(ids).size };
}

/**
 * One SQL statement that inserts `n` events spread over the 30 days before `end`, each received when it
 * happened, in the mix of mixedEvent (one in five marked, half of those blocked, five services), then the
 * hourly counts the collector keeps on insert, counted from them. A million events through the insert path would take
 * minutes; the bench is about reading them. `rows` is `SELECT x FROM <0..n-1>` in the dialect.
 */
function seedEventsSql(prefix: string, rows: string, n: number, end: number): string {
  const t = sampleEvent();
  const q = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
  const svc = (i: 0 | 1 | 2) => `CASE (x / 5) % 5 ${SERVICES.map((sv, k) => `WHEN ${k} THEN ${q(sv[i])}`).join(' ')} END`;
  const marked = 'x % 5 = 0';
  return `INSERT INTO ${prefix}events (id, time_ms, received_ms, v, user_name, device_id, browser, extension_version, service, service_name, category,
      origin, channel, file_name, size, sha256, verdict, rule, reason, action, outcome, policy_version, incident_linked)
    SELECT 'seed-' || x, ${end} - (x * ${30 * DAY}) / ${n}, ${end} - (x * ${30 * DAY}) / ${n}, 1, 'user' || (x % 2000) || '@example.co.jp', 'pc-' || (x % 3000), ${q(t.browser)}, ${q(t.extensionVersion)},
      ${svc(0)}, ${svc(1)}, ${svc(2)}, ${q(t.origin)}, ${q(t.channel)},
      CASE WHEN ${marked} THEN '秘—見積書-' || x || '.xlsx' ELSE 'report-' || x || '.pdf' END, 1000 + x % 100000, ${q(t.sha256)},
      CASE WHEN ${marked} THEN 'marked' WHEN x % 37 = 0 THEN 'unscannable' ELSE 'clean' END,
      CASE WHEN ${marked} THEN x % 3 + 1 END,
      CASE WHEN ${marked} THEN 'name' WHEN x % 37 = 0 THEN 'encrypted' END,
      CASE WHEN ${marked} THEN CASE WHEN x % 2 = 1 THEN 'block' ELSE 'warn' END ELSE 'allow' END,
      CASE WHEN ${marked} THEN CASE WHEN x % 2 = 1 THEN 'blocked' ELSE 'pending' END ELSE 'allowed' END,
      ${q(t.policyVersion)},
      -- A store the collector kept up with: its incidents were built as the events came (every 30 s), so
      -- every seeded event is already linked (incident_linked). Without it the collector under test would
      -- first catch up on every qualifying seeded event (a first start over an old database: ~124,000
      -- events, a minute of work) while the rows below are measured.
      1
    FROM (${rows}) AS seq;
    DELETE FROM ${prefix}event_counts;
    INSERT INTO ${prefix}event_counts SELECT floor(time_ms / 3600000.0), coalesce(service, ''), verdict, action, count(*) FROM ${prefix}events GROUP BY 1, 2, 3, 4;`;
}

/** `n` devices (every tenth silent for two hours: stale), heartbeats as the extension sends them. */
function seedDevicesSql(prefix: string, rows: string, n: number, end: number, json: (template: string) => string): string {
  const template = JSON.stringify({ ...sampleHeartbeat(), tokenId: 'abcdef01', heartbeatMinutes: 15, installType: 'admin', managed: true }).replace(/'/g, "''");
  const seen = `CASE WHEN x % 10 = 0 THEN ${end - 2 * 3_600_000} ELSE ${end - 60_000} END`;
  return `INSERT INTO ${prefix}devices (device_id, heartbeat, last_seen_ms, first_seen_ms, extension_version, previous_version, version_since_ms, raised,
      heartbeat_minutes, token_id, user_name)
    SELECT 'pc-' || x, ${json(template)}, ${seen}, ${end - 30 * DAY}, CASE WHEN x % 7 = 0 THEN '0.0.9' ELSE '0.1.0' END, NULL, ${end - 30 * DAY}, NULL,
      15, 'abcdef01', 'user' || x || '@example.co.jp'
    FROM (${rows}) AS seq;`;
}

/** A store with STORED events and DEVICES devices, ready for a collector process to open. */
export async function seededStore(backend: 'sqlite' | 'postgres', end: number): Promise<{ env: Record<string, string>; dir: string; secs: number; drop: () => Promise<void> }> {
  const start = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'ug-bench-'));
  if (backend === 'sqlite') {
    const s = new SqliteStorage({ path: join(dir, 'events.db'), readers: false });
    const rows = `WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ${STORED - 1}) SELECT x FROM n`;
    const devRows = `WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ${DEVICES - 1}) SELECT x FROM n`;
    // One transaction for all of it; the event indexes are built once at the end (faster than row by row).
    // The file-name index is filled from the seeded rows (distinct names, then each event's name_id)
    // before the event indexes come back.
    const indexes = s.db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'events' AND sql IS NOT NULL`).all() as { type: string; name: string; sql: string }[];
    s.db.transaction(() => {
      for (const i of indexes) s.db.exec(`DROP ${i.type.toUpperCase()} ${i.name}`);
      s.db.exec(seedEventsSql('', rows, STORED, end).replace('floor(time_ms / 3600000.0)', 'time_ms / 3600000'));
      s.db.exec(seedDevicesSql('', devRows, DEVICES, end, (t) => `json_set('${t}', '$.deviceId', 'pc-' || x, '$.user', 'user' || x || '@example.co.jp')`));
      s.db.exec(NAME_BACKFILL);
      // The names' trigrams (the collector writes them as it inserts a new name; here in one go).
      s.db.exec(`INSERT INTO ${FTS_TABLE}(${FTS_TABLE}) VALUES ('rebuild')`);
      for (const i of indexes) s.db.exec(i.sql);
    })();
    s.db.exec('ANALYZE');
    await s.close();
    return { env: { DATABASE_URL: '' }, dir, secs: (performance.now() - start) / 1000, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pg = process.env.UPLOAD_GUARD_BENCH_PG ?? process.env.UPLOAD_GUARD_TEST_PG ?? '';
  const schema = `ug_bench_seed_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  // Seeding a million rows takes longer than the collector's statement timeout.
  const s = await PostgresStorage.open({ connectionString: pg, schema, statementTimeoutMs: 900_000 });
  const client = await s.pool.connect();
  try {
    await client.query('BEGIN');
    // The trigram index is built once after the rows (faster than a million GIN insertions).
    const trgm = (await client.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_file_name_trgm'`, [schema])).rows[0];
    if (trgm) await client.query(`DROP INDEX ${schema}.events_file_name_trgm`);
    await client.query(seedEventsSql(`${schema}.`, `SELECT x::bigint AS x FROM generate_series(0, ${STORED - 1}) AS x`, STORED, end));
    await client.query(
      seedDevicesSql(`${schema}.`, `SELECT x::bigint AS x FROM generate_series(0, ${DEVICES - 1}) AS x`, DEVICES, end, (t) =>
        `'${t}'::jsonb || jsonb_build_object('deviceId', 'pc-' || x, 'user', 'user' || x || '@example.co.jp')`,
      ),
    );
    if (trgm) await client.query(trgm.indexdef);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await s.pool.query(`VACUUM ANALYZE ${schema}.events, ${schema}.event_counts, ${schema}.devices`);
  return {
    env: { DATABASE_URL: pg, UPLOAD_GUARD_PG_SCHEMA: schema },
    dir,
    secs: (performance.now() - start) / 1000,
    drop: async () => {
      await s.dropSchema();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
export async function collectorProcess(env: Record<string, string> = {}, dataDir?: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'ug-bench-'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  // UPLOAD_GUARD_BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the collector process.
  const nodeArgs = (process.env.UPLOAD_GUARD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', dir, '--rate-limit', '0'], {
    env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    // The collector's warnings and errors (its log is on stdout), not its per-request lines.
    if (process.env.UG_DEBUG_ADMISSION && !String(d).includes('"level":30')) process.stderr.write(d);
  });
  child.stderr.on('data', (d) => {
    out += d;
    if (process.env.UG_DEBUG_ADMISSION) process.stderr.write(d);
  });
  const deadline = Date.now() + 60_000;
  while (!/listening on (\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`collector did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /listening on (\S+)/.exec(out)![1]!;
  await warmUp(url);
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh process is slow for its first requests (code compiled on first use, read workers starting):
 * send some ingest batches and admin reads first, so the rows measure the collector, not its start.
 */
async function warmUp(url: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const body = JSON.stringify({ events: Array.from({ length: 100 }, (_, j) => ({ ...mixedEvent(i * 100 + j, Date.now()), deviceId: 'pc-warm-up' })) });
    const res = await fetch(url + '/v1/events', { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    if (res.status === 503) await new Promise((r) => setTimeout(r, 200));
    const admin = await fetch(url + '/v1/admin/summary?from=1h', { headers: { authorization: `Bearer ${ADMIN}` } });
    await admin.arrayBuffer();
  }
}

/** Current load (8 clients) and ten times it (80 clients), against a collector process of its own. */
async function loadRows(backend: 'sqlite' | 'postgres', env: Record<string, string>): Promise<Row[]> {
  const rows: Row[] = [];
  const p = await collectorProcess(env);
  const floor = await floorServer();
  try {
    for (const [label, clients] of [['current load', 8], ['10× load', 80]] as const) {
      const l = await load(p.url, clients, 100, 8_000);
      // The same clients against a server that only reads and parses the body, in the same run: what
      // this machine allows at this moment (it is shared: absolute figures move with its load).
      const f = await load(floor.url, clients, 100, 8_000);
      rows.push({
        area: 'collector',
        case: `${backend}: ingest at ${label} (${clients} clients × 100/batch, 8 s, collector in its own process): accepted rate, p99 of accepted, shed (503)`,
        ours: `${Math.round(l.rate).toLocaleString('en-US')} events/s, p99 ${l.p99.toFixed(0)} ms, ${l.shed} of ${l.requests} shed`,
        baseline: `parse-only server: ${Math.round(f.rate).toLocaleString('en-US')} events/s, p99 ${f.p99.toFixed(0)} ms`,
        ratio: l.p99 / f.p99,
        target: clients === 80 ? 'p99 ≤ 1,000 ms, sheds' : undefined,
        met: clients === 80 ? l.p99 <= 1000 && l.shed > 0 : undefined,
      });
    }
  } finally {
    await p.stop();
    floor.stop();
  }
  return rows;
}

async function dropPgSchema(connectionString: string, schema: string): Promise<void> {
  const pool = new pg.Pool({ connectionString, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await pool.end();
  }
}

/** A server process that reads each body, parses the JSON and answers as the collector does: the floor. */
async function floorServer(): Promise<{ url: string; stop: () => void }> {
  const { spawn } = await import('node:child_process');
  const code = `require('node:http').createServer((req, res) => { let b = ''; req.on('data', (d) => (b += d)); req.on('end', () => {
    const n = JSON.parse(b).events.length; res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ accepted: n, duplicates: 0 })); });
  }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code]);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  while (!/port (\d+)/.test(out)) await new Promise((r) => setTimeout(r, 50));
  return { url: `http://127.0.0.1:${/port (\d+)/.exec(out)![1]}`, stop: () => child.kill() };
}

/** UPLOAD_GUARD_BENCH_PARTS=ingest,load,burst,read,insert picks parts (all by default). */
const PARTS = new Set((process.env.UPLOAD_GUARD_BENCH_PARTS ?? 'ingest,load,burst,read,insert').split(','));

export async function runCollectorBench(): Promise<Row[]> {
  const rows: Row[] = [];
  // Each row as soon as it is measured (stderr): a long run shows progress.
  const push = rows.push.bind(rows);
  rows.push = (...r: Row[]) => {
    for (const x of r) console.error(`  ${x.case}: ${x.ours}${x.target ? ` (target ${x.target}: ${x.met ? 'met' : 'NOT met'})` : ''}`);
    return push(...r);
  };
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  for (const b of backends()) {
    const part = async (name: string, run: () => Promise<void>) => {
      if (!PARTS.has(name)) return;
      try {
        await run();
      } catch (err) {
        rows.push({ area: 'collector', case: `${b.name}: ${name} FAILED`, ours: String((err as Error).message ?? err).slice(0, 120) });
      }
    };
    // 1. Ingest over HTTP into an empty store (collector in this process).
    await part('ingest', async () => {
      const storage = await b.open();
      const c = await createCollector({
        storage,
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        ingestRateLimit: { perSecond: 0, burst: 0 },
        adminRateLimit: { perSecond: 1e9, burst: 1e9 },
      });
      const r = await ingest(await c.listen(0));
      rows.push({ area: 'collector', case: `${b.name}: ingest (HTTP, ${BATCH}/batch, ${CONCURRENCY} clients)`, ours: `${fmt(r.rate)} events/s`, target: b.name === 'sqlite' ? '≥ 20,000 events/s' : undefined, met: b.name === 'sqlite' ? r.rate >= 20_000 : undefined });
      rows.push({ area: 'collector', case: `${b.name}: ingest latency per batch p50 / p99`, ours: `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms (${r.shed} batches shed with 503, ${r.resets} connection resets; both resent)` });
      await c.close();
      await b.dispose(storage);
    });
    // 2. Current load and ten times it: past capacity the collector must shed with 503 and keep accepted requests fast.
    await part('load', async () => {
      const pgUrl = process.env.UPLOAD_GUARD_BENCH_PG ?? process.env.UPLOAD_GUARD_TEST_PG ?? '';
      const schema = `ug_bench_load_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
      try {
        rows.push(...(await loadRows(b.name, b.name === 'sqlite' ? { DATABASE_URL: '' } : { DATABASE_URL: pgUrl, UPLOAD_GUARD_PG_SCHEMA: schema })));
      } finally {
        // The collector process made the schema; nothing else drops it (they piled up in the test database).
        if (b.name === 'postgres') await dropPgSchema(pgUrl, schema);
      }
    });
    // 3. Incident alerts for a burst.
    await part('burst', async () => {
      const storage = await b.open();
      const burst = await webhookBurst(storage, 30_000);
      rows.push({
        area: 'collector',
        case: `${b.name}: webhook alerts for a 30,000-incident burst (ingest to last alert)`,
        ours: `${fmt(burst.unique)} of 30,000 delivered (${fmt(burst.delivered - burst.unique)} repeats) in ${burst.secs.toFixed(1)} s`,
        target: 'all',
        met: burst.unique === 30_000,
      });
      await b.dispose(storage);
    });
    // 4. The admin's reads over STORED events and DEVICES devices, from a collector process of its own.
    await part('read', async () => {
      // Rows go straight into the run's list: each prints as measured, and a later failure keeps them.
      await readRows(b.name, rows, fmt, ms);
    });
  }
  // 5. What the file-name index costs insertEvents, with and without it in one run.
  if (PARTS.has('insert')) {
    try {
      rows.push(...(await insertRows(mixedEvent, process.env.UPLOAD_GUARD_BENCH_PG ?? process.env.UPLOAD_GUARD_TEST_PG, process.env.UPLOAD_GUARD_BENCH_BACKENDS)));
    } catch (err) {
      rows.push({ area: 'collector', case: 'insert FAILED', ours: String((err as Error).message ?? err).slice(0, 120) });
    }
  }
  if (!backends().some((b) => b.name === 'postgres')) rows.push({ area: 'collector', case: 'postgres', ours: 'skipped: UPLOAD_GUARD_TEST_PG not set' });
  return rows;
}

async function readRows(name: 'sqlite' | 'postgres', rows: Row[], fmt: (n: number) => string, ms: (n: number) => string): Promise<void> {
  const end = Date.now();
  const store = await seededStore(name, end);
  rows.push({ area: 'collector', case: `${name}: seed ${fmt(STORED)} events and ${fmt(DEVICES)} devices (one SQL statement each, one transaction)`, ours: `${store.secs.toFixed(1)} s` });
  const p = await collectorProcess(store.env, store.dir);
  const row = (what: string, r: { ms: number }, target = 100) =>
    rows.push({ area: 'collector', case: `${name}: ${what}`, ours: ms(r.ms), target: `≤ ${target} ms`, met: r.ms <= target });
  try {
    const url = p.url;
    // Warm-up: the read workers start with the collector; the first read waits for them.
    await timed(url, '/v1/admin/summary?from=1h', 1);
    row(`summary, the admin page's default view (30 days, block and warn, JST) over ${fmt(STORED)} events`, await timed(url, `/v1/admin/summary?${DEFAULT_VIEW}`, 7));
    row(`summary over all ${fmt(STORED)} events (30 days, JST)`, await timed(url, '/v1/admin/summary?from=30d&tz=540', 7));
    row('summary of the last 7 days', await timed(url, '/v1/admin/summary?from=7d', 5));
    row(`first page of the default view (100 of ${fmt(STORED)})`, await timed(url, `/v1/admin/events?${DEFAULT_VIEW}&limit=100`, 7));
    row(`first page, verdict=marked&service=gmail (100 of ${fmt(STORED)})`, await timed(url, '/v1/admin/events?verdict=marked&service=gmail&limit=100', 7));
    const from = new Date(end - 3 * DAY).toISOString();
    const to = new Date(end - 2 * DAY).toISOString();
    row('CSV export of a filtered day (marked, gmail)', await timed(url, `/v1/admin/export?format=csv&verdict=marked&service=gmail&from=${from}&to=${to}`, 5));
    // File-name search: a common word (many matches: the newest 100 come at once) and one file (every event is looked at).
    const common = await timed(url, `/v1/admin/events?${DEFAULT_VIEW}&limit=100&q=${encodeURIComponent('見積書')}`, 5);
    rows.push({ area: 'collector', case: `${name}: file-name search, common word (default view, 100 of many)`, ours: ms(common.ms), target: '≤ 100 ms', met: common.ms <= 100 });
    const rare = await timed(url, `/v1/admin/events?${DEFAULT_VIEW}&limit=100&q=${encodeURIComponent('見積書-123455.')}`, 3);
    rows.push({ area: 'collector', case: `${name}: file-name search, one file among ${fmt(STORED)} (trigram index)`, ours: ms(rare.ms), target: '≤ 100 ms', met: rare.ms <= 100 });
    // The summary of a search counts every match (the admin page asks for it with the list).
    const rareSummary = await timed(url, `/v1/admin/summary?${DEFAULT_VIEW}&q=${encodeURIComponent('見積書-123455.')}`, 3);
    rows.push({ area: 'collector', case: `${name}: summary of a file-name search, one file among ${fmt(STORED)}`, ours: ms(rareSummary.ms), target: '≤ 100 ms', met: rareSummary.ms <= 100 });
    const commonSummary = await timed(url, `/v1/admin/summary?${DEFAULT_VIEW}&q=${encodeURIComponent('見積書')}`, 3);
    rows.push({ area: 'collector', case: `${name}: summary of a file-name search, common word (${fmt(STORED / 5)} matches)`, ours: ms(commonSummary.ms) });
    const busy = await ingestWhileAdminReads(url, 8_000);
    // The same clients against the parse-only server, in the same run: what this machine allows now.
    const floor = await floorServer();
    const ref = await load(floor.url, 4, 20, 4_000).finally(() => floor.stop());
    rows.push({
      area: 'collector',
      case: `${name}: ingest p99 (4 clients × 20/batch, collector in its own process) while an admin reloads the default view over ${fmt(STORED)} events`,
      ours: `${ms(busy.ingestP99)} (without the admin: ${ms(busy.idleP99)}; ${busy.pages} page loads, p50 ${ms(busy.pageP50)})`,
      baseline: `parse-only server: p99 ${ms(ref.p99)}`,
      ratio: busy.ingestP99 / ref.p99,
      target: '≤ 100 ms',
      met: busy.ingestP99 <= 100,
    });
    // The fleet's counts are shared by /metrics and the device list for 10 s (fleet-counts.ts); a scrape
    // takes one up to a minute old (the one counted at start, here) and recounts in the background.
    row(`/metrics, first scrape with ${fmt(DEVICES)} devices (the count made at start if under a minute old, else counts them)`, await timed(url, '/metrics', 1));
    row(`/metrics scrape with ${fmt(DEVICES)} devices`, await timed(url, '/metrics', 5));
    row(`devices, first page of ${fmt(DEVICES)} (500, fleet totals reused)`, await timed(url, '/v1/admin/devices', 7));
    row(`devices, the admin page's first page of ${fmt(DEVICES)} (200, stale first)`, await timed(url, '/v1/admin/devices?limit=200', 7));
    row(`devices, stale only (first 500 of ${fmt(DEVICES / 10)})`, await timed(url, '/v1/admin/devices?status=stale', 7));
    await new Promise((r) => setTimeout(r, 10_500)); // past the counts' 10 s
    row(`devices, first page of ${fmt(DEVICES)} (500, fleet totals counted again)`, await timed(url, '/v1/admin/devices', 1));
  } finally {
    await p.stop();
    await store.drop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printTable(await runCollectorBench());
}
