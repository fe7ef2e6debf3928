/**
 * The periodic report (guideline 5-1) over real storage (SQLite; PostgreSQL with UPLOAD_GUARD_TEST_PG):
 * November 2026 in Asia/Tokyo, with events on both sides of the month's local boundaries, a previous
 * month to compare with, a device that stopped reporting and hostile names. The CSV figures, the HTML
 * page (escaped, inline SVG, its CSP) and the PDF (text extracted by the repo's own PDF extractor and by
 * pdftotext from poppler-utils, which scripts/ci-system.sh installs) must show the same figures.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent, sampleHeartbeat } from '../../src/events/sample.js';
import type { UploadEvent } from '../../src/events/schema.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { reportRange } from '../../src/collector/report/range.js';
import { PostgresStorage } from '../../src/collector/storage/postgres.js';
import { SqliteStorage } from '../../src/collector/storage/sqlite.js';
import type { Storage } from '../../src/collector/storage/types.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { ScanError, type ExtractContext } from '../../src/detect/extract/types.js';

const PG_URL = process.env.UPLOAD_GUARD_TEST_PG;
const INGEST = 'report-ingest-token-0123456789';
const ADMIN = 'report-admin-token-0123456789a';
const NOW = Date.parse('2026-12-02T00:00:00Z'); // 12/02 09:00 JST: "last month" is November
const HOSTILE_USER = '<img src=x onerror=alert(1)>@example.co.jp';
const HOSTILE_FILE = '=HYPERLINK("http://evil/","x")\u202Efdp.docx';

const ev = (time: string, o: Partial<UploadEvent> = {}) => sampleEvent({ time, ...o });
const clean = (time: string, user: string) => ev(time, { user, verdict: 'clean', rule: null, reason: null, action: 'allow', outcome: 'allowed', fileName: 'memo.txt' });

/** November 2026 in JST, and what is just outside it. */
const warnPending = ev('2026-11-10T01:00:00Z', { user: 'bob@example.co.jp', service: 'chatgpt', serviceName: 'ChatGPT', category: 'genai', origin: 'https://chatgpt.com', rule: 1, reason: 'stamp', action: 'warn', outcome: 'pending', sha256: 'b'.repeat(64) });
const NOVEMBER: UploadEvent[] = [
  // 11/01 00:30 JST: November (UTC says October)
  ev('2026-10-31T15:30:00Z', { user: 'alice@example.co.jp' }),
  ev('2026-11-05T03:00:00Z', { user: 'alice@example.co.jp', sha256: 'c'.repeat(64) }),
  warnPending,
  { ...warnPending, id: randomUUID(), time: '2026-11-10T01:01:00Z', relatesTo: warnPending.id, outcome: 'proceeded', justification: '取引先へ送付' },
  ev('2026-11-12T05:00:00Z', { user: 'bob@example.co.jp', verdict: 'unscannable', rule: null, reason: 'encrypted', action: 'audit', outcome: 'allowed', sha256: 'd'.repeat(64) }),
  ev('2026-11-20T06:00:00Z', { user: HOSTILE_USER, fileName: HOSTILE_FILE, rule: 3, reason: 'keyword', sha256: null }),
  ...Array.from({ length: 5 }, (_, i) => clean(`2026-11-2${i}T02:00:00Z`, 'dave@example.co.jp')),
];
const OCTOBER: UploadEvent[] = [
  // 10/31 23:30 JST: October (the previous period)
  ev('2026-10-31T14:30:00Z', { user: 'alice@example.co.jp' }),
  clean('2026-10-10T02:00:00Z', 'dave@example.co.jp'),
];
// 12/01 00:30 JST: December (UTC says November)
const DECEMBER: UploadEvent[] = [ev('2026-11-30T15:30:00Z', { user: 'erin@example.co.jp' })];

const backends: [string, () => Promise<{ storage: Storage; done: () => Promise<void> }>][] = [
  ['sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-report-'));
    return { storage: new SqliteStorage({ path: join(dir, 'events.db') }), done: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
];
if (PG_URL) {
  backends.push(['postgres', async () => {
    const schema = `ug_report_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    return {
      storage: await PostgresStorage.open({ connectionString: PG_URL, schema }),
      done: async () => {
        const s = await PostgresStorage.open({ connectionString: PG_URL, schema });
        await s.dropSchema();
        await s.close();
      },
    };
  }]);
}

function ctx(): ExtractContext {
  return {
    limits: DEFAULT_LIMITS,
    depth: 0,
    fullText: true,
    checkTime() {},
    addExpanded() {},
    addEntry() {},
  };
}

async function pdfText(pdf: Uint8Array): Promise<string> {
  let text = '';
  for await (const it of extractPdf(new Blob([pdf as Uint8Array<ArrayBuffer>]), ctx())) if (it.kind === 'text') text += it.text + '\n';
  return text;
}

/** RFC 4180: quoted cells may hold commas, quotes ("") and line breaks. */
function csvRows(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = csv.replace(/^\uFEFF/, '');
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endCell();
    else if (ch === '\r' && s[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += ch;
  }
  if (cell || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}

describe('report range in a time zone', () => {
  it('reads plain dates as local dates and defaults to the last calendar month', () => {
    const r = reportRange({ from: '2026-11-01', to: '2026-12-01', tz: 'Asia/Tokyo' }, NOW);
    expect(new Date(r.fromMs).toISOString()).toBe('2026-10-31T15:00:00.000Z');
    expect(new Date(r.toMs).toISOString()).toBe('2026-11-30T15:00:00.000Z');
    expect([r.fromDate, r.lastDate]).toEqual(['2026-11-01', '2026-11-30']);
    expect(new Date(r.prevFromMs).toISOString()).toBe('2026-10-01T15:00:00.000Z'); // 30 days before
    expect(reportRange({ tz: 'Asia/Tokyo' }, NOW)).toEqual(r);
    // January's previous month is December of the year before; DST zones get their local midnight.
    const jan = reportRange({ tz: 'America/New_York' }, Date.parse('2027-01-15T12:00:00Z'));
    expect(new Date(jan.fromMs).toISOString()).toBe('2026-12-01T05:00:00.000Z');
    const ny = reportRange({ from: '2026-03-01', to: '2026-04-01', tz: 'America/New_York' }, NOW);
    expect(new Date(ny.toMs).toISOString()).toBe('2026-04-01T04:00:00.000Z'); // EDT after 03-08
    expect(() => reportRange({ from: '2026-02-30', to: '2026-03-01', tz: 'UTC' }, NOW)).toThrow(/calendar date/);
    expect(() => reportRange({ tz: 'Mars/Olympus' }, NOW)).toThrow(/time zone/);
    expect(() => reportRange({ from: '2026-12-01', to: '2026-11-01', tz: 'UTC' }, NOW)).toThrow(/after/);
  });
});

describe.each(backends)('periodic report (%s)', (_name, open) => {
  let c: Collector;
  let url: string;
  let done: () => Promise<void>;
  beforeAll(async () => {
    const o = await open();
    done = o.done;
    for (const e of [...NOVEMBER, ...OCTOBER, ...DECEMBER]) await o.storage.insertEvents([e], Date.parse(e.time));
    // pc-quiet fell silent on 11/29; pc-live kept reporting until the end of the month.
    await o.storage.upsertHeartbeat(sampleHeartbeat({ deviceId: 'pc-quiet', user: 'carol@example.co.jp', heartbeatMinutes: 15 }), Date.parse('2026-11-29T00:00:00Z'));
    await o.storage.upsertHeartbeat(sampleHeartbeat({ deviceId: 'pc-live', heartbeatMinutes: 15 }), Date.parse('2026-11-30T14:50:00Z'));
    c = await createCollector({ storage: o.storage, ingestTokens: [INGEST], adminTokens: [ADMIN], now: () => NOW, timeWindow: false });
    url = await c.listen(0);
  });
  afterAll(async () => {
    await c.close();
    await c.storage.close();
    await done();
  });

  const get = (q: string, token = ADMIN) => fetch(`${url}/v1/admin/report?${q}`, { headers: { authorization: `Bearer ${token}` } });

  it('CSV: the figures of November in JST, per user, service, category and rule, against October', async () => {
    const res = await get('from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&format=csv&lang=en');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('upload-guard-report-2026-11-01_2026-11-30.csv');
    const rows = csvRows(await res.text());
    const find = (section: string, item: string) => rows.find((r) => r[0] === section && r[1] === item);
    // 11 events in November; the 12/01 00:30 JST one is not, the 11/01 00:30 JST one is.
    expect(find('Summary', 'Decisions')!.slice(2)).toEqual(['11', '5', '1', '3', '1', '1', '0', '2']);
    expect(find('By user', 'alice@example.co.jp')!.slice(2, 6)).toEqual(['2', '2', '0', '2']);
    expect(find('By user', 'bob@example.co.jp')!.slice(2, 9)).toEqual(['3', '2', '1', '0', '1', '1', '0']);
    // No event here carries a department: the section says so and how to set it, rather than staying empty.
    expect(rows.find((r) => r[0] === 'By department')![1]).toMatch(/policy field "department"/);
    expect(find('By service', 'ChatGPT')!.slice(2, 3)).toEqual(['2']);
    expect(find('By service', 'Gmail')!.slice(2)).toEqual(['9', '3', '1', '3', '0', '0', '0', '2']);
    expect(find('By category', 'Generative AI')!.slice(2, 3)).toEqual(['2']);
    expect(find('By rule', 'Rule 1 (「秘」 stamp)')!.slice(2, 3)).toEqual(['2']);
    expect(find('By rule', 'Rule 3 (company keywords, hashes, labels)')!.slice(2, 3)).toEqual(['1']);
    expect(find('Per day', '2026-11-01')!.slice(2, 3)).toEqual(['1']);
    // Incidents: alice 11/01, alice 11/05, bob's warning sent anyway, bob's unreadable file, the hostile one.
    expect(find('Incidents', 'Incidents')!.slice(2, 3)).toEqual(['5']);
    expect(find('Incidents', 'High (blocked)')!.slice(2, 3)).toEqual(['3']);
    expect(rows.find((r) => r[0] === 'Devices that stopped reporting')![1]).toBe('pc-quiet');
    expect(rows.some((r) => r[1] === 'pc-live')).toBe(false);
    // The hostile user is a cell of text in the spreadsheet, not a formula.
    expect(rows.some((r) => r[1] === HOSTILE_USER)).toBe(true);
  });

  it('HTML: figures, inline SVG charts, both languages, escaped names, its own CSP', async () => {
    const res = await get('tz=Asia/Tokyo');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    const html = await res.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('定期報告書');
    expect(html).toContain('2026-11-01 – 2026-11-30');
    expect(html).toMatch(/判定件数<\/div><div class="v">11<\/div><div class="c">\+9 \(\+450%\)/);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;@example.co.jp');
    expect(html).not.toContain('\u202E');
    expect(html).toContain('[U+202E]');
    expect(html).toContain('pc-quiet');
    const en = await (await get('from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&lang=en')).text();
    expect(en).toContain('Upload Guard periodic report');
    expect(en).toContain('Devices that stopped reporting');
    expect(en).not.toMatch(/[ぁ-んァ-ン]{3}/); // no Japanese sentence left on the English page
  });

  it('PDF: the extracted text shows the figures', async () => {
    const res = await get('from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&format=pdf&lang=ja');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const s of ['Upload Guard 定期報告書', '2026-11-01 – 2026-11-30', 'Asia/Tokyo', '判定件数', '+9 (+450%)', 'alice@example.co.jp', 'ChatGPT', '報告が途絶えた端末', 'pc-quiet', 'インシデント']) {
      expect(text).toContain(s);
    }
    // pdftotext (poppler) reads the same figures: the text layer is standard, not only ours.
    const poppler = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8');
    expect(poppler).toContain('定期報告書');
    expect(poppler).toMatch(/判定件数[\s\S]*11/);
    const en = await pdfText(new Uint8Array(await (await get('from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&format=pdf&lang=en')).arrayBuffer()));
    expect(en).toContain('Upload Guard periodic report');
    expect(en).toContain('Sent after a warning');
  }, 60_000);

  it.runIf(_name === 'sqlite')('upload-guard report: PDF to a file, CSV to stdout, errors in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-report-cli-'));
    try {
      const run = (args: string[], env: Record<string, string> = { UPLOAD_GUARD_ADMIN_TOKEN: ADMIN }) =>
        promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../bin/upload-guard.js'), 'report', '--url', url, ...args], { env: { ...process.env, ...env } });
      const file = join(dir, 'nov.pdf');
      await run(['--from', '2026-11-01', '--to', '2026-12-01', '--format', 'pdf', '--tz', 'Asia/Tokyo', '--lang', 'ja', '--out', file]);
      const text = await pdfText(new Uint8Array(readFileSync(file)));
      expect(text).toContain('2026-11-01 – 2026-11-30');
      expect(text).toContain('pc-quiet');
      const csv = await run(['--from', '2026-11-01', '--to', '2026-12-01', '--format', 'csv', '--tz', 'Asia/Tokyo', '--lang', 'en']);
      expect(csvRows(csv.stdout).find((r) => r[0] === 'Summary')![2]).toBe('11');
      // The same plain dates in UTC are another period: the 11/01 00:30 JST event falls out, the 12/01 00:30 JST one comes in.
      const utc = await run(['--from', '2026-11-01', '--to', '2026-12-01', '--format', 'csv', '--tz', 'UTC', '--lang', 'en']);
      expect(csvRows(utc.stdout).find((r) => r[0] === 'Summary')![2]).toBe('11');
      expect(csvRows(utc.stdout).find((r) => r[0] === 'By user' && r[1] === 'erin@example.co.jp')).toBeTruthy();
      expect(csvRows(utc.stdout).find((r) => r[0] === 'By user' && r[1] === 'alice@example.co.jp')![2]).toBe('1');
      await expect(run(['--tz', 'Nowhere/Land'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown time zone/) });
      await expect(run(['--format', 'csv'], { UPLOAD_GUARD_ADMIN_TOKEN: INGEST })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/HTTP 403/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses bad requests with 400 naming the problem, and the ingest token with 403', async () => {
    expect((await get('from=2026-11-01')).status).toBe(400);
    const bad = await get('from=2026-11-01&to=2026-12-01&tz=Nowhere/Land');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/time zone/);
    expect((await get('format=docx')).status).toBe(400);
    expect((await get('lang=fr')).status).toBe(400);
    expect((await get('extra=1')).status).toBe(400);
    expect((await get('from=2026-11-01&from=2026-11-02&to=2026-12-01')).status).toBe(400);
    expect((await get('', INGEST)).status).toBe(403);
  });

  // Last: it triages incidents, which the figures above do not expect.
  it('time to report: incidents reported through triage are counted against the agreed time', async () => {
    const reportRows = async () => csvRows(await (await get('from=2026-11-01&to=2026-12-01&tz=Asia/Tokyo&format=csv&lang=en')).text()).filter((r) => r[0] === 'Time to report');
    // Nothing reported to the customer yet: none within the agreed time, no median.
    expect((await reportRows()).map((r) => r.slice(1, 3))).toEqual([
      ['Reported', '0'],
      ['Within the agreed time', '0'],
      ['Time to report (median)', ''],
    ]);
    const list = (await (await fetch(`${url}/v1/admin/incidents?limit=500`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
      incidents: { id: number; openedAt: string }[];
    };
    const november = list.incidents.filter((i) => i.openedAt >= '2026-10-31T15:00:00' && i.openedAt < '2026-11-30T15:00:00');
    expect(november.length).toBeGreaterThanOrEqual(2);
    // One reported after 2 hours, one after 30 (the agreed time is 24 hours by default).
    for (const [i, hours] of [[november[0]!, 2], [november[1]!, 30]] as const) {
      const reportedAt = new Date(Date.parse(i.openedAt) + hours * 3_600_000).toISOString();
      const res = await fetch(`${url}/v1/admin/incidents/${i.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'reported', reportedAt }),
      });
      expect(res.status).toBe(200);
    }
    const rows = await reportRows();
    expect(rows.map((r) => r.slice(1, 3))).toEqual([
      ['Reported', '2'],
      ['Within the agreed time', '1'],
      ['Time to report (median)', '16.0'],
    ]);
  });
});

// Keeps the import used when the extractor's error type is not thrown (a PDF that fails to parse fails the test above).
void ScanError;
