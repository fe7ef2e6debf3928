/** The incremental SHA-256 and sha256Blob against node:crypto. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, hex, sha256Blob } from '../../src/detect/sha256.js';
import { prng } from '../support/zip-build.js';

const ref = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

describe('Sha256 (incremental)', () => {
  it('known vectors (FIPS 180-4)', () => {
    const t = (s: string) => hex(new Sha256().update(new TextEncoder().encode(s)).digest());
    expect(t('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(t('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(t('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(t('秘 Confidential')).toBe(ref(new TextEncoder().encode('秘 Confidential')));
  });
  it('every size from 0 to 300 bytes (padding edges 55/56/63/64/119/120…) in one update', () => {
    const data = randomBytes(300, 1);
    for (let n = 0; n <= 300; n++) expect(hex(new Sha256().update(data.subarray(0, n)).digest()), `size ${n}`).toBe(ref(data.subarray(0, n)));
  });
  it('sizes around block boundaries split at every point', () => {
    for (const n of [63, 64, 65, 127, 128, 129, 200]) {
      const data = randomBytes(n, n);
      for (let cut = 0; cut <= n; cut++) {
        const h = new Sha256().update(data.subarray(0, cut)).update(data.subarray(cut));
        expect(hex(h.digest()), `size ${n} cut ${cut}`).toBe(ref(data));
      }
    }
  });
  it('many random splits, including empty and 1-byte updates, on larger inputs', () => {
    const r = prng(42);
    for (const n of [1000, 4097, 65_536, 100_003]) {
      const data = randomBytes(n, n);
      for (let trial = 0; trial < 5; trial++) {
        const h = new Sha256();
        for (let at = 0; at < n; ) {
          const len = r() < 0.2 ? Math.floor(r() * 3) : Math.floor(r() * 3000);
          h.update(data.subarray(at, at + len));
          at += len;
        }
        expect(hex(h.digest()), `size ${n} trial ${trial}`).toBe(ref(data));
      }
    }
  });
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
