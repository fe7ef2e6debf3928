/**
 * Mobipocket and PalmDoc e-books (extract/palm-book.ts) and Psion TCR e-books (extract/tcr.ts), made by
 * calibre, Calligra and AbiWord (test/fixtures/ebooks/make.sh): read as an e-book reader shows them, never
 * clean when unread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { extractPalmBook, palmDocInflate } from '../../src/detect/extract/palm-book.js';
import { collect, testContext } from '../support/extract.js';
import { fuzz } from '../support/fuzz.js';

const DIR = join(__dirname, '../fixtures/ebooks');
const bytes = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(DIR, name))) as Uint8Array<ArrayBuffer>;
const scan = (name: string, data: Uint8Array = bytes(name)) => scanBlob(new Blob([data as Uint8Array<ArrayBuffer>]), name);
const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const be32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
/** Where record `i` begins, by the database's record list. */
const recordAt = (b: Uint8Array, i: number) => be32(b, 78 + 8 * i);

describe('e-books: the text, the title and the details as a reader shows them', () => {
  it.each([
    ['calibre-joint.mobi', 'body'],
    ['calibre-mobi6.mobi', 'body'],
    ['calibre.azw3', 'body'],
    ['calibre-palmdoc.pdb', 'body'],
    ['calligra.mobi', 'body'],
    ['calibre.tcr', 'body'],
    ['calibre-title.azw3', 'properties'],
    ['calibre-description.mobi', 'properties'],
  ])('%s → marked (stamp in the %s)', async (name, area) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', excerpt: expect.stringContaining('秘 Confidential') });
    if (area === 'properties') expect(r.verdict === 'marked' && r.location.area).toBe('properties');
    // The book's text, decompressed, is the book itself: no member of it (not 「x.mobi の中の x.mobi」).
    else expect(r.verdict === 'marked' && r.location.path).toEqual([]);
  });

  it.each(['calibre-trap.azw3', 'calibre-trap.mobi', 'calibre-trap.tcr'])('%s (秘書室, 社外秘) → clean', async (name) => {
    expect((await scan(name)).verdict).toBe('clean');
  });

  it('a joint book (MOBI 6, then KF8 after a boundary) is read twice: a stamp in the KF8 copy alone still marks it', async () => {
    const book = bytes('calibre-joint.mobi');
    const members = (await collect(extractPalmBook, new Blob([book]), testContext())).filter((x) => x.kind === 'member');
    expect(members).toHaveLength(2);
    // 秘 (E7 A7 98) made 私 (E7 A7 81) in the MOBI 6 text only: its record holds the bytes as a literal run.
    const text = book.subarray(recordAt(book, 1), recordAt(book, 2));
    const at = text.findIndex((_, i) => text[i] === 0xe7 && text[i + 1] === 0xa7 && text[i + 2] === 0x98);
    expect(at).toBeGreaterThan(0);
    const edited = book.slice();
    edited[recordAt(book, 1) + at + 2] = 0x81;
    expect(await scan('edited.mobi', edited)).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
  });

  it('AbiWord’s PalmDoc, whose text does not decompress to the length its header gives, is unscannable', async () => {
    expect(await scan('abiword-damaged.pdb')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('DRM, Huffman-compressed text and an unknown method are unscannable, saying which', async () => {
    const book = bytes('calibre-mobi6.mobi');
    const head = recordAt(book, 0);
    const drm = book.slice();
    drm[head + 13] = 2;
    expect(await scan('drm.azw', drm)).toMatchObject({ verdict: 'unscannable', reason: 'encrypted', detail: expect.stringContaining('DRM') });
    const huff = book.slice();
    huff.set([0x44, 0x48], head); // 17480, "DH"
    expect(await scan('huff.mobi', huff)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', detail: expect.stringContaining('Huffman') });
    const other = book.slice();
    other.set([0x00, 0x07], head);
    expect(await scan('other.mobi', other)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(be16(book, head)).toBe(2); // the seed's own text is PalmDoc-compressed
  });

  it('a book cut short, or with its record list damaged, is never clean', async () => {
    const book = bytes('calibre-joint.mobi');
    for (const cut of [100, 300, recordAt(book, 1) + 20, recordAt(book, 2) - 1]) {
      expect((await scan('cut.mobi', book.subarray(0, cut))).verdict, `cut at ${cut}`).not.toBe('clean');
    }
    const list = book.slice();
    list.set([0xff, 0xff, 0x00, 0x00], 78 + 8); // record 1 far past the end
    expect(await scan('list.mobi', list)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('no mutant crashes the scan or outlives it; none in the database header, record list or book header is clean', async () => {
    const book = bytes('calibre-joint.mobi');
    const head = recordAt(book, 0);
    await fuzz(book, {
      name: 'book.mobi',
      // The records after the first (the text, the KF8 part) and the header's trailing-entry flags carry no
      // checksum: a flip there may change the text itself.
      exclude: (at) => (at >= 60 && at < 68) || at >= recordAt(book, 1) || (at >= head + 0xf2 && at < head + 0xf4),
      // Type and creator (bytes 60–67) say what the file is: without them it is an unknown binary.
      excludeCut: (length) => length < 68,
    });
  });

  it('PalmDoc LZ77: literals, a space pair, a back reference that overlaps itself', () => {
    // "ab", then 0xC3 (a space and "C"), then a reference 2 back, 4 long: "ab C" + " C C"
    const out = palmDocInflate(new Uint8Array([0x02, 0x61, 0x62, 0xc3, 0x80, (2 << 3) | 1]));
    expect(new TextDecoder().decode(out)).toBe('ab C C C');
    expect(() => palmDocInflate(new Uint8Array([0x80, 0x18]))).toThrow(/refers back/);
  });

  it('a TCR whose dictionary does not fit the file is unscannable', async () => {
    const tcr = bytes('calibre.tcr');
    expect(await scan('cut.tcr', tcr.slice(0, 200))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
