/**
 * Every built-in the page hooks call after install, captured while no page script has run yet
 * (document_start, MAIN world). uBlock Origin's `safe-self` is the model.
 *
 * A page owns its realm: later it can replace `Promise.prototype.then`, `WeakMap.prototype.get`,
 * `Function.prototype.call`, `MessagePort.prototype.postMessage`, a getter such as `MessageEvent#data`,
 * or `Symbol.hasInstance` on `Blob`. The hooks therefore never look a method up at call time:
 * each prototype method is turned into a plain function here (`uncurry`), which is a `call` bound
 * once to that method — invoking a bound function looks nothing up, so neither a replaced
 * `Function.prototype.call` nor a replaced `Reflect.apply` ever sees the hooks' originals.
 *
 * Rules for the hook modules, which this file makes possible:
 * - call prototype methods only through these captures, never `x.method()`; no `instanceof`
 *   (brand checks below), no `for…of` / spread over arrays (iterators are page-replaceable);
 * - no Promise chaining of their own (decision.ts has a Promise-free decision);
 * - only read own properties of objects they made, and write arrays through `append`.
 *
 * Names missing in a realm (Node for unit tests, an old browser) become functions that throw, so a
 * hook that needs them fails closed.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...a: any[]) => any;

const G = globalThis as any;
/** Interface names written more than twice below (this file is size-bound). */
const REQUEST = 'Request';
const FORM_DATA = 'FormData';
/** Interface names other hook modules write too (one string in the bundle). */
export const FILE_HANDLE = 'FileSystemFileHandle';
export const INPUT = 'HTMLInputElement';
export const READER = 'ReadableStreamDefaultReader';
export const XHR = 'XMLHttpRequest';
export const IDB_TX = 'IDBTransaction';
export const IDB_STORE = 'IDBObjectStore';
/** `typeof v === 'function'`, written once: it appears in nearly every hook, and this file is size-bound. */
export const isFn = (v: unknown): v is Fn => typeof v === 'function';
const { bind, call } = Function.prototype;
/** uncurry(Blob.prototype.slice)(blob, 0, 10) ≡ blob.slice(0, 10) as it was at install time. */
export const uncurry: (f: Fn) => Fn = bind.bind(call);

export const apply: typeof Reflect.apply = Reflect.apply;
export const defineProperty: typeof Object.defineProperty = Object.defineProperty;
export const getOwnPropertyDescriptor: typeof Object.getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const ownKeys: typeof Reflect.ownKeys = Reflect.ownKeys;
export const getPrototypeOf: typeof Object.getPrototypeOf = Object.getPrototypeOf;
/** The realm's own Object.prototype, as it was at install. */
export const ObjectPrototype: object = Object.prototype;
export const create: typeof Object.create = Object.create;
export const hasOwn: (o: object, k: PropertyKey) => boolean = Object.hasOwn;
export const objectValues: (o: object) => unknown[] = Object.values;
export const isArray: (v: unknown) => v is unknown[] = Array.isArray;
export const isView: (v: unknown) => v is ArrayBufferView = ArrayBuffer.isView;
export const jsonParse: (s: string) => unknown = JSON.parse;
export const toStr: (v: unknown) => string = String;

/** The message of what a refused call throws (a page's own error handling shows it); also a missing built-in's. */
export const BLOCKED = 'Upload Guard: blocked';
function missing(): never {
  throw new TypeError(BLOCKED);
}
/** `w[name].prototype`, of this realm or of a child window; undefined when there is none. */
export const protoOf = (name: string, w: any = G): any => w[name]?.prototype;
/** A prototype's method as a plain function (`nativeMethod(p, 'slice')(blob, 0, 10)`), or null. */
export const nativeMethod = (p: any, key: PropertyKey): Fn | null => (p && isFn(p[key]) ? uncurry(p[key]) : null);
/** A prototype's getter (or its chain's) as a plain function, or null. Throws for objects of another kind. */
export const nativeGetter = (p: any, key: string): Fn | null => {
  for (; p; p = getPrototypeOf(p)) {
    const d = getOwnPropertyDescriptor(p, key);
    if (d) return d.get ? uncurry(d.get) : null;
  }
  return null;
};
/** method('Blob', 'slice')(blob, 0, 10); one that is missing throws when called. */
export const method = (name: string, key: PropertyKey): Fn => nativeMethod(protoOf(name), key) ?? missing;
/** getter('Blob', 'size')(blob); one that is missing throws when called. */
export const getter = (name: string, key: string): Fn => nativeGetter(protoOf(name), key) ?? missing;
/**
 * `name`'s methods named in `keys`, space-separated, in that order, a getter for a name written `.name`:
 * one capture for many (this file is size-bound).
 */
const natives = (name: string, keys: string): any => keys.split(' ').map((k) => (k[0] === '.' ? getter(name, k.slice(1)) : method(name, k)));
/** True when `brand(v)` accepts v: WebIDL getters throw on objects of another interface, in any realm. */
const is = (brand: Fn) => (v: unknown): boolean => {
  if (v === null || typeof v !== 'object') return false;
  try {
    brand(v);
    return true;
  } catch {
    return false;
  }
};

// ---------- constructors (a `new` on a captured constructor looks up nothing the page can change) ----------
export const SafeWeakMap: WeakMapConstructor = WeakMap;
export const SafeWeakSet: WeakSetConstructor = WeakSet;
export const SafeMap: MapConstructor = Map;
export const SafeSet: SetConstructor = Set;
export const SafePromise: PromiseConstructor = Promise;
export const SafeTypeError: TypeErrorConstructor = TypeError;
export const SafeBlob: typeof Blob = G.Blob;
export const SafeFile: typeof File = G.File;
export const SafeFormData: typeof FormData = G.FormData;
export const SafeURLSearchParams: typeof URLSearchParams = G.URLSearchParams;
export const SafeHeaders: typeof Headers = G.Headers;
export const SafeMessageChannel: typeof MessageChannel = G.MessageChannel;
export const SafeDOMException: typeof DOMException = G.DOMException;
export const SafeEvent: typeof Event = G.Event;
export const SafeCustomEvent: typeof CustomEvent = G.CustomEvent;
export const SafeProgressEvent: typeof ProgressEvent = G.ProgressEvent;
export const SafeURL: typeof URL = G.URL;
/** Called as plain functions (no receiver), which the platform allows. */
export const atob: (s: string) => string = G.atob;
export const setTimer: (f: () => void, ms: number) => number = G.setTimeout;

// ---------- language built-ins ----------
export const [weakMapGet, weakMapSet, weakMapHas]: [
  <K extends object, V>(m: WeakMap<K, V>, k: K) => V | undefined,
  <K extends object, V>(m: WeakMap<K, V>, k: K, v: V) => void,
  <K extends object>(m: WeakMap<K, unknown>, k: K) => boolean,
] = natives('WeakMap', 'get set has');
export const [weakSetHas, weakSetAdd]: [<T extends object>(s: WeakSet<T>, v: T) => boolean, <T extends object>(s: WeakSet<T>, v: T) => void] = natives('WeakSet', 'has add');
export const [mapGet, mapSet, mapDelete, mapForEach, mapSize]: [
  <K, V>(m: Map<K, V>, k: K) => V | undefined,
  <K, V>(m: Map<K, V>, k: K, v: V) => void,
  <K>(m: Map<K, unknown>, k: K) => boolean,
  <K, V>(m: Map<K, V>, f: (v: V, k: K) => void) => void,
  Fn,
] = natives('Map', 'get set delete forEach .size');
export const [setAdd, setHas, setForEach, setSize]: [<T>(s: Set<T>, v: T) => void, <T>(s: Set<T>, v: T) => boolean, <T>(s: Set<T>, f: (v: T) => void) => void, Fn] = natives(
  'Set',
  'add has forEach .size',
);
/**
 * One method or getter (`.name`) each of many interfaces, `Interface key` comma-separated: one capture
 * for all of them (this file is size-bound).
 */
const singles = (spec: string): any => spec.split(',').map((one) => natives(...(one.split(' ') as [string, string]))[0]);
const [
  promiseThen,
  regExpExec,
  arrayJoin,
  rangeStart,
  fragmentQuery,
  portPost, messageData, wsReadyState, rtcReadyState, getFile, getWriter, readerRead, inputType, serialize, urlHref, navigateDestination, destinationUrl, typedArrayBuffer, dataViewBuffer, idbRequestTransaction, idbTransactionAbort, idbStoreCount, formDataOf,
]: [
  /** Promise.prototype.then as it was: the new promise it makes (callers that only chain ignore it). */
  <T, U = void>(p: Promise<T>, ok: (v: T) => U, err?: (e: unknown) => void) => Promise<Awaited<U>>,
  (re: RegExp, s: string) => RegExpExecArray | null,
  (a: unknown[], sep: string) => string,
  (r: unknown) => unknown,
  (f: unknown, sel: string) => Element | null,
  (p: MessagePort, m: unknown) => void,
  (e: MessageEvent) => unknown,
  (ws: WebSocket) => number,
  (c: RTCDataChannel) => string,
  (h: FileSystemFileHandle) => Promise<File>,
  (s: WritableStream) => WritableStreamDefaultWriter,
  (r: ReadableStreamDefaultReader) => Promise<ReadableStreamReadResult<unknown>>,
  (e: HTMLInputElement) => string,
  (x: XMLSerializer, n: Node) => string,
  (u: URL) => string,
  (e: Event) => { url: string },
  (d: unknown) => string,
  (v: ArrayBufferView) => ArrayBufferLike,
  (v: ArrayBufferView) => ArrayBufferLike,
  (r: IDBRequest) => IDBTransaction | null,
  (t: IDBTransaction) => void,
  (s: IDBObjectStore) => IDBRequest,
  (e: Event) => FormData,
] = singles(`Promise then,RegExp exec,Array join,Range .startContainer,DocumentFragment querySelector,MessagePort postMessage,MessageEvent .data,WebSocket .readyState,RTCDataChannel .readyState,${FILE_HANDLE} getFile,WritableStream getWriter,${READER} read,${INPUT} .type,XMLSerializer serializeToString,URL .href,NavigateEvent .destination,NavigationDestination .url,Uint8Array .buffer,DataView .buffer,IDBRequest .transaction,${IDB_TX} abort,${IDB_STORE} count,FormDataEvent .formData`);
export { promiseThen, regExpExec, arrayJoin, rangeStart, fragmentQuery, portPost, messageData, wsReadyState, rtcReadyState, getFile, getWriter, readerRead, inputType, urlHref, navigateDestination, destinationUrl, idbRequestTransaction, idbTransactionAbort, idbStoreCount, formDataOf };
export const [stringSlice, stringIncludes, stringReplace, stringToLowerCase]: [
  (s: string, a: number, b?: number) => string,
  (s: string, x: string) => boolean,
  (s: string, re: RegExp, f: (...m: string[]) => string) => string,
  (s: string) => string,
] = natives('String', 'slice includes replace toLowerCase');

export const ITERATOR: typeof Symbol.iterator = Symbol.iterator;

/**
 * Defines `o[key]` as an own data property, `v`, with the attributes in `flags` (WRITABLE | ENUMERABLE |
 * CONFIGURABLE): a descriptor without a prototype, so no Object.prototype getter the page added is read.
 */
/** A property descriptor the page cannot bend (no inherited `value`/`get`/`set` from Object.prototype). */
export function own(key: 'value' | 'get', v: unknown): PropertyDescriptor {
  const d = create(null);
  d[key] = v;
  return d;
}

export function defineValue(o: object, key: PropertyKey, v: unknown, flags: number): void {
  const d = own('value', v);
  d.writable = (flags & 1) !== 0;
  d.enumerable = (flags & 2) !== 0;
  d.configurable = (flags & 4) !== 0;
  defineProperty(o, key, d);
}
export const WRITABLE = 1;
export const ENUMERABLE = 2;
export const CONFIGURABLE = 4;

/** Appends to an array made by the hooks without a Set on the array: an index setter on Array.prototype never runs. */
export function append<T>(list: T[], v: T): void {
  defineValue(list, list.length, v, 7);
}

/**
 * An iterable the hooks hand to a WebIDL sequence argument (the Blob constructor): its iterator is its
 * own, so a page that replaced Array.prototype[Symbol.iterator] or the array iterator's next() cannot
 * make the hooks copy nothing (or something else).
 */
export function sequence<T>(list: readonly T[]): T[] {
  let i = 0;
  const it = { next: () => (i < list.length ? { done: false, value: list[i++] } : { done: true, value: undefined }) };
  return { [ITERATOR]: () => it } as unknown as T[]; // typed as the array it stands for
}

// ---------- platform objects: brand checks and the methods the hooks use ----------
export const [blobSize, blobType, blobText, blobBytes]: [(b: Blob) => number, (b: Blob) => string, (b: Blob) => Promise<string>, (b: Blob) => Promise<ArrayBuffer>] = natives(
  'Blob',
  '.size .type text arrayBuffer',
);
export const [fileName, fileModified]: [(f: File) => string, (f: File) => number] = natives('File', '.name .lastModified');
export const isBlob = is(blobSize) as (v: unknown) => v is Blob;
export const isFile = is(fileName) as (v: unknown) => v is File;
export const [formDataForEach, formDataAppend, formDataHas]: [
  (fd: FormData, f: (v: FormDataEntryValue, k: string) => void) => void,
  (fd: FormData, ...a: unknown[]) => void,
  (fd: FormData, k: string) => boolean,
] = natives(FORM_DATA, 'forEach append has');
export const isFormData = is((v: FormData) => formDataHas(v, '')) as (v: unknown) => v is FormData;
export const [paramsForEach, paramsToString, paramsSize]: [(p: URLSearchParams, f: (v: string, k: string) => void) => void, (p: URLSearchParams) => string, Fn] = natives(
  'URLSearchParams',
  'forEach toString .size',
);
export const isParams = is(paramsSize) as (v: unknown) => v is URLSearchParams;
export const isArrayBuffer = is(getter('ArrayBuffer', 'byteLength')) as (v: unknown) => v is ArrayBuffer;
export const [requestBody, requestHeaders, requestUrl, requestClone, requestBlob, requestFormData]: [
  (r: Request) => ReadableStream | null,
  (r: Request) => Headers,
  (r: Request) => string,
  (r: Request) => Request,
  (r: Request) => Promise<Blob>,
  (r: Request) => Promise<FormData>,
] = natives(REQUEST, '.body .headers .url clone blob formData');
export const isRequest = is(requestBody) as (v: unknown) => v is Request;
export const [headersGet, headersForEach]: [(h: Headers, name: string) => string | null, (h: Headers, f: (v: string, k: string) => void) => void] = natives('Headers', 'get forEach');
export const [streamLocked, getReader]: [Fn, (s: ReadableStream) => ReadableStreamDefaultReader] = natives('ReadableStream', '.locked getReader');
export const [documentUrl, documentElement]: [Fn, (d: Document) => Element | null] = natives('Document', '.URL .documentElement');
export const isReadableStream = is(streamLocked) as (v: unknown) => v is ReadableStream;
export const isDocument = is(documentUrl) as (v: unknown) => v is Document;
export const [dispatch, addListener]: [(t: EventTarget, e: Event) => boolean, (t: EventTarget, type: string, f: (e: Event) => void, capture?: boolean) => void] = natives(
  'EventTarget',
  'dispatchEvent addEventListener',
);
export const SafeWritableStream: typeof WritableStream | undefined = G.WritableStream;
export const [writerWrite, writerClose, writerAbort]: [
  (w: WritableStreamDefaultWriter, chunk: unknown) => Promise<void>,
  (w: WritableStreamDefaultWriter) => Promise<void>,
  (w: WritableStreamDefaultWriter, reason: unknown) => Promise<void>,
] = natives('WritableStreamDefaultWriter', 'write close abort');

// ---------- the DOM the form and file-input hooks read ----------

export const [fileListLength, fileListItem]: [(l: FileList) => number, (l: FileList, i: number) => File | null] = natives('FileList', '.length item');
export const isFileList = is(fileListLength) as (v: unknown) => v is FileList;
export const [isConnected, ownerDocument, parentNode, nodeType, appendChild]: [(n: Node) => boolean, (n: Node) => Document, (n: unknown) => unknown, (n: unknown) => number, (p: Node, c: Node) => Node] = natives(
  'Node',
  '.isConnected .ownerDocument .parentNode .nodeType appendChild',
);
const serializer = G.XMLSerializer ? new G.XMLSerializer() : null;
/** A node as markup, the whole of it (a Document with its doctype and top-level comments), as XMLHttpRequest sends it. */
export const markupOf = (n: Node): string => serialize(serializer!, n);
export const [removeElement, tagName, matches, elementQuery]: [(e: Element) => void, (e: Element) => string, (e: unknown, s: string) => boolean, (e: unknown, s: string) => Element | null] =
  natives('Element', 'remove .tagName matches querySelector');

// ---------- URLs, navigation, constructors and messages (url.ts, sources.ts, messages.ts, shadow.ts) ----------
export const construct: typeof Reflect.construct = Reflect.construct;
export const setPrototypeOf: typeof Object.setPrototypeOf = Object.setPrototypeOf;
export const [eventCancelable, preventDefault]: [(e: Event) => boolean, (e: Event) => void] = natives('Event', '.cancelable preventDefault');
export const isMap = is(mapSize) as (v: unknown) => v is Map<unknown, unknown>;
export const isSet = is(setSize) as (v: unknown) => v is Set<unknown>;
/** The buffer under a typed array or a DataView. */
export function viewBuffer(v: ArrayBufferView): ArrayBufferLike {
  try {
    return typedArrayBuffer(v);
  } catch {
    return dataViewBuffer(v);
  }
}
