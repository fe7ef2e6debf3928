/**
 * Fuzzing the PDF catalog walks (bookmarks, attachments, form fields): byte flips, zeroed runs and
 * truncations of the test/fixtures/pdf-parts files. Every mutant ends in a verdict, never a crash or
 * the time budget. (A flip can legitimately unmake a bookmark, e.g. `/Outlines` → `/Outlinez`, so
 * "never clean" is not claimed here; the attachment whose stream breaks is checked in pdf-catalog.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures/pdf-parts');

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz: PDF bookmarks, attachments and forms', () => {
  it.each(['outline-stamp.pdf', 'attach-zip.pdf', 'attach-annot.pdf', 'form-tooltip.pdf'])('%s: 150 mutants end in a verdict, most still marked', async (name) => {
    const seed = new Uint8Array(readFileSync(join(FIX, name)));
    const next = rng(name.length);
    let marked = 0;
    for (let i = 0; i < 150; i++) {
      const b = i % 10 === 9 ? seed.slice(0, Math.floor(next() * seed.length)) : seed.slice();
      if (i % 10 !== 9) {
        const at = Math.floor(next() * b.length);
        if (i % 3 === 0) b.fill(0x30, at, at + 8);
        else b[at] ^= 1 << Math.floor(next() * 8);
      }
      const r = await scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), 'fuzz.pdf', { limits: { timeBudgetMs: 5000 } });
      expect(['marked', 'clean', 'unscannable']).toContain(r.verdict);
      expect(r.verdict === 'unscannable' && r.reason, `mutant ${i}`).not.toBe('time-budget');
      if (r.verdict === 'marked') marked++;
    }
    // A single flip rarely touches what holds the stamp: the walks must not give up on the rest.
    expect(marked).toBeGreaterThan(100);
  });
});
