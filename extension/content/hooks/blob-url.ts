/**
 * blob: URLs. A page can put a File behind `URL.createObjectURL(file)`, read it back with fetch or
 * XMLHttpRequest, and upload what it read: a nameless Blob or bytes whose content alone is clean when
 * only the File's name is marked (rule 2). So each blob: URL remembers the Blob it was made from, and
 * the Response or XMLHttpRequest reading it carries that Blob's lineage (lineage.ts): what is read back
 * (a Blob, an ArrayBuffer, a byte view, the chunks of its body stream: derived.ts) carries the source's
 * decision wherever it is sent.
 */
import { afterCall, replaceMethod, wrapGetter } from './accessors.js';
import { inherited, lineageOf, link, type Lineage } from './lineage.js';
import { keptIn } from './read-text.js';
import {
  apply,
  isBlob,
  isRequest,
  mapDelete,
  mapGet,
  mapSet,
  promiseThen,
  regExpExec,
  requestUrl,
  SafeMap,
  SafePromise,
  SafeURL,
  stringIncludes,
  stringToLowerCase,
  toStr,
  urlHref,
  protoOf,
  XHR,
} from './safe-self.js';

type Win = Window & typeof globalThis;

/** blob: URL → the Blob (or File) it was made from, until it is revoked. */
const BEFORE_HASH = /^[^#]*/;
const sources: Map<string, Blob> = new SafeMap();

/**
 * What is read from `url`: the lineage of the Blob behind it when it is a live blob: URL this page
 * made, however it is spelled (the URL parser's own form is the key; a fragment does not change what
 * is read), or of the File whose base64 a data: URL holds (`readAsDataURL`, then `fetch(dataURL)` or
 * an XMLHttpRequest: the common "data URL to Blob" helper; read-text.ts keeps such strings).
 */
function lineageAt(url: unknown): Lineage | undefined {
  if (typeof url !== 'string') return undefined;
  const lower = stringToLowerCase(url);
  if (stringIncludes(lower, 'data:')) return keptIn(url);
  if (!stringIncludes(lower, 'blob:')) return undefined;
  let href: string;
  try {
    href = urlHref(new SafeURL(url));
  } catch {
    return undefined; // not a URL: nothing is read
  }
  const src = mapGet(sources, regExpExec(BEFORE_HASH, href)![0]);
  return src && inherited(src);
}

/** What fetch(input) resolves to, linked to what `input` reads (lineageAt). */
export function fromBlobUrl(input: unknown, response: Promise<Response>): Promise<Response> {
  let l: Lineage | undefined;
  try {
    l = lineageAt(isRequest(input) ? requestUrl(input) : input);
  } catch {
    l = undefined;
  }
  return l ? (linked(response, l) as Promise<Response>) : response;
}

/** What `p` resolves to, once `l` is linked to it (or to the part of it `pick` takes). */
const linked = (p: Promise<unknown>, l: Lineage, pick = (v: unknown) => v) =>
  new SafePromise((resolve, reject) => promiseThen(p, (v) => (link(pick(v), l), resolve(v)), reject));

export function hookBlobUrls(w: Win): void {
  hookObjectUrls(w);
  hookBodyReads(w);
  hookXhrReads(w);
}

function hookObjectUrls(w: Win): void {
  afterCall(w.URL, 'createObjectURL', (_, url, a) => typeof url === 'string' && isBlob(a[0]) && mapSet(sources, url, a[0]));
  replaceMethod(w.URL, 'revokeObjectURL', (revoke) => function revokeObjectURL(this: unknown, ...a: unknown[]) {
    if (a.length) mapDelete(sources, toStr(a[0]));
    return apply(revoke, this, a);
  });
}

/**
 * Response#blob/arrayBuffer/bytes and its body stream carry the Response's lineage; clone() keeps it;
 * its text() is kept with its Files as `file.text()` is (read-text.ts). The same for a Request's
 * (`new Request(url, { body: file }).arrayBuffer()` reads the file back).
 */
function hookBodyReads(w: Win): void {
  for (const name of ['Response', 'Request']) {
    const proto = protoOf(name, w) as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ['blob', 'arrayBuffer', 'bytes', 'text']) linkResult(proto, m);
    linkReturned(proto, 'clone');
    wrapGetter(proto, 'body', linkGot);
  }
}

/** `proto[m]()` returns an object (a piece, a reader, a stream, an iterator) that carries `from(this)`. */
export function linkReturned(proto: Record<PropertyKey, (...a: unknown[]) => unknown>, m: PropertyKey, from: (self: unknown) => Lineage | undefined = lineageOf): void {
  afterCall(proto, m, (self, out) => link(out, from(self)));
}

/**
 * `proto[m]` returns a Promise of what it read from `this` (or of a read result that holds it: `pick`):
 * that carries `this`'s lineage (`from`).
 */
/** A getter's value carries what its object carries (a Response's body, an XHR's response, a FileReader's result). */
export function linkGot(o: unknown, get: (o: unknown) => unknown): unknown {
  const v = get(o);
  link(v, lineageOf(o));
  return v;
}

export function linkResult(
  proto: Record<string, (...a: unknown[]) => unknown> | undefined,
  m: string,
  from: (self: unknown) => Lineage | undefined = lineageOf,
  pick?: (v: unknown) => unknown,
): void {
  replaceMethod(proto, m, (original) => function (this: object, ...a: unknown[]) {
    const p = apply(original, this, a) as Promise<unknown>;
    const l = from(this);
    return l ? linked(p, l, pick) : p;
  });
}

/**
 * XMLHttpRequest#open of a blob: URL links the request (xhr.ts's own open calls this with the URL it
 * opened: one wrapper of open, not two); a request opened again reads what it opens now.
 */
export const linkOpened = (xhr: object, url: unknown) => link(xhr, lineageAt(url), true);

/** An XMLHttpRequest's `response` (a Blob or an ArrayBuffer) is linked when read. */
function hookXhrReads(w: Win): void {
  wrapGetter(protoOf(XHR, w), 'response', linkGot);
}
