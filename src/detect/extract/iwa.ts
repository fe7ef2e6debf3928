/**
 * iWork's archives (`Index/*.iwa` in Pages, Numbers and Keynote files since 2013): protobuf objects in
 * snappy blocks, each framed by a 4-byte header (type 0, then a 24-bit little-endian length; no CRC).
 * https://github.com/obriensp/iWorkFileFormat/blob/master/Docs/index.md#snappy-compression
 *
 * The blocks are decompressed and read as an unknown binary is (binary.ts): the text a document shows
 * is in protobuf strings (UTF-8), which its byte search finds and checks. Compressed, a stamp that
 * repeats earlier text is a back-reference, and the search would not see it. The search sees each cell
 * of a table alone, in its string table: a document's tables are also read on their grid, from the ZIP
 * that holds its archives (iwork-tables.ts).
 */
import { blobOf, readBytes } from '../bytes.js';
import { extractBinary } from './binary.js';
import { ExpansionGuard } from './expansion-guard.js';
import { SnappyError, snappyBlock } from './snappy.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

/**
 * Archives decompressed ahead, by the member blob they came from: a ZIP reads an iWork document's
 * archives for its tables (iwork-tables.ts) and hands the same blobs on as members, so each is
 * decompressed (and counted against the expansion limits) once. Taken once: scanning the blob again
 * decompresses it again, under that scan's limits.
 */
const decoded = new WeakMap<Blob, Uint8Array>();

/**
 * An archive's blocks decompressed (snappy) under the expansion guard; ScanError when damaged. `ahead`:
 * kept for the member scan of the same blob, which takes it instead of decompressing again.
 */
export async function decodeIwa(blob: Blob, ctx: ExtractContext, ahead = false): Promise<Uint8Array> {
  const known = decoded.get(blob);
  if (known) {
    decoded.delete(blob);
    return known;
  }
  const src = await readBytes(blob);
  const guard = new ExpansionGuard(ctx, { name: 'an iWork archive' });
  for (let pos = 0; pos < src.length; ) {
    if (pos + 4 > src.length) throw new ScanError('corrupt', 'an iWork archive cut short in a block header');
    const type = src[pos];
    const n = src[pos + 1] | (src[pos + 2] << 8) | (src[pos + 3] << 16);
    pos += 4;
    if (type !== 0) throw new ScanError('corrupt', `an iWork archive with a block of unknown type ${type}`);
    if (pos + n > src.length) throw new ScanError('corrupt', 'an iWork archive cut short in a block');
    guard.consumed(n + 4);
    try {
      guard.produced(snappyBlock(src.subarray(pos, pos + n)));
    } catch (err) {
      if (err instanceof SnappyError) throw new ScanError('corrupt', `an iWork archive: ${err.message}`);
      throw err;
    }
    pos += n;
  }
  guard.finish();
  const out = guard.bytes();
  if (ahead) decoded.set(blob, out);
  return out;
}

export const extractIwa: Extractor = async function* (blob, ctx) {
  yield* extractBinary(blobOf(await decodeIwa(blob, ctx)), ctx);
};
