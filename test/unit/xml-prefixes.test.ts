/**
 * Office markup whose namespaces go by other prefixes (xml-prefixes.ts): parts written back by Python's
 * ElementTree (`ns0:p`), a default WordprocessingML namespace, the Open XML SDK's `x:` SpreadsheetML.
 * Fixtures: test/fixtures/prefixes/make.py (LibreOffice and openpyxl files, one part through ElementTree).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { withUsualPrefixes } from '../../src/detect/extract/xml-prefixes.js';

const FIX = join(__dirname, '../fixtures/prefixes');
const scan = (n: string) => scanBlob(new Blob([readFileSync(join(FIX, n))]), n, {});

describe('parts written back by ElementTree are read as Word, Excel and LibreOffice read them', () => {
  it.each([
    // 秘, a deleted 書室, Confidential: LibreOffice imports the deletion, as from w:del.
    ['m_deleted-etree.docx', 'word/document.xml'],
    ['m_deleted-etree.odt', 'content.xml'],
    // 秘, a hidden 書室, Confidential: the page shows 秘 Confidential.
    ['m_hidden-etree.docx', 'word/document.xml'],
    ['m_hidden-etree.odt', 'content.xml'],
    // The sheet's tab 「秘 Confidential」 (<ns0:sheet name=…>).
    ['m_sheet-name-etree.xlsx', 'xl/workbook.xml'],
  ])('%s → marked (%s)', async (name, part) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { part } });
  });

  it.each(['k_office-etree.docx', 'k_office-etree.odt', 'k_sheet-name-etree.xlsx'])('%s (秘書室 Confidential) → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });
});

describe('withUsualPrefixes', () => {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

  it('renames a prefix, and gives a default namespace\'s elements theirs (attributes with no prefix stay in none)', () => {
    expect(withUsualPrefixes(`<ns0:p xmlns:ns0="${W}"><ns0:r><ns0:rPr><ns0:vanish ns0:val="1"/></ns0:rPr></ns0:r></ns0:p>`)).toBe(
      `<w:p xmlns:w="${W}"><w:r><w:rPr><w:vanish w:val="1"/></w:rPr></w:r></w:p>`,
    );
    expect(withUsualPrefixes(`<document xmlns="${W}"><body><p><del id="1"><r><delText>x</delText></r></del></p></body></document>`)).toBe(
      `<w:document xmlns="${W}"><w:body><w:p><w:del id="1"><w:r><w:delText>x</w:delText></w:r></w:del></w:p></w:body></w:document>`,
    );
  });

  it('takes SpreadsheetML without a prefix, and moves aside a usual prefix bound to something else', () => {
    const x = '<x:sheets xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheet name="a"/></x:sheets>';
    expect(withUsualPrefixes(x)).toBe('<sheets xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheet name="a"/></sheets>');
    expect(withUsualPrefixes(`<q:p xmlns:q="${W}" xmlns:w="urn:other"><w:del/><q:t>a &lt; b</q:t></q:p>`)).toBe(
      `<w:p xmlns:w="${W}" xmlns:w_="urn:other"><w_:del/><w:t>a &lt; b</w:t></w:p>`,
    );
  });

  it('leaves markup with the usual prefixes, and text and values, as they are', () => {
    const usual = `<w:document xmlns:w="${W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14"><w:t>ns0:p &gt; x</w:t></w:document>`;
    expect(withUsualPrefixes(usual)).toBe(usual);
    expect(withUsualPrefixes(`<ns0:t xmlns:ns0="${W}" ns0:val="ns0:x">ns0:y</ns0:t>`)).toBe(`<w:t xmlns:w="${W}" w:val="ns0:x">ns0:y</w:t>`);
  });

  it('takes no declaration from an attribute\'s value (a bound control\'s w:prefixMappings)', () => {
    const bound = `<w:document xmlns:w="${W}"><w:dataBinding w:prefixMappings="xmlns:ns0='http://purl.org/dc/elements/1.1/' xmlns:ns1='urn:x'" w:xpath="/ns1:a[1]/ns0:title[1]"/></w:document>`;
    expect(withUsualPrefixes(bound)).toBe(bound);
  });

  it('stays linear on text full of the word xmlns', () => {
    const text = `<w:t xmlns:w="${W}">` + 'xmlns:ns0="x" '.repeat(300_000) + '</w:t>';
    const t = performance.now();
    withUsualPrefixes(text);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('stays linear on markup with quotes that never close', () => {
    const hostile = `<ns0:p xmlns:ns0="${W}">` + '<ns0:r a="'.repeat(200_000);
    const t = performance.now();
    withUsualPrefixes(hostile);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
