/**
 * The byte search's SIMD pair kernel (src/detect/extract/pair-scan.ts) against the word scan it replaced
 * (word-scan.ts) and a plain byte-by-byte search: on random bytes, on bytes made only of the needles'
 * own bytes (every partial match and every mixture of pairs sharing a kernel bit), with each needle at
 * every offset around the kernel's piece boundaries and the searched range's edges, on unaligned views,
 * and when the caller stops early. The kernel must find exactly what the plain search finds, so it
 * can never miss what the word scan found.
 */
import { describe, expect, it } from 'vitest';
import { ALL_NEEDLES, NEEDLES, findNeedles, syncStart, windowsFor, type Needle } from '../../src/detect/extract/byte-scan.js';
import { PAIR_CHUNK, pairKernelAvailable } from '../../src/detect/extract/pair-scan.js';
import { findNeedlesWords } from '../../src/detect/extract/word-scan.js';
import { prng } from '../support/fuzz.js';

const ascii = (s: string, anchor: number): Needle => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor, wide: false });
/** As the callers build them: text.ts (escapes, and every encoding of ASCII-looking text), xml-text.ts, xlsx-rows.ts. */
const ESCAPED = ['\\u79d8', '\\u79D8', '\\u3299'].map((s) => ascii(s, 0));
const NEEDLE_SETS: Record<string, Needle[]> = {
  all: ALL_NEEDLES,
  'all + escapes': [...ALL_NEEDLES, ...ESCAPED],
  ...Object.fromEntries(Object.entries(NEEDLES).map(([enc, list]) => [enc, list])),
  'utf-8 + escapes': [...NEEDLES['utf-8'], ...ESCAPED],
  mixed: [...NEEDLES['utf-8'], ...NEEDLES.shift_jis, ...NEEDLES['euc-jp'], ...NEEDLES['iso-2022-jp'], ...ESCAPED],
  escapes: ESCAPED,
  markup: [...NEEDLES['utf-8'], { bytes: Uint8Array.from([0x26, 0x23]), enc: 'utf-8', anchor: 1 }],
  mergeCell: [ascii('mergeCell', 5)],
};

type Found = [start: number, needle: number][];

/** Every needle starting in [from, to) and ending in buf, by anchor position, then list order. */
function plain(buf: Uint8Array, needles: Needle[], from: number, to: number): Found {
  const out: [number, number, number][] = [];
  needles.forEach((nd, i) => {
    const b = nd.bytes;
    for (let s = buf.indexOf(b[0], Math.max(0, from)); s !== -1 && s < to; s = buf.indexOf(b[0], s + 1)) {
      let j = 1;
      while (j < b.length && buf[s + j] === b[j]) j++;
      if (j === b.length) out.push([s + nd.anchor, i, s]);
    }
  });
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, i, s]) => [s, i]);
}

type Search = typeof findNeedles;
function run(search: Search, buf: Uint8Array, needles: Needle[], from: number, to: number, max = Infinity): Found {
  const out: Found = [];
  search(buf, needles, from, to, (at, nd) => {
    out.push([at, needles.indexOf(nd)]);
    return out.length < max;
  });
  return out;
}

const sorted = (f: Found) => [...f].sort((x, y) => x[0] - y[0] || x[1] - y[1]);


function randomBytes(n: number, r: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

/** Bytes drawn from the needles' own bytes: partial matches, overlaps and kernel-bit mixtures everywhere. */
function needleSoup(n: number, needles: Needle[], r: () => number): Uint8Array {
  const alphabet = [...new Set(needles.flatMap((nd) => [...nd.bytes]))];
  const b = new Uint8Array(n);
  for (let i = 0; i < n; ) {
    if (r() < 0.3) {
      const nd = needles[(r() * needles.length) | 0].bytes;
      for (let j = 0; j < nd.length && i < n; j++) b[i++] = nd[j];
    } else b[i++] = alphabet[(r() * alphabet.length) | 0];
  }
  return b;
}

/** The kernel finds exactly what the plain search finds, and everything the word scan found. */
function agree(buf: Uint8Array, needles: Needle[], from: number, to: number, what: string): void {
  const want = plain(buf, needles, from, to);
  const got = run(findNeedles, buf, needles, from, to);
  expect(got, what).toEqual(want);
  const old = run(findNeedlesWords, buf, needles, from, to);
  const gotSet = new Set(got.map((f) => f.join()));
  expect(old.filter((f) => !gotSet.has(f.join())), `${what}: found by the word scan only`).toEqual([]);
  // The callers' needles anchor within 3 bytes of the start: there both searches find the same.
  if (needles.every((nd) => nd.anchor <= 3)) expect(sorted(old), `${what}: word scan`).toEqual(sorted(want));
}

describe('byte search: the SIMD pair kernel against the word scan', () => {
  it('runs here (so these cases test the kernel, not the fallback)', () => {
    expect(pairKernelAvailable()).toBe(true);
  });

  for (const [name, needles] of Object.entries(NEEDLE_SETS)) {
    it(`${name}: random bytes and needle soup, several pieces long, whole and in parts`, () => {
      const r = prng(name.length * 7919 + 1);
      for (let round = 0; round < 6; round++) {
        const n = 3 * PAIR_CHUNK + ((r() * 300) | 0);
        const buf = round % 2 ? randomBytes(n, r) : needleSoup(n, needles, r);
        agree(buf, needles, 0, buf.length, `${name} round ${round} whole`);
        const from = (r() * PAIR_CHUNK) | 0;
        const to = from + ((r() * 2 * PAIR_CHUNK) | 0);
        agree(buf, needles, from, to, `${name} round ${round} [${from}, ${to})`);
        // An unaligned view (the word scan aligns its words to the buffer).
        const view = buf.subarray(1 + round);
        agree(view, needles, 3, view.length - 5, `${name} round ${round} view`);
      }
    });

    it(`${name}: each needle at every offset around piece boundaries and range edges`, () => {
      const r = prng(name.length * 104729 + 3);
      const n = 2 * PAIR_CHUNK + 64;
      const from = 40;
      const to = n - 40;
      const spots = [
        ...Array.from({ length: 24 }, (_, i) => i), // start of the buffer
        ...Array.from({ length: 24 }, (_, i) => from - 12 + i),
        ...Array.from({ length: 24 }, (_, i) => from + PAIR_CHUNK - 12 + i), // the kernel's pieces start at `from`
        ...Array.from({ length: 24 }, (_, i) => PAIR_CHUNK - 12 + i),
        ...Array.from({ length: 24 }, (_, i) => from + 2 * PAIR_CHUNK - 24 + i),
        ...Array.from({ length: 24 }, (_, i) => to - 12 + i),
        ...Array.from({ length: 14 }, (_, i) => n - 14 + i), // the end of the buffer
      ];
      const base = randomBytes(n, r);
      for (const nd of needles)
        for (const at of spots) {
          const buf = base.slice();
          buf.set(nd.bytes.subarray(0, Math.max(0, Math.min(nd.bytes.length, n - at))), at);
          agree(buf, needles, from, to, `${name} ${[...nd.bytes].map((b) => b.toString(16)).join(' ')} at ${at}`);
          agree(buf, needles, 0, n, `${name} ${[...nd.bytes].map((b) => b.toString(16)).join(' ')} at ${at}, whole`);
        }
    });

    it(`${name}: a small buffer, each needle at every offset, overlapping a copy of itself`, () => {
      for (const nd of needles)
        for (let at = 0; at < 40; at++) {
          const buf = new Uint8Array(40);
          buf.set(nd.bytes.subarray(0, Math.min(nd.bytes.length, 40 - at)), at);
          const twice = Math.min(40, at + 1);
          if (twice < 40) buf.set(nd.bytes.subarray(0, Math.min(nd.bytes.length, 40 - twice)), twice);
          for (const [from, to] of [[0, 40], [at, at + 1], [at + 1, 40], [0, at]]) agree(buf, needles, from, to, `${name} at ${at} [${from}, ${to})`);
        }
    });
  }

  it('stops when the caller says so, after the same hits in the same order', () => {
    const r = prng(42);
    const needles = ALL_NEEDLES;
    const buf = needleSoup(3 * PAIR_CHUNK, needles, r);
    const all = plain(buf, needles, 0, buf.length);
    expect(all.length).toBeGreaterThan(1000);
    for (const max of [1, 2, 17, 500, all.length - 1]) expect(run(findNeedles, buf, needles, 0, buf.length, max)).toEqual(all.slice(0, max));
  });

  it('reports two needles anchored at one byte in list order, also across a piece boundary', () => {
    // UTF-16BE ㊙ (32 99) and UTF-16LE ㊙ (99 32) share their anchor 99 in 32 99 32: the kernel finds the
    // first by the pair before the anchor, the second by the pair from it, so the two may fall in
    // different pieces; the little-endian one comes first in the list. Likewise UTF-8 ㊙ (E3 8A 99).
    for (const bytes of [[0x32, 0x99, 0x32], [0xe3, 0x8a, 0x99, 0x32]])
      for (let at = PAIR_CHUNK - 4; at < PAIR_CHUNK + 4; at++) {
        const buf = new Uint8Array(2 * PAIR_CHUNK);
        buf.set(bytes, at - bytes.indexOf(0x99));
        const found = run(findNeedles, buf, ALL_NEEDLES, 0, buf.length);
        expect(found, `${bytes} anchored at ${at}`).toEqual(plain(buf, ALL_NEEDLES, 0, buf.length));
        expect(found.length).toBe(2);
      }
  });

  it('finds 秘 in UTF-16 where the little- and big-endian pairs overlap (D8 79 D8 79)', () => {
    const buf = Uint8Array.from([0, 0xd8, 0x79, 0xd8, 0x79, 0xd8, 0]);
    expect(run(findNeedles, buf, ALL_NEEDLES, 0, buf.length)).toEqual(plain(buf, ALL_NEEDLES, 0, buf.length));
    expect(run(findNeedles, buf, ALL_NEEDLES, 0, buf.length).length).toBe(4);
  });
});

describe('ISO-2022-JP windows start at the last escape before their hit', () => {
  const iso = NEEDLES['iso-2022-jp'];
  /** The last ESC before `at`, by a plain walk back. */
  const lastEsc = (buf: Uint8Array, at: number) => {
    let i = at - 1;
    while (i >= 0 && buf[i] !== 0x1b) i--;
    return i;
  };
  it('in random bytes with an ESC every few hundred bytes and 「Hk」 planted, escapes near and far', () => {
    for (const seed of [1, 2, 3]) {
      const r = prng(seed);
      const buf = randomBytes(300_000, r);
      // Long stretches without ESC (the escape far behind the hit), then stretches with many.
      for (let i = 0; i < buf.length; i++) if (buf[i] === 0x1b && (i >> 16) % 2 === 1) buf[i] = 0;
      for (let k = 0; k < 100; k++) {
        const p = (r() * (buf.length - 8)) | 0;
        if (r() < 0.5) buf.set([0x1b, 0x24, 0x42, 0x48, 0x6b], p);
        else buf.set([0x48, 0x6b], p);
      }
      const ws = windowsFor(buf, iso, 0, buf.length);
      expect(ws.length, `seed ${seed}`).toBeGreaterThan(30);
      for (const w of ws) expect(w.start, `seed ${seed}, hit ${w.hit}`).toBe(syncStart(buf, w.hit, 'iso-2022-jp', 0, lastEsc(buf, w.hit)));
      // Every hit the plain search finds that could start a window (an ESC $ B within reach) is in one.
      const found = plain(buf, iso, 0, buf.length).map(([s]) => s);
      for (const at of found) {
        if (syncStart(buf, at, 'iso-2022-jp', 0, lastEsc(buf, at)) < 0) continue;
        expect(ws.some((w) => w.start <= at && at < w.end), `seed ${seed}, hit ${at}`).toBe(true);
      }
    }
  });
  it('without any ESC in the buffer, 「Hk」 is English: no window, and no hit counted against the allowance', () => {
    const enc = new TextEncoder();
    const text = enc.encode(`${'Hk Hk '.repeat(50)} 秘 Confidential ${'Hk '.repeat(50)}`);
    const needles = [...NEEDLES['utf-8'], ...iso];
    const ws = windowsFor(text, needles, 0, text.length, { maxHits: 1 });
    expect(ws.map((w) => w.enc)).toEqual(['utf-8']);
    // One ESC anywhere (here after every 「Hk」) and they are hits again, each before the allowance runs out.
    const withEsc = new Uint8Array([...text, 0x1b]);
    expect(windowsFor(withEsc, needles, 0, withEsc.length, { maxHits: 1 })).toEqual([]);
  });
  it('an escape 64 KiB before the hit is reached, one byte further is not', () => {
    for (const [gap, want] of [[64 * 1024, 1], [64 * 1024 + 1, 0]] as const) {
      const buf = new Uint8Array(70_000).fill(0x20);
      buf.set([0x1b, 0x24, 0x42], 10);
      buf.set([0x48, 0x6b], 10 + gap);
      expect(windowsFor(buf, iso, 0, buf.length).length, `gap ${gap}`).toBe(want);
    }
  });
});
