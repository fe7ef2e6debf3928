/**
 * OOXML (docx, xlsx, pptx) made by LibreOffice from flat ODF sources (test/fixtures/office/make.py):
 * the stamp in every place a reader finds it, with its location; traps that must stay clean;
 * sensitivity labels (rule 3); character references; embedded workbooks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractOoxml } from '../../src/detect/extract/ooxml.js';
import type { Extracted } from '../../src/detect/extract/types.js';
import { XlsxRows } from '../../src/detect/extract/xlsx-rows.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { collect, testContext } from '../support/extract.js';

const FIX = join(__dirname, '../fixtures/office');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const scan = (n: string, opts = {}) => scanBlob(blob(bytes(n)), n, opts);
const LABEL = 'f42aa342-8706-4288-bd11-ebb85995028c';

/** Rewrites parts of a package (fflate), for variants of one fixture. */
function repack(b: Uint8Array, edit: (parts: Record<string, Uint8Array>) => void): Uint8Array {
  const parts = unzipSync(b);
  edit(parts);
  return zipSync(parts);
}

const stampTexts = (items: Extracted[]) => items.filter((x) => x.kind === 'text' && findStamp(x.text));

describe('docx: the stamp wherever a reader sees it', () => {
  it.each([
    ['writer-footer-only.docx', { part: 'word/footer1.xml', area: 'footer' }],
    ['writer-header-only.docx', { part: 'word/header1.xml', area: 'header' }],
    ['writer-comment.docx', { part: 'word/comments.xml', area: 'comments' }],
    ['writer-footnote.docx', { part: 'word/footnotes.xml', area: 'footnotes' }],
    ['writer-textbox.docx', { part: 'word/document.xml', area: 'body' }],
    ['writer-shape.docx', { part: 'word/document.xml', area: 'body' }],
    ['writer-split-runs.docx', { part: 'word/document.xml', area: 'body' }],
    ['writer-paragraphs.docx', { part: 'word/document.xml', area: 'body' }],
    ['writer-custom-prop.docx', { part: 'docProps/custom.xml', area: 'properties' }],
    ['writer-title.docx', { part: 'docProps/core.xml', area: 'properties' }],
    ['docx-charref.docx', { part: 'word/document.xml', area: 'body' }],
  ])('%s → marked rule 1 at %o', async (name, where) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', format: 'docx', location: { path: [], ...where } });
  });

  it('split runs: 秘 bold and Confidential italic are separate <w:r> in the file, one excerpt in the verdict', async () => {
    const xml = strFromU8(unzipSync(bytes('writer-split-runs.docx'))['word/document.xml']);
    expect(xml).toMatch(/<w:b\/>.*<w:t>秘<\/w:t>/);
    expect(xml).toMatch(/<w:i\/>.*<w:t>Confidential<\/w:t>/);
    const r = await scan('writer-split-runs.docx');
    expect(r.verdict === 'marked' && r.excerpt).toContain('秘 Confidential');
  });

  it.each(['writer-shape.docx', 'writer-textbox.docx'])("%s: the drawing's place and size (wp:posOffset, wp:align) are not in the excerpt", async (name) => {
    const xml = strFromU8(unzipSync(bytes(name))['word/document.xml']);
    expect(xml).toMatch(/<wp:(posOffset|align)>/);
    const r = await scan(name);
    expect(r.verdict === 'marked' && r.excerpt).toBe('本文 | 秘 Confidential 秘 Confidential');
  });

  it('header-only: the header yields the stamp, the body does not', async () => {
    const items = await collect(extractOoxml, bytes('writer-header-only.docx'), testContext({ fullText: true }));
    const hits = stampTexts(items);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((x) => x.kind === 'text' && x.where.area === 'header')).toBe(true);
    const body = items.find((x) => x.kind === 'text' && x.where.part === 'word/document.xml');
    expect(body?.kind === 'text' && body.text).toContain('本文には印はありません');
  });

  it('the character reference &#31192; in document.xml spells 秘', async () => {
    expect(strFromU8(unzipSync(bytes('docx-charref.docx'))['word/document.xml'])).toContain('&#31192; Confidential');
    expect((await scan('docx-charref.docx')).verdict).toBe('marked');
  });

  it('hex character reference &#x79D8; and a UTF-16 document.xml are read too', async () => {
    const hexRef = repack(bytes('writer-plain.docx'), (p) => {
      p['word/document.xml'] = strToU8(strFromU8(p['word/document.xml']).replace('MARKER-CHARREF', '&#x79D8;'));
    });
    expect(await scanBlob(blob(hexRef), 'hex.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
    const utf16 = repack(bytes('writer-plain.docx'), (p) => {
      const xml = strFromU8(p['word/document.xml']).replace('MARKER-CHARREF', '秘').replace('encoding="UTF-8"', 'encoding="UTF-16"');
      const u = new Uint8Array(2 + xml.length * 2);
      u.set([0xff, 0xfe]);
      for (let i = 0; i < xml.length; i++) {
        u[2 + 2 * i] = xml.charCodeAt(i) & 0xff;
        u[3 + 2 * i] = xml.charCodeAt(i) >> 8;
      }
      p['word/document.xml'] = u;
    });
    expect(await scanBlob(blob(utf16), 'utf16.docx')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'word/document.xml' } });
  });

  it('the plain document (MARKER-CHARREF Confidential) is clean', async () => {
    expect((await scan('writer-plain.docx')).verdict).toBe('clean');
  });

  it('traps: 秘密保持, 社外秘, 秘書室, "Confidential" alone, in body, header, footer, comment, title, custom property → clean', async () => {
    const all = unzipSync(bytes('writer-traps.docx'));
    const text = Object.values(all).map((b) => strFromU8(b)).join('\n');
    for (const t of ['秘密保持契約書', '社外秘', '秘書室', 'Confidential']) expect(text).toContain(t);
    expect(await scan('writer-traps.docx')).toMatchObject({ verdict: 'clean', format: 'docx' });
    // and with full-text mode (a designated keyword that is not there), still clean
    expect((await scan('writer-traps.docx', { designated: { keywords: ['極秘プロジェクト'] } })).verdict).toBe('clean');
  });

  it('a docx embedded in a zip is marked with the member path', async () => {
    const z = zipSync({ 'in/footer.docx': bytes('writer-footer-only.docx') });
    expect(await scanBlob(blob(z), 'outer.zip')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      location: { path: ['in/footer.docx'], part: 'word/footer1.xml', area: 'footer' },
    });
  });
});

describe('docx: an embedded workbook (word/embeddings/)', () => {
  it('the stamp in the embedded xlsx marks the docx, with the path and the sheet', async () => {
    const r = await scan('docx-embedded-xlsx.docx');
    expect(r).toMatchObject({
      verdict: 'marked',
      rule: 1,
      format: 'docx',
      location: { path: ['Microsoft_Excel_Worksheet1.xlsx'], sheet: '明細', cell: 'C3' },
    });
  });
  it('an embedded member named 秘—… is marked by name (rule 2)', async () => {
    const b = repack(bytes('writer-plain.docx'), (p) => {
      p['word/embeddings/秘—内訳.xlsx'] = bytes('calc-plain.xlsx');
    });
    expect(await scanBlob(blob(b), 'x.docx')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—内訳.xlsx'] } });
  });
});

describe('docx: sensitivity labels (rule 3)', () => {
  const cases: [string, string][] = [
    ['docx-label-custom.docx', 'docProps/custom.xml'],
    ['docx-label-info.docx', 'docMetadata/LabelInfo.xml'],
  ];
  it.each(cases)('%s carries the label in %s', (name, part) => {
    const parts = unzipSync(bytes(name));
    expect(Object.keys(parts)).toContain(part);
    expect(strFromU8(parts['[Content_Types].xml'])).toContain(`/${part}`);
    expect(strFromU8(parts['_rels/.rels'])).toContain(part);
    expect(strFromU8(parts[part]).toLowerCase()).toContain(LABEL);
  });
  it.each(cases)('%s: clean without a designated label', async (name) => {
    expect((await scan(name)).verdict).toBe('clean');
    expect((await scan(name, { designated: { labels: ['00000000-0000-0000-0000-000000000000', '公開'] } })).verdict).toBe('clean');
  });
  it.each(cases.flatMap(([n, part]) => [LABEL, `{${LABEL}}`, LABEL.toUpperCase(), `{${LABEL.toUpperCase()}}`, ` ${LABEL} `].map((l) => [n, part, l])))(
    '%s (%s): GUID %s → marked rule 3 label',
    async (name, part, label) => {
      expect(await scan(name, { designated: { labels: [label] } })).toMatchObject({
        verdict: 'marked',
        rule: 3,
        reason: 'label',
        location: { path: [], part, area: 'properties' },
      });
    },
  );
  it('custom.xml: the label name (取扱注意) matches too', async () => {
    expect(await scan('docx-label-custom.docx', { designated: { labels: ['取扱注意'] } })).toMatchObject({ verdict: 'marked', rule: 3, reason: 'label', excerpt: '取扱注意' });
  });
  it('LabelInfo.xml with removed="1" is not a label', async () => {
    const b = repack(bytes('docx-label-info.docx'), (p) => {
      p['docMetadata/LabelInfo.xml'] = strToU8(strFromU8(p['docMetadata/LabelInfo.xml']).replace('removed="0"', 'removed="1"'));
    });
    expect((await scanBlob(blob(b), 'x.docx', { designated: { labels: [LABEL] } })).verdict).toBe('clean');
  });
  it('the extractor reports the GUID and the name as labels', async () => {
    const labels = (await collect(extractOoxml, bytes('docx-label-custom.docx'))).filter((x) => x.kind === 'label').map((x) => x.kind === 'label' && x.label);
    expect(labels).toEqual(expect.arrayContaining([LABEL, '取扱注意']));
  });
});

describe('xlsx', () => {
  it('stamp in a shared string on the second sheet → sheet name and cell', async () => {
    expect(await scan('calc-sheet2.xlsx')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      format: 'xlsx',
      location: { path: [], part: 'xl/sharedStrings.xml', sheet: '明細', cell: 'C3', area: 'cells' },
    });
  });
  it('stamp in an inline string (t="inlineStr") on the second sheet → that sheet', async () => {
    const sheet = strFromU8(unzipSync(bytes('xlsx-inline.xlsx'))['xl/worksheets/sheet2.xml']);
    expect(sheet).toContain('t="inlineStr"');
    expect(await scan('xlsx-inline.xlsx')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      location: { part: 'xl/worksheets/sheet2.xml', sheet: 'データ' },
    });
  });
  it('stamp in the page header of a sheet (&C秘 Confidential in <oddHeader>)', async () => {
    expect(strFromU8(unzipSync(bytes('calc-header.xlsx'))['xl/worksheets/sheet1.xml'])).toContain('<oddHeader>&amp;C秘 Confidential</oddHeader>');
    expect(await scan('calc-header.xlsx')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'xl/worksheets/sheet1.xml', sheet: '一覧' } });
  });
  it('the plain workbook is clean; traps (incl. a sheet named 秘書室 and 社外秘 in the header) are clean', async () => {
    expect((await scan('calc-plain.xlsx')).verdict).toBe('clean');
    expect((await scan('calc-traps.xlsx')).verdict).toBe('clean');
    expect((await scan('calc-traps.xlsx', { designated: { keywords: ['極秘プロジェクト'] } })).verdict).toBe('clean');
  });
  it('a sheet named with the stamp (a tab a reader sees; the name is an attribute of xl/workbook.xml) → sheet names', async () => {
    const renamed = (name: string) =>
      repack(bytes('calc-plain.xlsx'), (parts) => {
        const wb = strFromU8(parts['xl/workbook.xml']);
        parts['xl/workbook.xml'] = strToU8(wb.replace(/(<sheet\b[^>]*\bname=")[^"]*"/, `$1${name}"`));
      });
    for (const name of ['秘 Confidential', '㊙&#x3000;Confidential'])
      expect(await scanBlob(blob(renamed(name)), 'book.xlsx')).toMatchObject({ verdict: 'marked', rule: 1, location: { part: 'xl/workbook.xml', area: 'sheet names' } });
    expect((await scanBlob(blob(renamed('秘書室 Confidential')), 'book.xlsx')).verdict).toBe('clean');
  });
  it('full-text mode: a designated keyword in a cell of the second sheet → rule 3', async () => {
    expect(await scan('calc-plain.xlsx', { designated: { keywords: ['marker-inline'] } })).toMatchObject({ verdict: 'marked', rule: 3, reason: 'keyword', location: { part: 'xl/sharedStrings.xml' } });
    expect((await scan('calc-plain.xlsx', { designated: { patterns: ['MARKER-\\w+LINE'] } })).verdict).toBe('marked');
  });
});

describe('xlsx: a stamp split across neighbouring cells of a row (as xlsb reads it)', () => {
  const XLSB = join(__dirname, '../fixtures/xlsb');
  const xlsb = (n: string) => scanBlob(blob(new Uint8Array(readFileSync(join(XLSB, n)))), n);

  it('秘 | Confidential in neighbouring cells (shared strings, LibreOffice) → marked at the 秘 cell, as the xlsb of the same form', async () => {
    const r = await scan('calc-split.xlsx');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, format: 'xlsx', location: { part: 'xl/worksheets/sheet2.xml', area: 'cells', sheet: '様式', cell: 'B2' } });
    const b = await xlsb('xlsb-split-shared.xlsb');
    expect(b).toMatchObject({ verdict: 'marked', location: { sheet: '様式', cell: 'B2' } });
    expect(r.verdict === 'marked' && r.excerpt).toBe(b.verdict === 'marked' && b.excerpt);
  });

  it('the same with 秘 as an inline string beside shared neighbours, and with designated keywords (full text)', async () => {
    const inline = repack(bytes('calc-split.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet2.xml']);
      const edited = sheet.replace(/<c r="B2"([^>]*) t="s"><v>4<\/v><\/c>/, '<c r="B2"$1 t="inlineStr"><is><t>秘</t></is></c>');
      expect(edited).not.toBe(sheet);
      p['xl/worksheets/sheet2.xml'] = strToU8(edited);
    });
    expect(await scanBlob(blob(inline), 'x.xlsx')).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: '様式', cell: 'B2' } });
    expect(await scan('calc-split.xlsx', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'marked', rule: 1, location: { cell: 'B2' } });
  });

  it('neighbours that are no stamp (社外秘 | 注意 | Confidential, 秘密保持 | | Confidential, 秘書室 | Strictly confidential, 秘 | | Confidential) → clean, as in xlsb', async () => {
    expect(await scan('calc-split-traps.xlsx')).toMatchObject({ verdict: 'clean', format: 'xlsx' });
    expect(await scan('calc-split-traps.xlsx', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'clean' });
    expect(await xlsb('xlsb-split-traps.xlsb')).toMatchObject({ verdict: 'clean' });
  });

  it('a merged cell stands next to the cell after the columns it covers: 秘 merged over B2:C2 beside Confidential in D2 → marked at B2 (LibreOffice xlsx)', async () => {
    const r = await scan('calc-merged.xlsx');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, format: 'xlsx', location: { sheet: '様式', cell: 'B2' } });
    // The same sheet without its merge is a gap (秘 | (empty) | Confidential): clean. So the merge is what marks it.
    const unmerged = repack(bytes('calc-merged.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      const edited = sheet.replace(/<mergeCells[\s\S]*?<\/mergeCells>/, '');
      expect(edited).not.toBe(sheet);
      p['xl/worksheets/sheet1.xml'] = strToU8(edited);
    });
    expect(await scanBlob(blob(unmerged), 'x.xlsx')).toMatchObject({ verdict: 'clean' });
    // Read whole (designated keywords) and with a prefixed namespace, the same.
    expect(await scan('calc-merged.xlsx', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'marked', rule: 1, location: { cell: 'B2' } });
  });

  it('a merge cut by the chunk boundary of a large sheet is still found (the rows stream by before it)', async () => {
    const big = repack(bytes('calc-merged.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      // Rows of numbers after the stamp row push the merge list past several stream chunks.
      const filler = Array.from({ length: 40_000 }, (_, i) => `<row r="${i + 3}"><c r="A${i + 3}"><v>${i}</v></c></row>`).join('');
      p['xl/worksheets/sheet1.xml'] = strToU8(sheet.replace('</sheetData>', `${filler}</sheetData>`));
    });
    expect(await scanBlob(blob(big), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'B2' } });
  });

  it('a <mergeCell> cut anywhere between two chunks is still read', async () => {
    const parts = unzipSync(bytes('calc-merged.xlsx'));
    const items = Array.from(strFromU8(parts['xl/sharedStrings.xml']).matchAll(/<si>([\s\S]*?)<\/si>/g), (m) => m[1].replace(/<[^>]+>/g, ''));
    const sheet = parts['xl/worksheets/sheet1.xml'];
    const at = strFromU8(sheet).indexOf('<mergeCell ');
    expect(at).toBeGreaterThan(0);
    for (let cut = at - 2; cut < at + 30; cut++) {
      const rows = new XlsxRows(items, new Set([items.indexOf('秘')]), { part: 'p' });
      rows.push(sheet.subarray(0, cut), true);
      rows.push(sheet.subarray(cut), false);
      rows.joinMerged();
      expect(rows.rows.take().map((e) => (e.kind === 'text' ? e.text : ''))).toContain('注記 秘 Confidential');
    }
  });

  it('the same row content unmerged first (a trap) and merged further down → marked at the merged row (rows are told apart by number)', async () => {
    const moved = (inline: boolean) =>
      repack(bytes('calc-merged.xlsx'), (p) => {
        let sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
        if (inline) sheet = sheet.replace(/<c r="B2"([^>]*) t="s"><v>3<\/v><\/c>/, '<c r="B2"$1 t="inlineStr"><is><t>秘</t></is></c>');
        const row2 = /<row r="2"[\s\S]*?<\/row>/.exec(sheet)![0];
        const row5 = row2.replace(/r="2"/, 'r="5"').replace(/r="([A-D])2"/g, 'r="$15"');
        const edited = sheet.replace(row2, row2 + row5).replace('<mergeCell ref="B2:C2"/>', '<mergeCell ref="B5:C5"/>');
        expect(edited).toContain('<mergeCell ref="B5:C5"/>');
        p['xl/worksheets/sheet1.xml'] = strToU8(edited);
        if (inline) {
          // No shared string may hold 秘 now: they are not loaded while the sheet streams (its rows wait for them).
          p['xl/sharedStrings.xml'] = strToU8(strFromU8(p['xl/sharedStrings.xml']).replace('<t xml:space="preserve">秘</t>', '<t xml:space="preserve">x</t>').replace('<t>秘</t>', '<t>x</t>'));
        }
      });
    expect(await scanBlob(blob(moved(false)), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'B5' } });
    expect(await scanBlob(blob(moved(true)), 'x.xlsx')).toMatchObject({ verdict: 'marked', location: { cell: 'B5' } });
  });

  it('merges that do not bring 秘 next to Confidential (a gap left, a merge of other cells, a cell between, Confidential merged) → clean', async () => {
    expect(await scan('calc-merged-traps.xlsx')).toMatchObject({ verdict: 'clean', format: 'xlsx' });
    expect(await scan('calc-merged-traps.xlsx', { designated: { keywords: ['存在しない語'] } })).toMatchObject({ verdict: 'clean' });
  });

  it('inline cells are kept apart: 秘 in A1 and Confidential in A2 (or C1) are no stamp', async () => {
    const apart = repack(bytes('calc-split-traps.xlsx'), (p) => {
      const sheet = strFromU8(p['xl/worksheets/sheet1.xml']);
      const cell = (ref: string, t: string) => `<c r="${ref}" t="inlineStr"><is><t>${t}</t></is></c>`;
      const rows = `<row r="9">${cell('A9', '秘')}</row><row r="10">${cell('A10', 'Confidential')}${cell('C10', '秘')}</row><row r="11">${cell('A11', '社外秘')}${cell('C11', 'confidential')}</row>`;
      p['xl/worksheets/sheet1.xml'] = strToU8(sheet.replace('</sheetData>', `${rows}</sheetData>`));
    });
    expect(await scanBlob(blob(apart), 'x.xlsx')).toMatchObject({ verdict: 'clean' });
  });
});

describe('pptx', () => {
  it('stamp in a text box of slide 3 → slide 3', async () => {
    expect(await scan('impress-slide3.pptx')).toMatchObject({
      verdict: 'marked',
      rule: 1,
      format: 'pptx',
      location: { path: [], part: 'ppt/slides/slide3.xml', slide: 3, area: 'slide' },
    });
  });
  it('stamp in the speaker notes of slide 2 → slide 2, notes', async () => {
    const r = await scan('impress-notes.pptx');
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, location: { slide: 2, notes: true, area: 'notes' } });
    expect(r.verdict === 'marked' && r.location.part).toMatch(/^ppt\/notesSlides\/notesSlide\d+\.xml$/);
  });
  it('notes: the slide number comes from the relationship, not the notes part number', async () => {
    const b = repack(bytes('impress-notes.pptx'), (p) => {
      // Renumber the notes part: notesSlide2.xml → notesSlide7.xml; its rels still point at slide2.xml.
      p['ppt/notesSlides/notesSlide7.xml'] = p['ppt/notesSlides/notesSlide2.xml'];
      p['ppt/notesSlides/_rels/notesSlide7.xml.rels'] = p['ppt/notesSlides/_rels/notesSlide2.xml.rels'];
      delete p['ppt/notesSlides/notesSlide2.xml'];
      delete p['ppt/notesSlides/_rels/notesSlide2.xml.rels'];
    });
    expect(await scanBlob(blob(b), 'x.pptx')).toMatchObject({ verdict: 'marked', location: { part: 'ppt/notesSlides/notesSlide7.xml', slide: 2, notes: true } });
  });
  it('traps on slides and in notes → clean', async () => {
    expect((await scan('impress-traps.pptx')).verdict).toBe('clean');
    expect((await scan('impress-traps.pptx', { designated: { keywords: ['極秘プロジェクト'] } })).verdict).toBe('clean');
  });
});

describe('extractOoxml details', () => {
  it('skips styles, themes, settings and relationships', async () => {
    const parts = new Set(
      (await collect(extractOoxml, bytes('writer-traps.docx'), testContext({ fullText: true }))).flatMap((x) => (x.kind === 'text' && x.where.part ? [x.where.part] : [])),
    );
    expect(parts.has('word/document.xml')).toBe(true);
    for (const p of parts) expect(p).not.toMatch(/styles\.xml$|theme|settings\.xml$|fontTable|\.rels$|\[Content_Types\]/);
  });
  it('a stamp in styles.xml (not text a reader sees) does not mark the document', async () => {
    const b = repack(bytes('writer-plain.docx'), (p) => {
      p['word/styles.xml'] = strToU8(strFromU8(p['word/styles.xml']).replace('</w:styles>', '<!-- 秘 Confidential --></w:styles>'));
    });
    expect((await scanBlob(blob(b), 'x.docx')).verdict).toBe('clean');
  });
  it('a truncated docx is unscannable (corrupt), never a throw; its parts before the cut are read, so a stamp in them still marks it', async () => {
    const plain = bytes('writer-plain.docx');
    expect(await scanBlob(blob(plain.subarray(0, plain.length - 200)), 'cut.docx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const b = bytes('writer-footer-only.docx');
    expect(await scanBlob(blob(b.subarray(0, b.length - 200)), 'cut.docx')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});

describe('tracked changes', () => {
  const withBody = (body: string) =>
    repack(bytes('writer-plain.docx'), (p) => {
      p['word/document.xml'] = strToU8(strFromU8(p['word/document.xml']).replace(/<w:body>[\s\S]*<\/w:body>/, `<w:body>${body}<w:sectPr/></w:body>`));
    });
  const run = (t: string) => `<w:r><w:t xml:space="preserve">${t}</w:t></w:r>`;
  const del = (t: string) => `<w:del w:id="1" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>${t}</w:delText></w:r></w:del>`;

  it('a deleted run between 秘 and the word hides nothing: the document as accepted reads 秘 Confidential', async () => {
    expect((await scanBlob(blob(withBody(`<w:p>${run('秘')}${del('書室')}${run(' Confidential')}</w:p>`)), '報告.docx')).verdict).toBe('marked');
    // A deleted paragraph mark (self-closing w:del in the run properties) removes no text.
    const mark = `<w:p><w:pPr><w:rPr><w:del w:id="2" w:author="a" w:date="2026-01-01T00:00:00Z"/></w:rPr></w:pPr>${run('秘書室')}</w:p><w:p>${run('Confidential の連絡')}${del('x')}</w:p>`;
    expect((await scanBlob(blob(withBody(mark)), '報告.docx')).verdict).toBe('clean');
    expect((await scanBlob(blob(withBody(`<w:p>${run('秘書室')}${del('の')}${run(' Confidential')}</w:p>`)), '報告.docx')).verdict).toBe('clean');
  });
});

describe('an SVG picture inside a document is markup, its text read (Office and Impress insert icons and logos as SVG)', () => {
  const svg = (text: string) => new TextEncoder().encode(`<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="30"><tspan>${text.split(' ')[0]}</tspan> <tspan>${text.split(' ')[1]}</tspan></text></svg>`);
  const withPart = async (fixture: string, part: string, bytes: Uint8Array<ArrayBuffer>) => {
    const files = unzipSync(new Uint8Array(readFileSync(join(__dirname, '../fixtures/office', fixture))));
    files[part] = bytes;
    return scanBlob(new Blob([zipSync(files)]), fixture);
  };
  it('in word/media of a .docx and Pictures/ of an .odt: a stamp in an SVG is found; a clean SVG stays clean', async () => {
    expect(await withPart('writer-plain.docx', 'word/media/image9.svg', svg('秘 Confidential'))).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await withPart('writer-plain.docx', 'word/media/image9.svg', svg('秘書室 Confidential'))).toMatchObject({ verdict: 'clean' });
    expect(await withPart('writer-plain.odt', 'Pictures/logo.svg', svg('秘 Confidential'))).toMatchObject({ verdict: 'marked', rule: 1 });
  });
});
