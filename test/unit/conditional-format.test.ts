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
  it('conditionalSections: dxf index → text section (a dxf without one still counts)', () => {
    const xml = '<dxfs count="3"><dxf><font><b/></font></dxf><dxf/><dxf><numFmt numFmtId="164" formatCode="0;&quot;秘 &quot;@"/></dxf></dxfs>';
    expect([...conditionalSections(xml)]).toEqual([[2, '"秘 "@']]);
  });
});
