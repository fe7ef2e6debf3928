/**
 * ODS data styles (number:text-style) applied to text cells as LibreOffice shows them (red team docs4
 * #5; fixtures in test/fixtures/ods-data-styles, made by make.py there with odfpy), and a conditional
 * style's (style:map, #3: LibreOffice's ods of an XlsxWriter conditional format). All were clean before:
 * the style's literals were read apart from the cell. The traps (秘書室) stay clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { OdsFormats, showThrough } from '../../src/detect/extract/ods-formats.js';

const FIX = join(__dirname, '../fixtures');
const scan = (n: string, opts = {}) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n.split('/').pop()!, opts);
const WHOLE = { designated: { keywords: ['存在しない語'] } };

describe('ODS data styles on text cells', () => {
  for (const opts of [{}, WHOLE]) {
    const how = opts === WHOLE ? ' (read whole)' : '';
    it.each([
      'ods-data-styles/odfpy-textstyle-prefix.ods',
      'ods-data-styles/odfpy-textstyle-prefix-named.ods',
      'ods-data-styles/odfpy-textstyle-suffix.ods',
      'ods-data-styles/odfpy-textstyle-column-default.ods',
      'conditional-format/lo-cf-numfmt-formula.ods',
    ])(`%s → marked at Sheet1!A1${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'Sheet1', cell: 'A1' } });
    });
    it.each([
      'ods-data-styles/odfpy-textstyle-prefix-trap.ods',
      'ods-data-styles/odfpy-textstyle-prefix-named-trap.ods',
      'ods-data-styles/odfpy-textstyle-suffix-trap.ods',
      'ods-data-styles/odfpy-textstyle-column-default-trap.ods',
      'conditional-format/lo-cf-numfmt-formula-trap.ods',
    ])(`%s → clean${how}`, async (n) => {
      expect(await scan(n, opts)).toMatchObject({ verdict: 'clean' });
    });
  }
  it('a cell style’s text style through its parent and its conditional styles; text LibreOffice already formatted is not formatted again', () => {
    const styles =
      '<number:text-style style:name="N1"><number:text>秘 </number:text><number:text-content/></number:text-style>' +
      '<style:style style:name="P" style:family="table-cell" style:data-style-name="N1"/>' +
      '<style:style style:name="C" style:family="table-cell" style:parent-style-name="P"/>' +
      '<style:style style:name="M" style:family="table-cell"><style:map style:condition="is-true-formula(1)" style:apply-style-name="P"/></style:style>';
    const f = new OdsFormats(styles);
    expect(f.stamp).toBe(true);
    expect(showThrough(f.of('C'), 'Confidential')).toBe('秘 Confidential');
    expect(showThrough(f.of('M'), 'Confidential')).toBe('秘 Confidential');
    expect(showThrough(f.of('C'), '秘 Confidential')).toBe('秘 Confidential');
    expect(f.of('none')).toEqual([]);
  });
});
