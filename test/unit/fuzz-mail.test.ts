/**
 * Mutants of marked mail (truncations, byte flips, deleted lines, lying stream sizes), with fixed
 * seeds: none may crash, run past its budget, or come back clean. The only mutants left out are
 * those that change the stamp's own bytes (in whatever encoding the seed stores it), or cut the
 * file before the stamp ends: those legitimately no longer hold a stamp. `FUZZ_SEED=n` runs
 * another deterministic set.
 *
 * Attachment contents (a docx inside the mail) are not seeds here: whether a damaged zip is
 * noticed is the zip reader's business and is fuzzed with the archives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { prng as rng } from '../support/fuzz.js';

const FIX = join(__dirname, '../fixtures/mail');
const BUDGET_MS = 3000;


const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const enc = (s: string) => new TextEncoder().encode(s);

function indexOfBytes(b: Uint8Array, needle: Uint8Array, from = 0): number {
  const s = latin1(b);
  return s.indexOf(latin1(needle), from);
}

/** The span of a part's body: after the blank line that follows the `nth` (0-based) occurrence of `marker`, up to the next boundary line. */
function partBodySpan(b: Uint8Array, marker: string, nth: number): [number, number] {
  const s = latin1(b);
  let at = -1;
  for (let k = 0; k <= nth; k++) at = s.indexOf(marker, at + 1);
  if (at < 0) throw new Error(`marker ${marker} not found`);
  const blank = /\r?\n\r?\n/.exec(s.slice(at));
  if (!blank) throw new Error('no body');
  const start = at + blank.index + blank[0].length;
  const end = s.indexOf('\n--', start);
  return [start, end < 0 ? s.length : end];
}

function spanOf(b: Uint8Array, from: string, to: string): [number, number] {
  const s = latin1(b);
  const a = s.indexOf(from);
  const e = s.indexOf(to, a);
  if (a < 0 || e < 0) throw new Error('span not found');
  return [a, e + to.length];
}

interface Seed {
  file: string;
  /** Bytes [start, end) that encode the stamp. */
  span: (b: Uint8Array) => [number, number];
}

const utf8Stamp = enc('秘 Confidential');
const utf16Stamp = new Uint8Array(new Uint16Array([...'秘 Confidential'].map((c) => c.charCodeAt(0))).buffer);

const SEEDS: Seed[] = [
  { file: 'subject-iso2022jp.eml', span: (b) => spanOf(b, 'Subject: ', '?=') },
  { file: 'html-only.eml', span: (b) => partBodySpan(b, 'Content-Transfer-Encoding: base64', 1) },
  { file: 'forwarded.eml', span: (b) => partBodySpan(b, 'Content-Transfer-Encoding: base64', 0) },
  { file: 'mht-marked.mht', span: (b) => spanOf(b, '=E7=A7=98', 'Confidential') },
  { file: 'two-messages.mbox', span: (b) => [indexOfBytes(b, utf8Stamp), indexOfBytes(b, utf8Stamp) + utf8Stamp.length] },
  {
    file: 'msg-body.msg',
    span: (b) => {
      const a = indexOfBytes(b, utf16Stamp);
      return [a, a + utf16Stamp.length];
    },
  },
];

interface Mutant {
  what: string;
  data: Uint8Array;
  /** False when the mutation touched the stamp's own bytes: any verdict is then acceptable. */
  mustNotBeClean: boolean;
}

function* mutants(seed: Uint8Array, span: [number, number], rand: () => number, n: number): Generator<Mutant> {
  const [s0, s1] = span;
  const pick = (max: number) => Math.floor(rand() * max);
  for (let i = 0; i < n; i++) {
    const len = pick(seed.length);
    yield { what: `truncate at ${len}`, data: seed.subarray(0, len), mustNotBeClean: len >= s1 };
  }
  for (let i = 0; i < n; i++) {
    const data = seed.slice();
    const at: number[] = [];
    for (let k = 0; k < 1 + pick(3); k++) {
      const p = pick(data.length);
      data[p] ^= 1 + pick(255);
      at.push(p);
    }
    yield { what: `flip at ${at.join(',')}`, data, mustNotBeClean: at.every((p) => p < s0 || p >= s1) };
  }
  for (let i = 0; i < n / 2; i++) {
    // Delete one line: a lost header, a lost boundary, a lost line of base64.
    const s = latin1(seed);
    const a = s.indexOf('\n', pick(seed.length)) + 1;
    const e = s.indexOf('\n', a) + 1;
    if (a <= 0 || e <= 0) continue;
    const data = new Uint8Array([...seed.subarray(0, a), ...seed.subarray(e)]);
    yield { what: `delete line at ${a}`, data, mustNotBeClean: e <= s0 || a >= s1 };
  }
}

/** Compound files: directory entries whose stream sizes lie (smaller, bigger, huge). */
function* lyingSizes(seed: Uint8Array, rand: () => number, n: number): Generator<Mutant> {
  if (latin1(seed.subarray(0, 4)) !== '\xd0\xcf\x11\xe0') return;
  const name = (o: number) => new TextDecoder('utf-16le').decode(seed.subarray(o, o + 64)).replace(/\0.*$/s, '');
  const entries: number[] = [];
  for (let o = 512; o + 128 <= seed.length; o += 128) if (name(o).startsWith('__')) entries.push(o);
  const dv = new DataView(seed.buffer, seed.byteOffset, seed.byteLength);
  for (let i = 0; i < n; i++) {
    const data = seed.slice();
    const o = entries[Math.floor(rand() * entries.length)];
    const before = dv.getUint32(o + 120, true);
    const choices = [0, 1, 63, 4095, 4097, before + 1, before * 2, 0x7fffffff, 0xffffffff];
    const size = choices[Math.floor(rand() * choices.length)];
    new DataView(data.buffer).setUint32(o + 120, size, true);
    // Even a size that cuts the stamp's own stream must be noticed: the property stream lists every size.
    yield { what: `size of ${name(o)} ${before} → ${size}`, data, mustNotBeClean: true };
  }
}

describe('fuzz: mutants of marked mail are never clean', () => {
  for (const [k, seed] of SEEDS.entries()) {
    it(`${seed.file}`, async () => {
      const bytes = new Uint8Array(readFileSync(join(FIX, seed.file)));
      const span = seed.span(bytes);
      expect(span[1]).toBeGreaterThan(span[0]);
      const first = await scanBlob(new Blob([bytes]), seed.file);
      expect(first.verdict).toBe('marked');
      const rand = rng(Number(process.env.FUZZ_SEED ?? 0x5eed) + k);
      const wrong: string[] = [];
      let counted = 0;
      for (const m of [...mutants(bytes, span, rand, 60), ...lyingSizes(bytes, rand, 30)]) {
        const t = performance.now();
        const r = await scanBlob(new Blob([m.data as Uint8Array<ArrayBuffer>]), seed.file, { limits: { timeBudgetMs: BUDGET_MS } });
        const ms = performance.now() - t;
        expect(ms, m.what).toBeLessThan(BUDGET_MS + 1000);
        expect(['marked', 'clean', 'unscannable']).toContain(r.verdict);
        if (m.mustNotBeClean) {
          counted++;
          if (r.verdict === 'clean') wrong.push(m.what);
        }
      }
      expect(counted).toBeGreaterThan(40);
      expect(wrong).toEqual([]);
    });
  }
});
