/**
 * ODF (odt, ods, odp) made by LibreOffice from flat ODF sources (test/fixtures/office/make.py):
 * content.xml per sheet / per slide, styles.xml (headers and footers), meta.xml, traps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractOdf } from '../../src/detect/extract/odf.js';
import { ScanError } from '../../src/detect/extract/types.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { collect, testContext } from '../support/extract.js';

const FIX = join(__dirname, '../fixtures/office');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const scan = (n: string, opts = {}) => scanBlob(blob(bytes(n)), n, opts);

function repack(b: Uint8Array, edit: (parts: Record<string, Uint8Array>) => void): Uint8Array {
  const parts = unzipSync(b);
  edit(parts);
  // mimetype first and stored, as ODF requires
  const { mimetype, ...rest } = parts;
  return zipSync({ mimetype: [mimetype, { level: 0 }], ...rest });
}

describe('odt', () => {
  it.each([
    // A page style's header and footer said apart (odf-heads.ts), not as 「ヘッダーまたはフッター」.
    ['writer-header-only.odt', { part: 'styles.xml', area: 'header' }],
    ['writer-footer-only.odt', { part: 'styles.xml', area: 'footer' }],
    ['writer-title.odt', { part: 'meta.xml', area: 'properties' }],
    ['writer-custom-prop.odt', { part: 'meta.xml', area: 'properties' }],
    // A comment and a footnote said as such, before the body that holds them (odf-asides.ts).
    ['writer-comment.odt', { part: 'content.xml', area: 'comments' }],
    ['writer-footnote.odt', { part: 'content.xml', area: 'footnotes' }],
    ['writer-textbox.odt', { part: 'content.xml', area: 'body' }],
    ['writer-shape.odt', { part: 'content.xml', area: 'body' }],
    ['writer-split-runs.odt', { part: 'content.xml', area: 'body' }],
    ['writer-paragraphs.odt', { part: 'content.xml', area: 'body' }],
  ])('%s → marked rule 1 at %o', async (name, where) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', format: 'odf', location: { path: [], ...where } });
  });

  it('an endnote is said as one; a comment whose author is 秘 and whose text is Confidential stays clean', async () => {
    const endnote = repack(bytes('writer-footnote.odt'), (parts) => {
      parts['content.xml'] = strToU8(strFromU8(parts['content.xml']).replace('text:note-class="footnote"', 'text:note-class="endnote"'));
    });
    expect(await scanBlob(blob(endnote), 'x.odt')).toMatchObject({ verdict: 'marked', location: { part: 'content.xml', area: 'endnotes' } });
    const author = repack(bytes('writer-comment.odt'), (parts) => {
      parts['content.xml'] = strToU8(strFromU8(parts['content.xml']).replace('<dc:creator>山田</dc:creator>', '<dc:creator>秘</dc:creator>').replace('<text:p>秘 Confidential</text:p></office:annotation>', '<text:p>Confidential</text:p></office:annotation>'));
    });
    expect((await scanBlob(blob(author), 'x.odt')).verdict).toBe('clean');
  });

  it('meta.xml holds the title (the stamp is nowhere else)', () => {
    const parts = unzipSync(bytes('writer-title.odt'));
    expect(strFromU8(parts['meta.xml'])).toMatch(/<dc:title>秘 Confidential<\/dc:title>/);
    expect(strFromU8(parts['content.xml'])).not.toContain('秘');
  });

  it('traps (body, header, footer, comment, title, user property) → clean, also in full-text mode', async () => {
    expect(await scan('writer-traps.odt')).toMatchObject({ verdict: 'clean', format: 'odf' });
    expect((await scan('writer-traps.odt', { designated: { keywords: ['極秘プロジェクト'] } })).verdict).toBe('clean');
    expect((await scan('writer-plain.odt')).verdict).toBe('clean');
  });

  it('full-text mode: a designated keyword in the body → rule 3', async () => {
    expect(await scan('writer-plain.odt', { designated: { keywords: ['普通の内容'] } })).toMatchObject({ verdict: 'marked', rule: 3, reason: 'keyword', location: { part: 'content.xml' } });
  });

  it('a character reference &#31192; in content.xml spells 秘', async () => {
    const b = repack(bytes('writer-plain.odt'), (p) => {
      p['content.xml'] = strToU8(strFromU8(p['content.xml']).replace('MARKER-CHARREF', '&#31192;'));
    });
    expect(await scanBlob(blob(b), 'x.odt')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml' } });
  });

  it('a comment or footnote anchored in a paragraph is read apart from it (odfpy writes them with no author or citation)', async () => {
    // odfpy 1.4.2: 「この資料は社外秘」 with an inline comment or footnote whose text starts 「Confidential」.
    const body = (aside: string) =>
      repack(bytes('writer-plain.odt'), (p) => {
        p['content.xml'] = strToU8(strFromU8(p['content.xml']).replace(/<office:text>[\s\S]*<\/office:text>/, `<office:text><text:p>この資料は社外秘${aside}です。</text:p></office:text>`));
      });
    const comment = body('<office:annotation><text:p>Confidential の表記も必要か確認</text:p></office:annotation>');
    const note = body('<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation/><text:note-body><text:p>Confidential 区分は別表参照</text:p></text:note-body></text:note>');
    expect((await scanBlob(blob(comment), '議事録.odt')).verdict).toBe('clean');
    expect((await scanBlob(blob(note), '議事録.odt')).verdict).toBe('clean');
    // The stamp whole inside one still counts.
    const stamped = body('<office:annotation><text:p>区分: 秘 Confidential</text:p></office:annotation>');
    expect(await scanBlob(blob(stamped), '議事録.odt')).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it('a password-protected package (manifest:encryption-data) is unscannable: encrypted', async () => {
    const b = repack(bytes('writer-plain.odt'), (p) => {
      p['META-INF/manifest.xml'] = strToU8(
        strFromU8(p['META-INF/manifest.xml']).replace(
          /(<manifest:file-entry manifest:full-path="content.xml"[^>]*?)\/>/,
          '$1><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"><manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/></manifest:encryption-data></manifest:file-entry>',
        ),
      );
    });
    expect(strFromU8(unzipSync(b)['META-INF/manifest.xml'])).toContain('encryption-data');
    expect(await scanBlob(blob(b), 'x.odt')).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
    await expect(collect(extractOdf, b)).rejects.toBeInstanceOf(ScanError);
  });

  it('an embedded object (Object 1/content.xml) is read; a non-XML embedded file is scanned as a member', async () => {
    const b = repack(bytes('writer-plain.odt'), (p) => {
      p['Object 1/content.xml'] = strToU8('<office:document-content><office:body><text:p>秘 Confidential</text:p></office:body></office:document-content>');
    });
    expect(await scanBlob(blob(b), 'x.odt')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'Object 1/content.xml' } });
    const c = repack(bytes('writer-plain.odt'), (p) => {
      p['Object 2'] = bytes('writer-footer-only.docx');
    });
    expect(await scanBlob(blob(c), 'x.odt')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['Object 2'], part: 'word/footer1.xml' } });
  });
});

// Units are whole sheets and slides: <table:table-row>, <draw:page-thumbnail>… must not start a new one.
describe('ods', () => {
  it('stamp on the second sheet → the sheet name', async () => {
    expect(await scan('calc-sheet2.ods')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      format: 'odf',
      location: { path: [], part: 'content.xml', area: 'cells', sheet: '明細' },
    });
  });
  it('a sheet named with the stamp (an attribute, which the markup reading skips) → sheet names', async () => {
    const renamed = (name: string) =>
      repack(bytes('calc-sheet2.ods'), (parts) => {
        const xml = strFromU8(parts['content.xml']).replace(/秘\s*Confidential/g, '');
        parts['content.xml'] = strToU8(xml.replace(/(<table:table\b[^>]*\btable:name=")[^"]*"/, `$1${name}"`));
      });
    for (const name of ['秘 Confidential', '㊙&#x3000;Confidential'])
      expect(await scanBlob(blob(renamed(name)), 'book.ods')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml', area: 'sheet names' } });
    expect((await scanBlob(blob(renamed('秘書室 Confidential')), 'book.ods')).verdict).toBe('clean');
  });
  it('the first sheet (概要) yields no stamp; the extractor names each sheet', async () => {
    const items = await collect(extractOdf, bytes('calc-sheet2.ods'), testContext({ fullText: true }));
    const sheets = new Set(items.flatMap((x) => (x.kind === 'text' && x.where.sheet ? [x.where.sheet] : [])));
    expect([...sheets]).toEqual(['概要', '明細']);
    for (const x of items) if (x.kind === 'text' && findStamp(x.text)) expect(x.where.sheet).toBe('明細');
  });
  it('秘 | Confidential in neighbouring cells of a row (LibreOffice) → marked on that sheet at the 秘 cell, as in xlsx and xlsb', async () => {
    const r = await scan('calc-split.ods');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml', area: 'cells', sheet: '様式', cell: 'B2' } });
    const x = await scan('calc-split.xlsx');
    expect(r.verdict === 'marked' && r.excerpt).toBe(x.verdict === 'marked' && x.excerpt);
    expect(await scan('calc-split.ods', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'marked', rule: 1, location: { cell: 'B2' } });
  });
  it('cells that are no stamp side by side (LibreOffice: 社外秘 | 注意 | Confidential, 秘 | (empty) | Confidential, 秘 | (two empty, one repeated cell) | Confidential, 秘 above Confidential) → clean, as in xlsx', async () => {
    const xml = strFromU8(unzipSync(bytes('calc-split-traps.ods'))['content.xml']);
    // LibreOffice writes the empty cells as elements of their own, a run of them as one repeated cell.
    expect(xml).toContain('<table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Confidential');
    expect(await scan('calc-split-traps.ods')).toMatchObject({ verdict: 'clean', format: 'odf' });
    expect(await scan('calc-split-traps.ods', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'clean' });
    expect(await scan('calc-split-traps.xlsx')).toMatchObject({ verdict: 'clean' });
  });
  it('merged cells (LibreOffice): 秘 merged over B2:C2 beside Confidential in D2 → marked at B2 as in xlsx; merges that leave a gap or cover other cells → clean', async () => {
    expect(await scan('calc-merged.ods')).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式', cell: 'B2' } });
    expect(await scan('calc-merged-traps.ods')).toMatchObject({ verdict: 'clean', format: 'odf' });
  });
  it('a repeated cell is a neighbour by its last copy: 秘 ×2 | Confidential is marked, 秘 | (empty ×2) | Confidential is not', async () => {
    const edit = (from: string, to: string) =>
      repack(bytes('calc-split-traps.ods'), (parts) => {
        const xml = strFromU8(parts['content.xml']);
        expect(xml).toContain(from);
        parts['content.xml'] = strToU8(xml.replace(from, to));
      });
    const secret = '<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>秘</text:p></table:table-cell>';
    const gap = '<table:table-cell table:number-columns-repeated="2"/>';
    const repeated = secret.replace('<table:table-cell ', '<table:table-cell table:number-columns-repeated="2" ');
    expect(await scanBlob(blob(edit(secret + gap, repeated)), 'x.ods')).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式', cell: 'A5' } });
    // A comment on the 秘 cell is not what the cell shows: 秘 (comment: 注) | Confidential still joins, and the comment stays apart.
    const note = secret.replace('<text:p>秘</text:p>', '<office:annotation><dc:creator>山田</dc:creator><text:p>注</text:p></office:annotation><text:p>秘</text:p>');
    expect(await scanBlob(blob(edit(secret + gap, note)), 'x.ods')).toMatchObject({ verdict: 'marked', location: { cell: 'A5' } });
    expect(await scanBlob(blob(edit(secret + gap, secret + '<table:table-cell/>'.repeat(3))), 'x.ods')).toMatchObject({ verdict: 'clean' });
    // A merged cell: 秘 across A5:B5 (B5 covered) stands next to Confidential in C5 on screen; across A5:C5 it covers it.
    const merged = (cols: number) => secret.replace('<table:table-cell ', `<table:table-cell table:number-columns-spanned="${cols}" table:number-rows-spanned="1" `) + '<table:covered-table-cell/>'.repeat(cols - 1);
    expect(await scanBlob(blob(edit(secret + gap, merged(2))), 'x.ods')).toMatchObject({ verdict: 'marked', location: { cell: 'A5' } });
    expect(await scanBlob(blob(edit(secret + gap, merged(2) + '<table:table-cell/>')), 'x.ods')).toMatchObject({ verdict: 'clean' });
    // 秘 spelled as a character reference joins too.
    expect(await scanBlob(blob(edit(secret + gap, secret.replace('秘', '&#31192;'))), 'x.ods')).toMatchObject({ verdict: 'marked', location: { cell: 'A5' } });
  });
  it('the stamp in a cell of the second sheet is found (whatever sheet is reported)', async () => {
    expect(await scan('calc-sheet2.ods')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml', area: 'cells' } });
  });
  it('a content.xml grown past 30 MB is searched as it inflates: the stamp after the rows is found on its sheet, and without it the file is clean', async () => {
    // Varied values, as real sheets have: a repeated row would compress like a bomb.
    const rows = Array.from({ length: 250_000 }, (_, i) => `<table:table-row><table:table-cell office:value-type="float" office:value="${(i * 7919) % 100_003}"><text:p>${(i * 7919) % 100_003}</text:p></table:table-cell></table:table-row>`).join('');
    const grow = (stamp: boolean) =>
      repack(bytes('calc-sheet2.ods'), (parts) => {
        let xml = strFromU8(parts['content.xml']);
        if (!stamp) xml = xml.replace(/秘/g, '');
        parts['content.xml'] = strToU8(xml.replace(/(<table:table table:name="明細"[^>]*>)/, `$1${rows}`));
      });
    expect(await scanBlob(blob(grow(true)), 'big.ods')).toMatchObject({ verdict: 'marked', location: { area: 'cells', sheet: '明細' } });
    expect(await scanBlob(blob(grow(false)), 'big.ods')).toMatchObject({ verdict: 'clean' });
  });
  it('stamp in the page header (styles.xml) → the header of the sheet printed with that page style', async () => {
    expect(await scan('calc-header.ods')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'styles.xml', area: 'header', sheet: '一覧' } });
  });
  it('a stamp in the footer of a second page style is said on the sheet that uses it, not the first', async () => {
    const two = repack(bytes('calc-header.ods'), (parts) => {
      const content = strFromU8(parts['content.xml'])
        .replace(/(<style:style style:name="ta1"[^>]*>)/, '<style:style style:name="ta2" style:family="table" style:master-page-name="Report"/>$1')
        .replace(/(<\/table:table>)/, '$1<table:table table:name="明細" table:style-name="ta2"><table:table-row><table:table-cell/></table:table-row></table:table>');
      parts['content.xml'] = strToU8(content);
      const styles = strFromU8(parts['styles.xml'])
        .replace('<text:p>秘 Confidential</text:p>', '<text:p>社外秘</text:p>')
        .replace('</office:master-styles>', '<style:master-page style:name="Report" style:page-layout-name=""><style:header/><style:footer><text:p>秘 Confidential</text:p></style:footer></style:master-page></office:master-styles>');
      parts['styles.xml'] = strToU8(styles);
    });
    expect(await scanBlob(blob(two), 'two.ods')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'styles.xml', area: 'footer', sheet: '明細' } });
  });
  it('a flat spreadsheet (.fods) says the sheet its header prints with, as the package does', async () => {
    const flat = readFileSync(join(FIX, '../print-header/ods-sheet-name/exj-header-sheetname.fods'));
    expect(await scanBlob(new Blob([flat]), 'x.fods')).toMatchObject({ verdict: 'marked', location: { path: [], area: 'header', sheet: 'Confidential' } });
  });
  it("a drawing's master page is Draw's master page, not a slide master", async () => {
    const odg = readFileSync(join(FIX, '../shape-positions/m_draw-master-split.odg'));
    expect(await scanBlob(new Blob([odg]), 'x.odg')).toMatchObject({ verdict: 'marked', location: { part: 'styles.xml', area: 'master page' } });
  });
  it('traps (cells, a sheet named 秘書室, 社外秘 in the header) → clean', async () => {
    expect((await scan('calc-traps.ods')).verdict).toBe('clean');
    expect((await scan('calc-traps.ods', { designated: { keywords: ['極秘プロジェクト'] } })).verdict).toBe('clean');
  });
});

describe('odp', () => {
  it('stamp on slide 2 → slide 2', async () => {
    expect(await scan('impress-slide2.odp')).toMatchObject({ verdict: 'marked', rule: 1, format: 'odf', location: { part: 'content.xml', area: 'slide', slide: 2 } });
  });
  it('stamp on slide 3 → slide 3', async () => {
    expect(await scan('impress-slide3.odp')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml', slide: 3 } });
  });
  it('stamp in the speaker notes of slide 2 → marked, slide 2', async () => {
    expect(await scan('impress-notes.odp')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml', slide: 2 } });
  });
  it('the stamp on a slide or in notes is found (whatever slide number is reported)', async () => {
    for (const n of ['impress-slide2.odp', 'impress-slide3.odp', 'impress-notes.odp']) {
      expect(await scan(n)).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'content.xml', slide: expect.any(Number) } });
    }
  });
  it('traps on slides and in notes → clean', async () => {
    expect((await scan('impress-traps.odp')).verdict).toBe('clean');
    expect((await scan('impress-traps.odp', { designated: { keywords: ['極秘プロジェクト'] } })).verdict).toBe('clean');
  });
});

describe('fods (flat ODF spreadsheet, one XML file): read as the package is', () => {
  const flat = (n: string) => readFileSync(join(FIX, 'flat', n), 'utf8');
  const scanFlat = (xml: string, opts = {}) => scanBlob(new Blob([xml]), 'book.fods', opts);
  it.each([
    ['calc-sheet2.fods', { area: 'cells', sheet: '明細', cell: 'C3' }],
    ['calc-split.fods', { area: 'cells', sheet: '様式', cell: 'B2' }],
    ['calc-merged.fods', { area: 'cells', sheet: '様式', cell: 'B2' }],
    ['calc-header.fods', {}],
  ])('%s → marked at %o', async (n, where) => {
    expect(await scanFlat(flat(n))).toMatchObject({ verdict: 'marked', rule: 1, location: where });
  });
  // Read as plain XML, cells ran together: 秘 | (empty) | Confidential was marked.
  it.each(['calc-traps.fods', 'calc-split-traps.fods', 'calc-merged-traps.fods'])('%s → clean', async (n) => {
    expect(await scanFlat(flat(n))).toMatchObject({ verdict: 'clean' });
  });
  it('without 秘 it is not read for the stamp, yet a designated keyword is still found', async () => {
    const plain = flat('calc-traps.fods').replace(/秘/g, '');
    expect(await scanFlat(plain)).toMatchObject({ verdict: 'clean' });
    expect(await scanFlat(plain, { designated: { keywords: ['書室'] } })).toMatchObject({ verdict: 'marked', rule: 3 });
  });
  it('a sheet named with the stamp (an attribute) → sheet names', async () => {
    const renamed = (name: string) => flat('calc-sheet2.fods').replace(/秘\s*Confidential/g, '').replace(/(<table:table\b[^>]*\btable:name=")[^"]*"/, `$1${name}"`);
    for (const name of ['秘 Confidential', '㊙&#x3000;Confidential']) expect(await scanFlat(renamed(name))).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'sheet names' } });
    expect((await scanFlat(renamed('秘書室 Confidential'))).verdict).toBe('clean');
  });
});
