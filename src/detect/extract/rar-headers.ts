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

/**
 * RAR 5.0's blocks: a CRC-32, the header's size and type (vints), its flags, then extra and data sizes;
 * a file header (type 2) gives its file flags, sizes, the data's CRC-32 when present, the method (bits
 * 7–9 of the compression info: 0 is store) and its UTF-8 name.
 */
function rar5Files(b: Uint8Array): RarFile[] {
  const out: RarFile[] = [];
  let p = RAR5.length;
  while (p + 7 <= b.length && out.length < 1_000_000) {
    let o = p + 4;
    const vint = () => {
      let v = 0;
      for (let shift = 0; o < b.length && shift < 63; shift += 7) {
        const c = b[o++];
        v += (c & 0x7f) * 2 ** shift;
        if (!(c & 0x80)) break;
      }
      return v;
    };
    const headerSize = vint();
    const end = o + headerSize;
    if (headerSize < 2 || end > b.length) break;
    const type = vint();
    const flags = vint();
    if (flags & 1) vint(); // extra area size
    const data = flags & 2 ? vint() : 0;
    if (type === 2) {
      const fileFlags = vint();
      vint(); // unpacked size
      vint(); // attributes
      if (fileFlags & 2) o += 4; // modification time
      const crc = fileFlags & 4 ? u32(b, o) : null;
      if (fileFlags & 4) o += 4;
      const method = (vint() >> 7) & 7;
      vint(); // host OS
      const nameLen = vint();
      out.push({ name: b.subarray(o, Math.min(end, o + nameLen)), unicode: true, crc: crc ?? 0, stored: method === 0 && crc !== null, directory: (fileFlags & 1) !== 0 });
    }
    p = end + data;
  }
  return out;
}
