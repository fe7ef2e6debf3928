/**
 * iWork archives (.iwa in Pages, Numbers and Keynote files): snappy blocks decompressed before the
 * search. test/fixtures/iwork/make-numbers.mjs: SheetJS-written Numbers files recompressed as Numbers
 * does, so the stamp's word is a back-reference to an earlier cell and is not in the stored bytes; and
 * tables whose stamp is split across neighbouring cells, read on their grid (iwork-tables.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { describeLocation, scanBlob } from '../../src/detect/index.js';
import { locationText } from '../../src/events/location.js';
import { locationWords } from '../../src/events/location-words.js';
import { SnappyError, snappyBlock } from '../../src/detect/extract/snappy.js';
import { bytesField, bytesFields, readFields, readVarint, varintField } from '../../src/detect/extract/protobuf.js';

const DIR = join(__dirname, '../fixtures/iwork');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('Numbers files', () => {
  it('a stamp written as a back-reference is found, in its table', async () => {
    const v = await scan('stamp-backref.numbers');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
    // The archive is a part of the document, not a file in it: never shown as 「x.numbers の中の Index/….iwa」.
    expect(v).toMatchObject({ location: { path: [], part: expect.stringMatching(/^Index\/.+\.iwa$/) } });
    for (const lang of ['ja', 'en'] as const) expect(describeLocation(v.verdict === 'marked' ? v.location : undefined, lang)).not.toMatch(/iwa|Index/);
  });

  it('inside a ZIP, the document is the member named, its archive the part', async () => {
    const zip = zipSync({ '見積.numbers': new Uint8Array(readFileSync(join(DIR, 'stamp-backref.numbers'))) });
    const v = await scanBlob(new Blob([zip]), '2023年度.zip');
    expect(v).toMatchObject({ verdict: 'marked', location: { path: ['見積.numbers'], part: expect.stringMatching(/^Index\/.+\.iwa$/) } });
    expect(describeLocation(v.verdict === 'marked' ? v.location : undefined, 'ja')).toBe('見積.numbers');
  });

  it('the same file with 秘書室 in its place is clean', async () => {
    expect(await scan('clean.numbers')).toMatchObject({ verdict: 'clean' });
  });
});

/** An iWork archive's blocks decompressed, one after the other. */
function plainOf(iwa: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let p = 0; p < iwa.length; ) {
    const n = iwa[p + 1] | (iwa[p + 2] << 8) | (iwa[p + 3] << 16);
    parts.push(snappyBlock(iwa.subarray(p + 4, p + 4 + n)));
    p += 4 + n;
  }
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  parts.reduce((at, b) => (out.set(b, at), at + b.length), 0);
  return out;
}

/** `plain` as an iWork archive of one snappy block holding it as a literal (up to 64 KiB). */
function literalIwa(plain: Uint8Array): Uint8Array {
  const n = plain.length;
  const varint: number[] = [];
  for (let v = n; ; v >>>= 7) {
    varint.push(v > 0x7f ? (v & 0x7f) | 0x80 : v);
    if (v <= 0x7f) break;
  }
  const tag = n === 0 ? [] : n <= 60 ? [(n - 1) << 2] : [61 << 2, (n - 1) & 0xff, (n - 1) >> 8];
  const block = new Uint8Array([...varint, ...tag, ...plain]);
  return new Uint8Array([0, block.length & 0xff, (block.length >> 8) & 0xff, block.length >> 16, ...block]);
}

describe('Numbers tables, read on their grid', () => {
  const fixture = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

  it('秘 in A1 and Confidential in B1 stand side by side, as Numbers shows them: marked, at A1 of the table', async () => {
    const v = await scan('見積-A1秘-B1Confidential.numbers');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1, location: { sheet: 'Sheet 1', table: 'Table 1', cell: 'A1' } });
    // Said as Numbers shows it, and read back whole from the event (a table's name once broke the event's text apart).
    if (v.verdict !== 'marked') throw new Error('marked');
    expect(describeLocation(v.location, 'ja')).toBe('シート「Sheet 1」の表「Table 1」のセル A1');
    expect(locationWords(locationText(v.location), 'en')).toBe('cell A1 of table “Table 1” on sheet “Sheet 1”');
  });

  it('the same words with a column between them are not the stamp', async () => {
    expect(await scan('apart-A1-C1.numbers')).toMatchObject({ verdict: 'clean' });
  });

  it('a document missing the archive of its cells is unscannable, naming the table, not clean', async () => {
    const v = await scan('tile-missing.numbers');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', location: { sheet: 'Sheet 1', table: 'Table 1' } });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/tile is missing/);
  });

  it('a Numbers bundle zipped (its archives in Index.zip, inside the folder) is read the same way', async () => {
    const inner = zipSync(unzipSync(fixture('見積-A1秘-B1Confidential.numbers')), { level: 0 });
    const outer = zipSync({ '見積.numbers/Index.zip': inner }, { level: 6 });
    const v = await scanBlob(new Blob([outer]), '見積.zip');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['見積.numbers/Index.zip'], sheet: 'Sheet 1', table: 'Table 1', cell: 'A1' } });
  });

  it('a hidden column between 秘 in A1 and Confidential in C1 leaves them side by side: marked', async () => {
    // apart-A1-C1.numbers with column B hidden as Numbers records it: the hiding state (field 3) of the
    // column's header in the table's column headers (a HeaderStorageBucket) set, one byte, in place.
    const files = unzipSync(fixture('apart-A1-C1.numbers'));
    const objects = new Map<number, { name: string; plain: Uint8Array; body: Uint8Array; type: number }>();
    for (const [name, iwa] of Object.entries(files)) {
      if (!name.endsWith('.iwa')) continue;
      const plain = plainOf(iwa);
      for (let pos = 0; pos < plain.length; ) {
        const [n, p] = readVarint(plain, pos);
        const info = readFields(plain.subarray(p, p + n));
        pos = p + n;
        for (const [i, m] of bytesFields(info, 2).entries()) {
          const mi = readFields(m);
          const len = varintField(mi, 3) ?? 0;
          if (i === 0) objects.set(varintField(info, 1)!, { name, plain, body: plain.subarray(pos, pos + len), type: varintField(mi, 1)! });
          pos += len;
        }
      }
    }
    const model = [...objects.values()].find((o) => o.type === 6001)!;
    const store = readFields(bytesField(readFields(model.body), 4)!);
    const bucket = objects.get(varintField(readFields(bytesField(store, 2)!), 1)!)!;
    const header = bytesFields(readFields(bucket.body), 2).find((h) => varintField(readFields(h), 1) === 1)!;
    const at = header.byteOffset - bucket.plain.byteOffset + header.indexOf(0x18, 7); // after index (2 bytes) and size (5)
    expect([bucket.plain[at], bucket.plain[at + 1]]).toEqual([0x18, 0]);
    const hidden = bucket.plain.slice();
    hidden[at + 1] = 1;
    const v = await scanBlob(new Blob([zipSync({ ...files, [bucket.name]: literalIwa(hidden) })]), 'x.numbers');
    expect(v).toMatchObject({ verdict: 'marked', rule: 1, location: { cell: 'A1' } });
    // Shown again (hiding state 0), framed the same way: apart, as before.
    expect(await scanBlob(new Blob([zipSync({ ...files, [bucket.name]: literalIwa(bucket.plain) })]), 'x.numbers')).toMatchObject({ verdict: 'clean' });
  });

  it('the archive of the cells cut anywhere is unscannable, never clean or a crash', async () => {
    const files = unzipSync(fixture('見積-A1秘-B1Confidential.numbers'));
    const tile = files['Index/Tables/Tile.iwa'];
    const plain = snappyBlock(tile.subarray(4, 4 + (tile[1] | (tile[2] << 8) | (tile[3] << 16))));
    expect(tile.length).toBe(4 + (tile[1] | (tile[2] << 8) | (tile[3] << 16))); // one block
    // Whole, framed again here: still marked (the framing is sound, so a cut is what makes it unreadable).
    const whole = { ...files, 'Index/Tables/Tile.iwa': literalIwa(plain) };
    expect(await scanBlob(new Blob([zipSync(whole)]), 'x.numbers')).toMatchObject({ verdict: 'marked', location: { cell: 'A1' } });
    const cuts = new Set([0, 1, 2, plain.length - 1]);
    for (let at = 3; at < plain.length; at += Math.ceil(plain.length / 40)) cuts.add(at);
    for (const at of cuts) {
      const cut = { ...files, 'Index/Tables/Tile.iwa': literalIwa(plain.subarray(0, at)) };
      const v = await scanBlob(new Blob([zipSync(cut)]), 'x.numbers');
      expect([at, v.verdict]).toEqual([at, 'unscannable']);
    }
  });

  it('an archive whose objects are damaged is unscannable, not clean', async () => {
    // One object header claiming more bytes than the archive holds, snappy-framed as a literal block.
    const plain = new Uint8Array([0x7f, 0x08, 0x01]);
    const block = new Uint8Array([plain.length, (plain.length - 1) << 2, ...plain]);
    const iwa = new Uint8Array([0, block.length, 0, 0, ...block]);
    const v = await scanBlob(new Blob([zipSync({ 'Index/Document.iwa': iwa })]), 'x.numbers');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', location: { part: 'Index/Document.iwa' } });
  });
});

describe('snappy blocks', () => {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  it('literals, and a reference that overlaps what it writes', () => {
    // length 8; literal "ab"; copy (1-byte offset form) length 6 from 2 back
    expect(text(snappyBlock(new Uint8Array([8, 1 << 2, 0x61, 0x62, ((6 - 4) << 2) | 1, 2])))).toBe('abababab');
    // the 2-byte offset form
    expect(text(snappyBlock(new Uint8Array([5, 1 << 2, 0x61, 0x62, ((3 - 1) << 2) | 2, 2, 0])))).toBe('ababa');
  });

  it.each([
    ['a reference before the start', [4, 0, 0x61, ((4 - 4) << 2) | 1, 2]],
    ['fewer bytes than the header says', [9, 1 << 2, 0x61, 0x62]],
    ['more bytes than the header says', [1, 1 << 2, 0x61, 0x62]],
    ['a literal cut short', [4, 3 << 2, 0x61]],
    ['a length that never ends', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80]],
  ])('%s is damage', (_, bytes) => {
    expect(() => snappyBlock(new Uint8Array(bytes))).toThrow(SnappyError);
  });

  it('a damaged archive is unscannable, not clean', async () => {
    const ok = new Uint8Array([0, 4, 0, 0, 2, 1 << 2, 0x61, 0x62]);
    expect(await scanBlob(new Blob([ok]), 'Index/Document.iwa')).toMatchObject({ verdict: 'clean' });
    for (const bad of [ok.subarray(0, 6), new Uint8Array([0, 4, 0, 0, 3, 1 << 2, 0x61, 0x62]), new Uint8Array([0, 1, 0, 0, 9])]) {
      expect(await scanBlob(new Blob([bad]), 'Index/Document.iwa')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
  });
});
