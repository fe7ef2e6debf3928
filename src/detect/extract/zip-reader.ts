/**
 * A ZIP reader over a Blob: the central directory is read from the end, each member is read and
 * decompressed on demand (deflate; bzip2, zstd and xz through the decoders of the standalone files:
 * MEMBER_DECODERS; LZMA and PPMd through libarchive), so memory holds one member at a time. Guards
 * against bombs (declared and actual expansion ratio, total expanded bytes: see expansion-guard.ts) and lying headers:
 * the directory must hold exactly the entries its end record lists, each local header must agree
 * with its directory entry, and every member read must match its size and CRC-32.
 */
import { blobOf, decodeName, readBytes, sliceRange, startsWith, u16, u32, u64 } from '../bytes.js';
import { readRange } from '../range-read.js';
import { crc32 } from '../crc32.js';
import { RATIO_FLOOR_BYTES } from '../limits.js';
import { asCorrupt, ExpansionGuard, type GuardOptions, type StreamDecoder } from './expansion-guard.js';
import { HEAD_INPUT, inflateHead, inflateRaw } from './inflate.js';
import { decodeBzip2 } from './bzip2.js';
import { decodeXz } from './xz.js';
import { decodeZstd } from './zstd.js';
import { LIBARCHIVE_METHODS, libarchiveMember } from './zip-libarchive.js';
import { ScanError, type ExtractContext, type Extracted } from './types.js';
import { tameTail } from './markup-spans.js';
import { withUsualPrefixes } from './xml-prefixes.js';
import { XmlEnds } from './xml-ends.js';

export interface ZipEntry {
  name: string;
  /** The header's own name, when the Unicode Path field gives another (checked by rule 2 too). */
  headerName?: string;
  /** The name's bytes as stored, compared with the local header's. */
  rawName: Uint8Array;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localOffset: number;
  isDir: boolean;
  encrypted: boolean;
  /** The member's comment (unzip -v, 7-Zip and WinRAR show it), or '' for none. */
  comment: string;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

// The scanner reads a ZIP's directory to tell OOXML/ODF/plain ZIP apart, then the extractor
// needs it again: read it once per Blob.
const directories = new WeakMap<Blob, ZipEntry[]>();
/** The archive's own comment, read with its directory: unzip prints it first, WinRAR shows it beside the list. */
const archiveComments = new WeakMap<Blob, string>();

/** The comment of a ZIP whose directory was read (readZipDirectory), or ''. */
export const zipComment = (blob: Blob): string => archiveComments.get(blob) ?? '';
/** Where the archive ends (its end record and comment): bytes after it are not the archive's (archive-bounds.ts afterArchive). */
const archiveEnds = new WeakMap<Blob, number>();
export const zipEnd = (blob: Blob): number | null => archiveEnds.get(blob) ?? null;
/** Where the central directory starts: the members' local entries lie before it (unlistedRanges). */
const directoryStarts = new WeakMap<Blob, number>();

/** No end record in a ZIP's last 64 KiB: the archive was cut short (scan.ts reads it by its local entries). */
export class ZipEndMissing extends ScanError {}

export async function readZipDirectory(blob: Blob, ctx: ExtractContext): Promise<ZipEntry[]> {
  const known = directories.get(blob);
  if (known) return known;
  const entries = await parseZipDirectory(blob, ctx);
  directories.set(blob, entries);
  return entries;
}

async function parseZipDirectory(blob: Blob, ctx: ExtractContext): Promise<ZipEntry[]> {
  const tailLen = Math.min(blob.size, 65_557);
  const tail = await readBytes(blob, blob.size - tailLen);
  let e = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === EOCD) {
      e = i;
      break;
    }
  }
  if (e < 0) throw new ZipEndMissing('corrupt', 'ZIP end of central directory not found (truncated?)');
  // The archive's comment (shown by archivers beside the list of files) runs to its stated length.
  if (e + 22 + u16(tail, e + 20) > tail.length) throw new ScanError('corrupt', 'ZIP archive comment is cut short (the archive is truncated)');
  archiveComments.set(blob, decodeName(tail.subarray(e + 22, e + 22 + u16(tail, e + 20)), false));
  archiveEnds.set(blob, blob.size - tailLen + e + 22 + u16(tail, e + 20));
  let count = u16(tail, e + 10);
  let cdSize = u32(tail, e + 12);
  let cdOffset = u32(tail, e + 16);
  if ((count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) && e >= 20 && u32(tail, e - 20) === EOCD64_LOCATOR) {
    const rec = await readBytes(blob, u64(tail, e - 12), u64(tail, e - 12) + 56);
    if (rec.length < 56) throw new ScanError('corrupt', 'ZIP64 end of central directory lies outside the file');
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  // Members are counted as the other archives count them, folders left out (a folder of 10,000 files zipped
  // is 10,001 entries); the directory walked is still bounded, to twice the limit and its folders.
  if (count > 2 * ctx.limits.maxEntries) throw new ScanError('too-many-entries', tooMany(count, ctx));
  // An end record that lists nothing, in an archive that starts with a file: its count and directory
  // were damaged (unzip: "extra bytes at beginning or within zipfile"), and the files would go unread.
  if (count === 0 && blob.size > 22 && u32(await readBytes(blob, 0, 4), 0) === LFH) throw new ScanError('corrupt', 'ZIP end record lists no entries, but the archive holds files');
  if (cdOffset + cdSize > blob.size) throw new ScanError('corrupt', 'ZIP central directory lies outside the file');
  directoryStarts.set(blob, cdOffset);
  const cd = await readBytes(blob, cdOffset, cdOffset + cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  while (entries.length < count) {
    if (p + 46 > cd.length || u32(cd, p) !== CDH) throw new ScanError('corrupt', 'ZIP central directory is damaged');
    const flags = u16(cd, p + 8);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new ScanError('corrupt', 'ZIP central directory is damaged');
    const rawName = cd.slice(p + 46, p + 46 + nameLen);
    // The name archivers show: Info-ZIP's Unicode Path field when it belongs to this header name.
    const { name, headerName } = namesOf(cd, p + 46 + nameLen, extraLen, rawName, flags);
    let compressedSize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    let localOffset = u32(cd, p + 42);
    ({ compressedSize, size, localOffset } = zip64Extra(cd, p + 46 + nameLen, extraLen, { compressedSize, size, localOffset }));
    const method = u16(cd, p + 10);
    entries.push({
      name,
      headerName,
      rawName,
      method,
      flags,
      compressedSize,
      size,
      crc32: u32(cd, p + 16),
      localOffset,
      // A "directory" that holds bytes is read like a file: a damaged name must not hide content.
      isDir: name.endsWith('/') && size === 0 && compressedSize === 0,
      encrypted: (flags & 1) !== 0 || method === 99,
      comment: commentLen ? decodeName(cd.subarray(p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + commentLen), (flags & 0x800) !== 0) : '',
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  // The directory must hold exactly what the end record says: a lying count or size could hide members.
  if (p !== cd.length) throw new ScanError('corrupt', `ZIP central directory holds more than the ${count} entries its end record lists`);
  const files = entries.filter((e) => !e.isDir).length;
  if (files > ctx.limits.maxEntries) throw new ScanError('too-many-entries', tooMany(files, ctx));
  return entries;
}

const tooMany = (n: number, ctx: ExtractContext) => `the ZIP holds ${n} files, more than the ${ctx.limits.maxEntries} read in one scan`;

/**
 * A member's name as archivers show it, and the header's own name when that differs: readers differ in
 * which they take (Windows' Explorer the header's, unzip and 7-Zip the Unicode Path field), so rule 2
 * applies to both.
 */
export function namesOf(b: Uint8Array, at: number, len: number, rawName: Uint8Array, flags: number): { name: string; headerName?: string } {
  const own = decodeName(rawName, (flags & 0x800) !== 0);
  const name = unicodePath(b, at, len, rawName) ?? own;
  return name === own ? { name } : { name, headerName: own };
}

/**
 * Info-ZIP's Unicode Path extra field (0x7075: version 1, the CRC-32 of the header's own name, then the
 * name in UTF-8), which unzip and 7-Zip use in place of the header's name when that CRC matches: a
 * member stored as `notes.txt` is extracted as `秘—計画.txt`. Null when there is none, or it does not match.
 */
function unicodePath(b: Uint8Array, at: number, len: number, rawName: Uint8Array): string | null {
  for (let p = at; p + 4 <= at + len; p += 4 + u16(b, p + 2)) {
    const sz = u16(b, p + 2);
    if (u16(b, p) !== 0x7075 || sz < 5 || p + 4 + sz > at + len || b[p + 4] !== 1) continue;
    if (u32(b, p + 5) !== crc32(rawName)) return null;
    return decodeName(b.subarray(p + 9, p + 4 + sz), true);
  }
  return null;
}

function zip64Extra(
  b: Uint8Array,
  at: number,
  len: number,
  v: { compressedSize: number; size: number; localOffset: number },
) {
  for (let p = at; p + 4 <= at + len; ) {
    const id = u16(b, p);
    const sz = u16(b, p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      if (v.size === 0xffffffff) {
        v.size = u64(b, q);
        q += 8;
      }
      if (v.compressedSize === 0xffffffff) {
        v.compressedSize = u64(b, q);
        q += 8;
      }
      if (v.localOffset === 0xffffffff) v.localOffset = u64(b, q);
    }
    p += 4 + sz;
  }
  return v;
}

/** The member's bytes, decompressed under the bomb guards and checked against its size and CRC-32. */
export async function readZipEntry(blob: Blob, entry: ZipEntry, ctx: ExtractContext): Promise<Uint8Array> {
  const data = await memberData(blob, entry, ctx);
  if (data instanceof ExpansionGuard) return data.bytes();
  const bytes = await readBytes(data);
  if (crc32(bytes) !== entry.crc32) throw crcError(entry);
  return bytes;
}

/**
 * The member as a Blob: a stored member is a slice of the archive (no copy, so a 90 MB stored
 * member costs no memory); a compressed one is decoded under the bomb guards. Either way the local
 * header must agree with the central directory and the CRC-32 must match.
 */
export async function zipEntryBlob(blob: Blob, entry: ZipEntry, ctx: ExtractContext): Promise<Blob> {
  const data = await memberData(blob, entry, ctx);
  if (data instanceof ExpansionGuard) return data.blob();
  await checkStoredCrc(data, entry, ctx);
  return data;
}

/**
 * The member's bytes handed to `sink` chunk by chunk as they are decoded (memory holds one chunk,
 * whatever the member's size; a bzip2 member's compressed bytes are read whole), then checked against
 * its size and CRC-32.
 */
export async function streamZipEntry(blob: Blob, entry: ZipEntry, ctx: ExtractContext, sink: (chunk: Uint8Array) => void): Promise<void> {
  const data = await memberData(blob, entry, ctx, sink);
  if (!(data instanceof ExpansionGuard)) await checkStoredCrc(data, entry, ctx, sink);
}

/**
 * The member's first `want` bytes without reading it whole (a stored member's slice, the start of a
 * deflated one inflated), or null when they cannot be had so; the whole read then reports why.
 * Unchecked (no CRC-32): a look at what the member is, not its content.
 */
export async function zipEntryHead(blob: Blob, entry: ZipEntry, want: number): Promise<Uint8Array | null> {
  // A small member is read whole at about the cost of a look at its head (in a ZIP of thousands of
  // source files, the look took more time than the reads): only a bigger one is worth the look.
  if (entry.compressedSize <= SMALL_READ) return null;
  if (entry.encrypted || entry.size <= want || (entry.method === 0 && entry.size !== entry.compressedSize)) return null;
  let start: number;
  try {
    start = await dataStart(blob, entry);
  } catch {
    return null;
  }
  if (start + entry.compressedSize > blob.size) return null;
  if (entry.method === 0) return readBytes(blob, start, start + want);
  // No look at the head of another method: a bzip2, zstd or xz member (rare) is read whole.
  if (entry.method !== 8) return null;
  return inflateHead(await readBytes(blob, start, start + Math.min(entry.compressedSize, HEAD_INPUT)), want);
}

/**
 * A stored member's last `want` bytes (unchecked), or null for a compressed one: those cannot be had
 * without decoding the whole member.
 */
export async function zipEntryTail(blob: Blob, entry: ZipEntry, want: number): Promise<Uint8Array | null> {
  if (entry.method !== 0 || entry.encrypted || entry.size !== entry.compressedSize) return null;
  try {
    const start = await dataStart(blob, entry);
    return await readBytes(blob, Math.max(start, start + entry.size - want), start + entry.size);
  } catch {
    return null;
  }
}

/** A stored member's slice (CRC not yet checked), or a compressed member already decoded and checked. */
async function memberData(
  blob: Blob,
  entry: ZipEntry,
  ctx: ExtractContext,
  sink?: (chunk: Uint8Array) => void,
): Promise<Blob | ExpansionGuard> {
  if (entry.encrypted) throw new ScanError('encrypted', `ZIP member ${entry.name} is password-protected`);
  const start = await dataStart(blob, entry);
  const end = start + entry.compressedSize;
  if (end > blob.size) throw new ScanError('corrupt', `ZIP member ${entry.name} is truncated`);
  checkRatio(entry.name, entry.size, entry.compressedSize, ctx);
  // A small member is read at once: a slice of a browser's Blob is registered with the browser process,
  // a cost per member that a ZIP of thousands of small files paid thousands of times.
  // (A view, not a copy, where the archive's reader holds the bytes: BytesBlob copies for whoever keeps them.)
  const data = end - start <= SMALL_READ ? blobOf(await readRange(blob, start, end)) : blob.slice(start, end);
  if (entry.method === 0) {
    if (entry.size !== entry.compressedSize) throw new ScanError('corrupt', `ZIP member ${entry.name}: stored sizes disagree`);
    ctx.addExpanded(entry.compressedSize);
    return data;
  }
  const opts: GuardOptions = { name: entry.name, declared: entry.size, crc32: entry.crc32, sink };
  if (entry.method === 8) return inflateRaw(data, ctx, opts);
  const decode = MEMBER_DECODERS.get(entry.method) ?? (LIBARCHIVE_METHODS.has(entry.method) ? libarchiveMember(entry) : undefined);
  if (!decode) throw new ScanError('unsupported', `ZIP member ${entry.name}: compression method ${entry.method} is not supported`);
  return decodeMember(decode, data, ctx, opts);
}

/**
 * Methods whose member is a whole bzip2 (12), zstd (93) or xz (95) stream, as 7-Zip (-mm=BZip2,
 * -mm=XZ) and WinZip (.zipx) write them: read by the decoders of the standalone .bz2/.zst/.xz files.
 * LZMA (14) and PPMd (98) are read through libarchive (zip-libarchive.ts). Deflate64 (9) and the rest
 * have no decoder here: `unsupported`, never guessed at.
 */
const MEMBER_DECODERS = new Map<number, StreamDecoder>([
  [12, decodeBzip2],
  [93, decodeZstd],
  [95, decodeXz],
]);

/**
 * A member decoded under the same guard as a deflated one (inflateRaw): bombs stop mid-stream, and
 * the declared size and CRC-32 are checked at the end. Any failure that is not a verdict is `corrupt`.
 */
async function decodeMember(decode: StreamDecoder, data: Blob, ctx: ExtractContext, opts: GuardOptions): Promise<ExpansionGuard> {
  const guard = new ExpansionGuard(ctx, opts);
  try {
    await decode(data, guard, ctx);
  } catch (err) {
    throw asCorrupt(err, opts.name);
  }
  guard.finish();
  return guard;
}

/** Compressed size up to which a member's bytes are read at once rather than sliced. */
const SMALL_READ = 64 * 1024;

const crcError = (entry: ZipEntry) => new ScanError('corrupt', `ZIP member ${entry.name} fails its CRC-32 check (damaged)`);

/** Each member's data start once its local header was checked (dataStart): unlistedRanges reuses them. */
const starts = new WeakMap<ZipEntry, number>();

/** The names a member's local header shows besides its directory entry's (see localNames). */
const localOnlyNames = new WeakMap<ZipEntry, string[]>();
/** Local extra fields are read with the header when they are at most this long (Info-ZIP's are 24–28 bytes). */
const LOCAL_EXTRA_READ = 512;

/**
 * The names a member's local header gives that its directory entry does not: an Info-ZIP Unicode Path
 * field (0x7075) in the local header only, which libarchive (bsdtar, and the readers built on it)
 * shows as the member's name and unzip prints in its warning. Rule 2 applies to them too. [] when the
 * local header cannot be read (its member then reports why).
 */
export async function localNames(blob: Blob, entry: ZipEntry): Promise<string[]> {
  try {
    await dataStart(blob, entry);
  } catch {
    return [];
  }
  return localOnlyNames.get(entry) ?? [];
}

/** Where the member's data starts, after checking that its local header agrees with the directory. */
async function dataStart(blob: Blob, entry: ZipEntry): Promise<number> {
  const known = starts.get(entry);
  if (known !== undefined) return known;
  let lfh = await readRange(blob, ...sliceRange(blob.size, entry.localOffset, entry.localOffset + 30 + entry.rawName.length + LOCAL_EXTRA_READ));
  const bad = (what: string) => new ScanError('corrupt', `ZIP member ${entry.name}: ${what}`);
  if (lfh.length < 30 || u32(lfh, 0) !== LFH) throw bad('bad local header');
  if (u16(lfh, 8) !== entry.method) throw bad('local header and central directory disagree on the compression method');
  const nameLen = u16(lfh, 26);
  const sameName = nameLen === entry.rawName.length && entry.rawName.every((b, i) => lfh[30 + i] === b);
  if (!sameName) throw bad('local header and central directory disagree on the name');
  // Without a data descriptor (flag bit 3) the local header carries the CRC too.
  if ((u16(lfh, 6) & 8) === 0 && u32(lfh, 14) !== entry.crc32) throw bad('local header and central directory disagree on the CRC-32');
  const extraLen = u16(lfh, 28);
  const start = entry.localOffset + 30 + nameLen + extraLen;
  if (extraLen > 0 && lfh.length < 30 + nameLen + extraLen) lfh = await readRange(blob, ...sliceRange(blob.size, entry.localOffset, start));
  const local = unicodePath(lfh, 30 + nameLen, Math.min(extraLen, lfh.length - 30 - nameLen), entry.rawName);
  if (local !== null && local !== entry.name && local !== entry.headerName) localOnlyNames.set(entry, [local]);
  starts.set(entry, start);
  return start;
}

/**
 * The stretches between the start of the archive and its central directory that no listed member
 * covers (local header, data, data descriptor), ignoring zero padding. A member the directory does not
 * list is still there: 7-Zip lists one that lies before the listed ones, and streaming readers (bsdtar
 * from a pipe, Java's ZipInputStream, many upload pipelines) extract every local entry in order. Those
 * bytes are read too, never passed over as clean.
 */
export async function unlistedRanges(blob: Blob, entries: ZipEntry[]): Promise<[number, number][]> {
  const directory = directoryStarts.get(blob);
  if (directory === undefined) return [];
  const gaps: [number, number][] = [];
  let at = 0;
  for (const e of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
    if (e.localOffset > at) gaps.push([at, e.localOffset]);
    let end: number;
    try {
      end = (await dataStart(blob, e)) + e.compressedSize;
    } catch {
      // A member whose local header disagrees with the directory is reported on its own; its bytes
      // run as far as its local header says.
      const h = await readBytes(blob, e.localOffset, Math.min(blob.size, e.localOffset + 30));
      end = e.localOffset + 30 + (h.length === 30 && u32(h, 0) === LFH ? u16(h, 26) + u16(h, 28) + e.compressedSize : e.rawName.length);
    }
    // A data descriptor (flag bit 3) follows the data: its optional signature, the CRC, two sizes (4 or 8 bytes each).
    if (e.flags & 8) end += descriptorLength(await readBytes(blob, end, Math.min(blob.size, end + 24)), e);
    at = Math.max(at, end);
  }
  if (directory > at) gaps.push([at, directory]);
  const kept: [number, number][] = [];
  for (const [a, b] of gaps) if ((await readBytes(blob, a, Math.min(b, a + 4096))).some((x) => x !== 0) || b - a > 4096) kept.push([a, b]);
  return kept;
}

/**
 * The member a local header at `at` describes, as a streaming reader takes it (name, method and sizes
 * from the local header itself), and where its entry ends (its data descriptor too), or null when there
 * is none there. A member whose sizes come only after its data (flag bit 3: bsdtar, Java, any archiver
 * writing to a pipe) is taken when `descriptors` is set, by the descriptor that ends it (findDescriptor);
 * otherwise it is null, and the stretch is read as bytes.
 */
export async function localEntry(blob: Blob, at: number, end: number, descriptors = false): Promise<{ entry: ZipEntry; end: number } | null> {
  const h = await readBytes(blob, at, Math.min(end, at + 30 + 0xffff));
  if (h.length < 30 || u32(h, 0) !== LFH) return null;
  const flags = u16(h, 6);
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  if ((flags & 8 && !descriptors) || 30 + nameLen > h.length) return null;
  const rawName = h.slice(30, 30 + nameLen);
  const { name, headerName } = namesOf(h, 30 + nameLen, Math.min(extraLen, h.length - 30 - nameLen), rawName, flags);
  const dataAt = at + 30 + nameLen + extraLen;
  const described = flags & 8 ? await findDescriptor(blob, dataAt, end) : null;
  if (flags & 8 && !described) return null;
  const sizes = described ?? zip64Extra(h, 30 + nameLen, Math.min(extraLen, h.length - 30 - nameLen), { compressedSize: u32(h, 18), size: u32(h, 22), localOffset: at });
  const dataEnd = dataAt + sizes.compressedSize;
  if (dataEnd > end) return null;
  const method = u16(h, 8);
  const entry: ZipEntry = {
    name,
    headerName,
    rawName,
    method,
    flags,
    compressedSize: sizes.compressedSize,
    size: sizes.size,
    crc32: described?.crc32 ?? u32(h, 14),
    localOffset: at,
    isDir: name.endsWith('/') && sizes.size === 0 && sizes.compressedSize === 0,
    encrypted: (flags & 1) !== 0 || method === 99,
    comment: '',
  };
  return { entry, end: described?.end ?? dataEnd };
}

const DESCRIPTOR = [0x50, 0x4b, 7, 8];
/** Bytes searched at a time for a data descriptor; a descriptor's length more overlaps the next block. */
const DESCRIPTOR_BLOCK = 1 << 20;

/**
 * The data descriptor that ends a member's data starting at `from`: its signature (PK 7 8) where the
 * compressed size it gives is the distance from `from` (4- or 8-byte sizes), as tolerant readers find it
 * when there is no directory to say. Null when there is none before `end`.
 */
async function findDescriptor(blob: Blob, from: number, end: number): Promise<{ compressedSize: number; size: number; crc32: number; end: number } | null> {
  for (let base = from; base < end; base += DESCRIPTOR_BLOCK) {
    const b = await readBytes(blob, base, Math.min(end, base + DESCRIPTOR_BLOCK + 24));
    for (let i = b.indexOf(0x50); i >= 0 && i < DESCRIPTOR_BLOCK; i = b.indexOf(0x50, i + 1)) {
      if (!startsWith(b, DESCRIPTOR, i) || b.length < i + 16) continue;
      const compressed = base + i - from;
      if (u32(b, i + 8) === compressed % 2 ** 32) return { compressedSize: compressed, size: u32(b, i + 12), crc32: u32(b, i + 4), end: base + i + 16 };
      if (b.length >= i + 24 && u64(b, i + 8) === compressed) return { compressedSize: compressed, size: u64(b, i + 16), crc32: u32(b, i + 4), end: base + i + 24 };
    }
  }
  return null;
}

function descriptorLength(d: Uint8Array, e: ZipEntry): number {
  const sig = d.length >= 4 && u32(d, 0) === 0x08074b50 ? 4 : 0;
  const word = (i: number) => (d.length >= sig + 4 * i + 4 ? u32(d, sig + 4 * i) : -1);
  const [cLow, cHigh, sLow, sHigh] = [e.compressedSize % 2 ** 32, Math.floor(e.compressedSize / 2 ** 32), e.size % 2 ** 32, Math.floor(e.size / 2 ** 32)];
  // The CRC, then both sizes in 4 bytes each, or in 8 (a ZIP64 member): whichever the sizes agree with.
  const wide = !(word(1) === cLow && word(2) === sLow) && word(1) === cLow && word(2) === cHigh && word(3) === sLow && word(4) === sHigh;
  return sig + (wide ? 20 : 12);
}

async function checkStoredCrc(data: Blob, entry: ZipEntry, ctx: ExtractContext, sink?: (chunk: Uint8Array) => void): Promise<void> {
  let crc = 0;
  for (let at = 0; at < data.size; at += CRC_BLOCK) {
    ctx.checkTime();
    const block = await readBytes(data, at, Math.min(data.size, at + CRC_BLOCK));
    crc = crc32(block, crc);
    sink?.(block);
  }
  if (crc !== entry.crc32) throw crcError(entry);
}

// Small blocks: the stored member is read a second time for its CRC, and must not be held while it is.
const CRC_BLOCK = 1 << 20;

function checkRatio(name: string, size: number, compressed: number, ctx: ExtractContext): void {
  if (size > RATIO_FLOOR_BYTES && size / Math.max(compressed, 1) > ctx.limits.maxRatio) {
    throw new ScanError('expansion-ratio', `${name} expands ${Math.round(size / Math.max(compressed, 1))}× (suspected archive bomb)`);
  }
}

/** A ZIP opened for reading parts by name (what the OOXML and ODF extractors need). */
export interface ZipArchive {
  entries: ZipEntry[];
  has(name: string): boolean;
  /** The part's bytes, or null when it does not exist. */
  read(name: string): Promise<Uint8Array | null>;
  /** The part as text (UTF-8, or UTF-16 with a BOM), or null. */
  text(name: string): Promise<string | null>;
  /** Hands the part's bytes to `sink` chunk by chunk; false when it does not exist. */
  stream(name: string, sink: (chunk: Uint8Array) => void): Promise<boolean>;
  /** XML parts read or streamed so far that were not whole markup (xml-ends.ts): part → why. */
  damaged: Map<string, string>;
}

/** The XML parts read that were cut short or overwritten (xml-ends.ts): their text past the damage was not read. */
export function* cutParts(zip: ZipArchive): Generator<Extracted> {
  for (const [part, why] of zip.damaged) yield { kind: 'unscannable', reason: 'corrupt', detail: `the part ${part} is damaged: ${why}`, where: { part } };
}

/** Parts checked for being whole markup when read (xml-ends.ts). */
const XML_PART = /\.(?:xml|vml|rels)$/i;

export async function openZip(blob: Blob, ctx: ExtractContext): Promise<ZipArchive> {
  const entries = await readZipDirectory(blob, ctx);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const damaged = new Map<string, string>();
  // A part read again (a sheet streamed for its formulas, its tall merges) is not checked again.
  const checked = new Set<string>();
  const check = (name: string, ends: XmlEnds) => {
    checked.add(name);
    const why = ends.damage();
    if (why) damaged.set(name, why);
  };
  const read = async (name: string) => {
    const e = byName.get(name);
    const bytes = e ? await readZipEntry(blob, e, ctx) : null;
    if (bytes && XML_PART.test(name) && !checked.has(name)) {
      const ends = new XmlEnds();
      ends.push(bytes);
      check(name, ends);
    }
    return bytes;
  };
  return {
    entries,
    has: (name) => byName.has(name),
    read,
    text: async (name) => {
      const bytes = await read(name);
      return bytes ? decodeXml(bytes) : null;
    },
    stream: async (name, sink) => {
      const e = byName.get(name);
      if (!e) return false;
      if (!XML_PART.test(name) || checked.has(name)) {
        await streamZipEntry(blob, e, ctx, sink);
        return true;
      }
      const ends = new XmlEnds();
      await streamZipEntry(blob, e, ctx, (chunk) => {
        ends.push(chunk);
        sink(chunk);
      });
      check(name, ends);
      return true;
    },
    damaged,
  };
}

/** XML parts are UTF-8 unless a BOM says UTF-16 (tail tamed: markup-spans.ts). */
export function decodeXml(bytes: Uint8Array): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  // Namespaces under the prefixes the readers match (xml-prefixes.ts): `<ns0:del>` is Word's `<w:del>`.
  return withUsualPrefixes(tameTail(new TextDecoder(encoding).decode(bytes)));
}

export const isUtf16Xml = (b: Uint8Array): boolean => (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
