/**
 * A text cell read as its number format shows it (number-format.ts; fixtures in
 * test/fixtures/number-format, README there): `"秘 "@` on `Confidential`, `@" Confidential"` on `秘`,
 * the 4th section `0;-0;0;"秘 "@`, and a formatted cell beside its neighbour are marked, in xlsx
 * (ExcelJS, XlsxWriter) and xls (LibreOffice's conversions); traps (秘書室, a number, a number-only
 * format) stay clean. All of these read clean before: the format's literals were read apart from the cell's text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { formatShown, shownAs, textSection } from '../../src/detect/extract/number-format.js';

const FIX = join(__dirname, '../fixtures/number-format');
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, opts);
/** Designated keywords make the xlsx reader read sheets whole (the other path). */
const WHOLE = { designated: { keywords: ['存在しない語'] } };

describe('text number formats', () => {
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each([
      ['exj-numfmt-text-prefix.xlsx', 'S'],
      ['exj-numfmt-text-suffix.xlsx', 'S'],
      ['exj-numfmt-text-prefix.xls', 'S'],
      ['exj-numfmt-text-suffix.xls', 'S'],
      ['xlsxwriter-numfmt-text-prefix.xlsx', 'Sheet1'],
      ['xlsxwriter-numfmt-section4.xlsx', 'Sheet1'],
      ['exj-numfmt-row.xlsx', 'S'],
      ['exj-numfmt-row.xls', 'S'],
      // The section holding `@` in a 2- or 3-section code (red team docs4 #4: clean before).
      ['xlsxwriter-numfmt-2sections.xlsx', 'Sheet1'],
      ['xlsxwriter-numfmt-3sections.xlsx', 'Sheet1'],
      ['xlsxwriter-numfmt-3sections-conditions.xlsx', 'Sheet1'],
      ['gnumeric-numfmt-2sections.xls', 'Sheet1'],
      // Gnumeric's own format: the format in a StyleRegion apart from the cell (clean before).
      ['gnumeric-numfmt-text-prefix.gnumeric', 'Sheet1'],
      ['gnumeric-numfmt-text-suffix.gnumeric', 'S'],
      ['gnumeric-numfmt-2sections.gnumeric', 'Sheet1'],
      ['gnumeric-numfmt-row.gnumeric', 'S'],
      // LibreOffice's .ods of ExcelJS's (make-lo-ods.sh): the format a data style, read with the cell.
      ['lo-numfmt-text-prefix.ods', 'S'],
      ['lo-numfmt-text-suffix.ods', 'S'],
    ])(`%s → marked at %s!A1${how}`, async (n, sheet) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet, cell: 'A1' } });
    });
    it.each(['exj-numfmt-trap.xlsx', 'exj-numfmt-traps.xlsx', 'exj-numfmt-traps.xls', 'sheetjs-xlsb-numfmt-trap.xlsb', 'sheetjs-xlsb-numfmt-trap-sst.xlsb',
      'xlsxwriter-numfmt-sections-trap.xlsx', 'gnumeric-numfmt-sections-trap.xls', 'gnumeric-numfmt-sections-trap.gnumeric', 'gnumeric-numfmt-traps.gnumeric',
      // The traps' data styles: 「秘」 and 「 Confidential」 either side of <number:text-content/> (was marked).
      'lo-numfmt-traps.ods'])(
      `%s → clean${how}`,
      async (n) => {
        expect(await scan(n, opts)).toMatchObject({ verdict: 'clean' });
      },
    );
    // xl/styles.bin's BrtFmt and BrtXF (both were clean: the sheet holds no 秘, and xlsb cells were read without formats).
    it.each(['sheetjs-xlsb-numfmt.xlsb', 'sheetjs-xlsb-numfmt-sst.xlsb'])(`%s → marked at S!B2${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'S', cell: 'B2' } });
    });
  }
});

describe('a currency symbol in a number format (currency.py)', () => {
  // `[$秘-411] "Confidential" 0` on 5 shows 「秘 Confidential 5」 (LibreOffice's csv export too); the format
  // was read as written, 「[$秘-411] Confidential 0」: clean.
  it.each(['xlsxwriter-numfmt-currency.xlsx', 'xlsxwriter-numfmt-currency.xls'])('%s → marked', async (n) => {
    expect(await scan(n)).toMatchObject({ verdict: 'marked', rule: 1, excerpt: expect.stringContaining('秘 Confidential 0') });
  });
  // `[$秘-411]0` shows 「秘5」, with 「Confidential」 two columns away.
  it.each(['xlsxwriter-numfmt-currency-trap.xlsx', 'xlsxwriter-numfmt-currency-trap.xls'])('%s → clean', async (n) => {
    expect(await scan(n)).toMatchObject({ verdict: 'clean' });
  });
  it('formatShown keeps a currency\'s symbol, not its locale', () => {
    expect(formatShown('[$秘-411] "Confidential" 0')).toBe('秘 Confidential 0');
    expect(formatShown('[$-411]ggge"年"m"月"d"日"')).toBe('ggge年m月d日');
    expect(formatShown('[$€-x-euro2] #,##0;[Red]-#')).toBe('€ #,##0;-#');
  });
});

describe('textSection, shownAs', () => {
  it.each([
    ['"秘 "@', '"秘 "@'],
    ['@" Confidential"', '@" Confidential"'],
    ['0;-0;0;"秘 "@', '"秘 "@'],
    ['[Red]"a;b"@', '[Red]"a;b"@'],
    ['@', null],
    ['"秘 "0', null],
    ['0;-0;0', null],
    ['0;"秘 "@', '"秘 "@'],
    ['0;-0;"秘 "@', '"秘 "@'],
    ['[>100]0;[<=100]0;"秘 "@', '"秘 "@'],
    ['"秘 "@;0', '"秘 "@'],
    ['0;"秘 "\\@', null],
    ['0;"@"', null],
  ])('%s → %s', (code, section) => {
    expect(textSection(code)).toBe(section);
  });
  it('fills @ with the text; quotes, \\ escapes, _x (a blank), *x (a fill) and [..] as Excel prints them', () => {
    expect(shownAs('"秘 "@', 'Confidential')).toBe('秘 Confidential');
    expect(shownAs('\\秘_)@*-[Blue]', 'Confidential')).toBe('秘 Confidential');
  });
});
