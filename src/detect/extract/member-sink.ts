/**
 * Collects one decompressed member while its decoder produces it, and stops a bomb at the first
 * chunk past a limit: the member's own ratio (after RATIO_FLOOR_BYTES), its declared size, and the
 * scan-wide expanded total (ctx.addExpanded). Every decoder of the 7z/RAR/CAB/LZH/xz/bzip2/zstd
 * extractors pushes its output here in chunks, so nothing is ever inflated whole before a check.
 */
import { RATIO_FLOOR_BYTES } from '../limits.js';
import { ScanError, type ExtractContext } from './types.js';

export class MemberSink {
  private readonly chunks: Uint8Array<ArrayBuffer>[] = [];
  total = 0;

  constructor(
    private readonly name: string,
    /** Compressed bytes the member came from (the whole archive when the format does not say). */
    private readonly compressed: number,
    private readonly ctx: ExtractContext,
    /** Size the container declares for the member; -1 when unknown. */
    private readonly declared = -1,
  ) {}

  /** Adds a chunk the caller may reuse afterwards (it is copied). Throws ScanError past a limit. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    this.ctx.addExpanded(chunk.length);
    if (this.total > RATIO_FLOOR_BYTES && this.total / Math.max(this.compressed, 1) > this.ctx.limits.maxRatio) {
      throw new ScanError('expansion-ratio', `${this.name} expands more than ${this.ctx.limits.maxRatio}× (suspected archive bomb)`);
    }
    if (this.declared >= 0 && this.total > this.declared) throw new ScanError('corrupt', `${this.name} is longer than its header says`);
    this.chunks.push(chunk.slice());
    this.ctx.checkTime();
  }

  blob(): Blob {
    return new Blob(this.chunks);
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
  return new ScanError('corrupt', `${what}: compressed data is damaged`);
}
