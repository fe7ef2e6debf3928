/**
 * RAR file headers (1.5–4.x, and 5.0 for the CRC), walked beside libarchive for two things it does not give:
 * - names stored without the Unicode flag, in the code page of the Windows that wrote them (WinRAR 2–3
 *   on a Japanese system: CP932). libarchive's wasm build has no code page tables and hands them over
 *   as each byte pair read as one character; decoded here (bytes.ts decodeName: UTF-8, CP932, EUC-JP);
 * - the CRC-32 of a stored member (method "store"), which libarchive does not check: a damaged stored
 *   member would read as clean. archive.ts checks it;
 * - the archive comment (rarComments), which unrar and 7-Zip show and libarchive skips;
 * - encrypted headers (rar -hp, rarHeadersEncrypted): told apart from damage before anything else is read.
 */
import { concat, u16, u32 } from '../bytes.js';
import { crc32 } from '../crc32.js';

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
      const file = rar5FileHeader(b, at, end);
      out.push({ name: file.name, unicode: true, crc: file.crc ?? 0, stored: file.stored && file.crc !== null, directory: file.directory });
    }
    p = end + data;
  }
  return out;
}

/**
 * Headers encrypted with the archive's password (rar -hp): RAR 5 puts its archive encryption header (type 4)
 * first; RAR 3 and 4 set MHD_PASSWORD (0x0080) in the main header. Nothing after it, not even the end
 * block, reads without the password: such an archive is encrypted, not damaged.
 */
export function rarHeadersEncrypted(head: Uint8Array): boolean {
  if (RAR5.every((x, i) => head[i] === x)) {
    const at = { o: RAR5.length + 4 };
    vint(head, at); // header size
    return vint(head, at) === 4;
  }
  return SIGNATURE.every((x, i) => head[i] === x) && head[9] === MAIN_HEAD && (u16(head, 10) & MHD_PASSWORD) !== 0;
}

const MAIN_HEAD = 0x73;
const MHD_PASSWORD = 0x0080;
const MHD_COMMENT = 0x0002;
const NEWSUB_HEAD = 0x7a;
const COMM_HEAD = 0x75;
const RAR4_END = Uint8Array.of(0xc4, 0x3d, 0x7b, 0x00, 0x40, 0x07, 0x00);
const RAR5_END = Uint8Array.of(0x1d, 0x77, 0x56, 0x51, 0x03, 0x05, 0x04, 0x00);

/**
 * The archive comment, which unrar (`rar l`, `unrar l`), WinRAR and 7-Zip show above the list of files:
 * - RAR 3 and later: a service header named CMT (RAR 4: block 0x7a; RAR 5: type 3), laid out as a file
 *   header, its data the comment, stored or compressed as a member is. Each is handed back as a small
 *   archive of its own whose one member is that header made a file header, for libarchive to decode as
 *   it decodes members (`archive`);
 * - RAR 2.9's comment inside the main header (MHD_COMMENT, a comment block 0x75): its text when stored
 *   (`text`), else `unread`.
 * `damaged` says why what was read (still read: the stamp may have survived) cannot be trusted whole.
 */
export type RarComment = ({ archive: Uint8Array } | { text: Uint8Array } | { unread: string }) & { damaged?: string };

/**
 * A RAR 3–5 comment whose data, stored, fails its CRC-32 (unrar: CRC error; 7-Zip: "Cannot open the file as
 * archive"): libarchive does not check a stored member's data, so the damage would not be noticed there.
 * (Its header's CRC is checked by libarchive as it reads the archive itself.)
 */
function commentDamage(header: { crc: number | null; stored: boolean }, data: Uint8Array): string | undefined {
  return header.stored && header.crc !== null && crc32(data) !== header.crc ? 'the archive comment fails its CRC check' : undefined;
}

export function rarComments(b: Uint8Array): RarComment[] {
  if (RAR5.every((x, i) => b[i] === x)) return rar5Comments(b);
  if (!SIGNATURE.every((x, i) => b[i] === x) || b[9] !== MAIN_HEAD) return [];
  const out: RarComment[] = [];
  const mainEnd = SIGNATURE.length + u16(b, 12);
  if (u16(b, 10) & MHD_COMMENT) out.push(rar29Comment(b, SIGNATURE.length + 13));
  for (let p = mainEnd, n = 0; p + 7 <= b.length && n < 1_000_000; n++) {
    const flags = u16(b, p + 3);
    const size = u16(b, p + 5);
    if (size < 7 || p + size > b.length) break;
    const data = flags & LONG_BLOCK ? u32(b, p + 7) : 0;
    const nameAt = p + 32 + (flags & LHD_LARGE ? 8 : 0);
    if (b[p + 2] === NEWSUB_HEAD && size >= nameAt + 3 - p && u16(b, p + 26) === 3 && String.fromCharCode(...b.subarray(nameAt, nameAt + 3)) === 'CMT') {
      const damaged = commentDamage({ crc: u32(b, p + 16), stored: b[p + 25] === STORE }, b.subarray(p + size, p + size + data));
      const block = b.slice(p, Math.min(b.length, p + size + data));
      block[2] = FILE_HEAD;
      const headerCrc = crc32(block.subarray(2, size)) & 0xffff;
      block[0] = headerCrc & 0xff;
      block[1] = headerCrc >> 8;
      out.push({ archive: concat([b.subarray(0, mainEnd), block, RAR4_END]), damaged });
    }
    p += size + data;
  }
  return out;
}

/**
 * libarchive checks a main header's CRC over all of it, where RAR 2.9 (and unrar, 7-Zip) take only its
 * first 13 bytes when it holds the comment: such an archive would read as damaged. The copy libarchive
 * reads has the comment (read by rarComments) taken out; null when there is none.
 */
export function rarReadableCopy(b: Uint8Array): Uint8Array | null {
  if (!SIGNATURE.every((x, i) => b[i] === x) || b[9] !== MAIN_HEAD || !(u16(b, 10) & MHD_COMMENT) || u16(b, 12) < 13) return null;
  const main = b.slice(SIGNATURE.length, SIGNATURE.length + 13);
  main[3] &= ~MHD_COMMENT;
  main[5] = 13;
  main[6] = 0;
  const headerCrc = crc32(main.subarray(2)) & 0xffff;
  main[0] = headerCrc & 0xff;
  main[1] = headerCrc >> 8;
  return concat([b.subarray(0, SIGNATURE.length), main, b.subarray(SIGNATURE.length + u16(b, 12))]);
}

/** RAR 2.9's comment block inside the main header: CRC, type, flags, size, then unpacked size, version, method, comment CRC. */
function rar29Comment(b: Uint8Array, p: number): RarComment {
  const size = u16(b, p + 5);
  if (b[p + 2] !== COMM_HEAD || size < 13 || p + size > b.length) return { unread: 'the archive comment block is damaged' };
  if (b[p + 10] !== STORE) return { unread: 'the archive comment is compressed in RAR 2.9’s way, which cannot be read here' };
  const text = b.subarray(p + 13, p + size);
  // The comment's own CRC (the low 16 bits of its CRC-32), which unrar and 7-Zip check.
  return { text, damaged: (crc32(text) & 0xffff) !== u16(b, p + 11) ? 'the archive comment fails its CRC check' : undefined };
}

function rar5Comments(b: Uint8Array): RarComment[] {
  const out: RarComment[] = [];
  let main: Uint8Array | null = null;
  for (let p = RAR5.length, n = 0; p + 7 <= b.length && n < 1_000_000; n++) {
    const at = { o: p + 4 };
    const headerSize = vint(b, at);
    const end = at.o + headerSize;
    if (headerSize < 2 || end > b.length) break;
    const typeAt = at.o;
    const type = vint(b, at);
    const flags = vint(b, at);
    if (flags & 1) vint(b, at); // extra area size
    const data = flags & 2 ? vint(b, at) : 0;
    if (type === 1) main = b.subarray(p, end);
    const service = type === 3 && main ? rar5FileHeader(b, at, end) : null;
    if (main && service && String.fromCharCode(...service.name) === 'CMT') {
      const damaged = commentDamage(service, b.subarray(end, end + data));
      const block = b.slice(p, Math.min(b.length, end + data));
      block[typeAt - p] = 2; // a file header
      new DataView(block.buffer).setUint32(0, crc32(block.subarray(4, end - p)), true);
      out.push({ archive: concat([b.subarray(0, RAR5.length), main, block, RAR5_END]), damaged });
    }
    p = end + data;
  }
  return out;
}

/**
 * A RAR 5 file or service header's fields from its file flags on (past the header's sizes, type and flags):
 * the data's CRC-32 when present, whether it is stored (bits 7–9 of the compression information: 0) and
 * the name's bytes.
 */
function rar5FileHeader(b: Uint8Array, from: { o: number }, end: number): { name: Uint8Array; crc: number | null; stored: boolean; directory: boolean } {
  const at = { ...from };
  const fileFlags = vint(b, at);
  vint(b, at); // unpacked size
  vint(b, at); // attributes
  if (fileFlags & 2) at.o += 4; // modification time
  const crc = fileFlags & 4 && at.o + 4 <= b.length ? u32(b, at.o) : null;
  if (fileFlags & 4) at.o += 4;
  const stored = ((vint(b, at) >> 7) & 7) === 0;
  vint(b, at); // host OS
  const len = vint(b, at);
  return { name: b.subarray(at.o, Math.min(end, at.o + len)), crc, stored, directory: (fileFlags & 1) !== 0 };
}

/**
 * Whether the archive's main header fails its CRC (RAR 3–4: the low 16 bits of the CRC-32 of the header,
 * or of its first 13 bytes when it holds a RAR 2.9 comment; RAR 5: the CRC-32 of its size and data).
 * 7-Zip then cannot open the archive; libarchive stops before the first member with no error message
 * (bsdtar: "(null)"), which would read as an archive with nothing in it.
 */
export function rarMainHeaderDamaged(b: Uint8Array): boolean {
  if (RAR5.every((x, i) => b[i] === x)) {
    const at = { o: RAR5.length + 4 };
    const size = vint(b, at);
    const end = at.o + size;
    return end > b.length || crc32(b.subarray(RAR5.length + 4, end)) !== u32(b, RAR5.length);
  }
  if (!SIGNATURE.every((x, i) => b[i] === x)) return false;
  const p = SIGNATURE.length;
  const size = u16(b, p + 5);
  const crcOf = (end: number) => end <= b.length && (crc32(b.subarray(p + 2, end)) & 0xffff) === u16(b, p);
  return b[p + 2] !== MAIN_HEAD || size < 13 || !(crcOf(p + size) || crcOf(p + 13));
}
