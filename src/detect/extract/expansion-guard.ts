/**
 * The one bomb guard of the engine: every decompressor (deflate and gzip in inflate.ts; LZMA, PPMd,
 * bzip2, zstd… in the archive extractors) hands each output chunk to it as the chunk appears.
 *
 * `ExpansionGuard` is codec-free: the decoder reports the compressed bytes it has consumed
 * (`consumed`; a decoder that cannot tell reports the whole input at once) and hands every output
 * chunk to `produced`. The guard throws, in the middle of decompressing, as soon as
 *  - the output outgrows `limits.maxRatio` × the input consumed so far (past RATIO_FLOOR_BYTES);
 *  - the output outgrows the size the container declared (a lying header);
 *  - the scan's total of expanded bytes (ctx.addExpanded) passes its limit;
 *  - the time budget is spent or the scan's AbortSignal fired (ctx.checkTime);
 *  - the output outgrows `maxInMemory` (what one member may hold in memory).
 * `finish()` then checks the declared size and the CRC-32, when the container stores them.
 *
 *   const guard = new ExpansionGuard(ctx, { name, declared, crc32 });
 *   for (each slice of compressed bytes) {
 *     guard.consumed(slice.length);
 *     decoder.push(slice, guard.produced);  // throws ScanError to stop
 *   }
 *   guard.finish();                           // sizes and checksum
 *   yield { kind: 'member', name, data: guard.blob() };
 */
import { blobOf, concat } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { RATIO_FLOOR_BYTES } from '../limits.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

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
  /** The decoder reuses its output buffer (a WebAssembly heap view): chunks kept for `blob()` are copied. */
  copy?: boolean;
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

  /** The member's name, for the messages of the decoder that feeds the guard. */
  get name(): string {
    return this.opts.name;
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
    else this.chunks.push(this.opts.copy ? chunk.slice() : chunk);
    this.ctx.checkTime();
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

  /** The output as a Blob (served from memory: see blobOf); the chunks are released. */
  blob(): Blob {
    return blobOf(this.bytes());
  }

  /** The output as one array (for parts read at once, skipping a Blob round trip); the chunks are released. */
  bytes(): Uint8Array {
    const b = concat(this.chunks, this.output);
    this.chunks.length = 0;
    return b;
  }
}

/** Refuses, before any decoding, a member whose declared size alone is a bomb. */
export function checkDeclared(name: string, declared: number, compressed: number, ctx: ExtractContext): void {
  if (declared > RATIO_FLOOR_BYTES && declared / Math.max(compressed, 1) > ctx.limits.maxRatio) {
    throw new ScanError('expansion-ratio', `${name} declares ${declared} bytes from ${compressed} (suspected archive bomb)`);
  }
}

/** Any decoder failure that is not already a verdict: the data is damaged. */
export function asCorrupt(err: unknown, what: string): ScanError {
  if (err instanceof ScanError) return err;
  const why = err instanceof Error ? ` (${err.message})` : '';
  return new ScanError('corrupt', `${what}: compressed data is damaged${why}`);
}

/** A decoder of one compressed stream (bzip2, zstd, xz): every output chunk goes to `guard`. */
export type StreamDecoder = (data: Blob, guard: ExpansionGuard, ctx: ExtractContext) => Promise<void>;

/**
 * A stream decoder as the extractor of its standalone file (.bz2, .zst, .xz): the content is one
 * member, named like gzip's (x.tar.bz2 → x.tar). The ZIP reader uses the same decoders for its members.
 */
export function singleStream(name: string, decode: StreamDecoder): Extractor {
  return async function* (blob, ctx) {
    const guard = new ExpansionGuard(ctx, { name });
    await decode(blob, guard, ctx);
    ctx.addEntry();
    yield { kind: 'member', name: '', data: guard.blob() };
  };
}
