/**
 * A list's label is shown before each of its paragraphs, although no paragraph holds it: ODF's
 * num-prefix, Word's numbering lvlText, RTF's {\listtext} (test/fixtures/office/make-list-label.sh,
 * LibreOffice 7.4's conversions of one flat ODT).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPptBullets } from '../../src/detect/extract/ppt-bullets.js';
import { scanBlob } from '../../src/detect/index.js';
import { withWordLabels, wordLists } from '../../src/detect/extract/list-labels.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

const DIR = join(__dirname, '../fixtures/office');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('list labels', () => {
  it.each(['odt', 'docx', 'rtf', 'doc'])('「秘 Confidential 1.」 before each item: list-label-stamp.%s is marked', async (ext) => {
    expect(await scan(`list-label-stamp.${ext}`)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['odt', 'docx', 'rtf', 'doc'])('「秘書室 1.」 before an item: list-label-trap.%s is clean', async (ext) => {
    expect(await scan(`list-label-trap.${ext}`)).toMatchObject({ verdict: 'clean' });
  });

  it('a PowerPoint bullet 「秘」 before 「Confidential」 is marked; before 「書室より」 clean', async () => {
    expect(await scan('list-bullet-stamp.pptx')).toMatchObject({ verdict: 'marked', rule: 1, location: { slide: 1 } });
    expect(await scan('list-bullet-trap.pptx')).toMatchObject({ verdict: 'clean' });
  });

  it("LibreOffice's .odp: the bullet 「秘」 in the slide's list style, before 「Confidential」 marked; before 「書室より」 clean", async () => {
    expect(await scan('list-bullet-stamp.odp')).toMatchObject({ verdict: 'marked', rule: 1, location: { slide: 1 } });
    expect(await scan('list-bullet-trap.odp')).toMatchObject({ verdict: 'clean' });
  });

  it("LibreOffice's .ppt of the .pptx: the bullet 「秘」 in the text's style atom, before 「Confidential」 marked; before 「書室より」 clean", async () => {
    expect(await scan('list-bullet-stamp.ppt')).toMatchObject({ verdict: 'marked', rule: 1, location: { slide: 1 } });
    expect(await scan('list-bullet-trap.ppt')).toMatchObject({ verdict: 'clean' });
  });

  it('PowerPoint 97-2003 bullets: each bulleted paragraph, fields before the character skipped, flags honoured', () => {
    // TextPFRun: count (4), indent level (2), masks (4), then the fields the masks name.
    const run = (count: number, masks: number, fields: number[]) => {
      const b = new Uint8Array(10 + fields.length * 2);
      const v = new DataView(b.buffer);
      v.setUint32(0, count, true);
      v.setUint32(6, masks, true);
      fields.forEach((f, i) => v.setUint16(10 + 2 * i, f, true));
      return b;
    };
    const style = (...runs: Uint8Array[]) => new Uint8Array(runs.flatMap((r) => [...r]));
    const raw = 'Confidential\r書室より\r';
    // Flags on, then the character; the second run's flags switch the bullet off.
    expect(withPptBullets(raw, style(run(13, 0x8f, [1, 0x79d8]), run(6, 0x8f, [0, 0x79d8])))).toBe('秘\tConfidential\r書室より\r');
    // bulletFlags, bulletChar, bulletFontRef, bulletSize: a second paragraph's run read past them.
    expect(withPptBullets(raw, style(run(13, 0, []), run(6, 0xdf, [1, 0x79d8, 4, 45])))).toBe('Confidential\r秘\t書室より\r');
    // A style atom cut short changes nothing.
    expect(withPptBullets(raw, style(run(13, 0x8f, [1])))).toBe(raw);
  });

  it('bullets and outline numbering too', () => {
    expect(xmlToText('<text:list-level-style-bullet text:level="1" text:bullet-char="秘" style:num-suffix=" Confidential"/>')).toContain('秘\n Confidential');
    expect(xmlToText('<text:outline-level-style text:level="1" style:num-prefix="秘 Confidential " style:num-format="1"/>')).toContain('秘 Confidential');
  });
});

const PLACED = join(__dirname, '../fixtures/list-labels');
const scanPlaced = (name: string, opts = {}) => scanBlob(new Blob([readFileSync(join(PLACED, name))]), name, opts);
const FORMATS = ['fodt', 'odt', 'docx', 'doc', 'rtf'];

// A label that makes the stamp only with its paragraph's text: written before the paragraph (list-labels.ts).
describe('labels placed before their paragraphs (test/fixtures/list-labels: flat ODT by hand, LibreOffice 7.4 ODT, DOCX, .doc, RTF)', () => {
  it.each(FORMATS.flatMap((f) => ['bullet', 'prefix', 'nested'].map((n) => `${n}.${f}`)))('%s is marked', async (name) => {
    const r = await scanPlaced(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1 });
    if (r.verdict === 'marked' && !name.endsWith('.rtf')) expect(r.location.area).toBe('body');
  });
  it.each(FORMATS.map((f) => `trap.${f}`))('%s (秘書室 before Confidential) is clean', async (name) => {
    expect(await scanPlaced(name)).toMatchObject({ verdict: 'clean' });
  });
  it('prefix.doc with the page number of its paragraph properties overwritten: unscannable, not clean (the label 「秘」 has no paragraph to go before)', async () => {
    const doc = Buffer.from(readFileSync(join(PLACED, 'prefix.doc')));
    // Byte 2680 of this file: in PlcBtePapx (1Table at 430, FIB pair 13; the streams are in the mini
    // stream), the low byte of the paragraph property page's number, 0x00 → 0xff (a page past the stream).
    expect(doc[2680]).toBe(0);
    doc[2680] = 0xff;
    expect(await scanBlob(new Blob([new Uint8Array(doc)]), 'prefix.doc')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it.each(['bullet.docx', 'bullet.odt'])('%s: placed also with company keywords (the whole text is read then)', async (name) => {
    expect(await scanPlaced(name, { designated: { keywords: ['Project Ｘ'] } })).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe("Word's labels in markup", () => {
  const numbering = `<w:numbering><w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
    <w:lvl w:ilvl="1"><w:numFmt w:val="decimal"/><w:lvlText w:val="秘 %2."/><w:suff w:val="space"/></w:lvl></w:abstractNum>
    <w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num>
    <w:num w:numId="8"><w:abstractNumId w:val="3"/><w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="&lt;秘&gt;"/></w:lvl></w:lvlOverride></w:num></w:numbering>`;
  const styles = `<w:styles><w:style w:type="paragraph" w:styleId="Secret"><w:basedOn w:val="Base"/></w:style>
    <w:style w:type="paragraph" w:styleId="Base"><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="7"/></w:numPr></w:pPr></w:style></w:styles>`;
  const lists = wordLists(numbering, styles)!;
  const para = (props: string, text: string) => `<w:p><w:pPr>${props}</w:pPr><w:r><w:t>${text}</w:t></w:r></w:p>`;
  const read = (xml: string) => xmlToText(withWordLabels(`<w:body>${xml}</w:body>`, lists)).trim();

  it('a paragraph numbered directly, through its style (and the style it is based on), or through an override', () => {
    expect(read(para('<w:numPr><w:ilvl w:val="1"/><w:numId w:val="7"/></w:numPr>', 'Confidential'))).toBe('秘 1. Confidential');
    expect(read(para('<w:pStyle w:val="Secret"/>', 'Confidential'))).toBe('秘 1. Confidential');
    expect(read(para('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="8"/></w:numPr>', 'x'))).toBe('<秘>\tx');
  });
  it('numId 0 (numbering taken off), no properties and an empty paragraph get no label', () => {
    expect(read(para('<w:pStyle w:val="Secret"/><w:numPr><w:numId w:val="0"/></w:numPr>', 'Confidential'))).toBe('Confidential');
    expect(read('<w:p><w:r><w:t>plain</w:t></w:r></w:p><w:p/>')).toBe('plain');
  });
});
