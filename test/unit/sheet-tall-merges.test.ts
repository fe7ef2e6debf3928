/**
 * Merged cells over several rows (tall-merges.ts) and blank string cells (sheet-rows.ts `shows`), in
 * every workbook format, from several producers (test/fixtures/office/make-tall.py: LibreOffice,
 * openpyxl, XlsxWriter; test/fixtures/xlsb/make-tall.cjs: SheetJS):
 *  - 秘 merged over B2:B4 stands beside Confidential in C3 on screen: marked, at the 秘 cell;
 *  - the trap rows (an empty column between, the row before or after the merge, a cell between,
 *    秘 above) stay clean;
 *  - a blank string cell between 秘 and Confidential is an empty column, as a cell with nothing in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const scan = (n: string, opts = {}) => scanBlob(blob(bytes(n)), n.replace(/^.*\//, ''), opts);
/** Designated keywords make every extractor read the sheets whole (the other path). */
const WHOLE = { designated: { keywords: ['存在しない語'] } };

function repack(b: Uint8Array, edit: (parts: Record<string, Uint8Array>) => void): Uint8Array {
  const parts = unzipSync(b);
  edit(parts);
  return zipSync(parts);
}

/** The marked layouts (tall-spec.json) and the cell the verdict names. */
const MARKED: [string, string][] = [
  ['tall', 'B2'],
  ['tall-left', 'A3'],
  ['tall-rect', 'B2'],
  ['tall-both', 'B2'],
];

/** Each layout as each producer wrote it. */
const files = (name: string): string[] => [
  `office/calc-${name}.xlsx`,
  `office/calc-${name}.ods`,
  `office-legacy/calc-${name}.xls`,
  `office/${name}-openpyxl.xlsx`,
  `office/${name}-xlsxwriter.xlsx`,
  `xlsb/xlsb-${name}.xlsb`,
];

describe('a merge over several rows stands beside every row it covers', () => {
  for (const [name, cell] of MARKED) {
    it.each(files(name))(`${name}: %s → marked at ${cell}`, async (file) => {
      for (const opts of [{}, WHOLE]) {
        expect(await scan(file, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式', cell } });
      }
    });
  }

  it.each([...files('tall-traps'), 'xlsb/xlsb-tall-traps-inline.xlsb'])(
    'trap rows (an empty column between, the row before or after the merge, a cell between, 秘 above) → clean: %s',
    async (file) => {
      for (const opts of [{}, WHOLE]) expect(await scan(file, opts)).toMatchObject({ verdict: 'clean' });
    },
  );

  it('inline strings (SheetJS xlsb) the same', async () => {
    expect(await scan('xlsb/xlsb-tall-inline.xlsb')).toMatchObject({ verdict: 'marked', location: { cell: 'B2' } });
  });

  it('the merge is what marks it: the same xlsx without its merges is clean', async () => {
    for (const file of ['office/calc-tall.xlsx', 'office/tall-openpyxl.xlsx', 'office/tall-xlsxwriter.xlsx']) {
      const unmerged = repack(bytes(file), (p) => {
        const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
        const edited = sheet.replace(/<mergeCells[\s\S]*?<\/mergeCells>/, '');
        expect(edited).not.toBe(sheet);
        p['xl/worksheets/sheet1.xml'] = strToU8(edited);
      });
      expect(await scanBlob(blob(unmerged), 'x.xlsx')).toMatchObject({ verdict: 'clean' });
    }
  });

  it('a tall merge far down a large sheet (its rows and the merge list over many stream chunks) → marked', async () => {
    const big = repack(bytes('office/tall-openpyxl.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `<row r="${from + i}"><c r="A${from + i}"><v>${i}</v></c></row>`).join('');
      const cell = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;
      // 秘 at B5 merged down to B60004, Confidential at C60003, 60,000 rows of numbers between.
      const rows = `<row r="5">${cell('B5', '秘')}</row>${filler(6, 59_997)}<row r="60003">${cell('C60003', 'Confidential')}</row>`;
      const merges = Array.from({ length: 3000 }, (_, i) => `<mergeCell ref="E${i * 2 + 1}:F${i * 2 + 1}"/>`).join('');
      p['xl/worksheets/sheet1.xml'] = strToU8(
        sheet
          .replace(/<row r="2">[\s\S]*?<row r="4"><\/row>/, rows)
          .replace(/<mergeCells[\s\S]*?<\/mergeCells>/, `<mergeCells>${merges}<mergeCell ref="B5:B60004"/></mergeCells>`),
      );
    });
    expect(await scanBlob(blob(big), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'B5' } });
  });

  it('rows listed out of order (row 3 before row 2): the row waits for the merge\'s first row → marked', async () => {
    const b = repack(bytes('office/tall-openpyxl.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      const row2 = /<row r="2">[\s\S]*?<\/row>/.exec(sheet)![0];
      const row3 = /<row r="3">[\s\S]*?<\/row>/.exec(sheet)![0];
      p['xl/worksheets/sheet1.xml'] = strToU8(sheet.replace(row2 + row3, row3 + row2));
      expect(strFromU8(p['xl/worksheets/sheet1.xml'])).not.toBe(sheet);
    });
    expect(await scanBlob(blob(b), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'B2' } });
  });

  it('xlsx whose shared strings hold no 秘 (not loaded while the sheet streams): the second reading loads them', async () => {
    const b = repack(bytes('office/calc-tall-left.xlsx'), (p) => {
      const sst = strFromU8(p['xl/sharedStrings.xml']);
      const items = Array.from(sst.matchAll(/<si>([\s\S]*?)<\/si>/g), (m) => m[1].replace(/<[^>]+>/g, ''));
      const i = items.indexOf('秘');
      expect(i).toBeGreaterThanOrEqual(0);
      p['xl/sharedStrings.xml'] = strToU8(sst.replace(/>秘</, '>x<'));
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      const edited = sheet.replace(new RegExp(`<c r="A3"([^>]*?) t="s"><v>${i}</v></c>`), '<c r="A3"$1 t="inlineStr"><is><t>秘</t></is></c>');
      expect(edited).not.toBe(sheet);
      p['xl/worksheets/sheet1.xml'] = strToU8(edited);
    });
    expect(await scanBlob(blob(b), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'A3' } });
  });
});

describe('many distinct rows with 秘 before the stamp', () => {
  it('10,001 distinct trap rows (秘N | 注意), then 秘 | Confidential in neighbouring cells → marked (the row texts kept are bounded, a stamp after them is not dropped)', async () => {
    const b = repack(bytes('office/tall-openpyxl.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      const cell = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;
      const traps = Array.from({ length: 10_001 }, (_, i) => `<row r="${i + 10}">${cell(`A${i + 10}`, `秘${i}`)}${cell(`B${i + 10}`, '注意')}</row>`).join('');
      const last = 10_011;
      const rows = `${traps}<row r="${last}">${cell(`A${last}`, '秘')}${cell(`B${last}`, 'Confidential')}</row>`;
      p['xl/worksheets/sheet1.xml'] = strToU8(sheet.replace('</sheetData>', `${rows}</sheetData>`).replace(/<mergeCells[\s\S]*?<\/mergeCells>/, ''));
    });
    expect(await scanBlob(blob(b), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'A10011' } });
  });
});

describe('a blank string cell is an empty column', () => {
  it.each([
    'office/blank-traps-sheetjs.xlsx',
    'office/blank-traps-sheetjs-sst.xlsx',
    'office/blank-traps-openpyxl.xlsx',
    'office/blank-traps-xlsxwriter.xlsx',
    'office/calc-blank-traps.xlsx',
    'office/calc-blank-traps.ods',
    'office-legacy/calc-blank-traps.xls',
    'xlsb/xlsb-blank-traps.xlsb',
    'xlsb/xlsb-blank-traps-inline.xlsb',
  ])(
    '秘 | "" | Confidential and 秘 | " " | Confidential read apart, as with nothing between → clean: %s',
    async (file) => {
      for (const opts of [{}, WHOLE]) expect(await scan(file, opts)).toMatchObject({ verdict: 'clean' });
    },
  );

  it.each(['office/blank-merged-sheetjs.xlsx', 'office/blank-merged-sheetjs-sst.xlsx', 'xlsb/xlsb-blank-merged.xlsb', 'xlsb/xlsb-blank-merged-inline.xlsb'])(
    '秘 merged over B2:C2 whose covered C2 holds "" still stands beside Confidential in D2 → marked: %s',
    async (file) => {
      for (const opts of [{}, WHOLE]) expect(await scan(file, opts)).toMatchObject({ verdict: 'marked', location: { cell: 'B2' } });
    },
  );
});
