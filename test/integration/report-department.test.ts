/**
 * Per-department figures (SQLite; PostgreSQL with UPLOAD_GUARD_TEST_PG): the policy field `department`
 * (one value per organizational unit) comes in with events and heartbeats over the real ingest API, is
 * validated and stored, and the periodic report counts per department against the previous period in
 * its CSV, HTML page and PDF; a device that stopped reporting shows its department.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector/server.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import type { ExtractContext } from '../../src/detect/extract/types.js';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { testBackends } from '../support/backends.js';

const INGEST = 'dept-ingest-token-0123456789abc';
const ADMIN = 'dept-admin-token-0123456789abcd';
const NOW = Date.parse('2026-12-02T00:00:00Z');
const SALES = '営業部';
const DEV = '開発部';
const PC_SALES = randomUUID();
const PC_DEV = randomUUID();
const PC_NONE = randomUUID();

const ev = (time: string, deviceId: string, o: Partial<UploadEvent> = {}) => sampleEvent({ time, deviceId, ...o });
const clean = { verdict: 'clean', rule: null, reason: null, action: 'allow', outcome: 'allowed' } as const;
const EVENTS: UploadEvent[] = [
  // November in JST: sales 2 blocked + 1 clean, development 1 warning sent anyway, one device with no department.
  ev('2026-10-31T15:30:00Z', PC_SALES, { user: 'alice@example.co.jp', department: SALES }),
  ev('2026-11-10T02:00:00Z', PC_SALES, { user: 'alice@example.co.jp', department: SALES }),
  ev('2026-11-11T02:00:00Z', PC_SALES, { user: 'alice@example.co.jp', department: SALES, ...clean }),
  ev('2026-11-12T02:00:00Z', PC_DEV, { user: 'bob@example.co.jp', department: DEV, action: 'warn', outcome: 'proceeded' }),
  ev('2026-11-13T02:00:00Z', PC_NONE, { user: 'carol@example.co.jp', ...clean }),
  // October: sales 1 (the previous period).
  ev('2026-10-20T02:00:00Z', PC_SALES, { user: 'alice@example.co.jp', department: SALES }),
];

function pdfContext(): ExtractContext {
  return { limits: DEFAULT_LIMITS, depth: 0, fullText: true, checkTime() {}, addExpanded() {}, addEntry() {} };
}

async function pdfText(pdf: Uint8Array): Promise<string> {
  let text = '';
  for await (const it of extractPdf(new Blob([pdf as Uint8Array<ArrayBuffer>]), pdfContext())) if (it.kind === 'text') text += it.text + '\n';
  return text;
}

/** Simple CSV rows (these cells hold no quotes or commas). */
const csvRows = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean)
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));

describe.each(testBackends('dept'))('per-department report ($name)', (backend) => {
  let storage: Storage;
  let c: Collector;
  let url: string;
  let clock = Date.parse('2026-11-20T00:00:00Z');
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });

  beforeAll(async () => {
    storage = await backend.open();
    c = await createCollector({ storage, ingestTokens: [INGEST], adminTokens: [ADMIN], now: () => clock, timeWindow: false });
    url = await c.listen(0);
    const res = await post('/v1/events', { events: EVENTS });
    expect(res.status).toBe(200);
    // The sales PC fell silent on 11/20; it still says which department it belongs to.
    const hb = sampleHeartbeat({ deviceId: PC_SALES, user: 'alice@example.co.jp', department: SALES, heartbeatMinutes: 15, time: '2026-11-20T00:00:00Z' });
    expect((await post('/v1/heartbeat', hb)).status).toBe(204);
    clock = NOW;
  });
  afterAll(async () => {
    await c.close();
    await backend.cleanup(storage);
  });

  it('stores the department with the event and refuses one with control characters or too long', async () => {
    const page = await storage.queryEvents({ device: PC_DEV, limit: 10, sort: '-time', cursor: null });
    expect(page.events[0]!.department).toBe(DEV);
    const none = await storage.queryEvents({ device: PC_NONE, limit: 10, sort: '-time', cursor: null });
    expect(none.events[0]).not.toHaveProperty('department');
    for (const department of ['営業\u0007部', 'x'.repeat(129)]) {
      const res = await post('/v1/events', { events: [ev('2026-11-14T02:00:00Z', PC_DEV, { department })] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/department/);
    }
    expect((await post('/v1/heartbeat', sampleHeartbeat({ deviceId: PC_DEV, department: '' }))).status).toBe(400);
  });

  it('CSV: per department, against the previous period, the events without one apart', async () => {
    const res = await get('/v1/admin/report?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&format=csv&lang=en');
    expect(res.status).toBe(200);
    const rows = csvRows(await res.text());
    const dept = (name: string) => rows.find((r) => r[0] === 'By department' && r[1] === name);
    // Decisions, marked, unscannable, blocked, warned, sent after a warning, disputed, previous period.
    expect(dept(SALES)!.slice(2)).toEqual(['3', '2', '0', '2', '0', '0', '0', '1']);
    expect(dept(DEV)!.slice(2)).toEqual(['1', '1', '0', '0', '0', '1', '0', '0']);
    expect(dept('(no department set)')!.slice(2, 3)).toEqual(['1']);
    expect(rows.find((r) => r[0] === 'Devices that stopped reporting' && r[1] === PC_SALES)![5]).toBe(SALES);
  });

  it('the decisions CSV (export for people) has a department column', async () => {
    const rows = csvRows(await (await get('/v1/admin/export?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&action=&lang=en')).text());
    const col = rows[0]!.indexOf('Department');
    expect(col).toBeGreaterThan(0);
    expect(rows.filter((r) => r[col] === SALES)).toHaveLength(3);
    expect(rows.filter((r) => r[col] === '')).toHaveLength(1);
  });

  it('events and the summary filter by department (exactly; the summary counts events, not the hourly rollup)', async () => {
    const events = (await (await get(`/v1/admin/events?department=${encodeURIComponent(SALES)}&limit=100`)).json()) as { events: UploadEvent[] };
    expect(events.events).toHaveLength(4);
    expect(events.events.every((e) => e.department === SALES)).toBe(true);
    const q = `from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&department=${encodeURIComponent(SALES)}`;
    const summary = (await (await get(`/v1/admin/summary?${q}`)).json()) as { total: number; byDay: { day: string; count: number }[] };
    expect(summary.total).toBe(3);
    expect(summary.byDay.find((d) => d.day === '2026-11-01')?.count).toBe(1);
    expect(((await (await get('/v1/admin/events?department=営業')).json()) as { events: unknown[] }).events).toHaveLength(0);
  });

  it('HTML and PDF: the department section with its figures', async () => {
    const html = await (await get('/v1/admin/report?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo')).text();
    expect(html).toContain('部署別');
    expect(html).toContain(SALES);
    expect(html).toContain('（部署の設定なし）');
    expect(html).not.toContain('ポリシーの「department」'); // the how-to note is for periods without any department
    const pdf = new Uint8Array(await (await get('/v1/admin/report?from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&format=pdf')).arrayBuffer());
    const text = await pdfText(pdf);
    for (const s of ['部署別', SALES, DEV]) expect(text).toContain(s);
  }, 60_000);
});
