/**
 * Fuzzing the archive readers with mutants of marked seeds (deterministic seeds): truncation, byte
 * flips and lying lengths. No mutant may crash the scanner, outlive its budget, or come back clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives');
const STAMP = new TextEncoder().encode('秘 Confidential');

/** mulberry32: a small deterministic generator. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Mutants keep the format's signature (`keep` bytes): without it the file is no longer that format but
 * an unknown binary, which the engine searches byte-wise like any other (that path is tested elsewhere).
 */
function* mutants(seed: Uint8Array, keep: number, random: () => number, n: number): Generator<[string, Uint8Array]> {
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const b = seed.slice();
    if (kind === 0) {
      const cut = keep + Math.floor(random() * (seed.length - keep));
      yield [`truncated at ${cut}`, b.subarray(0, cut)];
    } else if (kind === 1) {
      const at = keep + Math.floor(random() * (b.length - keep));
      b[at] ^= 1 + Math.floor(random() * 255);
      yield [`byte ${at} flipped`, b];
    } else {
      // A lying length: a 32-bit little-endian field somewhere set to a large or small value.
      const at = keep + Math.floor(random() * (b.length - 4 - keep));
      const v = random() < 0.5 ? 0xffffff00 : Math.floor(random() * 64);
      b.set([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24], at);
      yield [`u32 at ${at} set to ${v}`, b];
    }
  }
}

// Every seed is marked by its content stamp. All formats here carry CRCs over the decoded data
// (7z, RAR, LZH, CAB MSZIP via deflate's own checks, xz, bzip2) except the exclusions noted below.
/** `stampBytesExcluded`: true excludes flips in the stamp's bytes (stored data without a checksum). */
const SEEDS: [file: string, signature: number, seed: number, count: number, stampBytesExcluded: boolean][] = [
  ['7z-lzma.7z', 6, 1, 60, false],
  ['7z-lzma2-solid.7z', 6, 2, 60, false],
  // libarchive.js's wrapper drops LZH's CRC-16 mismatch: archive.ts checks it (lzh-headers.ts).
  ['lh5.lzh', 7, 3, 60, false],
  ['lh7.lzh', 7, 9, 60, false],
  // Shift_JIS names: libarchive reads a copy with the names rewritten (lzh-headers.ts).
  ['lzh-sjis-lh6-h1.lzh', 7, 10, 60, false],
  ['lzh-sjis-lh7-h2.lzh', 7, 11, 60, false],
  ['stamp.txt.xz', 6, 4, 60, false],
  ['stamp.txt.bz2', 4, 5, 60, false],
  ['libarchive-rar5-unicode.rar', 8, 8, 60, false],
  // CAB stores a checksum per data block, but gcab writes 0 (none), which the format allows.
  ['cab-mszip.cab', 8, 6, 60, true],
  // zstd's XXH64 content checksum is verified beside fzstd (zstd.ts): a mutant that decodes to other text fails it.
  ['stamp.txt.zst', 4, 7, 60, false],
];

describe('fuzzing the archive readers: no mutant of a marked seed is clean', () => {
  it.each(SEEDS)('%s (signature %i bytes, seed %i, %i mutants)', async (file, keep, seedNo, count, excludeStamp) => {
    const seed = new Uint8Array(readFileSync(join(DIR, file)));
    const keyword = { designated: { keywords: ['This is from'] } }; // the RAR seed's text has no stamp
    expect((await scanBlob(new Blob([seed]), file, keyword)).verdict).toBe('marked');
    const stampAt = indexOf(seed, STAMP);
    const random = rng(seedNo);
    for (const [what, m] of mutants(seed, keep, random, count)) {
      const t = performance.now();
      const r = await scanBlob(new Blob([m as Uint8Array<ArrayBuffer>]), file, { ...keyword, limits: { timeBudgetMs: 5000 } });
      expect(performance.now() - t, `${file} ${what}`).toBeLessThan(8000);
      if (r.verdict !== 'clean') continue;
      // Stored bytes without a checksum: a flip inside the stamp's own bytes really removes the stamp.
      const inStamp = stampAt >= 0 && m.length === seed.length && [...m].some((x, i) => x !== seed[i] && i >= stampAt && i < stampAt + STAMP.length);
      expect(excludeStamp && inStamp, `${file} ${what} was reported clean`).toBe(true);
    }
  });
});
