/**
 * Excel binary workbooks (.xlsb) written by SheetJS (test/fixtures/xlsb/make.cjs; the header variant
 * by make-header.py): the stamp in cells (shared and inline strings), comments, sheet names, page
 * headers and properties, with sheet and cell; traps that must stay clean; damaged record streams.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { records } from '../../src/detect/extract/xlsb.js';
import { cellName } from '../../src/detect/extract/sheet-rows.js';
import { ScanError } from '../../src/detect/extract/types.js';

const FIX = join(__dirname, '../fixtures/xlsb');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const scan = (b: Uint8Array, name: string, opts = {}) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name, opts);

function repack(b: Uint8Array, edit: (parts: Record<string, Uint8Array>) => void): Uint8Array {
  const parts = unzipSync(b);
  edit(parts);
  return zipSync(parts, { level: 0 });
}

describe('xlsb: the stamp wherever Excel shows it', () => {
  it.each([
    ['xlsb-shared.xlsb', { part: 'xl/sharedStrings.bin', area: 'cells', sheet: '明細', cell: 'C3' }],
    ['xlsb-inline.xlsb', { part: 'xl/worksheets/sheet2.bin', area: 'cells', sheet: 'データ', cell: 'B2' }],
    ['xlsb-comment.xlsb', { part: 'xl/comments1.bin', area: 'comments', sheet: '一覧', cell: 'B2' }],
    ['xlsb-sheetname.xlsb', { part: 'xl/workbook.bin', area: 'sheet names', sheet: '秘 Confidential' }],
    ['xlsb-header.xlsb', { part: 'xl/worksheets/sheet1.bin', area: 'header', sheet: '一覧' }],
    ['xlsb-title.xlsb', { part: 'docProps/core.xml', area: 'properties' }],
  ])('%s → marked rule 1 at %o', async (name, where) => {
    const r = await scan(bytes(name), name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', format: 'xlsb', location: { path: [], ...where } });
  });

  it.each([
    ['xlsb-split-inline.xlsb', { part: 'xl/worksheets/sheet2.bin', area: 'cells', sheet: '様式', cell: 'B2' }],
    ['xlsb-split-shared.xlsb', { part: 'xl/worksheets/sheet1.bin', area: 'cells', sheet: '様式', cell: 'B2' }],
  ])('%s: 秘 and Confidential in neighbouring cells of one row → marked at the 秘 cell', async (name, where) => {
    const r = await scan(bytes(name), name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', format: 'xlsb', location: { path: [], ...where } });
  });

  it('秘 inline beside a shared Confidential (the sheet reads the shared strings) → marked', async () => {
    // The inline workbook with its Confidential cell turned into a shared string: a BrtShortIsst to a new table.
    const b = repack(bytes('xlsb-split-inline.xlsb'), (p) => {
      const sheet = p['xl/worksheets/sheet2.bin'];
      const recs = [...records(sheet, 'x')];
      const conf = recs.find((r) => r.type === 0x11 && new TextDecoder('utf-16le').decode(r.data.subarray(8)) === 'Confidential')!;
      const isst = Uint8Array.from([0x12, 8, ...conf.data.subarray(0, 4), 0, 0, 0, 0]);
      const start = conf.at - 2;
      p['xl/worksheets/sheet2.bin'] = Uint8Array.from([...sheet.subarray(0, start), ...isst, ...sheet.subarray(conf.at + conf.data.length)]);
      const text = new Uint8Array(Buffer.from('Confidential', 'utf16le'));
      const item = Uint8Array.from([0x13, 5 + text.length, 0, text.length / 2, 0, 0, 0, ...text]);
      p['xl/sharedStrings.bin'] = Uint8Array.from([0x9f, 0x01, 8, 1, 0, 0, 0, 1, 0, 0, 0, ...item, 0xa0, 0x01, 0]);
    });
    expect(await scan(b, 'x.xlsb')).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式', cell: 'B2' } });
  });

  it.each(['xlsb-merged-shared.xlsb', 'xlsb-merged-inline.xlsb'])('%s: 秘 merged over B2:C2 beside Confidential in D2 → marked at B2; without its merge record → clean', async (name) => {
    const b = bytes(name);
    expect(await scan(b, name)).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', format: 'xlsb', location: { sheet: '様式', cell: 'B2' } });
    // The same workbook with its BrtMergeCell records dropped: 秘 | (empty) | Confidential, no stamp. So the merge is what marks it.
    let dropped = 0;
    const unmerged = repack(b, (p) => {
      const sheet = p['xl/worksheets/sheet1.bin'];
      const out: number[] = [];
      let from = 0;
      for (const r of records(sheet, 'x')) {
        const end = r.at + r.data.length;
        if (r.type === 0xb0) dropped++;
        else out.push(...sheet.subarray(from, end));
        from = end;
      }
      p['xl/worksheets/sheet1.bin'] = Uint8Array.from(out);
    });
    expect(dropped).toBe(1);
    expect(await scan(unmerged, name)).toMatchObject({ verdict: 'clean' });
  });

  it.each(['xlsb-merged-traps.xlsb', 'xlsb-merged-traps-inline.xlsb'])('%s (merges that leave a gap, merge other cells, leave a cell between, merge Confidential) → clean', async (name) => {
    expect(await scan(bytes(name), name)).toMatchObject({ verdict: 'clean', format: 'xlsb' });
  });

  it.each(['xlsb-traps.xlsb', 'xlsb-plain.xlsb', 'xlsb-split-traps.xlsb'])('%s (traps around 秘, sheet 秘書室) → clean', async (name) => {
    expect(await scan(bytes(name), name)).toMatchObject({ verdict: 'clean', format: 'xlsb' });
  });

  it('designated keywords are found in cells, comments and sheet names (full text)', async () => {
    const traps = bytes('xlsb-traps.xlsb');
    for (const kw of ['Strictly confidential', '社外秘の扱い', '秘書室']) {
      expect(await scan(traps, 't.xlsb', { designated: { keywords: [kw] } })).toMatchObject({ verdict: 'marked', rule: 3 });
    }
    expect(await scan(traps, 't.xlsb', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'clean' });
  });

  it('a renamed .xlsb (as .zip or no extension) is still read as a workbook', async () => {
    expect(await scan(bytes('xlsb-inline.xlsb'), 'data')).toMatchObject({ verdict: 'marked', format: 'xlsb' });
  });

  it('a stamp in a record type the reader does not parse is still found (UTF-16LE byte search)', async () => {
    // Turn the BrtShortSt record holding the stamp into an unknown type (0x7F): still marked.
    const b = repack(bytes('xlsb-inline.xlsb'), (p) => {
      const sheet = p['xl/worksheets/sheet2.bin'];
      for (const rec of records(sheet, 'x')) if (rec.type === 0x11 && rec.data.length > 20) sheet[rec.at - 2] = 0x7f;
    });
    expect(await scan(b, 'x.xlsb')).toMatchObject({ verdict: 'marked', location: { part: expect.stringMatching(/^xl\/worksheets\/sheet2\.bin offset \d+$/) } });
  });

  it('a record whose length runs past its part → unscannable corrupt (plain workbook), never clean', async () => {
    const b = repack(bytes('xlsb-plain.xlsb'), (p) => {
      const sheet = p['xl/worksheets/sheet1.bin'];
      p['xl/worksheets/sheet1.bin'] = sheet.subarray(0, sheet.length - 3);
    });
    expect(await scan(b, 'x.xlsb')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', location: { part: 'xl/worksheets/sheet1.bin' } });
  });

  it('records(): lengths are checked; cellName() spells columns like Excel', () => {
    expect(() => [...records(Uint8Array.from([0x06, 0x10, 0, 0]), 'p')]).toThrow(ScanError);
    expect([...records(Uint8Array.from([0x81, 0x01, 0x00, 0x9c, 0x01, 0x01, 0xaa]), 'p')].map((r) => r.type)).toEqual([0x81, 0x9c]);
    expect([cellName(0, 0), cellName(2, 25), cellName(9, 26), cellName(0, 16383)]).toEqual(['A1', 'Z3', 'AA10', 'XFD1']);
  });
});

describe('xlsb headers and footers', () => {
  it('headerText drops the codes a printed header does not show', async () => {
    const { headerText } = await import('../../src/detect/extract/print-header.js');
    expect(headerText('&C秘&B&KFF0000 Confidential')).toBe('\n秘 Confidential');
    expect(headerText('&L&"MS ゴシック,太字"&12社外秘&R&P / &N && co')).toBe('\n社外秘\n /  & co');
  });
});

describe('xlsb: a shared string index past the table', () => {
  /** Where a shared-string cell's index stands: BrtCellIsst (col, style, isst), BrtShortIsst (style, isst). */
  const ISST_AT: Record<number, number> = { 0x07: 8, 0x12: 4 };
  /** The sheet with the cell that shows string `from` pointing at `to` instead. */
  function pointAt(b: Uint8Array, part: string, from: number, to: number): Uint8Array {
    return repack(b, (parts) => {
      const sheet = parts[part]!.slice();
      const dv = new DataView(sheet.buffer);
      const cell = [...records(sheet, part)].find((r) => r.type in ISST_AT && dv.getUint32(r.at + ISST_AT[r.type]!, true) === from);
      expect(cell, `a cell showing string ${from}`).toBeDefined();
      dv.setUint32(cell!.at + ISST_AT[cell!.type]!, to, true);
      parts[part] = sheet;
    });
  }
  /** The index of the shared string that is 秘 alone. */
  const hiIndex = (b: Uint8Array) => {
    const sst = unzipSync(b)['xl/sharedStrings.bin']!;
    return [...records(sst, 'sst')].filter((r) => r.type === 0x13).findIndex((r) => new TextDecoder('utf-16le').decode(r.data.subarray(5, 5 + 2 * new DataView(r.data.buffer, r.data.byteOffset).getUint32(1, true))) === '秘');
  };

  it('is damage, not an empty cell: 秘 pointed past the last string leaves Confidential alone (was clean)', async () => {
    const seed = bytes('xlsb-split-shared.xlsb');
    const hi = hiIndex(seed);
    expect(hi).toBeGreaterThanOrEqual(0);
    for (const to of [99_999, 6]) {
      const r = await scan(pointAt(seed, 'xl/worksheets/sheet1.bin', hi, to), 'split.xlsb');
      expect(r, `index ${to}`).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(/cell B2 shows shared string \d+, but xl\/sharedStrings\.bin holds 6/) });
    }
    // The last string's own index is no damage: the row reads 「注記 / 以上 / Confidential / 以上」, clean.
    expect(await scan(pointAt(seed, 'xl/worksheets/sheet1.bin', hi, 5), 'split.xlsb')).toMatchObject({ verdict: 'clean' });
  });
});
