/**
 * Fuzzing gzip and tar. gzip checks every member's CRC-32 and length, so no mutant of a marked
 * .gz may be clean — except a multi-member .gz cut exactly between two members, which is a
 * complete gzip file of the first members (gunzip reads it without complaint). tar has a checksum on headers only: a flip inside a member's data bytes that
 * spell the stamp changes the document itself, so flips inside the stamp's own bytes are excluded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz, rangesOf, type Mutant } from '../support/fuzz.js';

const FIX = join(import.meta.dirname, '../fixtures/office/archives');
const read = (f: string) => new Uint8Array(readFileSync(join(FIX, f)));

/** The stamp as it is written in the tar's member data (UTF-8), from 秘 to the end of "Confidential". */
function stampRanges(seed: Uint8Array): [number, number][] {
  const kanji = rangesOf(seed, new TextEncoder().encode('秘'));
  const word = rangesOf(seed, new TextEncoder().encode('Confidential'));
  return kanji.flatMap(([s]) => word.filter(([w]) => w > s && w - s < 64).map(([, e]) => [s, e] as [number, number]));
}

/** A tar cut exactly at a block boundary (no end-of-archive blocks), as a copy interrupted between members leaves it. */
function cutAtBlocks(seed: Uint8Array): Mutant[] {
  const out: Mutant[] = [];
  for (let at = 512; at < seed.length; at += 512) if (seed.subarray(at - 512, at).some((b) => b !== 0)) out.push({ what: `cut at block ${at / 512}`, bytes: seed.slice(0, at), at: [] });
  return out;
}

/** Offsets where a gzip member other than the first starts (1f 8b 08 right after an 8-byte trailer). */
function memberStarts(seed: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 18; i + 3 <= seed.length; i++) if (seed[i] === 0x1f && seed[i + 1] === 0x8b && seed[i + 2] === 8) out.push(i);
  return out;
}

describe('fuzz: gzip and tar', () => {
  for (const file of ['note.txt.gz', 'two-members.txt.gz', 'docs.tar.gz']) {
    it(`mutants of marked ${file} end marked or unscannable (CRC-32; only cuts between members excluded)`, async () => {
      const seed = read(file);
      const boundaries = memberStarts(seed);
      const counts = await fuzz(seed, { name: file, n: 40, seed: 3, excludeCut: (n) => boundaries.includes(n) });
      expect(counts.unscannable ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }

  it('mutants of marked ustar.tar end marked or unscannable, except flips inside the stamp bytes', async () => {
    const seed = read('ustar.tar');
    const stamp = stampRanges(seed);
    expect(stamp.length).toBeGreaterThan(0);
    const counts = await fuzz(seed, { name: 'ustar.tar', n: 60, seed: 5, extra: cutAtBlocks(seed), exclude: (at) => stamp.some(([s, e]) => at >= s && at < e) });
    expect(counts.unscannable ?? 0).toBeGreaterThan(0);
    expect(counts.marked ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
