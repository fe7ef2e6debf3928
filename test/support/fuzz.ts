/**
 * Deterministic mutation fuzzing of whole scans: truncations, byte flips, lying lengths and
 * format-specific cycles of a seed file, each scanned by the real engine (scanBlob). A mutant
 * must end with a verdict within the time budget, and a mutant of a marked seed must end
 * `marked` or `unscannable`, never `clean` — except where a format without checksums lets a
 * mutation change the document itself (see `exclude`).
 */
import { expect } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import type { ScanResult } from '../../src/detect/types.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same mutants on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface Mutant {
  what: string;
  bytes: Uint8Array;
  /** Offsets changed (empty for a truncation). */
  at: number[];
  /** Length kept, for a truncation. */
  cut?: number;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xfffe, 0xffff, 0x7fffffff, 0xfffffffe, 0xffffffff];

/** `n` mutants of each kind: truncation, one-byte flip, a 32-bit field overwritten with an edge value. */
export function* mutants(seed: Uint8Array, n: number, rnd: () => number): Generator<Mutant> {
  const pick = (k: number) => Math.floor(rnd() * k);
  for (let i = 0; i < n; i++) {
    const cut = pick(seed.length);
    yield { what: `truncated to ${cut} bytes`, bytes: seed.slice(0, cut), at: [], cut };
  }
  for (let i = 0; i < n; i++) {
    const b = seed.slice();
    const at = pick(b.length);
    b[at] ^= 1 + pick(255);
    yield { what: `byte ${at} flipped`, bytes: b, at: [at] };
  }
  for (let i = 0; i < n; i++) {
    const b = seed.slice();
    const at = pick(Math.max(1, b.length - 4));
    const v = INTERESTING[pick(INTERESTING.length)];
    new DataView(b.buffer).setUint32(at, v, true);
    yield { what: `u32 at ${at} set to ${v}`, bytes: b, at: [at, at + 1, at + 2, at + 3] };
  }
}

/** Byte ranges [start, end) of every occurrence of `needle` in `hay`. */
export function rangesOf(hay: Uint8Array, needle: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = hay.indexOf(needle[0]); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(needle[0], i + 1)) {
    let j = 0;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) out.push([i, i + needle.length]);
  }
  return out;
}

export interface FuzzOptions {
  name: string;
  /** Mutants per kind. */
  n?: number;
  seed?: number;
  /** Offsets where a mutation may legitimately unmark the document (say why at the call site). */
  exclude?: (at: number) => boolean;
  /** Truncations that legitimately leave a complete, different document (say why at the call site). */
  excludeCut?: (length: number) => boolean;
  /** Extra mutants (cycles, format-specific lying lengths). */
  extra?: Mutant[];
  timeBudgetMs?: number;
}

/**
 * Scans every mutant of `seed`; returns the verdict counts. Asserts: no scan takes longer than
 * its budget (plus slack), and — when the seed is marked — no mutant outside `exclude` is clean.
 */
export async function fuzz(seed: Uint8Array, opts: FuzzOptions): Promise<Record<string, number>> {
  const budget = opts.timeBudgetMs ?? 2000;
  const original = await scanBlob(new Blob([seed as Uint8Array<ArrayBuffer>]), opts.name);
  const marked = original.verdict === 'marked';
  const counts: Record<string, number> = {};
  const all = [...mutants(seed, opts.n ?? 40, prng(opts.seed ?? 1)), ...(opts.extra ?? [])];
  const leaks: string[] = [];
  for (const m of all) {
    const t = performance.now();
    const r: ScanResult = await scanBlob(new Blob([m.bytes as Uint8Array<ArrayBuffer>]), opts.name, { limits: { timeBudgetMs: budget } });
    const ms = performance.now() - t;
    counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    expect(['marked', 'clean', 'unscannable']).toContain(r.verdict);
    expect(ms, `${m.what}: ${ms.toFixed(0)} ms`).toBeLessThan(budget + 1500);
    // A 0-byte file holds nothing to read: its verdict is the empty-file rule's, not this test's.
    const excused =
      m.bytes.length === 0 || (m.at.length > 0 && m.at.some((a) => opts.exclude?.(a))) || (m.cut !== undefined && !!opts.excludeCut?.(m.cut));
    if (marked && r.verdict === 'clean' && !excused) leaks.push(m.what);
  }
  expect(leaks, `mutants of marked ${opts.name} reported clean: ${leaks.join("; ")}`).toEqual([]);
  return counts;
}
