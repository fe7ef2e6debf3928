/**
 * Start-up problems said in one clear line (a real `upload-guard collector` process), a weak token
 * refused, the alert outbox's drop limit counted and shown, and device records under retention.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const ROOT = join(import.meta.dirname, '../..');
const INGEST = 'limits-ingest-token-0123456789';
const ADMIN = 'limits-admin-token-0123456789';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ug-limits-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the collector until it exits; its exit code and what it wrote to stderr. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: '', UPLOAD_GUARD_ADMIN_TOKEN: '', DATABASE_URL: '', ...env },
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((r) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      r({ code, err });
    }),
  );
}

describe('start-up problems', () => {
  it('each is one clear line, never a stack trace: data path not a directory, malformed tokens.json, a one-character token', async () => {
    const file = join(tmp(), 'not-a-dir');
    writeFileSync(file, 'x');
    const malformed = tmp();
    writeFileSync(join(malformed, 'tokens.json'), '{"ingest": "abc", ');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--data', file], {}, /cannot use the data directory .*not-a-dir: not a directory/],
      [['--data', malformed], {}, /tokens\.json is not valid JSON .*fix it, or delete it/],
      [['--data', tmp()], { UPLOAD_GUARD_INGEST_TOKEN: 'x', UPLOAD_GUARD_ADMIN_TOKEN: ADMIN }, /tokens must be at least \d+ characters/],
    ];
    for (const [args, env, message] of cases) {
      const { code, err } = await run(args, env);
      expect(code, err).not.toBe(0);
      expect(err.trim().split('\n'), err).toHaveLength(1);
      expect(err).toMatch(/^upload-guard collector: /);
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('createCollector refuses a one-character token too', async () => {
    const storage = new SqliteStorage({ path: ':memory:' });
    await expect(createCollector({ storage, ingestTokens: ['x'], adminTokens: [ADMIN] })).rejects.toThrow(/at least \d+ characters/);
    await storage.close();
  });
});

describe('alert outbox limit', () => {
  it('counts every alert not queued past maxPending, in /metrics and /v1/admin/alerts', async () => {
    // A receiver that always fails: nothing is delivered, so the pending alerts stay.
    const hook = createHttpServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const c = await createCollector({
      storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      ingestRateLimit: { perSecond: 0, burst: 0 },
      alerts: { webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/`, maxPending: 5, backoff: [60_000] },
    });
    const url = await c.listen(0);
    try {
      const events = Array.from({ length: 8 }, () => sampleEvent({ action: 'block', outcome: 'blocked' }));
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      expect(await res.json()).toMatchObject({ accepted: 8 });
      const alerts = (await (await fetch(`${url}/v1/admin/alerts`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { pending: number; dropped: number };
      expect(alerts).toMatchObject({ pending: 5, dropped: 3 });
      const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(metrics).toMatch(/^upload_guard_alerts_dropped_total 3$/m);
      expect(metrics).toMatch(/^upload_guard_alerts_pending 5$/m);
      // The failures are counted and the pending alerts age (a slow or broken receiver shows).
      const deadline = Date.now() + 10_000;
      let failed = 0;
      while (failed < 5 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        failed = Number(/^upload_guard_alerts_failed_total (\d+)$/m.exec(await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text())![1]);
      }
      expect(failed).toBe(5);
      const later = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(later).toMatch(/^upload_guard_alerts_retrying 5$/m);
      expect(Number(/^upload_guard_alerts_oldest_pending_seconds (\S+)$/m.exec(later)![1])).toBeGreaterThan(0);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  });
});

describe('device records under retention', () => {
  it('a device silent for the whole retention period is forgotten; an active one is kept', async () => {
    let clock = Date.parse('2026-11-01T00:00:00Z');
    const c = await createCollector({
      storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      retentionDays: 30,
      now: () => clock,
    });
    const url = await c.listen(0);
    const beat = (deviceId: string) =>
      fetch(`${url}/v1/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleHeartbeat({ deviceId, time: new Date(clock).toISOString() })),
      });
    try {
      expect((await beat('pc-gone')).status).toBe(204);
      clock += 20 * 86_400_000;
      expect((await beat('pc-here')).status).toBe(204);
      clock += 11 * 86_400_000;
      await c.purgeExpired();
      const r = (await (await fetch(`${url}/v1/admin/devices`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { devices: { deviceId: string }[]; counts: { total: number } };
      expect(r.devices.map((d) => d.deviceId)).toEqual(['pc-here']);
      expect(r.counts.total).toBe(1);
    } finally {
      await c.close();
      await c.storage.close();
    }
  });
});

describe('a device that went silent while the collector was down', () => {
  it('is alerted when the collector is back (the watch began before; the outbox is in the database)', async () => {
    const received: string[] = [];
    const hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body).alertId);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const path = join(tmp(), 'events.db');
    let clock = Date.parse('2026-11-01T00:00:00Z');
    const open = () =>
      createCollector({
        storage: new SqliteStorage({ path }),
        ingestTokens: [INGEST],
        adminTokens: [ADMIN],
        now: () => clock,
        alerts: { webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/`, pollMs: 50 },
        staleCheckIntervalMs: 3_600_000,
      });
    let c = await open();
    try {
      const url = await c.listen(0);
      await c.checkStale(); // the watch begins
      const res = await fetch(`${url}/v1/heartbeat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleHeartbeat({ deviceId: 'pc-silent-while-down', heartbeatMinutes: 15, time: new Date(clock).toISOString() })),
      });
      expect(res.status).toBe(204);
      await c.close();
      await c.storage.close();
      // Down for two hours: the device went stale (after 50 minutes) meanwhile.
      clock += 2 * 3_600_000;
      c = await open();
      const deadline = Date.now() + 10_000;
      while (!received.some((id) => id.startsWith('stale:pc-silent-while-down:')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(received.filter((id) => id.startsWith('stale:pc-silent-while-down:'))).toHaveLength(1);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  });
});

describe('the error log', () => {
  /** Starts the CLI with a packages directory whose release.json is invalid (every manifest request is a 500). */
  async function withBrokenRelease(env: Record<string, string>, run: (url: string) => Promise<void>): Promise<string> {
    const pkgs = tmp();
    writeFileSync(join(pkgs, 'release.json'), '{"name":');
    const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', tmp(), '--packages', pkgs], {
      cwd: ROOT,
      env: { ...process.env, UPLOAD_GUARD_INGEST_TOKEN: INGEST, UPLOAD_GUARD_ADMIN_TOKEN: ADMIN, DATABASE_URL: '', UPLOAD_GUARD_LOG: '', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const deadline = Date.now() + 30_000;
    while (!/listening on (\S+)/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(out);
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      await run(/listening on (\S+)/.exec(out)![1]!);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    return out;
  }

  it('records every 500 by default, and never a token however the parameter name is encoded', async () => {
    const quiet = await withBrokenRelease({}, async (url) => {
      expect((await fetch(`${url}/extension/updates.xml?token=${INGEST}`)).status).toBe(500);
    });
    const errors = quiet.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown });
    expect(errors.some((e) => e.level >= 50 && e.msg === 'extension packages' && /not valid JSON/.test(JSON.stringify(e.err)))).toBe(true);

    const verbose = await withBrokenRelease({ UPLOAD_GUARD_LOG: '1' }, async (url) => {
      for (const q of [`%74oken=${INGEST}`, `TOKEN=${INGEST}`, `to%6Ben=${encodeURIComponent(INGEST)}`]) await (await fetch(`${url}/extension/updates.xml?${q}`)).arrayBuffer();
    });
    expect(verbose).toMatch(/updates\.xml/); // the requests were logged…
    expect(verbose).not.toContain(INGEST); // …without the token
  }, 60_000);
});

describe('the per-token limit', () => {
  it('caps the whole fleet on one ingest token (200 × the device burst), whatever addresses and devices it uses', async () => {
    const c = await createCollector({
      storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      // Per device burst 1: per address 20, per token 200 (refilled so slowly that the test sees the burst alone).
      ingestRateLimit: { perSecond: 0.001, burst: 1 },
      trustProxy: true,
    });
    const url = await c.listen(0);
    try {
      const statuses: number[] = [];
      const start = Date.now();
      // 19 devices per address (under the address limit), each device once (within its own limit).
      for (let i = 0; i < 230; i++) {
        const res = await fetch(`${url}/v1/heartbeat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json', 'x-forwarded-for': `10.0.${Math.floor(i / 19)}.1` },
          body: JSON.stringify(sampleHeartbeat({ deviceId: `pc-token-${i}` })),
        });
        statuses.push(res.status);
      }
      const ok = statuses.filter((s) => s === 204).length;
      // The burst of 200, and the odd one refilled meanwhile (0.2 a second); every other request refused.
      expect(statuses.slice(0, 200).every((s) => s === 204)).toBe(true);
      expect(ok).toBeLessThanOrEqual(200 + Math.ceil(((Date.now() - start) / 1000) * 0.2));
      expect(statuses.filter((s) => s === 429).length).toBe(230 - ok);
    } finally {
      await c.close();
      await c.storage.close();
    }
  });
});
