/**
 * The periodic report over 200,000 events (a month of a large site), SQLite, as a ratio to a floor
 * measured in the same run on the same store: one GROUP BY scan of the period (storage.groupCounts by
 * the report's widest keys), the least any per-department/user/service breakdown must read. The report
 * adds the previous period, the per-day trend, the incident groups and the stale devices to it.
 * Also: the same report in a zone with DST across its change (more queries, one per offset stretch),
 * and drawing it (HTML, CSV, PDF) from the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../src/collector/report/data.js';
import { reportCsv } from '../src/collector/report/csv.js';
import { reportHtml } from '../src/collector/report/html.js';
import { reportDoc } from '../src/collector/report/model.js';
import { reportPdf } from '../src/collector/report/pdf.js';
import { reportRange } from '../src/collector/report/range.js';
import { SqliteStorage } from '../src/collector/storage/sqlite.js';
import { sampleEvent } from '../src/events/sample.js';
import type { UploadEvent } from '../src/events/schema.js';
import { median, type Row } from './table.js';

const EVENTS = 200_000;
const BATCH = 1_000;
const ROUNDS = 5;
const DEPARTMENTS = ['営業部', '開発部', '人事部', '経理部', '法務部', '総務部', '製造部', '品質保証部'];
const SERVICES: [string, string, UploadEvent['category']][] = [
  ['gmail', 'Gmail', 'webmail'],
  ['chatgpt', 'ChatGPT', 'genai'],
  ['box', 'Box', 'sharing'],
  ['slack', 'Slack', 'other'],
  ['outlook', 'Outlook', 'webmail'],
];

/** Event i of `n` spread over [from, to): one in five marked (half blocked, half warned), one in 37 unreadable. */
function event(i: number, from: number, to: number): UploadEvent {
  const [service, serviceName, category] = SERVICES[i % SERVICES.length]!;
  const marked = i % 5 === 0;
  const unreadable = !marked && i % 37 === 0;
  const block = marked && i % 2 === 1;
  return sampleEvent({
    id: `bench-${i}`,
    time: new Date(from + Math.floor(((to - from) * i) / EVENTS)).toISOString(),
    user: `user${i % 2000}@example.co.jp`,
    deviceId: `pc-${i % 3000}`,
    department: DEPARTMENTS[i % DEPARTMENTS.length],
    service,
    serviceName,
    category,
    fileName: marked ? `秘—見積書-${i}.xlsx` : `report-${i}.pdf`,
    sha256: (i % 4096).toString(16).padStart(64, '0'),
    verdict: marked ? 'marked' : unreadable ? 'unscannable' : 'clean',
    rule: marked ? (((i % 3) + 1) as 1 | 2 | 3) : null,
    reason: marked ? 'name' : unreadable ? 'encrypted' : null,
    action: block ? 'block' : marked ? 'warn' : unreadable ? 'audit' : 'allow',
    outcome: block ? 'blocked' : marked ? 'pending' : 'allowed',
  });
}

async function time<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await f();
  return [performance.now() - t, r];
}

export async function runReportBench(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-bench-report-'));
  const storage = new SqliteStorage({ path: join(dir, 'events.db') });
  try {
    // October–November 2026 in New York (crosses the 11/01 DST change), which covers November in Tokyo too.
    const from = Date.parse('2026-10-01T04:00:00Z');
    const to = Date.parse('2026-12-01T05:00:00Z');
    const seedStart = performance.now();
    for (let i = 0; i < EVENTS; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, k) => event(i + k, from, to));
      await storage.insertEvents(batch, Date.parse(batch[batch.length - 1]!.time));
    }
    const seedSecs = (performance.now() - seedStart) / 1000;
    storage.warm?.();
    const now = Date.parse('2026-12-02T00:00:00Z');
    const tokyo = reportRange({ from: '2026-11-01', to: '2026-12-01', tz: 'Asia/Tokyo' }, now);
    const newYork = reportRange({ from: '2026-10-15', to: '2026-11-15', tz: 'America/New_York' }, now);
    const keys = ['department', 'user', 'service', 'category', 'rule', 'verdict', 'action', 'outcome'] as const;
    const floorMs: number[] = [];
    const reportMs: number[] = [];
    const dstMs: number[] = [];
    let data = await buildReport(storage, tokyo, { now }); // warm the read workers and caches
    // Alternating rounds: the floor and the report see the same load.
    for (let r = 0; r < ROUNDS; r++) {
      floorMs.push((await time(() => storage.groupCounts({ from: tokyo.fromMs, to: tokyo.toMs }, keys)))[0]);
      const [ms, d] = await time(() => buildReport(storage, tokyo, { now }));
      reportMs.push(ms);
      data = d;
      dstMs.push((await time(() => buildReport(storage, newYork, { now })))[0]);
    }
    const renderMs: Record<string, number[]> = { html: [], csv: [], pdf: [] };
    for (let r = 0; r < 3; r++) {
      renderMs.html!.push((await time(async () => reportHtml(reportDoc(data, 'ja'))))[0]);
      renderMs.csv!.push((await time(async () => reportCsv(data, 'ja')))[0]);
      renderMs.pdf!.push((await time(() => reportPdf(reportDoc(data, 'ja'))))[0]);
    }
    const f = median(floorMs);
    const rep = median(reportMs);
    const dst = median(dstMs);
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const counted = data.totals.total.toLocaleString('en-US');
    return [
      { area: 'report', case: `seed ${EVENTS.toLocaleString('en-US')} events (insert path)`, ours: `${seedSecs.toFixed(1)} s` },
      {
        area: 'report',
        case: `November, Asia/Tokyo (${counted} events, ${data.byDepartment.length} departments)`,
        ours: ms(rep),
        baseline: `${ms(f)} (one GROUP BY scan)`,
        ratio: rep / f,
        target: '≤ 4× the scan',
        met: rep / f <= 4,
      },
      {
        area: 'report',
        case: 'a month across DST, America/New_York',
        ours: ms(dst),
        baseline: `${ms(rep)} (Tokyo report)`,
        ratio: dst / rep,
        target: '≤ 2× the Tokyo report',
        met: dst / rep <= 2,
      },
      { area: 'report', case: 'draw HTML / CSV / PDF (ja)', ours: `${ms(median(renderMs.html!))} / ${ms(median(renderMs.csv!))} / ${ms(median(renderMs.pdf!))}` },
    ];
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
