/**
 * Text a spreadsheet cell shows that is not written as a paragraph or a plain run
 * (test/fixtures/cell-values): an ODS text cell's office:string-value, which LibreOffice shows (odfpy
 * writes no paragraph at all); SpreadsheetML's `_xHHHH_` escapes, which Excel decodes (a carriage
 * return is written `_x000D_`: 「秘_x000D_⏎Confidential」 is 秘, a line break, Confidential).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { EscapedStampSearch, decodeXstring } from '../../src/detect/extract/xstring.js';

const DIR = join(__dirname, '../fixtures/cell-values');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);
const twin = (name: string) => name.replace(/(\.\w+)$/, '-twin$1');

/** A flat ODS of one sheet whose rows are `rows`. */
const fods = (rows: string) =>
  new Blob([
    `<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="S">${rows}</table:table></office:spreadsheet></office:body></office:document>`,
  ]);
const cell = (attrs: string, p = '') => `<table:table-row><table:table-cell ${attrs}>${p ? `<text:p>${p}</text:p>` : ''}</table:table-cell></table:table-row>`;

describe('ODS: a text cell shows its office:string-value', () => {
  const ODS = ['odfpy-string-value-plain.ods', 'odfpy-string-value-formula-cached.ods', 'odfpy-string-value-two-cells.ods'];

  it.each(ODS)('%s → marked (rule 1)', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'S', cell: 'A1' } });
  });

  it.each(ODS.map(twin))('%s (秘書室 Confidential) → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('over its paragraph, as LibreOffice 7.4 shows it; a number, date or boolean shows its value instead', async () => {
    const read = async (rows: string) => (await scanBlob(fods(rows), 'x.fods')).verdict;
    expect(await read(cell('office:value-type="string" office:string-value="秘 Confidential"', '公開'))).toBe('marked');
    expect(await read(cell('office:string-value="秘 Confidential"'))).toBe('marked'); // no type: text
    expect(await read(cell('office:value-type="float" office:value="3" office:string-value="秘 Confidential"'))).toBe('clean');
    expect(await read(cell('office:value-type="boolean" office:boolean-value="true" office:string-value="秘 Confidential"'))).toBe('clean');
    expect(await read(cell('office:value-type="string" office:string-value="秘"') + cell('office:value-type="string" office:string-value="Confidential"'))).toBe('clean'); // one above the other
  });
});

describe('xlsx: `_xHHHH_` escapes are decoded', () => {
  /** Designated keywords make every extractor read the parts whole (the other path). */
  const WHOLE = { designated: { keywords: ['存在しない語'] } };
  const XLSX = ['sheetjs-crlf.xlsx', 'sheetjs-cr.xlsx', 'sst-x000D-crlf.xlsx', 'sst-x0009-tab.xlsx'];

  for (const [how, opts] of [['', {}], [' (read whole)', WHOLE]] as const) {
    it.each(XLSX)(`%s → marked (rule 1)${how}`, async (name) => {
      expect(await scanBlob(new Blob([bytes(name)]), name, opts)).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: expect.any(String) } });
    });

    it.each(XLSX.map(twin))(`%s (秘書室 Confidential) → clean${how}`, async (name) => {
      expect(await scanBlob(new Blob([bytes(name)]), name, opts)).toMatchObject({ verdict: 'clean' });
    });
  }

  /** sst-x000D-crlf.xlsx (LibreOffice's workbook, one shared string) with parts changed or added. */
  const repacked = async (edit: Record<string, (xml: string) => string>, add: Record<string, string> = {}) => {
    const parts = unzipSync(bytes('sst-x000D-crlf.xlsx'));
    for (const [name, f] of Object.entries(edit)) parts[name] = strToU8(f(strFromU8(parts[name])));
    for (const [name, xml] of Object.entries(add)) parts[name] = strToU8(xml);
    return (await scanBlob(new Blob([zipSync(parts)]), 'x.xlsx')).verdict;
  };
  const sheet = 'xl/worksheets/sheet1.xml';
  const sst = 'xl/sharedStrings.xml';
  const plain = (xml: string) => xml.replace(/秘_x000D_\s*Confidential/, '公開');

  it('in an inline string, a comment and a printed header too', async () => {
    expect(await repacked({ [sst]: plain })).toBe('clean');
    const inline = (xml: string) => xml.replace(/<c r="A1" s="0" t="s"><v>0<\/v><\/c>/, '<c r="A1" t="inlineStr"><is><t>秘_x000D_Confidential</t></is></c>');
    expect(inline(strFromU8(unzipSync(bytes('sst-x000D-crlf.xlsx'))[sheet]))).toContain('inlineStr');
    expect(await repacked({ [sst]: plain, [sheet]: inline })).toBe('marked');
    const comment = '<?xml version="1.0"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>a</author></authors><commentList><comment ref="A1" authorId="0"><text><t>秘_x000a_Confidential</t></text></comment></commentList></comments>';
    expect(await repacked({ [sst]: plain }, { 'xl/comments1.xml': comment })).toBe('marked');
    const header = (xml: string) => xml.replace('<oddHeader></oddHeader>', '<oddHeader>&amp;C秘_x0009_Confidential</oddHeader>');
    expect(await repacked({ [sst]: plain, [sheet]: header })).toBe('marked');
  });

  it('`_x005F_` is an escaped underscore: `_x005F_x000D_` is the text 「_x000D_」', async () => {
    expect(decodeXstring('秘_x005F_x000D_Confidential')).toBe('秘_x000D_Confidential');
    expect(decodeXstring('a_x000d_b_X000D_c_x00_d')).toBe('a\rb_X000D_c_x00_d');
    expect(await repacked({ [sst]: (xml) => xml.replace('秘_x000D_', '秘_x005F_x000D_') })).toBe('clean');
  });

  it('秘 escaped itself (`_x79D8_`) is decoded as Excel decodes it; a shared string is found so, an inline one when read whole', async () => {
    expect(await scan('sst-x79D8-escaped.xlsx')).toMatchObject({ verdict: 'marked', location: { sheet: 'Sheet', cell: 'A1' } });
    expect(await scan('sst-x79D8-escaped-twin.xlsx')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob([bytes('inline-x79D8-escaped.xlsx')]), 'x.xlsx', WHOLE)).toMatchObject({ verdict: 'marked' });
    // An escape cut between two chunks of the stream is still found.
    const search = new EscapedStampSearch();
    const markup = new TextEncoder().encode('<t>_x79d8_ Confidential</t>');
    search.push(markup.subarray(0, 7));
    search.push(markup.subarray(7));
    expect(search.found).toBe(true);
  });
});
