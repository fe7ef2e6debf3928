/**
 * The collector against a PostgreSQL server process of this test's own (initdb in a temporary
 * directory): the shared CI database is never signalled. The server is hung for real (SIGSTOP to every
 * process of the cluster) and stopped for real (immediate shutdown) during ingest, then brought back;
 * and a collector on it is killed with SIGKILL during a burst and during alert delivery.
 *
 * Needs the PostgreSQL 15 server binaries (Debian's postgresql-15, installed by scripts/ci-system.sh). As
 * root the cluster runs as the `postgres` user (PostgreSQL refuses to run as root). Without the binaries
 * the suite is skipped with a printed warning.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { burst, exited, incident, postEvents as postAs, receiver, sleep, spawnCollector as spawnOne, until } from './collector-process.js';

const BIN = '/usr/lib/postgresql/15/bin';
const HAVE_PG = existsSync(join(BIN, 'postgres')) && existsSync(join(BIN, 'initdb'));
if (!HAVE_PG) console.warn(`${BIN}/postgres not found (Debian package postgresql-15): the PostgreSQL process fault suite is skipped`);
const INGEST = 'pgproc-ingest-token-0123456789';
const ADMIN = 'pgproc-admin-token-0123456789';
const step = (what: string) => process.env.UG_DEBUG_PGPROC && console.error(new Date().toISOString(), what);
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the user the cluster belongs to. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args]] : [join(BIN, bin), args];
}

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A private cluster: start, hang (SIGSTOP every process), resume, stop (immediate), start again. */
class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'ug-pgproc-'));
  port = 0;
  private server: ChildProcess | null = null;

  get url(): string {
    return `postgres://ug@127.0.0.1:${this.port}/postgres`;
  }

  init(): void {
    if (asRoot) chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const [cmd, args] = pgCommand('initdb', ['-D', join(this.dir, 'data'), '-U', 'ug', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    execFileSync(cmd, args, { stdio: 'pipe' });
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const [cmd, args] = pgCommand('postgres', ['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    this.server = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const s = await PostgresStorage.open({ connectionString: this.url, schema: 'probe', connectTimeoutMs: 1000 });
        await s.close();
        return;
      } catch {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`postgres did not start: ${err}`);
        await sleep(200);
      }
    }
  }

  /** The postmaster and its children, by id (from postmaster.pid and ps). */
  private pids(): number[] {
    const pm = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pm)]).toString().split('\n').map(Number).filter(Boolean);
    return [pm, ...children];
  }

  hang(): void {
    for (const pid of this.pids()) process.kill(pid, 'SIGSTOP');
  }

  resume(): void {
    for (const pid of this.pids()) process.kill(pid, 'SIGCONT');
    // runuser (as root) stops itself when its child stops, and only its own SIGCONT wakes it: left
    // stopped, it outlived the test, an orphan stopped for good once the server was gone.
    if (this.server?.pid !== undefined && this.server.exitCode === null) process.kill(this.server.pid, 'SIGCONT');
  }

  /** Processes of this cluster (the wrapper included) stopped now, by id. */
  stopped(): number[] {
    const all = [...this.pids(), ...(this.server?.pid === undefined ? [] : [this.server.pid])];
    return all.filter((pid) => / T /.test(` ${readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.slice(0, 2) ?? ''}`));
  }

  /** An immediate shutdown (as a crash would leave it), waiting for the server to be gone. */
  async stop(): Promise<void> {
    const [cmd, args] = pgCommand('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    const child = spawn(cmd, args, { stdio: 'ignore' });
    await until('the server to stop', () => child.exitCode !== null && !existsSync(join(this.dir, 'data', 'postmaster.pid')), 30_000);
    this.server = null;
  }

  async destroy(): Promise<void> {
    try {
      this.resume();
    } catch {
      /* not running */
    }
    if (existsSync(join(this.dir, 'data', 'postmaster.pid'))) await this.stop().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const postEvents = (url: string, events: unknown[]) => postAs(url, events, INGEST);

describe.skipIf(!HAVE_PG)('a real PostgreSQL server hung (SIGSTOP) and stopped during ingest', () => {
  const cluster = new Cluster();
  beforeAll(async () => {
    cluster.init();
    await cluster.start();
  }, 120_000);
  afterAll(() => cluster.destroy(), 60_000);

  it('answers 503 with Retry-After within bounded time, says not ready, stays live, and recovers without losing an acknowledged event', async () => {
    const storage = await PostgresStorage.open({ connectionString: cluster.url, schema: 'ug_hang', statementTimeoutMs: 1000, connectTimeoutMs: 1000 });
    const c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], ingestRateLimit: { perSecond: 0, burst: 0 }, timeWindow: false });
    const url = await c.listen(0);
    const acked: string[] = [];
    const send = async () => {
      const batch = Array.from({ length: 20 }, incident);
      const t = Date.now();
      const res = await postEvents(url, batch);
      if (res.status === 200) acked.push(...batch.map((e) => e.id));
      return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - t };
    };
    try {
      expect((await send()).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      step('// Hung: every process');
      // Hung: every process of the server stopped mid-ingest (requests under way when it stops).
      const during = Promise.all(Array.from({ length: 4 }, send));
      cluster.hang();
      for (const r of [...(await during), await send()]) {
        if (r.status !== 200) {
          expect(r.status).toBe(503);
          expect(r.retryAfter).toMatch(/^\d+$/);
        }
        expect(r.ms).toBeLessThan(6_000);
      }
      expect((await send()).status).toBe(503);
      let t = Date.now();
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect(Date.now() - t).toBeLessThan(3_000);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      step('cluster.resume();');
      cluster.resume();
      await until('ingest after the server resumed', async () => (await send()).status === 200, 20_000);
      expect(cluster.stopped()).toEqual([]);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      step('// Stopped: an');
      // Stopped: an immediate shutdown while clients keep sending.
      // A request cut off as the database goes (a reused keep-alive socket reset under load) was not
      // acknowledged: only what was is counted (send keeps those), so it is let go here.
      const clients = Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 10; i++) await send().catch(() => undefined);
      });
      await cluster.stop();
      step('stopped');
      await Promise.all(clients);
      step('clients done');
      step('t = Date.now();');
      t = Date.now();
      const down = await send();
      expect(down.status).toBe(503);
      expect(down.retryAfter).toMatch(/^\d+$/);
      expect(Date.now() - t).toBeLessThan(6_000);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      step('// Back (crash');
      // Back (crash recovery): ingest resumes and every acknowledged event is there.
      await cluster.start();
      await until('ingest after the server restarted', async () => (await send()).status === 200, 30_000);
      step('const { rows } = await storage');
      const { rows } = await storage.pool.query<{ id: string }>('SELECT id FROM ug_hang.events');
      const stored = new Set(rows.map((r) => r.id));
      expect(acked.length).toBeGreaterThan(40);
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await c.close();
      await storage.close().catch(() => {});
    }
  }, 120_000);

  it('without the right to add pg_trgm the collector still opens, searches unindexed, and says so', async () => {
    const owner = await PostgresStorage.open({ connectionString: cluster.url, schema: 'probe' });
    try {
      // A role that may use its own schema but not add extensions to the database (no CREATE on it).
      // (The cluster's first collector added the extension: gone again, as on a database that never had it.)
      await owner.pool.query(`DROP EXTENSION IF EXISTS pg_trgm CASCADE; CREATE ROLE noext LOGIN; CREATE SCHEMA ug_noext AUTHORIZATION noext; REVOKE CREATE ON DATABASE postgres FROM PUBLIC`);
    } finally {
      await owner.close();
    }
    const s = await PostgresStorage.open({ connectionString: cluster.url.replace('ug@', 'noext@'), schema: 'ug_noext' });
    try {
      expect(s.notices).toHaveLength(1);
      expect(s.notices[0]).toMatch(/file-name search is not indexed .*permission denied.*CREATE EXTENSION pg_trgm SCHEMA public/);
      const e = sampleEvent({ fileName: '秘—unindexed-search.xlsx' });
      await s.insertEvents([e], Date.now());
      expect((await s.queryEvents({ limit: 10, q: 'unindexed' })).events.map((x) => x.id)).toEqual([e.id]);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('kill -9 of a collector on PostgreSQL during a burst and during alert delivery loses no acknowledged event or alert', async () => {
    // A slow receiver: alerts are still being delivered when the collector is killed.
    const hook = await receiver(5);
    const ids = hook.ids;
    const spawnCollector = () =>
      spawnOne(cluster.dir, hook.url, {
        UPLOAD_GUARD_INGEST_TOKEN: INGEST,
        UPLOAD_GUARD_ADMIN_TOKEN: ADMIN,
        DATABASE_URL: cluster.url,
        UPLOAD_GUARD_PG_SCHEMA: 'ug_kill',
      });
    let { child, url } = await spawnCollector();
    const load = burst(url, INGEST, 8);
    const acked = load.acked;
    // The receiver stalls once delivery has begun, so the kill always finds acknowledged alerts not yet delivered.
    await until('delivery under way', () => ids.length > 0);
    hook.pause();
    const delivered = new Set(ids).size;
    await until('a burst under way', () => acked.length >= delivered + 400);
    child.kill('SIGKILL');
    await load.stop();
    await exited(child);
    hook.resume(); // the alerts held when the collector died are recorded now: they may come again
    expect(new Set(ids).size).toBeLessThan(acked.length); // the kill really came during delivery

    ({ child, url } = await spawnCollector());
    try {
      await until('every acknowledged alert delivered', () => acked.every((id) => ids.includes(`incident:${id}`)), 60_000);
      const s = await PostgresStorage.open({ connectionString: cluster.url, schema: 'ug_kill' });
      try {
        const { rows } = await s.pool.query<{ id: string }>('SELECT id FROM ug_kill.events');
        const stored = new Set(rows.map((r) => r.id));
        expect(acked.filter((id) => !stored.has(id))).toEqual([]);
      } finally {
        await s.close();
      }
      // Resends only for the alerts in flight at the kill (one leased batch at most).
      expect(ids.length - new Set(ids).size).toBeLessThanOrEqual(64);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      hook.server.close();
    }
  }, 120_000);
});
