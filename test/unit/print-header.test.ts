/**
 * A spreadsheet's printed header with formatting codes between 「秘」 and 「Confidential」 (different fonts,
 * bold), as Excel writes it: read as it prints (extract/print-header.ts), in xlsx, xls, xlsb and ods.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { headerText } from '../../src/detect/extract/print-header.js';

const DIR = join(__dirname, '../fixtures/print-header');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('printed headers with formatting codes', () => {
  it.each(readdirSync(DIR).filter((f) => /^(font|bold)-codes\./.test(f)))('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['sheet-name-code.xlsx', 'sheet-name-code.xls'])('%s: 「秘 &A」 on a sheet named Confidential prints the stamp', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('&F is the file name: 「秘 &F」 in a workbook uploaded as Confidential.xlsx prints the stamp, under another name it does not', async () => {
    const bytes = readFileSync(join(DIR, 'file-name-code.xlsx'));
    expect(await scanBlob(new Blob([bytes]), 'Confidential.xlsx')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([bytes]), '四半期報告.xlsx')).toMatchObject({ verdict: 'clean' });
    expect(headerText('&R秘 &F', 'Sheet1', 'Confidential.xlsx')).toBe('\n秘 Confidential.xlsx');
  });

  it('&A is the sheet name given, nothing without one', () => {
    expect(headerText('&L秘 &A', 'Confidential')).toBe('\n秘 Confidential');
    expect(headerText('&L秘 &A')).toBe('\n秘 ');
  });

  it('秘書室 with the same codes is clean', async () => {
    expect(await scan('trap-codes.xlsx')).toMatchObject({ verdict: 'clean' });
  });

  it('the codes are gone, an escaped ampersand stays', () => {
    expect(headerText('&C&"MS Gothic,Bold"秘&"Arial,Regular"&12 Confidential')).toBe('\n秘 Confidential');
    expect(headerText('&LR&&D &P')).toBe('\nR&D ');
  });
});

describe('ODF: a header\'s sheet-name field prints each sheet\'s name (ods-sheet-name/)', () => {
  it.each(['exj-header-sheetname.ods', 'exj-header-sheetname.fods'])('%s: 「秘 」 and the field on a sheet named Confidential → marked', async (name) => {
    expect(await scan(`ods-sheet-name/${name}`)).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it.each(['exj-header-sheetname-trap.ods', 'exj-header-sheetname-trap.fods'])('%s: sheets Report and 秘書室メモ → clean', async (name) => {
    expect(await scan(`ods-sheet-name/${name}`)).toMatchObject({ verdict: 'clean' });
  });
});
