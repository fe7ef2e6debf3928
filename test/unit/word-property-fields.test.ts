/**
 * Word fields that print a document property or a bookmark, written with no result (the docx package's
 * `new SimpleField('TITLE')`): Word, asked to update fields on opening, and LibreOffice show the property's
 * value there, so a title 「秘」 and { TITLE } + 「 Confidential」 show the stamp; { REF mark } likewise. Fixtures:
 * test/fixtures/js-producers (make.mjs, docx 9.15.2; checked with LibreOffice 7.4 and pdftotext).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { hasRefField, refFieldWatch, withPropertyFields } from '../../src/detect/extract/word-property-fields.js';

const DIR = join(__dirname, '../fixtures/js-producers');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

/** docx-title-field.docx (title 「秘」) with its paragraph's field replaced by `field`. */
function withField(field: string): Blob {
  const files = unzipSync(new Uint8Array(readFileSync(join(DIR, 'docx-title-field.docx'))));
  const xml = strFromU8(files['word/document.xml']);
  const replaced = xml.replace(/<w:fldSimple w:instr="TITLE"\/>/, field);
  expect(replaced).not.toBe(xml);
  return new Blob([zipSync({ ...files, 'word/document.xml': strToU8(replaced) })]);
}
const r = (inner: string) => `<w:r>${inner}</w:r>`;

describe('a property field with no result shows the property', () => {
  it.each(['docx-title-field.docx', 'docx-docproperty-field.docx'])('%s (「秘」 printed by the field, then 「 Confidential」) is marked; it was clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'body' } });
  });

  it.each(['docx-title-field-trap.docx', 'docx-docproperty-field-trap.docx'])('%s (the property 「秘書室」) is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('a REF field with no result in the header shows its bookmark’s text from the body; it was clean', async () => {
    expect(await scan('docx-ref-field-header.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'header' } });
    expect(await scan('docx-ref-field-header-trap.docx')).toMatchObject({ verdict: 'clean' });
  });

  it('a REF field stored with the result 「x」 is also read as LibreOffice computes it, 「秘 Confidential」; it was clean', async () => {
    expect(await scan('docx-ref-field-cached.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'body' } });
    expect(await scan('docx-ref-field-cached-trap.docx')).toMatchObject({ verdict: 'clean' });
  });

  it('a complex field with no separate and no result shows it too', async () => {
    const field = r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText xml:space="preserve"> TITLE \\* MERGEFORMAT </w:instrText>') + r('<w:fldChar w:fldCharType="end"/>');
    expect(await scanBlob(withField(field), 'complex.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('a field whose stored result is not its value is also read with the value (LibreOffice computes TITLE and REF again; Word does on updating)', async () => {
    const complex = r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText> TITLE </w:instrText>') + r('<w:fldChar w:fldCharType="separate"/>') + r('<w:t>表題</w:t>') + r('<w:rPr><w:b/></w:rPr><w:fldChar w:fldCharType="end"/>');
    expect(await scanBlob(withField(complex), 'complex-result.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(withField(`<w:fldSimple w:instr="TITLE">${r('<w:t>表題</w:t>')}</w:fldSimple>`), 'simple-result.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    const values = { properties: new Map([['TITLE', '秘']]), bookmarks: null };
    // Read as Word shows it until fields are updated, the stored result stays.
    expect(withPropertyFields(complex, values)).toBe(complex);
    expect(withPropertyFields(complex, values, 'replace')).toContain('>秘</w:t>');
    expect(withPropertyFields(complex, values, 'replace')).not.toContain('表題');
    // A stored result that is the value: the markup is left as it is.
    const same = `<w:fldSimple w:instr="TITLE">${r('<w:t>秘</w:t>')}</w:fldSimple>`;
    expect(withPropertyFields(same, values, 'replace')).toBe(same);
  });

  it('names: DOCPROPERTY quoted or not, any case; other fields and unknown properties add nothing', () => {
    const values = new Map([
      ['TITLE', '秘'],
      ['区分', '秘'],
      ['SUBJECT', 'x'],
    ]);
    expect(withPropertyFields('<w:fldSimple w:instr=" docproperty &quot;区分&quot; \\* MERGEFORMAT"/>', { properties: values, bookmarks: null })).toContain('<w:t xml:space="preserve">秘</w:t>');
    expect(withPropertyFields('<w:fldSimple w:instr="title"/>', { properties: values, bookmarks: null })).toContain('>秘</w:t>');
    expect(withPropertyFields('<w:fldSimple w:instr="DOCPROPERTY Other"/>', { properties: values, bookmarks: null })).toBe('<w:fldSimple w:instr="DOCPROPERTY Other"/>');
    expect(withPropertyFields('<w:fldSimple w:instr="PAGE"/>', { properties: values, bookmarks: null })).toBe('<w:fldSimple w:instr="PAGE"/>');
    const marks = { properties: null, bookmarks: new Map([['MARK', '秘']]) };
    expect(withPropertyFields('<w:fldSimple w:instr=" REF Mark \\h "/>', marks)).toContain('>秘</w:t>');
    expect(withPropertyFields('<w:fldSimple w:instr="PAGEREF mark"/>', marks)).toBe('<w:fldSimple w:instr="PAGEREF mark"/>');
    // A nested field's instruction belongs to the outer one: only the outer field is looked at.
    const nested = r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText>IF </w:instrText>') + r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText>TITLE</w:instrText>') + r('<w:fldChar w:fldCharType="end"/>') + r('<w:fldChar w:fldCharType="end"/>');
    expect(withPropertyFields(nested, { properties: values, bookmarks: null })).toBe(nested);
  });
});

/** docx-ref-field-cached.docx (the bookmark 「秘」, then { REF mark } stored as 「x」 + 「 Confidential」) with its field replaced. */
function withRef(field: string): Blob {
  const files = unzipSync(new Uint8Array(readFileSync(join(DIR, 'docx-ref-field-cached.docx'))));
  const xml = strFromU8(files['word/document.xml']);
  const replaced = xml.replace(/<w:fldSimple w:instr="REF mark \\h">.*?<\/w:fldSimple>/, field);
  expect(replaced).not.toBe(xml);
  return new Blob([zipSync({ ...files, 'word/document.xml': strToU8(replaced) })]);
}

describe('REF fields are found as Word reads instructions, and only they', () => {
  // LibreOffice 7.4 shows 「秘 Confidential」 for each (checked: soffice --convert-to pdf, pdftotext).
  it.each([
    ['in lower case', '<w:fldSimple w:instr="ref mark \\h"><w:r><w:t>x</w:t></w:r></w:fldSimple>'],
    ['in mixed case, complex', r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText> Ref mark </w:instrText>') + r('<w:fldChar w:fldCharType="separate"/>') + r('<w:t>x</w:t>') + r('<w:fldChar w:fldCharType="end"/>')],
    ['split over runs 「 R」「EF mark」', r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText> R</w:instrText>') + r('<w:instrText>EF mark </w:instrText>') + r('<w:fldChar w:fldCharType="separate"/>') + r('<w:t>x</w:t>') + r('<w:fldChar w:fldCharType="end"/>')],
  ])('a REF field %s shows the bookmark 「秘」: marked; it was clean', async (_, field) => {
    expect(await scanBlob(withRef(field), 'ref.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'body' } });
  });

  it('a SET field gives the bookmark REF shows its text, and shows nothing itself: 「秘 Confidential」; it was clean', async () => {
    expect(await scan('docx-set-ref-field.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'body' } });
    expect(await scan('docx-set-ref-field-trap.docx')).toMatchObject({ verdict: 'clean' });
    // Written as a complex field, the text a word, not quoted, in any case.
    const set = r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText> set </w:instrText>') + r('<w:instrText>Mark 秘 </w:instrText>') + r('<w:fldChar w:fldCharType="end"/>');
    const files = unzipSync(new Uint8Array(readFileSync(join(DIR, 'docx-set-ref-field.docx'))));
    const xml = strFromU8(files['word/document.xml']);
    const replaced = xml.replace('<w:fldSimple w:instr="SET mark &quot;秘&quot;"/>', set);
    expect(replaced).not.toBe(xml);
    expect(await scanBlob(new Blob([zipSync({ ...files, 'word/document.xml': strToU8(replaced) })]), 'set.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('a table of contents (PAGEREF), NOTEREF and STYLEREF are not REF fields, nor is the word in text', () => {
    const field = (instruction: string) => r('<w:fldChar w:fldCharType="begin"/>') + r(`<w:instrText xml:space="preserve">${instruction}</w:instrText>`) + r('<w:fldChar w:fldCharType="separate"/>') + r('<w:t>1</w:t>') + r('<w:fldChar w:fldCharType="end"/>');
    const toc = field(' TOC \\o "1-3" \\h ') + field(' PAGEREF _Toc1 \\h ') + field(' NOTEREF _Ref2 ') + field('STYLEREF 1') + '<w:fldSimple w:instr="PAGEREF _Toc3"/>' + r('<w:t>REF mark</w:t>');
    expect(hasRefField(toc)).toBe(false);
    expect(hasRefField(toc + field(' REF _Ref4 \\h '))).toBe(true);
    expect(hasRefField(toc + '<w:fldSimple w:instr="&#x9;REF mark"/>')).toBe(true);
    // An instruction is ended by its field character: 「PAGE」 then 「REF x」 in the next field is a REF.
    expect(hasRefField(r('<w:instrText>PAGE</w:instrText>') + r('<w:fldChar w:fldCharType="end"/>') + r('<w:instrText>REF x</w:instrText>'))).toBe(true);
  });

  it('as a part streams by, in chunks cut anywhere', () => {
    const split = r('<w:fldChar w:fldCharType="begin"/>') + r('<w:instrText> 秘 R</w:instrText>') + r('<w:instrText>EF mark </w:instrText>') + r('<w:fldChar w:fldCharType="end"/>');
    const bytes = new TextEncoder().encode(split);
    for (const size of [1, 2, 3, 7, 50]) {
      const watch = refFieldWatch();
      for (let i = 0; i < bytes.length; i += size) watch.push(bytes.subarray(i, i + size));
      watch.finish();
      expect(watch.found).toBe(false); // 「 秘 REF mark」 does not start with REF
      const ref = refFieldWatch();
      const refBytes = new TextEncoder().encode(split.replace(' 秘 R', ' R'));
      for (let i = 0; i < refBytes.length; i += size) ref.push(refBytes.subarray(i, i + size));
      ref.finish();
      expect(ref.found).toBe(true);
    }
  });
});

describe('a hostile part costs its length', () => {
  it('60,000 bookmarks left open, each before a run of text, and fields with no run around them: read in seconds', async () => {
    const files = unzipSync(new Uint8Array(readFileSync(join(DIR, 'docx-title-field.docx'))));
    const junk = Array.from({ length: 60_000 }, (_, k) => `<w:bookmarkStart w:id="${k}" w:name="b${k}"/><w:r><w:t>秘${k}</w:t></w:r><w:fldChar w:fldCharType="begin"/><w:instrText>REF b${k}</w:instrText><w:fldChar w:fldCharType="end"/>`).join('');
    const xml = strFromU8(files['word/document.xml']).replace('<w:body>', `<w:body><w:p>${junk}</w:p>`);
    const started = Date.now();
    const r = await scanBlob(new Blob([zipSync({ ...files, 'word/document.xml': strToU8(xml) })]), 'hostile.docx');
    expect(r.verdict).toBe('marked'); // the fixture's own TITLE field
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
