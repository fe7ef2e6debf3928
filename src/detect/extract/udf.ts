/**
 * UDF (ECMA-167 / OSTA UDF 1.02–2.01), the file system of DVD images and of the ISO files Windows and
 * genisoimage `-udf` write. libarchive reads an image's ISO 9660 side only: there a name may be cut to
 * 8.3 (`PLAN.TXT`) or missing, while the UDF side keeps the name the employee gave (「秘—計画.txt」).
 *
 * Read here: anchor (sector 256) → volume descriptors (partition start, file set location) → file set
 * → the directory tree, File Identifier Descriptors naming each file. On a hybrid image the files were
 * read through ISO 9660, so only their UDF names are checked; on a UDF-only image each file is a member
 * read from its extents. Metadata, virtual and sparable partitions (UDF 2.5+, Blu-ray, packet
 * writing) are not read: said so, never clean.
 */
import { blobOf, concat, readBytes, u16, u32, u64 } from '../bytes.js';
import { MAX_MEMBER_IN_MEMORY } from './expansion-guard.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted } from './types.js';

const SECTOR = 2048;
const TAG = { anchor: 2, partition: 5, logicalVolume: 6, terminator: 8, fileSet: 256, fileId: 257, fileEntry: 261, extendedFileEntry: 266 } as const;
/** Directories nest at most this deep, and at most this many are read (a loop or a bomb). */
const MAX_DEPTH = 64;
const MAX_DIRECTORIES = 10_000;

/** A descriptor tag with this identifier and a valid checksum at the start of `b`. */
function tagged(b: Uint8Array, id: number): boolean {
  if (b.length < 16 || u16(b, 0) !== id) return false;
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[i];
  return (sum & 0xff) === b[4];
}

/**
 * The identifier of a disc image's first volume descriptor (sector 16): `CD001` for ISO 9660, `BEA01`
 * for a UDF-only image; '' when the blob is too short to hold one.
 */
export async function firstVolumeDescriptor(blob: Blob): Promise<string> {
  const at = 16 * SECTOR + 1;
  return blob.size < at + 5 ? '' : new TextDecoder('latin1').decode(await readBytes(blob, at, at + 5));
}

/** The Volume Recognition Sequence (sectors 16 on) names an NSR descriptor: the image has UDF. */
export async function hasUdf(blob: Blob): Promise<boolean> {
  if (blob.size < 257 * SECTOR) return false;
  const vrs = await readBytes(blob, 16 * SECTOR, 48 * SECTOR);
  const ascii = new TextDecoder('latin1').decode(vrs);
  for (let s = 0; s < 32; s++) if (/^NSR0[23]$/.test(ascii.slice(s * SECTOR + 1, s * SECTOR + 6))) return true;
  return false;
}

interface Extent {
  /** Byte offset in the image. */
  at: number;
  length: number;
}

interface Volume {
  blob: Blob;
  /** Byte offset of logical block 0 of the partition. */
  partition: number;
  block: number;
  /** Logical block of the file set descriptor (the logical volume's contents use). */
  fileSet: number;
}

/**
 * Every file of the image's UDF tree, by path: with its content (`withData`, for a UDF-only image) or
 * as a name to check. A damaged or unsupported structure ends in a ScanError.
 */
export async function* udfFiles(blob: Blob, ctx: ExtractContext, withData: boolean): AsyncGenerator<Extracted> {
  const vol = await volume(blob);
  const fsd = await readBytes(blob, vol.partition + vol.fileSet * vol.block, vol.partition + (vol.fileSet + 1) * vol.block);
  if (!tagged(fsd, TAG.fileSet)) throw new ScanError('corrupt', 'the UDF file set descriptor is damaged');
  const seen = new Set<number>();
  const walk = async function* (icb: number, dir: string, depth: number): AsyncGenerator<Extracted> {
    if (depth > MAX_DEPTH || seen.size >= MAX_DIRECTORIES || seen.has(icb)) throw new ScanError('corrupt', 'the UDF directory tree loops or nests too deep');
    seen.add(icb);
    ctx.checkTime();
    const data = await readExtents(vol, await entry(vol, icb));
    for (const id of fileIds(data)) {
      const path = dir + id.name;
      ctx.addEntry();
      if (id.directory) yield* walk(id.icb, `${path}/`, depth + 1);
      else if (!withData) yield nameOnly(path);
      else yield* file(vol, id.icb, path);
    }
  };
  yield* walk(u32(fsd, 404), '', 0);
}

/** A file's content: one extent is a slice of the image; several are joined in memory, within a bound. */
async function* file(vol: Volume, icb: number, path: string): AsyncGenerator<Extracted> {
  const e = await entry(vol, icb);
  if (e.extents.length === 1) return yield { kind: 'member', name: path, data: vol.blob.slice(e.extents[0].at, e.extents[0].at + e.extents[0].length) };
  if (e.size <= MAX_MEMBER_IN_MEMORY) return yield { kind: 'member', name: path, data: blobOf(await readExtents(vol, e)) };
  yield nameOnly(path);
  yield { kind: 'unscannable', reason: 'too-large', detail: `${path} is stored in pieces larger than can be joined here` };
}

/** The partition and block size, from the anchor's main volume descriptor sequence. */
async function volume(blob: Blob): Promise<Volume> {
  const anchor = await readBytes(blob, 256 * SECTOR, 257 * SECTOR);
  if (!tagged(anchor, TAG.anchor)) throw new ScanError('corrupt', 'the UDF anchor (sector 256) is damaged');
  const start = u32(anchor, 20) * SECTOR;
  const seq = await readBytes(blob, start, start + Math.min(u32(anchor, 16), 64 * SECTOR));
  let partition = -1;
  let block = 0;
  let fileSet = 0;
  for (let at = 0; at + SECTOR <= seq.length; at += SECTOR) {
    const d = seq.subarray(at, at + SECTOR);
    if (tagged(d, TAG.partition)) partition = u32(d, 188) * SECTOR;
    else if (tagged(d, TAG.logicalVolume)) {
      block = u32(d, 212);
      fileSet = u32(d, 252);
      // Only type 1 maps (a plain partition); type 2 (metadata, virtual, sparable) remap blocks.
      for (let m = 440, n = 0; n < u32(d, 268) && m < d.length; n++, m += d[m + 1] || 1) {
        if (d[m] !== 1) throw new ScanError('unsupported', 'a UDF 2.5+ or packet-written image (metadata, virtual or sparable partition): its file names are not read here');
      }
    } else if (tagged(d, TAG.terminator)) break;
  }
  if (partition < 0 || block !== SECTOR) throw new ScanError('corrupt', 'the UDF volume descriptors are damaged');
  return { blob, partition, block, fileSet };
}

/** A file entry (plain or extended): where its data is, or the data itself when embedded. */
async function entry(vol: Volume, lbn: number): Promise<{ extents: Extent[]; embedded?: Uint8Array; size: number }> {
  const at = vol.partition + lbn * vol.block;
  const fe = await readBytes(vol.blob, at, at + vol.block);
  const extended = tagged(fe, TAG.extendedFileEntry);
  if (!extended && !tagged(fe, TAG.fileEntry)) throw new ScanError('corrupt', 'a UDF file entry is damaged');
  const size = u64(fe, 56);
  const base = extended ? 216 : 176;
  const ea = u32(fe, extended ? 208 : 168);
  const ad = u32(fe, extended ? 212 : 172);
  if (base + ea + ad > fe.length) throw new ScanError('corrupt', 'a UDF file entry is damaged');
  const ads = fe.subarray(base + ea, base + ea + ad);
  const kind = u16(fe, 34) & 7;
  if (kind === 3) return { extents: [], embedded: ads, size };
  const step = kind === 0 ? 8 : kind === 1 ? 16 : 0;
  if (!step) throw new ScanError('unsupported', 'a UDF file entry with extended allocation descriptors');
  const extents: Extent[] = [];
  let left = size;
  for (let i = 0; i + step <= ads.length && left > 0; i += step) {
    const raw = u32(ads, i);
    const type = raw >>> 30;
    const length = raw & 0x3fffffff;
    if (type === 3) throw new ScanError('unsupported', 'a UDF file entry continued in another extent');
    const take = Math.min(length, left);
    // Allocated but unrecorded extents read as zeros (a sparse file): nothing to find there.
    if (type === 0) extents.push({ at: vol.partition + u32(ads, i + 4) * vol.block, length: take });
    left -= take;
  }
  return { extents, size };
}

async function readExtents(vol: Volume, e: Awaited<ReturnType<typeof entry>>): Promise<Uint8Array> {
  if (e.embedded) return e.embedded;
  return concat(await Promise.all(e.extents.map((x) => readBytes(vol.blob, x.at, x.at + x.length))));
}

/** The entries of a directory's data (its parent excluded). */
function* fileIds(data: Uint8Array): Generator<{ name: string; directory: boolean; icb: number }> {
  for (let at = 0; at + 38 <= data.length; ) {
    const d = data.subarray(at);
    if (!tagged(d, TAG.fileId)) throw new ScanError('corrupt', 'a UDF directory is damaged');
    const characteristics = d[18];
    const nameLength = d[19];
    const implUse = u16(d, 36);
    const nameAt = 38 + implUse;
    if (nameAt + nameLength > d.length) throw new ScanError('corrupt', 'a UDF directory is damaged');
    at += (nameAt + nameLength + 3) & ~3;
    if (characteristics & 0x0c) continue; // the parent entry, or a deleted one
    yield { name: dString(d.subarray(nameAt, nameAt + nameLength)), directory: (characteristics & 2) !== 0, icb: u32(d, 24) };
  }
}

/** OSTA compressed Unicode: a first byte 8 (one byte a character) or 16 (UTF-16BE). */
function dString(b: Uint8Array): string {
  if (b[0] === 16) return new TextDecoder('utf-16be').decode(b.subarray(1, 1 + ((b.length - 1) & ~1)));
  if (b[0] === 8) return new TextDecoder('latin1').decode(b.subarray(1));
  throw new ScanError('corrupt', 'a UDF file name in an unknown encoding');
}
