/** A Gnumeric sheet's printed header or footer is said as such, with its sheet (gnumeric-heads.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { describeLocation, scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/gnumeric-heads');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe("a Gnumeric sheet's header and footer", () => {
  it('a stamp in the header of sheet 一覧 (written by ssconvert) is said to be there, not in the body', async () => {
    const v = await scan('一覧-header.gnumeric');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1, location: { path: [], area: 'header', sheet: '一覧' } });
    expect(describeLocation(v.verdict === 'marked' ? v.location : undefined, 'ja')).toBe('シート「一覧」のヘッダー');
  });
  it('社外秘 in the header and a sheet named 秘書室 stay clean', async () => {
    expect(await scan('traps.gnumeric')).toMatchObject({ verdict: 'clean' });
  });
  it('a footer printing the sheet name (&[TAB]) after 秘 is read as it prints, on that sheet', async () => {
    const sheet = (name: string, footer: string) =>
      `<gnm:Sheet><gnm:Name>${name}</gnm:Name><gnm:PrintInformation><gnm:Header Left="" Middle="" Right=""/><gnm:Footer Left="" Middle="${footer}" Right=""/></gnm:PrintInformation></gnm:Sheet>`;
    const xml = `<?xml version="1.0"?><gnm:Workbook xmlns:gnm="http://www.gnumeric.org/v10.dtd"><gnm:Sheets>${sheet('表紙', '社内')}${sheet('Confidential', '秘 &amp;[TAB]')}</gnm:Sheets></gnm:Workbook>`;
    const v = await scanBlob(new Blob([gzipSync(strToU8(xml))]), 'x.gnumeric');
    expect(v).toMatchObject({ verdict: 'marked', location: { area: 'footer', sheet: 'Confidential' } });
    const trap = xml.replace('秘 &amp;[TAB]', '秘書 &amp;[TAB]');
    expect(await scanBlob(new Blob([gzipSync(strToU8(trap))]), 'x.gnumeric')).toMatchObject({ verdict: 'clean' });
  });
});
