/**
 * XML Spreadsheet 2003 (Excel's "XML Spreadsheet", written by report code as .xls): what Excel prints and
 * shows beyond the markup's text (extract/xlml-shown.ts). Fixtures from test/fixtures/xml-spreadsheet/make.py.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/xml-spreadsheet');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('XML Spreadsheet 2003: printed headers and text formats', () => {
  it.each([
    ['月次報告-header.xls', 'header'],
    ['月次報告-footer.xls', 'footer'],
    ['月次報告-textformat.xls', 'cells'],
  ])('%s is marked in its %s', async (name, area) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { area, sheet: '月次報告' } });
  });

  it('traps: 社外秘 over 「Strictly confidential」, 秘 ending the header and Confidential the footer, "秘書室 "@, "秘 "@ on a number → clean', async () => {
    expect(await scan('月次報告-traps.xls')).toMatchObject({ verdict: 'clean' });
  });
});
