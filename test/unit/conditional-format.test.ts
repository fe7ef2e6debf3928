/**
 * Number formats given by conditional formats (red team docs4 #3; fixtures in
 * test/fixtures/conditional-format, made by make.py there): a `<dxf>`'s `"秘 "@` on the cell
 * `Confidential` shows 「秘 Confidential」 in LibreOffice and Gnumeric. Rules are not evaluated: a text
 * section a conditional format names is taken as shown on each text cell of its ranges. Clean before
 * (dxfs were never applied); the traps (秘書室) stay clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { conditionalSections } from '../../src/detect/extract/xlsx-conditional.js';

const FIX = join(__dirname, '../fixtures/conditional-format');
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, opts);
const WHOLE = { designated: { keywords: ['存在しない語'] } };

describe('conditional formats’ number formats (xlsx)', () => {
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each([
      ['xlsxwriter-cf-numfmt-formula.xlsx', 'A1'],
      ['xlsxwriter-cf-numfmt-text.xlsx', 'B2'],
      ['xlsxwriter-cf-numfmt-suffix.xlsx', 'A1'],
    ])(`%s → marked at Sheet1!%s${how}`, async (n, cell) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'Sheet1', cell } });
    });
    it.each(['xlsxwriter-cf-numfmt-formula-trap.xlsx', 'xlsxwriter-cf-numfmt-text-trap.xlsx', 'xlsxwriter-cf-numfmt-suffix-trap.xlsx'])(`%s → clean${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'clean' });
    });
  }
  it('Excel 2010’s form (x14:conditionalFormatting in extLst, the dxf inline) is read too', async () => {
    const { unzipSync, zipSync, strFromU8, strToU8 } = await import('fflate');
    for (const [s, verdict] of [['秘', 'marked'], ['秘書室', 'clean']] as const) {
      const parts = unzipSync(readFileSync(join(FIX, 'xlsxwriter-cf-numfmt-formula-trap.xlsx')));
      parts['xl/styles.xml'] = strToU8(strFromU8(parts['xl/styles.xml']).replace(/<dxfs[\s\S]*<\/dxfs>/, '<dxfs count="0"/>'));
      const x14 =
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">' +
        '<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">' +
        `<x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-000000000001}"><xm:f>TRUE</xm:f><x14:dxf><numFmt numFmtId="164" formatCode="&quot;${s} &quot;@"/></x14:dxf></x14:cfRule>` +
        '<xm:sqref>A1</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>';
      parts['xl/worksheets/sheet1.xml'] = strToU8(
        strFromU8(parts['xl/worksheets/sheet1.xml'])
          .replace(/<conditionalFormatting[\s\S]*<\/conditionalFormatting>/, '')
          .replace('</worksheet>', `${x14}</worksheet>`),
      );
      expect(await scanBlob(new Blob([zipSync(parts)]), 'book.xlsx')).toMatchObject({ verdict });
    }
  });
  it('conditionalSections: dxf index → text section (a dxf without one still counts)', () => {
    const xml = '<dxfs count="3"><dxf><font><b/></font></dxf><dxf/><dxf><numFmt numFmtId="164" formatCode="0;&quot;秘 &quot;@"/></dxf></dxfs>';
    expect([...conditionalSections(xml)]).toEqual([[2, '"秘 "@']]);
  });
});
