/**
 * Mutation fuzzing of the parts inside a valid package (DOCX, XLSX, PPTX, ODF, EPUB…): one part is
 * damaged — cut, an end tag dropped, a relationship id broken, removed — and the package is zipped
 * again, so the ZIP layer is sound and only the part is damaged. Every mutant of a marked seed must
 * end `marked` or `unscannable`, never `clean`, unless the mutation falls inside the stamp's own bytes.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { expect } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { prng } from './fuzz.js';

export interface PartMutant {
  part: string;
  what: string;
  /** The part's new bytes, or null: the part removed. */
  bytes: Uint8Array | null;
  /** Offset in the part where the damage starts (none for a removal). */
  at?: number;
}

const enc = new TextEncoder();
const insert = (b: Uint8Array, at: number, x: Uint8Array) => {
  const o = new Uint8Array(b.length + x.length);
  o.set(b.subarray(0, at));
  o.set(x, at);
  o.set(b.subarray(at), at + x.length);
  return o;
};
const cutOut = (b: Uint8Array, s: number, e: number) => {
  const o = new Uint8Array(b.length - (e - s));
  o.set(b.subarray(0, s));
  o.set(b.subarray(e), s);
  return o;
};

/** Byte ranges of each 秘 … Confidential in a UTF-8 part (the stamp's own bytes). */
export function stampRanges(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const text = new TextDecoder('latin1').decode(b).toLowerCase();
  for (let i = text.indexOf('\xe7\xa7\x98'); i >= 0; i = text.indexOf('\xe7\xa7\x98', i + 1)) {
    const end = text.indexOf('confidential', i);
    out.push([i, end >= 0 && end - i < 400 ? end + 12 : i + 3]);
  }
  return out;
}

/**
 * Mutants of one XML part: cut at `cuts` places (and inside the XML declaration), an end tag dropped,
 * an undefined entity, a bare &, a forbidden character reference, a NUL or bytes that are no UTF-8 inserted, a relationship id or
 * target broken, the part removed.
 */
export function* xmlPartMutants(part: string, p: Uint8Array, rnd: () => number, cuts = 3): Generator<PartMutant> {
  const pick = (k: number) => Math.floor(rnd() * k);
  yield { part, what: 'removed', bytes: null };
  // Inside or just after the declaration: the part holds no element at all.
  const decl = p.indexOf(0x3e) + 1;
  for (const c of [Math.min(decl, 22), decl]) if (c > 0 && c < p.length) yield { part, what: `cut at ${c} (its declaration)`, bytes: p.slice(0, c), at: c };
  for (let i = 0; i < cuts; i++) {
    const c = pick(p.length);
    yield { part, what: `cut at ${c}`, bytes: p.slice(0, c), at: c };
  }
  const ends: number[] = [];
  for (let i = 0; i + 1 < p.length; i++) if (p[i] === 0x3c && p[i + 1] === 0x2f) ends.push(i);
  if (ends.length) {
    const a = ends[pick(ends.length)];
    yield { part, what: `end tag at ${a} dropped`, bytes: cutOut(p, a, p.indexOf(0x3e, a) + 1), at: a };
  }
  // A broken reference or a NUL where a 秘's text ends (between it and a Confidential elsewhere: a cell
  // beside a shape, a list's label beside its paragraph), and at a place in some text.
  const textEnds = stampRanges(p)
    .slice(0, 2)
    .map(([s]) => p.indexOf(0x3c, s))
    .filter((a) => a > 0);
  const texts: number[] = [];
  for (let i = 0; i + 1 < p.length; i++) if (p[i] === 0x3e && p[i + 1] !== 0x3c) texts.push(i + 1);
  if (texts.length) textEnds.push(texts[pick(texts.length)]);
  for (const a of textEnds) {
    for (const bad of ['&bogus;', '& ', '&#xD800;', '\0']) yield { part, what: `${JSON.stringify(bad)} at ${a}`, bytes: insert(p, a, enc.encode(bad)), at: a };
    // Bytes that are no UTF-8 character: a stray byte, a sequence's lead without its continuation.
    for (const bad of [[0xff], [0xc3, 0x28]]) yield { part, what: `bytes ${bad.join(',')} at ${a}`, bytes: insert(p, a, new Uint8Array(bad)), at: a };
  }
  const text = new TextDecoder('latin1').decode(p);
  // A worksheet's shared-string cell pointing past the last string (Excel refuses the workbook), or with a NUL
  // in its type: its text, a 秘 beside a Confidential, is lost. The first few such cells, each in mutants of their own.
  if (/^xl\/worksheets\/[^/]+\.xml$/i.test(part)) {
    let n = 0;
    for (const m of text.matchAll(/<c\b[^>]*\bt="s"[^>]*>\s*<v>(\d+)<\/v>/g)) {
      if (n++ === 6) break;
      const at = m.index + m[0].length - m[1].length - 4;
      yield { part, what: `shared string ${m[1]} at ${at} made 99999`, bytes: insert(cutOut(p, at, at + m[1].length), at, enc.encode('99999')), at };
      // A NUL in its type (`t="s\0"`): no longer a shared-string cell, its index was read as a number.
      const type = m.index + m[0].indexOf('t="s"') + 4;
      yield { part, what: `NUL in the type at ${type}`, bytes: insert(p, type, new Uint8Array([0])), at: type };
    }
  }
  // A NUL in an attribute value and in a tag's name, somewhere in the part.
  const values: number[] = [];
  for (let i = 0; i + 1 < p.length; i++) if (p[i] === 0x3d && p[i + 1] === 0x22) values.push(i + 2);
  if (values.length) {
    const a = values[pick(values.length)];
    yield { part, what: `NUL in an attribute value at ${a}`, bytes: insert(p, a, new Uint8Array([0])), at: a };
  }
  // Not the root's: a flat OpenDocument file whose root is damaged has its own test (fuzz-flat-xml.test.ts).
  const tags: number[] = [];
  for (let i = 0; i + 2 < p.length; i++) if (p[i] === 0x3c && /[A-Za-z]/.test(String.fromCharCode(p[i + 1]))) tags.push(i + 2);
  tags.shift();
  if (tags.length) {
    const a = tags[pick(tags.length)];
    yield { part, what: `NUL in a tag's name at ${a}`, bytes: insert(p, a, new Uint8Array([0])), at: a };
  }
  for (const name of ['r:id="', 'Target="', 'r:embed="']) {
    const i = text.indexOf(name);
    if (i >= 0) yield { part, what: `${name}… broken`, bytes: insert(p, i + name.length, enc.encode('zz')), at: i + name.length };
  }
}

/** The package with one part replaced (or removed), zipped again in its own order. */
export function withPart(parts: Record<string, Uint8Array>, m: PartMutant): Uint8Array {
  const z: Zippable = {};
  for (const [name, bytes] of Object.entries(parts)) {
    const b = name === m.part ? m.bytes : bytes;
    // ODF's mimetype is stored, first.
    if (b) z[name] = [b, { level: name === 'mimetype' ? 0 : 6 }];
  }
  return zipSync(z);
}

const XMLISH = /\.(?:xml|rels|opf|xhtml|html?|ncx)$/i;

/**
 * Scans every mutant of every XML part of `seed` (a marked package) and asserts none is clean, except
 * a mutation inside the stamp's own bytes, or a cut before the stamp ends in the part that holds it
 * when `stampCutsClean` says such a cut leaves a whole, different document. Returns verdict counts.
 */
export async function fuzzParts(seed: Uint8Array, name: string, opts: { seed?: number; cuts?: number; only?: RegExp } = {}): Promise<Record<string, number>> {
  const original = await scanBlob(new Blob([seed as Uint8Array<ArrayBuffer>]), name);
  expect(original.verdict).toBe('marked');
  const parts = unzipSync(seed);
  const rnd = prng(opts.seed ?? 1);
  const counts: Record<string, number> = {};
  const leaks: string[] = [];
  for (const [part, bytes] of Object.entries(parts)) {
    if (!XMLISH.test(part) || (opts.only && !opts.only.test(part))) continue;
    const stamp = stampRanges(bytes);
    for (const m of xmlPartMutants(part, bytes, rnd, opts.cuts)) {
      const r = await scanBlob(new Blob([withPart(parts, m) as Uint8Array<ArrayBuffer>]), name, { limits: { timeBudgetMs: 4000 } });
      counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
      const inStamp = m.at !== undefined && stamp.some(([s, e]) => m.at! > s && m.at! < e);
      if (r.verdict === 'clean' && !inStamp) leaks.push(`${part}: ${m.what}`);
    }
  }
  expect(leaks, `mutants of marked ${name} reported clean: ${leaks.join('; ')}`).toEqual([]);
  return counts;
}
