/**
 * In real Chromium: time from file selection (setInputFiles with a path on disk, so no bytes cross the
 * DevTools protocol) to the page's own `change` handler, for clean 1 MB, 10 MB and 100 MB files, with and
 * without the extension in the same run (two browsers side by side), p50/p95 over several runs, and the
 * longest task on the page's main thread from selection until the handler ran (PerformanceObserver
 * 'longtask'). Every run uses a new mtime, so the guard's per-file cache cannot answer: each is a full scan.
 *
 * The floor beside each case: the time the page itself needs to read the same file's bytes once
 * (`await file.arrayBuffer()`), in the browser without the extension. Target (issue 12): the guard adds
 * at most 1.5× that floor and at most 30 ms for 10 MB text and binary. Images, audio and video that
 * the engine recognises by their first bytes are not read for text: their added time is the round trip
 * and a look for an archive after them (their last 64 KiB, a search of their first 8 MiB).
 *
 * The first file on a page: the scanner (frame, worker, engine) starts lazily. Measured on a fresh page
 * with the file chosen straight away (cold), and after the file input got focus, as it does when the
 * employee clicks it or tabs to it, with the time a person takes to pick a file (warmed up).
 *
 *   node bin/run-ts.js bench/upload-latency.ts     (build first: npm run build)
 *
 * UG_BENCH_CASES=regex runs only the cases whose label matches (`first` for the first-file rows), e.g.
 * `UG_BENCH_CASES='10 MB (text|binary)'` for an A/B of two builds run one after the other.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { startSiteServer, type Launched } from '../test/e2e/support/index.js';
import { withAndWithout, type Pair } from './browser-pair.js';
import { lastRowXlsx } from './engine-limits.js';
import { median, percentile, printTable, type Row } from './table.js';
import { zipSync } from 'fflate';

const MB = 1_000_000;
const HOST = 'mail.google.com';

interface Case {
  label: string;
  name: string;
  bytes: number;
  runs: number;
  make(n: number): Buffer;
  /** Long enough to scan that the "Checking…" indicator must show (issue 12: within 400 ms for 100 MB). */
  checking?: boolean;
  /**
   * A target on the whole time from selection to the page's handler (ms, p50) instead of the added-time
   * targets: a document whose reading is the work (issue 10's large sheet), not a file read once.
   */
  decided?: number;
}

/** Clean office-like text (Japanese prose, UTF-8) and incompressible binary: the engine's two main paths. */
function text(n: number): Buffer {
  const line = Buffer.from('来週の定例は水曜 10 時から。部品の納期と検査の段取りを確認します。Meeting notes, nothing marked.\n');
  const out = Buffer.alloc(n);
  for (let at = 0; at < n; at += line.length) line.copy(out, at, 0, Math.min(line.length, n - at));
  return out;
}

/**
 * Noise with a UTF-16LE 「秘 meeting notes…」 (not a stamp) every 2 KiB: each is a window the engine decodes
 * and verifies (a bare 秘 followed by noise is dropped before any decoding).
 */
function sprinkled(n: number): Buffer {
  const out = randomBytes(n);
  const line = Buffer.from('秘 meeting notes for the team', 'utf16le');
  for (let at = 0; at + line.length <= n; at += 2048) line.copy(out, at);
  return out;
}

/** A real header, then noise: what matters is that the engine stops after the header. */
function withHeader(head: number[] | string): (n: number) => Buffer {
  return (n) => {
    const out = randomBytes(n);
    (typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head)).copy(out);
    return out;
  };
}

/** A ZIP of phone photos (each a JPEG header, then noise), deflated as archivers do: pictures are taken by their heads. */
function photoZip(n: number): Buffer {
  const files: Record<string, [Uint8Array, { level: 6 }]> = {};
  const each = 3 * MB;
  for (let k = 0; k * each < n; k++) files[`写真/IMG_${1000 + k}.jpg`] = [withHeader([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0])(Math.min(each, n - k * each)), { level: 6 }];
  return Buffer.from(zipSync(files));
}

/** A source tree's archive: 3,000 small text files (3–30 KB each, deflated), as a developer sends one. */
function sourceZip(): Buffer {
  const files: Record<string, Uint8Array> = {};
  const line = (k: number) => `export const value${k} = compute(${k}, 'alpha beta gamma delta 部品 仕様'); // ${k}\n`;
  for (let k = 0; k < 3000; k++) files[`src/module${k % 40}/file${k}.ts`] = new TextEncoder().encode(Array.from({ length: 40 + ((k * 37) % 360) }, (_, i) => line(k * 1000 + i)).join(''));
  return Buffer.from(zipSync(files, { level: 6 }));
}

const CASES: Case[] = [
  { label: '1 MB text', name: 'notes-1mb.txt', bytes: 1 * MB, runs: 21, make: text },
  { label: '1 MB binary', name: 'data-1mb.bin', bytes: 1 * MB, runs: 21, make: (n) => randomBytes(n) },
  { label: '10 MB text', name: 'notes-10mb.txt', bytes: 10 * MB, runs: 21, make: text },
  { label: '10 MB binary', name: 'data-10mb.bin', bytes: 10 * MB, runs: 21, make: (n) => randomBytes(n) },
  { label: '100 MB binary', name: 'data-100mb.bin', bytes: 100 * MB, runs: 3, make: (n) => randomBytes(n) },
  // Random bytes alone now scan in about 200 ms, under the indicator's 300 ms: this one has a window to
  // decode every 2 KiB (as test/e2e/employee-ux.test.ts's), so the indicator has a scan to show.
  { label: '100 MB data, a UTF-16 「秘 meeting notes」 every 2 KiB', name: 'log-100mb.dat', bytes: 100 * MB, runs: 3, make: sprinkled, checking: true },
  { label: '10 MB JPEG', name: 'photo-10mb.jpg', bytes: 10 * MB, runs: 9, make: withHeader([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]) },
  { label: '100 MB MP4', name: 'video-100mb.mp4', bytes: 100 * MB, runs: 5, make: withHeader('\0\0\0\x18ftypmp42\0\0\0\0mp42isom') },
  // Issue 12: "a 58 MiB zip about 4 s". Photos are not read past their heads, inside a ZIP too.
  { label: '60 MB ZIP of 20 photos', name: '現場写真.zip', bytes: 60 * MB, runs: 5, make: photoZip },
  // Thousands of small members: each one's own costs (a read, an inflate, a scan) add up, not its bytes.
  { label: 'ZIP of 3,000 source files', name: 'ソース一式.zip', bytes: 0, runs: 5, make: sourceZip },
  // Issue 10's large sheet in the browser's own path (its DecompressionStream, in the scan worker): every
  // empty row up to 1,048,576 written out, 56 MB of XML to inflate and walk. Target ≤ 200 ms.
  { label: 'xlsx 2.6 MB, one cell at row 1,048,576', name: '明細-最終行.xlsx', bytes: 0, runs: 5, make: () => readFileSync(lastRowXlsx(false)), decided: 200 },
];

/** Time the page needs to read the selected file's bytes once (the floor). */
async function readOnce(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const f = (document.getElementById('f') as HTMLInputElement).files![0];
    const t = performance.now();
    await f.arrayBuffer();
    return performance.now() - t;
  });
}

/** The first file on a fresh page, chosen at once (cold) or after the input got focus (warm). */
async function firstFile(b: Launched, url: string, path: string, warm: boolean): Promise<number> {
  const page = await b.context.newPage();
  try {
    await page.goto(url);
    if (warm) {
      await page.focus('#f');
      await page.waitForTimeout(CHOOSING_MS);
    }
    return (await once(page, path)).ms;
  } finally {
    await page.close();
  }
}

/** Less than anyone takes to pick a file in a chooser. */
const CHOOSING_MS = 500;
const FIRST_RUNS = 5;

async function firstFileRows(browsers: Pair, url: string, dir: string): Promise<Row[]> {
  const path = join(dir, 'first-1mb.txt');
  writeFileSync(path, text(MB));
  const rows: Row[] = [];
  for (const warm of [false, true]) {
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < FIRST_RUNS; i++) {
      const t = new Date(Date.UTC(2026, 1, 1, 0, 0, i + (warm ? 30 : 0)));
      utimesSync(path, t, t);
      ours.push(await firstFile(browsers[0], url, path, warm));
      base.push(await firstFile(browsers[1], url, path, warm));
    }
    rows.push({
      area: 'browser',
      case: `first file on a new page, 1 MB text, ${warm ? `input focused ${CHOOSING_MS} ms before (warmed up)` : 'chosen at once (cold start)'} (p50, ${FIRST_RUNS} runs)`,
      ours: `${median(ours).toFixed(1)} ms (+${(median(ours) - median(base)).toFixed(1)})`,
      baseline: `${median(base).toFixed(1)} ms`,
    });
  }
  rmSync(path, { force: true });
  return rows;
}

/** The "Checking…" indicator's element (extension/ui/checking/indicator.ts). */
const CHECKING_TAG = 'upload-guard-checking';

/**
 * Put into every page before its own scripts and before the extension's (Playwright's init scripts run
 * when the window is made, content scripts at document_start after it): when the browser's own `input`
 * event for the chosen file was made (its timeStamp), so a run can be timed from the event to the page's
 * handler in the page's clock, without the DevTools round trips that a time taken in Node carries (±10 ms
 * under load, measured by perf11). The guard holds that event and replays its own (not trusted), so the
 * first trusted one is the browser's. Null when the guard's listener ran first (then only the Node time
 * is reported).
 */
const EVENT_CLOCK = `addEventListener('input', (e) => {
  if (e.isTrusted && window.__eventAt == null) window.__eventAt = performance.timeOrigin + e.timeStamp;
}, true);`;

interface Once {
  ms: number;
  /** From the browser's input event to the page's handler, in the page's clock; null if not seen. */
  inPage: number | null;
  longest: number;
  /** When the "Checking…" indicator appeared, ms after the selection began; null if it did not. */
  checking: number | null;
}

async function once(page: Page, path: string): Promise<Once> {
  await page.evaluate((tag) => {
    const w = window as unknown as { __handled: unknown; __long: unknown[]; __checking: number | null; __watch?: MutationObserver };
    w.__handled = null;
    w.__long.length = 0;
    w.__checking = null;
    (w as unknown as { __eventAt: number | null }).__eventAt = null;
    w.__watch ??= new MutationObserver(() => {
      if (w.__checking === null && document.querySelector(tag)) w.__checking = performance.timeOrigin + performance.now();
    });
    w.__watch.observe(document.documentElement, { childList: true, subtree: true });
    (document.getElementById('f') as HTMLInputElement).value = '';
  }, CHECKING_TAG);
  const t0 = Date.now();
  await page.setInputFiles('#f', path);
  const h = await page.waitForFunction(() => (window as unknown as { __handled: { at: number } | null }).__handled, null, {
    timeout: 120_000,
    polling: 5,
  });
  const at = ((await h.jsonValue()) as { at: number }).at;
  await page.waitForTimeout(60); // let the observer deliver tasks that ended just before the handler
  const longest = await page.evaluate(
    ([from, to]) => Math.max(0, ...(window as unknown as { __long: { start: number; ms: number }[] }).__long
      .filter((t) => t.start + t.ms >= from && t.start <= to).map((t) => t.ms)),
    [t0, at],
  );
  const shown = await page.evaluate(() => (window as unknown as { __checking: number | null }).__checking);
  const eventAt = await page.evaluate(() => (window as unknown as { __eventAt: number | null }).__eventAt);
  return { ms: at - t0, inPage: eventAt === null ? null : at - eventAt, longest, checking: shown === null ? null : shown - t0 };
}

const only = process.env.UG_BENCH_CASES ? new RegExp(process.env.UG_BENCH_CASES) : null;

export async function runUploadLatencyBench(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ug-bench-'));
  const server = await startSiteServer({ hosts: [HOST] });
  try {
    return await withAndWithout([HOST], async (pair) => {
      const pages = await Promise.all(
        pair.map(async (b) => {
          await b.context.addInitScript(EVENT_CLOCK);
          const p = await b.context.newPage();
          await p.goto(server.url(HOST, '/bench'));
          return p;
        }),
      );
      const rows: Row[] = [];
      let worstLong = 0;
      for (const c of CASES) {
        if (only && !only.test(c.label)) continue;
        const path = join(dir, c.name);
        writeFileSync(path, c.make(c.bytes));
        const ours: number[] = [];
        const base: number[] = [];
        const floor: number[] = [];
        // Event → handler in each page's clock; kept only while every run of both browsers saw the event.
        let inPage: { ours: number[]; base: number[] } | null = { ours: [], base: [] };
        let longest = 0;
        let longestBase = 0;
        const checking: number[] = [];
        for (let i = 0; i < c.runs + 1; i++) {
          // A new mtime each run: a different file to the guard's cache, the same bytes.
          const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
          utimesSync(path, t, t);
          const a = await once(pages[0], path);
          const b = await once(pages[1], path);
          const r = await readOnce(pages[1]);
          if (i === 0) continue; // warm-up (worker start, JIT)
          ours.push(a.ms);
          base.push(b.ms);
          if (a.inPage === null || b.inPage === null) inPage = null;
          else if (inPage) {
            inPage.ours.push(a.inPage);
            inPage.base.push(b.inPage);
          }
          floor.push(r);
          longest = Math.max(longest, a.longest);
          longestBase = Math.max(longestBase, b.longest);
          if (a.checking !== null) checking.push(a.checking);
        }
        worstLong = Math.max(worstLong, longest);
        // The target is judged on the page's own clock when it saw every run: the Node clock adds the
        // DevTools round trips of each browser to both sides, which do not cancel run by run.
        const addedNode50 = median(ours) - median(base);
        const added50 = inPage ? median(inPage.ours) - median(inPage.base) : addedNode50;
        const clock = inPage ? 'event → handler in the page' : 'Node clock';
        const floor50 = median(floor);
        const small = !c.decided && c.bytes <= 10 * MB;
        rows.push({
          area: 'browser',
          case: `select → page handler, clean ${c.label} (p50 / p95, ${c.runs} runs)`,
          ours: `${median(ours).toFixed(1)} / ${percentile(ours, 95).toFixed(1)} ms`,
          baseline: `${median(base).toFixed(1)} / ${percentile(base, 95).toFixed(1)} ms`,
          ...(c.decided ? { target: `≤ ${c.decided} ms at p50`, met: median(ours) <= c.decided } : {}),
        });
        if (inPage) {
          rows.push({
            area: 'browser',
            case: `  event → page handler in the page's clock, ${c.label} (p50 / p95)`,
            ours: `${median(inPage.ours).toFixed(1)} / ${percentile(inPage.ours, 95).toFixed(1)} ms`,
            baseline: `${median(inPage.base).toFixed(1)} / ${percentile(inPage.base, 95).toFixed(1)} ms`,
          });
        }
        rows.push({
          area: 'browser',
          case: `  added at p50 (${clock}; Node clock +${addedNode50.toFixed(1)} ms), ${c.label}`,
          ours: `+${added50.toFixed(1)} ms`,
          ...(small ? { target: '≤ 30 ms added at p50', met: added50 <= 30 } : {}),
        });
        rows.push({
          area: 'browser',
          case: `  added at p50 (${clock}) beside the floor (file.arrayBuffer() once, p50), ${c.label}`,
          ours: `+${added50.toFixed(1)} ms`,
          baseline: `${floor50.toFixed(1)} ms`,
          ratio: added50 / floor50,
          ...(small ? { target: '≤ 1.5× the floor', met: added50 <= 1.5 * floor50 } : {}),
        });
        rows.push({
          area: 'browser',
          case: `  added at p50, ${c.label}; longest main-thread task`,
          ours: `+${added50.toFixed(1)} ms; ${longest.toFixed(0)} ms`,
          baseline: `${longestBase.toFixed(0)} ms`,
          target: 'no long task > 50 ms',
          met: longest <= 50,
        });
        if (c.checking) {
          rows.push({
            area: 'browser',
            case: `  "Checking…" shown after selection began, ${c.label} (p50 / max; ${checking.length} of ${c.runs} runs)`,
            ours: checking.length ? `${median(checking).toFixed(0)} / ${Math.max(...checking).toFixed(0)} ms` : 'never',
            target: '≤ 400 ms',
            met: checking.length > 0 && Math.max(...checking) <= 400,
          });
        }
        rmSync(path, { force: true });
      }
      if (!only || only.test('first')) rows.push(...(await firstFileRows(pair, server.url(HOST, '/bench'), dir)));
      return rows;
    });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await runUploadLatencyBench());
}
