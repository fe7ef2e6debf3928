/**
 * How the scan worker feeds the engine (extension/scan/source.ts): the same verdict as reading the File
 * directly, for every kind of document; a header-only format read no further than its first bytes; one
 * stream of the file instead of a read per slice; progress up to the size; a read failure ends
 * unscannable. Files come from disk as file-backed Blobs (fs.openAsBlob), as a browser's File does.
 */
import { existsSync, openAsBlob } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MEMORY_ALLOWANCE, sourceOf } from '../../extension/scan/source.js';
import { scanBlob } from '../../src/detect/index.js';

const CORPUS = '/work/shared/corpus';
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** Every read a Blob serves, and whether its stream was opened (own properties shadow the prototype's). */
function spied(blob: Blob): { blob: Blob; reads: [number, number][]; streams: number } {
  const log = { blob, reads: [] as [number, number][], streams: 0 };
  const wrap = (b: Blob, offset: number): Blob => {
    const slice = b.slice.bind(b);
    const arrayBuffer = b.arrayBuffer.bind(b);
    const stream = b.stream.bind(b);
    Object.defineProperties(b, {
      slice: { value: (s?: number, e?: number) => wrap(slice(s, e), offset + Math.max(0, s ?? 0)) },
      arrayBuffer: { value: () => (log.reads.push([offset, offset + b.size]), arrayBuffer()) },
      stream: { value: () => (log.streams++, stream()) },
    });
    return b;
  };
  wrap(blob, 0);
  return log;
}

async function sameVerdict(path: string, name: string): Promise<void> {
  const direct = await scanBlob(await openAsBlob(path), name, { hash: 'unless-clean' });
  const source = sourceOf(await openAsBlob(path), () => undefined);
  const fed = await scanBlob(source.blob, name, { hash: 'unless-clean' });
  source.release();
  expect({ ...fed, ms: 0 }, name).toEqual({ ...direct, ms: 0 });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (!/\.(md|json|sh|cjs|py|mjs|js)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('sourceOf: what the engine reads', () => {
  it('gives the same verdict, format and location as the File itself, for every corpus and fixture file', async () => {
    const files = [...(existsSync(CORPUS) ? await filesUnder(CORPUS) : []), ...(await filesUnder(FIXTURES))];
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) await sameVerdict(f, f.split('/').pop()!);
  }, 120_000);

  it('reads an image or a video no further than its first bytes, and never streams it', async () => {
    for (const head of [[0xff, 0xd8, 0xff, 0xe0], [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]]) {
      const bytes = new Uint8Array(3 << 20).map((_, i) => (i * 7919) & 0xff);
      bytes.set(head);
      const spy = spied(new Blob([bytes]));
      const source = sourceOf(spy.blob, () => undefined);
      const r = await scanBlob(source.blob, 'photo.bin');
      source.release();
      expect(r.verdict).toBe('clean');
      expect(spy.streams).toBe(0);
      expect(spy.reads).toEqual([[0, 1024]]);
    }
  });

  it('reads a large text once, as one stream after the first look, and finds a stamp near its end', async () => {
    const text = '来週の定例は水曜 10 時から。\n'.repeat(400_000) + '秘 Confidential\n';
    const spy = spied(new Blob([text]));
    const seen: number[] = [];
    const source = sourceOf(spy.blob, (n) => seen.push(n));
    const r = await scanBlob(source.blob, 'notes.txt');
    source.release();
    expect(r.verdict).toBe('marked');
    expect(spy.streams).toBe(1);
    expect(spy.reads).toEqual([[0, 1024]]); // everything else came from the stream
    expect(seen.at(-1)).toBe(spy.blob.size);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('reads a ZIP directory at the end on its own while the stream starts from the front', async () => {
    const noise = new Uint8Array(12 << 20).map((_, i) => (i * 2654435761) >>> 24);
    const zip = zipSync({ 'data.bin': [noise, { level: 0 }], 'memo.txt': strToU8('秘 Confidential\n') });
    const spy = spied(new Blob([zip]));
    const source = sourceOf(spy.blob, () => undefined);
    const r = await scanBlob(source.blob, 'bundle.zip');
    source.release();
    expect(r.verdict).toBe('marked');
    expect(r.verdict === 'marked' && r.location.path).toEqual(['memo.txt']);
    expect(spy.streams).toBe(1);
    // The first look, then the directory far past the stream, read without waiting for it.
    expect(spy.reads[0]).toEqual([0, 1024]);
    expect(spy.reads.slice(1).every(([a]) => a > 8 << 20)).toBe(true);
    expect(spy.reads.length).toBeGreaterThan(1);
  });

  it('ends unscannable, never clean, when the file cannot be read to its end', async () => {
    const bytes = new Uint8Array(9 << 20).fill(0x61);
    const broken = new Blob([bytes]);
    Object.defineProperty(broken, 'stream', {
      value: () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes.subarray(0, 1 << 20));
            c.error(new Error('NotReadableError: the file changed'));
          },
        }),
    });
    const source = sourceOf(broken, () => undefined);
    const r = await scanBlob(source.blob, 'notes.txt');
    source.release();
    expect(r.verdict).toBe('unscannable');
  });

  it('reads range by range, without holding the file, past the memory allowance', async () => {
    const size = MEMORY_ALLOWANCE + 1;
    let streams = 0;
    const reads: number[][] = [];
    const huge = {
      size,
      type: '',
      slice: (a = 0, b = size) => ({ arrayBuffer: async () => (reads.push([a, b]), new ArrayBuffer(b - a)) }),
      stream: () => (streams++, new ReadableStream()),
    } as unknown as Blob;
    const source = sourceOf(huge, () => undefined);
    await source.blob.slice(0, 1024).arrayBuffer();
    const piece = new Uint8Array(await source.blob.slice(5000, 9000).arrayBuffer());
    source.release();
    expect(piece.length).toBe(4000);
    expect(streams).toBe(0);
    expect(reads).toEqual([[0, 1024], [5000, 9000]]);
  });

  it('stops reading once released (the verdict is in)', async () => {
    let cancelled = false;
    let pulls = 0;
    const bytes = new Uint8Array(1 << 20);
    const slow = new Blob([bytes]);
    Object.defineProperty(slow, 'stream', {
      value: () =>
        new ReadableStream<Uint8Array>({
          // Four pieces, then a disk that hangs.
          pull: (c) => (pulls++ < 4 ? c.enqueue(bytes.subarray(0, 1024)) : new Promise<void>(() => undefined)),
          cancel: () => void (cancelled = true),
        }),
    });
    const source = sourceOf(slow, () => undefined);
    await source.blob.slice(0, 10).arrayBuffer();
    expect((await source.blob.slice(0, 4096).arrayBuffer()).byteLength).toBe(4096);
    const never = source.blob.slice(100_000, 200_000).arrayBuffer();
    source.release();
    await expect(never).rejects.toThrow();
    expect(cancelled).toBe(true);
  });
});
