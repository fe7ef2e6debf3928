/**
 * Limits of the spreadsheet readers end unread (unscannable, with the reason), never clean: what
 * lies past them could join the stamp.
 *  - xlsx: a row over 4 MB in a sheet with 秘 (xlsx-rows.ts MAX_ROW);
 *  - every workbook format: rows with a gap past the 1,048,576 kept for merges, in a sheet with merges (sheet-rows.ts);
 *  - xls: a shared string table that says it holds more strings than are read, a cell naming a string past its end.
 */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { readXls } from '../../src/detect/extract/ole2-xls.js';
import { MergedCells, RowTexts, type TextCell } from '../../src/detect/extract/sheet-rows.js';

/** A one-sheet xlsx (inline strings) with these rows of cells. */
function xlsx(rows: string[][]): Uint8Array {
  const cell = (r: number, c: number, t: string) => `<c r="${String.fromCharCode(65 + c)}${r + 1}" t="inlineStr"><is><t>${t}</t></is></c>`;
  const data = rows.map((cells, r) => `<row r="${r + 1}">${cells.map((t, c) => (t ? cell(r, c, t) : '')).join('')}</row>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="様式" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${data}</sheetData></worksheet>`),
  });
}
/** Letters that do not compress far (a run of one letter looks like a bomb): a fixed pseudo-random sequence. */
function noise(n: number): string {
  const out = new Uint8Array(n);
  for (let i = 0, x = 1; i < n; i++) out[i] = 97 + ((x = (x * 1103515245 + 12345) >>> 0) >>> 27) % 26;
  return new TextDecoder().decode(out);
}
const scan = (b: Uint8Array) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), 'book.xlsx');

describe('xlsx: a row over 4 MB', () => {
  it('秘 | Confidential in a row that runs past 4 MB: unscannable (too large), not clean', async () => {
    const big = noise(5 << 20);
    expect(await scan(xlsx([['区分'], ['秘', 'Confidential', big]]))).toMatchObject({ verdict: 'unscannable', reason: 'too-large' });
  });
  it('the same row under the limit is marked; a huge row in a sheet without 秘 stays clean', async () => {
    expect(await scan(xlsx([['区分'], ['秘', 'Confidential', noise(1 << 20)]]))).toMatchObject({ verdict: 'marked' });
    expect(await scan(xlsx([['区分'], ['社外', 'Confidential', noise(5 << 20)]]))).toMatchObject({ verdict: 'clean' });
  });
});

describe('rows kept for merges (sheet-rows.ts)', () => {
  const gapRow = (r: number): TextCell[] => [
    { row: r, col: 0, text: '秘', sst: null },
    { row: r, col: 2, text: `Confidential ${r}`, sst: null },
  ];
  it('past 1,048,576 rows with a gap, joinMerged says so when the sheet has merges, and not without', { timeout: 60_000 }, () => {
    const fill = (merge: boolean) => {
      const rows = new RowTexts();
      const merges = new MergedCells();
      // One content shown in every row (as a trap repeated down a column is kept): rows, then merges, past the limit.
      const numbers = Array.from({ length: (1 << 20) + 1 }, (_, r) => r);
      rows.addRows(gapRow(0), numbers, {});
      for (const r of numbers) merges.want(gapRow(r));
      if (merge) merges.add(3, 0, 1);
      return rows.joinMerged(merges);
    };
    expect(fill(true)).toBe(true);
    expect(fill(false)).toBe(false);
  });
});

describe('xls: the shared string table', () => {
  /** A BIFF8 workbook stream of these records (type, body). */
  const stream = (recs: [number, number[]][]) => new Uint8Array(recs.flatMap(([t, d]) => [t & 0xff, t >> 8, d.length & 0xff, d.length >> 8, ...d]));
  const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  const str = (s: string) => [s.length, 0, 1, ...[...s].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];
  const bof: [number, number[]] = [0x0809, [0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]];
  const labelSst = (row: number, col: number, idx: number): [number, number[]] => [0x00fd, [row, 0, col, 0, 0, 0, ...u32(idx)]];
  it('a table that says it holds more than 2,000,000 strings: too large, said', () => {
    const res = readXls(stream([bof, [0x00fc, [...u32(3_000_000), ...u32(3_000_000), ...str('秘')]]]), () => {});
    expect(res.tooLarge).toMatch(/shared strings/);
  });
  it('a cell naming a string past the end of the table: damaged, said', () => {
    const res = readXls(stream([bof, [0x00fc, [...u32(1), ...u32(1), ...str('秘')]], labelSst(1, 1, 0), labelSst(1, 2, 5)]), () => {});
    expect(res.damaged).toMatch(/shared string 5/);
  });
});
