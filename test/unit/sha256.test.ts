/** sha256Blob (crypto.subtle for small blobs, an incremental hash in slices for large ones) against node:crypto. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex, sha256Blob } from '../../src/detect/sha256.js';
import { prng } from '../support/zip-build.js';

const ref = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

describe('hex', () => {
  it('hex pads every byte to two digits', () => {
    expect(hex(Uint8Array.from([0, 1, 15, 16, 255]))).toBe('00010f10ff');
  });
});

describe('sha256Blob', () => {
  const MiB = 1024 * 1024;
  it.each([0, 1, 1000, 16 * MiB, 16 * MiB + 1, 17 * MiB + 12345, 4 * MiB * 5])('size %i equals node:crypto', async (n) => {
    const data = new Uint8Array(n);
    // cheap but not uniform content: position-dependent bytes
    for (let i = 0; i < n; i += 4093) data[i] = (i * 31) & 0xff;
    data.fill(7, Math.max(0, n - 100));
    expect(await sha256Blob(blob(data))).toBe(ref(data));
  });
  it('> 16 MiB (the incremental path, 4 MiB slices) equals node:crypto', async () => {
    const data = randomBytes(1000, 9);
    const big = new Uint8Array(18 * MiB);
    for (let i = 0; i < big.length; i += 1000) big.set(data.subarray(0, Math.min(1000, big.length - i)), i);
    expect(await sha256Blob(blob(big))).toBe(ref(big));
    // A Blob made of parts (as a browser File may be) hashes the same.
    expect(await sha256Blob(new Blob([big.subarray(0, 5 * MiB), big.subarray(5 * MiB)] as Uint8Array<ArrayBuffer>[]))).toBe(ref(big));
  });
});
