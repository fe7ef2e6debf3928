/**
 * How the scan worker reads a file: what the engine is handed instead of the File itself.
 *
 * The engine reads through the Blob API only (`slice`, then `arrayBuffer`/`bytes`/`text`/`stream`), in
 * slices of a few MB. In a browser every one of those reads of a File is a request to the browser
 * process, which opens the file again and pipes the range over; on a busy machine each request waits
 * for the threads on both sides, and a 10 MB file cost about twice one plain read. So:
 * - the first read (the engine's look at the first bytes, to know the format) is made on its own: an
 *   image, an audio or a video file is recognised there and nothing more of it is read;
 * - any further read starts ONE stream of the whole file, kept in memory as it arrives; every read the
 *   engine makes is then answered from it as soon as its bytes are in, so the engine searches the
 *   start of the file while the rest is still arriving;
 * - a read far ahead of the stream (a ZIP's directory at its end) is made on its own meanwhile;
 * - files that do not fit in the worker's memory allowance (several large files at once, or a limit an
 *   admin raised past it) are read range by range as the engine asks, as before.
 * The bytes the engine gets are the same in every case: only how they reach it differs. A read that
 * fails (the file changed or vanished) fails the engine's read, which ends `unscannable`, never clean.
 *
 * It also counts what the engine has read, for the "Checking…" indicator: bytes handed to it, capped
 * at the file's size (a header read and then the whole file count twice, hence the cap).
 */

/** Bytes all scans in this worker may hold in memory at once (the scan limit is 140 MiB by default). */
export const MEMORY_ALLOWANCE = 512 * 1024 * 1024;
/** A read that starts this far past the streamed bytes is not worth waiting for: it is made on its own. */
const FAR = 8 * 1024 * 1024;
/** Piece size of the streams handed to the engine from memory. */
const STREAM_PIECE = 1 << 20;

let held = 0;

export interface Source {
  /** What the engine reads: the file's bytes, served as described above. */
  blob: Blob;
  /** Ends the background read and frees the memory; call once the verdict is in. */
  release(): void;
}

export function sourceOf(file: Blob, onRead: (bytesRead: number) => void): Source {
  const reader = new Reader(file, onRead);
  return { blob: new View(reader, 0, file.size) as unknown as Blob, release: () => reader.release() };
}

interface Waiter {
  end: number;
  done: () => void;
  fail: (err: unknown) => void;
}

class Reader {
  private reads = 0;
  private counted = 0;
  /** The stream's pieces in file order, and the file offset each starts at. */
  private readonly chunks: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private got = 0;
  private streaming = false;
  private reserved = 0;
  private stream: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private failed: unknown = null;
  private waiters: Waiter[] = [];

  constructor(
    private readonly file: Blob,
    private readonly onRead: (bytesRead: number) => void,
  ) {}

  /** A fresh copy of bytes [start, end) (the engine may keep or change what it gets, as with a Blob). */
  async read(start: number, end: number): Promise<Uint8Array<ArrayBuffer>> {
    const out = await this.fetch(start, end);
    this.counted = Math.min(this.file.size, this.counted + out.length);
    this.onRead(this.counted);
    return out;
  }

  private async fetch(start: number, end: number): Promise<Uint8Array<ArrayBuffer>> {
    if (start >= end) return new Uint8Array(0);
    if (end <= this.got) return this.copy(start, end);
    if (this.reads++ > 0 && !this.streaming) this.startStream();
    if (this.streaming && start < this.got + FAR) {
      await this.arrived(end);
      return this.copy(start, end);
    }
    return new Uint8Array(await this.file.slice(start, end).arrayBuffer());
  }

  /** Starts the one stream of the whole file, if the memory allowance has room for it. */
  private startStream(): void {
    const size = this.file.size;
    if (held + size > MEMORY_ALLOWANCE) return;
    held += size;
    this.reserved = size;
    this.streaming = true;
    this.stream = this.file.stream().getReader();
    void this.pump(this.stream);
  }

  private async pump(stream: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (let r = await stream.read(); !r.done; r = await stream.read()) {
        if (this.stream !== stream) return; // released
        this.chunks.push(r.value);
        this.starts.push(this.got);
        this.got += r.value.length;
        this.wake();
      }
      if (this.got < this.file.size) throw new Error(`the file ended after ${this.got} of ${this.file.size} bytes`);
    } catch (err) {
      this.failed = err ?? new Error('the file could not be read');
      this.wake();
    }
  }

  private arrived(end: number): Promise<void> {
    if (end <= this.got) return Promise.resolve();
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((done, fail) => this.waiters.push({ end, done, fail }));
  }

  private wake(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.end <= this.got) w.done();
      else if (this.failed) w.fail(this.failed);
      else still.push(w);
    }
    this.waiters = still;
  }

  private copy(start: number, end: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(end - start);
    // The last piece that starts at or before `start`.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo, at = start; at < end; i++) {
      const piece = this.chunks[i];
      const from = at - this.starts[i];
      const take = Math.min(piece.length - from, end - at);
      out.set(piece.subarray(from, from + take), at - start);
      at += take;
    }
    return out;
  }

  release(): void {
    const stream = this.stream;
    this.stream = null;
    void stream?.cancel().catch(() => undefined);
    this.chunks.length = 0;
    this.starts.length = 0;
    this.got = 0;
    this.failed ??= new Error('the scan is over');
    this.wake();
    held -= this.reserved;
    this.reserved = 0;
  }
}

/** A range of the file, shaped like the Blob the engine expects (it reads nothing else of a Blob). */
class View {
  readonly type = '';
  constructor(
    private readonly reader: Reader,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get size(): number {
    return this.end - this.start;
  }

  /** Like Blob.slice: negative offsets count from the end; nothing is read. */
  slice(start = 0, end = this.size): View {
    const at = (n: number) => Math.max(0, Math.min(this.size, n < 0 ? this.size + n : n));
    const a = at(start);
    return new View(this.reader, this.start + a, this.start + Math.max(a, at(end)));
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.reader.read(this.start, this.end);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  stream(): ReadableStream<Uint8Array> {
    let at = this.start;
    const end = this.end;
    const reader = this.reader;
    return new ReadableStream({
      async pull(controller) {
        if (at >= end) return controller.close();
        const next = Math.min(end, at + STREAM_PIECE);
        const piece = await reader.read(at, next);
        at = next;
        controller.enqueue(piece);
      },
    });
  }
}
