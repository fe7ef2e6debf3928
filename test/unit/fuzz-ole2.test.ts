/**
 * Fuzzing OLE2 (.doc, .xls, .ppt): truncations, byte flips, 32-bit fields overwritten, FAT chains
 * made to loop or leave the file, and directory links made to cycle. OLE2 has no checksum, so a flip
 * inside the stamp's own UTF-16LE bytes changes the document itself: those are excluded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz, rangesOf, type Mutant } from '../support/fuzz.js';

const FIX = join(import.meta.dirname, '../fixtures/office-legacy');
const utf16 = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'));

/** From each UTF-16LE 秘 to the end of the "Confidential" that follows it. */
function stampRanges(seed: Uint8Array): [number, number][] {
  const word = rangesOf(seed, utf16('Confidential'));
  return rangesOf(seed, utf16('秘')).flatMap(([s]) => word.filter(([w]) => w > s && w - s < 64).map(([, e]) => [s, e] as [number, number]));
}

/** FAT entries pointing at themselves, back one sector, or outside the file; directory links pointing at the root. */
function cycles(seed: Uint8Array): Mutant[] {
  const dv = new DataView(seed.buffer, seed.byteOffset);
  const ss = 1 << dv.getUint16(30, true);
  const fat0 = dv.getUint32(76, true);
  const out: Mutant[] = [];
  const set = (what: string, at: number, v: number) => {
    const b = seed.slice();
    new DataView(b.buffer).setUint32(at, v >>> 0, true);
    out.push({ what, bytes: b, at: [at, at + 1, at + 2, at + 3] });
  };
  const fatAt = (i: number) => (fat0 + 1) * ss + i * 4;
  for (let i = 1; i < Math.min(ss / 4, 40); i += 3) {
    if (fatAt(i) + 4 > seed.length) break;
    set(`FAT[${i}] → itself`, fatAt(i), i);
    set(`FAT[${i}] → ${i - 1}`, fatAt(i), i - 1);
    set(`FAT[${i}] → outside`, fatAt(i), 0x00ffffff);
  }
  const dir = (dv.getUint32(48, true) + 1) * ss;
  for (let e = 1; e < 8 && dir + e * 128 + 128 <= seed.length; e++) {
    const o = dir + e * 128;
    set(`dir[${e}].child → root`, o + 76, 0);
    set(`dir[${e}].left → ${e}`, o + 68, e);
    set(`dir[${e}].size × 2`, o + 120, dv.getUint32(o + 120, true) * 2);
    set(`dir[${e}].size / 2`, o + 120, dv.getUint32(o + 120, true) >>> 1);
  }
  return out;
}

describe('fuzz: OLE2 documents', () => {
  for (const [file, n] of [
    ['doc-comment.doc', 40],
    ['doc-footnote.doc', 25],
    ['xls-sheet2.xls', 40],
    ['ppt-notes.ppt', 12],
  ] as const) {
    it(`mutants of marked ${file} end marked or unscannable, except flips inside the stamp bytes`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const stamp = stampRanges(seed);
      expect(stamp.length).toBeGreaterThan(0);
      const counts = await fuzz(seed, { name: file, n, seed: 11, extra: cycles(seed), exclude: (at) => stamp.some(([s, e]) => at >= s && at < e) });
      expect(counts.unscannable ?? 0).toBeGreaterThan(0);
      expect(counts.marked ?? 0).toBeGreaterThan(0);
    }, 90_000);
  }
});
