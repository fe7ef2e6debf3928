/**
 * Text a spreadsheet cell shows that is not its value, kept in attributes: the message shown when it is
 * selected (data validation: Excel's promptTitle/prompt, ODF's table:help-message table:title;
 * make-validation.sh) and the literal text of its number format (`"秘 Confidential "0`, in xl/styles.xml;
 * make-number-format.sh). Fixtures are LibreOffice 7.4's output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';
import { describeLocation } from '../../src/detect/describe.js';

const DIR = join(__dirname, '../fixtures/office');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('a cell\'s input message', () => {
  it.each(['validation-stamp.xlsx', 'validation-stamp.ods'])('titled 「秘 Confidential」: %s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['validation-trap.xlsx', 'validation-trap.ods'])('titled 「秘書室 Confidential の連絡」: %s is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('Excel\'s error message too, and the x14 extension form', () => {
    const xml = '<x14:dataValidation type="list" errorTitle="秘 Confidential" error="入力できません" showErrorMessage="1"><x14:formula1><xm:f>A1</xm:f></x14:formula1></x14:dataValidation>';
    expect(xmlToText(xml)).toContain('秘 Confidential');
    expect(xmlToText('<dataValidation prompt=\'取扱注意\' promptTitle=\'秘 Confidential\' sqref="A1"/>')).toContain('秘 Confidential');
  });
});

describe('a number format\'s literal text', () => {
  it('「秘 Confidential 3」 shown by the format of a cell holding 3 is marked, said to be in the cells', async () => {
    const v = await scan('number-format-stamp.xlsx');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(describeLocation(v.verdict === 'marked' ? v.location : undefined)).toMatch(/^セル/);
  });

  it('「秘書室 Confidential 3」 is clean', async () => {
    expect(await scan('number-format-trap.xlsx')).toMatchObject({ verdict: 'clean' });
  });

  it('quotes and backslash escapes are how a format writes literals: both read as shown', () => {
    expect(xmlToText('<numFmt numFmtId="165" formatCode="\\秘\\ \\C\\o\\n\\f\\i\\d\\e\\n\\t\\i\\a\\l 0"/>')).toContain('秘 Confidential 0');
    expect(xmlToText('<x:numFmt formatCode="&quot;秘&quot; &quot;Confidential&quot;;@"/>')).toContain('秘 Confidential');
  });
});

