/**
 * F16 (red team round 2): `--trust-proxy` believed X-Forwarded-For from every loopback and private
 * address, so any PC on the LAN (private addresses) chose the address written in the audit log and the
 * key of its rate limits. A bare `trustProxy: true` now means a proxy on this machine (loopback) only;
 * any other proxy is named (addresses, CIDRs). Fastify's own trust logic over inject(), which sets the
 * connection's remote address as a real socket would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';

const INGEST = 'proxy-ingest-token-0123456789';
const ADMIN = 'proxy-admin-token-0123456789';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function start(trustProxy: CollectorOptions['trustProxy']): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-proxy-'));
  dirs.push(dir);
  return createCollector({ storage: new SqliteStorage({ path: join(dir, 'events.db') }), ingestTokens: [INGEST], adminTokens: [ADMIN], trustProxy });
}

/** The device list read from `from`, claiming `claimed` in X-Forwarded-For; returns the address its audit entry records. */
async function auditedAddress(c: Collector, from: string, claimed: string): Promise<string> {
  const auth = { authorization: `Bearer ${ADMIN}` };
  const r = await c.app.inject({ url: '/v1/admin/devices', remoteAddress: from, headers: { ...auth, 'x-forwarded-for': claimed } });
  expect(r.statusCode).toBe(200);
  const audit = await c.app.inject({ url: '/v1/admin/audit?action=devices.view', headers: auth });
  const entries = audit.json().entries as { action: string; address: string }[];
  // Newest first.
  return entries[0]!.address;
}

describe('whose X-Forwarded-For is believed', () => {
  it('a bare trust-proxy believes a proxy on this machine only, not a PC on the LAN', async () => {
    const c = await start(true);
    try {
      expect(await auditedAddress(c, '127.0.0.1', '203.0.113.10')).toBe('203.0.113.10');
      // A PC on the corporate network talking to the collector directly: its claim is ignored.
      expect(await auditedAddress(c, '192.168.1.20', '203.0.113.10')).toBe('192.168.1.20');
      expect(await auditedAddress(c, '10.20.30.40', '203.0.113.10')).toBe('10.20.30.40');
      expect(await auditedAddress(c, 'fd00::2', '203.0.113.10')).toBe('fd00::2');
    } finally {
      await c.close();
      await c.storage.close();
    }
  });

  it('a named proxy is believed; its neighbour on the same network is not', async () => {
    const c = await start(['10.0.0.5', '172.16.8.0/24']);
    try {
      expect(await auditedAddress(c, '10.0.0.5', '203.0.113.10')).toBe('203.0.113.10');
      expect(await auditedAddress(c, '172.16.8.77', '203.0.113.11')).toBe('203.0.113.11');
      expect(await auditedAddress(c, '10.0.0.6', '203.0.113.10')).toBe('10.0.0.6');
      expect(await auditedAddress(c, '127.0.0.1', '203.0.113.10')).toBe('127.0.0.1');
    } finally {
      await c.close();
      await c.storage.close();
    }
  });

  it('without trust-proxy nobody is believed', async () => {
    const c = await start(false);
    try {
      expect(await auditedAddress(c, '127.0.0.1', '203.0.113.10')).toBe('127.0.0.1');
    } finally {
      await c.close();
      await c.storage.close();
    }
  });
});
