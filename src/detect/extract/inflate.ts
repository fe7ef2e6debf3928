/**
 * Streaming deflate and gzip under the scan's bomb guard (ExpansionGuard, expansion-guard.ts):
 * compressed bytes go to fflate in small slices, and every output chunk passes the guard as it
 * appears, so a 2 MB → 2 GiB bomb stops after its first few megabytes, not at the end.
 *
 * Feed slices small enough that one slice cannot produce much: deflate expands at most
 * ~1032× per input byte, so INPUT_SLICE (4 KiB) bounds one push to ~4 MiB of output, and a
 * bomb is caught after its first push. (`feed` below uses 16 KiB slices while the output so far
 * expands ≤ 32×, which is faster and still bounds one push to ~16 MiB.)
 */
import { adler32 } from '../adler32.js';
import { Gunzip, Inflate, inflateSync } from 'fflate';
import { readBytes, u32, u32be } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { readRange } from '../range-read.js';
import { asCorrupt, ExpansionGuard, type GuardOptions } from './expansion-guard.js';
import { inflateRawNative, nativeInflate } from './native-inflate.js';
import { inflateRawStream, streamInflate } from './stream-inflate.js';
import { ScanError, type ExtractContext } from './types.js';

/** Compressed bytes handed to the decoder at once (see the header: bounds the output of one push). */
export const INPUT_SLICE = 4 * 1024;
/** Slice used while the output so far expands modestly (≤ 32×): fewer, larger pushes are faster, and one push still yields at most ~16 MiB. */
const INPUT_SLICE_MODEST = 16 * 1024;
/** Compressed size up to which a member is inflated in fflate, not the platform's zlib (inflateRaw). */
const SMALL_MEMBER = 64 * 1024;
/** Declared size up to which such a member is inflated into one array at once. */
const SMALL_OUTPUT = 4 * 1024 * 1024;
/** Compressed bytes read from the Blob at once (a yield point for timers and AbortSignal). */
const READ_BLOCK = 256 * 1024;

/**
 * fflate's streaming inflaters (0.8) keep the last 32 KiB of output as the window of the next push in
 * a fresh array (field `o`), and inflate each push into it, growing it by doubling from 160 KiB: every
 * push allocates and copies a few times its own output. Seeding that field with one reusable buffer
 * (window copied in front) spares those copies: CPU time to inflate a 56 MB worksheet, same process,
 * 155 → 107 ms. Output chunks are still fresh copies (fflate slices them), so sinks may keep them.
 * If fflate's fields ever change shape, this does nothing and fflate works as it always did.
 */
class WindowBuffer {
  /** Room for the window, fflate's 128 KiB head room, and the output of a typical push. */
  private buf = new Uint8Array(32 * 1024 + 128 * 1024 + 1024 * 1024);

  seed(inflater: Inflate | Gunzip): void {
    const it = inflater as unknown as { o?: unknown };
    const win = it.o;
    if (!(win instanceof Uint8Array) || win.buffer === this.buf.buffer || win.length > 32 * 1024) return;
    this.buf.set(win);
    it.o = this.buf;
  }
}

/** Feeds `data` to `push` in INPUT_SLICE slices, reading the Blob in blocks. */
async function feed(data: Blob, guard: ExpansionGuard, push: (slice: Uint8Array, final: boolean) => void): Promise<void> {
  if (data.size === 0) push(new Uint8Array(0), true);
  for (let at = 0; at < data.size; at += READ_BLOCK) {
    const block = await readBytes(data, at, Math.min(data.size, at + READ_BLOCK));
    for (let o = 0; o < block.length; ) {
      const n = guard.ratio <= 32 && at + o > 0 ? INPUT_SLICE_MODEST : INPUT_SLICE;
      const slice = block.subarray(o, Math.min(block.length, o + n));
      guard.consumed(slice.length);
      push(slice, at + o + slice.length >= data.size);
      o += slice.length;
    }
  }
}

/**
 * Raw deflate (a ZIP member), under an ExpansionGuard: stops mid-stream on a bomb or a lying
 * size, and checks the declared size and CRC-32 at the end. A stream that ends before its final
 * block is `corrupt`. Take the output with `.blob()` or `.bytes()`.
 */
export async function inflateRaw(data: Blob, ctx: ExtractContext, opts: GuardOptions): Promise<ExpansionGuard> {
  const guard = new ExpansionGuard(ctx, opts);
  // A small member inflates in fflate at once: the platform's zlib is faster per byte, but each use
  // costs a trip (node:zlib's thread pool, a stream's promises) that for a few KiB outweighs the work.
  // A ZIP of 3,000 source files took 2 s in Node, nearly all of it waiting on those trips.
  const small = data.size <= SMALL_MEMBER;
  const declared = opts.declared ?? -1;
  if (small && declared >= 0 && declared <= SMALL_OUTPUT) {
    // Into an array one byte longer than declared, in one call (fflate's stream grows its buffer by
    // copies). A stream longer than declared fills it, a shorter one leaves it short: either way
    // finish() finds the size wrong, as it would have in the stream, CRC-32 or not.
    const input = await readRange(data, 0, data.size); // only read: a view where the reader has one
    guard.consumed(input.length);
    try {
      guard.produced(inflateSync(input, { out: new Uint8Array(declared + 1) }));
    } catch (err) {
      throw asCorrupt(err, opts.name);
    }
    guard.finish();
    return guard;
  }
  if (!small && nativeInflate()) {
    // Node: the platform's zlib, under the same guard (native-inflate.ts).
    try {
      await inflateRawNative(data, guard);
    } catch (err) {
      throw asCorrupt(err, opts.name);
    }
    guard.finish();
    return guard;
  }
  if (!small && streamInflate()) {
    // The browser: its own zlib through DecompressionStream, under the same guard (stream-inflate.ts).
    try {
      await inflateRawStream(data, guard);
    } catch (err) {
      throw asCorrupt(err, opts.name);
    }
    guard.finish();
    return guard;
  }
  // fflate throws "unexpected EOF" on the final push of a stream that lacks its final block.
  const inflater = new Inflate(guard.produced);
  // (A small member's output is small: the reused buffer, over a MiB, would cost more than it spares.)
  const window = small ? null : new WindowBuffer();
  try {
    await feed(data, guard, (slice, final) => {
      window?.seed(inflater);
      inflater.push(slice, final);
    });
  } catch (err) {
    throw asCorrupt(err, opts.name);
  }
  guard.finish();
  return guard;
}

/**
 * The first `want` bytes that the start of a raw deflate stream inflates to, or null when they do
 * not come out of it (damaged, or too little given). Unchecked (no size or CRC-32): a look at what a
 * member is, never its content. Fed a KiB at a time and stopped at once, so a hostile start inflates
 * to about a MiB at most; a stored block (incompressible data) comes out only whole, so `start` should
 * hold one (HEAD_INPUT).
 */
export function inflateHead(start: Uint8Array, want: number): Uint8Array | null {
  const out = new Uint8Array(want);
  let n = 0;
  const inflater = new Inflate((chunk) => {
    const k = Math.min(chunk.length, want - n);
    out.set(chunk.subarray(0, k), n);
    n += k;
  });
  try {
    for (let at = 0; n < want && at < start.length; at += 1024) inflater.push(start.subarray(at, at + 1024), false);
  } catch {
    return null;
  }
  return n === want ? out : null;
}

/** Compressed bytes enough for inflateHead: one stored block (at most 65,535 bytes) and the blocks before it. */
export const HEAD_INPUT = 72 * 1024;

/**
 * A gzip stream (every concatenated member, as gunzip reads them) → Blob, under an ExpansionGuard.
 * Each member's CRC-32 and length (ISIZE, mod 2^32) from its trailer are checked, so truncation
 * or a flipped byte ends `corrupt`, never as a shorter or different text.
 */
export async function gunzip(data: Blob, ctx: ExtractContext, name: string): Promise<Blob> {
  const guard = new ExpansionGuard(ctx, { name });
  // Per member: CRC and length of its output; the trailer sits right before the next member.
  let crc = 0;
  let len = 0;
  const ends: { at: number; crc: number; len: number }[] = [];
  const inflater = new Gunzip((chunk) => {
    guard.produced(chunk);
    crc = crc32(chunk, crc);
    len += chunk.length;
  });
  inflater.onmember = (offset: number) => {
    ends.push({ at: offset, crc, len });
    crc = 0;
    len = 0;
  };
  const window = new WindowBuffer();
  try {
    await feed(data, guard, (slice, final) => {
      window.seed(inflater);
      inflater.push(slice, final);
    });
  } catch (err) {
    throw asCorrupt(err, name);
  }
  ends.push({ at: data.size, crc, len });
  for (const end of ends) {
    const trailer = end.at >= 8 ? await readBytes(data, end.at - 8, end.at) : new Uint8Array(0);
    if (trailer.length < 8 || u32(trailer, 0) !== end.crc || u32(trailer, 4) !== end.len % 0x1_0000_0000) {
      throw new ScanError('corrupt', `${name}: gzip data fails its CRC-32/length check (damaged or truncated)`);
    }
  }
  return guard.blob();
}

/**
 * A zlib header (RFC 1950): deflate with a window of at most 32 KiB, the header's check bits right,
 * and no preset dictionary (a stream that needs one cannot be read without it).
 */
export function isZlibHeader(h: Uint8Array): boolean {
  return h.length >= 2 && (h[0] & 0x0f) === 8 && h[0] >> 4 <= 7 && ((h[0] << 8) | h[1]) % 31 === 0 && !(h[1] & 0x20);
}

/**
 * Whether `head` (a file's first bytes; `whole` when that is all of it) starts a zlib stream: a right
 * header, and compressed bytes that inflate to something. Two bytes alone prove nothing (1 file in
 * 16,384 of random bytes starts with one); a random start fails within a few dozen bytes.
 */
export function zlibStart(head: Uint8Array, whole: boolean): boolean {
  if (head.length < 7 || !isZlibHeader(head)) return false;
  const inflates = (body: Uint8Array, final: boolean): boolean => {
    let n = 0;
    try {
      new Inflate((chunk) => (n += chunk.length)).push(body, final);
    } catch {
      return false;
    }
    return n > 0;
  };
  // A cut stream must still be told (its reader then finds it cut): the start alone first, and a
  // short file whole, as the start alone may be too little to give any output.
  return inflates(head.subarray(2, Math.min(head.length, 4096)), false) || (whole && inflates(head.subarray(2, head.length - 4), true));
}

/**
 * A zlib stream (header, raw deflate, Adler-32 of the output, big-endian) into `guard`. The checksum
 * is checked, so a cut, damaged or extended stream is `corrupt`, never a shorter or different text.
 */
export async function unzlib(data: Blob, guard: ExpansionGuard): Promise<void> {
  if (data.size < 7 || !isZlibHeader(await readBytes(data, 0, 2))) throw new ScanError('corrupt', `${guard.name}: not a zlib stream`);
  const stored = u32be(await readBytes(data, data.size - 4), 0);
  let sum = 1;
  const inflater = new Inflate((chunk) => {
    guard.produced(chunk);
    sum = adler32(chunk, sum);
  });
  try {
    await feed(data.slice(2, data.size - 4), guard, (slice, final) => inflater.push(slice, final));
  } catch (err) {
    throw asCorrupt(err, guard.name);
  }
  if (sum !== stored) throw new ScanError('corrupt', `${guard.name}: zlib data fails its Adler-32 check (damaged or truncated)`);
}
