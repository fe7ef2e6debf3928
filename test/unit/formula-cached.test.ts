/**
 * Formula results a writer stored without computing them (red team docs4 #2; fixtures in
 * test/fixtures/formula-cached, made by make.py there). XlsxWriter stores `<v>0</v>` for every formula
 * and sets `<calcPr fullCalcOnLoad="1"/>`: Excel computes the formulas on load and shows 「秘 Confidential」.
 * The workbook's formulas are read as if they had no value then; without fullCalcOnLoad a cached 0
 * on a formula that joins text, or on an array formula, is set aside likewise. Gnumeric's .ods of those
 * keeps `office:value="0"`, its .xls a FORMULA result 0 (an array formula's tokens in the ARRAY record). All of these were clean before; the traps (秘書室) stay clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures/formula-cached');
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, opts);
/** Designated keywords make the xlsx reader read sheets whole (the other path). */
const WHOLE = { designated: { keywords: ['存在しない語'] } };

describe('formula results stored but never computed', () => {
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each([
      ['xlsxwriter-literal.xlsx', 'A1'],
      ['xlsxwriter-ref.xlsx', 'B1'],
      ['xlsxwriter-ref-far.xlsx', 'B3'],
      ['xlsxwriter-array.xlsx', 'B1'],
      ['xlsxwriter-dynarray.xlsx', 'B1'],
      ['xlsxwriter-ref-nocalc.xlsx', 'B1'],
      ['xlsxwriter-array-nocalc.xlsx', 'B1'],
      ['xlsxwriter-ref-far-nocalc.xlsx', 'B3'],
      ['gnumeric-ref.ods', 'B1'],
      ['gnumeric-array.ods', 'B1'],
      ['gnumeric-array.xls', 'B1'],
    ])(`%s → marked at Sheet1!%s${how}`, async (n, cell) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'Sheet1', cell } });
    });
    it.each([
      'xlsxwriter-literal-trap.xlsx',
      'xlsxwriter-ref-trap.xlsx',
      'xlsxwriter-ref-far-trap.xlsx',
      'xlsxwriter-array-trap.xlsx',
      'xlsxwriter-dynarray-trap.xlsx',
      'xlsxwriter-ref-trap-nocalc.xlsx',
      'xlsxwriter-array-trap-nocalc.xlsx',
      'xlsxwriter-ref-far-trap-nocalc.xlsx',
      'gnumeric-ref-trap.ods',
      'gnumeric-array-trap.ods',
      'gnumeric-array-trap.xls',
    ])(`%s → clean${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'clean' });
    });
  }
});

/**
 * Red team docs5 #3 and #3b: xlwt stores every formula's result as an empty text (it never computes),
 * Spreadsheet::WriteExcel when given '' writes an empty STRING record, and SheetJS writes `<v></v>` on a
 * text formula in a workbook with no `<calcPr>` (Excel never computed it, and computes it on load); Gnumeric
 * keeps Spreadsheet::WriteExcel's empty result when it saves that .xls as .xlsx or .ods, without computing it.
 * LibreOffice and Gnumeric compute those formulas and show 「秘 Confidential」.
 */
describe('formula results stored as an empty text by writers that never compute', () => {
  it.each([
    ['m_xlwt-formula-literal.xls', 'A1'],
    ['m_xlwt-formula-ref.xls', 'B1'],
    ['m_xlwt-formula-concat.xls', 'A1'],
    ['m_swe-formula-literal-value.xls', 'A1'],
    ['m_gnumeric-swe-literal-value.xlsx', 'A1'],
    ['m_gnumeric-swe-literal-value.ods', 'A1'],
    ['m_sheetjs-formula-ref-emptyv.xlsx', 'B1'],
    ['m_sheetjs-formula-literal-emptyv.xlsx', 'A1'],
    ['m_xlwt-formula-hyperlink.xls', 'A1'],
  ])('%s → marked at %s', async (n, cell) => {
    expect(await scan(n)).toMatchObject({ verdict: 'marked', rule: 1, location: { cell } });
  });
  it.each([
    'k_xlwt-formula-literal-trap.xls',
    'k_xlwt-formula-ref-trap.xls',
    'k_xlwt-formula-concat-trap.xls',
    'k_swe-formula-literal-value-trap.xls',
    'k_gnumeric-swe-literal-value-trap.xlsx',
    'k_gnumeric-swe-literal-value-trap.ods',
    'k_sheetjs-formula-ref-emptyv-trap.xlsx',
    'k_sheetjs-formula-literal-emptyv-trap.xlsx',
    // HYPERLINK shows its friendly name: evaluated, not unread (it would be, now that xlwt's empty result is not trusted).
    'k_xlwt-formula-hyperlink-trap.xls',
  ])('%s → clean', async (n) => {
    expect(await scan(n)).toMatchObject({ verdict: 'clean' });
  });
});
