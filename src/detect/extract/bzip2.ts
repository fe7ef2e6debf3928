/**
 * bzip2 (.bz2, .tbz2, and ZIP members of method 12): every stream (pbzip2 and `cat` concatenate them),
 * decoded by bzip2-decode.ts with each block's and each stream's CRC verified. Output reaches the guard
 * in 64 KB chunks from inside the decoder, so a bomb stops at the first chunk past a limit, even within
 * one block (a block can expand ~45 MB). A file's content is one member, named like gzip's (x.tar.bz2 → x.tar).
 */
import { readBytes } from '../bytes.js';
import { bunzip2, Bzip2Error } from './bzip2-decode.js';
import { singleStream, type ExpansionGuard } from './expansion-guard.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

export const extractBzip2: Extractor = singleStream('bzip2 stream', decodeBzip2);

/**
 * Every bzip2 stream of `data`, handed to `guard` chunk by chunk; a damaged stream is `corrupt`.
 * The caller checks the guard's declared size and CRC-32 (`finish`), when its container stores them.
 */
export async function decodeBzip2(data: Blob, guard: ExpansionGuard, ctx: ExtractContext): Promise<void> {
  guard.consumed(data.size); // the ratio is taken against the whole input
  // The decoder reads synchronously, so from memory: the compressed bytes (≤ limits.maxBytes).
  const input = await readBytes(data);
  try {
    // The decoder refills one buffer: each chunk is copied, as a sink (markup-windows.ts) may keep it.
    bunzip2(input, (chunk) => guard.produced(chunk.slice()), ctx.checkTime);
  } catch (err) {
    if (err instanceof Bzip2Error) throw new ScanError('corrupt', `${guard.name}: ${err.message}`);
    throw err;
  }
}
