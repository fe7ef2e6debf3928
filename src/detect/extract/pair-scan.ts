/**
 * The byte search's fast path: a WebAssembly SIMD kernel that looks at 16 positions at a time for the
 * two neighbouring bytes of each needle (its anchor and the byte before it, or after it when the anchor
 * is the needle's first byte), and JavaScript that compares the whole needle at the few positions the
 * kernel names.
 *
 * Why: the word scan (word-scan.ts) tests single anchor bytes. In random or compressed bytes each of the
 * six anchors of every encoding is one byte in 256, so one word in eleven was looked at byte by byte, and
 * a 10 MB unknown binary cost about 16 ms of search in Node (28 ms in the browser). A pair of bytes is
 * one in 65,536, and the kernel's test is a handful of vector instructions per 16 bytes.
 *
 * The kernel's test (the "Teddy" method of Hyperscan and Rust's aho-corasick): each pair gets a bit (8
 * bits, pairs beyond 8 share one), and four 16-entry tables give, for the low and high half of the first
 * and second byte, the bits of the pairs that half fits. A position passes when the four tables' bits
 * for its two bytes have one in common. A pair alone in its bit passes exactly; pairs sharing a bit also
 * pass their mixtures, which the comparison then drops. Nothing that is a needle's pair can fail it, so
 * no occurrence is missed (test/unit/byte-scan-differential.test.ts, against the word scan and a plain
 * byte-by-byte search).
 *
 * Built here from its instructions (about 200 bytes), compiled once per realm; where WebAssembly or its
 * SIMD is not available (or a CSP forbids compiling it) findNeedles keeps the word scan.
 */
import type { Needle } from './byte-scan.js';

/** Positions per kernel call: the input is copied into the kernel's memory in pieces this long. */
export const PAIR_CHUNK = 16384;
const CHUNK = PAIR_CHUNK;
// Memory layout: four 16-byte tables, the positions found (one i32 each, at most one per position),
// then the input (CHUNK + 1 bytes, and 16 more that a last 16-byte load may read).
const OUT = 64;
const DATA = OUT + 4 * CHUNK;
const PAGES = Math.ceil((DATA + CHUNK + 32) / 65536);

// ------------------------------------------------------------------ the kernel's code

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
/** A signed LEB128 (i32.const), for the non-negative constants used here. */
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];

// Instructions (core, then SIMD after the 0xFD prefix).
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const tee = (l: number) => [0x22, l];
const i32 = (n: number) => [0x41, ...sleb(n)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...leb(op), ...imm];
const v128Load = (offset: number) => simd(0x00, 0, ...leb(offset)); // align 2^0: the loads are unaligned
const I32_STORE = (offset: number) => [0x36, 2, ...leb(offset)];
const [BLOCK, LOOP, IF, END, BR, BR_IF, VOID] = [0x02, 0x03, 0x04, 0x0b, 0x0c, 0x0d, 0x40];
const [I32_EQZ, I32_LT_U, I32_GE_U, I32_CTZ, I32_ADD, I32_SUB, I32_AND, I32_SHL] = [0x45, 0x49, 0x4f, 0x68, 0x6a, 0x6b, 0x71, 0x74];
const SWIZZLE = simd(0x0e);
const SPLAT8 = simd(0x0f);
const NE8 = simd(0x24);
const AND = simd(0x4e);
const ANY_TRUE = simd(0x53);
const BITMASK8 = simd(0x64);
const SHR_U8 = simd(0x6d);
const ZERO = simd(0x0c, ...new Array(16).fill(0));

/**
 * scan(n): the positions p in [0, n) of the input (at DATA) whose bytes p and p + 1 pass the tables'
 * test, written in order at OUT; returns how many.
 */
function kernelCode(): number[] {
  // Locals: 0 n (the parameter); i32 1 i, 2 count, 3 mask, 4 p; v128 5 a, 6 b, 7 hit, 8 loFirst,
  // 9 hiFirst, 10 loSecond, 11 hiSecond, 12 low nibble mask.
  const [n, i, count, mask, p, a, b, hit, lo1, hi1, lo2, hi2, nib] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const halves = (v: number, lo: number, hi: number) => [
    ...get(lo), ...get(v), ...get(nib), ...AND, ...SWIZZLE,
    ...get(hi), ...get(v), ...i32(4), ...SHR_U8, ...SWIZZLE,
    ...AND,
  ];
  const body = [
    ...[lo1, hi1, lo2, hi2].flatMap((t, k) => [...i32(0), ...v128Load(16 * k), ...set(t)]),
    ...i32(15), ...SPLAT8, ...set(nib),
    BLOCK, VOID,
    LOOP, VOID,
    ...get(i), ...get(n), I32_GE_U, BR_IF, 1,
    ...get(i), ...v128Load(DATA), ...set(a),
    ...get(i), ...v128Load(DATA + 1), ...set(b),
    ...halves(a, lo1, hi1), ...halves(b, lo2, hi2), ...AND, ...tee(hit),
    ...ANY_TRUE,
    IF, VOID,
    ...get(hit), ...ZERO, ...NE8, ...BITMASK8, ...set(mask),
    BLOCK, VOID,
    LOOP, VOID,
    ...get(mask), I32_EQZ, BR_IF, 1,
    ...get(i), ...get(mask), I32_CTZ, I32_ADD, ...tee(p),
    ...get(n), I32_LT_U,
    IF, VOID,
    ...get(count), ...i32(2), I32_SHL, ...get(p), ...I32_STORE(OUT),
    ...get(count), ...i32(1), I32_ADD, ...set(count),
    END,
    ...get(mask), ...get(mask), ...i32(1), I32_SUB, I32_AND, ...set(mask),
    BR, 0,
    END,
    END,
    END,
    ...get(i), ...i32(16), I32_ADD, ...set(i),
    BR, 0,
    END,
    END,
    ...get(count),
    END,
  ];
  const locals = vec([
    [4, 0x7f],
    [8, 0x7b],
  ]);
  const fn = [...locals, ...body];
  return [...leb(fn.length), ...fn];
}

/** The module: one memory ("m") and one function ("s"). */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  const utf8 = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 1, 0x7f, 1, 0x7f]])), // (i32) -> i32
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, ...leb(PAGES)]])),
    ...section(7, vec([[...utf8('m'), 0x02, 0], [...utf8('s'), 0x00, 0]])),
    ...section(10, vec([kernelCode()])),
  ]);
}

interface Kernel {
  heap: Uint8Array;
  found: Int32Array;
  scan: (n: number) => number;
}

let kernel: Kernel | null | undefined;

/** The compiled kernel, or null where it cannot run here (then the word scan is used). */
function theKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    if (typeof WebAssembly !== 'object') return null;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(kernelModuleBytes()));
    const mem = inst.exports.m as WebAssembly.Memory;
    kernel = {
      heap: new Uint8Array(mem.buffer),
      found: new Int32Array(mem.buffer, OUT, CHUNK),
      scan: inst.exports.s as (n: number) => number,
    };
  } catch {
    kernel = null; // no WebAssembly SIMD, or a CSP without 'wasm-unsafe-eval'
  }
  return kernel;
}

/** Whether the kernel runs in this realm (tests check that it is the one they exercise). */
export function pairKernelAvailable(): boolean {
  return theKernel() !== null;
}

// ------------------------------------------------------------------ needles as pairs

interface PairNeedle {
  nd: Needle;
  /** The pair's offset in the needle. */
  k: number;
  /** Position in the needle list: hits at one anchor position come in this order. */
  index: number;
}

interface PairPlan {
  tables: Uint8Array;
  /** (first << 8 | second) → the needles with that pair. */
  byPair: Map<number, PairNeedle[]>;
  /** Largest pair offset: a needle starting before `to` has its pair before to + maxK. */
  maxK: number;
}

const plans = new WeakMap<readonly Needle[], PairPlan | null>();

/** The needles' pairs and the kernel's tables; null when a needle has a single byte (no pair). */
function planFor(needles: readonly Needle[]): PairPlan | null {
  let plan = plans.get(needles);
  if (plan !== undefined) return plan;
  plan = null;
  if (needles.every((nd) => nd.bytes.length >= 2)) {
    const byPair = new Map<number, PairNeedle[]>();
    let maxK = 0;
    needles.forEach((nd, index) => {
      const k = nd.anchor > 0 ? nd.anchor - 1 : 0;
      maxK = Math.max(maxK, k);
      const key = (nd.bytes[k] << 8) | nd.bytes[k + 1];
      let list = byPair.get(key);
      if (!list) byPair.set(key, (list = []));
      list.push({ nd, k, index });
    });
    plan = { tables: tablesFor([...byPair.keys()]), byPair, maxK };
  }
  plans.set(needles, plan);
  return plan;
}

/** Nibble sets of the pairs sharing one bit: [low first, high first, low second, high second]. */
type Bucket = [Set<number>, Set<number>, Set<number>, Set<number>];

/**
 * The four tables. With more than 8 pairs, the two groups whose union lets through the fewest byte
 * pairs share a bit (each table entry is one byte: 8 bits).
 */
function tablesFor(pairs: number[]): Uint8Array {
  let buckets: Bucket[] = pairs.map((pq) => [new Set([pq >> 8 & 15]), new Set([pq >> 12]), new Set([pq & 15]), new Set([pq >> 4 & 15])]);
  const union = (x: Bucket, y: Bucket): Bucket => x.map((s, j) => new Set([...s, ...y[j]])) as Bucket;
  const passes = (x: Bucket) => x.reduce((m, s) => m * s.size, 1);
  while (buckets.length > 8) {
    let best: [number, number, number] = [0, 1, Infinity];
    for (let x = 0; x < buckets.length; x++)
      for (let y = x + 1; y < buckets.length; y++) {
        const cost = passes(union(buckets[x], buckets[y]));
        if (cost < best[2]) best = [x, y, cost];
      }
    const merged = union(buckets[best[0]], buckets[best[1]]);
    buckets = [...buckets.filter((_, j) => j !== best[0] && j !== best[1]), merged];
  }
  const tables = new Uint8Array(64);
  buckets.forEach((bucket, bit) => bucket.forEach((nibbles, t) => nibbles.forEach((v) => (tables[16 * t + v] |= 1 << bit))));
  return tables;
}

// ------------------------------------------------------------------ the search

interface Hit {
  /** Anchor position: hits are reported in its order (then the needle list's), as the word scan did. */
  a: number;
  index: number;
  s: number;
  nd: Needle;
}

const byAnchor = (x: Hit, y: Hit) => x.a - y.a || x.index - y.index;

/**
 * findNeedles through the kernel: every occurrence of any of `needles` starting in [from, to) (and
 * ending within `buf`), in order of anchor position. Returns false, having called nothing, when the
 * kernel cannot do this search (no kernel here, or a needle of one byte): the caller uses the word scan.
 */
export function findNeedlesPaired(
  buf: Uint8Array,
  needles: readonly Needle[],
  from: number,
  to: number,
  hit: (at: number, nd: Needle) => boolean,
): boolean {
  const kern = theKernel();
  const plan = kern && planFor(needles);
  if (!kern || !plan) return false;
  const { heap, found, scan } = kern;
  heap.set(plan.tables, 0); // the memory is shared by every plan
  const start = Math.max(0, from);
  const end = Math.min(buf.length - 1, to + plan.maxK); // pair positions; the second byte is inside buf
  let pending: Hit[] = [];
  for (let pos = start; pos < end; pos += CHUNK) {
    const n = Math.min(CHUNK, end - pos);
    heap.set(buf.subarray(pos, pos + n + 1), DATA);
    const count = scan(n);
    for (let j = 0; j < count; j++) {
      const c = pos + found[j];
      const group = plan.byPair.get((buf[c] << 8) | buf[c + 1]);
      if (!group) continue; // a mixture of pairs sharing a bit
      for (const { nd, k, index } of group) {
        const s = c - k;
        const b = nd.bytes;
        if (s < from || s >= to || s + b.length > buf.length) continue;
        let q = 0;
        while (q < b.length && buf[s + q] === b[q]) q++;
        if (q === b.length) pending.push({ a: s + nd.anchor, index, s, nd });
      }
    }
    if (pending.length === 0) continue;
    // An anchor is the pair's first or second byte: one at pos + n may still have a hit of an earlier
    // needle in the next piece, so it waits.
    const last = pos + n >= end;
    pending.sort(byAnchor);
    let e = 0;
    for (; e < pending.length && (last || pending[e].a < pos + n); e++) if (!hit(pending[e].s, pending[e].nd)) return true;
    pending = pending.slice(e);
  }
  for (const h of pending.sort(byAnchor)) if (!hit(h.s, h.nd)) return true;
  return true;
}
