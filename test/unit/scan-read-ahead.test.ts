/**
 * The scan worker's read-ahead (extension/scan/read-ahead.ts): the engine's slice reads are served from
 * one stream of the file, with the same bytes as the real reads, within a memory bound, and a file that
 * cannot be read still fails the scan.
 */
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countReads } from '../../extension/scan/progress.js';
import { HEAD_READ, SPLIT_ABOVE, readAhead } from '../../extension/scan/read-ahead.js';
import { scanBlob } from '../../src/detect/index.js';
import { RANGE_READ, readRange } from '../../src/detect/range-read.js';

const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 7 + (i >> 8)) & 255);
const realReads = () => vi.spyOn(Blob.prototype, 'arrayBuffer');
/** A Blob whose stream comes in chunks of `part` bytes, as a browser's does (Node's streams one chunk per part). */
const inParts = (data: Uint8Array<ArrayBuffer>, part: number) => new Blob(Array.from({ length: Math.ceil(data.length / part) }, (_, i) => data.subarray(i * part, (i + 1) * part)));
const same = (a: ArrayBuffer | Uint8Array, b: Uint8Array) => Buffer.from(a instanceof Uint8Array ? a : new Uint8Array(a)).equals(b);

afterEach(() => vi.restoreAllMocks());

describe('readAhead', () => {
  it('serves every kind of slice with the real bytes, a forward scan without a single slice read of its own', async () => {
    const data = bytes(300_000);
    const ahead = readAhead(inParts(data, 64 << 10));
    const spy = realReads();
    const b = ahead.blob;
    const got = async (x: Blob) => new Uint8Array(await x.arrayBuffer());
    expect(await got(b.slice(0, 10))).toEqual(data.slice(0, 10));
    expect(await got(b.slice(-1000))).toEqual(data.slice(-1000));
    expect(await got(b.slice(5000, -5000).slice(100, 200))).toEqual(data.slice(5100, 5200));
    expect(await b.slice(10, 20).bytes()).toEqual(data.slice(10, 20));
    expect(await got(b.slice(200, 100))).toEqual(new Uint8Array(0));
    expect(same(await got(b), data)).toBe(true);
    expect(spy).not.toHaveBeenCalled();
    ahead.close();
    // Closed: the real read, the same bytes.
    expect(await got(b.slice(7, 9))).toEqual(data.slice(7, 9));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('keeps at most its bound: a forward scan lets the front go, an earlier read is read for real', async () => {
    const data = bytes(1 << 20);
    const ahead = readAhead(inParts(data, 32 << 10), 128 << 10);
    const spy = realReads();
    const step = 16 << 10;
    for (let at = 0; at < data.length; at += step) {
      const from = Math.max(0, at - 100); // overlapping slices, as the engine reads them
      expect(same(await ahead.blob.slice(from, at + step).arrayBuffer(), data.subarray(from, at + step))).toBe(true);
    }
    expect(spy).not.toHaveBeenCalled();
    expect(same(await ahead.blob.slice(0, 64).arrayBuffer(), data.subarray(0, 64))).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    ahead.close();
  });

  it('gives the same verdicts as the plain file, with progress counted on top', async () => {
    const text = '来週の定例は水曜。部品の納期を確認します。\n'.repeat(60_000);
    for (const [content, verdict] of [[text + '秘 Confidential\n', 'marked'], [text, 'clean']] as const) {
      const ahead = readAhead(new Blob([content]), 256 << 10);
      const seen: number[] = [];
      const counted = countReads(ahead.blob, (n) => seen.push(n));
      const [a, b] = await Promise.all([scanBlob(new Blob([content]), 'memo.txt'), scanBlob(counted, 'memo.txt')]);
      ahead.close();
      expect(b.verdict).toBe(verdict);
      expect({ ...b, ms: 0 }).toEqual({ ...a, ms: 0 });
      expect(seen.at(-1)).toBe(counted.size);
    }
  });

  it('gives the engine its forward reads by range: the real bytes, no slice of the Blob, no copy within one chunk, counted', async () => {
    const data = bytes(1 << 20);
    const ahead = readAhead(inParts(data, 64 << 10));
    let counted = 0;
    const blob = countReads(ahead.blob, (n) => (counted = n));
    expect(RANGE_READ in blob).toBe(true);
    const slice = vi.spyOn(Blob.prototype, 'slice');
    const reads = realReads();
    const within = await readRange(blob, 70_000, 130_000); // inside the second 64 KiB chunk
    expect(within).toEqual(data.subarray(70_000, 130_000));
    expect(within.buffer.byteLength).toBeGreaterThan(within.byteLength); // a view, not a copy
    const across = await readRange(blob, 100, 300_000); // over five chunks
    expect(same(across, data.subarray(100, 300_000))).toBe(true);
    expect(same(await readRange(blob, 0, data.length), data)).toBe(true);
    expect(slice).not.toHaveBeenCalled();
    expect(reads).not.toHaveBeenCalled();
    expect(counted).toBe(data.length);
    // A slice of it reads by range too, from its own start.
    expect(await readRange(blob.slice(1000, 2000), 10, 20)).toEqual(data.subarray(1010, 1020));
    ahead.close();
    // Closed: the real read, the same bytes.
    expect(await readRange(blob, 5, 9)).toEqual(data.subarray(5, 9));
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('a scan of a large text slices the file no more than to find its type', async () => {
    const text = '来週の定例は水曜。部品の納期を確認します。\n'.repeat(150_000); // 9.5 MB: 19 of the engine's slices
    const ahead = readAhead(inParts(new TextEncoder().encode(text + '秘 Confidential\n'), 1 << 20));
    const slice = vi.spyOn(Blob.prototype, 'slice');
    const r = await scanBlob(ahead.blob, 'memo.txt');
    ahead.close();
    expect(r.verdict).toBe('marked');
    expect(slice.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('reads a file within a picture\'s head in one read of the whole, with no slice: a picture is searched for an archive after it (its first 8 MiB, its end) in the bytes read', async () => {
    const photo = new Uint8Array(3 << 20);
    photo.set([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
    const reads = realReads();
    const slice = vi.spyOn(Blob.prototype, 'slice');
    const ahead = readAhead(new Blob([photo]));
    const r = await scanBlob(ahead.blob, '現場写真.jpg');
    ahead.close();
    expect(r).toMatchObject({ verdict: 'clean', format: 'image' });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(slice).not.toHaveBeenCalled();
  });

  it('a file up to twice a picture\'s head (a 10 MB text, a 10 MB picture) is read in one read, with no slice: two cost more in the browser', async () => {
    for (const [content, name] of [[new TextEncoder().encode('来週の定例は水曜。部品の納期を確認します。\n'.repeat(160_000)), 'メモ.txt'], [new Uint8Array(10_000_000), '現場写真.jpg']] as const) {
      if (name.endsWith('.jpg')) content.set([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
      expect(content.length).toBeGreaterThan(HEAD_READ);
      expect(content.length).toBeLessThanOrEqual(SPLIT_ABOVE);
      const reads = realReads();
      const slice = vi.spyOn(Blob.prototype, 'slice');
      const ahead = readAhead(new Blob([content]));
      const r = await scanBlob(ahead.blob, name);
      ahead.close();
      expect(r.verdict).toBe('clean');
      expect(reads.mock.contexts.map((b) => (b as Blob).size)).toEqual([content.length]);
      expect(slice).not.toHaveBeenCalled();
      vi.restoreAllMocks();
    }
  });

  it('a larger picture is decided on its head (8 MiB) and its end, without waiting for the rest', async () => {
    const photo = new Uint8Array(SPLIT_ABOVE + (4 << 20));
    photo.set([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
    const real = Blob.prototype.arrayBuffer;
    vi.spyOn(Blob.prototype, 'arrayBuffer').mockImplementation(function (this: Blob) {
      return this.size === photo.length - HEAD_READ ? new Promise<ArrayBuffer>(() => undefined) : real.call(this);
    });
    const ahead = readAhead(new Blob([photo]));
    const r = await scanBlob(ahead.blob, '現場写真.jpg');
    ahead.close();
    expect(r).toMatchObject({ verdict: 'clean', format: 'image' });
  });

  it('a picture whose bytes never arrive is not decided clean (its first 8 MiB are searched for a 7z or RAR start)', async () => {
    const photo = new Uint8Array(3 << 20);
    photo.set([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
    const real = Blob.prototype.arrayBuffer;
    vi.spyOn(Blob.prototype, 'arrayBuffer').mockImplementation(function (this: Blob) {
      return this.size === photo.length ? new Promise<ArrayBuffer>(() => undefined) : real.call(this);
    });
    const ahead = readAhead(new Blob([photo]));
    const settled = await Promise.race([scanBlob(ahead.blob, '現場写真.jpg').then(() => 'decided'), new Promise((ok) => setTimeout(() => ok('waiting'), 500))]);
    ahead.close();
    expect(settled).toBe('waiting');
  });

  it('one read or two give the same verdicts as the plain file, a marking in the head, in the rest, or across the two', async () => {
    const stamp = '秘 Confidential\n';
    const line = '来週の定例は水曜。部品の納期を確認します。\n'.repeat(20_000); // 1.3 MB: one read
    const filler = 'x'.repeat(HEAD_READ - 3); // the stamp across the head's end: two reads once the file is over SPLIT_ABOVE
    const more = line.repeat(Math.ceil((SPLIT_ABOVE - HEAD_READ) / new Blob([line]).size) + 1);
    for (const [content, parts] of [[stamp + line, 1], [line + stamp, 1], [filler + stamp + more, 2], [`${filler}${more}\n`, 2], [filler + stamp + line, 1]] as const) {
      const reads = realReads();
      const ahead = readAhead(new Blob([content]));
      const r = await scanBlob(ahead.blob, 'memo.txt');
      ahead.close();
      // The file's own reads first: the whole, or the head and the rest (a clean one is then also read at its end).
      const size = new Blob([content]).size;
      expect(reads.mock.contexts.slice(0, parts).map((b) => (b as Blob).size)).toEqual(parts === 1 ? [size] : [HEAD_READ, size - HEAD_READ]);
      expect({ ...r, ms: 0 }).toEqual({ ...(await scanBlob(new Blob([content]), 'memo.txt')), ms: 0 });
      expect(r.verdict).toBe(content.includes('秘') ? 'marked' : 'clean');
      vi.restoreAllMocks();
    }
  });

  it('a file changed after it was chosen is unscannable, never clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ug-read-ahead-'));
    try {
      const path = join(dir, 'notes.txt');
      writeFileSync(path, 'meeting notes, nothing marked\n'.repeat(100_000));
      const file = await openAsBlob(path);
      writeFileSync(path, 'meeting notes, nothing marked\n'.repeat(100_001)); // the chosen file is gone
      const ahead = readAhead(file);
      const r = await scanBlob(ahead.blob, 'notes.txt');
      ahead.close();
      expect(r.verdict).toBe('unscannable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
