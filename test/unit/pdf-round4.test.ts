// PDF red-team round 4 (fixtures in test/fixtures/pdf/round4, written by its make.py; README there).
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanBlob } from '../../src/detect/index.js';
import { xmpPacketText } from '../../src/detect/extract/pdf.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf/round4');
const bytes = (name: string) => readFile(resolve(FIX, name));
const scan = async (name: string) => scanBlob(new Blob([new Uint8Array(await bytes(name))]), name);
const verdict = async (name: string) => (await scan(name)).verdict;

describe('streams that cannot be read are said, not taken as empty (round 4: damaged → clean)', () => {
  it('page content labelled /DCTDecode or /JBIG2Decode (an image codec) is unscannable, stamp or trap', async () => {
    expect(await scan('d-content-dct.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await verdict('d-content-jbig2.pdf')).toBe('unscannable');
    expect(await verdict('d-content-dct-trap.pdf')).toBe('unscannable');
  });
  it("a Stamp annotation's appearance stream in /DCTDecode is unscannable", async () => {
    expect(await verdict('d-annot-ap-dct.pdf')).toBe('unscannable');
  });
  it('a photo (an image XObject in DCT) beside 秘書室 text stays clean', async () => {
    expect(await verdict('x-image-dct.pdf')).toBe('clean');
  });
  it("a font's ToUnicode map the cross-reference lists but that cannot be read where it is (its bytes overwritten) is unscannable, not clean", async () => {
    // LibreOffice's PDF: 秘 in DejaVu Sans, 「Confidential」 in Liberation Serif, each a subset mapped by a ToUnicode stream.
    const pdf = Buffer.from(await readFile(resolve(FIX, '../no-cjk-font-stamp.pdf')));
    expect(await scanBlob(new Blob([new Uint8Array(pdf)]), 'a.pdf')).toMatchObject({ verdict: 'marked' });
    const second = (key: string) => Number([...pdf.toString('latin1').matchAll(new RegExp(`/${key} (\\d+) 0 R`, 'g'))][1][1]);
    const from = pdf.indexOf(`\n${second('FontDescriptor')} 0 obj`) + 1;
    const to = pdf.indexOf(`\n${second('ToUnicode')} 0 obj`) + 64;
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    // A disk or transfer error over the Latin font's descriptor and map: pdftotext shows only 秘. (With
    // the descriptor whole, its flags already said the codes are glyph numbers: unscannable before too.)
    pdf.fill(0, from, to);
    expect(await scanBlob(new Blob([new Uint8Array(pdf)]), 'a.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it("an annotation whose dictionary is broken (a byte over the / of its /Subj key, where the stamp is) is unscannable, not clean (pdftotext: 'Dictionary key must be a name object')", async () => {
    const pdf = Buffer.from(await readFile(resolve(FIX, '../annot-subject-stamp.pdf')));
    pdf[pdf.indexOf('/Subj(')] = 0xb3;
    expect(await scanBlob(new Blob([new Uint8Array(pdf)]), 'a.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('broken syntax') });
    // A hex string with bytes no hex string holds: the same.
    const hex = Buffer.from(await readFile(resolve(FIX, '../annot-subject-stamp.pdf')));
    const subj = hex.indexOf('/Subj(');
    hex.write('/Subj<FEFF79D8zz>', subj, 'latin1');
    expect(await scanBlob(new Blob([new Uint8Array(hex)]), 'a.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
  it("a ToUnicode map with an entry that does not parse (a byte over a hex digit: pdftotext's 'Illegal entry in bfchar block') is unscannable, not clean", async () => {
    const pdf = Buffer.from(await readFile(resolve(FIX, 'm-tu-over-unicmap.pdf')));
    expect(await scanBlob(new Blob([new Uint8Array(pdf)]), 'a.pdf')).toMatchObject({ verdict: 'marked' });
    const at = pdf.indexOf('<0049> <0065>');
    expect(at).toBeGreaterThan(0);
    pdf.write('%', at + 11, 'latin1'); // <0065> → <006%>: the code for 「e」 of Confidential maps to nothing known
    expect(await scanBlob(new Blob([new Uint8Array(pdf)]), 'a.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('character map') });
  });
  it('XMP metadata with broken Flate data or an unknown filter is unscannable (properties)', async () => {
    expect(await scan('d-xmp-corrupt.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', location: { area: 'properties' } });
    expect(await verdict('d-xmp-unknown-filter.pdf')).toBe('unscannable');
  });
});

describe('annotation appearances are laid out with the page\'s text, at their /Rect (round 4 A1)', () => {
  it('秘 in the page, 「Confidential」 in a Stamp, FreeText or text-field appearance beside it: marked (pdftotext: 秘 Confidential)', async () => {
    for (const name of ['m-page-plus-stamp-ap.pdf', 'm-page-plus-freetext-ap.pdf', 'm-page-plus-field-ap.pdf']) {
      expect(await scan(name), name).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    }
  });
  it('the appearance in Helvetica (no 秘 in its font), or placed through a /BBox and /Matrix of its own: marked', async () => {
    expect(await verdict('m-page-plus-stamp-ap-helvetica.pdf')).toBe('marked');
    expect(await verdict('m-page-plus-stamp-ap-matrix.pdf')).toBe('marked');
  });
  it('a stamp drawing 秘 left of a page in Helvetica only: marked', async () => {
    expect(await verdict('m-stamp-ap-plus-page.pdf')).toBe('marked');
  });
  it('秘書室 in the page beside the stamp, or the stamp far from 秘: clean', async () => {
    expect(await verdict('k-page-plus-stamp-ap.pdf')).toBe('clean');
    expect(await verdict('k-page-plus-stamp-ap-far.pdf')).toBe('clean');
  });
});

describe('a PDF behind more than a KiB of text or junk is read as the PDF (round 4 A2)', () => {
  it('behind a saved HTTP response, a log, an HTML page or 20,000 NULs: read as a PDF, marked (pdftotext reads them)', async () => {
    for (const name of ['m-behind-http-response.pdf', 'm-behind-log-lines.txt', 'm-behind-html.html', 'm-behind-nuls.pdf']) {
      // Text before the PDF is read as text too ('text-pdf'), a page as a page ('html-pdf'); junk before it is not text ('pdf').
      const format = name.includes('nuls') ? 'pdf' : name.endsWith('.html') ? 'html-pdf' : 'text-pdf';
      expect(await scan(name), name).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential'), format });
    }
  });
  it('the 秘書室 twin is clean, read as a PDF', async () => {
    expect(await scan('k-behind-http-response.pdf')).toMatchObject({ verdict: 'clean', format: expect.stringMatching(/pdf$/) });
  });
  it('the text before such a PDF is read too: a stamp there, which an editor shows, is marked', async () => {
    const trap = Buffer.from(await bytes('k-behind-http-response.pdf'));
    const pdf = trap.subarray(trap.indexOf('%PDF-'));
    const log = Buffer.from('秘 Confidential 取扱注意\n' + '2026-12-06 10:00:00 upload ok\n'.repeat(80));
    expect(await scanBlob(new Blob([new Uint8Array(Buffer.concat([log, pdf]))]), 'upload.log')).toMatchObject({ verdict: 'marked', format: 'text-pdf', location: { path: [] } });
    expect(await scanBlob(new Blob([new Uint8Array(Buffer.concat([Buffer.from(log.toString().replace('秘 ', '秘書室 ')), pdf]))]), 'upload.log')).toMatchObject({ verdict: 'clean' });
  });
  it('a page before such a PDF is read as the page a browser shows: 秘 as a character reference, Confidential split by a tag', async () => {
    // A PDF as Chromium writes it (compressed, binary): the file is no longer text, so only a reading of the page finds the stamp.
    const pdf = await bytes('../chromium-letter-spaced-trap.pdf');
    const page = (words: string) => Buffer.from(`<!doctype html><html><body><p>${words}</p><p>${'本日の議事録です。'.repeat(200)}</p></body></html>\n`);
    const scanPage = (words: string) => scanBlob(new Blob([new Uint8Array(Buffer.concat([page(words), pdf]))]), '議事録.html');
    expect(await scanPage('&#x79D8; <b>Conf</b>idential')).toMatchObject({ verdict: 'marked', format: 'html-pdf', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await scanPage('&#x79D8;書室 <b>Conf</b>idential')).toMatchObject({ verdict: 'clean', format: 'html-pdf' });
  });
  it('a text that mentions %PDF- and %%EOF but does not end as a PDF stays text', async () => {
    expect(await scan('x-text-mentions-pdf.txt')).toMatchObject({ verdict: 'clean', format: 'text' });
  });
});

describe('every stream and every name of an embedded file, and associated files (round 4 A3, A7, /AF)', () => {
  it('/EF with /F (「秘 Confidential」, what pdfdetach saves) and /UF (「hello」): both read, marked; the 秘書室 twin clean', async () => {
    expect(await scan('m-ef-two-streams.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await verdict('k-ef-two-streams.pdf')).toBe('clean');
  });
  it('the name only in /DOS (C-PLAN.TXT) or /Unix (秘—設計書.txt) is checked; /DOS CV-2024.TXT is not marked', async () => {
    expect(await scan('m-ef-dos-name.pdf')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('m-ef-unix-name.pdf')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await verdict('k-ef-dos-name.pdf')).toBe('clean');
  });
  it("a related file (/RF, a Mac file's resource fork) is read", async () => {
    expect(await verdict('m-ef-related-file.pdf')).toBe('marked');
  });
  it('files referenced only from /AF (the catalog, a page, an annotation) are attachments', async () => {
    expect(await scan('m-ef-af-catalog.pdf')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('m-ef-af-page.pdf')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('m-ef-af-annot-content.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await verdict('k-ef-af-catalog.pdf')).toBe('clean');
  });
});

describe('XMP as XMP writers write it (round 4 A5)', () => {
  it('a value as an attribute (pdf:Keywords="…", also after a value holding >), with a character reference, in CDATA: marked', async () => {
    for (const name of ['m-xmp-attr.pdf', 'm-xmp-attr-gt.pdf', 'm-xmp-attr-entity.pdf', 'm-xmp-cdata.pdf', 'm-xmp-elem-entity.pdf']) {
      expect(await scan(name), name).toMatchObject({ verdict: 'marked', location: { area: 'properties' }, excerpt: expect.stringContaining('秘 Confidential') });
    }
  });
  it('a packet in UTF-16 (little-endian with a BOM, big-endian without): marked', async () => {
    expect(await verdict('m-xmp-utf16le-bom.pdf')).toBe('marked');
    expect(await verdict('m-xmp-utf16be.pdf')).toBe('marked');
  });
  it('秘書室 Confidential as an attribute, or in CDATA in UTF-16: clean', async () => {
    expect(await verdict('k-xmp-attr.pdf')).toBe('clean');
    expect(await verdict('k-xmp-cdata-utf16.pdf')).toBe('clean');
  });
  it('namespace declarations, xml:lang and rdf:about are no text; a hostile packet is read in one pass', async () => {
    expect(xmpPacketText('<rdf:li xml:lang="x-default" xmlns:a="秘">Confidential</rdf:li>')).toBe('Confidential');
    const t = Date.now();
    xmpPacketText('<a b="'.repeat(300_000) + '<![CDATA['.repeat(300_000) + '<'.repeat(1_000_000));
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

describe('form values given as streams, rich values and every button caption (round 4 A6, A8)', () => {
  it('a text field whose /V is a stream (UTF-16 with a BOM; UTF-8 in Flate): marked; 秘書室 twin clean', async () => {
    expect(await verdict('m-form-stream-value.pdf')).toBe('marked');
    expect(await verdict('m-form-stream-value-utf8.pdf')).toBe('marked');
    expect(await verdict('k-form-stream-value.pdf')).toBe('clean');
  });
  it('a value stream that cannot be decoded: unscannable', async () => {
    expect(await verdict('d-form-stream-value-corrupt.pdf')).toBe('unscannable');
  });
  it('a rich-text field\'s /RV (a string with a reference, a stream): marked', async () => {
    expect(await verdict('m-form-rv-only.pdf')).toBe('marked');
    expect(await verdict('m-form-rv-stream.pdf')).toBe('marked');
  });
  it("a push button's rollover (/RC) and down (/AC) captions: marked", async () => {
    expect(await verdict('m-form-btn-rollover.pdf')).toBe('marked');
    expect(await verdict('m-form-btn-down.pdf')).toBe('marked');
  });
  it('widgets in no /AcroForm /Fields: a button caption, a value stream are read; 秘書室 caption clean', async () => {
    expect(await verdict('m-annot-button-caption.pdf')).toBe('marked');
    expect(await verdict('m-annot-field-stream-value.pdf')).toBe('marked');
    expect(await verdict('k-annot-button-caption.pdf')).toBe('clean');
  });
});

describe('a ToUnicode map over a predefined Unicode CMap is read as a second reading (round 4 A4)', () => {
  it('codes ABCDEFGHIJKLMN (what the page shows) mapped to 「秘 Confidential」 (what pdftotext and pdf.js give): marked', async () => {
    expect(await scan('m-tu-over-unicmap.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await verdict('m-tu-over-unicmap-utf16.pdf')).toBe('marked');
  });
  it('mapped to 「秘書室 Confidential」: clean (neither reading is the stamp)', async () => {
    expect(await verdict('k-tu-over-unicmap.pdf')).toBe('clean');
  });
});

describe('alternative text given as an object of its own (round 4, Tier B)', () => {
  it('/Alt 82 0 R and /ActualText 82 0 R, the string in object 82: marked; 秘書室 twin clean', async () => {
    expect(await scan('m-struct-alt-indirect.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'alternative text' } });
    expect(await verdict('m-struct-actualtext-indirect.pdf')).toBe('marked');
    expect(await verdict('k-struct-alt-indirect.pdf')).toBe('clean');
  });
});

describe('page label prefixes and portfolio columns (round 4, Tier B)', () => {
  it("/PageLabels prefixes (the viewer's page box: 「秘 Confidential-1」), also under /Kids: marked; 秘書室 twin clean", async () => {
    expect(await scan('m-pagelabel-prefix.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'page labels' } });
    expect(await verdict('m-pagelabel-kids.pdf')).toBe('marked');
    expect(await verdict('k-pagelabel-prefix.pdf')).toBe('clean');
  });
  it("a portfolio column's value in the file spec's /CI: marked; 秘書室 twin clean", async () => {
    expect(await scan('m-portfolio-ci-field.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'attachments' } });
    expect(await verdict('k-portfolio-ci-field.pdf')).toBe('clean');
  });
});

describe('a stamp split by a page break (round 4 A9)', () => {
  it('「秘」 the last line of page 1, 「Confidential」 the first of page 2 (pdftotext: 秘, a form feed, Confidential): marked, also when page 2 has Helvetica only', async () => {
    expect(await scan('m-split-across-pages.pdf')).toMatchObject({ verdict: 'marked', location: { page: 2 } });
    expect(await verdict('m-split-across-pages-helvetica.pdf')).toBe('marked');
  });
  it('秘書室 at the foot of page 1, or other text at the head of page 2: clean', async () => {
    expect(await verdict('k-split-across-pages.pdf')).toBe('clean');
    expect(await verdict('k-split-across-pages-far.pdf')).toBe('clean');
  });
});

describe('a message the document shows when it opens (round 4, Tier B)', () => {
  it("app.alert(\"秘 Confidential\") in the /OpenAction, or app.alert({cMsg: \"\\u79D8 Confidential\"}) in a /Names /JavaScript stream: marked", async () => {
    expect(await scan('m-js-openaction-alert.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'scripts' } });
    expect(await verdict('m-js-names-alert-stream.pdf')).toBe('marked');
  });
  it("app.alert('秘書室 Confidential'): clean", async () => {
    expect(await verdict('k-js-openaction-alert.pdf')).toBe('clean');
  });
});
