/**
 * Raw deflate on each of the engine's three paths, under the same bomb guard: node:zlib (Node),
 * DecompressionStream('deflate-raw') (the browser's scan worker: src/detect/extract/stream-inflate.ts)
 * and fflate (a browser without that stream). Exact output; a cut, flipped, lying or bomb member is never
 * read as text; a bomb stops after its first megabytes; mutants of marked zip documents are never clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inflateRaw } from '../../src/detect/extract/inflate.js';
import { nativeInflate, useNativeInflate } from '../../src/detect/extract/native-inflate.js';
import { streamInflate, useStreamInflate } from '../../src/detect/extract/stream-inflate.js';
import { ScanError } from '../../src/detect/extract/types.js';
import { crc32 } from '../../src/detect/crc32.js';
import { testContext } from '../support/extract.js';
import { fuzz, prng } from '../support/fuzz.js';

const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const enc = (s: string) => new TextEncoder().encode(s);
async function error(p: Promise<unknown>): Promise<ScanError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScanError) return err;
    throw err;
  }
  throw new Error('expected a ScanError');
}

const PATHS = [
  { name: 'DecompressionStream', native: false, stream: true },
  { name: 'fflate', native: false, stream: false },
  { name: 'node:zlib', native: true, stream: true },
] as const;

for (const path of PATHS) {
  describe(`raw deflate through ${path.name}`, () => {
    beforeAll(() => {
      useNativeInflate(path.native);
      useStreamInflate(path.stream);
    });
    afterAll(() => {
      useNativeInflate(true);
      useStreamInflate(true);
    });

    it('is the path taken', () => {
      expect(nativeInflate()).toBe(path.native);
      expect(!nativeInflate() && streamInflate()).toBe(path.name === 'DecompressionStream');
    });

    it('exact output over many slices; cut, flipped and lying members are corrupt', async () => {
      const rand = prng(5);
      const data = enc(Array.from({ length: 30_000 }, (_, i) => `${i}: 行 ${Math.floor(rand() * 1e9)} 秘密 ${rand()}\n`).join(''));
      const raw = Uint8Array.from(deflateRawSync(data));
      expect(raw.length).toBeGreaterThan(256 * 1024);
      const opts = { name: 'big', declared: data.length, crc32: crc32(data) };
      // Compared as bytes (Buffer.compare): toEqual walks a 1.6 MB array element by element, 5-35 s of this
      // test's 60 s on a loaded machine, where it timed out.
      const out = (await inflateRaw(blob(raw), testContext(), opts)).bytes();
      expect(out.length).toBe(data.length);
      expect(Buffer.compare(out, data), 'the inflated bytes differ').toBe(0);
      expect((await error(inflateRaw(blob(raw.subarray(0, raw.length >> 1)), testContext(), opts))).reason).toBe('corrupt');
      const flipped = raw.slice();
      flipped[raw.length >> 1] ^= 0x20;
      expect((await error(inflateRaw(blob(flipped), testContext(), opts))).reason).toBe('corrupt');
      expect((await error(inflateRaw(blob(raw), testContext(), { ...opts, declared: data.length - 1 }))).reason).toBe('corrupt');
      expect((await error(inflateRaw(blob(raw), testContext(), { ...opts, crc32: opts.crc32 ^ 1 }))).reason).toBe('corrupt');
      // An empty member, and one that is not deflate at all.
      expect((await inflateRaw(blob(deflateRawSync(new Uint8Array(0))), testContext(), { name: 'e', declared: 0 })).bytes()).toEqual(new Uint8Array(0));
      expect((await error(inflateRaw(blob(Uint8Array.from([0xff, 0xff, 0xff, 0xff])), testContext(), { name: 'junk' }))).reason).toBe('corrupt');
    });

    it('a bomb stops after its first megabytes, with little output ever held', async () => {
      const bomb = deflateRawSync(new Uint8Array(256 * 1024 * 1024), { level: 9 });
      let seen = 0;
      const err = await error(inflateRaw(blob(bomb), testContext({ limits: { maxRatio: 200 } }), { name: 'zeros', sink: (c) => (seen += c.length) }));
      expect(err.reason).toBe('expansion-ratio');
      expect(seen).toBeLessThan(32 * 1024 * 1024);
    });

    it('stops at the time budget while inflating', async () => {
      const big = deflateRawSync(new Uint8Array(64 * 1024 * 1024).map((_, i) => (i * 7) & 0xff));
      const ctx = testContext({ timeBudgetMs: 1 });
      await new Promise((r) => setTimeout(r, 5));
      expect((await error(inflateRaw(blob(big), ctx, { name: 'slow' }))).reason).toBe('time-budget');
    });

    if (path.name !== 'node:zlib')
      for (const [file, n] of [
        ['calc-sheet2.xlsx', 30],
        ['writer-footnote.docx', 20],
      ] as const)
        it(`mutants of marked ${file} end marked or unscannable`, async () => {
          const seed = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/office', file)));
          const counts = await fuzz(seed, { name: file, n, seed: 13 });
          expect(counts.unscannable ?? 0).toBeGreaterThan(0);
          expect(counts.marked ?? 0).toBeGreaterThan(0);
        }, 60_000);
  });
}
