/**
 * lzip (.lz, .tar.lz: GNU's source tarballs): members of one LZMA stream each, decoded by libarchive's
 * LZMA decoder the way ZIP members of method 14 are (zip-libarchive.ts), so a file's content is one
 * member named like gzip's (x.tar.lz → x.tar), read by its own format (a tar by tar.ts).
 *
 * A member (lzip 1.x, version 1): `LZIP`, the version, the coded dictionary size, the LZMA stream (its
 * properties fixed: lc 3, lp 0, pb 2; it ends with an end marker), then a trailer: the data's CRC-32,
 * its size and the member's own size, each little-endian. Members are found from the file's end back,
 * by the member sizes; libarchive checks each one's CRC-32 and size as it checks a ZIP member's.
 */
import { blobOf, readBytes, u32, u64 } from '../bytes.js';
import { checkDeclared, singleStream, type ExpansionGuard } from './expansion-guard.js';
import { libarchiveMember } from './zip-libarchive.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

export const extractLzip: Extractor = singleStream('lzip stream', decodeLzip);

const HEADER = 6;
const TRAILER = 20;
const MAGIC = [0x4c, 0x5a, 0x49, 0x50]; // LZIP

interface Member {
  start: number;
  end: number;
  crc32: number;
  size: number;
}

export async function decodeLzip(data: Blob, guard: ExpansionGuard, ctx: ExtractContext): Promise<void> {
  const bytes = await readBytes(data);
  const members = lzipMembers(bytes, guard.name);
  checkDeclared(guard.name, members.reduce((n, m) => n + m.size, 0), data.size, ctx);
  for (const m of members) {
    const packed = zipLzmaData(bytes, m, guard.name);
    const entry = { name: guard.name, method: 14, flags: 2, crc32: m.crc32, size: m.size, compressedSize: packed.length, rawName: new Uint8Array(0), localOffset: 0, isDir: false, encrypted: false, comment: '' };
    // Bit 1: the LZMA stream ends with an end marker, as lzip always writes it.
    await libarchiveMember(entry)(blobOf(packed), guard, ctx);
  }
}

/** The members, first to last, each found by the size its trailer gives; anything else is damage. */
function lzipMembers(b: Uint8Array, name: string): Member[] {
  const out: Member[] = [];
  for (let end = b.length; end > 0; ) {
    if (end < HEADER + TRAILER) throw new ScanError('corrupt', `${name}: the lzip data is truncated`);
    const t = end - TRAILER;
    const memberSize = u64(b, t + 12);
    const start = end - memberSize;
    if (memberSize < HEADER + TRAILER || start < 0 || !MAGIC.every((x, i) => b[start + i] === x)) {
      throw new ScanError('corrupt', `${name}: an lzip member is damaged or truncated (its trailer does not lead back to its header)`);
    }
    if (b[start + 4] !== 1) throw new ScanError('unsupported', `${name}: lzip version ${b[start + 4]} is not read here`);
    out.unshift({ start, end, crc32: u32(b, t), size: u64(b, t + 4) });
    end = start;
  }
  if (!out.length) throw new ScanError('corrupt', `${name}: no lzip member`);
  return out;
}

/**
 * The member's LZMA stream as a ZIP member of method 14 carries it: the LZMA SDK version, the size of the
 * properties (5), the properties (lc 3, lp 0, pb 2 in one byte; the dictionary size), then the stream.
 */
function zipLzmaData(b: Uint8Array, m: Member, name: string): Uint8Array {
  const coded = b[m.start + 5];
  const exp = coded & 0x1f;
  if (exp < 12 || exp > 29) throw new ScanError('corrupt', `${name}: an lzip member's dictionary size is not one lzip writes`);
  const dictionary = 2 ** exp - (2 ** exp / 16) * (coded >> 5);
  const stream = b.subarray(m.start + HEADER, m.end - TRAILER);
  const out = new Uint8Array(9 + stream.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0x0910, true); // LZMA SDK 9.16, as 7-Zip writes it
  dv.setUint16(2, 5, true);
  out[4] = (2 * 5 + 0) * 9 + 3; // pb 2, lp 0, lc 3
  dv.setUint32(5, dictionary, true);
  out.set(stream, 9);
  return out;
}

