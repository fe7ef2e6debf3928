/**
 * MAIN-world page hooks, injected at document_start before any page script.
 *
 * DOM-event channels (file-input, drop, paste, form-submit) are gated by the ISOLATED-world guard.
 * This script catches what never raises a DOM event: a page script that builds a FormData / Blob / string
 * and sends it with fetch, XMLHttpRequest, sendBeacon or WebSocket, calls form.submit() (no submit event),
 * appends a File to a FormData, or reads files through showOpenFilePicker.
 *
 * Text is checked here, synchronously (scanText on a size-capped string): clean text, the common case,
 * costs a regex pass and never waits. Files and byte bodies cross the private port to the guard, which
 * scans where the bytes are, asks the background, shows the warning and answers proceed / stop.
 *
 * No extension APIs here (MAIN world has none) and nothing that the page could have tampered with:
 * every built-in we rely on is captured before page scripts run.
 */
import { checkName, scanText } from '../../src/detect/index.js';
import type { Designated } from '../../src/detect/types.js';
import type { Channel } from '../shared/messages.js';
import { ADOPT_EVENT, HANDSHAKE, type Subject, type ToGuard, type ToHooks } from './bridge.js';
import { readForm } from './form-fields.js';

/** Longest text body scanned synchronously; a prompt or a mail body is far smaller. */
const TEXT_CAP = 4 * 1024 * 1024;
/** Structured JSON walk budget (strings collected) when a body has escapes that could hide the stamp. */
const JSON_STRINGS_CAP = 2 * 1024 * 1024;

/** Outcome of looking at a body: nothing to wait for, or a decision that comes later. */
type Gate = { ready: true } | { ready: false; refusedNow: boolean; result: Promise<boolean> };
const READY: Gate = { ready: true };

// ---------- the line to the guard ----------
const OrigMessageChannel = MessageChannel;
const channel = new OrigMessageChannel();
const port = channel.port1;
let guarded: boolean | null = null; // null until the guard's config arrives
let designated: Partial<Designated> | undefined;
let nextId = 1;
const pending = new Map<number, (proceed: boolean) => void>();

port.onmessage = (e: MessageEvent<ToHooks>) => {
  const m = e.data;
  if (m.t === 'config') {
    guarded = m.guarded;
    designated = m.designated;
    // Not a guarded page after all: everything held so far goes through untouched.
    if (!guarded) {
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve(true);
      }
    }
  } else if (m.t === 'answer') {
    const resolve = pending.get(m.id);
    pending.delete(m.id);
    resolve?.(m.proceed);
  }
};
window.postMessage({ [HANDSHAKE]: true }, '*', [channel.port2]);

function ask(ch: Channel, subjects: Subject[]): Promise<boolean> {
  if (guarded === false || subjects.length === 0) return Promise.resolve(true);
  const id = nextId++;
  return new Promise<boolean>((resolve) => {
    pending.set(id, resolve);
    const msg: ToGuard = { t: 'check', id, channel: ch, subjects };
    port.postMessage(msg);
  });
}

// ---------- per-object verdict cache and provenance ----------
/** One decision per Blob object: a chunked upload sends the same File (or its slices) many times. */
const decided = new WeakMap<Blob, Promise<boolean>>();
/** slice → the Blob it was cut from, so every chunk of a resumable upload shares the file's decision. */
const parentOf = new WeakMap<Blob, Blob>();

function rootOf(b: Blob): Blob {
  let cur = b;
  for (let p = parentOf.get(cur); p; p = parentOf.get(cur)) cur = p;
  return cur;
}

function isFile(b: Blob): b is File {
  return typeof (b as File).name === 'string' && typeof (b as File).lastModified === 'number';
}

/** Gate for one Blob (a File, a slice of one, or bytes the page made). */
function gateBlob(ch: Channel, b: Blob): Gate {
  const root = rootOf(b);
  const known = decided.get(root);
  // Already asked (e.g. when it was appended to a FormData): share that answer, but a sync API must
  // still say no at once to a name-marked file.
  if (known) return { ready: false, refusedNow: isFile(root) && checkName(root.name, designated) !== null, result: known };
  let refusedNow = false;
  let subject: Subject;
  if (isFile(root)) {
    // Rule 2 (and designated name patterns) need no bytes: a sync API can say no at once.
    refusedNow = checkName(root.name, designated) !== null;
    subject = { kind: 'file', blob: root, name: root.name };
  } else {
    subject = { kind: 'bytes', blob: root };
  }
  const result = ask(ch, [subject]);
  decided.set(root, result);
  return { ready: false, refusedNow, result };
}

// ---------- text ----------
/** The text in which a marking was found (a JSON body's strings, a form body's values), or null. */
function markedText(text: string): string | null {
  const s = text.length > TEXT_CAP ? text.slice(0, TEXT_CAP) : text;
  if (scanText(s, designated).verdict === 'marked') return s;
  // A JSON body escapes line breaks (`秘\nConfidential`) and may escape any character (\u79d8):
  // read it as JSON only when it has escapes at all, so a plain clean body costs one regex pass.
  if (s.includes('\\') && /^\s*[[{"]/.test(s)) {
    try {
      const strings: string[] = [];
      collectStrings(JSON.parse(s), strings, { left: JSON_STRINGS_CAP });
      const joined = strings.join('\n');
      if (strings.length && scanText(joined, designated).verdict === 'marked') return joined;
    } catch {
      /* not JSON after all */
    }
  }
  // application/x-www-form-urlencoded: 秘 travels as %E7%A7%98.
  if (s.includes('%') && /^[^=&\s]+=[^\s]*$/.test(s.slice(0, 2000))) {
    try {
      const values = Array.from(new URLSearchParams(s).values()).join('\n');
      if (scanText(values, designated).verdict === 'marked') return values;
    } catch {
      /* ignore */
    }
  }
  return null;
}

function collectStrings(v: unknown, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (typeof v === 'string') {
    out.push(v);
    budget.left -= v.length;
  } else if (Array.isArray(v)) {
    for (const x of v) collectStrings(x, out, budget);
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) collectStrings(x, out, budget);
  }
}

function gateText(ch: Channel, text: string): Gate {
  const marked = markedText(text);
  if (marked === null) return READY;
  // The guard gets the decoded text (the prompt itself, not its JSON), so an approval given for the
  // prompt in the Enter-key dialog covers the request that carries it.
  return { ready: false, refusedNow: true, result: ask(ch, [{ kind: 'text', text: marked.slice(0, TEXT_CAP) }]) };
}

// ---------- bodies ----------
function combine(gates: Gate[]): Gate {
  const waiting = gates.filter((g): g is Extract<Gate, { ready: false }> => !g.ready);
  if (waiting.length === 0) return READY;
  return {
    ready: false,
    refusedNow: waiting.some((g) => g.refusedNow),
    result: Promise.all(waiting.map((g) => g.result)).then((all) => all.every(Boolean)),
  };
}

function gateBody(ch: Channel, body: unknown): Gate {
  if (guarded === false || body == null) return READY;
  if (typeof body === 'string') return gateText(ch, body);
  if (body instanceof URLSearchParams) return gateText(ch, Array.from(body.values()).join('\n'));
  if (body instanceof FormData) {
    const gates: Gate[] = [];
    const texts: string[] = [];
    for (const [, v] of body) {
      if (typeof v === 'string') texts.push(v);
      else gates.push(gateBlob(ch === 'xhr' || ch === 'fetch' ? ch : ch, v));
    }
    if (texts.length) gates.push(gateText(ch, texts.join('\n')));
    return combine(gates);
  }
  if (body instanceof Blob) return gateBlob(ch, body);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const view = body as ArrayBuffer | ArrayBufferView;
    if ((view as ArrayBuffer).byteLength === 0) return READY;
    // Bytes the page read from somewhere: stopped only when the engine finds a marking in them.
    const blob = new Blob([view as BlobPart]);
    return { ready: false, refusedNow: false, result: ask(ch, [{ kind: 'bytes', blob }]) };
  }
  return READY; // ReadableStream, Document: not inspected (see report: gaps)
}

function gateForm(form: HTMLFormElement): Gate {
  const { texts, files } = readForm(form);
  const gates: Gate[] = files.map((f) => gateBlob('form', f));
  if (texts.length) gates.push(gateText('form', texts.join('\n')));
  return combine(gates);
}

// ---------- installing the hooks (this window, and same-origin child windows the page reaches) ----------
const hooked = new WeakSet<object>();
const MARK = '__uploadGuardHooks';

function install(w: Window & typeof globalThis): void {
  if (hooked.has(w)) return;
  hooked.add(w);
  try {
    // A child frame whose own copy of this script already ran (or that a parent hooked) is left alone.
    if (Object.getOwnPropertyDescriptor(w, MARK)) return;
    Object.defineProperty(w, MARK, { value: true });
  } catch {
    return;
  }

  // fetch: hold with a pending Promise; a refusal looks like a network failure (TypeError).
  const origFetch = w.fetch;
  w.fetch = function fetch(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // eslint-disable-next-line prefer-rest-params -- the page's own arguments object, passed on as is: the same count (an explicit `undefined` stays) so the hook changes nothing the original fetch sees
    const args = arguments as unknown as [RequestInfo | URL, RequestInit?];
    if (guarded === false) return origFetch.apply(this, args);
    let gate: Gate | Promise<Gate> = READY;
    if (init && init.body != null) gate = gateBody('fetch', init.body);
    else if (input instanceof w.Request && input.body) gate = gateRequest(input);
    if (!(gate instanceof Promise) && gate.ready) return origFetch.apply(this, args);
    return Promise.resolve(gate)
      .then((g) => (g.ready ? true : g.result))
      .then((ok) => (ok ? origFetch.apply(this, args) : Promise.reject(new TypeError('Failed to fetch'))));
  } as typeof fetch;

  // XMLHttpRequest: defer send; a refusal fires readystatechange(4) → error → loadend with status 0.
  const XHR = w.XMLHttpRequest.prototype;
  const origOpen = XHR.open;
  const origSend = XHR.send;
  const isAsync = new WeakMap<XMLHttpRequest, boolean>();
  XHR.open = function open(this: XMLHttpRequest, ...a: unknown[]) {
    isAsync.set(this, a.length < 3 || a[2] !== false);
    return (origOpen as (...x: unknown[]) => void).apply(this, a);
  } as typeof XHR.open;
  XHR.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    if (guarded === false || body == null) return origSend.call(this, body);
    const gate = gateBody('xhr', body);
    if (gate.ready) return origSend.call(this, body);
    if (isAsync.get(this) === false) {
      // A synchronous request cannot wait for a scan: refuse unless the decision is already known.
      throw new DOMException('Upload Guard: blocked', 'NetworkError');
    }
    gate.result.then((ok) => {
      if (!ok) return failXhr(this);
      try {
        origSend.call(this, body);
      } catch {
        /* the page aborted or re-opened it meanwhile */
      }
    });
  };

  // sendBeacon: synchronous boolean. A marking found without reading bytes → false now.
  const nav = w.navigator;
  if (typeof nav.sendBeacon === 'function') {
    const origBeacon = nav.sendBeacon;
    nav.sendBeacon = function sendBeacon(this: Navigator, url: string | URL, data?: BodyInit | null): boolean {
      if (guarded === false || data == null) return origBeacon.call(this, url, data);
      const gate = gateBody('beacon', data);
      if (gate.ready) return origBeacon.call(this, url, data);
      if (gate.refusedNow) {
        void gate.result; // the guard still reports and explains
        return false;
      }
      // Bytes to scan first: the beacon is queued (true) and leaves only if allowed.
      gate.result.then((ok) => ok && origBeacon.call(nav, url, data));
      return true;
    };
  }

  // WebSocket.send: per-socket queue, so frames stay in order while one waits for a scan.
  const WS = w.WebSocket.prototype;
  const origWsSend = WS.send;
  const queues = new WeakMap<WebSocket, Promise<void>>();
  WS.send = function send(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    if (guarded === false || this.readyState !== 1) return origWsSend.call(this, data);
    const gate = gateBody('websocket', data);
    const q = queues.get(this);
    if (gate.ready && !q) return origWsSend.call(this, data);
    const next = (q ?? Promise.resolve())
      .then(() => (gate.ready ? true : gate.result))
      .then((ok) => {
        if (ok && this.readyState === 1) origWsSend.call(this, data);
      });
    queues.set(this, next);
    void next.finally(() => queues.get(this) === next && queues.delete(this));
  };

  // FormData.append/set of a File/Blob: start the decision now, so the send that follows finds it ready.
  const FD = w.FormData.prototype;
  const origGetAll = FD.getAll;
  for (const m of ['append', 'set'] as const) {
    const orig = FD[m] as (...a: unknown[]) => void;
    (FD as unknown as Record<string, unknown>)[m] = function (this: FormData, ...a: unknown[]) {
      const r = orig.apply(this, a);
      const value = a[1];
      if (guarded !== false && value instanceof w.Blob) {
        const all = origGetAll.call(this, String(a[0]));
        const stored = all[all.length - 1];
        // FormData stores a File: the same object, or a new one when a Blob was given or a filename
        // passed. A re-wrapped File under the same name shares its source's decision; a new name is
        // judged as a file of its own (rule 2 looks at the name it will carry).
        if (stored instanceof w.Blob) {
          // A chunk of a picked file (resumable uploads append slices under the file's name) keeps
          // the file's decision; scanning a fragment alone would call it corrupt.
          if (stored !== value && ((isFile(value) && isFile(stored) && stored.name === value.name) || parentOf.has(value))) {
            parentOf.set(stored, value);
          }
          gateBlob('form-data', stored);
        }
      }
      return r;
    };
  }

  // Blob.slice: remember where each chunk came from (resumable uploads of Drive, GigaFile便).
  const origSlice = w.Blob.prototype.slice;
  w.Blob.prototype.slice = function slice(this: Blob, ...a: unknown[]) {
    const part = (origSlice as (...x: unknown[]) => Blob).apply(this, a);
    parentOf.set(part, this);
    return part;
  } as typeof Blob.prototype.slice;

  // form.submit() fires no submit event, so the guard's listener never sees it.
  // (requestSubmit() does fire one: form-submit.ts in the guard gates that path.)
  const Form = w.HTMLFormElement.prototype;
  const origSubmit = Form.submit;
  Form.submit = function submit(this: HTMLFormElement) {
    if (guarded === false) return origSubmit.call(this);
    const gate = gateForm(this);
    if (gate.ready) return origSubmit.call(this);
    gate.result.then((ok) => ok && origSubmit.call(this));
  };

  // showOpenFilePicker: check the picked files before the page gets the handles; refusal looks like cancel.
  const pick = (w as unknown as { showOpenFilePicker?: (...a: unknown[]) => Promise<FileSystemFileHandle[]> })
    .showOpenFilePicker;
  if (typeof pick === 'function') {
    (w as unknown as Record<string, unknown>).showOpenFilePicker = async function showOpenFilePicker(
      this: unknown,
      ...a: unknown[]
    ) {
      const handles = await pick.apply(this, a);
      if (guarded === false) return handles;
      const files = await Promise.all(handles.map((h) => h.getFile()));
      const ok = await ask(
        'file-picker',
        files.map((f) => ({ kind: 'file', blob: f, name: f.name }) as Subject),
      );
      if (!ok) throw new DOMException('The user aborted a request.', 'AbortError');
      return handles;
    };
  }

  // Programmatic click()/showPicker() on a file input that is not in the document: the guard's
  // window listeners can never see its events, so hand the element to the guard once.
  const Input = w.HTMLInputElement.prototype;
  for (const m of ['click', 'showPicker'] as const) {
    const orig = Input[m] as ((this: HTMLInputElement) => void) | undefined;
    if (typeof orig !== 'function') continue;
    (Input as unknown as Record<string, unknown>)[m] = function (this: HTMLInputElement) {
      if (this.type === 'file' && guarded !== false) adopt(this);
      return orig.call(this);
    };
  }

  // Same-origin child frames reached through the parent (about:blank, srcdoc) get the same hooks
  // at once, before the page can borrow their untouched fetch.
  for (const Ctor of [w.HTMLIFrameElement, w.HTMLFrameElement]) {
    const proto = Ctor?.prototype;
    const desc = proto && Object.getOwnPropertyDescriptor(proto, 'contentWindow');
    if (!desc?.get) continue;
    const get = desc.get;
    Object.defineProperty(proto, 'contentWindow', {
      ...desc,
      get(this: HTMLIFrameElement) {
        const child = get.call(this) as (Window & typeof globalThis) | null;
        if (child) tryInstall(child);
        return child;
      },
    });
    const docDesc = Object.getOwnPropertyDescriptor(proto, 'contentDocument');
    if (docDesc?.get) {
      const getDoc = docDesc.get;
      Object.defineProperty(proto, 'contentDocument', {
        ...docDesc,
        get(this: HTMLIFrameElement) {
          const d = getDoc.call(this) as Document | null;
          if (d?.defaultView) tryInstall(d.defaultView as Window & typeof globalThis);
          return d;
        },
      });
    }
  }

  function gateRequest(req: Request): Promise<Gate> {
    // A Request carrying its own body: read a copy (the page's Request stays unread).
    return req
      .clone()
      .blob()
      .then(async (b) => {
        if (b.size === 0) return READY;
        if (/^(text\/|application\/(json|x-www-form-urlencoded))/.test(b.type) && b.size <= TEXT_CAP) {
          return gateText('fetch', await b.text());
        }
        return gateBlob('fetch', b);
      });
  }
}

function tryInstall(child: Window & typeof globalThis): void {
  try {
    void child.location.href; // throws for a cross-origin frame: that frame runs its own copy
    install(child);
  } catch {
    /* cross-origin */
  }
}

const adopted = new WeakSet<HTMLInputElement>();
function adopt(el: HTMLInputElement): void {
  if (adopted.has(el)) return;
  adopted.add(el);
  if (el.isConnected) return; // in the document (or an open shadow root): the guard sees its composed `input`
  const doc = el.ownerDocument;
  const root = doc.documentElement;
  if (!root) return;
  // Briefly connect it so one event can travel to the guard's window listener, which then listens on
  // the element itself. Synchronous: the page never observes it connected.
  root.appendChild(el);
  try {
    el.dispatchEvent(new CustomEvent(ADOPT_EVENT));
  } finally {
    el.remove();
  }
}

function failXhr(xhr: XMLHttpRequest): void {
  // What a network error looks like to the page.
  for (const [k, v] of [
    ['readyState', 4],
    ['status', 0],
    ['statusText', ''],
    ['responseText', ''],
    ['response', ''],
  ] as const) {
    try {
      Object.defineProperty(xhr, k, { value: v, configurable: true });
    } catch {
      /* ignore */
    }
  }
  xhr.dispatchEvent(new Event('readystatechange'));
  xhr.dispatchEvent(new ProgressEvent('error'));
  xhr.dispatchEvent(new ProgressEvent('loadend'));
}

install(window as Window & typeof globalThis);
