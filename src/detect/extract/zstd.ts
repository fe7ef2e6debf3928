/**
 * Zstandard (.zst, .tzst, and ZIP members of method 93): all frames, decoded with fzstd (pure
 * JavaScript, streaming) in 64 KB input slices, so the output is checked chunk by chunk. A file's
 * content is one member (x.tar.zst → x.tar).
 *
 * fzstd does not verify the frames' content checksums: FrameWalker follows the frame structure
 * beside it (headers and block sizes only), so each decoded block is hashed (XXH64) into its own
 * frame and compared with the checksum the frame stores. A mismatch is a damaged file, never a
 * quietly different text.
 */
import { Decompress } from 'fzstd';
import { concat, readBytes, u32 } from '../bytes.js';
import { Xxh64 } from '../xxh64.js';
import { asCorrupt, singleStream, type ExpansionGuard } from './expansion-guard.js';
import { ScanError, type ExtractContext, type Extractor } from './types.js';

const SLICE = 64 * 1024;

export const extractZstd: Extractor = singleStream('zstd stream', decodeZstd);

/**
 * Every frame of `data`, handed to `guard` block by block (fzstd hands out a fresh array per block),
 * each frame's content checksum verified; a damaged or unfinished stream is `corrupt`. The caller
 * checks the guard's declared size and CRC-32 (`finish`), when its container stores them.
 */
export async function decodeZstd(data: Blob, guard: ExpansionGuard, ctx: ExtractContext): Promise<void> {
  guard.consumed(data.size); // the ratio is taken against the whole input
  const frames = new FrameWalker();
  const check = new ChecksumCheck(frames);
  let ended = false;
  const decoder = new Decompress((chunk, final) => {
    guard.produced(chunk);
    if (final) ended = true;
    else check.block(chunk);
  });
  try {
    for (let at = 0; at < data.size; at += SLICE) {
      ctx.checkTime();
      const slice = await readBytes(data, at, at + SLICE);
      // The walker sees each slice first: it knows a block's frame before the decoder emits it.
      frames.push(slice);
      decoder.push(slice, at + SLICE >= data.size);
      check.verify();
    }
  } catch (err) {
    throw asCorrupt(err, guard.name);
  }
  if (!ended || !frames.complete()) throw asCorrupt(null, guard.name);
  check.verify();
}

interface Frame {
  /** Blocks the frame holds (final once `closed`). */
  blocks: number;
  closed: boolean;
  /** The stored checksum (low 32 bits of XXH64 of the content), or null when the frame has none. */
  checksum: number | null;
  /** Whether the frame's header says a checksum follows its last block. */
  hasChecksum: boolean;
}

/** Hashes decoded blocks into their frames and compares each frame's hash with its stored checksum. */
class ChecksumCheck {
  private frame = 0;
  private blocks = 0;
  private hash = new Xxh64();
  /** Hashes of frames whose last block was decoded, waiting for their checksum bytes. */
  private readonly done: { frame: number; lo: number }[] = [];

  constructor(private readonly frames: FrameWalker) {}

  block(chunk: Uint8Array): void {
    const f = this.frames.list[this.frame];
    if (!f) throw new ScanError('corrupt', 'zstd: decoded data outside any frame');
    if (f.hasChecksum) this.hash.update(chunk);
    if (++this.blocks < f.blocks || !f.closed) return;
    if (f.hasChecksum) this.done.push({ frame: this.frame, lo: this.hash.digest().lo });
    this.frame++;
    this.blocks = 0;
    this.hash = new Xxh64();
  }

  /** Compares every finished frame whose checksum has been read. */
  verify(): void {
    while (this.done.length && this.frames.list[this.done[0].frame].checksum !== null) {
      const { frame, lo } = this.done.shift()!;
      if (this.frames.list[frame].checksum !== lo) throw new ScanError('corrupt', `zstd frame ${frame + 1} fails its content checksum (damaged)`);
    }
  }
}

/**
 * The frame structure of a zstd stream as its bytes go by (RFC 8878 §3.1): frame headers, block
 * headers (their sizes let the walker skip the payloads), checksums, and skippable frames.
 */
class FrameWalker {
  readonly list: Frame[] = [];
  /** Unparsed bytes: at most one header's worth. */
  private carry: Uint8Array = new Uint8Array(0);
  /** Payload bytes still to pass over. */
  private skip = 0;
  private state: 'frame' | 'block' | 'checksum' = 'frame';

  push(chunk: Uint8Array): void {
    const b = this.carry.length ? concat([this.carry, chunk]) : chunk;
    let p = 0;
    for (;;) {
      const n = Math.min(this.skip, b.length - p);
      p += n;
      this.skip -= n;
      const used = this.skip > 0 ? 0 : this.step(b, p);
      if (used === 0) break;
      p += used;
    }
    this.carry = b.slice(p);
  }

  /** True when the stream ended between frames. */
  complete(): boolean {
    return this.state === 'frame' && this.skip === 0 && this.carry.length === 0;
  }

  /** Parses one structure at `p`; returns the bytes it took, or 0 when more bytes are needed. */
  private step(b: Uint8Array, p: number): number {
    const left = b.length - p;
    const current = this.list[this.list.length - 1];
    if (this.state === 'checksum') {
      if (left < 4) return 0;
      current.checksum = u32(b, p);
      this.state = 'frame';
      return 4;
    }
    if (this.state === 'block') {
      if (left < 3) return 0;
      const h = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
      const type = (h >> 1) & 3;
      if (type === 3) throw new ScanError('corrupt', 'zstd block of the reserved type (damaged)');
      current.blocks++;
      this.skip = type === 1 ? 1 : h >>> 3; // an RLE block stores one byte
      if (h & 1) {
        current.closed = true;
        this.state = current.hasChecksum ? 'checksum' : 'frame';
      }
      return 3;
    }
    if (left < 8) return 0;
    const magic = u32(b, p);
    if (magic >>> 4 === 0x184d2a5) {
      this.skip = u32(b, p + 4); // a skippable frame: fzstd passes over it too
      return 8;
    }
    if (magic !== 0xfd2fb528) throw new ScanError('corrupt', 'zstd frame header is damaged');
    const fhd = b[p + 4];
    const single = (fhd >> 5) & 1;
    const fcs = fhd >> 6;
    const headerLen = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + (fcs === 0 ? single : 1 << fcs);
    if (left < headerLen) return 0;
    // A frame made with a dictionary (`zstd -D dict`, as services that compress many small records do) names
    // it by ID; without that dictionary it cannot be decoded: not damage, a part this file does not hold.
    const idAt = p + 5 + (single ? 0 : 1);
    const dictionary = [0, b[idAt], b[idAt] | (b[idAt + 1] << 8), u32(b, idAt)][fhd & 3];
    if (dictionary) throw new ScanError('unsupported', `zstd stream: a frame was compressed with a dictionary (ID ${dictionary >>> 0}) that is not in the file (zstd -D): it cannot be decoded without it`);
    const hasChecksum = ((fhd >> 2) & 1) === 1;
    this.list.push({ blocks: 0, closed: false, checksum: null, hasChecksum });
    this.state = 'block';
    return headerLen;
  }
}
