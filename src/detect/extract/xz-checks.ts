/**
 * xz streams whose blocks carry SHA-256 checks (`xz -C sha256`, Python's `lzma` with CHECK_SHA256): the
 * decoder (xz-embedded) is built without SHA-256 and refuses the stream. The stream is rewritten with
 * no checks (the xz spec's check type 0: the same blocks, each check dropped, the index's unpadded sizes
 * shortened by it, the header, index and footer CRC-32s made again), decoded, and each block's output
 * hashed here against the check it carried: a damaged block is still `corrupt`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { u32 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { ScanError } from './types.js';

/** The check type a stream's header names (xz spec §2.1.1.2). */
export const SHA256_CHECK = 0x0a;
const CHECK_BYTES = 32;

export interface Unchecked {
  /** The stream with check type 0. */
  stream: Uint8Array<ArrayBuffer>;
  /** Each block's uncompressed size and the SHA-256 it carried, in order. */
  blocks: { size: number; check: Uint8Array }[];
}

/** `s` (one whole stream, SHA-256 checks) without its checks. */
export function withoutChecks(s: Uint8Array, name: string): Unchecked {
  const bad = (what: string) => new ScanError('corrupt', `${name}: xz ${what} is damaged`);
  const end = s.length;
  const indexSize = (u32(s, end - 8) + 1) * 4;
  const indexStart = end - 12 - indexSize;
  if (indexStart < 12 || s[indexStart] !== 0) throw bad('index');
  let p = indexStart + 1;
  const varint = (): number => {
    let n = 0;
    for (let shift = 1; ; shift *= 128) {
      if (p >= end - 12 || shift > 2 ** 56) throw bad('index');
      const b = s[p++];
      n += (b & 0x7f) * shift;
      if (!(b & 0x80)) return n;
    }
  };
  const parts: Uint8Array[] = [streamHeader()];
  const records: number[] = [];
  const blocks: Unchecked['blocks'] = [];
  let at = 12;
  for (let n = varint(); n > 0; n--) {
    const unpadded = varint();
    const size = varint();
    const data = unpadded - CHECK_BYTES;
    const padded = Math.ceil(data / 4) * 4;
    if (data <= 0 || at + padded + CHECK_BYTES > indexStart) throw bad('block list');
    parts.push(s.subarray(at, at + padded));
    blocks.push({ size, check: s.subarray(at + padded, at + padded + CHECK_BYTES) });
    records.push(data, size);
    at += padded + CHECK_BYTES;
  }
  if (at !== indexStart) throw bad('block list');
  const index = indexOf(records);
  parts.push(index, footer(index.length));
  const stream = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    stream.set(x, o);
    o += x.length;
  }
  return { stream, blocks };
}

/**
 * Each block's output, hashed against the SHA-256 it carried: call `add` with every output chunk in order,
 * then `end`. A block whose output differs, or output past the blocks, is `corrupt`.
 */
export function blockChecker(blocks: Unchecked['blocks'], name: string): { add(chunk: Uint8Array): void; end(): void } {
  let i = 0;
  let left = blocks[0]?.size ?? 0;
  let h = sha256.create();
  const close = () => {
    const digest = h.digest();
    if (!digest.every((b, k) => b === blocks[i].check[k])) throw new ScanError('corrupt', `${name}: xz block ${i + 1} fails its SHA-256 check`);
    i++;
    left = blocks[i]?.size ?? 0;
    h = sha256.create();
  };
  return {
    add(chunk) {
      for (let o = 0; o < chunk.length; ) {
        while (i < blocks.length && left === 0) close();
        if (i >= blocks.length) throw new ScanError('corrupt', `${name}: xz data runs past its blocks`);
        const n = Math.min(left, chunk.length - o);
        h.update(chunk.subarray(o, o + n));
        left -= n;
        o += n;
      }
    },
    end() {
      while (i < blocks.length) {
        if (left !== 0) throw new ScanError('corrupt', `${name}: xz block ${i + 1} is shorter than its index says`);
        close();
      }
    },
  };
}

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** A stream header with check type 0: magic, flags 00 00, their CRC-32. */
function streamHeader(): Uint8Array {
  const h = new Uint8Array(12);
  h.set(MAGIC);
  new DataView(h.buffer).setUint32(8, crc32(h.subarray(6, 8)), true);
  return h;
}

/** An index of these (unpadded size, uncompressed size) records, padded to 4 bytes, with its CRC-32. */
function indexOf(records: number[]): Uint8Array {
  const bytes: number[] = [0];
  const put = (n: number) => {
    for (; n >= 0x80; n = Math.floor(n / 128)) bytes.push((n % 128) | 0x80);
    bytes.push(n);
  };
  put(records.length / 2);
  for (const r of records) put(r);
  while (bytes.length % 4) bytes.push(0);
  const out = new Uint8Array(bytes.length + 4);
  out.set(bytes);
  new DataView(out.buffer).setUint32(bytes.length, crc32(out.subarray(0, bytes.length)), true);
  return out;
}

/** A stream footer: CRC-32 of what follows it, the index's size in 4-byte units less one, flags 00 00, `YZ`. */
function footer(indexLength: number): Uint8Array {
  const f = new Uint8Array(12);
  const dv = new DataView(f.buffer);
  dv.setUint32(4, indexLength / 4 - 1, true);
  f[10] = 0x59;
  f[11] = 0x5a;
  dv.setUint32(0, crc32(f.subarray(4, 10)), true);
  return f;
}
