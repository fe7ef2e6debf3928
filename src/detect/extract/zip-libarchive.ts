/**
 * ZIP members compressed with LZMA (method 14) or PPMd (98), as 7-Zip writes them (`-mm=LZMA`,
 * `-mm=PPMd`). The engine has no decoder of its own for these; libarchive (libarchive.ts) has. The
 * member's compressed bytes are framed as a ZIP of that one member (local header, data, central
 * directory, end record) and read back through libarchive: it sees only this member, with the sizes,
 * flags and CRC-32 that the ZIP reader already checked against the archive's own directory, under the
 * caller's guard (ratio, declared size, CRC-32). Deflate64 (9) is not in libarchive either.
 */
import { readBytes } from '../bytes.js';
import type { StreamDecoder } from './expansion-guard.js';
import { CHUNK, LibArchive } from './libarchive.js';
import { ScanError } from './types.js';
import type { ZipEntry } from './zip-reader.js';

export const LIBARCHIVE_METHODS: ReadonlySet<number> = new Set([14, 98]);

/** The decoder of `entry`'s compressed bytes (its method is one of LIBARCHIVE_METHODS). */
export function libarchiveMember(entry: ZipEntry): StreamDecoder {
  return async (data, guard, ctx) => {
    // The framing has 32-bit sizes; a member that large is past every scan limit anyway.
    if (entry.size > 0xffffffff || data.size > 0xffffffff) throw new ScanError('too-large', `ZIP member ${entry.name} is too large to read`);
    guard.consumed(data.size); // the ratio is taken against the whole member
    const archive = await LibArchive.open(oneMemberZip(entry, await readBytes(data)));
    try {
      const found = archive.next();
      if (!found || found.size !== entry.size) throw new ScanError('corrupt', `ZIP member ${entry.name} cannot be read`);
      for (let left = entry.size; left > 0; left -= CHUNK) {
        ctx.checkTime();
        guard.produced(archive.read(Math.min(left, CHUNK)));
      }
      ended(archive, entry);
    } finally {
      archive.close();
    }
  };
}

/**
 * libarchive's end-of-member check. It reads what the header declares, so data past that is a size
 * that lies, not the 4 GiB wrap its message is about. (Its other messages, a bad CRC or a wrong size
 * found while reading, say what they mean and stay as they are.)
 */
function ended(archive: LibArchive, entry: ZipEntry): void {
  try {
    archive.finish();
  } catch (err) {
    if (err instanceof ScanError && err.reason === 'too-large') throw new ScanError('corrupt', `ZIP member ${entry.name} holds more than its declared size of ${entry.size} bytes`);
    throw err;
  }
}

/**
 * A ZIP holding `packed` as its only member, named `m`: the entry's method and flags (bit 1 of an
 * LZMA member says whether an end marker follows; bit 3, a data descriptor, is dropped because the
 * sizes and CRC-32 are written into the local header).
 */
function oneMemberZip(entry: ZipEntry, packed: Uint8Array): Uint8Array {
  const NAME = 1;
  const out = new Uint8Array(30 + NAME + packed.length + 46 + NAME + 22);
  const dv = new DataView(out.buffer);
  const header = (at: number, extra: number) => {
    // From "version needed" on, the local header's fields; the central directory's start 2 bytes later.
    dv.setUint16(at, 63, true); // version needed: 6.3 (LZMA and PPMd)
    dv.setUint16(at + 2, entry.flags & ~8, true);
    dv.setUint16(at + 4, entry.method, true);
    dv.setUint32(at + 10, entry.crc32 >>> 0, true);
    dv.setUint32(at + 14, packed.length, true);
    dv.setUint32(at + 18, entry.size, true);
    dv.setUint16(at + 22, NAME, true);
    out[at + 26 + extra] = 0x6d; // 'm'
  };
  dv.setUint32(0, 0x04034b50, true);
  header(4, 0);
  out.set(packed, 30 + NAME);
  const central = 30 + NAME + packed.length;
  dv.setUint32(central, 0x02014b50, true);
  dv.setUint16(central + 4, 63, true); // version made by
  header(central + 6, 14); // the name is 46 bytes in, past the comment, disk, attributes and offset (all 0)
  const end = central + 46 + NAME;
  dv.setUint32(end, 0x06054b50, true);
  dv.setUint16(end + 8, 1, true);
  dv.setUint16(end + 10, 1, true);
  dv.setUint32(end + 12, 46 + NAME, true);
  dv.setUint32(end + 16, central, true);
  return out;
}
