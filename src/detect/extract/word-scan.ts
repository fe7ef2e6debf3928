/**
 * The byte search as it was before the paired kernel (pair-scan.ts): a 32-bit word scan for the needles'
 * anchor bytes. It is the search wherever WebAssembly is not available (a page's thread under a CSP
 * without 'wasm-unsafe-eval'), and the reference that test/unit/byte-scan-differential.test.ts holds
 * the kernel to: the kernel must find every occurrence this one finds.
 */
import type { Needle } from './byte-scan.js';

/**
 * Needles grouped by anchor byte: a table indexed by byte value, and the distinct anchors. `pairs`
 * is the second test a flagged anchor byte must pass before the needles are compared: bit 1 at
 * (byte before << 8 | anchor) when some needle has that byte before its anchor, bit 2 at
 * (anchor << 8 | byte after) when some needle starting at its anchor has that byte next. Bit 4 at
 * (anchor << 8) marks an anchor that is a whole needle (no neighbour to test).
 */
interface AnchorTable {
  byByte: (Needle[] | undefined)[];
  anchors: number[];
  pairs: Uint8Array;
  /** The word scan's passes: up to four byte tests each (see byteTests). */
  passes: ByteTest[][];
}

/** A word-scan test: a byte b is flagged when (b | or) === value. */
interface ByteTest {
  value: number;
  or: number;
}

/**
 * The anchors as word-scan tests, two anchors that differ in one bit sharing one test (that bit
 * forced to 1 on both sides): 0x98/0x99 (UTF-8 秘 and ㊙) and 0xE9/0xEB (Shift_JIS, EUC-JP) cost one
 * test each, so UTF-8 text with its escapes is one pass of two tests and every encoding one of four.
 */
function byteTests(anchors: readonly number[]): ByteTest[] {
  const left = [...anchors];
  const out: ByteTest[] = [];
  while (left.length > 0) {
    const a = left.shift()!;
    const k = left.findIndex((b) => {
      const d = a ^ b;
      return (d & (d - 1)) === 0;
    });
    if (k < 0) out.push({ value: a, or: 0 });
    else {
      const d = a ^ left.splice(k, 1)[0];
      out.push({ value: a | d, or: d });
    }
  }
  return out;
}

const tables = new WeakMap<readonly Needle[], AnchorTable>();

function anchorTable(needles: readonly Needle[]): AnchorTable {
  let t = tables.get(needles);
  if (!t) {
    const byByte: (Needle[] | undefined)[] = new Array(256).fill(undefined);
    const pairs = new Uint8Array(1 << 16);
    for (const nd of needles) {
      const b = nd.bytes;
      const a = b[nd.anchor];
      (byByte[a] ??= []).push(nd);
      if (nd.anchor > 0) pairs[(b[nd.anchor - 1] << 8) | a] |= 1;
      else if (b.length > 1) pairs[(a << 8) | b[1]] |= 2;
      else pairs[a << 8] |= 4;
    }
    const anchors = byByte.flatMap((g, b) => (g ? [b] : []));
    const tests = byteTests(anchors);
    const passes: ByteTest[][] = [];
    for (let k = 0; k < tests.length; k += 4) passes.push(tests.slice(k, k + 4));
    t = { byByte, anchors, pairs, passes };
    tables.set(needles, t);
  }
  return t;
}

/** Below this many bytes a word scan does not pay for its setup. */
const SHORT = 256;
const ONES = 0x01010101;
// As an int32 (negative): every operation in the word loop stays in 32-bit integers, never doubles.
const HIGHS = 0x80808080 | 0;

/**
 * Every occurrence of any of `needles` in [from, to). `hit` is called with the start offset and
 * needle; returning false stops the search. Occurrences come in order of their anchor byte's
 * position, one pass per four word tests (byteTests).
 *
 * Why a word scan: one indexOf pass per anchor byte stopped at every byte of that value, and the
 * anchors of UTF-8 秘/㊙ are continuation bytes that Japanese text is full of (す is E3 81 99). Here
 * a 32-bit word is tested for up to four byte tests at once (the zero-byte test on (w | or) ^ value),
 * and only the rare words that may hold one are looked at byte by byte, then only anchors whose
 * neighbour fits a needle (the pair table) are compared.
 */
export function findNeedlesWords(
  buf: Uint8Array,
  needles: readonly Needle[],
  from: number,
  to: number,
  hit: (at: number, nd: Needle) => boolean,
): void {
  const { byByte, anchors, pairs, passes } = anchorTable(needles);
  if (anchors.length === 0) return;
  const end = Math.min(buf.length, to + 3);
  /** Checks the needles anchored at byte q; false when `hit` asked to stop. */
  const at = (q: number): boolean => {
    const a = buf[q];
    const group = byByte[a];
    if (!group) return true;
    // The byte before or after the anchor must fit some needle: in Japanese UTF-8 the anchor bytes
    // are common continuation bytes, but the pair (A7 98 of 秘) is rare. Out-of-range neighbours
    // (undefined → 0) are only a filter miss; the comparison below decides.
    if (!(pairs[(buf[q - 1] << 8) | a] & 1) && !(pairs[(a << 8) | buf[q + 1]] & 2) && !(pairs[a << 8] & 4)) return true;
    for (let g = 0; g < group.length; g++) {
      const nd = group[g];
      const b = nd.bytes;
      const s = q - nd.anchor;
      if (s < from || s >= to || s + b.length > buf.length) continue;
      let j = 0;
      while (j < b.length && buf[s + j] === b[j]) j++;
      if (j === b.length && !hit(s, nd)) return false;
    }
    return true;
  };
  const start = Math.max(0, from - 3);
  if (end - start < SHORT) {
    for (const a of anchors) for (let q = buf.indexOf(a, start); q !== -1 && q < end; q = buf.indexOf(a, q + 1)) if (!at(q)) return;
    return;
  }
  for (const tests of passes) {
    // Only this pass's anchors: another pass reports its own (no hit twice).
    const want = new Uint8Array(256);
    for (const a of anchors) if (tests.some((t) => (a | t.or) === t.value)) want[a] = 1;
    if (!wordScan(buf, start, end, tests, want, at)) return;
  }
}

/**
 * Calls `at` for every byte in [start, end) that is one of this pass's anchors (`want`, the anchors
 * `tests` flag; one to four tests). Two loops: one to two tests (a text in one encoding) and three
 * to four (every encoding), so no pass pays for tests it does not have.
 */
function wordScan(buf: Uint8Array, start: number, end: number, tests: ByteTest[], want: Uint8Array, at: (q: number) => boolean): boolean {
  let i = start;
  for (; i < end && (buf.byteOffset + i) & 3; i++) if (want[buf[i]] && !at(i)) return false;
  const spread = (k: number, f: 'value' | 'or') => Math.imul((tests[k] ?? tests[0])[f], ONES) | 0;
  const words = new Int32Array(buf.buffer, buf.byteOffset + i, (end - i) >> 2);
  const base = i;
  const ok =
    tests.length <= 2
      ? words2(words, spread(0, 'value'), spread(0, 'or'), spread(1, 'value'), spread(1, 'or'), (p) => check(buf, base + p, want, at))
      : words4(words, [0, 1, 2, 3].map((k) => spread(k, 'value')), [0, 1, 2, 3].map((k) => spread(k, 'or')), (p) => check(buf, base + p, want, at));
  if (!ok) return false;
  for (i += words.length << 2; i < end; i++) if (want[buf[i]] && !at(i)) return false;
  return true;
}

/** The four bytes of a flagged word at p: `at` for each that is an anchor. */
function check(buf: Uint8Array, p: number, want: Uint8Array, at: (q: number) => boolean): boolean {
  if (want[buf[p]] && !at(p)) return false;
  if (want[buf[p + 1]] && !at(p + 1)) return false;
  if (want[buf[p + 2]] && !at(p + 2)) return false;
  if (want[buf[p + 3]] && !at(p + 3)) return false;
  return true;
}

// A zero byte in x (or y, z, u): that byte of w passes the test. `| 0` keeps the subtractions in
// int32 (the asm.js idiom), which the optimising compiler keeps in registers.
function words2(words: Int32Array, v0: number, o0: number, v1: number, o1: number, hit: (p: number) => boolean): boolean {
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const x = (w | o0) ^ v0;
    const y = (w | o1) ^ v1;
    if (((((x - ONES) | 0) & ~x) | (((y - ONES) | 0) & ~y)) & HIGHS && !hit(k << 2)) return false;
  }
  return true;
}

function words4(words: Int32Array, v: number[], o: number[], hit: (p: number) => boolean): boolean {
  const [v0, v1, v2, v3] = v;
  const [o0, o1, o2, o3] = o;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const x = (w | o0) ^ v0;
    const y = (w | o1) ^ v1;
    const z = (w | o2) ^ v2;
    const u = (w | o3) ^ v3;
    if (((((x - ONES) | 0) & ~x) | (((y - ONES) | 0) & ~y) | (((z - ONES) | 0) & ~z) | (((u - ONES) | 0) & ~u)) & HIGHS && !hit(k << 2)) return false;
  }
  return true;
}
