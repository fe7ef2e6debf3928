/**
 * Office files that cannot be what their name says: 0 bytes, or a package whose main document part
 * is gone. They are `unscannable: corrupt`, never clean; empty plain files stay clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { describeLocation, scanBlob } from '../../src/detect/index.js';
import { XmlEnds } from '../../src/detect/extract/xml-ends.js';

const office = (n: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures/office', n)));
const scan = (b: Uint8Array, name: string) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name);

describe('empty and gutted office files', () => {
  it.each(['報告.docx', 'a.xlsx', 'a.pptx', 'a.doc', 'a.xls', 'a.ppt', 'a.xlsb', 'a.odt', 'a.pdf', 'a.rtf', 'a.zip', 'A.DOCX'])(
    '0-byte %s → unscannable corrupt',
    async (name) => {
      expect(await scan(new Uint8Array(0), name)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    },
  );

  it.each(['memo.txt', 'data.csv', 'x.json', 'noext'])('0-byte %s → clean (an empty text is a valid text)', async (name) => {
    expect(await scan(new Uint8Array(0), name)).toMatchObject({ verdict: 'clean' });
  });

  it('a docx without word/document.xml → unscannable corrupt naming the part', async () => {
    const parts = unzipSync(office('writer-plain.docx'));
    delete parts['word/document.xml'];
    expect(await scan(zipSync(parts), 'x.docx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('word/document.xml') });
  });

  it('a gutted docx still reports a stamp in the parts that remain', async () => {
    const parts = unzipSync(office('writer-header-only.docx'));
    delete parts['word/document.xml'];
    expect(await scan(zipSync(parts), 'x.docx')).toMatchObject({ verdict: 'marked', location: { part: 'word/header1.xml' } });
  });

  it('a zip named .xlsx without [Content_Types].xml → unscannable, not a clean archive', async () => {
    const parts = unzipSync(office('calc-plain.xlsx'));
    delete parts['[Content_Types].xml'];
    expect(await scan(zipSync(parts), 'x.xlsx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scan(zipSync(parts), 'x.zip')).toMatchObject({ verdict: 'clean' });
  });

  it('a Visio drawing names its main part by its own relationship type: read, not taken for a package without one', async () => {
    const visio = (n: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures/visio', n)));
    expect(await scan(visio('trap.vsdx'), 'x.vsdx')).toMatchObject({ verdict: 'clean' });
    expect(await scan(visio('stamp.vsdx'), 'x.vsdx')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'visio/pages/page1.xml', page: 1 } });
  });

  it("a Visio page is said by its place among the page tabs (pages.xml), not its part's number", async () => {
    const parts = unzipSync(new Uint8Array(readFileSync(join(__dirname, '../fixtures/visio/stamp.vsdx'))));
    const text = (n: string) => strFromU8(parts[n]);
    // A clean page before it: listed first, stored as page2.xml.
    parts['visio/pages/page2.xml'] = strToU8(text('visio/pages/page1.xml').replace(/<Text>[\s\S]*?<\/Text>/, '<Text>表紙</Text>'));
    parts['visio/pages/_rels/pages.xml.rels'] = strToU8(text('visio/pages/_rels/pages.xml.rels').replace('</Relationships>', '<Relationship Id="rId2" Type="http://schemas.microsoft.com/visio/2010/relationships/page" Target="page2.xml"/></Relationships>'));
    parts['visio/pages/pages.xml'] = strToU8(text('visio/pages/pages.xml').replace('<Page ID="0"', '<Page ID="1" NameU="Cover" Name="表紙"><Rel r:id="rId2"/></Page><Page ID="0"'));
    const v = await scan(zipSync(parts), 'x.vsdx');
    expect(v).toMatchObject({ verdict: 'marked', location: { part: 'visio/pages/page1.xml', page: 2 } });
    expect(describeLocation(v.verdict === 'marked' ? v.location : undefined, 'ja')).toBe('2ページ目');
  });

  it('the intact documents stay clean', async () => {
    expect(await scan(office('writer-plain.docx'), 'x.docx')).toMatchObject({ verdict: 'clean' });
    expect(await scan(office('calc-plain.xlsx'), 'x.xlsx')).toMatchObject({ verdict: 'clean' });
  });
});

describe('Excel 97 workbooks with records overwritten (test/fixtures/office-legacy/damage.py)', () => {
  const legacy = (n: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures/office-legacy', n)));
  it('a sheet wiped by zeros, its end record gone, is unscannable (xlwt 1.3, a 512-byte block zeroed)', async () => {
    expect(await scan(legacy('xlwt-wiped-sheet.xls'), 'a.xls')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('end record') });
  });
  it('whole records zeroed with records after them is unscannable (LibreOffice, four records of the last sheet)', async () => {
    expect(await scan(legacy('xls-traps-zeroed.xls'), 'a.xls')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('zeros') });
  });
  it('zeros after the last end record are padding: xlwt pads its stream to 4 KiB, and the file stays clean', async () => {
    expect(await scan(legacy('xlwt-padded-trap.xls'), 'a.xls')).toMatchObject({ verdict: 'clean' });
    expect(await scan(legacy('xls-clean-traps.xls'), 'a.xls')).toMatchObject({ verdict: 'clean' });
  });
});

describe('packages whose parts are cut short, overwritten or missing (LibreOffice refuses the first two)', () => {
  const cut = (b: Uint8Array) => b.slice(0, Math.floor(b.length / 2));
  const edit = (name: string, part: string, change: (b: Uint8Array) => Uint8Array<ArrayBuffer> | null) => {
    const parts = unzipSync(office(name));
    const changed = change(parts[part]);
    if (changed) parts[part] = changed;
    else delete parts[part];
    return zipSync(parts);
  };

  it.each([
    // An XML part that ends before its root element closes: the text after the cut is not read.
    ['writer-plain.docx', 'word/document.xml', cut],
    ['calc-plain.xlsx', 'xl/worksheets/sheet1.xml', cut],
    ['calc-plain.xlsx', 'xl/sharedStrings.xml', cut],
    ['calc-plain.ods', 'content.xml', cut],
    ['writer-plain.odt', 'content.xml', cut],
    // Overwritten with bytes that are no markup.
    ['writer-plain.docx', 'word/document.xml', (b: Uint8Array) => b.map((_, i) => (i * 131) & 0xff)],
    // A sheet and the shared strings that the workbook's relationships name, missing.
    ['calc-plain.xlsx', 'xl/worksheets/sheet2.xml', () => null],
    ['calc-plain.xlsx', 'xl/sharedStrings.xml', () => null],
    ['impress-slide2.pptx', 'ppt/slides/slide2.xml', () => null],
  ])('%s with %s damaged → unscannable corrupt naming the part', async (name, part, change) => {
    const ext = name.slice(name.lastIndexOf('.'));
    expect(await scan(edit(name, part, change), `x${ext}`)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining(part) });
  });

  it('a part that ends in blanks, NUL padding or a comment after its root element is whole', async () => {
    const pad = (tail: string) => (b: Uint8Array) => new Uint8Array([...b, ...new TextEncoder().encode(tail)]);
    expect(await scan(edit('writer-plain.docx', 'word/document.xml', pad('\r\n  \0\0\0')), 'x.docx')).toMatchObject({ verdict: 'clean' });
    expect(await scan(edit('calc-plain.ods', 'content.xml', pad('\n<!-- x -->\n')), 'x.ods')).toMatchObject({ verdict: 'clean' });
  });

  it('a flat OpenDocument file cut short is damaged; whole, or with blanks or a comment after its end, it is not', async () => {
    const flat = readFileSync(join(__dirname, '../fixtures/office/src/calc-plain.fods'));
    expect(await scan(flat.subarray(0, flat.length - 200), 'x.fods')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('</office:document>') });
    expect(await scan(flat, 'x.fods')).toMatchObject({ verdict: 'clean' });
    expect(await scan(Buffer.concat([flat, Buffer.from('\n<!-- saved -->\n\0\0')]), 'x.fods')).toMatchObject({ verdict: 'clean' });
  });

  // office/loose-parts/make.sh (producer hunt hunt15): pandoc's -t opendocument, and content.xml unzipped from LibreOffice's .odt.
  it.each(['pandoc-opendocument', 'lo-content'])('a package part saved on its own (%s) ends at its own root: read, not damaged; cut short, damaged', async (name) => {
    const part = (tag: string) => readFileSync(join(__dirname, `../fixtures/office/loose-parts/${name}-${tag}.xml`));
    expect(await scan(part('stamp'), 'content.xml')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan(part('trap'), 'content.xml')).toMatchObject({ verdict: 'clean' });
    const trap = part('trap');
    expect(await scan(trap.subarray(0, trap.length - 40), 'content.xml')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('</office:document-content>') });
  });

  it('XmlEnds: a part whose root closes itself is whole, however long its start tag; one cut after an empty element is not', () => {
    const damage = (xml: string) => {
      const ends = new XmlEnds();
      ends.push(new TextEncoder().encode(xml));
      return ends.damage();
    };
    expect(damage('<?xml version="1.0"?>\n<Properties xmlns="x"/>\n')).toBeNull();
    expect(damage(`<?xml version="1.0"?><Properties xmlns="x" ${'a="b" '.repeat(2000)}/>`)).toBeNull();
    expect(damage('<w:document xmlns:w="x"><w:body/></w:document>\r\n\0\0')).toBeNull();
    expect(damage('')).toBeNull();
    expect(damage(`<w:document xmlns:w="x">${'<w:p/>'.repeat(2000)}`)).toMatch(/cut short/);
    expect(damage('PK\u0003\u0004 not markup')).toMatch(/not XML/);
  });

  it('a stamp before the cut still marks the file', async () => {
    const parts = unzipSync(office('writer-header-only.docx'));
    parts['word/document.xml'] = cut(parts['word/document.xml']);
    expect(await scan(zipSync(parts), 'x.docx')).toMatchObject({ verdict: 'marked', location: { part: 'word/header1.xml' } });
  });
});

describe('a compressed stream, cpio, RPM or disc image whose first bytes were damaged (found by mutating marked fixtures)', () => {
  // The damage leaves bytes no format is known by; named as what it was, it is a damaged file, not an
  // unknown one that may be clean (zlib-flate, lzip -t, uncompress, cpio, rpm and 7z all refuse it).
  const fixture = (path: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
  const flip = (b: Uint8Array, at: number) => b.map((x, i) => (i === at ? x ^ 0x10 : x));
  it.each([
    ['archives/containers/qpdf_docx.zlib', 9, 'x.zlib'], // the deflate data right after a good header: no longer inflates
    ['archives/containers/qpdf_docx.zlib', 0, 'x.zz'], // the header itself
    ['archives/lzip/memo-stamp.txt.lz', 3, 'memo.txt.lz'],
    ['archives/containers/tar_docx.tar.Z', 0, 'x.tar.Z'],
    ['archives/containers/tar_docx.tar.Z', 0, 'x.taz'],
    ['archives/containers/cpio_bin_name.cpio', 0, 'x.cpio'],
    ['archives/prefixed/rpm_gzip_ctext.rpm', 0, 'x.rpm'],
    ['archives/names/iso_rockridge_cp932_name.iso', 16 * 2048 + 1, 'x.iso'], // the primary descriptor's CD001
  ])('%s with byte %i damaged, named %s → unscannable corrupt (was clean)', async (path, at, name) => {
    expect(await scan(fixture(path), name)).toMatchObject({ verdict: 'marked' });
    expect(await scan(flip(fixture(path), at), name)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('a .doc whose text was overwritten by zeros (found by mutating marked fixtures, seed 424242)', () => {
  // A small document keeps its WordDocument stream in the ministream: 512 zeros over it became NUL
  // characters in the text, which were dropped in silence (LibreOffice shows what they decode to).
  it.each([
    ['hidden-text/deleted/w-deleted-middle.doc', 5762],
    ['fields/lo-docproperty-field.doc', 6237],
  ])('%s, 512 bytes zeroed at %i: unscannable, not clean', async (path, at) => {
    const b = new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
    expect(await scan(b, 'x.doc')).toMatchObject({ verdict: 'marked' });
    b.fill(0, at, at + 512);
    expect(await scan(b, 'x.doc')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('NUL') });
  });
});

describe('XML parts that are not well-formed: a byte of a tag changed (found by mutating marked fixtures, mut3)', () => {
  // Word, LibreOffice and expat refuse each of these; read leniently, the tag's element, attribute or
  // run was lost or joined to the text, and the document was clean.
  const fixture = (path: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
  const changed = (path: string, part: string, from: string, to: string) => {
    const parts = unzipSync(fixture(path));
    const xml = new TextDecoder().decode(parts[part]);
    expect(xml).toContain(from);
    parts[part] = new TextEncoder().encode(xml.replace(from, to));
    return zipSync(parts);
  };

  it.each([
    // The watermark's text, its opening quote gone: the bytes 秘 Confidential stand in the part.
    ['watermark/watermark-stamp.docx', 'word/header1.xml', 'string="秘 Confidential"', 'string=秘 Confidential"', /opening quote/],
    // The trap's watermark (社外秘) damaged the same way: damaged, not marked.
    ['watermark/watermark-traps.docx', 'word/header1.xml', 'string="社外秘"', 'string=社外秘"', /opening quote/],
    // A hidden run's start tag under a prefix no xmlns declares (<ns0:r> → <os0:r>).
    ['prefixes/m_hidden-etree.docx', 'word/document.xml', '</ns0:r><ns0:r><ns0:rPr><ns0:vanish', '</ns0:r><os0:r><ns0:rPr><ns0:vanish', /prefix no xmlns declares/],
    // A content control's end tag misspelt (</w:sdtContent> → </w:setContent>).
    ['bindings/m_block.docx', 'word/document.xml', '</w:sdtContent>', '</w:setContent>', /does not match/],
    // A user field's name, its opening quote gone.
    ['odf-fields/user-field.odt', 'content.xml', 'text:name="Stamp"/></text:p>', 'text:name=Stamp"/></text:p>', /opening quote/],
    // An ODS cell's start tag misspelt (<number:text-style> → <number:text,style>).
    ['ods-data-styles/odfpy-textstyle-suffix.ods', 'content.xml', '<number:text-style ', '<number:text,style ', /does not match/],
  ])('%s, %s damaged → unscannable corrupt naming the part', async (path, part, from, to, why) => {
    const ext = path.slice(path.lastIndexOf('.'));
    expect(await scan(fixture(path), `x${ext}`)).toMatchObject({ verdict: path.includes('traps') ? 'clean' : 'marked' });
    expect(await scan(changed(path, part, from, to), `x${ext}`)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(why) });
    expect(await scan(changed(path, part, from, to), `x${ext}`)).toMatchObject({ detail: expect.stringContaining(part) });
  });

  it.each([
    // The stamp's row (B2 shows 秘, C2 Confidential): a cell's type lost its opening quote, an end tag misspelt.
    ['<c r="B2" s="1" t="s">', '<c r="B2" s="1" t=s">', /opening quote/],
    ['<v>4</v></c>', '<v>4</v></d>', /does not match/],
  ])('a worksheet whose %s is damaged (%s) → unscannable corrupt naming the sheet', async (from, to, why) => {
    const damaged = changed('office/calc-split.xlsx', 'xl/worksheets/sheet2.xml', from, to);
    expect(await scan(damaged, 'x.xlsx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(why) });
    expect(await scan(damaged, 'x.xlsx')).toMatchObject({ detail: expect.stringContaining('xl/worksheets/sheet2.xml') });
  });

  it.each([
    // A row without 秘 (its cell's type lost: the row reader would not parse it), and markup after the rows.
    // Damage anywhere in the sheet's data can change what one of its readers decides (a formula's end tag
    // misspelt hid an uncomputed TEXTJOIN from the formula pass): every byte is checked.
    ['<c r="A1" s="1" t="s">', '<c r="A1" s="1" t=s">', /opening quote/],
    ['<pageMargins left="0.7875"', '<pageMargins left=0.7875"', /opening quote/],
    ['</sheetData>', '</sheetData></sheetData>', /does not match/],
    ['</sheetData>', '</sheetDate>', /does not match/],
  ])('a clean worksheet whose %s is damaged (%s) → unscannable corrupt naming the sheet', async (from, to, why) => {
    const damaged = changed('office/calc-plain.xlsx', 'xl/worksheets/sheet1.xml', from, to);
    expect(await scan(damaged, 'x.xlsx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringMatching(why) });
    expect(await scan(damaged, 'x.xlsx')).toMatchObject({ detail: expect.stringContaining('xl/worksheets/sheet1.xml') });
  });

  const damage = (xml: string, split = 0) => {
    const ends = new XmlEnds();
    const bytes = new TextEncoder().encode(xml);
    // Fed in pieces of `split` bytes too: a tag cut between two chunks reads the same.
    if (split) for (let i = 0; i < bytes.length; i += split) ends.push(bytes.subarray(i, i + split));
    else ends.push(bytes);
    return ends.damage();
  };

  it('XmlEnds: what producers write is well-formed, however the part is cut into chunks', () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<!-- saved -->' +
      '<w:document xmlns:w="urn:w" xmlns="urn:d" mc:Ignorable="w14" xmlns:mc="urn:mc">' +
      "<w:body><w:p w:rsidR = '00A1' ><w:r><w:t xml:space=\"preserve\">a &lt; b > c &amp; 秘</w:t></w:r>" +
      '<x xmlns:w="urn:other"><w:i/></x><![CDATA[ <not a tag> ]]><?pi <x> ?>' +
      '<v:shape xmlns:v="urn:v" style="a>b"/><p/></w:p></w:body></w:document>\r\n\0';
    for (const split of [0, 1, 2, 3, 7]) expect(damage(xml, split)).toBeNull();
  });

  it('XmlEnds: a UTF-8 part with bytes that are no UTF-8 is damaged, unless it declares another encoding', () => {
    const bytes = (...xs: (string | number[])[]) => new Uint8Array(xs.flatMap((x) => (typeof x === 'string' ? [...new TextEncoder().encode(x)] : x)));
    const feed = (b: Uint8Array, split: number) => {
      const ends = new XmlEnds();
      for (let i = 0; i < b.length; i += split) ends.push(b.subarray(i, i + split));
      return ends.damage();
    };
    for (const split of [1, 2, 1000]) {
      // 秘 split between chunks is whole UTF-8; a stray 0xFF or a lead byte without its continuation is not.
      expect(feed(bytes([0xef, 0xbb, 0xbf], '<a>秘 Confidential</a>'), split)).toBeNull();
      expect(feed(bytes('<a>秘', [0xff], ' Confidential</a>'), split)).toMatch(/no UTF-8/);
      expect(feed(bytes('<a>秘', [0xc3, 0x28], ' Confidential</a>'), split)).toMatch(/no UTF-8/);
      expect(feed(bytes('<?xml version="1.0" encoding="windows-1252"?><a>caf', [0xe9], '</a>'), split)).toBeNull();
    }
  });

  it('XmlEnds: the first byte that is not ASCII is found wherever it stands, however the part is cut into chunks', () => {
    // The syntax check notes it as it reads (the UTF-8 check decodes only from there on): in text, a name, a
    // value read in the quick loop or byte by byte, a comment, CDATA, an instruction, or past a document type
    // (the syntax check is off there). Each part is ASCII but for `X`, which is a byte that is no UTF-8.
    const parts = [
      '<r><a>1X2</a></r>',
      '<r><aX b="1"/></r>',
      '<r><aX></aX></r>',
      '<r><a bX="1"/></r>',
      '<r><a b="1X2"/></r>',
      '<r xmlns:x="u"><x:a b="1X2"/></r>',
      '<r><a b="&amp;X"/></r>',
      '<r><!-- X --></r>',
      '<r><![CDATA[X]]></r>',
      '<r><?pi X?></r>',
      '<!DOCTYPE r><r>X</r>',
      '<!-- X --><r/>',
      '<r/><!-- X -->',
    ];
    for (const xml of parts) {
      for (const bad of [[0xff], [0x80], [0xc3, 0x28], [0xe7, 0xa7]]) {
        const b = new Uint8Array(xml.split('X').flatMap((piece, k) => [...(k ? bad : []), ...new TextEncoder().encode(piece)]));
        for (let split = 1; split <= b.length; split++) {
          const ends = new XmlEnds();
          for (let i = 0; i < b.length; i += split) ends.push(b.subarray(i, i + split));
          expect(ends.damage(), `${xml} with ${bad.map((x) => x.toString(16))}, chunks of ${split}`).toMatch(/no UTF-8/);
        }
      }
      // The same with a character that is UTF-8: whole.
      const ok = new TextEncoder().encode(xml.replaceAll('X', 'é秘'));
      for (let split = 1; split <= ok.length; split++) {
        const ends = new XmlEnds();
        for (let i = 0; i < ok.length; i += split) ends.push(ok.subarray(i, i + split));
        expect(ends.damage(), `${xml} with é秘, chunks of ${split}`).toBeNull();
      }
    }
  });

  it.each([
    ['<a><b></c></a>', /does not match/],
    ['<a></a></a>', /no element open|ends before/],
    ['<r><a b=c"/></r>', /opening quote/],
    ['<a b="c/><d/></a>', /< in an attribute value/],
    ['<r><a b="1"c="2"/></r>', /parted by a blank/],
    ['<r><a b/></r>', /without a value/],
    ['<a><p:b/></a>', /prefix no xmlns declares/],
    ['<a xmlns:p="u"><p:b/></a><p:c/>', /prefix no xmlns declares|ends before/],
    ['<a><b p:x="1"/></a>', /attribute whose prefix/],
    ['<a>< b</a>', /starts no tag/],
    ['<a><!x></a>', /opens no comment/],
  ])('XmlEnds: %s is not well-formed', (xml, why) => {
    for (const split of [0, 1, 3]) expect(damage(xml, split)).toMatch(why);
  });
});

describe('an xlsx row whose end tag is damaged (</row> → </rov>: found by mutating marked fixtures, mut3)', () => {
  const fixture = (path: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
  /** The sheet's last `</row>` misspelt; `edit` changes the sheet's text first. */
  const lastRowDamaged = (path: string, edit: (xml: string) => string = (x) => x) => {
    const parts = unzipSync(fixture(path));
    const xml = edit(new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']));
    const at = xml.lastIndexOf('</row>');
    expect(at).toBeGreaterThan(0);
    parts['xl/worksheets/sheet1.xml'] = new TextEncoder().encode(`${xml.slice(0, at)}</rov>${xml.slice(at + 6)}`);
    return zipSync(parts);
  };

  // The row was carried to the end of the sheet, waiting for its end tag, and never read: its formula
  // was lost in silence. LibreOffice reads it and shows 秘 Confidential; so is it read here (the part
  // is still damaged: where nothing is found, the file is unscannable).
  it.each([
    ['formula/concat-exceljs.xlsx', 'B2'],
    ['formula-cached/xlsxwriter-array.xlsx', 'B1'],
  ])('%s, its formula row never closed: read to the end of the sheet data → marked at %s', async (path, cell) => {
    expect(await scan(lastRowDamaged(path), 'x.xlsx')).toMatchObject({ verdict: 'marked', rule: 1, location: { cell } });
  });

  it('the trap twin (秘書室) damaged the same way is unscannable: neither marked nor clean', async () => {
    const trap = (xml: string) => xml.replace('&quot; Confidential&quot;', '&quot;書室&quot;');
    const parts = unzipSync(fixture('formula/concat-exceljs.xlsx'));
    parts['xl/worksheets/sheet1.xml'] = new TextEncoder().encode(trap(new TextDecoder().decode(parts['xl/worksheets/sheet1.xml'])));
    expect(await scan(zipSync(parts), 'x.xlsx')).toMatchObject({ verdict: 'clean' });
    expect(await scan(lastRowDamaged('formula/concat-exceljs.xlsx', trap), 'x.xlsx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('sheet1.xml') });
  });

  it('a damaged end tag before other rows: the row ends where the next one starts, and both are read', async () => {
    const parts = unzipSync(fixture('formula/concat-exceljs.xlsx'));
    // Row 1 (A1: 区分) loses its end tag; row 2's formula is still computed.
    const xml = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']).replace('</row>', '</rov>');
    parts['xl/worksheets/sheet1.xml'] = new TextEncoder().encode(xml);
    expect(await scan(zipSync(parts), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'B2' } });
  });
});

describe('a .doc whose directory entry has a damaged name length (found by mutating marked fixtures, mut3)', () => {
  // MS-CFB 2.6.1: the name length counts the name's NUL, so it is even and at most 64. With a bit flipped
  // (10 → 1034) or set past 64, the stream's name ran past its NUL, the stream was not found by name and
  // was skipped in silence: the picked entry of a dropdown field (Data), an embedded document (\x01Ole10Native).
  // LibreOffice refuses such a file. The stream is read by the name it spells, and the damage is said.
  const fixture = (path: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
  /** The directory entry named `name` (at a 128-byte boundary) given name length `length`. */
  const nameLength = (path: string, name: string, length: number) => {
    const b = fixture(path);
    const want = new Uint8Array(new Uint16Array([...name].map((c) => c.charCodeAt(0)).concat(0)).buffer);
    const at = [...Array(b.length >> 7).keys()].map((k) => k << 7).find((o) => want.every((x, i) => b[o + i] === x) && b[o + 64] === want.length && b[o + 65] === 0);
    expect(at).toBeDefined();
    b[at! + 64] = length & 0xff;
    b[at! + 65] = length >> 8;
    return b;
  };

  it.each([
    ['fields/lo-dropdown-field.doc', 'Data', 10 + 0x400],
    ['fields/lo-dropdown-field.doc', 'Data', 66],
    ['fields/lo-dropdown-field.doc', 'Data', 12],
    ['ole-objects/embedded-docx.doc', '\u0001Ole10Native', 26 + 0x400],
  ])('%s, %j name length %i: the stream is still read (marked)', async (path, name, length) => {
    expect(await scan(nameLength(path, name, length), 'x.doc')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('the trap twin damaged the same way is unscannable (corrupt, naming the stream), neither marked nor clean', async () => {
    expect(await scan(fixture('fields/lo-dropdown-field-twin.doc'), 'x.doc')).toMatchObject({ verdict: 'clean' });
    for (const length of [10 + 0x400, 66, 12, 9]) {
      expect(await scan(nameLength('fields/lo-dropdown-field-twin.doc', 'Data', length), 'x.doc')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('name length') });
    }
  });
});

describe('PowerPoint 97 decks made by Apache POI (test/fixtures/poi/MakePpt.java, POI 4.0.1 HSLF)', () => {
  const poi = (n: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures/poi', n)));
  // POI writes a placeholder's RoundTripHFPlaceholder12Atom (1-byte body) with length 8: it overruns its
  // OfficeArtClientData container by 7 bytes. LibreOffice shows 「秘書室 Confidential」, 社外秘, 秘密保持契約書.
  it('a title placeholder is read: the stamp is marked and the traps are clean, not corrupt', async () => {
    expect(await scan(poi('poi-title.ppt'), 'a.ppt')).toMatchObject({ verdict: 'marked', location: { area: 'body', slide: 1 } });
    expect(await scan(poi('poi-title-traps.ppt'), 'a.ppt')).toMatchObject({ verdict: 'clean' });
  });
  it('a text atom cut by its container in the same place is still damage (unscannable)', async () => {
    const b = poi('poi-title-traps.ppt');
    const atom = [0x00, 0x00, 0x20, 0x04, 0x08, 0x00, 0x00, 0x00];
    const at = b.findIndex((_, i) => atom.every((x, j) => b[i + j] === x));
    expect(at).toBeGreaterThan(0);
    const cut = b.slice();
    cut.set([0xa0, 0x0f], at + 2); // TextCharsAtom: its text would run past the container
    expect(await scan(cut, 'a.ppt')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
