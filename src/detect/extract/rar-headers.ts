/**
 * RAR file headers (1.5–4.x, and 5.0 for the CRC), walked beside libarchive for two things it does not give:
 * - names stored without the Unicode flag, in the code page of the Windows that wrote them (WinRAR 2–3
 *   on a Japanese system: CP932). libarchive's wasm build has no code page tables and hands them over
 *   as each byte pair read as one character; decoded here (bytes.ts decodeName: UTF-8, CP932, EUC-JP);
 * - the CRC-32 of a stored member (method "store"), which libarchive does not check: a damaged stored
 *   member would read as clean. archive.ts checks it.
 */
import { u16, u32 } from '../bytes.js';

export interface RarFile {
  /** The name's bytes as stored (before a Unicode name's `\0`), and whether the Unicode flag is set. */
  name: Uint8Array;
  unicode: boolean;
  crc: number;
  stored: boolean;
  directory: boolean;
}

const SIGNATURE = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00];
const FILE_HEAD = 0x74;
const LONG_BLOCK = 0x8000;
const LHD_LARGE = 0x0100;
const LHD_UNICODE = 0x0200;
const LHD_DIRECTORY = 0x00e0;
const STORE = 0x30;

/** Every file header in order (directories too, as libarchive lists them); [] when this is no RAR archive. */
export function rarFiles(b: Uint8Array): RarFile[] {
  if (RAR5.every((x, i) => b[i] === x)) return rar5Files(b);
  if (!SIGNATURE.every((x, i) => b[i] === x)) return [];
  const out: RarFile[] = [];
  let p = SIGNATURE.length;
  while (p + 7 <= b.length && out.length < 1_000_000) {
    const type = b[p + 2];
    const flags = u16(b, p + 3);
    const size = u16(b, p + 5);
    if (size < 7) break;
    let data = flags & LONG_BLOCK ? u32(b, p + 7) : 0;
    if (type === FILE_HEAD && p + 32 <= b.length) {
      const nameLen = u16(b, p + 26);
      const at = p + 32 + (flags & LHD_LARGE ? 8 : 0);
      if (flags & LHD_LARGE) data += u32(b, p + 32) * 2 ** 32;
      const raw = b.subarray(at, Math.min(b.length, at + nameLen));
      const zero = flags & LHD_UNICODE ? raw.indexOf(0) : -1;
      out.push({
        name: zero >= 0 ? raw.subarray(0, zero) : raw,
        unicode: (flags & LHD_UNICODE) !== 0,
        crc: u32(b, p + 16),
        stored: b[p + 25] === STORE,
        directory: (flags & LHD_DIRECTORY) === LHD_DIRECTORY,
      });
    }
    p += size + data;
  }
  return out;
}

const RAR5 = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00];

/** RAR 5.0's variable-length integers, read from `at.o` on (7 bits a byte, the high bit set on all but the last). */
function vint(b: Uint8Array, at: { o: number }): number {
  let v = 0;
  for (let shift = 0; at.o < b.length && shift < 63; shift += 7) {
    const c = b[at.o++];
    v += (c & 0x7f) * 2 ** shift;
    if (!(c & 0x80)) break;
  }
  return v;
}

/**
 * A RAR volume after the first, by its main header: RAR 5 writes a volume number in every volume but the
 * first; RAR 3 and 4 mark the first volume of a set. Its first member goes on from the volume before,
 * which libarchive skips without a word.
 */
export function rarLaterVolume(head: Uint8Array): boolean {
  if (RAR5.every((x, i) => head[i] === x)) {
    const at = { o: 12 }; // past the signature and the header's CRC
    vint(head, at); // header size
    if (vint(head, at) !== 1) return false; // not the main archive header
    const flags = vint(head, at);
    if (flags & 1) vint(head, at); // extra area size
    if (flags & 2) vint(head, at); // data size
    return (vint(head, at) & 0x0003) === 0x0003; // a volume, with its number
  }
  if (SIGNATURE.every((x, i) => head[i] === x) && head[9] === 0x73) {
    const flags = head[10] | (head[11] << 8);
    return (flags & 0x0001) !== 0 && (flags & 0x0100) === 0; // MHD_VOLUME without MHD_FIRSTVOLUME
  }
  return false;
}

/**
 * RAR 5.0's blocks: a CRC-32, the header's size and type (vints), its flags, then extra and data sizes;
 * a file header (type 2) gives its file flags, sizes, the data's CRC-32 when present, the method (bits
 * 7–9 of the compression info: 0 is store) and its UTF-8 name.
 */
function rar5Files(b: Uint8Array): RarFile[] {
  const out: RarFile[] = [];
  let p = RAR5.length;
  while (p + 7 <= b.length && out.length < 1_000_000) {
    const at = { o: p + 4 };
    const next = () => vint(b, at);
    const headerSize = next();
    const end = at.o + headerSize;
    if (headerSize < 2 || end > b.length) break;
    const type = next();
    const flags = next();
    if (flags & 1) next(); // extra area size
    const data = flags & 2 ? next() : 0;
    if (type === 2) {
      const fileFlags = next();
      next(); // unpacked size
      next(); // attributes
      if (fileFlags & 2) at.o += 4; // modification time
      const crc = fileFlags & 4 ? u32(b, at.o) : null;
      if (fileFlags & 4) at.o += 4;
      const method = (next() >> 7) & 7;
      next(); // host OS
      const nameLen = next();
      out.push({ name: b.subarray(at.o, Math.min(end, at.o + nameLen)), unicode: true, crc: crc ?? 0, stored: method === 0 && crc !== null, directory: (fileFlags & 1) !== 0 });
    }
    p = end + data;
  }
  return out;
}
