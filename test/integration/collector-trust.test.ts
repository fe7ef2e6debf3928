/**
 * What the ingest token (on every PC) can and cannot do to the record, and hostile text on its way to
 * other systems (chat webhooks, SIEM, terminals, line splitters). Real SQLite, real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import { ndjsonLine, csvCell, toJson } from '../../src/events/encode.js';
import { cefValue, cefHeader } from '../../src/collector/alerts/cef.js';
import { chatField, incidentAlert, staleDeviceAlert } from '../../src/collector/alerts/webhook.js';
import { deadlineAlert } from '../../src/collector/incidents/deadline.js';
import type { Incident } from '../../src/collector/incidents/store.js';
import { redactUrl } from '../../src/collector/log.js';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector/server.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';

const INGEST = 'trust-ingest-token-0123456789';
const ADMIN = 'trust-admin-token-0123456789';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ug-trust-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function start(extra: Partial<CollectorOptions> = {}): Promise<{ c: Collector; url: string }> {
  const c = await createCollector({
    storage: new SqliteStorage({ path: join(tmp(), 'events.db') }),
    ingestTokens: [INGEST],
    adminTokens: [ADMIN],
    ...extra,
  });
  return { c, url: await c.listen(0) };
}
const send = (url: string, path: string, body: unknown, headers: Record<string, string> = {}, token = INGEST) =>
  fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const admin = async (url: string, path: string) => (await fetch(url + path, { headers: { authorization: `Bearer ${ADMIN}` } })).json();

describe('what the ingest token cannot rewrite', () => {
  let c: Collector;
  let url: string;
  beforeAll(async () => {
    ({ c, url } = await start({ ingestRateLimit: { perSecond: 1000, burst: 1000 } }));
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
  });

  it('a forged heartbeat cannot erase the warnings an earlier one raised', async () => {
    const deviceId = `pc-${randomUUID()}`;
    expect((await send(url, '/v1/heartbeat', sampleHeartbeat({ deviceId, installType: 'normal', managed: false }))).status).toBe(204);
    let d = (await admin(url, '/v1/admin/devices')).devices.find((x: { deviceId: string }) => x.deviceId === deviceId);
    expect(d.warnings).toEqual(expect.arrayContaining(['not-force-installed', 'no-managed-policy']));
    // The forgery: everything looks fine now.
    expect((await send(url, '/v1/heartbeat', sampleHeartbeat({ deviceId, installType: 'admin', managed: true }))).status).toBe(204);
    d = (await admin(url, '/v1/admin/devices')).devices.find((x: { deviceId: string }) => x.deviceId === deviceId);
    expect(d.warnings).toContain('warnings-cleared');
    expect(Object.keys(d.raised).sort()).toEqual(['no-managed-policy', 'not-force-installed']);
  });

  it('bounds event times to a window around arrival: kept, flagged, ordered and purged by arrival', async () => {
    const future = sampleEvent({ time: '9999-12-31T23:59:59.000Z' });
    const ancient = sampleEvent({ time: '2001-01-01T00:00:00.000Z' });
    const honest = sampleEvent({ time: new Date(Date.now() - 3 * 86_400_000).toISOString() }); // queued offline for 3 days
    const before = Date.now();
    expect((await send(url, '/v1/events', { events: [future, ancient, honest] })).status).toBe(200);
    const page = await admin(url, '/v1/admin/events?limit=100');
    const byId = new Map<string, { time: string; claimedTime?: string }>(page.events.map((e: { id: string }) => [e.id, e]));
    for (const e of [future, ancient]) {
      expect(Date.parse(byId.get(e.id)!.time)).toBeGreaterThanOrEqual(before - 1000);
      expect(byId.get(e.id)!.claimedTime).toBe(e.time);
    }
    expect(byId.get(honest.id)!.time).toBe(honest.time);
    expect(byId.get(honest.id)!.claimedTime).toBeUndefined();
    // Retention by arrival: a 30-day purge keeps the "2001" event (it arrived now) and would drop nothing here.
    expect(await c.storage.purgeBefore(Date.now() - 30 * 86_400_000)).toBe(0);
    expect((await admin(url, '/v1/admin/events?limit=100')).events.map((e: { id: string }) => e.id)).toContain(ancient.id);
  });

  it("names services from the collector's list, never from an event's serviceName", async () => {
    const spoof = sampleEvent({ service: 'gmail', serviceName: '<!channel> CEO bonus list', time: new Date().toISOString() });
    expect((await send(url, '/v1/events', { events: [spoof] })).status).toBe(200);
    const sum = await admin(url, '/v1/admin/summary');
    expect(sum.byService.find((s: { service: string }) => s.service === 'gmail').serviceName).toBe('Gmail');
  });

  it('stores the same UUID in upper and lower case once, and a lone surrogate as one U+FFFD', async () => {
    const e = sampleEvent({ time: new Date().toISOString(), fileName: 'a\ud800b.pdf' });
    const upper = { ...e, id: e.id.toUpperCase() };
    // The answer says the file name was stored other than as sent.
    const replaced = [{ id: e.id.toLowerCase(), fields: ['fileName'], why: expect.stringMatching(/U\+FFFD/) }];
    expect(await (await send(url, '/v1/events', { events: [upper] })).json()).toEqual({ accepted: 1, duplicates: 0, replaced });
    expect(await (await send(url, '/v1/events', { events: [e] })).json()).toEqual({ accepted: 0, duplicates: 1, replaced });
    const stored = (await admin(url, '/v1/admin/events?limit=200')).events.find((x: { id: string }) => x.id === e.id.toLowerCase());
    expect(stored.fileName).toBe('a\ufffdb.pdf');
  });
});

describe('rate limits per device, per token, behind NAT and proxies', () => {
  /**
   * Burst 3 requests (2 full batches of events) per device, refilled so slowly (one request in 100 s, an
   * address's 1,000-event batch in over an hour) that only the burst is measured: at 1 a second, a loaded
   * machine taking a second over the first four requests (or over a minute on the 45-batch flood) had a
   * token back and the next request went through where a 429 is expected.
   */
  const SLOW = { perSecond: 0.01, burst: 3 };
  it('gives each device behind one address its own bucket; --rate-limit 0 means no limit (never Retry-After: Infinity)', async () => {
    const { c, url } = await start({ ingestRateLimit: SLOW });
    try {
      const statuses = async (deviceId: string, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await send(url, '/v1/events', { events: [sampleEvent({ deviceId })] })).status);
        return out;
      };
      expect(await statuses('pc-a', 5)).toEqual([200, 200, 200, 429, 429]);
      expect(await statuses('pc-b', 3)).toEqual([200, 200, 200]); // same address, another device
    } finally {
      await c.close();
      await c.storage.close();
    }
    const open = await start({ ingestRateLimit: { perSecond: 0, burst: 0 } });
    try {
      for (let i = 0; i < 30; i++) {
        const res = await send(open.url, '/v1/events', { events: [sampleEvent()] });
        expect(res.status).toBe(200);
        expect(res.headers.get('retry-after')).toBeNull();
      }
    } finally {
      await open.c.close();
      await open.c.storage.close();
    }
  });

  it('counts events, not requests: full batches under made-up device ids from one address stop at its budget, other addresses go on', async () => {
    const { c, url } = await start({ trustProxy: true, ingestRateLimit: SLOW });
    try {
      // The address's budget: 2 full batches × 20 in a burst (40,000 events).
      const flood: number[] = [];
      for (let i = 0; i < 45; i++) {
        const deviceId = `fake-${i}`;
        const events = Array.from({ length: 1000 }, () => sampleEvent({ deviceId }));
        flood.push((await send(url, '/v1/events', { events }, { 'x-forwarded-for': '198.51.100.9' })).status);
      }
      expect(flood.slice(0, 40).every((s) => s === 200)).toBe(true);
      expect(flood.slice(41).every((s) => s === 429)).toBe(true);
      // A real device elsewhere is untouched, and its own budget lets a full queue (1,000 events) through.
      const real = Array.from({ length: 1000 }, () => sampleEvent({ deviceId: 'pc-real' }));
      expect((await send(url, '/v1/events', { events: real }, { 'x-forwarded-for': '198.51.100.20' })).status).toBe(200);
      // One device id cannot take more than its own share either, whatever addresses it comes from.
      const one: number[] = [];
      for (let i = 0; i < 4; i++) {
        const events = Array.from({ length: 1000 }, () => sampleEvent({ deviceId: 'pc-loud' }));
        one.push((await send(url, '/v1/events', { events }, { 'x-forwarded-for': `198.51.100.${30 + i}` })).status);
      }
      expect(one).toEqual([200, 200, 429, 429]);
    } finally {
      await c.close();
      await c.storage.close();
    }
    // 49 batches of 1,000 events stored: a few seconds alone, past 60 s on a 2-core machine under load.
  }, 180_000);

  it('behind a trusted proxy takes the right-most address the proxy saw: a client cannot pick its own bucket', async () => {
    const { c, url } = await start({ trustProxy: true, ingestRateLimit: SLOW });
    try {
      const out: number[] = [];
      // Each guess claims another address in the left of X-Forwarded-For; the proxy appended the real one.
      for (let i = 0; i < 6; i++) {
        out.push((await send(url, '/v1/events', { events: [] }, { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.7` }, `guess-token-${i}-0123456789abcdef`)).status);
      }
      expect(out).toEqual([401, 401, 401, 429, 429, 429]);
    } finally {
      await c.close();
      await c.storage.close();
    }
  });
});

describe('exports say when they are incomplete', () => {
  it('a bad cursor is 400; a storage failure part way ends with an error line and an error trailer', async () => {
    const storage = new SqliteStorage({ path: join(tmp(), 'events.db') });
    await storage.insertEvents(Array.from({ length: 2500 }, () => sampleEvent()), Date.now());
    let calls = 0;
    const failing: Storage = Object.create(storage, {
      queryEvents: { value: (q: Parameters<Storage['queryEvents']>[0]) => (++calls === 2 ? Promise.reject(new Error('disk I/O error')) : storage.queryEvents(q)) },
    });
    const c = await createCollector({ storage: failing, ingestTokens: [INGEST], adminTokens: [ADMIN] });
    const url = await c.listen(0);
    try {
      const bad = await fetch(`${url}/v1/admin/export?cursor=garbage`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(bad.status).toBe(400);
      calls = 0;
      for (const format of ['csv', 'ndjson'] as const) {
        calls = 0;
        const res = await fetch(`${url}/v1/admin/export?format=${format}`, { headers: { authorization: `Bearer ${ADMIN}` } });
        expect(res.status).toBe(200);
        const text = await res.text();
        const last = text.trimEnd().split(/\r?\n/).at(-1)!;
        expect(last).toMatch(format === 'csv' ? /^# ERROR: export incomplete: disk I\/O error$/ : /^\{"error":"export incomplete: disk I\/O error"\}$/);
      }
    } finally {
      await c.close();
      await storage.close();
    }
  });
});

/** An overdue incident whose file and user are `name`. */
const incidentOf = (name: string): Incident => ({
  id: 7, user: name, deviceId: 'pc-1', deviceName: null, sha256: null, fileName: name, service: 'gmail', day: '2026-12-02', kinds: ['block'],
  openedAt: '2026-12-02T00:00:00.000Z', receivedAt: '2026-12-02T00:00:00.000Z', lastAt: '2026-12-02T00:00:00.000Z', events: 1, status: 'new', assignee: null, severity: 'medium', notes: null,
  reportedAt: null, updatedAt: '2026-12-02T00:00:00.000Z', deadline: '2026-12-03T00:00:00.000Z', minutesLeft: -180,
});

describe('inert output', () => {
  const hostile = 'x<!channel> <https://evil.example|invoice.pdf> [click](https://evil.example)\nFAKE LINE\u202Egpj.exe\u001b[31m\u2028\u0085';

  it('webhook text: Slack/Teams markup escaped, controls and bidi shown, each field quoted', () => {
    const text = incidentAlert(sampleEvent({ fileName: hostile, user: '<@U123>' }), 'incident:x').text;
    expect(text).not.toMatch(/<[!@h]/);
    expect(text).not.toMatch(/[\n\u202e\u001b\u2028\u0085]/);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('\\[click\\]');
    expect(text).toContain('[U+202E]');
    expect(text).toContain('"&lt;＠U123&gt;"'); // a bare @ that is no e-mail's is full-width too
    expect(chatField('a & b')).toBe('"a &amp; b"');
  });

  /**
   * F15: Slack mrkdwn and bare URLs in device-written names. Slack documents escaping only for &, < and
   * >; *bold*, _italic_, ~strike~, `code` and :emoji: still applied, and a URL (or a bare domain, or a
   * name ending in .zip, a real TLD) in a file name was auto-linked: a bold, clickable phishing link
   * posted by the trusted integration. Checked on every text the collector posts to a webhook.
   */
  describe('webhook text: no chat markup and no link from a device-written value', () => {
    const phishing = '*URGENT* https://login.example-corp.evil/reset?u=sato .pdf';
    const names = [
      phishing,
      '_it_ ~strike~ `code` :rotating_light: @channel @here',
      'www.example-corp.evil',
      'payroll.zip',
      'sato@example-corp.evil',
      '<img src=x onerror=alert(1)>&amp;',
      '\u202E(https://evil.example)',
      'invoice\u202Efdp.exe\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007',
    ];
    const texts = (name: string) => [
      incidentAlert(sampleEvent({ fileName: name, user: name, deviceId: 'pc-1' }), 'incident:x').text,
      staleDeviceAlert({ deviceId: name, user: name, browser: 'chrome', extensionVersion: '0.1.0', policyVersion: '1', lastSeen: '2026-12-02T03:00:00.000Z', silentMinutes: 90 }, 'stale:x').text,
      deadlineAlert(incidentOf(name), Date.parse('2026-12-03T03:00:00Z')).payload,
    ];
    // The parts of a text the device wrote: what is between the quotes chatField puts around each value.
    const fields = (text: string) => [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);

    it.each(names)('%s', (name) => {
      for (const text of texts(name).map((t) => (t.startsWith('{') ? (JSON.parse(t) as { text: string }).text : t))) {
        const values = fields(text);
        expect(values.length, text).toBeGreaterThanOrEqual(2);
        for (const v of values) {
          // No mrkdwn/Markdown emphasis, code or strike characters, no :emoji: shortcode, no bare mention.
          expect(v, text).not.toMatch(/[*_~`]/);
          expect(v, text).not.toMatch(/:[a-z0-9_+-]*[a-z][a-z0-9_+-]*:/i);
          expect(v, text).not.toMatch(/(^|[^A-Za-z0-9])@(channel|here|everyone)/);
          // Nothing an auto-linker takes for a URL, a domain or an e-mail address.
          expect(v, text).not.toMatch(/:\/\//);
          expect(v, text).not.toMatch(/[A-Za-z0-9]\.[A-Za-z0-9]/);
          // A Markdown link cannot start at a bracket the collector wrote either.
          expect(v, text).not.toMatch(/(^|[^\\])\]\(/);
          // HTML and Slack's <…> stay entities; controls and bidi stay visible.
          expect(v, text).not.toMatch(/[<>\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
        }
      }
    });

    it('still reads as the name: a defanged URL, Japanese untouched', () => {
      const text = incidentAlert(sampleEvent({ fileName: phishing, user: 'sato@example.co.jp' }), 'incident:x').text;
      expect(text).toContain('"＊URGENT＊ https[:]//login[.]example-corp[.]evil/reset?u=sato .pdf"');
      expect(text).toContain('"sato@example[.]co[.]jp"');
      const jp = incidentAlert(sampleEvent({ fileName: '【社外秘】2026年度_見積書（最終）.xlsx', user: '佐藤 花子' }), 'incident:x').text;
      expect(jp).toContain('"【社外秘】2026年度＿見積書（最終）.xlsx"');
      expect(jp).toContain('"佐藤 花子"');
      // The event's time is written by the collector (the schema admits only an ISO time), not defanged.
      expect(jp).toMatch(/ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
  });

  it('CEF: spec escapes plus every control and Unicode line separator made visible', () => {
    const v = cefValue(hostile);
    expect(v).not.toMatch(/[\n\r\u001b\u2028\u2029\u0085\u202e]/);
    expect(v).toContain('\\n');
    expect(cefHeader('a|b\u2028c')).toBe('a\\|b[U+2028]c');
  });

  it('CSV for terminals and NDJSON for line splitters', () => {
    // Formula starts behind blanks or invisible characters, and in full-width forms, stay text too.
    for (const f of [' =1+1', '\u3000=1+1', '\u200b=1+1', '\ufeff=1+1', '＝1+1', '＋1', '＠SUM(A1)']) expect(csvCell(f), JSON.stringify(f)).toMatch(/^'/);
    expect(csvCell('a=b')).toBe('a=b');
    // Two names that differ by a character of zero width do not look the same.
    expect(csvCell('report\u200b.pdf')).toBe('report[U+200B].pdf');
    expect(csvCell('\ufeffreport.pdf')).toBe('[U+FEFF]report.pdf');
    const cell = csvCell(hostile);
    expect(cell).not.toMatch(/[\u001b\u202e\u2028\u0085]/);
    expect(cell).toContain('[U+001B]');
    const line = ndjsonLine({ fileName: hostile });
    expect(line.slice(0, -1)).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
    expect(JSON.parse(line).fileName).toBe(hostile); // still the exact text for a JSON reader
    // For a terminal too (`upload-guard pull --format ndjson`): no C1 control (U+009B is CSI), no bidi override.
    const c1 = 'evil\u202egnp.exe\u009b31m\u2066x\u2069';
    for (const out of [ndjsonLine({ fileName: c1 }), toJson([{ fileName: c1 }])]) {
      expect(out).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(JSON.stringify(JSON.parse(out))).toContain('gnp.exe');
    }
  });

  it('logs never show a token, however the parameter name is encoded', () => {
    for (const u of ['/extension/x.crx?token=SECRET', '/x?%74oken=SECRET', '/x?TOKEN=SECRET&a=1', '/x?a=1&to%256Ben=SECRET', '/x?access_token=SECRET', '/x?token%00=SECRET', '/x?token%5B%5D=SECRET', '/x?token[]=SECRET']) {
      expect(redactUrl(u), u).not.toContain('SECRET');
    }
    expect(redactUrl('/x?a=1&b=2')).toBe('/x?a=1&b=2');
  });

  it('creates events.db 0600 even in a data directory that already exists', () => {
    const dir = tmp();
    const s = new SqliteStorage({ path: join(dir, 'events.db') });
    expect(statSync(join(dir, 'events.db')).mode & 0o777).toBe(0o600);
    void s.close();
  });
});
