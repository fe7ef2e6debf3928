/**
 * What the collector makes of its alert receivers' answers, with real HTTP and TCP receivers and real
 * SQLite: a redirect is not followed and is a failure the admin API names (a 301 had turned the POST
 * into a body-less GET whose 200 marked the alert delivered); a receiver slower than the old fixed 5 s
 * is given the configured timeout and gets each alert once, with its id as Idempotency-Key; syslog,
 * which has no acknowledgement, is reported as sent, never delivered.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'alert-receivers-ingest-token-0123456789';
const ADMIN = 'alert-receivers-admin-token-0123456789';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function listening<T extends Server | TcpServer>(s: T): Promise<T & { port: number }> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return Object.assign(s, { port: (s.address() as AddressInfo).port });
}

async function collector(alerts: CollectorOptions['alerts']): Promise<{ c: Collector; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-receivers-'));
  dirs.push(dir);
  const c = await createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: [ADMIN], alerts });
  return { c, url: await c.listen(0) };
}

const post = (url: string, events: unknown[]) =>
  fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
const status = async (url: string) => (await (await fetch(`${url}/v1/admin/alerts`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
  delivered: number;
  pending: number;
  byChannel: { channel: string; pending: number; done: number; doneAs: string; lastError: string | null }[];
};
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const incident = () => sampleEvent({ action: 'block', outcome: 'blocked' });

describe('alert receivers', () => {
  it('does not follow a webhook redirect: the alert stays pending and the admin API says where it pointed', async () => {
    const seen: string[] = [];
    const hook = await listening(
      createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        if (req.url === '/hook') res.writeHead(301, { location: '/landing' }).end();
        else res.writeHead(200).end('ok');
      }),
    );
    const { c, url } = await collector({ webhookUrl: `http://127.0.0.1:${hook.port}/hook`, backoff: [60_000] });
    try {
      expect((await post(url, [incident(), incident()])).status).toBe(200);
      await until('two posts', () => seen.length >= 2);
      await until('two failures recorded', async () => (await status(url)).byChannel[0]!.lastError !== null);
      const s = await status(url);
      expect(seen).toEqual(['POST /hook', 'POST /hook']);
      expect(s).toMatchObject({ delivered: 0, pending: 2 });
      expect(s.byChannel[0]).toMatchObject({ channel: 'webhook', pending: 2, done: 0, doneAs: 'delivered' });
      expect(s.byChannel[0]!.lastError).toMatch(/301 redirecting to \/landing: redirects are not followed/);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  });

  it('waits the configured timeout for a slow receiver: each alert posted once, with its id as Idempotency-Key', async () => {
    const posts: { key: string | undefined; alertId: string }[] = [];
    const hook = await listening(
      createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        // Takes the alert at once, answers after 6 s (a chat service under load).
        req.on('end', () => {
          posts.push({ key: req.headers['idempotency-key'] as string | undefined, alertId: (JSON.parse(body) as { alertId: string }).alertId });
          setTimeout(() => res.writeHead(200).end('ok'), 6_000);
        });
      }),
    );
    const { c, url } = await collector({ webhookUrl: `http://127.0.0.1:${hook.port}/`, webhookTimeoutMs: 10_000, backoff: [500] });
    try {
      expect((await post(url, [incident(), incident(), incident()])).status).toBe(200);
      await until('three delivered', async () => (await status(url)).delivered === 3, 20_000);
      expect(posts).toHaveLength(3);
      for (const p of posts) expect(p.key).toBe(p.alertId);
    } finally {
      await c.close();
      await c.storage.close();
      hook.close();
    }
  }, 30_000);

  it('does not count a 200 that is not HEC\'s answer (a proxy\'s page) as delivered', async () => {
    const page = await listening(createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>')));
    const { c, url } = await collector({ hec: { url: `http://127.0.0.1:${page.port}/services/collector`, token: 'hec-token-0123456789', channel: '0b0c8f2e-1d2a-4c3b-9e4f-5a6b7c8d9e0f' }, backoff: [60_000] });
    try {
      expect((await post(url, [incident()])).status).toBe(200);
      await until('the failure recorded', async () => (await status(url)).byChannel[0]!.lastError !== null);
      const s = await status(url);
      expect(s.byChannel[0]).toMatchObject({ channel: 'hec', pending: 1, done: 0 });
      expect(s.byChannel[0]!.lastError).toMatch(/without HEC's \{"code":0\}/);
    } finally {
      await c.close();
      await c.storage.close();
      page.close();
    }
  });

  it('reports syslog records as sent, never delivered (syslog has no acknowledgement)', async () => {
    let received = '';
    const siem = await listening(createTcpServer((sock) => sock.on('data', (d) => (received += d))));
    const { c, url } = await collector({ syslogUrl: `tcp://127.0.0.1:${siem.port}` });
    try {
      expect((await post(url, [incident()])).status).toBe(200);
      await until('the record written', async () => (await status(url)).byChannel[0]!.done === 1);
      expect((await status(url)).byChannel).toEqual([{ channel: 'syslog', pending: 0, done: 1, doneAs: 'sent', lastError: null }]);
      expect(received).toContain('CEF:0|');
    } finally {
      await c.close();
      await c.storage.close();
      siem.close();
    }
  });
});
