/**
 * Raw deflate through the browser's own zlib, DecompressionStream('deflate-raw'), where node:zlib is
 * not there (the scan worker): fflate in JavaScript took 255–357 ms for a 2 MB xlsx with one cell at
 * row 1,048,576 on that path, node:zlib 118–172 ms. Feature-detected: without the stream (or its
 * 'deflate-raw' format) fflate inflates, as before (inflate.ts).
 *
 * Same guard as the other paths: compressed bytes go in slices of SLICE, each handed over only after
 * the stream took the previous one, and every output chunk passes the guard as it is read. A stream's
 * readable side holds no more than the output of the slice being inflated (backpressure), so a bomb
 * stops within one slice's output (deflate: at most ~1032× its input), and a throw there cancels the
 * stream.
 */
import { readBytes } from '../bytes.js';
import type { ExpansionGuard } from './expansion-guard.js';

/** Compressed bytes written at once (one write's output stays under ~16 MiB, as in native-inflate.ts). */
const SLICE = 16 * 1024;
/** Compressed bytes read from the Blob at once. */
const READ_BLOCK = 256 * 1024;

let enabled = true;
const available = (() => {
  try {
    new DecompressionStream('deflate-raw' as CompressionFormat);
    return true;
  } catch {
    return false; // no DecompressionStream, or one without raw deflate
  }
})();

/** Tests run every path: off, the engine inflates with fflate (where node:zlib is off too). */
export function useStreamInflate(on: boolean): void {
  enabled = on;
}

/** Whether raw deflate can go through DecompressionStream here. */
export const streamInflate = (): boolean => enabled && available;

/**
 * Inflates `data` (raw deflate) into `guard`. Rejects with what the guard threw, or with the stream's
 * error (the caller turns it into `corrupt`), e.g. a stream that ends before its final block.
 */
export async function inflateRawStream(data: Blob, guard: ExpansionGuard): Promise<void> {
  const ds = new DecompressionStream('deflate-raw' as CompressionFormat);
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let failure: unknown = null;
  const fail = (err: unknown) => {
    if (failure) return;
    failure = err;
    reader.cancel(err).catch(() => undefined);
    writer.abort(err).catch(() => undefined);
  };
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      guard.produced(value);
    }
  })().catch((err: unknown) => fail(err));
  try {
    for (let at = 0; at < data.size && !failure; at += READ_BLOCK) {
      const block = await readBytes(data, at, Math.min(data.size, at + READ_BLOCK));
      for (let o = 0; o < block.length && !failure; o += SLICE) {
        const slice = block.subarray(o, Math.min(block.length, o + SLICE)); // block is never written: the stream may keep it
        // Throws past the time budget or on abort: the stream is ended below.
        guard.consumed(slice.length);
        await writer.write(slice as Uint8Array<ArrayBuffer>);
      }
    }
    if (!failure) await writer.close();
  } catch (err) {
    fail(err);
  }
  await reading;
  if (failure) throw failure;
}
