/**
 * Progress of a scan without a hook in the engine: the engine reads its input only through the Blob
 * API (slice, then arrayBuffer/bytes/text/stream) and RANGE_READ where the read-ahead gives one
 * (src/detect/range-read.ts), so counting the bytes those calls return on the top-level file, and on
 * every slice of it, counts what has been read. Own properties shadow the prototype's methods on this
 * one object, so nothing else in the worker changes. Bytes read twice
 * (a header, then the whole) count twice, so the figure is capped at the file's size.
 */
import { RANGE_READ, type RangeRead } from '../../src/detect/range-read.js';

type Report = (bytesRead: number) => void;

export function countReads<B extends Blob>(blob: B, report: Report): B {
  let read = 0;
  const total = blob.size;
  const add = (n: number) => {
    read = Math.min(total, read + n);
    report(read);
  };
  return wrap(blob, add);
}

function wrap<B extends Blob>(blob: B, add: (n: number) => void): B {
  // The methods the blob has now (the prototype's, or read-ahead.ts's), taken before they are shadowed.
  const slice = blob.slice.bind(blob);
  // Every whole read goes through this arrayBuffer, never this.arrayBuffer() from text() (some engines
  // build one on the other, which would count twice).
  const read = blob.arrayBuffer.bind(blob);
  const arrayBuffer = () => read().then((b) => (add(b.byteLength), b));
  const stream = blob.stream.bind(blob);
  const range = (blob as B & { [RANGE_READ]?: RangeRead })[RANGE_READ];
  const methods: Record<string | symbol, unknown> = {
    ...(range ? { [RANGE_READ]: (start: number, end: number) => range(start, end).then((b) => (add(b.byteLength), b)) } : {}),
    slice: (start?: number, end?: number, type?: string) => wrap(slice(start, end, type), add),
    arrayBuffer,
    bytes: () => arrayBuffer().then((b) => new Uint8Array(b)),
    text: () => arrayBuffer().then((b) => new TextDecoder().decode(b)),
    stream: () =>
      stream().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            add(chunk.byteLength);
            out.enqueue(chunk);
          },
        }),
      ),
  };
  for (const key of Reflect.ownKeys(methods)) Object.defineProperty(blob, key, { value: methods[key], configurable: true });
  return blob;
}
