/**
 * sampleBytes (text.ts) looks at a text's first bytes four at a time; it must say exactly what a look at
 * every byte says (NULs at even and odd offsets, a high byte, an ISO-2022-JP escape), whatever the
 * buffer's alignment, length and where the interesting bytes fall (a word's edges, the last bytes).
 */
import { describe, expect, it } from 'vitest';
import { sampleBytes } from '../../src/detect/extract/text.js';
import { asciiWithout } from '../../src/detect/extract/byte-scan.js';
import { asciiOnly, textControlsOnly } from '../../src/detect/bytes.js';

function byteByByte(b: Uint8Array) {
  let evenZ = 0;
  let oddZ = 0;
  let high = false;
  let esc = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0) {
      if (i & 1) oddZ++;
      else evenZ++;
    } else if (c >= 0x80) high = true;
    else if (c === 0x1b && i + 1 < b.length) {
      const [c1, c2] = [b[i + 1], b[i + 2]];
      if ((c1 === 0x24 && (c2 === 0x42 || c2 === 0x40)) || (c1 === 0x28 && (c2 === 0x4a || c2 === 0x42 || c2 === 0x49))) esc = true;
    }
  }
  return { evenZ, oddZ, high, esc };
}

describe('sampleBytes', () => {
  it('says what a byte-by-byte look says, on 30,000 random buffers at every alignment', () => {
    // Mostly ASCII letters, with the bytes that matter: NUL, ESC and what follows it, high bytes, 0x01 and 0xff around them.
    const alphabet = [0, 0x1b, 0x24, 0x42, 0x40, 0x28, 0x4a, 0x49, 0x80, 0xe7, 0xff, 0x01, 0x7f, 0x20, 0x0a];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 30000; t++) {
      const len = Math.floor(next() * 48);
      const buf = new Uint8Array(len + 8);
      for (let i = 0; i < buf.length; i++) buf[i] = next() < 0.75 ? 0x61 : alphabet[Math.floor(next() * alphabet.length)];
      const off = Math.floor(next() * 4);
      const b = buf.subarray(off, off + len);
      expect(sampleBytes(b), `case ${t}`).toEqual(byteByByte(b));
    }
  });

  it('UTF-16 text is told by its NULs, and ISO-2022-JP by its escape, also past the first word', () => {
    const utf16 = new Uint8Array(new Uint16Array([...'plain words'].map((c) => c.charCodeAt(0))).buffer);
    expect(sampleBytes(utf16)).toMatchObject({ evenZ: 0, oddZ: 11, high: false });
    expect(sampleBytes(new TextEncoder().encode('abcdefg \x1b$B'))).toMatchObject({ esc: true, high: false });
  });

  it('a slice shorter than the bytes to the next aligned address is read byte by byte (it threw a RangeError: asciiWithout too)', () => {
    const buf = new Uint8Array(8).fill(0x61);
    for (let off = 1; off < 4; off++) {
      for (let len = 0; len < 4 - off; len++) {
        expect(sampleBytes(buf.subarray(off, off + len))).toEqual(byteByByte(buf.subarray(off, off + len)));
        expect(asciiWithout(buf.subarray(off, off + len), 0x26)).toBe(true);
      }
    }
    buf[2] = 0x26;
    expect(asciiWithout(buf.subarray(1, 3), 0x26)).toBe(false);
  });
});

describe('textControlsOnly', () => {
  const allowed = (c: number, more: number[]) => c >= 0x20 || [0x09, 0x0a, 0x0c, 0x0d, 0x1b, ...more].includes(c);
  it('says what a byte-by-byte look says, on 30,000 random buffers at every alignment and length', () => {
    // Mostly text, with every control byte and the bytes next to 0x20 where a word test could slip.
    const alphabet = [0, 0x01, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1a, 0x1b, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xa0, 0xe7, 0xff];
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 30000; t++) {
      const len = Math.floor(next() * 40);
      const buf = new Uint8Array(len + 8);
      for (let i = 0; i < buf.length; i++) buf[i] = next() < 0.85 ? 0x61 : alphabet[Math.floor(next() * alphabet.length)];
      const off = Math.floor(next() * 4);
      const b = buf.subarray(off, off + len);
      const more = t & 1 ? [0x0b, 0x08] : [];
      expect(textControlsOnly(b, more), `case ${t}`).toBe([...b].every((c) => allowed(c, more)));
    }
  });

  it('a control byte in the last word or the tail, and slices shorter than the way to an aligned address', () => {
    const buf = new Uint8Array(16).fill(0x61);
    for (let off = 0; off < 4; off++) for (let len = 0; len <= 12; len++) expect(textControlsOnly(buf.subarray(off, off + len))).toBe(true);
    for (let at = 0; at < 16; at++) {
      const b = new Uint8Array(16).fill(0x61);
      b[at] = 0x07;
      expect(textControlsOnly(b), `BEL at ${at}`).toBe(false);
      expect(textControlsOnly(b.subarray(1)), `BEL at ${at}, unaligned`).toBe(at === 0);
    }
  });
});

describe('asciiOnly', () => {
  it('finds a byte of 0x80 or more at any place, at any alignment of the view', () => {
    const base = new Uint8Array(64).fill(0x41);
    for (let offset = 0; offset < 4; offset++) {
      // Lengths past 16 bytes: the words are read four at a time, then one at a time, then the last bytes.
      for (let len = 0; len <= 40; len++) {
        expect(asciiOnly(base.subarray(offset, offset + len))).toBe(true);
        for (let at = 0; at < len; at++) {
          for (const high of [0x80, 0xc3, 0xff]) {
            const b = base.slice();
            b[offset + at] = high;
            expect(asciiOnly(b.subarray(offset, offset + len)), `offset ${offset}, length ${len}, 0x${high.toString(16)} at ${at}`).toBe(false);
          }
        }
      }
    }
  });
});
