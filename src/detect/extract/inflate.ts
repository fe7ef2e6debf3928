/**
 * Streaming decompression under the scan's guards: the one place where bombs are stopped.
 *
 * `ExpansionGuard` is codec-free: any decompressor (deflate here; LZMA, bzip2, zstd… elsewhere)
 * reports the compressed bytes it has consumed (`consumed`) and hands every output chunk to
 * `produced` as it appears. The guard throws, in the middle of decompressing, as soon as
 *  - the output outgrows `limits.maxRatio` × the input consumed so far (past RATIO_FLOOR_BYTES),
 *    so a 2 MB → 2 GiB bomb stops after its first few megabytes, not at the end;
 *  - the output outgrows the size the container declared (a lying header);
 *  - the scan's total of expanded bytes (ctx.addExpanded) passes its limit;
 *  - the time budget is spent or the scan's AbortSignal fired (ctx.checkTime);
 *  - the output outgrows `maxInMemory` (what one member may hold in memory).
 * `finish()` then checks the declared size and the CRC-32, when the container stores them.
 *
 * Reusing it for another codec (the pattern the archive extractors follow):
 *
 *   const guard = new ExpansionGuard(ctx, { name, declared, crc32 });
 *   for (each slice of at most INPUT_SLICE compressed bytes) {
 *     guard.consumed(slice.length);
 *     decoder.push(slice, (chunk) => guard.produced(chunk));  // throws ScanError to stop
 *   }
 *   guard.finish();                                            // sizes and checksum
 *   yield { kind: 'member', name, data: guard.blob() };
 *
 * Feed slices small enough that one slice cannot produce much: deflate expands at most
 * ~1032× per input byte, so INPUT_SLICE (4 KiB) bounds one push to ~4 MiB of output, and a
 * bomb is caught after its first push. (`feed` below uses 16 KiB slices while the output so far
 * expands ≤ 32×, which is faster and still bounds one push to ~16 MiB.)
 */
import { Gunzip, Inflate } from 'fflate';
import { concat, readBytes, u32 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { RATIO_FLOOR_BYTES } from '../limits.js';
import { ScanError, type ExtractContext } from './types.js';

/** Compressed bytes handed to the decoder at once (see the header: bounds the output of one push). */
export const INPUT_SLICE = 4 * 1024;
/** Slice used while the output so far expands modestly (≤ 32×): fewer, larger pushes are faster, and one push still yields at most ~16 MiB. */
const INPUT_SLICE_MODEST = 16 * 1024;
/** Compressed bytes read from the Blob at once (a yield point for timers and AbortSignal). */
const READ_BLOCK = 256 * 1024;
/** Largest expanded member kept in memory for the scanner. */
export const MAX_MEMBER_IN_MEMORY = 512 * 1024 * 1024;

export interface GuardOptions {
  /** The member's name, for messages. */
  name: string;
  /** Expanded size the container declares, or -1 / undefined when it declares none. */
  declared?: number;
  /** CRC-32 the container stores for the expanded bytes, when it stores one. */
  crc32?: number;
  /** Receives each output chunk as it is produced (streaming); without it the output is kept for `blob()`/`bytes()`. */
  sink?: (chunk: Uint8Array) => void;
}

export class ExpansionGuard {
  private input = 0;
  private output = 0;
  private crc = 0;
  private readonly chunks: Uint8Array[] = [];
  private readonly maxInMemory: number;

  constructor(
    private readonly ctx: ExtractContext,
    private readonly opts: GuardOptions,
  ) {
    this.maxInMemory = Math.min(MAX_MEMBER_IN_MEMORY, ctx.limits.maxExpandedBytes);
  }

  get size(): number {
    return this.output;
  }

  /** Expansion so far: output bytes per compressed byte consumed. */
  get ratio(): number {
    return this.output / Math.max(this.input, 1);
  }

  /** `n` more compressed bytes were handed to the decoder. Checks the time budget and the signal. */
  consumed(n: number): void {
    this.input += n;
    this.ctx.checkTime();
  }

  /** One chunk of output, as the decoder produces it. Throws ScanError to stop the decoder. */
  readonly produced = (chunk: Uint8Array): void => {
    if (chunk.length === 0) return;
    const { name, declared } = this.opts;
    this.output += chunk.length;
    if (this.output > RATIO_FLOOR_BYTES && this.output / Math.max(this.input, 1) > this.ctx.limits.maxRatio) {
      throw new ScanError('expansion-ratio', `${name} expands more than ${this.ctx.limits.maxRatio}× (suspected archive bomb)`);
    }
    if (declared !== undefined && declared >= 0 && this.output > declared) {
      throw new ScanError('corrupt', `${name} inflates beyond its declared size of ${declared} bytes`);
    }
    if (!this.opts.sink && this.output > this.maxInMemory) {
      throw new ScanError('too-large', `${name} expands past ${this.maxInMemory} bytes`);
    }
    this.ctx.addExpanded(chunk.length);
    if (this.opts.crc32 !== undefined) this.crc = crc32(chunk, this.crc);
    if (this.opts.sink) this.opts.sink(chunk);
    else this.chunks.push(chunk);
  };

  /** After the last chunk: the declared size and CRC-32 must match what came out. */
  finish(): void {
    const { name, declared } = this.opts;
    if (declared !== undefined && declared >= 0 && this.output !== declared) {
      throw new ScanError('corrupt', `${name} holds ${this.output} bytes, its header says ${declared} (damaged or truncated)`);
    }
    if (this.opts.crc32 !== undefined && this.crc !== this.opts.crc32 >>> 0) {
      throw new ScanError('corrupt', `${name} fails its CRC-32 check (damaged)`);
    }
  }

  /** The output as a Blob; the chunks are released. */
  blob(): Blob {
    const b = new Blob(this.chunks as Uint8Array<ArrayBuffer>[]);
    this.chunks.length = 0;
    return b;
  }

  /** The output as one array (for parts read at once, skipping a Blob round trip); the chunks are released. */
  bytes(): Uint8Array {
    const b = concat(this.chunks, this.output);
    this.chunks.length = 0;
    return b;
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

function damaged(name: string, err: unknown): ScanError {
  if (err instanceof ScanError) return err;
  return new ScanError('corrupt', `${name}: compressed data is damaged (${(err as Error)?.message ?? err})`);
}

/**
 * Raw deflate (a ZIP member), under an ExpansionGuard: stops mid-stream on a bomb or a lying
 * size, and checks the declared size and CRC-32 at the end. A stream that ends before its final
 * block is `corrupt`. Take the output with `.blob()` or `.bytes()`.
 */
export async function inflateRaw(data: Blob, ctx: ExtractContext, opts: GuardOptions): Promise<ExpansionGuard> {
  const guard = new ExpansionGuard(ctx, opts);
  // fflate throws "unexpected EOF" on the final push of a stream that lacks its final block.
  const inflater = new Inflate(guard.produced);
  try {
    await feed(data, guard, (slice, final) => inflater.push(slice, final));
  } catch (err) {
    throw damaged(opts.name, err);
  }
  guard.finish();
  return guard;
}

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
  try {
    await feed(data, guard, (slice, final) => inflater.push(slice, final));
  } catch (err) {
    throw damaged(name, err);
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
