/**
 * LZH stores a CRC-16 of each member's content in its header, but libarchive.js's wrapper drops the
 * mismatch libarchive reports (a flipped byte in the compressed data then reads as clean). This walks
 * the headers itself (levels 0, 1 and 2) to check each member's CRC in archive.ts.
 */
import { u16, u32 } from '../bytes.js';

/** The stored CRC-16 of each header in order (null where it cannot be read, e.g. level 3). */
export function lzhCrcs(b: Uint8Array): (number | null)[] {
  const out: (number | null)[] = [];
  let p = 0;
  while (p + 22 <= b.length && b[p] !== 0 && out.length < 1_000_000) {
    const level = b[p + 20];
    const packed = u32(b, p + 7);
    if (level === 0 || level === 1) {
      out.push(u16(b, p + 22 + b[p + 21])); // after the name
      // Level 1's extended headers count in `packed`, so both levels end at the same place.
      p += 2 + b[p] + packed;
    } else if (level === 2) {
      out.push(u16(b, p + 21));
      p += u16(b, p) + packed;
    } else {
      out.push(null);
      break;
    }
  }
  return out;
}

const TABLE = Uint16Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xa001 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-16/ARC (LZH's), continued from `crc`. */
export function crc16(data: Uint8Array, crc = 0): number {
  for (const x of data) crc = TABLE[(crc ^ x) & 0xff] ^ (crc >>> 8);
  return crc;
}
