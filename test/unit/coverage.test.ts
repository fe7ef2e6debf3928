/**
 * Coverage accounting and bounded decompression: what the engine could not read is reported,
 * never called clean; decompression stops mid-stream on a bomb with bounded memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { scanBlob } from '../../src/detect/index.js';
import { ExpansionGuard } from '../../src/detect/extract/expansion-guard.js';
import { gunzip, inflateRaw } from '../../src/detect/extract/inflate.js';
import { useNativeInflate } from '../../src/detect/extract/native-inflate.js';
import { MarkupWindows } from '../../src/detect/extract/markup-windows.js';
import { MARKUP_BACK } from '../../src/detect/extract/xml-text.js';
import { ALL_NEEDLES, asciiWithout, findNeedles, type Needle } from '../../src/detect/extract/byte-scan.js';
import { XlsxRows } from '../../src/detect/extract/xlsx-rows.js';
import { cellName } from '../../src/detect/extract/sheet-rows.js';
import { markupTextAroundStamps } from '../../src/detect/extract/xml-text.js';
import { findStamp } from '../../src/detect/rules/stamp.js';
import { crc32 } from '../../src/detect/crc32.js';
import { Xxh64, xxh64Hex } from '../../src/detect/xxh64.js';
import { ScanError } from '../../src/detect/extract/types.js';
import { testContext } from '../support/extract.js';
import { prng } from '../support/fuzz.js';

const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const enc = (s: string) => new TextEncoder().encode(s);

async function error(p: Promise<unknown>): Promise<ScanError> {
  try {
    await p;
  } catch (e) {
    return e as ScanError;
  }
  throw new Error('no error');
}

describe('CRC-32', () => {
  it('matches the check value and zlib, incrementally', () => {
    expect(crc32(enc('123456789')).toString(16)).toBe('cbf43926');
    const data = new Uint8Array(100_003).map((_, i) => (i * 7919) & 0xff);
    const gz = gzipSync(data);
    const stored = new DataView(gz.buffer, gz.byteOffset).getUint32(gz.length - 8, true);
    expect(crc32(data.subarray(50_000), crc32(data.subarray(0, 50_000)))).toBe(stored);
    // Every split, at every alignment: the word loop must agree with the byte loop at its edges.
    for (const cut of [1, 2, 3, 5, 15, 16, 17, 33, 50_001, 99_999]) {
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(stored);
    }
    const unaligned = new Uint8Array(data.length + 3);
    unaligned.set(data, 3);
    expect(crc32(unaligned.subarray(3))).toBe(stored);
  });
});

describe('XXH64', () => {
  it('matches the reference test vectors, fed whole or in pieces', () => {
    const vectors: [string, string][] = [
      ['', 'ef46db3751d8e999'],
      ['a', 'd24ec4f1a98c6e5b'],
      ['abc', '44bc2cf5ad770999'],
      ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
    ];
    for (const [text, hex] of vectors) expect(xxh64Hex(enc(text))).toBe(hex);
    // Every length up to two stripes and past, and every split point: the stripe buffer's edges.
    const data = new Uint8Array(100).map((_, i) => (i * 37 + 11) & 0xff);
    for (let n = 0; n <= data.length; n++) {
      const whole = new Xxh64().update(data.subarray(0, n)).digest();
      for (const cut of [1, 7, 31, 32, 33].filter((c) => c < n)) {
        expect(new Xxh64().update(data.subarray(0, cut)).update(data.subarray(cut, n)).digest()).toEqual(whole);
      }
    }
  });
});

// Both inflaters: node:zlib where the engine runs in Node, fflate in the browser (native-inflate.ts).
for (const native of [true, false]) {
  describe(`ExpansionGuard and streaming inflate (${native ? 'node:zlib' : 'fflate'})`, () => {
    beforeAll(() => useNativeInflate(native));
    afterAll(() => useNativeInflate(true));

  it('a deflate bomb stops after its first megabytes, with little output ever held', async () => {
    const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
    let seen = 0;
    const err = await error(inflateRaw(blob(bomb), testContext({ limits: { maxRatio: 200 } }), { name: 'zeros', sink: (c) => (seen += c.length) }));
    expect(err.reason).toBe('expansion-ratio');
    // One 4 KiB slice of a deflate stream yields at most ~4 MiB.
    expect(seen).toBeLessThan(8 * 1024 * 1024);
  });

  it('a member longer than its declared size, or failing its CRC-32, is corrupt', async () => {
    const data = enc('秘 Confidential '.repeat(1000));
    const raw = deflateRawSync(data);
    expect((await error(inflateRaw(blob(raw), testContext(), { name: 'm', declared: data.length - 1 }))).reason).toBe('corrupt');
    expect((await error(inflateRaw(blob(raw), testContext(), { name: 'm', declared: data.length, crc32: crc32(data) ^ 1 }))).reason).toBe('corrupt');
    const ok = await inflateRaw(blob(raw), testContext(), { name: 'm', declared: data.length, crc32: crc32(data) });
    expect(ok.bytes()).toEqual(data);
  });

  it('large members: exact output, and cut, flipped, lying or bomb members are not clean', async () => {
    const rand = prng(5);
    const data = enc(Array.from({ length: 30_000 }, (_, i) => `${i}: 行 ${Math.floor(rand() * 1e9)} 秘密 ${rand()}\n`).join(''));
    const raw = Uint8Array.from(deflateRawSync(data));
    expect(raw.length).toBeGreaterThan(256 * 1024); // many input slices and output chunks
    const opts = { name: 'big', declared: data.length, crc32: crc32(data) };
    // Compared as bytes (Buffer.compare): toEqual walks a 1.6 MB array element by element, tens of seconds on a loaded machine.
    const out = (await inflateRaw(blob(raw), testContext(), opts)).bytes();
    expect(out.length).toBe(data.length);
    expect(Buffer.compare(out, data), 'the inflated bytes differ').toBe(0);
    expect((await error(inflateRaw(blob(raw.subarray(0, raw.length >> 1)), testContext(), opts))).reason).toBe('corrupt');
    const flipped = raw.slice();
    flipped[raw.length >> 1] ^= 0x20;
    expect((await error(inflateRaw(blob(flipped), testContext(), opts))).reason).toBe('corrupt');
    expect((await error(inflateRaw(blob(raw), testContext(), { ...opts, declared: data.length - 1 }))).reason).toBe('corrupt');
    const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 1 });
    let seen = 0;
    const err = await error(inflateRaw(blob(bomb), testContext({ limits: { maxRatio: 200 } }), { name: 'zeros', sink: (c) => (seen += c.length) }));
    expect(err.reason).toBe('expansion-ratio');
    expect(seen).toBeLessThan(64 * 1024 * 1024);
  });

  it('gzip: a flipped CRC or a missing trailer is corrupt', async () => {
    const gz = Uint8Array.from(gzipSync(enc('取扱区分:秘 Confidential\n')));
    const bad = gz.slice();
    bad[bad.length - 8] ^= 1;
    expect((await error(gunzip(blob(bad), testContext(), 'x'))).reason).toBe('corrupt');
    expect((await error(gunzip(blob(gz.subarray(0, gz.length - 4)), testContext(), 'x'))).reason).toBe('corrupt');
    expect(new TextDecoder().decode(await (await gunzip(blob(gz), testContext(), 'x')).arrayBuffer())).toContain('秘 Confidential');
  });

  it('the guard counts the time budget while inflating', () => {
    const guard = new ExpansionGuard(testContext({ timeBudgetMs: 1 }), { name: 'slow' });
    const until = Date.now() + 5;
    while (Date.now() < until);
    expect(() => guard.consumed(1)).toThrow(ScanError);
  });
  });
}

describe('MarkupWindows: the stamp search over a stream of chunks', () => {
  it('finds what markupTextAroundStamps finds, however the part is cut into chunks', () => {
    const rnd = prng(42);
    let stamped = 0;
    for (let t = 0; t < 200; t++) {
      const parts: string[] = [];
      for (let i = 0; i < 150; i++) {
        const r = rnd();
        parts.push(r < 0.02 ? '<w:t>秘</w:t></w:r><w:r><w:t> Confidential</w:t>' : r < 0.06 ? '<w:t>秘密保持</w:t>' : `<w:r><w:t>行 ${i}</w:t></w:r>`.repeat(1 + Math.floor(rnd() * 60)));
      }
      const bytes = enc(parts.join(''));
      const expected = markupTextAroundStamps(bytes).some((x) => findStamp(x));
      const mw = new MarkupWindows();
      for (let o = 0; o < bytes.length; ) {
        const n = 1 + Math.floor(rnd() * 5000);
        mw.push(bytes.slice(o, o + n));
        o += n;
      }
      expect(mw.finish().some((x) => findStamp(x))).toBe(expected);
      if (expected) stamped++;
    }
    expect(stamped).toBeGreaterThan(20);
  });

  it('a stamp spelled with character references in plain ASCII markup is found, wherever the chunks are cut', () => {
    const bytes = enc(`${'<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(2000)}<c t="inlineStr"><is><t>&#31192; Confidential</t></is></c>${'<row/>'.repeat(500)}`);
    for (const n of [1, 2, 3, 7, 4096, 65536]) {
      const mw = new MarkupWindows();
      for (let o = 0; o < bytes.length; o += n) mw.push(bytes.slice(o, o + n));
      expect(mw.finish().some((x) => findStamp(x)), `chunks of ${n}`).toBe(true);
    }
  });

  it('a window that starts inside a tag does not begin its text with the end of that tag (the excerpt an admin reads)', () => {
    // The tag before the run is longer than the bytes a window keeps before its 秘, so the window starts inside it.
    const tag = `<w:document xmlns:w="urn:w" mc:Ignorable="${'w14 '.repeat(MARKUP_BACK)}w15">`;
    const mw = new MarkupWindows();
    mw.push(enc(`${tag}<w:body><w:p><w:r><w:t>本文 秘 Confidential</w:t></w:r></w:p></w:body></w:document>`));
    const [text] = mw.finish();
    expect(findStamp(text)).toBeTruthy();
    expect(text).not.toMatch(/[<>"]/);
    // A text node the window starts in keeps what follows its `>` (and a stamp before one is never cut).
    const inText = new MarkupWindows();
    inText.push(enc(`<w:t>${'あ'.repeat(MARKUP_BACK)} a > b 秘 Confidential > c</w:t>`));
    expect(findStamp(inText.finish()[0])).toBeTruthy();
  });
});

describe('XlsxRows: the rows that matter in a streamed xlsx worksheet', () => {
  const feed = (rows: XlsxRows, bytes: Uint8Array, rnd: () => number, max: number) => {
    // As the worksheet reader feeds it: the markup windows say where 秘 may be.
    const windows = new MarkupWindows();
    for (let o = 0; o < bytes.length; ) {
      const n = 1 + Math.floor(rnd() * max);
      const chunk = bytes.slice(o, o + n);
      const before = windows.hits;
      windows.push(chunk);
      rows.push(chunk, windows.hits > before);
      o += n;
    }
  };

  it('finds the first cell of each wanted string however the sheet is cut into chunks', () => {
    const rnd = prng(7);
    const cells: string[] = [];
    for (let r = 1; r <= 200; r++) {
      const pad = ' '.repeat(Math.floor(rnd() * 960)); // start tags up to ~1 KiB before their values
      cells.push(`<row r="${r}" outlineLevel="0"><c r="A${r}" s="1"${pad} t="s"><v>${r % 97}</v></c><c r="B${r}"><v>${r}</v></c></row>`);
    }
    const bytes = enc(`<worksheet><sheetData>${cells.join('')}</sheetData></worksheet>`);
    const strings = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const wanted = new Set([1, 50, 96, 150]); // 150 is never used by a cell
    for (const max of [4, 40, 1100, 100_000]) {
      const rows = new XlsxRows(strings, wanted, { part: 'xl/worksheets/sheet1.xml', sheet: '明細' });
      feed(rows, bytes, rnd, max);
      expect(Object.fromEntries([...rows.located].map(([k, v]) => [k, v.cell])), `chunks up to ${max}`).toEqual({ 1: 'A1', 50: 'A50', 96: 'A96' });
    }
  });

  it('joins 秘 and its neighbours of one row (inline, shared, prefixed markup), never rows apart or cells apart', () => {
    const rnd = prng(11);
    const filler = (r: number) => `<x:row r="${r}"><x:c r="A${r}" t="s"><x:v>0</x:v></x:c><x:c r="B${r}"><x:v>${r}</x:v></x:c></x:row>`;
    const body = [
      ...Array.from({ length: 300 }, (_, i) => filler(i + 1)),
      // row 301: 秘 inline in B, shared Confidential in C → the stamp, at B301
      '<x:row r="301"><x:c r="A301" t="s"><x:v>0</x:v></x:c><x:c r="B301" t="inlineStr"><x:is><x:t>秘</x:t></x:is></x:c><x:c r="C301" t="s"><x:v>1</x:v></x:c></x:row>',
      // rows 302–303: 秘 above Confidential; 秘 and Confidential with an empty column between
      '<x:row r="302"><x:c r="A302" t="inlineStr"><x:is><x:t>秘</x:t></x:is></x:c></x:row><x:row r="303"><x:c r="A303" t="s"><x:v>1</x:v></x:c></x:row>',
      '<x:row r="304"><x:c r="A304" t="inlineStr"><x:is><x:t>秘</x:t></x:is></x:c><x:c r="C304" t="s"><x:v>1</x:v></x:c></x:row>',
      ...Array.from({ length: 300 }, (_, i) => filler(i + 305)),
    ];
    const bytes = enc(`<x:worksheet><x:sheetData>${body.join('')}</x:sheetData></x:worksheet>`);
    for (const max of [1, 7, 100, 2000, 100_000]) {
      const rows = new XlsxRows(['注記', 'Confidential'], new Set(), { part: 'p', sheet: '様式' });
      feed(rows, bytes, rnd, max);
      const texts = rows.rows.take().map((x) => (x.kind === 'text' ? [x.text, x.where.cell] : []));
      expect(texts, `chunks up to ${max}`).toEqual([
        ['注記 秘 Confidential', 'B301'],
        ['秘\n|\nConfidential', 'A304'],
      ]);
    }
  });
});

describe('XlsxRows: a row longer than many chunks', () => {
  it('joins 秘 | Confidential at the end of a row of 2,000 cells, however it is cut', () => {
    const cells = Array.from({ length: 2000 }, (_, i) => `<c r="${cellName(0, i)}" t="s"><v>0</v></c>`).join('');
    const row = `<row r="1">${cells}<c r="${cellName(0, 2000)}" t="inlineStr"><is><t>秘</t></is></c><c r="${cellName(0, 2001)}" t="s"><v>1</v></c></row>`;
    const bytes = enc(`<worksheet><sheetData>${row}<row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>`);
    for (const n of [97, 4096, 65536]) {
      const rows = new XlsxRows(['x', 'Confidential'], new Set(), { part: 'p' });
      const windows = new MarkupWindows();
      for (let o = 0; o < bytes.length; o += n) {
        const before = windows.hits;
        windows.push(bytes.slice(o, o + n));
        rows.push(bytes.slice(o, o + n), windows.hits > before);
      }
      const found = rows.rows.take().find((x) => x.kind === 'text' && findStamp(x.text));
      expect(found?.where?.cell, `chunks of ${n}`).toBe(cellName(0, 2000));
    }
  });
});

describe('findNeedles: the word-at-a-time needle search', () => {
  /** Every occurrence by brute force: [start, needle index]. */
  function naive(buf: Uint8Array, needles: readonly Needle[], from: number, to: number): string[] {
    const out: string[] = [];
    for (let s = from; s < to; s++) {
      needles.forEach((nd, k) => {
        if (s + nd.bytes.length <= buf.length && nd.bytes.every((b, j) => buf[s + j] === b)) out.push(`${s}:${k}`);
      });
    }
    return out.sort();
  }

  // The search compares needles only where the byte next to an anchor fits (the pair filter): needles
  // anchored on their first byte (the JSON escapes), in the middle, and a one-byte needle exercise each path.
  const escapes: Needle[] = ['\\u79d8', '\\u3299'].map((s) => ({ bytes: enc(s), enc: 'utf-8', anchor: 0, wide: false }));
  const oneByte: Needle = { bytes: Uint8Array.of(0x99), enc: 'utf-8', anchor: 0, wide: false };
  it.each([
    ['every encoding', ALL_NEEDLES],
    ['escapes and a one-byte needle', [...ALL_NEEDLES.slice(0, 2), ...escapes, oneByte]],
    ['more anchors than one pass tests (two passes)', [...ALL_NEEDLES, ...escapes]],
  ])('finds what a brute-force search finds, at every alignment, range and buffer offset (%s)', (_, needles: readonly Needle[]) => {
    const rand = prng(11);
    const text = enc('本日の打合せです。秘密保持。社外秘\\u79d8 ㊙ 秘 Confidential ' + 'す'.repeat(40));
    for (let trial = 0; trial < 300; trial++) {
      const len = 1 + Math.floor(rand() * 700);
      const backing = new Uint8Array(len + 8);
      for (let i = 0; i < backing.length; i++) backing[i] = rand() < 0.5 ? text[Math.floor(rand() * text.length)] : Math.floor(rand() * 256);
      // Plant whole needles at random places, some across word boundaries and at the very ends.
      for (let k = 0; k < 6; k++) {
        const nd = needles[Math.floor(rand() * needles.length)];
        const at = k === 0 ? 0 : Math.floor(rand() * (backing.length - nd.bytes.length));
        backing.set(nd.bytes, at);
      }
      const off = Math.floor(rand() * 8);
      const buf = backing.subarray(off, off + len);
      const from = Math.floor(rand() * len);
      const to = from + Math.floor(rand() * (len - from + 1));
      const got: string[] = [];
      findNeedles(buf, needles, from, to, (at, nd) => (got.push(`${at}:${needles.indexOf(nd)}`), true));
      expect(got.sort(), `trial ${trial}`).toEqual(naive(buf, needles, from, to));
    }
  });

  it('stops when the callback says so, on long buffers too', () => {
    const buf = new Uint8Array(100_000);
    for (let i = 0; i < buf.length; i += 1000) buf.set(ALL_NEEDLES[0].bytes, i);
    let n = 0;
    findNeedles(buf, ALL_NEEDLES, 0, buf.length, () => ++n < 5);
    expect(n).toBe(5);
  });
});

describe('asciiWithout: the one-pass plain-ASCII test', () => {
  it('finds a high byte or the given byte at every position and alignment', () => {
    const base = enc('<row r="1"/>'.repeat(20));
    expect(asciiWithout(base, 0x26)).toBe(true);
    for (let off = 0; off < 4; off++) {
      for (let at = 0; at < 40; at++) {
        for (const b of [0x26, 0x80, 0xe7, 0xff]) {
          const buf = new Uint8Array(off + base.length);
          buf.set(base, off);
          buf[off + at] = b;
          expect(asciiWithout(buf.subarray(off), 0x26), `byte ${b} at ${at}, offset ${off}`).toBe(false);
        }
      }
    }
  });
});

describe('nothing unread is called clean', () => {
  const sheetXlsx = (sheet: string, shared: string) =>
    zipSync({
      '[Content_Types].xml': enc('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'xl/workbook.xml': enc('<workbook xmlns:r="r"><sheets><sheet name="明細" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/_rels/workbook.xml.rels': enc('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
      'xl/worksheets/sheet1.xml': enc(sheet),
      'xl/sharedStrings.xml': enc(`<sst><si><t>メモ</t></si><si><t>${shared}</t></si></sst>`),
    });

  it('an xlsx whose only stamp is at row 1,048,576 is marked there', async () => {
    const x = sheetXlsx('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>1</v></c></row></sheetData></worksheet>', '秘 Confidential');
    expect(await scanBlob(blob(x), 'last.xlsx')).toMatchObject({ verdict: 'marked', location: { sheet: '明細', cell: 'XFD1048576' } });
  });

  it('a ZIP member whose local header names another file is corrupt, not clean', async () => {
    const z = zipSync({ 'memo.txt': [enc('nothing here'), { level: 0 }] });
    const lfhName = 30; // the local header's copy of the name
    z[lfhName] = 'n'.charCodeAt(0);
    expect(await scanBlob(blob(z), 'a.zip')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('a central directory listing fewer entries than it holds is corrupt', async () => {
    const z = zipSync({ 'a.txt': enc('a'), 'b.txt': enc('秘 Confidential') });
    const dv = new DataView(z.buffer);
    const eocd = z.length - 22;
    dv.setUint16(eocd + 8, 1, true);
    dv.setUint16(eocd + 10, 1, true);
    expect(await scanBlob(blob(z), 'a.zip')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('a file named .docx whose bytes are no known format is unscannable: corrupt', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 131 + 7) & 0xff);
    expect(await scanBlob(blob(junk), '報告書.docx')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('one list of structured formats: named so, junk bytes are corrupt and 0 bytes are corrupt; other names stay clean', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 131 + 7) & 0xff);
    for (const name of ['資料.7z', '資料.tar.zst', 'mail.msg', 'book.xlsb', 'backup.tar', 'x.lzh']) {
      expect(await scanBlob(blob(junk), name), name).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
      expect(await scanBlob(blob(new Uint8Array(0)), name), `${name}, 0 bytes`).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    }
    expect(await scanBlob(blob(junk), 'data.bin')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(blob(new Uint8Array(0)), 'memo.txt')).toMatchObject({ verdict: 'clean' });
  });

  it('a tar cut at a block boundary (no end marker) is corrupt', async () => {
    const tar = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/office/archives/ustar-clean.tar')));
    expect(await scanBlob(blob(tar.subarray(0, 1024)), 'x.tar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it('an OLE2 file whose FAT chain loops reports the damaged compound file', async () => {
    const doc = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/office-legacy/doc-clean-traps.doc')));
    const dv = new DataView(doc.buffer);
    const fat = (dv.getUint32(76, true) + 1) * 512;
    for (let i = 0; i < 128; i++) if (dv.getUint32(fat + i * 4, true) === i + 1) dv.setUint32(fat + i * 4, i, true); // every chain loops on itself
    const r = await scanBlob(blob(doc), 'loop.doc');
    expect(r).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(r.verdict === 'unscannable' && r.detail).toMatch(/compound file|Word/);
  });
});
