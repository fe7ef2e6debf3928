/**
 * A large file read on the frame's main thread, for the scan worker. The worker's own stream of a File
 * delivers its chunks as tasks on the worker's thread, which waited behind the engine's matching. On
 * two cores, a clean 100 MB file reached the page's handler in 552–565 ms this way against 586–833 ms
 * (two builds, one after the other: docs/design.md); at 10 MB the difference is inside the noise. The
 * frame (frame.ts) does nothing else once the worker runs: it reads the stream and hands
 * each chunk over (a transfer: same process, no copy), at most WINDOW bytes ahead of what the worker
 * took. Only a file larger than the worker's memory bound is streamed: one within it is read whole by
 * the worker itself (read-ahead.ts), which was faster still.
 *
 *   worker → frame   { t: READ_OPEN, id, blob }      read this file
 *   frame  → worker  { t: READ_CHUNK, id, bytes }    the next chunk; { end: true } or { error } last
 *   worker → frame   { t: READ_TAKEN, id, n }        n bytes were taken; n < 0: stop reading
 *
 * The worker's side is a reader with the two methods read-ahead.ts uses of a stream's reader; a stream
 * that fails or ends short there is a file the real reads decide (never `clean`).
 */
export const READ_OPEN = 'upload-guard-read-open';
export const READ_CHUNK = 'upload-guard-read-chunk';
export const READ_TAKEN = 'upload-guard-read-taken';

/** Bytes the frame reads ahead of what the worker took (the worker's own bound is read-ahead.ts's). */
export const WINDOW = 4 << 20;

/** What read-ahead.ts uses of a stream's reader. */
export interface ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/** A line between the two sides: a Worker from the frame, the worker's global scope from the worker. */
export interface Line {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
}

type Chunk = { t: typeof READ_CHUNK; id: number; bytes?: Uint8Array; end?: true; error?: string };

let nextId = 1;

/** The worker's side: `blob` read by the frame at the other end of `line`. */
export function readInFrame(blob: Blob, line: Line): ChunkReader {
  const id = nextId++;
  const queue: Uint8Array[] = [];
  let ended = false;
  let error: Error | null = null;
  let wake: (() => void) | null = null;
  const on = (e: MessageEvent) => {
    const m = e.data as Chunk | null;
    if (m?.t !== READ_CHUNK || m.id !== id) return;
    if (m.bytes instanceof Uint8Array) queue.push(m.bytes);
    else {
      if (m.error !== undefined) error = new Error(m.error);
      stop();
    }
    wake?.();
  };
  const stop = () => {
    ended = true;
    line.removeEventListener('message', on);
  };
  line.addEventListener('message', on);
  line.postMessage({ t: READ_OPEN, id, blob });
  return {
    async read() {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
      const value = queue.shift();
      if (value) {
        line.postMessage({ t: READ_TAKEN, id, n: value.byteLength });
        return { done: false, value };
      }
      if (error) throw error;
      return { done: true, value: undefined };
    },
    async cancel() {
      if (!ended) line.postMessage({ t: READ_TAKEN, id, n: -1 });
      stop();
      queue.length = 0;
      wake?.();
    },
  };
}

/** The frame's side: answers READ_OPEN and READ_TAKEN from the worker at the other end of `line`; false for any other message. */
export function serveReads(line: Line): (data: unknown) => boolean {
  const reads = new Map<number, { ahead: number; stopped: boolean; resume: (() => void) | null }>();
  const serve = async (id: number, blob: Blob) => {
    const r = { ahead: 0, stopped: false, resume: null as (() => void) | null };
    reads.set(id, r);
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    try {
      reader = blob.stream().getReader();
      for (;;) {
        while (r.ahead >= WINDOW && !r.stopped) await new Promise<void>((res) => (r.resume = res));
        if (r.stopped) return void reader.cancel().catch(() => undefined);
        const { done, value } = await reader.read();
        if (r.stopped) return void reader.cancel().catch(() => undefined);
        if (done) return line.postMessage({ t: READ_CHUNK, id, end: true } satisfies Chunk);
        r.ahead += value.byteLength;
        // A chunk that is a whole buffer moves; a view of a larger one is copied out of it.
        const own = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice();
        line.postMessage({ t: READ_CHUNK, id, bytes: own } satisfies Chunk, [own.buffer]);
      }
    } catch (err) {
      line.postMessage({ t: READ_CHUNK, id, error: String((err as Error)?.message ?? err) } satisfies Chunk);
    } finally {
      reads.delete(id);
    }
  };
  return (data) => {
    const m = data as { t?: unknown; id?: unknown; blob?: unknown; n?: unknown } | null;
    if (typeof m?.id !== 'number') return false;
    if (m.t === READ_OPEN && m.blob instanceof Blob) {
      void serve(m.id, m.blob);
      return true;
    }
    if (m.t !== READ_TAKEN || typeof m.n !== 'number') return false;
    const r = reads.get(m.id);
    if (r) {
      if (m.n < 0) r.stopped = true;
      else r.ahead -= m.n;
      r.resume?.();
      r.resume = null;
    }
    return true;
  };
}
