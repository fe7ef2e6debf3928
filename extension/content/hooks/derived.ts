/**
 * What a page derives from a File carries the File's decision (lineage.ts): Blobs and Files made of it
 * (`new Blob([file])`, `new File([file], 'other-name.txt')`), pieces of it (`slice`), its bytes
 * (`arrayBuffer()`, `bytes()`, FileReader), its stream and every chunk read from it (a reader, async
 * iteration, `pipeThrough`, `tee`, `pipeTo`), copies of those bytes (`TypedArray#set`/`slice`,
 * `ArrayBuffer#slice`), a Request made with any of them as its body, and what is read back out of such
 * a Request or a Response (blob-url.ts). The network, message and storage gates then judge them by
 * their sources, without reading them again.
 *
 * Text read out of a File (`text()`, `readAsText`, `readAsDataURL`, `btoa` of `readAsBinaryString`)
 * is kept with its File by read-text.ts: strings carry no identity of their own. Not followed: bytes
 * copied one by one or through a typed-array constructor (judged by their own bytes).
 */
import { afterCall, replaceConstructor, replaceMethod, wrapGetter } from './accessors.js';
import { linkGot, linkResult, linkReturned } from './blob-url.js';
import { initOf, withOwn } from './init-body.js';
import { keptAs } from './read-text.js';
import { cloned, linkCopies } from './carried.js';
import { derive, inherited, isObject, lineageOf, link, sourcesOf, tracking, type Lineage } from './lineage.js';
import { unguarded } from './bridge-client.js';
import { combine, gateBlob, refusedNow, type Gate } from './gates.js';
import {
  append,
  apply,
  construct,
  create,
  getPrototypeOf,
  formDataForEach,
  isArrayBuffer,
  isBlob,
  isFormData,
  isView,
  sequence,
  toStr,
  uncurry,
  isFn,
  ITERATOR,
  protoOf,
  BLOCKED,
  READER,
  SafeTypeError,
} from './safe-self.js';

type Win = Window & typeof globalThis;
type Proto = Record<PropertyKey, (...a: unknown[]) => unknown>;
const ASYNC_ITERATOR: typeof Symbol.asyncIterator = Symbol.asyncIterator;

export function hookDerived(w: Win): void {
  hookBlobs(w);
  hookStreams(w);
  hookFileReader(w);
  hookBtoa(w);
  hookCopies(w);
  hookBodies(w);
  hookClones(w);
}

/**
 * The parts of a Blob or File being made, read once: the constructor gets exactly these (a page's
 * iterator cannot show the hooks one list and the constructor another), objects already turned into
 * their strings. Null when `v` is not a list: the constructor handles (or rejects) it as it is.
 */
function partsOf(v: unknown): unknown[] | null {
  if (!isObject(v)) return null;
  const f = (v as Record<PropertyKey, unknown>)[ITERATOR];
  if (!isFn(f)) return null;
  const it = apply(f, v, []) as Iterator<unknown>;
  const next = it.next;
  const parts: unknown[] = [];
  for (;;) {
    const r = apply(next, it, []) as IteratorResult<unknown>;
    if (r.done) return parts;
    const p = r.value;
    append(parts, p !== null && typeof p === 'object' && !isView(p) && !isBlob(p) && !isArrayBuffer(p) ? toStr(p) : p);
  }
}

function hookBlobs(w: Win): void {
  for (const name of ['Blob', 'File']) {
    replaceConstructor(w, name, (Original, a, newTarget) => {
      const parts = partsOf(a[0]);
      if (parts) a[0] = sequence(parts);
      const made = construct(Original, a, newTarget);
      if (parts) link(made, derive(parts));
      return made;
    });
  }
  const proto = protoOf('Blob', w) as Proto;
  // Every chunk of a resumable upload shares the file's decision (a page-made Blob's: its bytes, whole).
  linkReturned(proto, 'slice', sourcesOf as (b: unknown) => Lineage);
  linkReturned(proto, 'stream', inherited);
  for (const m of ['arrayBuffer', 'bytes', 'text']) linkResult(proto, m, inherited);
}

function hookStreams(w: Win): void {
  const RS = protoOf('ReadableStream', w) as Proto | undefined;
  if (!RS) return;
  // What comes out of a tracked stream is tracked: its readers, its branches, what it is piped through.
  const values = RS.values;
  for (const m of ['getReader', 'pipeThrough', 'values', ASYNC_ITERATOR]) linkReturned(RS, m);
  afterCall(RS, 'tee', (self: ReadableStream, pair: ReadableStream[]) => {
    const l = lineageOf(self);
    link(pair[0], l);
    link(pair[1], l);
  });
  hookPipeTo(w, RS);
  // Every chunk read from a tracked reader or iterator carries the stream's lineage.
  for (const name of [READER, 'ReadableStreamBYOBReader']) {
    linkResult(protoOf(name, w), 'read', lineageOf, chunkOf);
  }
  try {
    const iterator = getPrototypeOf(apply(values, new w.ReadableStream(), [])) as Proto;
    linkResult(iterator, 'next', lineageOf, chunkOf);
  } catch {
    /* no async iteration in this browser */
  }
}

/** The chunk of a read's result `{ value, done }` (an own data property of an object the browser made). */
const chunkOf = (r: unknown): unknown => (r as { value: unknown }).value;

/**
 * `pipeTo` hands chunks to the destination's sink without a reader the hooks see: a tracked stream is
 * piped through a pass-through that links each chunk first.
 */
function hookPipeTo(w: Win, RS: Proto): void {
  const pipeThrough = RS.pipeThrough;
  const TS = w.TransformStream;
  const controller = protoOf('TransformStreamDefaultController', w);
  if (!isFn(pipeThrough) || !TS || !controller) return;
  const enqueue = uncurry(controller.enqueue);
  replaceMethod(RS, 'pipeTo', (pipeTo) => function (this: ReadableStream, ...a: unknown[]) {
    const l = lineageOf(this);
    if (!l) return apply(pipeTo, this, a);
    const transformer = create(null);
    transformer.transform = (chunk: unknown, c: TransformStreamDefaultController) => (link(chunk, l), enqueue(c, chunk));
    return apply(pipeTo, apply(pipeThrough, this, [new TS(transformer)]), a);
  });
}

function hookFileReader(w: Win): void {
  const FR = protoOf('FileReader', w) as Proto | undefined;
  for (const m of ['readAsArrayBuffer', 'readAsDataURL', 'readAsText', 'readAsBinaryString']) {
    replaceMethod(FR, m, (read) => function (this: FileReader, ...a: unknown[]) {
      link(this, inherited(a[0]), true); // the reader stands for what it reads now
      return apply(read, this, a);
    });
  }
  // Its result carries that: bytes as bytes, a string as text read out of a File (read-text.ts).
  wrapGetter(FR, 'result', linkGot);
}

/** The base64 of a binary string read out of a File is that File's too (read-text.ts). */
function hookBtoa(w: Win): void {
  // Its arguments as given: btoa() without one throws as the browser's does.
  afterCall(w, 'btoa', (_, r: string, a) => link(r, keptAs(a[0])));
}

/** Bytes copied out of tracked bytes are tracked: `target.set(chunk, at)`, `view.slice()`, `buffer.slice()`. */
function hookCopies(w: Win): void {
  // Hot in some pages (wasm, media): no argument lists, and one test while nothing is tracked.
  const TA = getPrototypeOf(protoOf('Uint8Array', w)) as Proto;
  const set = uncurry(TA.set);
  TA.set = function (this: ArrayBufferView, src: unknown, at?: unknown) {
    const r = set(this, src, at);
    if (tracking.on) link(this, lineageOf(src));
    return r;
  };
  for (const proto of [TA, protoOf('ArrayBuffer', w) as Proto]) {
    const slice = uncurry(proto.slice);
    proto.slice = function (this: object, start?: unknown, end?: unknown) {
      const out = slice(this, start, end);
      if (tracking.on) link(out, lineageOf(this));
      return out;
    };
  }
}

/**
 * `new Request(url, { body })`, `new Response(body)`: carries its body's lineage (fetch.ts judges it by
 * that). A FormData's Files are read back out of it (`formData()`, `blob()`, `text()`) as new ones, with
 * no link to them: one refused now (a marked name, also appended under another) makes none (TypeError).
 */
function hookBodies(w: Win): void {
  for (const name of ['Request', 'Response']) {
    replaceConstructor(w, name, (Original, a, newTarget) => {
      const at = +(name === 'Request');
      const body = at ? initOf(a[1])?.body : a[0]; // read once: it gets this very body
      if (at && body != null) a[1] = withOwn(a[1] as object, 'body', body);
      if (!unguarded() && isFormData(body) && refusedNow(filesGate(body))) throw new SafeTypeError(BLOCKED);
      const r = construct(Original, a, newTarget);
      link(r, body == null ? lineageOf(a[0]) : isBlob(body) ? inherited(body) : lineageOf(body));
      return r;
    });
  }
}

/** The decisions on a FormData's Files (asked when they were appended). */
function filesGate(fd: FormData): Gate {
  const gates: Gate[] = [];
  formDataForEach(fd, (v) => typeof v !== 'string' && append(gates, gateBlob('form-data', v)));
  return combine(gates);
}

/**
 * `structuredClone(v)` makes new Blobs and bytes, with no link to the File they came from: the copy
 * carries what `v` carried (carried.ts). (A history state is judged as it is stored: storage.ts.)
 */
function hookClones(w: Win): void {
  afterCall(w, 'structuredClone', (_, r, a) => linkCopies(r, cloned(a[0])));
}
