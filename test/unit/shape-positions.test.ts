/**
 * Drawing objects read by where they stand (shape-pairs.ts): a ㊙ stamp drawn from a circle 「秘」 and a text
 * box 「Confidential」 beside or under it is marked whatever stands between them in the file's storage order
 * (test/fixtures/shape-positions); 「秘書室」 in the same place stays clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { shapePairs } from '../../src/detect/extract/shape-pairs.js';
import { gnumericObjects } from '../../src/detect/extract/gnumeric-objects.js';
import { gunzipSync } from 'node:zlib';
import { chartBoxes, drawingMlBoxes, odfMasterShapes, odfShapeGroups, slideBoxes, slideLayer, wordAnchorGroups } from '../../src/detect/extract/drawing-boxes.js';

const DIR = join(__dirname, '../fixtures/shape-positions');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

const CASES = [
  'pgj-circle-title-box.pptx',
  'pgj-box-then-circle.pptx',
  'pgj-master-split.pptx',
  'pgj-layout-box.pptx',
  'pgj-layout-circle.pptx',
  'pgj-circle-title-box.odp',
  // LibreOffice's .odp and .ppt of the two above (src/make-layout-lo.sh): the layout's half moved to the slide master.
  'pgj-layout-box.odp',
  'pgj-layout-circle.odp',
  'pgj-layout-box.ppt',
  'pgj-layout-circle.ppt',
  'pgj-circle-title-box.ppt',
  'pgj-box-then-circle.ppt',
  'pgj-master-split.ppt',
  'draw-circle-title-box.odg',
  'draw-master-split.odg',
  'draw-circle-title-box.fodg',
  'draw-circle-title-box.svg',
  'writer-two-shapes-page.docx',
  'writer-two-shapes-page.odt',
  'writer-two-shapes-para.docx',
  'writer-two-shapes-para.odt',
  'writer-header-two-shapes.docx',
  'docxjs-vml-left-top.docx',
  'docxjs-vml-margin.docx',
  'writer-header-two-shapes.odt',
  'writer-two-shapes-page.rtf',
  'writer-two-shapes-page.doc',
  'writer-two-shapes-para.doc',
  'writer-two-shapes-para.rtf',
  'writer-header-two-shapes.rtf',
  'calc-two-shapes.xlsx',
  'calc-two-shapes.ods',
  'calc-two-shapes.xls',
  'xw-two-textboxes.xlsx',
  'xw-shape-plus-cell.xlsx',
  'xw-cell-plus-shape.xlsx',
  'xw-chart-title-axis.xlsx',
  // Gnumeric's Excel 97-2003 file of it (src/make-xls-chart.sh): the labels' boxes in their TEXT records.
  'gnumeric-chart-title-axis.xls',
  // Gnumeric's own files of the XlsxWriter sheets (src/make-gnumeric.sh): objects placed by ObjectBound and ObjectOffset.
  'gnumeric-xw-two-textboxes.gnumeric',
  'gnumeric-xw-shape-plus-cell.gnumeric',
  'gnumeric-xw-cell-plus-shape.gnumeric',
  // Gnumeric's file of LibreOffice's .xls: the shapes anchored to the sheet (AnchorMode absolute, points).
  'gnumeric-calc-two-shapes.gnumeric',
];
const trap = (name: string) => `k_${name.replace(/(\.\w+)$/, '-trap$1')}`;

describe('a stamp drawn from two objects, read by position', () => {
  for (const name of CASES) {
    it(`${name}: marked`, async () => {
      expect(await scan(`m_${name}`)).toMatchObject({ verdict: 'marked', rule: 1 });
    });
    it(`${name}: 秘書室 in the circle stays clean`, async () => {
      expect(await scan(trap(name))).toMatchObject({ verdict: 'clean' });
    });
  }
});

describe('a Gnumeric sheet: objects placed by their anchor cells and the sizes of its columns', () => {
  const markup = (name: string) => gunzipSync(readFileSync(join(DIR, name))).toString('utf8');
  const texts = (xml: string) => [...gnumericObjects(xml)].map((e) => ('text' in e ? e.text : '')).join('|');
  it('a 秘 text box and a Confidential box or cell three empty columns away stay clean', async () => {
    expect(await scan('k_gnumeric-xw-far-apart-trap.gnumeric')).toMatchObject({ verdict: 'clean' });
  });
  it('reads the box beside the cell, and not once column A is made wide (ColInfo), nor when the box moves (ObjectBound)', () => {
    const xml = markup('m_gnumeric-xw-shape-plus-cell.gnumeric');
    expect(texts(xml)).toContain('秘 Confidential');
    expect(texts(xml.replace('<gnm:ColInfo No="0" Unit="29.98"', '<gnm:ColInfo No="0" Unit="300"'))).not.toContain('秘 Confidential');
    expect(texts(xml.replace('ObjectBound="A1"', 'ObjectBound="A3"'))).not.toContain('秘 Confidential');
  });
  it('stays bounded with thousands of objects over rows full of cells', () => {
    const objects = Array.from({ length: 3000 }, (_, i) => `<gnm:SheetObjectFilled ObjectBound="A${(i % 60) + 1}:C${(i % 60) + 50}" ObjectOffset="0 0 0.5 0" Label="秘"/>`).join('');
    const cells = Array.from({ length: 150_000 }, (_, i) => `<gnm:Cell Row="${i % 100}" Col="${Math.floor(i / 100)}" ValueType="60">x</gnm:Cell>`).join('');
    const xml = `<?xml version="1.0"?><gnm:Workbook xmlns:gnm="http://www.gnumeric.org/v10.dtd"><gnm:Sheets><gnm:Sheet><gnm:Name>s</gnm:Name><gnm:Objects>${objects}</gnm:Objects><gnm:Cells>${cells}</gnm:Cells></gnm:Sheet></gnm:Sheets></gnm:Workbook>`;
    const t = performance.now();
    expect(texts(xml)).toContain('秘 x');
    // A guard against a blow-up (unbounded, 450 million checks), not a speed figure: wide enough for a loaded CI.
    expect(performance.now() - t).toBeLessThan(20_000);
  });
  it("a cell's comment (shown in a pop-up) is not placed beside the next cell, wherever its anchor says it stands", () => {
    const xml = markup('k_gnumeric-xw-far-apart-trap.gnumeric');
    expect(xml).toMatch(/<gnm:CellComment ObjectBound="A1" ObjectOffset="[^"]*"[^>]*Text="秘"/);
    const moved = xml.replace(/(<gnm:CellComment ObjectBound="A1" ObjectOffset=")[^"]*/, '$10 0 1 1');
    expect(texts(moved)).not.toContain('秘 Confidential');
  });
  it('an object anchored to one cell is as wide and tall as its last two offsets say, in points', () => {
    const xml = markup('m_gnumeric-xw-shape-plus-cell.gnumeric');
    const oneCell = (w: number) => xml.replace('ObjectBound="A1" ObjectOffset="0 0 0.775 0.9"', `AnchorMode="GNM_SO_ANCHOR_ONE_CELL" ObjectBound="A1" ObjectOffset="0 0 ${w} 27"`);
    expect(texts(oneCell(23))).toContain('秘 Confidential');
    expect(texts(oneCell(200))).not.toContain('秘 Confidential');
  });
  it('an anchor it cannot read (a damaged range or offset) is skipped, never a crash', () => {
    const xml = markup('m_gnumeric-xw-two-textboxes.gnumeric');
    expect(texts(xml)).toContain('秘 Confidential');
    expect(texts(xml.replace('ObjectBound="F1:F3"', 'ObjectBound="F1:"'))).not.toContain('秘 Confidential');
    expect(texts(xml.replace('ObjectOffset="0 0 0.425 0"', 'ObjectOffset="0 x"'))).not.toContain('秘 Confidential');
  });
});

describe('an Excel 97-2003 chart: titles read by the boxes their TEXT records hold', () => {
  it("LibreOffice's xls of the same chart, whose axis title holds no box (it goes back under its axis), stays clean", async () => {
    expect(await scan('k_calc-chart-title-axis-default-trap.xls')).toMatchObject({ verdict: 'clean' });
  });
  it('a chart cut short inside a label (TEXT, SERIESTEXT or OBJECTLINK shortened) gives a verdict, never a crash', async () => {
    const { ChartLabels } = await import('../../src/detect/extract/xls-chart-labels.js');
    const c = new ChartLabels();
    c.record(0x1002, new Uint8Array(3));
    c.record(0x1025, new Uint8Array(10));
    c.record(0x100d, new Uint8Array([0, 0, 200, 1, 0x58]));
    c.record(0x1027, new Uint8Array(1));
    c.record(0x1025, new Uint8Array(32).fill(0xff));
    c.record(0x100d, new Uint8Array([0, 0, 50, 1, 0xd8, 0x79]));
    c.record(0x1027, new Uint8Array([1, 0]));
    expect(c.boxes).toEqual([{ x: -360 / 4000, y: -216 / 4000, w: 0, h: 0, text: '秘' }]);
  });
});

describe("an RTF shape whose edge lost its number or its name (a byte damaged) is placed as LibreOffice places it", () => {
  // LibreOffice takes a missing \shpleft (or \shpright…) as 0 and spans the box from the lesser edge to the
  // greater: the circle 「秘」 is drawn wider, still beside 「Confidential」 (fodt: svg:x="0in" svg:width="5.787in").
  /** The file with one byte replaced in the circle's edge `word` (`at` bytes in), in the header the section holds. */
  const damaged = (name: string, word: string, at: number, was: string, byte: number) => {
    const b = readFileSync(join(DIR, name));
    const circle = b.indexOf('\\shpinst', b.indexOf('\\sectd'));
    const i = b.indexOf(`\\${word}`, circle) + at;
    expect(String.fromCharCode(b[i])).toBe(was);
    b[i] = byte;
    return scanBlob(new Blob([b]), name);
  };
  it.each([
    ['shpleft', 2, 'h', 0x97], // \s\x97pleft7654: the word \s, then text
    ['shpright', 9, '8', 0x3a], // \shpright:333: the word with no number
  ])('\\%s damaged: the stamp is still found, and 秘書室 in the circle stays clean', async (word, at, was, byte) => {
    const edit = [word, at, was, byte] as [string, number, string, number];
    expect(await damaged('m_writer-header-two-shapes.rtf', ...edit)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await damaged('k_writer-header-two-shapes-trap.rtf', ...edit)).toMatchObject({ verdict: 'clean' });
  });
});

const box = (x: number, y: number, w: number, h: number, text: string) => ({ x, y, w, h, text });

describe('a slide read with its layout and master', () => {
  it("a layout placeholder's prompt text 秘 beside the slide's Confidential stays clean (not shown in a slide show)", async () => {
    expect(await scan('k_pgj-prompt-only-trap.pptx')).toMatchObject({ verdict: 'clean' });
  });
  const sp = (ph: string, xfrm: string, text: string) =>
    `<p:sp><p:nvSpPr><p:nvPr>${ph}</p:nvPr></p:nvSpPr><p:spPr>${xfrm}</p:spPr><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp>`;
  const at = (x: number, w: number) => `<a:xfrm><a:off x="${x}" y="0"/><a:ext cx="${w}" cy="100"/></a:xfrm>`;
  it("places a slide's placeholder where its layout's (or master's) stands, and adds their own shapes, not their prompts", () => {
    const slide = `<p:sld><p:cSld><p:spTree>${sp('<p:ph type="title"/>', '', '秘')}${sp('', at(0, 50), 'x')}</p:spTree></p:cSld></p:sld>`;
    const layout = `<p:sldLayout><p:cSld><p:spTree>${sp('<p:ph type="title"/>', at(1000, 100), 'prompt')}${sp('', at(1110, 400), 'Confidential')}</p:spTree></p:cSld></p:sldLayout>`;
    const master = `<p:sldMaster><p:cSld><p:spTree>${sp('<p:ph type="body" idx="1"/>', at(0, 100), 'master prompt')}${sp('', at(5000, 100), 'logo')}</p:spTree></p:cSld></p:sldMaster>`;
    const layer = (xml: string | null) => (xml === null ? null : slideLayer(xml));
    const boxes = (s: string, l: string | null, m: string | null) => slideBoxes(s, layer(l), layer(m));
    const texts = (s: string, l: string | null, m: string | null) => boxes(s, l, m).map((b) => `${b.x}:${b.text.trim()}`);
    expect(texts(slide, layout, master)).toEqual(['1000:秘', '0:x', '1110:Confidential', '5000:logo']);
    expect(shapePairs(boxes(slide, layout, master))).toContain('秘 Confidential');
    // Hidden background graphics: the layout's and master's own shapes are not shown on this slide.
    expect(texts(slide.replace('<p:sld>', '<p:sld showMasterSp="0">'), layout, master)).toEqual(['1000:秘', '0:x']);
    expect(texts(slide, layout.replace('<p:sldLayout>', '<p:sldLayout showMasterSp="0">'), master)).toEqual(['1000:秘', '0:x', '1110:Confidential']);
    // A body placeholder by its index, from the master when the layout has none.
    expect(texts(`<p:sld>${sp('<p:ph idx="1"/>', '', 'b')}</p:sld>`, '<p:sldLayout/>', master)).toEqual(['0:b', '5000:logo']);
  });
});

describe('shapePairs', () => {
  it('joins a shape with its right neighbour on the same row, and with the one under it', () => {
    expect(shapePairs([box(100, 0, 10, 10, 'Confidential'), box(0, 50, 200, 20, 'title'), box(88, 0, 12, 12, '秘')])).toContain('秘 Confidential');
    expect(shapePairs([box(0, 16, 40, 10, 'Confidential'), box(0, 0, 12, 12, '秘')])).toContain('秘 Confidential');
  });
  it('keeps apart shapes far apart, on other rows, or overlapping the wrong way', () => {
    expect(shapePairs([box(0, 0, 12, 12, '秘'), box(60, 0, 40, 10, 'Confidential')])).toBe(''); // 4 heights away
    expect(shapePairs([box(0, 0, 12, 12, '秘'), box(14, 30, 40, 10, 'Confidential')])).toBe(''); // lower, not under it
    expect(shapePairs([box(20, 0, 12, 12, '秘'), box(0, 0, 18, 10, 'Confidential')])).not.toContain('秘 Confidential'); // left of it
  });
  it('joins only the end of the first text and the start of the second, pairs kept apart', () => {
    const text = shapePairs([box(0, 0, 10, 10, `${'x'.repeat(1000)}秘`), box(11, 0, 10, 10, 'Confidential'), box(22, 0, 10, 10, 'tail')]);
    expect(text.length).toBeLessThan(700);
    expect(text).toMatch(/秘 Confidential/);
    expect(text).not.toMatch(/Confidential\s+Confidential/);
  });
  it('stays bounded with thousands of shapes', () => {
    const many = Array.from({ length: 5000 }, (_, i) => box((i % 100) * 20, Math.floor(i / 100) * 20, 15, 15, `s${i}`));
    const t0 = Date.now();
    shapePairs(many);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('drawing boxes', () => {
  it('places a DrawingML shape inside a group through its child frame', () => {
    const xml =
      '<p:spTree><p:grpSp><p:grpSpPr><a:xfrm><a:off x="1000" y="2000"/><a:ext cx="200" cy="200"/><a:chOff x="0" y="0"/><a:chExt cx="100" cy="100"/></a:xfrm></p:grpSpPr>' +
      '<p:sp><p:spPr><a:xfrm><a:off x="10" y="10"/><a:ext cx="20" cy="20"/></a:xfrm></p:spPr><p:txBody><a:p><a:r><a:t>秘</a:t></a:r></a:p></p:txBody></p:sp></p:grpSp>' +
      '<p:sp><p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="10" cy="10"/></a:xfrm></p:spPr><p:txBody><a:p><a:r><a:t>x</a:t></a:r></a:p></p:txBody></p:sp></p:spTree>';
    expect(drawingMlBoxes(xml)).toEqual([
      { x: 1020, y: 2020, w: 40, h: 40, text: expect.stringContaining('秘') },
      { x: 0, y: 0, w: 10, h: 10, text: expect.stringContaining('x') },
    ]);
  });
  it('groups Word shapes by what their offsets are measured from', () => {
    const anchor = (h: string, v: string, x: number, text: string) =>
      `<wp:anchor><wp:positionH relativeFrom="${h}"><wp:posOffset>${x}</wp:posOffset></wp:positionH><wp:positionV relativeFrom="${v}"><wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="100" cy="100"/><wps:txbx><w:txbxContent><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wp:anchor>`;
    const xml = `<w:p>${anchor('page', 'page', 0, '秘')}</w:p><w:p>${anchor('page', 'paragraph', 100, 'Confidential')}</w:p><w:p>${anchor('page', 'paragraph', 100, 'b')}</w:p>`;
    expect(wordAnchorGroups(xml).map((g) => g.length)).toEqual([1, 1, 1]);
  });
  it("places Word's VML text boxes by their style, beside DrawingML ones measured from the same frame", () => {
    const pict = (style: string, text: string) =>
      `<w:r><w:pict><v:shape type="#_x0000_t202" style="${style}"><v:textbox><w:txbxContent><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>`;
    const anchor = `<wp:anchor><wp:positionH relativeFrom="page"><wp:posOffset>${40 * 12700}</wp:posOffset></wp:positionH><wp:positionV relativeFrom="page"><wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="${100 * 12700}" cy="${20 * 12700}"/><wps:txbx><w:txbxContent><w:p><w:r><w:t>Confidential</w:t></w:r></w:p></w:txbxContent></wps:txbx></wp:anchor>`;
    const page = 'mso-position-horizontal-relative:page;mso-position-vertical-relative:page';
    const xml =
      `<w:p>${pict(`position:absolute;margin-left:20pt;margin-top:0;width:18pt;height:20pt;${page}`, '秘')}<w:r><w:drawing>${anchor}</w:drawing></w:r>` +
      `${pict('position:absolute;left:0.5in;top:1in;width:1in;height:0.25in', 'a')}${pict('position:absolute;left:1.5in;top:1in;width:1in;height:0.25in', 'b')}` +
      `${pict('position:absolute;mso-position-horizontal:center;margin-left:0;width:1in;height:20pt', 'centred')}</w:p>`;
    const groups = wordAnchorGroups(xml);
    expect(groups.map((g) => g.map((b) => b.text.trim()))).toEqual([['秘', 'Confidential'], ['a', 'b']]);
    expect(groups[1].map((b) => b.x)).toEqual([0.5 * 914400, 1.5 * 914400]);
    expect(shapePairs(groups[0])).toBe('秘 Confidential');
  });
  it("places a chart's titles by their manual layout, and its user shapes by their anchors", () => {
    const title = (x: number, text: string, mode = 'edge') =>
      `<c:title><c:tx><c:rich><a:p><a:r><a:rPr sz="1400"/><a:t>${text}</a:t></a:r></a:p></c:rich></c:tx><c:layout><c:manualLayout><c:xMode val="${mode}"/><c:yMode val="${mode}"/><c:x val="${x}"/><c:y val="0.05"/></c:manualLayout></c:layout></c:title>`;
    const chart = `<c:chart>${title(0.1, '秘')}<c:plotArea><c:catAx>${title(0.5, 'far')}</c:catAx><c:valAx>${title(0.1, 'moved', 'factor')}</c:valAx></c:plotArea></c:chart>`;
    const rel = (x: number, x2: number, text: string) =>
      `<cdr:relSizeAnchor><cdr:from><cdr:x>${x}</cdr:x><cdr:y>0.04</cdr:y></cdr:from><cdr:to><cdr:x>${x2}</cdr:x><cdr:y>0.12</cdr:y></cdr:to><cdr:sp><cdr:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></cdr:txBody></cdr:sp></cdr:relSizeAnchor>`;
    const boxes = chartBoxes(chart, `<c:userShapes>${rel(0.6, 0.9, 'note')}${rel(0.16, 0.45, 'Confidential')}</c:userShapes>`);
    expect(boxes.map((b) => b.text.trim())).toEqual(['秘', 'far', 'note', 'Confidential']);
    expect(shapePairs(boxes)).toContain('秘 Confidential');
    expect(shapePairs(chartBoxes(chart, null))).not.toContain('秘 far');
  });
  it('reads OpenDocument lengths in any unit', () => {
    const xml =
      '<draw:page><draw:circle svg:x="1in" svg:y="0cm" svg:width="10mm" svg:height="1cm"><text:p>秘</text:p></draw:circle><draw:frame svg:x="35.4mm" svg:y="0" svg:width="72pt" svg:height="1cm"><draw:text-box><text:p>Confidential</text:p></draw:text-box></draw:frame></draw:page>';
    const [group] = odfShapeGroups(xml);
    expect(group.map((b) => Math.round(b.x * 10) / 10)).toEqual([25.4, 35.4]);
    expect(shapePairs(group)).toBe('秘 Confidential');
  });
});

describe('an OpenDocument slide read with its master page', () => {
  // A flat presentation (.fodp): 「秘」 on the slide master beside the slide's 「Confidential」 box, and the
  // master's placeholders (template frames, printing the slide's own text) and notes page left out.
  const box = (x: string, text: string, cls = '') =>
    `<draw:frame${cls} svg:x="${x}" svg:y="2cm" svg:width="1.5cm" svg:height="1.5cm"><draw:text-box><text:p>${text}</text:p></draw:text-box></draw:frame>`;
  const master = (inner: string) =>
    `<style:master-page style:name="M1">${inner}<presentation:notes>${box('4cm', '秘')}</presentation:notes></style:master-page>`;
  const fodp = (masterText: string, slide = box('3.6cm', 'Confidential'), shapes = box('2cm', masterText)) =>
    '<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" ' +
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">' +
    `<office:master-styles>${master(shapes)}</office:master-styles><office:body><office:presentation><draw:page draw:name="p1" draw:master-page-name="M1">${slide}</draw:page></office:presentation></office:body></office:document>`;
  const scanFlat = (xml: string) => scanBlob(new Blob([xml]), 'slides.fodp');
  it('marks 「秘」 on the master beside 「Confidential」 on the slide, and not 「秘書室」', async () => {
    expect(await scanFlat(fodp('秘'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanFlat(fodp('秘書室'))).toMatchObject({ verdict: 'clean' });
  });
  it("leaves out the master's placeholders and its notes page", async () => {
    const placeholder = box('2cm', '秘', ' presentation:class="title"');
    expect(await scanFlat(fodp('', box('3.6cm', 'Confidential'), placeholder))).toMatchObject({ verdict: 'clean' });
    // The slide's notes page is another page: its box is not beside the master's 「秘」.
    const notes = `${box('10cm', '表紙')}<presentation:notes>${box('3.6cm', 'Confidential')}</presentation:notes>`;
    expect(await scanFlat(fodp('秘', notes))).toMatchObject({ verdict: 'clean' });
    const shapes = odfMasterShapes(master(box('2cm', 'logo') + placeholder));
    expect([...shapes.entries()].map(([name, list]) => [name, list.map((b) => b.text.trim())])).toEqual([['M1', ['logo']]]);
  });
});
