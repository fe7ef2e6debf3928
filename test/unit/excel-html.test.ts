/**
 * Excel's HTML workbooks (report code's `.xls` exports, Excel's "Web Page"): the printed header and footer
 * in `mso-header-data`/`mso-footer-data`, the literals of `mso-number-format` and a text cell through its
 * format's text section (by class or the cell's own style), which Excel shows and a
 * browser does not (extract/excel-html.ts). Fixtures from test/fixtures/excel-html/make.sh.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { excelCssString } from '../../src/detect/extract/excel-html.js';

const DIR = join(__dirname, '../fixtures/excel-html');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe("Excel's HTML workbooks", () => {
  it.each([
    ['月次報告-header.xls', 'header/footer'],
    ['月次報告-footer.xls', 'header/footer'],
    ['月次報告-numfmt.xls', 'cells'],
    ['月次報告-textformat.xls', 'cells'],
    ['月次報告-textformat-inline.xls', 'cells'],
  ])('%s is marked in its %s', async (name, area) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { area } });
  });

  it('traps: 社外秘 above 「Strictly confidential」, 秘 ending the header and Confidential the footer, an escaped backslash, a format of 社外秘, "秘 "@ on a number cell → clean', async () => {
    expect(await scan('月次報告-traps.xls')).toMatchObject({ verdict: 'clean' });
  });

  it("escapes as Excel writes them: four hex digits (「\\0022Arial」 is a quote and Arial), or the character itself", () => {
    expect(excelCssString('&\\0022Arial\\,Bold\\0022&12\\79D8 Confidential\\000A&P')).toBe('&"Arial,Bold"&12秘 Confidential\n&P');
    expect(excelCssString('\\\\79D8')).toBe('\\79D8');
  });
});
