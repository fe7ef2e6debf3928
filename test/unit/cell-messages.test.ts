/**
 * The message a spreadsheet cell shows when it is selected (data validation's input message) is text a
 * reader sees, although its title is kept in an attribute: Excel's promptTitle/prompt, ODF's
 * table:help-message table:title (test/fixtures/office/make-validation.sh, LibreOffice 7.4's output).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

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
