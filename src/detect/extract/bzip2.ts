/**
 * bzip2 (.bz2, .tbz2): every stream (pbzip2 and `cat` concatenate them), decoded block by block with
 * the pure-JavaScript decoder of unbzip2-stream (lib/bzip2.js, MIT). Each block's CRC and each
 * stream's CRC are verified. Output goes to the sink in 64 KB chunks from inside the decoder, so a
 * bomb stops at the first chunk past a limit, even within one block (a block can expand ~45 MB).
 */
import { readBytes } from '../bytes.js';
import { asCorrupt, MemberSink } from './member-sink.js';
import { ScanError, type Extractor } from './types.js';

const CHUNK = 64 * 1024;

export const extractBzip2: Extractor = async function* (blob, ctx) {
  const sink = new MemberSink('bzip2 stream', blob.size, ctx);
  // Loaded on first use (CommonJS with module-level state): kept out of bundles that never read bzip2.
  const [{ default: bzip2 }, { default: bitIterator }] = await Promise.all([import('unbzip2-stream/lib/bzip2.js'), import('unbzip2-stream/lib/bit_iterator.js')]);
  // The decoder pulls bits synchronously, so it reads from memory: the compressed file (≤ limits.maxBytes).
  const input = await readBytes(blob);
  let fed = false;
  const bits = bitIterator(() => {
    if (fed) throw new ScanError('corrupt', 'bzip2 stream is truncated');
    fed = true;
    return input;
  });
  // The decoder keeps its tables on `this`: one object per scan, so concurrent scans never share them.
  const decoder = Object.create(bzip2) as typeof bzip2;
  const out = new Uint8Array(CHUNK);
  let n = 0;
  const put = (byte: number) => {
    out[n++] = byte;
    if (n === CHUNK) {
      sink.push(out);
      n = 0;
    }
  };
  try {
    do {
      const level = decoder.header(bits);
      const buf = new Int32Array(100_000 * level);
      let crc: number | null = 0;
      while (crc !== null) {
        ctx.checkTime();
        crc = decoder.decompress(bits, put, buf, buf.length, crc);
      }
      // Another stream follows when bytes remain that are not trailing zeros.
    } while (bits.bytesRead < input.length && input.subarray(bits.bytesRead).some((b) => b !== 0));
    sink.push(out.subarray(0, n));
  } catch (err) {
    throw asCorrupt(err, 'bzip2');
  }
  ctx.addEntry();
  yield { kind: 'member', name: '', data: sink.blob() };
};
