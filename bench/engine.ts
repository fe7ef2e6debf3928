/**
 * Engine benchmark: time and throughput per format, side by side with native baselines
 * (pdftotext, unzip -p | grep, grep) run on the same files in the same run, as ratios; and
 * the extra memory used to scan 100 MB files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { scanBlob } from '../src/detect/index.js';
import { openFileBlob } from '../src/cli/file-blob.js';
import { corpusPath, inCorpus } from '../test/support/corpus.js';
import { median, type Row } from './table.js';

const MiB = 1024 * 1024;
const DIR = join(tmpdir(), 'upload-guard-bench');

export const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Median wall time (ms) of `fn` over `runs` runs after one warm-up. */
export async function time(fn: () => Promise<unknown> | unknown, runs: number): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/**
 * Median wall time and median CPU time (ms, this process and its worker threads) of `fn` over `runs` runs
 * after one warm-up. On a busy machine the wall time grows with the load while the CPU time stays what
 * the scan itself costs: both are printed, so a regression is not hidden by (or blamed on) the load.
 */
export async function timeWithCpu(fn: () => Promise<unknown> | unknown, runs: number): Promise<{ wall: number; cpu: number }> {
  await fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    walls.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpus.push((u.user + u.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/** The load average (1, 5, 15 min) as a bench row, printed beside the figures it was measured under. */
export const loadRow = (area: string, when: string): Row => ({ area, case: `load average ${when} (1/5/15 min)`, ours: loadavg().map((x) => x.toFixed(2)).join(' ') });

export const sh = (script: string, ...args: string[]) => () => spawnSync('sh', ['-c', script, 'sh', ...args], { stdio: 'ignore', maxBuffer: 1 << 30 });

const PLAIN = [
  '本日の打合せでは、新ラインの立上げ計画と部品の調達状況について確認しました。',
  '品質目標は前年度比で不良率を二割削減すること、設備投資は第三四半期に実施します。',
  'The supplier confirmed the delivery schedule for lot 42 and the revised drawings.',
];
// Traps that contain 秘 without the stamp: each one costs the prefilter a verification.
const TRAPS = ['秘密保持契約書は別途送付します。', '社外秘の資料は所定の手順で取り扱い、秘書室への連絡は担当者経由で行ってください。'];

/**
 * `bytes` bytes of Japanese business text without the stamp. `trapEvery`: one line in that many
 * carries a 秘 trap (秘密, 社外秘, 秘書室); 2 makes a pathological NDA-like text.
 */
function japaneseText(bytes: number, trapEvery = 40): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `${i}: ${i % trapEvery === 0 ? TRAPS[i % 2] : PLAIN[i % PLAIN.length]}\n`;
    out.push(l);
    n += Buffer.byteLength(l);
  }
  // Exactly `bytes`: the size limit is inclusive, so a 100 MiB file must still be scanned.
  return trimTo(out.join(''), bytes);
}

function trimTo(text: string, bytes: number): string {
  const buf = Buffer.from(text);
  const cut = buf.lastIndexOf(0x0a, bytes - 1) + 1;
  return buf.subarray(0, cut).toString() + ' '.repeat(bytes - cut);
}

/** A 10 MB DOCX like the ones people mail: a real document with photos and several pages of text. */
function makeDocx(trapEvery: number): string {
  const path = join(DIR, `report-10mb-${trapEvery}.docx`);
  if (existsSync(path)) return path;
  const parts = unzipSync(readFileSync(corpusPath('export-note.docx')));
  const para = (t: string) => `<w:p><w:r><w:t>${t}</w:t></w:r></w:p>`;
  const body = japaneseText(2 * MiB, trapEvery).split('\n').map(para).join('');
  const doc = new TextDecoder().decode(parts['word/document.xml']).replace('<w:body>', `<w:body>${body}`);
  const z: Zippable = {};
  for (const [k, v] of Object.entries(parts)) z[k] = v;
  z['word/document.xml'] = new TextEncoder().encode(doc);
  const photo = new Uint8Array(8 * MiB);
  for (let i = 0; i < photo.length; i += 65536) crypto.getRandomValues(photo.subarray(i, i + 65536));
  z['word/media/image1.jpeg'] = [photo, { level: 0 }];
  writeFileSync(path, zipSync(z, { level: 6 }));
  return path;
}

function makeText(name: string, bytes: number, encoding: 'utf8' | 'sjis'): string {
  const path = join(DIR, name);
  if (existsSync(path)) return path;
  const text = japaneseText(bytes);
  if (encoding === 'utf8') writeFileSync(path, text);
  else writeFileSync(path, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text, maxBuffer: 1 << 30 }));
  return path;
}

function makeRandom(name: string, bytes: number): string {
  const path = join(DIR, name);
  if (existsSync(path)) return path;
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(buf.subarray(i, i + 65536));
  writeFileSync(path, buf);
  return path;
}

/** Scans a file as the CLI does (positioned reads, bounded memory). */
/** A ZIP holding the 100 MB text stored (no compression), like a folder zipped for sending. */
function makeStoredZip(textPath: string): string {
  const path = join(DIR, 'stored-100mb.zip');
  if (!existsSync(path)) writeFileSync(path, zipSync({ 'export/log.txt': [readFileSync(textPath).subarray(0, 99 * MiB), { level: 0 }] }));
  return path;
}

export async function scanFile(path: string) {
  const { blob, close } = await openFileBlob(path);
  try {
    return await scanBlob(blob, path);
  } finally {
    await close();
  }
}

interface Case {
  format: string;
  path: string;
  runs: number;
  baseline?: { name: string; run: () => unknown };
}

export async function runEngineBench(): Promise<Row[]> {
  mkdirSync(DIR, { recursive: true });
  const rows: Row[] = [loadRow('engine', 'at the start')];
  const grepZip = (p: string) => ({ name: 'unzip -p | grep', run: sh(`unzip -p "$1" | grep -a -c -i -E '(秘|㊙)[[:space:]　]*confidential' >/dev/null`, p) });
  const cases: Case[] = [];
  const docx = makeDocx(40);
  cases.push({ format: 'docx 10 MB (unmarked)', path: docx, runs: 15, baseline: have('unzip') ? grepZip(docx) : undefined });
  const dense = makeDocx(2);
  cases.push({ format: 'docx 10 MB (秘 on every 2nd line)', path: dense, runs: 15, baseline: have('unzip') ? grepZip(dense) : undefined });
  for (const f of ['weekly-sync-notes.docx', 'quality-kpi.xlsx', '新ライン立上げ計画.pptx', '組立手順書.odt', '案件資料.zip']) {
    if (inCorpus(f)) cases.push({ format: f.split('.').pop()!, path: corpusPath(f), runs: 21, baseline: have('unzip') ? grepZip(corpusPath(f)) : undefined });
  }
  for (const f of ['技術資料_概要.pdf', '部品カタログ_印刷版.pdf', 'CV—yamada.pdf']) {
    if (inCorpus(f)) {
      const p = corpusPath(f);
      cases.push({ format: `pdf ${f}`, path: p, runs: 21, baseline: have('pdftotext') ? { name: 'pdftotext', run: sh(`pdftotext "$1" - | grep -c -i -E '(秘|㊙)[[:space:]　]*confidential' >/dev/null`, p) } : undefined });
    }
  }
  if (inCorpus('旧見積書.doc')) cases.push({ format: 'doc (OLE2)', path: corpusPath('旧見積書.doc'), runs: 21 });
  const utf8 = makeText('text-100mb-utf8.txt', 100 * MiB, 'utf8');
  cases.push({ format: 'text UTF-8 100 MB', path: utf8, runs: 3, baseline: { name: 'grep -iE', run: sh(`grep -a -c -i -E '(秘|㊙)[[:space:]　]*confidential' "$1" >/dev/null`, utf8) } });
  if (have('iconv')) {
    const sjis = makeText('text-20mb-sjis.txt', 20 * MiB, 'sjis');
    cases.push({ format: 'text Shift_JIS 20 MB', path: sjis, runs: 3, baseline: { name: 'iconv | grep', run: sh(`iconv -f CP932 -t UTF-8 "$1" | grep -a -c -i -E '(秘|㊙)[[:space:]　]*confidential' >/dev/null`, sjis) } });
  }

  for (const c of cases) {
    const size = statSync(c.path).size;
    const verdict = (await scanFile(c.path)).verdict;
    const { wall: ours, cpu } = await timeWithCpu(() => scanFile(c.path), c.runs);
    const mbps = size / MiB / (ours / 1000);
    const row: Row = { area: 'engine', case: `${c.format} [${verdict}]`, ours: `${ours.toFixed(1)} ms (${mbps.toFixed(0)} MB/s; cpu ${cpu.toFixed(1)} ms)` };
    if (c.baseline) {
      const base = await time(c.baseline.run, Math.min(c.runs, 9));
      Object.assign(row, { baseline: `${c.baseline.name} ${base.toFixed(1)} ms`, ratio: ours / base, target: '≤ 1.0', met: ours / base <= 1 });
    }
    if (c.format === 'docx 10 MB (unmarked)') rows.push({ area: 'engine', case: 'unmarked 10 MB DOCX decided', ours: `${ours.toFixed(1)} ms`, target: '≤ 50 ms', met: ours <= 50 });
    if (c.format === 'text UTF-8 100 MB') rows.push({ area: 'engine', case: 'plain text throughput', ours: `${mbps.toFixed(0)} MB/s (per cpu second: ${(size / MiB / (cpu / 1000)).toFixed(0)} MB)`, target: '≥ 500 MB/s', met: mbps >= 500 });
    rows.push(row);
  }

  for (const [label, path] of [
    ['100 MB UTF-8 text', utf8],
    ['100 MB random binary', makeRandom('random-100mb.bin', 100 * MiB)],
    ['100 MB ZIP (stored text member)', makeStoredZip(utf8)],
  ] as const) {
    const extra = await peakExtraMemory(() => scanFile(path));
    rows.push({ area: 'engine', case: `extra memory, ${label}`, ours: `${(extra / MiB).toFixed(1)} MB`, target: '≤ 64 MB', met: extra <= 64 * MiB });
  }
  rows.push(loadRow('engine', 'at the end'));
  return rows;
}

/** Peak growth of the process's resident memory while `fn` runs, sampled every 2 ms. */
export async function peakExtraMemory(fn: () => Promise<unknown>): Promise<number> {
  gc();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return peak - base;
}
