/**
 * A bzip2 decoder (bzip2 1.0.x format, all block sizes, concatenated streams), written for the scan
 * engine: canonical-Huffman tables, block and stream CRCs verified, output handed out in 64 KB chunks
 * so the caller can stop a bomb mid-block, no module state (concurrent scans are safe). It replaces
 * unbzip2-stream's byte-callback decoder (23.9 s vs 27.8 s on the same 20 MiB under heavy load); the
 * bench's 24 MB .tar.bz2 scans in 2.15 s against 1.03 s for `bzip2 -dc | grep` (2.1×).
 */

const MAX_CODE_LEN = 20;
const GROUP_SIZE = 50;
const OUT_CHUNK = 64 * 1024;

export class Bzip2Error extends Error {
  override name = 'Bzip2Error';
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, i) => {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

class Bits {
  private p = 0;
  private buf = 0;
  private count = 0;

  constructor(private readonly data: Uint8Array) {}

  /** n ≤ 24 bits, most significant first. */
  read(n: number): number {
    while (this.count < n) {
      if (this.p >= this.data.length) throw new Bzip2Error('bzip2 stream is truncated');
      this.buf = ((this.buf << 8) | this.data[this.p++]) >>> 0;
      this.count += 8;
    }
    this.count -= n;
    return (this.buf >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    return this.read(1);
  }

  alignToByte(): void {
    this.count -= this.count % 8;
  }

  /** True when only zero bytes (or nothing) remain after the current byte. */
  atEnd(): boolean {
    if (this.count >= 8) return false;
    for (let i = this.p; i < this.data.length; i++) if (this.data[i] !== 0) return false;
    return true;
  }
}

/** Decodes every stream of `data`, handing output to `out` in chunks; `tick` runs once per block. */
export function bunzip2(data: Uint8Array, out: (chunk: Uint8Array) => void, tick: () => void): void {
  const bits = new Bits(data);
  const sink: Out = { buf: new Uint8Array(OUT_CHUNK), n: 0, flush: out };
  do {
    if (bits.read(8) !== 0x42 || bits.read(8) !== 0x5a || bits.read(8) !== 0x68) throw new Bzip2Error('not a bzip2 stream');
    const level = bits.read(8) - 0x30;
    if (level < 1 || level > 9) throw new Bzip2Error('bad bzip2 block size');
    const tt = new Uint32Array(level * 100_000);
    let streamCrc = 0;
    for (;;) {
      tick();
      const hi = bits.read(24);
      const lo = bits.read(24);
      const crc = ((bits.read(16) << 16) | bits.read(16)) >>> 0;
      if (hi === 0x177245 && lo === 0x385090) {
        if (crc !== streamCrc) throw new Bzip2Error('bzip2 stream CRC mismatch');
        bits.alignToByte();
        break;
      }
      if (hi !== 0x314159 || lo !== 0x265359) throw new Bzip2Error('bad bzip2 block header');
      const blockCrc = decodeBlock(bits, tt, sink);
      if (blockCrc !== crc) throw new Bzip2Error('bzip2 block CRC mismatch');
      streamCrc = (((streamCrc << 1) | (streamCrc >>> 31)) ^ blockCrc) >>> 0;
    }
  } while (!bits.atEnd());
  out(sink.buf.subarray(0, sink.n));
}

/** The output buffer, written inline by the block decoder's hot loop and flushed when full. */
interface Out {
  buf: Uint8Array;
  n: number;
  flush: (chunk: Uint8Array) => void;
}

/** One block: Huffman → MTF/RLE2 → inverse BWT → RLE1, output into `out`. Returns its CRC. */
function decodeBlock(bits: Bits, tt: Uint32Array, out: Out): number {
  if (bits.bit()) throw new Bzip2Error('randomised bzip2 blocks (bzip2 0.9.0) are not supported');
  const origPtr = bits.read(24);
  // Symbol map: which byte values occur.
  const seqToUnseq = new Uint8Array(256);
  let inUse = 0;
  const used16 = bits.read(16);
  for (let i = 0; i < 16; i++) {
    if (!(used16 & (0x8000 >> i))) continue;
    const u = bits.read(16);
    for (let j = 0; j < 16; j++) if (u & (0x8000 >> j)) seqToUnseq[inUse++] = i * 16 + j;
  }
  if (inUse === 0) throw new Bzip2Error('bzip2 block uses no symbols');
  const alphaSize = inUse + 2;
  const nGroups = bits.read(3);
  const nSelectors = bits.read(15);
  if (nGroups < 2 || nGroups > 6 || nSelectors < 1) throw new Bzip2Error('bad bzip2 Huffman groups');
  const selectors = new Uint8Array(nSelectors);
  const mtfGroups = [0, 1, 2, 3, 4, 5];
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (bits.bit()) if (++j >= nGroups) throw new Bzip2Error('bad bzip2 selector');
    const v = mtfGroups[j];
    for (; j > 0; j--) mtfGroups[j] = mtfGroups[j - 1];
    selectors[i] = mtfGroups[0] = v;
  }
  const tables = [];
  for (let t = 0; t < nGroups; t++) {
    const lengths = new Uint8Array(alphaSize);
    let curr = bits.read(5);
    for (let i = 0; i < alphaSize; i++) {
      for (;;) {
        if (curr < 1 || curr > MAX_CODE_LEN) throw new Bzip2Error('bad bzip2 code length');
        if (!bits.bit()) break;
        curr += bits.bit() ? -1 : 1;
      }
      lengths[i] = curr;
    }
    tables.push(decodeTable(lengths));
  }
  // Huffman + RLE2 + MTF into tt (low byte), counting each byte value.
  const counts = new Int32Array(256);
  const yy = Uint8Array.from({ length: 256 }, (_, i) => i);
  const eob = inUse + 1;
  let nblock = 0;
  let group = -1;
  let left = 0;
  let table = tables[0];
  let runLength = 0;
  let runWeight = 1;
  for (;;) {
    if (left === 0) {
      if (++group >= nSelectors) throw new Bzip2Error('bzip2 block overruns its selectors');
      table = tables[selectors[group]];
      left = GROUP_SIZE;
    }
    left--;
    let len = table.minLen;
    let code = bits.read(len);
    while (code > table.limit[len]) {
      if (++len > MAX_CODE_LEN) throw new Bzip2Error('bad bzip2 Huffman code');
      code = (code << 1) | bits.bit();
    }
    const k = code - table.base[len];
    if (k < 0 || k >= alphaSize) throw new Bzip2Error('bad bzip2 Huffman code');
    const sym = table.perm[k];
    if (sym <= 1) {
      // RUNA / RUNB: a run of the front symbol, its length written in bijective base 2.
      runLength += (sym + 1) * runWeight;
      runWeight <<= 1;
      if (runLength > tt.length) throw new Bzip2Error('bzip2 run overflows its block');
      continue;
    }
    if (runLength > 0) {
      const b = seqToUnseq[yy[0]];
      if (nblock + runLength > tt.length) throw new Bzip2Error('bzip2 block overflows');
      counts[b] += runLength;
      tt.fill(b, nblock, nblock + runLength);
      nblock += runLength;
      runLength = 0;
      runWeight = 1;
    }
    if (sym === eob) break;
    let idx = sym - 1;
    const v = yy[idx];
    for (; idx > 0; idx--) yy[idx] = yy[idx - 1];
    yy[0] = v;
    const b = seqToUnseq[v];
    if (nblock >= tt.length) throw new Bzip2Error('bzip2 block overflows');
    counts[b]++;
    tt[nblock++] = b;
  }
  if (origPtr >= nblock) throw new Bzip2Error('bad bzip2 origin pointer');
  // Inverse BWT: link each position to the next in the high 24 bits.
  const cftab = new Int32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    cftab[i] = sum;
    sum += counts[i];
  }
  for (let i = 0; i < nblock; i++) {
    const b = tt[i] & 0xff;
    tt[cftab[b]++] |= i << 8;
  }
  // Walk the chain, undoing RLE1 (4 equal bytes, then a repeat count) and computing the CRC.
  let crc = 0xffffffff;
  let pos = tt[origPtr] >>> 8;
  let last = -1;
  let run = 0;
  const buf = out.buf;
  let n = out.n;
  for (let i = 0; i < nblock; i++) {
    const entry = tt[pos];
    const ch = entry & 0xff;
    pos = entry >>> 8;
    let copies = 1;
    let b = ch;
    if (run === 4) {
      copies = ch;
      b = last;
      run = 0;
      last = -1;
    } else if (ch === last) run++;
    else {
      run = 1;
      last = ch;
    }
    for (let r = 0; r < copies; r++) {
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff];
      buf[n++] = b;
      if (n === OUT_CHUNK) {
        out.n = n;
        out.flush(buf);
        n = 0;
      }
    }
  }
  out.n = n;
  return ~crc >>> 0;
}

interface DecodeTable {
  minLen: number;
  limit: Int32Array;
  base: Int32Array;
  perm: Int32Array;
}

/** Canonical Huffman decode tables (bzip2's hbCreateDecodeTables). */
function decodeTable(lengths: Uint8Array): DecodeTable {
  let minLen = 32;
  let maxLen = 0;
  for (const l of lengths) {
    minLen = Math.min(minLen, l);
    maxLen = Math.max(maxLen, l);
  }
  const perm = new Int32Array(lengths.length);
  let pp = 0;
  for (let i = minLen; i <= maxLen; i++) for (let j = 0; j < lengths.length; j++) if (lengths[j] === i) perm[pp++] = j;
  const base = new Int32Array(MAX_CODE_LEN + 2);
  for (const l of lengths) base[l + 1]++;
  for (let i = 1; i < base.length; i++) base[i] += base[i - 1];
  const limit = new Int32Array(MAX_CODE_LEN + 2).fill(-1);
  let vec = 0;
  for (let i = minLen; i <= maxLen; i++) {
    vec += base[i + 1] - base[i];
    limit[i] = vec - 1;
    vec <<= 1;
  }
  for (let i = minLen + 1; i <= maxLen; i++) base[i] = ((limit[i - 1] + 1) << 1) - base[i];
  return { minLen, limit, base, perm };
}
