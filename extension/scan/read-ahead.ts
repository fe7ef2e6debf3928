/**
 * The file a job brings, read once from start to end while the engine works on what has arrived. The
 * engine reads a File in slices (blob.slice(a, b).arrayBuffer()); in a browser every slice read is a
 * round trip to the browser process, and a clean 10 MB file spent more time in those round trips than in
 * matching. Here the bytes arrive once and the slices are served from memory:
 * - a file that fits in the memory bound: one `arrayBuffer()`, or two started at once for a file more
 *   than twice a picture's head (wholeReads). In Chromium, a clean 10 MB file reached the page's handler in
 *   74–95 ms this way against 107–114 ms by a stream, 30 MB in 209–233 against 319–373 ms (two builds
 *   in turn, 10 runs each); at 1 MB no difference. A stream delivers many chunks, each a task on a thread that is also
 *   matching;
 * - a larger one: one stream (the frame's, frame-read.ts), so that at most the bound is held.
 *
 * Only the engine's JavaScript reads change: arrayBuffer/bytes/text on the file and its slices are own
 * properties of the real Blob objects (as in progress.ts), so anything else still gets the real Blob.
 * The engine's forward slice reads go through RANGE_READ (src/detect/range-read.ts): neither a slice
 * of the Blob nor, when one chunk of the stream holds the range, a copy.
 * Every read the stream cannot serve (before the bytes kept, past what the memory bound lets it reach,
 * or after the stream failed) is the real read of that slice: the bytes are the same either way, and a
 * file that cannot be read still fails the scan (never `clean`).
 *
 * Memory: at most MAX_HELD bytes are kept (a file read whole is within it); the front of a stream is
 * let go once the engine has read all of it and moved past it (a forward scan), and the stream waits
 * meanwhile.
 */
import { RANGE_READ, type RangeRead } from '../../src/detect/range-read.js';
import { ARCHIVE_START_READ } from '../../src/detect/extract/picture-archive.js';
import type { ChunkReader } from './frame-read.js';

/** Bytes kept from the stream at most (per job). */
export const MAX_HELD = 32 << 20;

interface Chunk {
  start: number;
  bytes: Uint8Array;
  /** [start, covered) has all been served. */
  covered: number;
}

export interface ReadAhead {
  /** The file, its JavaScript reads served from the stream where it can. */
  blob: Blob;
  /** Stops the stream and lets the bytes go (the job is over). */
  close(): void;
}

/** How a file's bytes arrive, a chunk at a time (a stream, or wholeReads' one or two parts). */
export type OpenReader = (file: Blob) => ChunkReader;
const ownStream: OpenReader = (file) => Blob.prototype.stream.call(file).getReader() as ReadableStreamDefaultReader<Uint8Array>;

/** How far past the bytes arrived a read starts for it to be read for real rather than waited for. */
const FAR_AHEAD = 1 << 20;

/**
 * Read on its own in a larger file: all a picture, audio or video needs (its first 8 MiB are searched
 * for a 7z or RAR start, src/detect/extract/picture-archive.ts), so its verdict does not wait for the rest.
 */
export const HEAD_READ = ARCHIVE_START_READ;

/**
 * A file up to this size is read in one read even when it is larger than HEAD_READ. Two reads cost two
 * slices and two transfers; a picture only gains from its head coming first once the rest is the larger
 * part. Measured in Chromium on a loaded machine (clean 10 MB files, the two ways alternating in one
 * browser, 25–41 runs each, two reads → one, p50 from the file input's event to the page's handler):
 * text 36.3 → 31.2, 34.3 → 32.8, 36.7 → 34.6, 29.8 → 29.7, 30.1 → 31.7, 25.2 → 23.7 ms; random bytes
 * 42.7 → 37.8, 42.6 → 39.2, 30.2 → 31.8, 36.6 → 34.2, 27.9 → 28.0, 33.2 → 33.5 ms; a JPEG 34.6 → 32.5 ms:
 * a small gain, 1–2 ms, near the noise; the worker had all the bytes 2.1 and 0.8 ms sooner (p50; p25 2.2
 * and 2.4). At 20 MB the JPEG was decided sooner in two (53.9 against 66.9 ms), random bytes not (61.6
 * against 52.6).
 */
export const SPLIT_ABOVE = 2 * HEAD_READ;

/**
 * The whole file in one `arrayBuffer()`, or for a file larger than SPLIT_ABOVE its head (HEAD_READ) and
 * the rest, both asked for at once. Fewer, larger reads were faster: the rest of 10 or 30 MB read in
 * parts of 8 MiB came 10–40% later than in one read, and in a worker each `slice()` costs 0.3–1.5 ms of
 * its thread before any byte moves (measured in Chromium: two slices were a fifth of the time a clean 1 MB file added). A
 * read that takes longer than the engine's time budget ends the scan `unscannable`, as a slow stream did.
 */
const wholeReads: OpenReader = (file) => {
  const read = (a: number, b: number) => Blob.prototype.arrayBuffer.call(Blob.prototype.slice.call(file, a, b));
  const parts = file.size <= SPLIT_ABOVE ? [Blob.prototype.arrayBuffer.call(file)] : [read(0, HEAD_READ), read(HEAD_READ, file.size)];
  // A read that fails after the scan stopped asking is nobody's error; one awaited still throws.
  for (const p of parts) p.catch(() => undefined);
  return {
    read: async () => {
      const next = parts.shift();
      return next ? { done: false, value: new Uint8Array(await next) } : { done: true, value: undefined };
    },
    cancel: async () => void (parts.length = 0),
  };
};

/**
 * A file within `maxHeld` is read whole (wholeReads); `stream` is how a larger one arrives, a chunk at a
 * time (its own stream unless told: the scan worker passes the frame's, frame-read.ts).
 */
export function readAhead<B extends Blob>(file: B, maxHeld = MAX_HELD, stream: OpenReader = ownStream): ReadAhead & { blob: B } {
  const source = new StreamCache(file, maxHeld, file.size <= maxHeld ? wholeReads : stream);
  return { blob: wrap(file, 0, source), close: () => source.close() };
}

class StreamCache {
  private readonly chunks: Chunk[] = [];
  /** Bytes before this were let go (or never kept). */
  private low = 0;
  /** Bytes before this have arrived. */
  private frontier = 0;
  private failed = false;
  private closed = false;
  private pulling = false;
  private reader: ChunkReader | null;
  private waiters: (() => void)[] = [];

  constructor(
    file: Blob,
    private readonly maxHeld: number,
    open: OpenReader,
  ) {
    try {
      this.reader = open(file);
    } catch {
      this.reader = null;
      this.failed = true;
    }
    this.size = file.size;
    void this.pump();
  }

  private readonly size: number;

  /** Pulls while the memory bound allows; wakes the reads waiting for bytes. */
  private async pump(): Promise<void> {
    if (this.pulling || !this.reader) return;
    this.pulling = true;
    try {
      while (!this.closed && !this.failed && this.frontier < this.size && this.frontier - this.low < this.maxHeld) {
        const { done, value } = await this.reader.read();
        if (this.closed) return;
        if (done) break;
        this.chunks.push({ start: this.frontier, bytes: value, covered: this.frontier });
        this.frontier += value.byteLength;
        this.wake();
      }
      // A stream that ended short of the size is a file that changed or could not be read: the real reads decide.
      if (this.frontier < this.size && this.frontier - this.low < this.maxHeld) this.failed = true;
    } catch {
      this.failed = true;
    } finally {
      this.pulling = false;
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /**
   * [a, b) from the stream, or null when the stream cannot serve it (the caller reads it for real).
   * `shared`: a view of the chunk that holds it, when one does (no copy; the caller only reads it).
   */
  async read(a: number, b: number, shared = false): Promise<Uint8Array | null> {
    for (;;) {
      if (this.closed || a < this.low || b > this.size) return null;
      if (b <= this.frontier) return this.serve(a, b, shared);
      // Reachable without letting anything go: wait for the stream. Past that, the stream would stall.
      // A read far past what has arrived (a look at the end: a ZIP's end record, after a picture too)
      // is not worth waiting for the bytes before it: a real read of the slice is one round trip.
      if (this.failed || b > this.low + this.maxHeld || a >= this.frontier + FAR_AHEAD) return null;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private serve(a: number, b: number, shared: boolean): Uint8Array {
    const whole = shared ? this.chunks.find((c) => c.start <= a && b <= c.start + c.bytes.byteLength) : undefined;
    if (whole) {
      if (a <= whole.covered) whole.covered = Math.max(whole.covered, b);
      const view = whole.bytes.subarray(a - whole.start, b - whole.start);
      this.release(a);
      return view;
    }
    const out = new Uint8Array(b - a);
    for (const c of this.chunks) {
      const end = c.start + c.bytes.byteLength;
      if (end <= a) continue;
      if (c.start >= b) break;
      const from = Math.max(a, c.start);
      const to = Math.min(b, end);
      out.set(c.bytes.subarray(from - c.start, to - c.start), from - a);
      if (from <= c.covered) c.covered = Math.max(c.covered, to);
    }
    this.release(a);
    return out;
  }

  /** A read from `a` on: the front chunks read whole and now behind it are not read again by a forward scan. */
  private release(a: number): void {
    let freed = false;
    while (this.chunks.length > 0) {
      const c = this.chunks[0];
      const end = c.start + c.bytes.byteLength;
      if (c.covered < end || a < end) break;
      this.chunks.shift();
      this.low = end;
      freed = true;
    }
    if (freed) void this.pump();
  }

  close(): void {
    this.closed = true;
    this.chunks.length = 0;
    void this.reader?.cancel().catch(() => undefined);
    this.wake();
  }
}

/** Blob.slice's offsets, resolved against a Blob of `size` bytes. */
function range(size: number, start?: number, end?: number): [number, number] {
  const at = (n: number | undefined, dflt: number) => {
    if (n === undefined) return dflt;
    const i = Math.trunc(Number(n)) || 0;
    return i < 0 ? Math.max(size + i, 0) : Math.min(i, size);
  };
  const a = at(start, 0);
  return [a, Math.max(a, at(end, size))];
}

function wrap<B extends Blob>(blob: B, offset: number, source: StreamCache): B {
  const proto = Blob.prototype;
  const arrayBuffer = async (): Promise<ArrayBuffer> => {
    const bytes = await source.read(offset, offset + blob.size);
    return bytes ? (bytes.buffer as ArrayBuffer) : proto.arrayBuffer.call(blob);
  };
  // The engine's forward reads (src/detect/range-read.ts): no slice to register, and no copy when one chunk holds them.
  const rangeRead: RangeRead = async (start, end) =>
    (await source.read(offset + start, offset + end, true)) ?? new Uint8Array(await proto.slice.call(blob, start, end).arrayBuffer());
  const methods: Record<string | symbol, unknown> = {
    [RANGE_READ]: rangeRead,
    slice: (start?: number, end?: number, type?: string) => {
      const part = proto.slice.call(blob, start, end, type);
      const [a, b] = range(blob.size, start, end);
      // Offsets this code did not resolve as the browser did are never served from the stream.
      return part.size === b - a ? wrap(part, offset + a, source) : part;
    },
    arrayBuffer,
    bytes: () => arrayBuffer().then((b) => new Uint8Array(b)),
    text: () => arrayBuffer().then((b) => new TextDecoder().decode(b)),
  };
  for (const key of Reflect.ownKeys(methods)) Object.defineProperty(blob, key, { value: methods[key], configurable: true });
  return blob;
}
