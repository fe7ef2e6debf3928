/**
 * CRC-32 (src/detect/crc32.ts): Node's native zlib CRC and the JavaScript one (the browser's) agree on
 * every length and alignment, incrementally, and against known values.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Js } from '../../src/detect/crc32.js';

describe('crc32', () => {
  const big = Uint8Array.from({ length: 70_000 }, (_, i) => (Math.imul(i, 2654435761) >>> 24) & 0xff);

  it('known values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Js(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('the JavaScript CRC equals zlib on every short length at every alignment (a short unaligned slice used to throw RangeError)', () => {
    for (let off = 0; off < 8; off++) {
      for (let n = 0; n < 80; n++) {
        const s = big.subarray(off, off + n);
        expect(crc32Js(s, 7)).toBe(zlibCrc32(s, 7));
      }
    }
  });

  it('native and JavaScript agree on large slices, fed whole or in pieces', () => {
    for (const [off, n] of [[0, 70_000], [1, 65_537], [3, 4096], [2, 4095]]) {
      const s = big.subarray(off, off + n);
      expect(crc32(s)).toBe(crc32Js(s));
      let c = 0;
      for (let i = 0; i < s.length; i += 5000) c = crc32(s.subarray(i, i + 5000), c);
      expect(c).toBe(crc32Js(s));
    }
  });
});
