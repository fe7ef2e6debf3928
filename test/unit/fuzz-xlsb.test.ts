/**
 * Fuzzing the xlsb reader: truncations, byte flips and lying record lengths in the BIFF12 parts of a
 * SheetJS-made workbook (test/fixtures/xlsb). Its members are stored (not deflated), so every
 * mutation reaches the record reader as is. No mutant may crash or run into the time budget, and
 * no mutant of the marked seed may come back clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const FIX = join(__dirname, '../fixtures/xlsb');
const seed = new Uint8Array(readFileSync(join(FIX, 'xlsb-inline.xlsb')));
const plain = new Uint8Array(readFileSync(join(FIX, 'xlsb-plain.xlsb')));
const STAMP = new Uint8Array(Buffer.from('秘 Confidential', 'utf16le'));
const LIMITS = { timeBudgetMs: 5000 };

/** [start, end) of a stored member's data, from its local header. */
function memberData(zip: Uint8Array, name: string): [number, number] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let p = 0; p + 30 <= zip.length && dv.getUint32(p, true) === 0x04034b50; ) {
    const size = dv.getUint32(p + 18, true);
    const nameLen = dv.getUint16(p + 26, true);
    const start = p + 30 + nameLen + dv.getUint16(p + 28, true);
    if (new TextDecoder().decode(zip.subarray(p + 30, p + 30 + nameLen)) === name) {
      expect(dv.getUint16(p + 8, true), `${name} is stored`).toBe(0);
      return [start, start + size];
    }
    p = start + size;
  }
  throw new Error(`${name} not found`);
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A small deterministic PRNG (mulberry32), so a failing mutant can be replayed. */
function rng(seedValue: number): () => number {
  let a = seedValue;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function verdictOf(b: Uint8Array) {
  const r = await scanBlob(new Blob([b as Uint8Array<ArrayBuffer>]), 'fuzz.xlsb', { limits: LIMITS });
  expect(r.verdict === 'unscannable' && r.reason).not.toBe('time-budget');
  return r;
}

describe('fuzz: xlsb record streams', () => {
  const [sheetStart, sheetEnd] = memberData(seed, 'xl/worksheets/sheet2.bin');
  const stampAt = indexOf(seed, STAMP, sheetStart);

  it('the seed is marked, and the stamp is where the exclusion below expects it', async () => {
    expect(stampAt).toBeGreaterThan(sheetStart);
    expect(stampAt + STAMP.length).toBeLessThan(sheetEnd);
    expect(await verdictOf(seed)).toMatchObject({ verdict: 'marked' });
  });

  it('byte flips in every BIFF12 part: never clean, never a crash', async () => {
    const parts = ['xl/worksheets/sheet2.bin', 'xl/workbook.bin', 'xl/worksheets/sheet1.bin'].map((n) => memberData(seed, n));
    const next = rng(1);
    let tried = 0;
    for (let i = 0; i < 400; i++) {
      const [s, e] = parts[i % 4 === 3 ? 1 + (i % 2) : 0];
      const at = s + Math.floor(next() * (e - s));
      // A flip inside the stamp's own characters rewrites the stamp: the mutant is legitimately clean.
      if (at >= stampAt && at < stampAt + STAMP.length) continue;
      const b = seed.slice();
      b[at] ^= 1 << Math.floor(next() * 8);
      const r = await verdictOf(b);
      expect(r.verdict, `flip at ${at}`).not.toBe('clean');
      tried++;
    }
    expect(tried).toBeGreaterThan(300);
  });

  it('lying record lengths (every size byte of the sheet set to 0x00, 0x7F, 0xFF): never clean', async () => {
    for (let at = sheetStart; at < sheetEnd; at++) {
      if (at >= stampAt && at < stampAt + STAMP.length) continue;
      for (const v of [0x00, 0x7f, 0xff]) {
        if (seed[at] === v) continue;
        const b = seed.slice();
        b[at] = v;
        expect((await verdictOf(b)).verdict, `byte ${at} = ${v}`).not.toBe('clean');
      }
    }
  });

  it('truncated parts (sheet cut at every record boundary and inside records): never clean', async () => {
    for (let cut = sheetStart; cut < sheetEnd; cut++) {
      const b = seed.slice();
      // The part keeps its length in the zip directory; the cut bytes become zeros (a torn write).
      b.fill(0, cut, sheetEnd);
      const r = await verdictOf(b);
      if (cut >= stampAt + STAMP.length) expect(r.verdict, `zeroed from ${cut}`).not.toBe('clean');
    }
  });

  it('the file truncated anywhere: never clean', async () => {
    for (let len = 0; len < seed.length; len += 97) expect((await verdictOf(seed.subarray(0, len))).verdict, `length ${len}`).not.toBe('clean');
  });

  it('mutants of the clean seed do not crash and never exceed the budget', async () => {
    const [s, e] = memberData(plain, 'xl/worksheets/sheet1.bin');
    const next = rng(2);
    for (let i = 0; i < 200; i++) {
      const b = plain.slice();
      b[s + Math.floor(next() * (e - s))] = Math.floor(next() * 256);
      expect(['clean', 'unscannable']).toContain((await verdictOf(b)).verdict);
    }
  });
});
