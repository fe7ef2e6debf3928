/** Builds ZIP archives in tests, including hostile ones (bombs, lying headers, deep nesting). */
import { zipSync, type Zippable } from 'fflate';

export function zip(files: Record<string, Uint8Array | string>, level: 0 | 6 | 9 = 6): Uint8Array<ArrayBuffer> {
  const z: Zippable = {};
  for (const [name, v] of Object.entries(files)) z[name] = [typeof v === 'string' ? new TextEncoder().encode(v) : v, { level }];
  return zipSync(z) as Uint8Array<ArrayBuffer>;
}

/** A zip nested `depth` times around a text member. */
export function nested(depth: number, text: string): Uint8Array<ArrayBuffer> {
  let inner = zip({ 'note.txt': text });
  for (let i = 1; i < depth; i++) inner = zip({ [`level${i}.zip`]: inner });
  return inner;
}

/** Rewrites the uncompressed size of every entry (local and central headers) to `size`: a lying header. */
export function lieAboutSizes(archive: Uint8Array<ArrayBuffer>, size: number): Uint8Array<ArrayBuffer> {
  const out = archive.slice();
  const dv = new DataView(out.buffer);
  for (let i = 0; i + 30 < out.length; i++) {
    const sig = dv.getUint32(i, true);
    if (sig === 0x04034b50) dv.setUint32(i + 22, size, true);
    else if (sig === 0x02014b50) dv.setUint32(i + 24, size, true);
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32) so mutated inputs are the same on every run. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
