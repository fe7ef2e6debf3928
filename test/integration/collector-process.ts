/**
 * A collector run as its own process (bin/upload-guard.js), for the tests that kill it with -9 during a
 * burst: starting it, a webhook receiver that records the alerts, and a burst of incidents whose
 * acknowledged ids are kept. Shared by collector-faults (SQLite) and collector-postgres-process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { join } from 'node:path';
import { sampleEvent } from '../../src/events/sample.js';

export const ROOT = join(import.meta.dirname, '../..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Resolves once the child has exited, also when it already had (its 'exit' event would never come again). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

export function postEvents(url: string, events: unknown[], token: string) {
  return fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
}

/**
 * postEvents as the extension sends: a batch shed with 503 and Retry-After (admission.ts: a collector just
 * started, or a loaded machine's busy event loop) is sent again, so a test measures delivery, not the load.
 */
export async function postEventsResending(url: string, events: unknown[], token: string): Promise<Response> {
  for (let tries = 1; ; tries++) {
    const res = await postEvents(url, events, token);
    if (res.status !== 503 || tries === 20) return res;
    if (!res.headers.get('retry-after')) throw new Error('a 503 without Retry-After');
    await res.arrayBuffer();
    await sleep(250);
  }
}

export const incident = () => sampleEvent({ action: 'block', outcome: 'blocked', deviceId: `pc-${randomUUID()}` });

/**
 * A webhook receiver that records every alertId it gets (answering after `delayMs`). `pause()` holds
 * every alert unanswered and unrecorded until `resume()`, as a receiver that stalls.
 */
export async function receiver(delayMs = 0): Promise<{ url: string; ids: string[]; server: Server; pause(): void; resume(): void }> {
  const ids: string[] = [];
  let held: Promise<void> | null = null;
  let release = () => {};
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () =>
      setTimeout(async () => {
        if (held) await held;
        ids.push(JSON.parse(body).alertId);
        res.writeHead(204).end();
      }, delayMs),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    ids,
    server,
    pause: () => {
      held ??= new Promise<void>((ok) => (release = ok));
    },
    resume: () => {
      release();
      held = null;
    },
  };
}

/** `upload-guard collector` on a free port; resolves with its URL once it listens (rejects with its output if it exits); `output()`: all it printed so far. */
export function spawnCollector(data: string, webhook: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/upload-guard.js'), 'collector', '--port', '0', '--data', data, '--webhook', webhook, '--rate-limit', '0'], {
    cwd: ROOT,
    // A short lease: the alerts a killed collector had leased are sent again after it.
    env: { ...process.env, UPLOAD_GUARD_ALERT_LEASE_SECONDS: '3', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return (async () => {
    await until(`the collector to start:\n${out}`, () => /listening on (\S+)/.test(out) || child.exitCode !== null);
    if (child.exitCode !== null) throw new Error(out);
    return { child, url: /listening on (\S+)/.exec(out)![1]!, output: () => out };
  })();
}

/**
 * `clients` clients each sending batches of 20 incidents until `stop()`: `acked` holds the ids of every
 * batch the collector answered 200 (a request the collector died under is not acknowledged).
 */
export function burst(url: string, token: string, clients: number): { acked: string[]; stop: () => Promise<void> } {
  const acked: string[] = [];
  let stopped = false;
  const running = Array.from({ length: clients }, async () => {
    while (!stopped) {
      const batch = Array.from({ length: 20 }, incident);
      try {
        const res = await postEvents(url, batch, token);
        if (res.status === 200) acked.push(...batch.map((e) => e.id));
      } catch {
        /* the collector died under this request: not acknowledged */
      }
    }
  });
  return {
    acked,
    stop: async () => {
      stopped = true;
      await Promise.all(running);
    },
  };
}
