/**
 * Watermarks, WordArt and VML text: Word keeps a watermark's text in an attribute
 * (<v:textpath string="…">), Excel and PowerPoint keep text boxes and WordArt in VML drawing parts.
 * The Word files are made by LibreOffice (Format ▸ Watermark through UNO, test/fixtures/watermark/make.py);
 * the VML parts of Excel and PowerPoint are added to LibreOffice-made packages here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { xmlToText } from '../../src/detect/extract/xml-text.js';

const fixture = (dir: string, n: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures', dir, n)));
const scan = (b: Uint8Array, name: string, opts = {}) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name, opts);

/** A VML drawing as Excel and PowerPoint write them (legacy drawing part, no XML declaration). */
const vml = (body: string) =>
  `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">` +
  `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>${body}</xml>`;

function withPart(b: Uint8Array, part: string, text: string): Uint8Array {
  const parts = unzipSync(b);
  parts[part] = strToU8(text);
  return zipSync(parts);
}

describe('Word watermark (LibreOffice Format ▸ Watermark)', () => {
  it('the docx keeps the watermark text only in <v:textpath string="…"> of the header', () => {
    const header = strFromU8(unzipSync(fixture('watermark', 'watermark-stamp.docx'))['word/header1.xml']);
    expect(header).toMatch(/<v:textpath\b[^>]*\bstring="秘 Confidential"/);
    expect(header).not.toMatch(/>[^<]*秘/);
  });

  it('watermark-stamp.docx → marked in the header', async () => {
    expect(await scan(fixture('watermark', 'watermark-stamp.docx'), '議事録.docx')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      location: { part: 'word/header1.xml', area: 'header' },
    });
  });

  it('watermark-stamp.odt → marked', async () => {
    expect(await scan(fixture('watermark', 'watermark-stamp.odt'), '議事録.odt')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(['watermark-traps.docx', 'watermark-traps.odt'])('%s (watermark 社外秘) → clean', async (name) => {
    expect(await scan(fixture('watermark', name), name)).toMatchObject({ verdict: 'clean' });
  });

  it('a designated keyword in the watermark is found (full text)', async () => {
    const r = await scan(fixture('watermark', 'watermark-traps.docx'), 'x.docx', { designated: { keywords: ['社外秘'] } });
    expect(r).toMatchObject({ verdict: 'marked', rule: 3, location: { part: 'word/header1.xml' } });
  });
});

describe('WordArt (LibreOffice Fontwork)', () => {
  it('pptx: DrawingML WordArt (a:prstTxWarp), its text split over runs → marked on slide 1', async () => {
    const slide = strFromU8(unzipSync(fixture('watermark', 'wordart-stamp.pptx'))['ppt/slides/slide1.xml']);
    expect(slide).toMatch(/<a:prstTxWarp prst="textWave1">/);
    expect(await scan(fixture('watermark', 'wordart-stamp.pptx'), 'x.pptx')).toMatchObject({ verdict: 'marked', location: { slide: 1 } });
  });

  it('docx: WordArt with its VML fallback (<v:textpath string>) → marked; the VML alone is enough', async () => {
    const parts = unzipSync(fixture('watermark', 'wordart-stamp.docx'));
    expect(await scan(zipSync(parts), 'x.docx')).toMatchObject({ verdict: 'marked', location: { part: 'word/document.xml' } });
    // Keep only the fallback's text path (what older Word versions draw): the text is then only an attribute.
    const xml = strFromU8(parts['word/document.xml'])
      .replace(/<mc:Choice\b[\s\S]*?<\/mc:Choice>/g, '')
      .replace(/<w:txbxContent>[\s\S]*?<\/w:txbxContent>/g, '');
    expect(xml).toMatch(/<v:textpath\b[^>]*string="秘 Confidential"/);
    expect(xml).not.toMatch(/<w:t>[^<]*秘/);
    parts['word/document.xml'] = strToU8(xml);
    expect(await scan(zipSync(parts), 'x.docx')).toMatchObject({ verdict: 'marked', location: { part: 'word/document.xml' } });
  });
});

describe('VML drawings of Excel and PowerPoint', () => {
  it('xlsx: a VML text box in xl/drawings/vmlDrawing1.vml → marked', async () => {
    const b = withPart(
      fixture('office', 'calc-plain.xlsx'),
      'xl/drawings/vmlDrawing1.vml',
      vml(`<v:shape id="_x0000_s1025" type="#_x0000_t202"><v:textbox><div style="text-align:left">秘</div><div> Confidential</div></v:textbox></v:shape>`),
    );
    expect(await scan(b, 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { part: 'xl/drawings/vmlDrawing1.vml', area: 'drawing' } });
  });

  it('pptx: VML WordArt (text path) in ppt/drawings/vmlDrawing1.vml → marked', async () => {
    const b = withPart(
      fixture('office', 'impress-traps.pptx'),
      'ppt/drawings/vmlDrawing1.vml',
      vml(`<v:shape type="#_x0000_t136"><v:textpath style="font-family:&quot;MS Gothic&quot;" string="&#31192; Confidential"/></v:shape>`),
    );
    expect(await scan(b, 'x.pptx')).toMatchObject({ verdict: 'marked', location: { part: 'ppt/drawings/vmlDrawing1.vml' } });
  });

  it('a VML drawing with only traps stays clean', async () => {
    const b = withPart(fixture('office', 'calc-plain.xlsx'), 'xl/drawings/vmlDrawing1.vml', vml(`<v:shape><v:textpath string="社外秘"/><v:textbox><div>秘書室の連絡</div><div>Strictly confidential</div></v:textbox></v:shape>`));
    expect(await scan(b, 'x.xlsx')).toMatchObject({ verdict: 'clean' });
  });
});

describe('attribute text a reader sees', () => {
  it.each([
    ['<v:textpath on="t" string="秘 Confidential"/>', '秘 Confidential'],
    ['<wp:docPr id="1" name="図 1" descr="秘 Confidential の図"/>', '秘 Confidential の図'],
    ['<p:cNvPr id="4" name="Picture" title="題名"/>', '題名'],
    ["<img src='a.png' alt='秘 Confidential'>", '秘 Confidential'],
    ['<v:imagedata r:id="rId1" o:title="透かし"/>', '透かし'],
  ])('%s → %s', (xml, text) => {
    expect(xmlToText(`<w:p>${xml}</w:p>`)).toContain(text);
  });

  it('other attributes (names, styles, ids) are not text', () => {
    expect(xmlToText('<p:cNvPr id="4" name="秘 Confidential"/><w:t>本文</w:t>').trim()).toBe('本文');
  });
});
