// Damaged copies of marked PDF fixtures that were `clean` (scripts/mutants.ts, seed 515151): each damage is
// one a disk or a transfer does (a bit flipped, a byte inverted, 512 bytes zeroed), written here at the
// place it struck, and each copy is now unscannable, or marked where the stamp survived and a reader shows it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf');
/** A fixture with bytes replaced: [offset, the byte there, the byte written] (the old byte is checked, so the place cannot drift). */
const damaged = (name: string, edits: [number, string | number, number][]): Uint8Array => {
  const b = new Uint8Array(readFileSync(resolve(FIX, name)));
  for (const [at, was, now] of edits) {
    expect(b[at]).toBe(typeof was === 'string' ? was.charCodeAt(0) : was);
    b[at] = now;
  }
  return b;
};
const scan = (b: Uint8Array) => scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), 'x.pdf');

describe('PDF damage that was read as clean', () => {
  it("a stamp appearance whose /Resources key lost a byte (/Resouvces) draws its 秘 with the page's fonts, which lack its /F1: unscannable (mut4)", async () => {
    // pdftotext: "Unknown font tag 'F1'", "No font in show": the 秘 beside the page's 「Confidential」 is not drawn.
    // The appearance was passed over, its borrowed fonts (Helvetica) unable to give 秘, and the file was clean.
    expect(await scan(damaged('round4/m-stamp-ap-plus-page.pdf', []))).toMatchObject({ verdict: 'marked' });
    expect(await scan(damaged('round4/m-stamp-ap-plus-page.pdf', [[1481, 'r', 0x76]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    // Beside it: drawn in /F2, a font the page does have, the appearance is read whole and shows no 秘: clean.
    expect(await scan(damaged('round4/m-stamp-ap-plus-page.pdf', [[1481, 'r', 0x76], [1540, '1', 0x32]]))).toMatchObject({ verdict: 'clean' });
  });

  it('a stray byte inside a number of a Type3 font’s /Widths (qpdf: "unknown token") is broken syntax: unscannable', async () => {
    // "0 0" became "0\xDF0", read as one 0: the widths after it shifted, a space fell inside 「Confidential」.
    expect(await scan(damaged('round3/chromium-badge-relative-S.pdf', []))).toMatchObject({ verdict: 'marked' });
    expect(await scan(damaged('round3/chromium-badge-relative-S.pdf', [[15770, ' ', 0xdf]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('broken syntax') });
  });

  it('an XMP packet with one byte that is not UTF-8 is still read as UTF-8, as pdfinfo -meta shows it: marked', async () => {
    // A 1 of the RDF namespace's 1999 and the > of the CDATA's ]]> damaged: the packet was taken for
    // Shift_JIS and 秘 read as 遘.
    expect(await scan(damaged('round4/m-xmp-cdata.pdf', [[1612, '1', 0xce], [1795, '>', 0xc1]]))).toMatchObject({ verdict: 'marked', location: { area: 'properties' } });
  });

  it("a form field's rich value (XHTML) with a damaged byte is still read as UTF-8 beside PDFDocEncoding: marked", async () => {
    expect(await scan(damaged('round4/m-form-rv-stream.pdf', [[1726, 'p', 0x8f]]))).toMatchObject({ verdict: 'marked' });
  });

  it('a stream whose /Length lost a digit to a ">" (stray bytes before its stream keyword) is read and said damaged', async () => {
    expect(await scan(damaged('round4/m-page-plus-stamp-ap.pdf', [[2549, '6', 0x3e]]))).toMatchObject({ verdict: 'marked' });
  });

  it('the trailer overwritten by zeros (pdfinfo: "Couldn\'t find trailer dictionary"): the title it led to is lost, unscannable', async () => {
    const b = damaged('title-only.pdf', []);
    b.fill(0, 5855, 5855 + 512);
    expect(await scan(b)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('trailer') });
  });

  it('an object stream whose deflate data is damaged (pdftotext: "Bad block header in flate stream") is unscannable', async () => {
    // pLaTeX through dvipdfmx: the catalog, pages and fonts are in one object stream; its objects were read from garbage.
    const b = damaged('platex-tate.pdf', []);
    expect(await scan(b)).toMatchObject({ verdict: 'marked' });
    expect(await scan(damaged('platex-tate.pdf', [[1361, b[1361], b[1361] ^ 0xff], [1444, b[1444], b[1444] ^ 0xff], [1498, b[1498], b[1498] ^ 0xff]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it("a font whose /Subtype key lost a byte (pdftotext: \"Unknown font type\") is damage, not a simple font's one-byte codes", async () => {
    expect(await scan(damaged('chromium-drawn-out-of-order.pdf', [[7461, 'y', 0x86]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining("font's type") });
  });

  it('a page whose resources lost their /Font key (a byte of it damaged: pdftotext "Unknown font tag") is read, its text found without a font: unscannable (seed 6262)', async () => {
    // Pages without fonts were not read at all (they could not show 秘): the header drawn in F1 went unread.
    expect(await scan(damaged('header-stamp.pdf', []))).toMatchObject({ verdict: 'marked' });
    expect(await scan(damaged('header-stamp.pdf', [[11084, 'n', 0x6a]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('once the cross-reference is unusable (its trailer damaged), an object referred to but found nowhere (its header damaged) is lost, not null', async () => {
    // The ToUnicode map's "4 0 obj" and the trailer's /Root both hit: the map was taken as absent, its codes read as Latin letters.
    expect(await scan(damaged('round4/m-tu-over-unicmap-utf16.pdf', [[226, ' ', 0xdf], [1405, '1', 0xce]]))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
