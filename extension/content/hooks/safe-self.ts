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
const method = (name: string, key: PropertyKey): Fn => nativeMethod(protoOf(name), key) ?? missing;
/** getter('Blob', 'size')(blob); one that is missing throws when called. */
const getter = (name: string, key: string): Fn => nativeGetter(protoOf(name), key) ?? missing;
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
export const weakMapGet: <K extends object, V>(m: WeakMap<K, V>, k: K) => V | undefined = method('WeakMap', 'get');
export const weakMapSet: <K extends object, V>(m: WeakMap<K, V>, k: K, v: V) => void = method('WeakMap', 'set');
export const weakMapHas: <K extends object>(m: WeakMap<K, unknown>, k: K) => boolean = method('WeakMap', 'has');
export const weakSetHas: <T extends object>(s: WeakSet<T>, v: T) => boolean = method('WeakSet', 'has');
export const weakSetAdd: <T extends object>(s: WeakSet<T>, v: T) => void = method('WeakSet', 'add');
export const mapGet: <K, V>(m: Map<K, V>, k: K) => V | undefined = method('Map', 'get');
export const mapSet: <K, V>(m: Map<K, V>, k: K, v: V) => void = method('Map', 'set');
export const mapDelete: <K>(m: Map<K, unknown>, k: K) => boolean = method('Map', 'delete');
export const mapForEach: <K, V>(m: Map<K, V>, f: (v: V, k: K) => void) => void = method('Map', 'forEach');
export const setAdd: <T>(s: Set<T>, v: T) => void = method('Set', 'add');
export const setHas: <T>(s: Set<T>, v: T) => boolean = method('Set', 'has');
export const setForEach: <T>(s: Set<T>, f: (v: T) => void) => void = method('Set', 'forEach');
/** Promise.prototype.then as it was: the new promise it makes (callers that only chain ignore it). */
export const promiseThen: <T, U = void>(p: Promise<T>, ok: (v: T) => U, err?: (e: unknown) => void) => Promise<Awaited<U>> = method('Promise', 'then');
export const stringSlice: (s: string, a: number, b?: number) => string = method('String', 'slice');
export const stringIncludes: (s: string, x: string) => boolean = method('String', 'includes');
export const stringReplace: (s: string, re: RegExp, f: (...m: string[]) => string) => string = method('String', 'replace');
export const regExpExec: (re: RegExp, s: string) => RegExpExecArray | null = method('RegExp', 'exec');
export const arrayJoin: (a: unknown[], sep: string) => string = method('Array', 'join');

const ITERATOR: typeof Symbol.iterator = Symbol.iterator;

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
export const blobSize: (b: Blob) => number = getter('Blob', 'size');
export const blobType: (b: Blob) => string = getter('Blob', 'type');
export const blobText: (b: Blob) => Promise<string> = method('Blob', 'text');
export const blobBytes: (b: Blob) => Promise<ArrayBuffer> = method('Blob', 'arrayBuffer');
export const fileName: (f: File) => string = getter('File', 'name');
export const fileModified: (f: File) => number = getter('File', 'lastModified');
export const isBlob = is(blobSize) as (v: unknown) => v is Blob;
export const isFile = is(fileName) as (v: unknown) => v is File;
export const formDataForEach: (fd: FormData, f: (v: FormDataEntryValue, k: string) => void) => void = method(FORM_DATA, 'forEach');
export const formDataAppend: (fd: FormData, ...a: unknown[]) => void = method(FORM_DATA, 'append');
const formDataHas: (fd: FormData, k: string) => boolean = method(FORM_DATA, 'has');
export const isFormData = is((v: FormData) => formDataHas(v, '')) as (v: unknown) => v is FormData;
const PARAMS = 'URLSearchParams';
export const paramsForEach: (p: URLSearchParams, f: (v: string, k: string) => void) => void = method(PARAMS, 'forEach');
export const paramsToString: (p: URLSearchParams) => string = method(PARAMS, 'toString');
export const isParams = is(getter(PARAMS, 'size')) as (v: unknown) => v is URLSearchParams;
export const isArrayBuffer = is(getter('ArrayBuffer', 'byteLength')) as (v: unknown) => v is ArrayBuffer;
export const requestBody: (r: Request) => ReadableStream | null = getter(REQUEST, 'body');
export const requestClone: (r: Request) => Request = method(REQUEST, 'clone');
export const requestBlob: (r: Request) => Promise<Blob> = method(REQUEST, 'blob');
export const isRequest = is(requestBody) as (v: unknown) => v is Request;
export const requestHeaders: (r: Request) => Headers = getter(REQUEST, 'headers');
export const requestFormData: (r: Request) => Promise<FormData> = method(REQUEST, 'formData');
export const headersGet: (h: Headers, name: string) => string | null = method('Headers', 'get');
export const headersForEach: (h: Headers, f: (v: string, k: string) => void) => void = method('Headers', 'forEach');
export const isReadableStream = is(getter('ReadableStream', 'locked')) as (v: unknown) => v is ReadableStream;
export const isDocument = is(getter('Document', 'URL')) as (v: unknown) => v is Document;
export const portPost: (p: MessagePort, m: unknown) => void = method('MessagePort', 'postMessage');
export const messageData: (e: MessageEvent) => unknown = getter('MessageEvent', 'data');
export const dispatch: (t: EventTarget, e: Event) => boolean = method('EventTarget', 'dispatchEvent');
export const wsReadyState: (ws: WebSocket) => number = getter('WebSocket', 'readyState');
export const rtcReadyState: (c: RTCDataChannel) => string = getter('RTCDataChannel', 'readyState');
export const getFile: (h: FileSystemFileHandle) => Promise<File> = method(FILE_HANDLE, 'getFile');
export const SafeWritableStream: typeof WritableStream | undefined = G.WritableStream;
export const getWriter: (s: WritableStream) => WritableStreamDefaultWriter = method('WritableStream', 'getWriter');
const ofWriter = (key: string) => method('WritableStreamDefaultWriter', key);
export const writerWrite: (w: WritableStreamDefaultWriter, chunk: unknown) => Promise<void> = ofWriter('write');
export const writerClose: (w: WritableStreamDefaultWriter) => Promise<void> = ofWriter('close');
export const writerAbort: (w: WritableStreamDefaultWriter, reason: unknown) => Promise<void> = ofWriter('abort');
export const getReader: (s: ReadableStream) => ReadableStreamDefaultReader = method('ReadableStream', 'getReader');
export const readerRead: (r: ReadableStreamDefaultReader) => Promise<ReadableStreamReadResult<unknown>> = method(READER, 'read');

// ---------- the DOM the form and file-input hooks read ----------
export const tagName: (e: Element) => string = getter('Element', 'tagName');

export const inputType: (e: HTMLInputElement) => string = getter(INPUT, 'type');
export const fileListLength: (l: FileList) => number = getter('FileList', 'length');
export const fileListItem: (l: FileList, i: number) => File | null = method('FileList', 'item');
export const isFileList = is(fileListLength) as (v: unknown) => v is FileList;
export const isConnected: (n: Node) => boolean = getter('Node', 'isConnected');
export const ownerDocument: (n: Node) => Document = getter('Node', 'ownerDocument');
export const documentElement: (d: Document) => Element | null = getter('Document', 'documentElement');
const serializer = G.XMLSerializer ? new G.XMLSerializer() : null;
const serialize: (x: XMLSerializer, n: Node) => string = method('XMLSerializer', 'serializeToString');
/** A node as markup, the whole of it (a Document with its doctype and top-level comments), as XMLHttpRequest sends it. */
export const markupOf = (n: Node): string => serialize(serializer!, n);
export const appendChild: (p: Node, c: Node) => Node = method('Node', 'appendChild');
export const removeElement: (e: Element) => void = method('Element', 'remove');

// ---------- URLs, navigation, constructors and messages (url.ts, sources.ts, messages.ts, shadow.ts) ----------
export const construct: typeof Reflect.construct = Reflect.construct;
export const setPrototypeOf: typeof Object.setPrototypeOf = Object.setPrototypeOf;
export const stringToLowerCase: (s: string) => string = method('String', 'toLowerCase');
export const requestUrl: (r: Request) => string = getter(REQUEST, 'url');
export const urlHref: (u: URL) => string = getter('URL', 'href');
export const addListener: (t: EventTarget, type: string, f: (e: Event) => void, capture?: boolean) => void = method('EventTarget', 'addEventListener');
export const eventCancelable: (e: Event) => boolean = getter('Event', 'cancelable');
export const preventDefault: (e: Event) => void = method('Event', 'preventDefault');
export const navigateDestination: (e: Event) => { url: string } = getter('NavigateEvent', 'destination');
export const destinationUrl: (d: unknown) => string = getter('NavigationDestination', 'url');
export const isMap = is(getter('Map', 'size')) as (v: unknown) => v is Map<unknown, unknown>;
export const isSet = is(getter('Set', 'size')) as (v: unknown) => v is Set<unknown>;
const typedArrayBuffer: (v: ArrayBufferView) => ArrayBufferLike = getter('Uint8Array', 'buffer');
const dataViewBuffer: (v: ArrayBufferView) => ArrayBufferLike = getter('DataView', 'buffer');
/** The buffer under a typed array or a DataView. */
export function viewBuffer(v: ArrayBufferView): ArrayBufferLike {
  try {
    return typedArrayBuffer(v);
  } catch {
    return dataViewBuffer(v);
  }
}
export const idbRequestTransaction: (r: IDBRequest) => IDBTransaction | null = getter('IDBRequest', 'transaction');
export const idbTransactionAbort: (t: IDBTransaction) => void = method(IDB_TX, 'abort');
export const idbStoreCount: (s: IDBObjectStore) => IDBRequest = method(IDB_STORE, 'count');
