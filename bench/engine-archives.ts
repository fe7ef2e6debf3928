/**
 * Archive benchmark: 7z, xz, bzip2 and zstd of a ~24 MB document tree (Japanese business text and the
 * corpus's Office files), each beside the native tool in the same run (`7z x -so | grep -c`,
 * `xz -dc | grep -c`, …) as a ratio; and the bombs (2 GiB of zeros in 7z, bzip2, xz, zstd): time to
 * the verdict and peak extra memory. Needs p7zip-full, xz-utils, bzip2 and zstd (scripts/ci-system.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanBlob } from '../src/detect/index.js';
import { openFileBlob } from '../src/cli/file-blob.js';
import { corpus, corpusPath, inCorpus } from '../test/support/corpus.js';
import { peakExtraMemory, time } from './engine.js';
import type { Row } from './table.js';

const MiB = 1024 * 1024;
const DIR = join(tmpdir(), 'upload-guard-bench', 'archives');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const sh = (script: string, ...args: string[]) => () => spawnSync('sh', ['-c', script, 'sh', ...args], { stdio: 'ignore' });
const GREP = `grep -a -c -i -E '(秘|㊙)[[:space:]　]*confidential' >/dev/null`;

const LINES = [
  '本日の打合せでは、新ラインの立上げ計画と部品の調達状況について確認しました。',
  '品質目標は前年度比で不良率を二割削減すること、設備投資は第三四半期に実施します。',
  'The supplier confirmed the delivery schedule for lot 42 and the revised drawings.',
  '社外秘の資料は所定の手順で取り扱い、秘書室への連絡は担当者経由で行ってください。',
];

/** A folder like one people archive to send: 24 text files of 1 MB and the corpus's unmarked Office files
 * (unmarked, so the scan reads everything, like the grep baseline). */
function makeTree(): string {
  const tree = join(DIR, 'tree-unmarked');
  if (existsSync(join(tree, 'done'))) return tree;
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, '議事録'), { recursive: true });
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let f = 0; f < 24; f++) {
    const out: string[] = [];
    for (let n = 0; n < MiB; ) {
      const l = `${f}-${out.length}: ${LINES[next() % LINES.length]} ${next() % 100000}\n`;
      out.push(l);
      n += Buffer.byteLength(l);
    }
    writeFileSync(join(tree, '議事録', `週報-${f}.txt`), out.join(''));
  }
  for (const e of inCorpus('MANIFEST.json') ? corpus() : []) {
    if (e.expect === 'clean' && /\.(docx|xlsx|pptx|pdf)$/.test(e.file)) copyFileSync(corpusPath(e.file), join(tree, e.file.replace(/\//g, '_')));
  }
  writeFileSync(join(tree, 'done'), '');
  return tree;
}

function compressTree(tree: string): Record<string, string> {
  const out: Record<string, string> = {};
  const tar = join(DIR, 'tree-unmarked.tar');
  if (!existsSync(tar)) execFileSync('tar', ['-C', tree, '--exclude', 'done', '-cf', tar, '.']);
  const make = (name: string, cmd: string) => {
    const p = join(DIR, name);
    if (!existsSync(p)) execFileSync('sh', ['-c', cmd, 'sh', p, tar, tree]);
    out[name] = p;
  };
  if (have('7z')) make('tree-unmarked.7z', 'cd "$3" && 7z a -bd -t7z -m0=lzma2 -mx5 "$1" . -x!done >/dev/null');
  if (have('xz')) make('tree-unmarked.tar.xz', 'xz -6 -T1 -c "$2" > "$1"');
  if (have('bzip2')) make('tree-unmarked.tar.bz2', 'bzip2 -9 -c "$2" > "$1"');
  if (have('zstd')) make('tree-unmarked.tar.zst', 'zstd -q -19 -c "$2" > "$1"');
  return out;
}

/** 2 GiB of zeros through each compressor (made once, kept in the temp folder). */
function makeBombs(): [string, string][] {
  const bombs: [string, string, string][] = [
    ['7z', 'bomb.7z', 'head -c 2G /dev/zero > "$1.bin" && 7z a -bd -mx9 -m0=lzma2 "$1" "$1.bin" >/dev/null; rm -f "$1.bin"'],
    ['bzip2', 'bomb.bz2', 'head -c 2G /dev/zero | bzip2 -9 > "$1"'],
    ['xz', 'bomb.xz', 'head -c 2G /dev/zero | xz -9 -T1 > "$1"'],
    ['zstd', 'bomb.zst', 'head -c 2G /dev/zero | zstd -q -19 > "$1"'],
  ];
  const out: [string, string][] = [];
  for (const [tool, name, cmd] of bombs) {
    const p = join(DIR, name);
    if (!have(tool)) continue;
    if (!existsSync(p)) execFileSync('sh', ['-c', cmd, 'sh', p]);
    out.push([name, p]);
  }
  return out;
}

async function scanFile(path: string) {
  const { blob, close } = await openFileBlob(path);
  try {
    return await scanBlob(blob, path);
  } finally {
    await close();
  }
}

const BASELINES: Record<string, string> = {
  'tree-unmarked.7z': `7z x -so "$1" 2>/dev/null | ${GREP}`,
  'tree-unmarked.tar.xz': `xz -dc "$1" | ${GREP}`,
  'tree-unmarked.tar.bz2': `bzip2 -dc "$1" | ${GREP}`,
  'tree-unmarked.tar.zst': `zstd -dc "$1" | ${GREP}`,
};

export async function runArchiveBench(): Promise<Row[]> {
  mkdirSync(DIR, { recursive: true });
  const rows: Row[] = [];
  const bombs = makeBombs();
  // First use of each reader in a thread loads and compiles its code (libarchive: a 1 MB wasm);
  // reported once here, then everything is timed warm, as a worker that has scanned before.
  for (const [name, path] of bombs) {
    const t = performance.now();
    await scanFile(path);
    rows.push({ area: 'archives', case: `first use of the reader: ${name}`, ours: `${(performance.now() - t).toFixed(0)} ms` });
  }
  const tree = makeTree();
  for (const [name, path] of Object.entries(compressTree(tree))) {
    const size = statSync(path).size;
    const verdict = (await scanFile(path)).verdict;
    const ours = await time(() => scanFile(path), 3);
    const base = await time(sh(BASELINES[name], path), 3);
    rows.push({
      area: 'archives',
      case: `${name} ${(size / MiB).toFixed(1)} MB → 24+ MB [${verdict}]`,
      ours: `${ours.toFixed(0)} ms`,
      baseline: `${BASELINES[name].split(' ')[0]} -d | grep ${base.toFixed(0)} ms`,
      ratio: ours / base,
      target: '≤ 1.0',
      met: ours / base <= 1,
    });
  }
  for (const [name, path] of bombs) {
    const t = performance.now();
    let verdict = '';
    const extra = await peakExtraMemory(async () => {
      const r = await scanFile(path);
      verdict = r.verdict === 'unscannable' ? `unscannable: ${r.reason}` : r.verdict;
    });
    const ms = performance.now() - t;
    const kb = Math.round(statSync(path).size / 1024);
    rows.push({ area: 'archives', case: `bomb ${name} (${kb} KB → 2 GiB) [${verdict}]`, ours: `${ms.toFixed(0)} ms`, target: '≤ 2000 ms', met: ms <= 2000 && verdict.startsWith('unscannable') });
    rows.push({ area: 'archives', case: `bomb ${name}: peak extra memory`, ours: `${(extra / MiB).toFixed(1)} MB`, target: '≤ 64 MB', met: extra <= 64 * MiB });
  }
  return rows;
}
