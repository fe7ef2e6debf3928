/**
 * Fuzzing ZIP and the formats built on it (DOCX, XLSX, PPTX, ODS): truncations, byte flips, 32-bit
 * fields overwritten, and lying central-directory sizes and offsets. Every member read is checked
 * against its CRC-32 and sizes, so there is no exclusion: a mutant of a marked file is never clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNativeInflate } from '../../src/detect/extract/native-inflate.js';
import { fuzz, type Mutant } from '../support/fuzz.js';

const FIX = join(import.meta.dirname, '../fixtures/office');
const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);

/** Lying central directory: each entry's sizes, CRC and local offset nudged, and the end record's count and size. */
function lyingDirectory(seed: Uint8Array): Mutant[] {
  const out: Mutant[] = [];
  const eocd = seed.lastIndexOf(0x50, seed.length - 22);
  let e = -1;
  for (let i = seed.length - 22; i >= 0; i--) {
    if (u32(seed, i) === 0x06054b50) {
      e = i;
      break;
    }
  }
  if (e < 0 || eocd < 0) return out;
  const set = (what: string, at: number, v: number, size: 2 | 4) => {
    const b = seed.slice();
    const dv = new DataView(b.buffer);
    if (size === 2) dv.setUint16(at, v & 0xffff, true);
    else dv.setUint32(at, v >>> 0, true);
    out.push({ what, bytes: b, at: Array.from({ length: size }, (_, k) => at + k) });
  };
  set('EOCD count - 1', e + 10, u16(seed, e + 10) - 1, 2);
  set('EOCD total - 1', e + 8, u16(seed, e + 8) - 1, 2);
  set('EOCD directory size - 46', e + 12, u32(seed, e + 12) - 46, 4);
  const cdOffset = u32(seed, e + 16);
  for (let p = cdOffset, k = 0; p + 46 <= e && u32(seed, p) === 0x02014b50 && k < 12; k++) {
    const name = new TextDecoder().decode(seed.subarray(p + 46, p + 46 + u16(seed, p + 28)));
    set(`${name}: compressed size - 1`, p + 20, u32(seed, p + 20) - 1, 4);
    set(`${name}: compressed size + 7`, p + 20, u32(seed, p + 20) + 7, 4);
    set(`${name}: size - 1`, p + 24, u32(seed, p + 24) - 1, 4);
    set(`${name}: size × 4`, p + 24, u32(seed, p + 24) * 4, 4);
    set(`${name}: CRC-32 + 1`, p + 16, u32(seed, p + 16) + 1, 4);
    set(`${name}: local offset + 1`, p + 42, u32(seed, p + 42) + 1, 4);
    p += 46 + u16(seed, p + 28) + u16(seed, p + 30) + u16(seed, p + 32);
  }
  return out;
}

describe('fuzz: ZIP-based formats', () => {
  for (const [file, n] of [
    ['archives/stored.zip', 40],
    ['archives/zip64.zip', 40],
    ['writer-footnote.docx', 30],
    ['calc-sheet2.xlsx', 30],
    ['impress-notes.pptx', 20],
    ['calc-sheet2.ods', 25],
    // The stamp split across neighbouring cells: only the row join finds it.
    ['calc-split.ods', 20],
    // 秘 merged over B2:C2 beside Confidential in D2: only the merge (read after the rows) joins it.
    ['calc-merged.xlsx', 20],
    // 秘 merged over B2:B4 beside Confidential in C3: the rows the tall merge reaches are read again.
    ['calc-tall.xlsx', 20],
    ['tall-openpyxl.xlsx', 20],
    ['calc-tall-left.ods', 20],
  ] as const) {
    it(`mutants of marked ${file} end marked or unscannable`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const counts = await fuzz(seed, { name: file.split('/').pop()!, n, seed: 7, extra: lyingDirectory(seed) });
      // The seed is marked and some mutants survive the damage: the test can tell both apart.
      expect(counts.unscannable ?? 0).toBeGreaterThan(0);
      expect(counts.marked ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe('fuzz: ZIP-based formats inflated by fflate (as in the browser)', () => {
  beforeAll(() => useNativeInflate(false));
  afterAll(() => useNativeInflate(true));
  for (const [file, n] of [
    ['calc-sheet2.xlsx', 30],
    ['writer-footnote.docx', 20],
  ] as const) {
    it(`mutants of marked ${file} end marked or unscannable`, async () => {
      const seed = new Uint8Array(readFileSync(join(FIX, file)));
      const counts = await fuzz(seed, { name: file, n, seed: 11, extra: lyingDirectory(seed) });
      expect(counts.unscannable ?? 0).toBeGreaterThan(0);
      expect(counts.marked ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }
});
