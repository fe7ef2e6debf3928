/**
 * LZH stores a CRC-16 of each member's content in its header, but libarchive.js's wrapper drops the
 * mismatch libarchive reports (a flipped byte in the compressed data then reads as clean). This walks
 * the headers itself (levels 0, 1 and 2) to check each member's CRC in archive.ts, and to count the
 * members: libarchive's wasm build has no Shift_JIS converter, and silently stops at the first
 * member whose name is not ASCII or UTF-8.
 */
import { u16, u32 } from '../bytes.js';

/** What a member's header says: its stored CRC-16 and, for header levels 0 to 2, its name as stored. */
export interface LzhHeader {
  crc: number | null;
  name: Uint8Array | null;
}

/** Every member header in order (the CRC null where it cannot be read, e.g. level 3, which ends the walk). */
export function lzhHeaders(b: Uint8Array): LzhHeader[] {
  const out: LzhHeader[] = [];
  let p = 0;
  while (p + 22 <= b.length && b[p] !== 0 && out.length < 1_000_000) {
    const level = b[p + 20];
    const packed = u32(b, p + 7);
    if (level === 0 || level === 1) {
      const nameLen = b[p + 21];
      out.push({ crc: u16(b, p + 22 + nameLen), name: b.subarray(p + 22, p + 22 + nameLen) }); // the CRC follows the name
      // Level 1's extended headers count in `packed`, so both levels end at the same place.
      p += 2 + b[p] + packed;
    } else if (level === 2) {
      out.push({ crc: u16(b, p + 21), name: level2Name(b, p, p + u16(b, p)) });
      p += u16(b, p) + packed;
    } else {
      out.push({ crc: null, name: null });
      break;
    }
  }
  return out;
}

/**
 * The path in a level-2 header's extended headers (size-chained from offset 24): the directory
 * (type 2, 0xFF between parts) and the file name (type 1), as stored.
 */
function level2Name(b: Uint8Array, p: number, end: number): Uint8Array | null {
  let dir: Uint8Array | null = null;
  let file: Uint8Array | null = null;
  let q = p + 26;
  for (let size = u16(b, p + 24); size >= 3 && q + size <= end; q += size, size = u16(b, q - 2)) {
    const data = b.subarray(q + 1, q + size - 2);
    if (b[q] === 0x01) file = data;
    else if (b[q] === 0x02) dir = data.map((c) => (c === 0xff ? 0x2f : c));
  }
  if (!file) return null;
  return dir ? Uint8Array.from([...dir, ...(dir[dir.length - 1] === 0x2f ? [] : [0x2f]), ...file]) : file;
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
