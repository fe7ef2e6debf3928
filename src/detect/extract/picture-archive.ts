/**
 * An archive after other bytes: after a picture or a recording (`cat photo.jpg secret.7z > photo.jpg`,
 * `copy /b photo.jpg+secret.rar`, a Debian package after a picture) or after a program (7-Zip's, WinRAR's,
 * LHa for Windows' self-extractors, IExpress's CAB, `arj -je`, an AppImage's SquashFS). Viewers show the picture and the program runs, and
 * 7-Zip and WinRAR open the archive, because they look for an archive's start past the first byte. This is
 * the one place that says where such an archive starts (sniff.ts asks it for pictures and programs); a ZIP
 * is found by its end record instead (zip-end.ts), and this module reads both.
 */
import { readBytes, startsWith, u16, u32, u64 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { zipExtent, zipLayout } from './zip-end.js';
import { afterArchive } from './archive-bounds.js';
import { findNeedles, type Needle } from './byte-scan.js';
import { crc16 } from './lzh-headers.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { BEFORE_ARCHIVE } from '../member-names.js';

/**
 * How far into a file an archive's start is looked for: 7-Zip's own reach (7-Zip 26: a 7z after
 * 8,388,608 bytes of a picture is opened, one after 8,499,343 is not); unrar looks less far. The same
 * for a program: a self-extractor's stub can be larger than 1 MiB (an installer's own code and icons).
 */
export const ARCHIVE_START_REACH = 1 << 23;
/** A 7z start header's length: the search reads this far past the reach, to check one found at its end. */
const START_HEADER = 32;
/** The bytes the search reads: a file's first ARCHIVE_START_READ bytes are nearly all it needs. */
export const ARCHIVE_START_READ = ARCHIVE_START_REACH + START_HEADER;

/** Formats whose start is looked for. ARJ and SquashFS are not read here: found, they are `unsupported`, never clean. */
export type StartKind = '7z' | 'rar' | 'lzh' | 'cab' | 'ar' | 'arj' | 'squashfs' | 'zip';
export interface ArchiveStart {
  at: number;
  kind: StartKind;
  /** Where the archive ends by its own header (a CAB's or a SquashFS's size, a 7z's start header), else null. */
  end: number | null;
}

/**
 * A check of the header at `b[p]`: null when it is not a real start (a program that merely holds the
 * signature as a constant, as every unpacker, antivirus or libarchive itself does; a photo's noise), the
 * bytes from `p` it needs when `b` ends too soon, or the archive's length from its start (null when
 * unknown). `left` is the number of bytes in the file from the start on. Offsets, not subarrays: a file of
 * signatures asks for a million checks, and a view each would cost most of their time.
 */
type Verdict = { need: number } | { length: number | null } | null;
type Check = (b: Uint8Array, p: number, left: number) => Verdict;
/** Header bytes the checks have summed or hashed: the search's budget (CHECK_BUDGET) counts them. */
let checked = 0;
const crcOf = (b: Uint8Array, from: number, to: number): number => {
  checked += to - from;
  return crc32(b.subarray(from, to));
};

/** 7z: the start header's CRC-32 (as 7-Zip checks it). Its length: the next header's offset and size. */
const sevenZip: Check = (b, p, left) => {
  if (b.length - p < 32) return { need: 32 };
  if (b[p + 6] !== 0) return null; // format version 0.x
  if (crcOf(b, p + 12, p + 32) !== u32(b, p + 8)) return null;
  const length = 32 + u64(b, p + 12) + u64(b, p + 20);
  return { length: length <= left ? length : null }; // cut short: the 7z reader says so
};

/** RAR 1.5–4: the main header (type 0x73) after the marker, its CRC-16 the low half of a CRC-32. */
const rar4: Check = (b, p) => {
  if (b.length - p < 14) return { need: 14 };
  const size = u16(b, p + 12);
  if (b[p + 9] !== 0x73 || size < 13) return null;
  if (b.length - p < 7 + size) return { need: 7 + size };
  return (crcOf(b, p + 9, p + 7 + size) & 0xffff) === u16(b, p + 7) ? { length: null } : null;
};

/** RAR 5: the main archive header (type 1) after the marker, its CRC-32 over its size and its fields. */
const rar5: Check = (b, p) => {
  if (b.length - p < 16) return { need: 16 };
  let size = 0;
  let q = p + 12;
  for (let shift = 0; ; shift += 7) {
    size += (b[q] & 0x7f) * 2 ** shift;
    if (!(b[q++] & 0x80)) break;
    if (q === p + 15) return null; // the header size takes at most three bytes (2 MiB)
  }
  if (size < 2 || b[q] !== 1) return null;
  if (b.length < q + size) return { need: q + size - p };
  return crcOf(b, p + 12, q + size) === u32(b, p + 8) ? { length: null } : null;
};

/** LZH's methods, the byte after `-lh` or `-lz` (-lh0- to -lh7-, -lhd-, -lzs-, -lz4-, -lz5-). */
const LH_METHODS = new Set([...'01234567d'].map((c) => c.charCodeAt(0)));
const LZ_METHODS = new Set([...'s45'].map((c) => c.charCodeAt(0)));
/**
 * LZH (the signature `-lh5-` is at byte 2 of a member's header): levels 0 and 1 by their header checksum
 * (a byte sum), their size fields and their data fitting in the file; level 2 by its extended headers
 * chaining to its stated size exactly and its header CRC-16. Level 3 (rare) is not looked for.
 */
const lzh: Check = (b, p, left) => {
  if (b.length - p < 7) return { need: 27 };
  if (b[p + 6] !== 0x2d || !(b[p + 4] === 0x68 ? LH_METHODS : LZ_METHODS).has(b[p + 5])) return null;
  if (b.length - p < 27) return { need: 27 };
  const level = b[p + 20];
  const packed = u32(b, p + 7);
  if (level === 0 || level === 1) {
    const size = b[p];
    if (size < (level ? 25 : 22) + b[p + 21] || 2 + size + packed > left) return null;
    if (level === 1 && b[p + 19] !== 0x20) return null; // level 1's attribute byte is fixed
    if (b.length - p < 2 + size) return { need: 2 + size };
    let sum = 0;
    for (let i = p + 2; i < p + 2 + size; i++) sum += b[i];
    checked += size;
    return (sum & 0xff) === b[p + 1] ? { length: null } : null;
  }
  if (level !== 2) return null;
  const size = u16(b, p);
  if (size < 26 || size + packed > left) return null;
  if (b.length - p < size) return { need: size };
  let crcAt = -1;
  let q = 26;
  for (let next = u16(b, p + 24); next; q += next, next = u16(b, p + q - 2)) {
    if (next < 3 || q + next > size) return null;
    if (b[p + q] === 0x00 && next >= 5) crcAt = q + 1;
  }
  if ((q !== size && q + 1 !== size) || crcAt < 0) return null; // a level 2 header may end with one pad byte
  const copy = b.slice(p, p + size);
  copy[crcAt] = copy[crcAt + 1] = 0;
  checked += 2 * size;
  return crc16(copy) === u16(b, p + crcAt) ? { length: null } : null;
};

/** CAB: reserved fields zero, version 1.3, a folder and a file, the file list inside the cabinet. */
const cab: Check = (b, p, left) => {
  if (b.length - p < 36) return { need: 36 };
  const cb = u32(b, p + 8);
  const files = u32(b, p + 16);
  if (u32(b, p + 4) || u32(b, p + 12) || u32(b, p + 20) || b[p + 24] !== 3 || b[p + 25] !== 1) return null;
  if (cb < 44 || files < 36 || files >= cb || !u16(b, p + 26) || !u16(b, p + 28)) return null;
  return { length: cb <= left ? cb : null }; // cut short: the CAB reader says so
};

/** Unix ar (a Debian package): the first member's header, its size in decimal and its closing "`\n". */
const ar: Check = (b, p, left) => {
  if (b.length - p < 68) return { need: 68 };
  if (b[p + 66] !== 0x60 || b[p + 67] !== 0x0a) return null;
  const size = String.fromCharCode(...b.subarray(p + 56, p + 66));
  return /^\d+ *$/.test(size) && 68 + Number(size.trim()) <= left ? { length: null } : null;
};

/** ARJ: the main header (file type 2) and its CRC-32. */
const arj: Check = (b, p) => {
  if (b.length - p < 4) return { need: 4 };
  const size = u16(b, p + 2);
  if (size < 30 || size > 2600) return null;
  if (b.length - p < 8 + size) return { need: 8 + size };
  return b[p + 10] === 2 && crcOf(b, p + 4, p + 4 + size) === u32(b, p + 4 + size) ? { length: null } : null;
};

/** SquashFS 4 (little-endian): its block size a power of two that its block log says, its length inside the file. */
const squashfs: Check = (b, p, left) => {
  if (b.length - p < 96) return { need: 96 };
  const block = u32(b, p + 12);
  if (u16(b, p + 28) !== 4 || u16(b, p + 30) !== 0 || block < 4096 || block > 1 << 20 || 2 ** u16(b, p + 22) !== block) return null;
  const used = u64(b, p + 40);
  return used >= 96 ? { length: used <= left ? used : null } : null;
};

/** Compression methods a ZIP member is stored with (APPNOTE 4.4.5: stored, deflate, deflate64, bzip2, LZMA, zstd, xz, PPMd, AES). */
const ZIP_METHODS = new Set([0, 8, 9, 12, 14, 93, 95, 98, 99]);
/** General-purpose flags an archiver sets: encrypted, the deflate level's two bits, a data descriptor, strong encryption, UTF-8 names, a masked directory. */
const ZIP_FLAGS = 0x0001 | 0x0006 | 0x0008 | 0x0040 | 0x0800 | 0x2000;
/**
 * A ZIP's first local header, for a ZIP that has no end record where a ZIP after a program has one (a
 * download cut short, a resource in the middle of a program): version and host, flags and method as an
 * archiver writes them, a name of printable bytes. 7-Zip opens such a ZIP by its local headers. Its
 * end is found by walking its entries (zip-end.ts zipExtent), not here.
 */
const zipLocal: Check = (b, p) => {
  if (b.length - p < 30) return { need: 30 };
  const nameLength = u16(b, p + 26);
  if (b[p + 4] > 63 || b[p + 5] > 19 || u16(b, p + 6) & ~ZIP_FLAGS || !ZIP_METHODS.has(u16(b, p + 8))) return null;
  if (nameLength === 0 || nameLength > 4096) return null;
  if (b.length - p < 30 + nameLength) return { need: 30 + nameLength };
  for (let i = p + 30; i < p + 30 + nameLength; i++) if (b[i] < 0x20 || b[i] === 0x7f) return null;
  checked += nameLength;
  return { length: null };
};

interface Signature {
  needle: Needle;
  /** Where the format's start is relative to the signature (LZH's method name is at byte 2). */
  back: number;
  kind: StartKind;
  check: Check;
}
const sig = (bytes: number[], anchor: number, kind: StartKind, check: Check, back = 0): Signature => ({
  needle: { bytes: Uint8Array.from(bytes), enc: 'utf-8', anchor },
  back,
  kind,
  check,
});
const SIGNATURES: Signature[] = [
  sig([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 2, '7z', sevenZip),
  // RAR 1.5–4 (`Rar!` 1A 07 00) and RAR 5 (`Rar!` 1A 07 01 00): a byte more each than the shared part.
  sig([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00], 4, 'rar', rar4),
  sig([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00], 4, 'rar', rar5),
  sig([0x2d, 0x6c, 0x68], 2, 'lzh', lzh, 2), // -lh
  sig([0x2d, 0x6c, 0x7a], 2, 'lzh', lzh, 2), // -lz
  sig([0x4d, 0x53, 0x43, 0x46, 0, 0, 0, 0], 0, 'cab', cab),
  sig([0x21, 0x3c, 0x61, 0x72, 0x63, 0x68, 0x3e, 0x0a], 1, 'ar', ar), // !<arch>\n
  sig([0x60, 0xea], 1, 'arj', arj),
  sig([0x68, 0x73, 0x71, 0x73], 1, 'squashfs', squashfs), // hsqs
  sig([0x50, 0x4b, 3, 4], 1, 'zip', zipLocal), // PK\3\4
];
const NEEDLES = SIGNATURES.map((s) => s.needle);
const BY_NEEDLE = new Map(SIGNATURES.map((s) => [s.needle, s]));

/** Bytes read at a time; a start header's length more overlaps the next piece. */
const PIECE = 1 << 20;
/** How far before its signature a start can be (LZH's method name is at byte 2 of its header). */
const LEAD = 2;
/**
 * Bytes of headers checked (summed or hashed) in one search, at most. A file made of signatures whose
 * headers each ask for a 64 KiB CRC would otherwise cost seconds; past this the search stops, and the
 * file, whose archive-like bytes could not all be checked, is unscannable, not clean.
 */
export const CHECK_BUDGET = 16 << 20;

/**
 * The first archive start in [from, the reach) whose header holds, or null. Every check is its format's
 * own (the CRCs 7-Zip and WinRAR check), so six bytes of a photo's noise, or a program that holds the
 * signatures as constants, do not make an archive. `budget` may be shared by searches of one file.
 */
export async function archiveStartAfter(blob: Blob, from: number, budget = { used: 0 }): Promise<ArchiveStart | null> {
  const reach = Math.min(blob.size, ARCHIVE_START_REACH);
  // Counted over the synchronous checks only: another scan's search may run between two awaits.
  const over = () => budget.used > CHECK_BUDGET;
  const measured = <T>(f: () => T): T => {
    const before = checked;
    try {
      return f();
    } finally {
      budget.used += checked - before;
    }
  };
  // A ZIP's local header is the start only when no other is found in the reach: a whole ZIP is found by
  // its end record (zip-end.ts); this finds one without it (cut short, or a resource inside a program).
  let zipStart: ArchiveStart | null = null;
  // In pieces: a phone photo's 8 MiB are not held at once. Each piece begins LEAD bytes early, so an
  // LZH header whose method name is the first thing in a piece is seen whole.
  for (let base = from; base < reach; base += PIECE) {
    const origin = Math.max(0, base - LEAD);
    const to = Math.min(reach, base + PIECE);
    // Past the reach by a start header only: a picture's head (ARCHIVE_START_READ) is all a search reads.
    const piece = await readBytes(blob, origin, Math.min(blob.size, to + START_HEADER));
    const candidates: [number, Signature][] = [];
    let found: ArchiveStart | null = null;
    const take = (s: ArchiveStart) => (s.kind === 'zip' ? (zipStart ??= s) : (found = s));
    const before = checked;
    measured(() => findNeedles(piece, NEEDLES, base - origin, to - origin, (hit, nd) => {
      const s = BY_NEEDLE.get(nd)!;
      const start = hit - s.back;
      if (origin + start < Math.max(from, 1)) return true; // offset 0 is the file's own format
      const v = s.check(piece, start, blob.size - origin - start);
      if (v && 'need' in v) candidates.push([start, s]); // its header runs past this piece: checked below
      else if (v) take({ at: origin + start, kind: s.kind, end: v.length === null ? null : origin + start + v.length });
      return !found && budget.used + checked - before <= CHECK_BUDGET;
    }));
    // Candidates whose header runs past the piece, in order, each read as far as its header needs.
    for (const [start, s] of candidates) {
      const at = origin + start;
      let h = piece.subarray(start);
      for (let v = measured(() => s.check(h, 0, blob.size - at)); ; v = measured(() => s.check(h, 0, blob.size - at))) {
        if (v && 'need' in v) {
          // A 7z or RAR signature whose header the file's end cuts: a self-extractor cut short (its reader
          // says so). Not for the shorter signatures: two bytes of ARJ near a program's end are chance.
          if (at + h.length >= blob.size && (s.kind === '7z' || s.kind === 'rar')) found = { at, kind: s.kind, end: null };
          if (h.length >= v.need || at + h.length >= blob.size || over()) break;
          budget.used += v.need;
          h = await readBytes(blob, at, Math.min(blob.size, at + v.need));
          continue;
        }
        if (v) take({ at, kind: s.kind, end: v.length === null ? null : at + v.length });
        break;
      }
      if (found) break;
    }
    if (found) return found;
    if (over()) throw new ScanError('corrupt', 'too many archive signatures to check in this file (crafted?): it cannot be read');
  }
  return zipStart;
}

/** The first start after byte 0, searched once per file: sniff.ts asks, then the reader. */
const firstStarts = new WeakMap<Blob, Promise<ArchiveStart | null>>();
export function archiveStart(blob: Blob): Promise<ArchiveStart | null> {
  let found = firstStarts.get(blob);
  if (!found) firstStarts.set(blob, (found = archiveStartAfter(blob, 1)));
  return found;
}

/** Archives after one another that are each taken as a member, at most (then the rest is one member). */
const MAX_SEGMENTS = 64;
const LOCAL_HEADER = [0x50, 0x4b, 3, 4];

/**
 * A file in pieces, each a member read by its own format: the bytes before the first archive (a picture,
 * a program, a script: read as whatever they are), each archive found by its start (to its own end when
 * its header gives one, a CAB inside a program's resources, then the search goes on after it), the bytes
 * between, and a ZIP at the end (from its own first byte). A ZIP whose offsets count from the file's
 * start cannot be cut out: `inPlace` reads the whole file then. A signed Windows program's signature comes
 * after its archive (WinRAR's own installer): the archive ends where the signature starts, and the signature
 * is read as the bytes after it. An archive stands for the file it was cut
 * from (`payload`), so a member in it is located as photo.jpg › メモ.txt, as when the file is read whole.
 */
export function prefixedArchive(inPlace: Extractor): Extractor {
  return async function* (blob, ctx) {
    const zip = await zipLayout(blob);
    const zipAt = zip && zip.start > 0 && startsWith(await readBytes(blob, zip.start, zip.start + 4), LOCAL_HEADER) ? zip.start : null;
    const limit = zipAt ?? (await signatureStart(blob)) ?? blob.size;
    // A start inside the ZIP is a member stored in it (a .7z kept as it is), read with the ZIP; so is the
    // ZIP's own first local header.
    const within = (s: ArchiveStart | null) => (s && s.at < limit && !(s.kind === 'zip' && zip && s.at >= zip.start) ? s : null);
    let start = within(await archiveStart(blob));
    if (!start && zipAt === null) {
      if (!zip) throw new ScanError('corrupt', 'the archive after the first bytes could not be found again');
      yield* inPlace(blob, ctx);
      return;
    }
    let pos = 0;
    const budget = { used: 0 }; // one for the searches after each archive, together
    for (let n = 0; start && n < MAX_SEGMENTS; n++) {
      if (start.at > pos) yield* piece(blob, pos, start.at, ctx);
      // A ZIP found by its first local header ends where walking its entries says (a resource in a
      // program), or runs to the limit (cut short: its reader reads what it can, and says so).
      const end = Math.min((start.kind === 'zip' ? await zipExtent(blob, start.at, limit, ctx.limits.maxEntries) : start.end) ?? limit, limit);
      ctx.addEntry();
      yield { kind: 'member', name: '', data: blob.slice(start.at, end), payload: true };
      pos = end;
      start = pos < limit ? within(await archiveStartAfter(blob, pos, budget)) : null;
    }
    if (pos < limit) yield* piece(blob, pos, limit, ctx);
    if (zipAt !== null) {
      ctx.addEntry();
      yield { kind: 'member', name: '', data: blob.slice(zipAt), payload: true };
    }
  };
}

/**
 * Bytes from `from` to `to` as a member: the prefix whole, a gap after an archive unless it is zero padding.
 * The prefix has a name of its own: under the file's (`setup.zip`) a program would be taken for a damaged ZIP.
 */
async function* piece(blob: Blob, from: number, to: number, ctx: ExtractContext): AsyncGenerator<Extracted> {
  if (from > 0) {
    yield* afterArchive(blob.slice(0, to), from, ctx);
    return;
  }
  const prefix = blob.slice(from, to);
  // No start before the first one: the prefix is not searched again (a 7z signature cut by its end, the
  // one before the archive's, would make it a self-extractor cut short, and so on, a search each).
  firstStarts.set(prefix, Promise.resolve(null));
  ctx.addEntry();
  yield { kind: 'member', name: BEFORE_ARCHIVE, data: prefix };
}

/**
 * Where a signed Windows program's Authenticode signature starts, when it ends the file (signtool and
 * osslsigncode append it after everything, a self-extractor's archive included): the PE header's
 * security directory, the one data directory that holds a file offset. Null for anything else.
 */
async function signatureStart(blob: Blob): Promise<number | null> {
  const dos = await readBytes(blob, 0, 64);
  if (dos.length < 64 || dos[0] !== 0x4d || dos[1] !== 0x5a) return null;
  const pe = u32(dos, 0x3c);
  // The PE signature, the file header (20 bytes), then the optional header up to its 5th data directory.
  const h = await readBytes(blob, pe, pe + 24 + 112 + 40);
  if (h.length < 26 || !startsWith(h, [0x50, 0x45, 0, 0])) return null;
  // The optional header's data directories: after 96 bytes in PE32, 112 in PE32+; the 5th is security.
  const magic = u16(h, 24);
  const dirs = 24 + (magic === 0x10b ? 96 : magic === 0x20b ? 112 : NaN);
  if (Number.isNaN(dirs) || h.length < dirs + 40 || u32(h, dirs - 4) < 5) return null;
  const [at, size] = [u32(h, dirs + 32), u32(h, dirs + 36)];
  // Padded to 8 bytes: the table may end up to 7 bytes before the file does.
  return size && at > 0 && at + size <= blob.size && at + size + 8 > blob.size ? at : null;
}
