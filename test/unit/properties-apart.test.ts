/**
 * Document properties are fields of their own in every reader (File › Properties, an e-book's details,
 * pdfinfo), as an e-mail's Subject and From are: Title 「社外秘」 and Subject 「Confidential」 are no stamp, a
 * Title 「秘 Confidential」 is (producer hunt prod8, F3: they were read glued, 「社外秘Confidential」, and marked).
 * Fixtures: test/fixtures/properties (make.py: python-docx, openpyxl, xlsxwriter, odfpy, reportlab,
 * LibreOffice, pandoc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { propertiesText, xmlToText } from '../../src/detect/extract/xml-text.js';
import { xmpPacketText } from '../../src/detect/extract/pdf.js';
import { findStamp } from '../../src/detect/rules/stamp.js';

const DIR = join(__dirname, '../fixtures/properties');
const files = readdirSync(DIR).filter((n) => !/\.(py|md)$/.test(n));
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('document properties read apart (test/fixtures/properties)', () => {
  it('holds traps and stamps of every kind', () => {
    expect(files.filter((n) => n.startsWith('k-')).length).toBeGreaterThanOrEqual(15);
    expect(files.filter((n) => n.startsWith('m-')).length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.filter((n) => n.startsWith('k-')))('%s: 社外秘 in one property, Confidential in the next → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it.each(files.filter((n) => n.startsWith('m-')))('%s: 「秘 Confidential」 inside one property → marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe('the readers of properties', () => {
  it('markup: an ODF meta block, an OPF metadata block, XMP in RDF keep each element apart; the stamp inside one stays', () => {
    const stamp = (s: string) => findStamp(s) !== null;
    expect(stamp(xmlToText('<office:meta><dc:title>社外秘</dc:title><dc:subject>Confidential</dc:subject></office:meta>'))).toBe(false);
    expect(stamp(xmlToText('<metadata xmlns:dc="x"><dc:subject>秘</dc:subject>\n<dc:subject>Confidential</dc:subject></metadata>'))).toBe(false);
    expect(stamp(xmlToText('<svg><rdf:RDF><rdf:li>秘</rdf:li><rdf:li>Confidential</rdf:li></rdf:RDF></svg>'))).toBe(false);
    expect(stamp(xmlToText('<office:meta><meta:keyword>社外秘</meta:keyword><meta:keyword>秘 Confidential</meta:keyword></office:meta>'))).toBe(true);
    // Outside a property block, markup reads as before: a run's end is no field's end.
    expect(stamp(xmlToText('<w:p><w:r><w:t>秘</w:t></w:r><w:r><w:t>Confidential</w:t></w:r></w:p>'))).toBe(true);
  });

  it('values: PDF Info and XMP, each value apart', () => {
    expect(findStamp(propertiesText(['社外秘', 'Confidential']))).toBeNull();
    expect(findStamp(propertiesText(['社外秘', '秘 Confidential']))).not.toBeNull();
    expect(findStamp(xmpPacketText('<rdf:Bag><rdf:li>社外秘</rdf:li><rdf:li>Confidential</rdf:li></rdf:Bag>'))).toBeNull();
    expect(findStamp(xmpPacketText('<rdf:Description pdf:Keywords="社外秘" pdf:Producer="Confidential"/>'))).toBeNull();
  });
});
