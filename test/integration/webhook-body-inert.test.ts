/**
 * The webhook's body carries the event as stored (every value exact), but its bytes held a device's
 * bidi overrides, C1 controls (U+009B is a terminal's CSI), line separators and zero-width characters
 * raw (red team coll10): a receiver that logs the body, or a person reading it with `cat` or in a ticket,
 * saw 「evil<U+202E>gnp.exe」 as evilexe.png and could be sent terminal sequences. The export, NDJSON and HEC
 * already wrote them as JSON escapes (safeJson); the incident and deadline alerts now do too: the same
 * JSON value, parsed. Real HTTP ingest, a real receiver, SQLite.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sampleEvent } from '../../src/events/sample.js';
import { createCollector } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import { until } from './collector-process.js';

const INGEST = 'webhook-inert-ingest-token-0123456789';
const ADMIN = 'webhook-inert-admin-token-0123456789';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const RAW = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;

it('an incident alert names a hostile file exactly, with no bidi, C1 or zero-width character raw in its bytes', async () => {
  const bodies: string[] = [];
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'ug-webhook-inert-'));
  dirs.push(dir);
  const c = await createCollector({
    storage: new SqliteStorage({ path: join(dir, 'events.db') }),
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    alerts: { webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` },
  });
  try {
    const url = await c.listen(0);
    const fileName = '見積\u202Egnp.exe\u009b31m\u2028\u200b秘.xlsx';
    const user = 'ta\u2066ro@example.co.jp';
    const e = sampleEvent({ action: 'block', outcome: 'blocked', fileName, user });
    const r = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [e] }) });
    expect(r.status).toBe(200);
    await until('the alert', () => bodies.length > 0, 20_000);
    const body = bodies[0]!;
    expect(body).not.toMatch(RAW);
    const alert = JSON.parse(body) as { event: { fileName: string; user: string }; text: string };
    // The same values, exactly.
    expect(alert.event.fileName).toBe(fileName);
    expect(alert.event.user).toBe(user);
  } finally {
    await c.close();
    hook.close();
  }
}, 60_000);
