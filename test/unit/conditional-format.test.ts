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
import { ConditionalRecords } from '../../src/detect/extract/xls-conditional.js';

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

describe('LibreOffice’s own conditional formats in ods (calcext:conditional-format)', () => {
  // A "text containing" rule is written only there, its style by display name: clean before.
  it.each(['lo-cf-numfmt-text.ods', 'lo-cf-numfmt-text.fods'])('%s → marked at Sheet1!B2', async (n) => {
    expect(await scan(n)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'Sheet1', cell: 'B2' } });
  });
  it.each(['lo-cf-numfmt-text-trap.ods', 'lo-cf-numfmt-text-trap.fods'])('%s → clean', async (n) => {
    expect(await scan(n)).toMatchObject({ verdict: 'clean' });
  });
});

describe('conditional formats’ number formats (xls, Gnumeric’s BIFF8; .gnumeric)', () => {
  // Clean before: CONDFMT/CF records were not read, nor a .gnumeric's gnm:Condition styles.
  for (const ext of ['xls', 'gnumeric']) {
    it.each([
      [`gnumeric-cf-numfmt-formula.${ext}`, 'A1'],
      [`gnumeric-cf-numfmt-text.${ext}`, 'B2'],
      [`gnumeric-cf-numfmt-suffix.${ext}`, 'A1'],
    ])('%s → marked at Sheet1!%s', async (n, cell) => {
      expect(await scan(n)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'Sheet1', cell } });
    });
    it.each([`gnumeric-cf-numfmt-formula-trap.${ext}`, `gnumeric-cf-numfmt-text-trap.${ext}`, `gnumeric-cf-numfmt-suffix-trap.${ext}`])('%s → clean', async (n) => {
      expect(await scan(n)).toMatchObject({ verdict: 'clean' });
    });
  }
  it('CF12 and CFEx (Excel 2007’s records, [MS-XLS] 2.4.43 and 2.4.44) give their DXFN’s format with their CONDFMT’s ranges', () => {
    const u16 = (n: number) => [n & 0xff, n >> 8];
    const u32 = (n: number) => [...u16(n & 0xffff), ...u16(n >>> 16)];
    const code = '"秘 "@';
    // DXFN: ibitAtrNum (bit 25) and fIfmtUser, then DXFNumUsr (cb, cch, fHighByte, UTF-16LE).
    const chars = [...code].flatMap((c) => u16(c.charCodeAt(0)));
    const dxfn = [...u32(1 << 25), ...u16(1), ...u16(3 + chars.length), ...u16(code.length), 1, ...chars];
    const ref = [...u16(4), ...u16(9), ...u16(1), ...u16(2)]; // rows 5-10, columns B-C
    const header = [...u16(0x0879), 0, 0, ...new Array(8).fill(0)];
    const condfmt12 = new Uint8Array([...header, ...u16(1), ...u16(7 << 1), ...ref, ...u16(1), ...ref]);
    const cf12 = new Uint8Array([...header, 2, 0, ...u16(0), ...u16(0), ...u32(dxfn.length), ...dxfn]);
    const r = new ConditionalRecords();
    expect(r.record(0x0879, condfmt12)).toBeNull();
    expect(r.record(0x087a, cf12)).toEqual({ format: { code }, ranges: [[4, 9, 1, 2]] });
    // CFEx of CONDFMT 7, not a CF12's, with a style: by number (DXFNumIfmt) this time.
    const ifmt = [...u32(1 << 25), ...u16(0), 0, 0xa4];
    const cfex = new Uint8Array([...header, ...u32(0), ...u16(7), ...u16(0), 0, 0, ...u16(1), ...u16(1), 1, ...ifmt]);
    r.record(0x01b0, new Uint8Array([...u16(1), ...u16(2 << 1), ...ref, ...u16(0)]));
    expect(r.record(0x087b, cfex)).toEqual({ format: { ifmt: 0xa4 }, ranges: [[4, 9, 1, 2]] });
  });
});
