/**
 * blob: URLs. A page can put a File behind `URL.createObjectURL(file)`, read it back with fetch or
 * XMLHttpRequest, and upload what it read: a nameless Blob or bytes whose content alone is clean when
 * only the File's name is marked (rule 2). So each blob: URL remembers the Blob it was made from, and
 * what is read back through it (a Blob, an ArrayBuffer, a byte view) is linked to that source: sent
 * anywhere, it carries the source's decision (gates.ts `parentOf`, and `bytesSource` for bytes).
 * Not followed: bytes the page copies out of a read-back stream chunk by chunk.
 */
import { wrapGetter } from './accessors.js';
import { parentOf } from './gates.js';
import {
  apply,
  isArrayBuffer,
  isBlob,
  isRequest,
  isView,
  mapDelete,
  mapGet,
  mapSet,
  promiseThen,
  requestUrl,
  SafeMap,
  SafePromise,
  SafeURL,
  SafeWeakMap,
  stringIncludes,
  stringSlice,
  stringToLowerCase,
  toStr,
  urlHref,
  viewBuffer,
  weakMapGet,
  weakMapSet,
} from './safe-self.js';

type Win = Window & typeof globalThis;

/** blob: URL → the Blob (or File) it was made from, until it is revoked. */
const sources: Map<string, Blob> = new SafeMap();
/** A Response or XMLHttpRequest reading a blob: URL → the Blob behind it. */
const readsFrom: WeakMap<object, Blob> = new SafeWeakMap();
/** An ArrayBuffer read back through a blob: URL → the Blob behind it. */
const bytesFrom: WeakMap<object, Blob> = new SafeWeakMap();

/**
 * The Blob behind `url` when it is a live blob: URL this page made, however it is spelled (the URL
 * parser's own form is the key; a fragment does not change what is read).
 */
function sourceOf(url: unknown): Blob | undefined {
  if (typeof url !== 'string' || !stringIncludes(stringToLowerCase(url), 'blob:')) return undefined;
  let href: string;
  try {
    href = urlHref(new SafeURL(url));
  } catch {
    return undefined; // not a URL: nothing is read
  }
  let i = 0;
  while (i < href.length && href[i] !== '#') i++;
  return mapGet(sources, stringSlice(href, 0, i));
}

/** Links what was read (a Blob, an ArrayBuffer, a view of one) to the Blob it came from. */
function link(v: unknown, src: Blob): void {
  if (v === null || typeof v !== 'object') return;
  if (isBlob(v)) weakMapSet(parentOf, v, src);
  else if (isArrayBuffer(v)) weakMapSet(bytesFrom, v, src);
  else if (isView(v)) weakMapSet(bytesFrom, viewBuffer(v), src);
}

/** The Blob whose bytes these are, when they were read back through a blob: URL. */
export function bytesSource(v: ArrayBuffer | ArrayBufferView): Blob | undefined {
  try {
    return weakMapGet(bytesFrom, isView(v) ? viewBuffer(v) : v);
  } catch {
    return undefined;
  }
}

/** What fetch(input) resolves to, linked to the Blob behind `input` when it is a blob: URL. */
export function fromBlobUrl(input: unknown, response: Promise<Response>): Promise<Response> {
  let src: Blob | undefined;
  try {
    src = sourceOf(isRequest(input) ? requestUrl(input) : input);
  } catch {
    src = undefined;
  }
  if (!src) return response;
  const from = src;
  return new SafePromise<Response>((resolve, reject) =>
    promiseThen(response, (r) => (weakMapSet(readsFrom, r, from), resolve(r)), reject),
  );
}

export function hookBlobUrls(w: Win): void {
  hookObjectUrls(w);
  hookResponseReads(w);
  hookXhrReads(w);
}

function hookObjectUrls(w: Win): void {
  const U = w.URL as unknown as Record<string, (...a: unknown[]) => unknown>;
  const make = U.createObjectURL;
  const revoke = U.revokeObjectURL;
  if (typeof make !== 'function' || typeof revoke !== 'function') return;
  U.createObjectURL = function createObjectURL(this: unknown, ...a: unknown[]) {
    const url = apply(make, this, a);
    if (typeof url === 'string' && isBlob(a[0])) mapSet(sources, url, a[0]);
    return url;
  };
  U.revokeObjectURL = function revokeObjectURL(this: unknown, ...a: unknown[]) {
    if (a.length > 0) mapDelete(sources, toStr(a[0]));
    return apply(revoke, this, a);
  };
}

/** Response#blob/arrayBuffer/bytes of a response read from a blob: URL link their result; clone() keeps the link. */
function hookResponseReads(w: Win): void {
  const proto = w.Response?.prototype as unknown as Record<string, (...a: unknown[]) => unknown> | undefined;
  if (!proto) return;
  for (const m of ['blob', 'arrayBuffer', 'bytes']) {
    const original = proto[m];
    if (typeof original !== 'function') continue;
    proto[m] = function (this: object, ...a: unknown[]) {
      const p = apply(original, this, a) as Promise<unknown>;
      const src = weakMapGet(readsFrom, this);
      if (!src) return p;
      return new SafePromise((resolve, reject) => promiseThen(p, (v) => (link(v, src), resolve(v)), reject));
    };
  }
  const clone = proto.clone;
  if (typeof clone === 'function') {
    proto.clone = function (this: object, ...a: unknown[]) {
      const copy = apply(clone, this, a) as object;
      const src = weakMapGet(readsFrom, this);
      if (src) weakMapSet(readsFrom, copy, src);
      return copy;
    };
  }
}

/** XMLHttpRequest#open of a blob: URL links the request; its `response` (a Blob or an ArrayBuffer) is linked when read. */
function hookXhrReads(w: Win): void {
  const proto = w.XMLHttpRequest?.prototype as unknown as Record<string, (...a: unknown[]) => unknown> | undefined;
  if (!proto) return;
  const open = proto.open;
  proto.open = function (this: object, ...a: unknown[]) {
    if (a.length > 1) a[1] = toStr(a[1]); // once: the URL linked is the URL opened
    const r = apply(open, this, a);
    const src = a.length > 1 ? sourceOf(a[1]) : undefined;
    if (src) weakMapSet(readsFrom, this, src);
    return r;
  };
  wrapGetter(proto, 'response', (xhr, get) => {
    const v = get(xhr);
    const src = weakMapGet(readsFrom, xhr as object);
    if (src) link(v, src);
    return v;
  });
}
