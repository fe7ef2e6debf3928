/**
 * Engine limits benchmark (`npm run bench -- limits`): bombs and very large sheets, each beside a
 * native baseline on the same file in the same run.
 *  - gzip bomb: 2 GiB of zeros through `gzip -9` (about 2 MB). Target: unscannable in < 2 s with
 *    < 64 MB extra memory. Baseline: `gzip -dc | grep -c`.
 *  - xlsx with one cell at row 1,048,576, every empty row written out before it (2.7 MB), made by
 *    Python's zipfile (LibreOffice does not write empty rows). Target ≤ 200 ms.
 *  - a 50 MB xlsx: LibreOffice's own package (calc-plain.xlsx, made by `soffice --convert-to xlsx`)
 *    with its sheet grown to 360,000 rows × 16 columns written the way LibreOffice writes rows
 *    (`soffice` itself takes over ten minutes for it; set UG_BENCH_XLSX=file.xlsx to bench a real
 *    one). Target ≤ 3 s. Baselines: `unzip -p | grep`.
 *  - LibreOffice's calc-merged.xlsx (秘 merged over B2:C2, Confidential in D2) with 600,000 rows after
 *    it: the merge that joins the stamp is read after every row. Target ≤ 3 s (as the 50 MB sheet).
 *  - calc-tall.xlsx (秘 merged over B2:B4 beside Confidential in C3), the same 600,000 rows after it:
 *    the sheet is read a second time for the rows the merge reaches. Target ≤ 3 s.
 */
import { useNativeInflate } from '../src/detect/extract/native-inflate.js';
import { useStreamInflate } from '../src/detect/extract/stream-inflate.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { have, loadRow, peakExtraMemory, scanFile, sh, timeWithCpu } from './engine.js';
import type { Row } from './table.js';

const MiB = 1024 * 1024;
const DIR = join(tmpdir(), 'upload-guard-bench');
const FIXTURES = join(import.meta.dirname, '../test/fixtures/office');
const GREP = `grep -a -c -i -E '(秘|㊙)[[:space:]　]*confidential' >/dev/null`;

function gzipBomb(): string {
  const path = join(DIR, 'bomb-2gib.gz');
  if (!existsSync(path)) execFileSync('sh', ['-c', `head -c ${2 * 1024 * MiB} /dev/zero | gzip -9 > "$1"`, 'sh', path]);
  return path;
}

/** The Python script that writes the last-row workbook (kept here so the bench needs no other file). */
const LAST_ROW_PY = String.raw`
import sys, zipfile
out, marked = sys.argv[1], sys.argv[2] == 'marked'
text = '秘 Confidential 最終行' if marked else '最終行のメモ'
rows = ''.join('<row r="%d" spans="1:1" ht="15" customHeight="1"/>' % r for r in range(1, 1048576))
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
files = {
 '[Content_Types].xml': head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
 '_rels/.rels': head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + rel + 'officeDocument" Target="xl/workbook.xml"/></Relationships>',
 'xl/workbook.xml': head + '<workbook ' + ns + '><sheets><sheet name="明細" sheetId="1" r:id="rId1"/></sheets></workbook>',
 'xl/_rels/workbook.xml.rels': head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + rel + 'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="' + rel + 'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
 'xl/sharedStrings.xml': head + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>%s</t></si></sst>' % text,
 'xl/worksheets/sheet1.xml': head + '<worksheet ' + ns + '><dimension ref="A1048576"/><sheetData>' + rows + '<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row></sheetData></worksheet>',
}
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for k, v in files.items(): z.writestr(k, v)
`;

export function lastRowXlsx(marked: boolean): string {
  const path = join(DIR, `last-row-${marked ? 'marked' : 'clean'}.xlsx`);
  mkdirSync(DIR, { recursive: true });
  if (!existsSync(path)) execFileSync('python3', ['-c', LAST_ROW_PY, path, marked ? 'marked' : 'clean']);
  return path;
}

/** LibreOffice's calc-plain.xlsx with its first sheet grown to `rows` rows of 16 cells, as LibreOffice writes them. */
function bigXlsx(rows: number): string {
  const path = join(DIR, `sheet-${rows}-rows.xlsx`);
  if (existsSync(path)) return path;
  const parts = unzipSync(readFileSync(join(FIXTURES, 'calc-plain.xlsx')));
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 90_000_000) + 10_000_000;
  const strings: string[] = [];
  const body: string[] = [];
  for (let r = 1; r <= rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < 16; c++) {
      const ref = String.fromCharCode(65 + c) + r;
      if (c % 4 === 0) {
        strings.push(`品番${String(rnd() % 1_000_000).padStart(6, '0')}`);
        cells.push(`<c r="${ref}" s="0" t="s"><v>${strings.length - 1}</v></c>`);
      } else cells.push(`<c r="${ref}" s="0" t="n"><v>${rnd()}</v></c>`);
    }
    body.push(`<row r="${r}" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false">${cells.join('')}</row>`);
  }
  const sheet = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']).replace(/<sheetData>[\s\S]*<\/sheetData>/, `<sheetData>${body.join('')}</sheetData>`);
  const sst = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${strings.map((s) => `<si><t xml:space="preserve">${s}</t></si>`).join('')}</sst>`;
  const z: Zippable = { ...parts, 'xl/worksheets/sheet1.xml': new TextEncoder().encode(sheet), 'xl/sharedStrings.xml': new TextEncoder().encode(sst) };
  writeFileSync(path, zipSync(z, { level: 6 }));
  return path;
}

/**
 * LibreOffice's calc-merged.xlsx (秘 merged over B2:C2 beside Confidential in D2) with 600,000 rows of
 * numbers after it: the merge list comes after all of them, so every chunk is searched for it.
 */
export function mergedXlsx(): string {
  const path = join(DIR, 'merged-600000-rows.xlsx');
  if (existsSync(path)) return path;
  const parts = unzipSync(readFileSync(join(FIXTURES, 'calc-merged.xlsx')));
  const rows = Array.from({ length: 600_000 }, (_, i) => `<row r="${i + 3}"><c r="C${i + 3}"><v>${i}</v></c></row>`).join('');
  const sheet = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']).replace('</sheetData>', `${rows}</sheetData>`);
  writeFileSync(path, zipSync({ ...parts, 'xl/worksheets/sheet1.xml': new TextEncoder().encode(sheet) }, { level: 6 }));
  return path;
}

/**
 * LibreOffice's calc-tall.xlsx (秘 merged over B2:B4, Confidential in C3) with 600,000 rows after it:
 * the merge over several rows is known only after every row, so the sheet is read a second time for
 * the rows it reaches (tall-merges.ts).
 */
export function tallXlsx(): string {
  const path = join(DIR, 'tall-600000-rows.xlsx');
  if (existsSync(path)) return path;
  const parts = unzipSync(readFileSync(join(FIXTURES, 'calc-tall.xlsx')));
  const rows = Array.from({ length: 600_000 }, (_, i) => `<row r="${i + 5}"><c r="C${i + 5}"><v>${i}</v></c></row>`).join('');
  const sheet = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']).replace('</sheetData>', `${rows}</sheetData>`);
  writeFileSync(path, zipSync({ ...parts, 'xl/worksheets/sheet1.xml': new TextEncoder().encode(sheet) }, { level: 6 }));
  return path;
}

/** targetMs null: a figure without a target (a stand-in whose target is judged elsewhere). */
async function caseRow(label: string, path: string, runs: number, targetMs: number | null, baseline?: { name: string; run: () => unknown }): Promise<Row> {
  const r = await scanFile(path);
  const { wall: ms, cpu } = await timeWithCpu(() => scanFile(path), runs);
  const row: Row = { area: 'limits', case: `${label} [${r.verdict}${r.verdict === 'unscannable' ? ': ' + r.reason : ''}]`, ours: `${ms.toFixed(0)} ms (cpu ${cpu.toFixed(0)} ms)`, ...(targetMs === null ? {} : { target: `≤ ${targetMs} ms`, met: ms <= targetMs }) };
  if (baseline) {
    // One run, no warm-up: `gzip -dc | grep` over a 2 GiB line of zeros takes minutes on a busy machine.
    const t = performance.now();
    baseline.run();
    const base = performance.now() - t;
    Object.assign(row, { baseline: `${baseline.name} ${base.toFixed(0)} ms`, ratio: ms / base });
  }
  return row;
}

async function memoryRow(label: string, path: string): Promise<Row> {
  const extra = await peakExtraMemory(() => scanFile(path));
  return { area: 'limits', case: `extra memory, ${label}`, ours: `${(extra / MiB).toFixed(1)} MB`, target: '≤ 64 MB', met: extra <= 64 * MiB };
}

export async function runLimitsBench(): Promise<Row[]> {
  mkdirSync(DIR, { recursive: true });
  const rows: Row[] = [loadRow('limits', 'at the start')];
  if (have('gzip')) {
    const bomb = gzipBomb();
    rows.push(await caseRow(`gzip bomb ${(statSync(bomb).size / MiB).toFixed(1)} MB → 2 GiB`, bomb, 5, 2000, { name: 'gzip -dc | grep -c', run: sh(`gzip -dc "$1" | ${GREP}`, bomb) }));
    rows.push(await memoryRow('gzip bomb', bomb));
  }
  const unzipGrep = (p: string) => (have('unzip') ? { name: 'unzip -p | grep', run: sh(`unzip -p "$1" | ${GREP}`, p) } : undefined);
  if (have('python3')) {
    for (const marked of [true, false]) {
      const p = lastRowXlsx(marked);
      rows.push(await caseRow(`xlsx ${(statSync(p).size / MiB).toFixed(1)} MB, one cell at row 1,048,576`, p, 5, 200, unzipGrep(p)));
      // The browser's paths (no node:zlib there): DecompressionStream, and fflate where that is missing.
      // Node's DecompressionStream runs node:zlib under web streams, a stand-in for the browser's own
      // (slower here than Chromium's): the ≤ 200 ms target for that path is judged in real Chromium, by
      // `npm run bench -- browser` (bench/upload-latency.ts, the same file), so its stand-in row has none.
      for (const stream of [true, false]) {
        useNativeInflate(false);
        useStreamInflate(stream);
        try {
          rows.push(await caseRow(`  same file, browser path (${stream ? 'DecompressionStream, Node stand-in' : 'fflate'})`, p, 5, stream ? null : 200));
        } finally {
          useNativeInflate(true);
          useStreamInflate(true);
        }
      }
    }
  }
  const merged = mergedXlsx();
  rows.push(await caseRow(`xlsx ${(statSync(merged).size / MiB).toFixed(1)} MB, stamp in a merged cell, 600,000 rows before the merge list`, merged, 5, 3000, unzipGrep(merged)));
  const tall = tallXlsx();
  rows.push(await caseRow(`xlsx ${(statSync(tall).size / MiB).toFixed(1)} MB, stamp beside a merge over three rows, 600,000 rows (read twice)`, tall, 5, 3000, unzipGrep(tall)));
  const big = process.env.UG_BENCH_XLSX || bigXlsx(360_000);
  rows.push(await caseRow(`xlsx ${(statSync(big).size / MiB).toFixed(0)} MB (${statSync(big).size > 40 * MiB ? '360,000 rows × 16' : 'given'})`, big, 3, 3000, unzipGrep(big)));
  rows.push(await memoryRow(`xlsx ${(statSync(big).size / MiB).toFixed(0)} MB`, big));
  rows.push(loadRow('limits', 'at the end'));
  return rows;
}
