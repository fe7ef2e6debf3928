/**
 * LZH member headers, walked here beside libarchive for three reasons:
 * - the CRC-16 of each member's content: libarchive.js's wrapper drops the mismatch libarchive
 *   reports (a flipped byte in the compressed data would then read as clean), so archive.ts checks it;
 * - the member count, to notice members libarchive stopped before;
 * - names. Japanese LZH tools (LHA32, Lhaplus, Explzh, jlha with lha.encoding=MS932) store names in
 *   Shift_JIS, LHa for UNIX in EUC-JP. libarchive converts them from CP932, which its wasm build (no iconv) cannot do: its
 *   header read then fails and the wrapper just ends the archive at that member, whatever the
 *   method (-lh5-/-lh6-/-lh7-) or header level (0, 1, 2). So `readableCopy` hands libarchive a copy
 *   whose non-UTF-8 names are spelled in ASCII (header checksums and CRCs redone), and the real
 *   names are decoded here.
 */
import { nameReadings, u16, u32 } from '../bytes.js';

/** What a member's header says. */
export interface LzhHeader {
  /** Stored CRC-16 of the content; null where the header cannot be read (level 3 ends the walk). */
  crc: number | null;
  /** The path as stored (directory and name joined with '/'), or null. */
  name: Uint8Array | null;
  /** The path in UTF-16 (extended headers 0x44 and 0x45), where the writer kept one beside `name`. */
  unicodeName: string | null;
  /** Where the header is, and the byte ranges that hold its name and directory. */
  start: number;
  level: number;
  nameFields: [number, number][];
  /** Offset of the header CRC (extended header 0x00), if the header has one. */
  headerCrcAt: number | null;
  /** End of the header (base and extended headers). */
  end: number;
}

/** Every member header in order. */
export function lzhHeaders(b: Uint8Array): LzhHeader[] {
  const out: LzhHeader[] = [];
  let p = 0;
  while (p + 22 <= b.length && b[p] !== 0 && out.length < 1_000_000) {
    const level = b[p + 20];
    const packed = u32(b, p + 7);
    if (level === 0 || level === 1) {
      const nameLen = b[p + 21];
      const base = p + 2 + b[p];
      const h = header(b, p, level, [p + 22, p + 22 + nameLen], u16(b, p + 22 + nameLen)); // the CRC follows the name
      if (level === 1) extended(b, h, base, u16(b, base - 2), b.length);
      else h.end = base;
      out.push(h);
      // Level 1's extended headers count in `packed`, so both levels end at the same place.
      p = base + packed;
    } else if (level === 2) {
      const h = header(b, p, level, null, u16(b, p + 21));
      extended(b, h, p + 26, u16(b, p + 24), p + u16(b, p));
      out.push(h);
      p += u16(b, p) + packed;
    } else {
      out.push({ crc: null, name: null, unicodeName: null, start: p, level, nameFields: [], headerCrcAt: null, end: p });
      break;
    }
  }
  return out;
}

function header(b: Uint8Array, p: number, level: number, nameField: [number, number] | null, crc: number): LzhHeader {
  const h: LzhHeader = { crc, name: null, unicodeName: null, start: p, level, nameFields: [], headerCrcAt: null, end: p };
  if (nameField && nameField[1] <= b.length) {
    h.nameFields.push(nameField);
    h.name = b.subarray(...nameField);
  }
  return h;
}

/**
 * Extended headers (levels 1 and 2), size-chained from `q`: the header CRC (type 0x00), the file
 * name (0x01) and the directory (0x02, 0xFF between its parts), which win over a level 1 base name,
 * and the same two in UTF-16LE (0x44, 0x45: U+FFFF after each part). UNLHA32.DLL (LHA32, Lhaplus,
 * Explzh) writes those beside a CP932 name that has '_' for each character CP932 lacks: 「秘—見積.txt」
 * (the em dash) is 「秘_見積.txt」 in 0x01, and only 0x44 says what Windows shows.
 */
function extended(b: Uint8Array, h: LzhHeader, q: number, size: number, end: number): void {
  let dir: Uint8Array | null = null;
  let file: Uint8Array | null = null;
  let wideDir = '';
  let wideFile: string | null = null;
  for (; size >= 3 && q + size <= end; q += size, size = u16(b, q - 2)) {
    const field: [number, number] = [q + 1, q + size - 2];
    if (b[q] === 0x00 && size >= 5) h.headerCrcAt = q + 1;
    else if (b[q] === 0x01) file = b.subarray(...field);
    else if (b[q] === 0x02) dir = b.subarray(...field).map((c) => (c === 0xff ? 0x2f : c));
    else if (b[q] === 0x44) wideFile = utf16le.decode(b.subarray(...field));
    else if (b[q] === 0x45) wideDir = utf16le.decode(b.subarray(...field)).split('\uffff').filter(Boolean).map((d) => d + '/').join('');
    if (b[q] === 0x01 || b[q] === 0x02) h.nameFields.push(field);
  }
  h.end = q;
  if (wideFile) h.unicodeName = wideDir + wideFile;
  file ??= h.name;
  if (!file) return;
  h.name = dir ? Uint8Array.from([...dir, ...(dir[dir.length - 1] === 0x2f ? [] : [0x2f]), ...file]) : file;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le');

/** True when the header's name needs a conversion libarchive's wasm build lacks (not ASCII, not UTF-8). */
export function needsConversion(h: LzhHeader): boolean {
  if (!h.name || h.name.every((c) => c < 0x80)) return false;
  try {
    utf8.decode(h.name);
    return false;
  } catch {
    return true;
  }
}

/**
 * The member's path in each encoding the tool that wrote it may have meant, the likeliest first: its UTF-16
 * path where it has one (what Windows LZH tools show), then (bytes.ts nameReadings) UTF-8, CP932 (LHA32,
 * Lhaplus, Explzh, jlha) or EUC-JP (LHa for UNIX, whatever its OS ID says). [] when the header has none.
 */
export function lzhNames(h: LzhHeader): string[] {
  const readings = !h.name ? [] : needsConversion(h) ? nameReadings(h.name) : [utf8.decode(h.name)];
  return [...new Set([...(h.unicodeName ? [h.unicodeName] : []), ...readings.map((n) => n.replace(/\\/g, '/'))])];
}

/** Whether lzhNames, not libarchive, names the member: a name libarchive cannot convert, or a UTF-16 one. */
export const namedHere = (h: LzhHeader): boolean => needsConversion(h) || h.unicodeName !== null;

/**
 * A copy of the archive in which every name libarchive could not convert is spelled with '_' for
 * its non-ASCII bytes (both bytes of a Shift_JIS pair, so a trailing 0x5C is no path separator),
 * with the level 0/1 header checksum and the header CRC recomputed. Null when no name needs it.
 */
export function readableCopy(b: Uint8Array, headers: LzhHeader[]): Uint8Array | null {
  const todo = headers.filter(needsConversion);
  if (!todo.length) return null;
  const out = b.slice();
  for (const h of todo) {
    for (const [s, e] of h.nameFields) asciiSpelling(out, s, e);
    if (h.level <= 1) {
      let sum = 0;
      for (let i = h.start + 2; i < h.start + 2 + out[h.start]; i++) sum += out[i];
      out[h.start + 1] = sum & 0xff;
    }
    if (h.headerCrcAt !== null) {
      out[h.headerCrcAt] = out[h.headerCrcAt + 1] = 0;
      const crc = crc16(out.subarray(h.start, h.end));
      out[h.headerCrcAt] = crc & 0xff;
      out[h.headerCrcAt + 1] = crc >>> 8;
    }
  }
  return out;
}

/**
 * Whether a member header fails its own check (level 0 and 1: the byte sum of the header; an extended
 * header 0x00: the header's CRC-16). libarchive checks both, but it reads readableCopy's headers, whose
 * sums are recomputed: damage to a header with a Japanese name (its name itself) would pass unseen.
 */
export function lzhHeaderDamaged(b: Uint8Array, h: LzhHeader): boolean {
  if (h.level <= 1) {
    let sum = 0;
    for (let i = h.start + 2; i < h.start + 2 + b[h.start]; i++) sum += b[i];
    if ((sum & 0xff) !== b[h.start + 1]) return true;
  }
  if (h.headerCrcAt !== null && h.end <= b.length) {
    const copy = b.slice(h.start, h.end);
    copy[h.headerCrcAt - h.start] = copy[h.headerCrcAt - h.start + 1] = 0;
    if (crc16(copy) !== (b[h.headerCrcAt] | (b[h.headerCrcAt + 1] << 8))) return true;
  }
  return false;
}

function asciiSpelling(b: Uint8Array, s: number, e: number): void {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c === 0xff) continue; // the directory separator of extended header 0x02
    if ((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) {
      b[i] = 0x5f;
      if (i + 1 < e) b[++i] = 0x5f;
    } else if (c >= 0x80) b[i] = 0x5f;
  }
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
