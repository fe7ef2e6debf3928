/**
 * PDF bookmarks, attachments and form fields, made by Ghostscript (pdfmark), qpdf (--add-attachment),
 * pdftk (attach_files … to_page) and LibreOffice (form export): see test/fixtures/pdf-parts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';
import { collect } from '../support/extract.js';

const FIX = join(__dirname, '../fixtures/pdf-parts');
const bytes = (n: string) => new Uint8Array(readFileSync(join(FIX, n)));
const scan = (b: Uint8Array, name: string, opts = {}) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), name, opts);
const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

describe('PDF outlines (bookmarks)', () => {
  it('outline-stamp.pdf: the stamp only in a UTF-16BE bookmark title → marked, bookmarks', async () => {
    expect(await scan(bytes('outline-stamp.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'bookmarks' } });
  });
  it('a PDFDocEncoding bookmark title matches a designated keyword', async () => {
    expect(await scan(bytes('outline-traps.pdf'), 'a.pdf', { designated: { keywords: ['Strictly confidential'] } })).toMatchObject({
      verdict: 'marked',
      rule: 3,
      location: { area: 'bookmarks' },
    });
  });
  it('outline-traps.pdf (社外秘の資料, 秘密保持契約) → clean', async () => {
    expect(await scan(bytes('outline-traps.pdf'), 'a.pdf')).toMatchObject({ verdict: 'clean' });
  });
  it('a bookmark cycle (/Next pointing back) ends, and the titles are still read', async () => {
    // Point the last bookmark's /Next at the first: same length, so the xref stays valid.
    const s = latin1(bytes('outline-stamp.pdf'));
    const m = /\/Last (\d+) 0 R/.exec(s)!;
    const firstNum = /\/First (\d+) 0 R/.exec(s)![1];
    const lastObj = new RegExp(`\\n${m[1]} 0 obj\\s*<<`).exec(s)!;
    const patched = s.slice(0, lastObj.index) + s.slice(lastObj.index).replace(/\/Prev (\d+) 0 R/, (all) => `/Next ${firstNum} 0 R`.padEnd(all.length));
    expect(patched).not.toBe(s);
    expect(patched.length).toBe(s.length);
    const r = await scan(Uint8Array.from(patched, (c) => c.charCodeAt(0)), 'a.pdf');
    expect(r.verdict).toBe('marked');
  });
});

describe('PDF attachments: scanned as members, names checked (rule 2)', () => {
  it('attach-content.pdf: a qpdf attachment with the stamp → marked inside the member', async () => {
    expect(await scan(bytes('attach-content.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['補足.txt'] } });
  });
  it('attach-name.pdf: an attachment named 秘—設計書.txt → marked rule 2', async () => {
    expect(await scan(bytes('attach-name.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—設計書.txt'] } });
  });
  it('attach-annot.pdf: a pdftk /FileAttachment annotation → marked', async () => {
    expect(latin1(bytes('attach-annot.pdf'))).toContain('/FileAttachment');
    expect(await scan(bytes('attach-annot.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', location: { path: ['補足.txt'] } });
  });
  it('attach-zip.pdf: a zip attachment is opened recursively', async () => {
    expect(await scan(bytes('attach-zip.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', location: { path: ['内訳.zip', '内訳.txt'] } });
  });
  it('attach-clean.pdf → clean; the extractor yields its member', async () => {
    expect(await scan(bytes('attach-clean.pdf'), 'a.pdf')).toMatchObject({ verdict: 'clean' });
    const items = await collect(extractPdf, bytes('attach-clean.pdf'));
    const members = items.filter((x) => x.kind === 'member');
    expect(members.map((x) => x.kind === 'member' && x.name)).toEqual(['補足.txt', 'clean.txt']);
    // Its other name (the file spec's /F beside /UF) is checked by name alone: it is the same file.
    expect(members.map((x) => x.kind === 'member' && x.nameOnly === true)).toEqual([false, true]);
  });
  it('an attachment whose stream cannot be decoded → unscannable, its name still checked', async () => {
    // Damage the attachment's Flate data: same length, so offsets stay valid.
    const s = latin1(bytes('attach-name.pdf'));
    const at = s.indexOf('/Type /EmbeddedFile');
    const st = s.indexOf('stream', at) + 8;
    const b = bytes('attach-name.pdf');
    const clean = bytes('attach-clean.pdf');
    const cs = latin1(clean);
    const cst = cs.indexOf('stream', cs.indexOf('/Type /EmbeddedFile')) + 8;
    expect(st).toBeGreaterThan(8);
    clean.fill(0xff, cst, cst + 6);
    b.fill(0xff, st, st + 6);
    expect(await scan(b, 'a.pdf')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan(clean, 'a.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('補足.txt') });
  });
});

describe('PDF annotations and form fields', () => {
  it('annot-contents.pdf: a Ghostscript text annotation /Contents → marked on page 1', async () => {
    expect(await scan(bytes('annot-contents.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', location: { page: 1 } });
  });
  it('form-value.pdf: a LibreOffice form field value → marked', async () => {
    expect(await scan(bytes('form-value.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', rule: 1 });
  });
  it('form-tooltip.pdf: the field tooltip (/TU) → marked, form', async () => {
    expect(await scan(bytes('form-tooltip.pdf'), 'a.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'form' } });
  });
  it('form-clean.pdf → clean', async () => {
    expect(await scan(bytes('form-clean.pdf'), 'a.pdf')).toMatchObject({ verdict: 'clean' });
  });
});
