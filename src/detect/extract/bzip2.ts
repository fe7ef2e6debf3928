/**
 * bzip2 (.bz2, .tbz2): every stream (pbzip2 and `cat` concatenate them), decoded by bzip2-decode.ts
 * with each block's and each stream's CRC verified. Output reaches the sink in 64 KB chunks from inside
 * the decoder, so a bomb stops at the first chunk past a limit, even within one block (a block can
 * expand ~45 MB). The content is one member, named like gzip's (x.tar.bz2 → x.tar).
 */
import { readBytes } from '../bytes.js';
import { bunzip2, Bzip2Error } from './bzip2-decode.js';
import { ExpansionGuard } from './expansion-guard.js';
import { ScanError, type Extractor } from './types.js';

export const extractBzip2: Extractor = async function* (blob, ctx) {
  const guard = new ExpansionGuard(ctx, { name: 'bzip2 stream', copy: true });
  guard.consumed(blob.size); // the ratio is taken against the whole file
  // The decoder reads synchronously, so from memory: the compressed file (≤ limits.maxBytes).
  const input = await readBytes(blob);
  try {
    bunzip2(input, guard.produced, ctx.checkTime);
  } catch (err) {
    if (err instanceof Bzip2Error) throw new ScanError('corrupt', err.message);
    throw err;
  }
  ctx.addEntry();
  yield { kind: 'member', name: '', data: guard.blob() };
};
