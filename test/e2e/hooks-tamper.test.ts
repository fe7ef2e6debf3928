/**
 * A page that tampers with the built-ins after the MAIN-world hooks are installed must not blind them.
 *
 * For each technique, in real Chromium with the built extension, on a real guarded host name: the page
 * first tampers (a plain page script, after document_start), then uploads a clean file and clean text
 * through every scripted channel (fetch with FormData / File / bytes / Request, XHR with FormData /
 * url-encoded text, sendBeacon with FormData / File, JSON prompt) — each must arrive byte for byte —
 * then the marked counterparts, none of which may reach the server. Judged only by what the server
 * receives. The clean round comes first so that techniques that harvest the hooks' originals (through
 * Function.prototype.call, Reflect.apply …) have had every chance to catch one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  CLEAN_TEXT,
  GUARDED_HOSTS,
  MARKED_TEXT,
  MARKED_TEXT_2,
  SAMPLES,
  WARNING_TAG,
  arrivals,
  launchWithExtension,
  startSiteServer,
  type Launched,
  type Sample,
  type SiteServer,
} from './support/index.js';

// This machine has no ja_JP locale: Chromium needs C.UTF-8 to handle non-ASCII file names (NOTES.md).
process.env.LC_ALL = 'C.UTF-8';

let server: SiteServer;
let browser: Launched;

beforeAll(async () => {
  server = await startSiteServer({ hosts: GUARDED_HOSTS });
  browser = await launchWithExtension({ lang: 'ja' });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Page-side uploader. Installed before the tampering (a page keeps references it took earlier, too), and
 * it prefers any native function a technique has harvested (window.__natives) over the hooked globals.
 */
const UPLOADER = `(() => {
  const natives = (window.__natives = window.__natives || {});
  const apply = Reflect.apply;
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = (p) => new File([bytes(p.b64)], p.name, { type: 'application/octet-stream', lastModified: 1700000000000 });
  const form = (f) => { const fd = new FormData(); apply(natives.append || FormData.prototype.append, fd, ['attachment', f]); return fd; };
  const doFetch = (...a) => { try { apply(natives.fetch || window.fetch, window, a).catch(() => {}); } catch {} };
  const xhr = (body, ch, type) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/upload?ch=' + ch);
    if (type) x.setRequestHeader('content-type', type);
    try { apply(natives.send || XMLHttpRequest.prototype.send, x, [body]); } catch {}
  };
  const beacon = (url, body) => { try { apply(natives.sendBeacon || navigator.sendBeacon, navigator, [url, body]); } catch {} };
  const named = (ch, p) => '/upload?ch=' + ch + '&name=' + encodeURIComponent(p.name);
  const json = (text) => JSON.stringify({ messages: [{ content: { parts: [text] } }] });
  window.__upload = {
    'fetch-form': (p) => doFetch('/upload?ch=t-fetch-form', { method: 'POST', body: form(file(p)) }),
    'fetch-file': (p) => doFetch(named('t-fetch-file', p), { method: 'POST', body: file(p) }),
    'fetch-bytes': (p) => doFetch(named('t-fetch-bytes', p), { method: 'POST', body: bytes(p.b64) }),
    'xhr-form': (p) => xhr(form(file(p)), 't-xhr-form'),
    'beacon-form': (p) => beacon('/upload?ch=t-beacon-form', form(file(p))),
    'beacon-file': (p) => beacon(named('t-beacon-file', p), file(p)),
    'fetch-json': (p) => doFetch('/backend-api/conversation?ch=t-fetch-json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: json(p.text) }),
    'xhr-urlencoded': (p) => xhr('body=' + encodeURIComponent(p.text), 't-xhr-urlencoded', 'application/x-www-form-urlencoded'),
    'fetch-request': (p) => doFetch(new Request('/upload?ch=t-fetch-request', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: p.text })),
  };
})()`;

/** Remembers every native function a replaced built-in is handed (the "harvest the originals" attack). */
const HARVEST = `(() => {
  const natives = (window.__natives = window.__natives || {});
  const toString = Function.prototype.toString, apply = Reflect.apply;
  window.__note = (f) => {
    try {
      if (typeof f === 'function' && !(f.name in natives) && apply(toString, f, []).endsWith('{ [native code] }')) natives[f.name] = f;
    } catch {}
  };
})();`;

/** Each technique: what a hostile (or merely clumsy) page script does after the hooks are installed. */
const TECHNIQUES: [string, string][] = [
  [
    'WeakMap.prototype.get turns every stored decision into a yes',
    `const get = WeakMap.prototype.get;
     WeakMap.prototype.get = function (k) {
       const v = Reflect.apply(get, this, [k]);
       if (v instanceof Promise) return Promise.resolve(true);
       if (v && typeof v === 'object') for (const key of Object.keys(v)) if (v[key] === false) v[key] = true;
       return v;
     };`,
  ],
  [
    'Map.prototype.set answers yes to every function it is handed',
    `const set = Map.prototype.set;
     Map.prototype.set = function (k, v) { if (typeof v === 'function') { try { v(true); } catch {} } return Reflect.apply(set, this, [k, v]); };`,
  ],
  [
    'Promise.prototype.then turns every false into true',
    `const then = Promise.prototype.then;
     Promise.prototype.then = function (ok, err) {
       return Reflect.apply(then, this, [typeof ok === 'function' ? (v) => ok(v === false ? true : v) : ok, err]);
     };`,
  ],
  [
    'JSON.parse sees nothing',
    `JSON.parse = function () { return {}; };`,
  ],
  [
    'MessagePort.prototype.postMessage answers every check itself',
    `const post = MessagePort.prototype.postMessage;
     MessagePort.prototype.postMessage = function (m, ...rest) {
       if (m && m.t === 'check' && typeof this.onmessage === 'function') {
         const port = this;
         setTimeout(() => port.onmessage(new MessageEvent('message', { data: { t: 'answer', id: m.id, proceed: true } })));
         return;
       }
       return Reflect.apply(post, this, [m, ...rest]);
     };`,
  ],
  [
    'MessageEvent.prototype.data forges a proceed',
    `const d = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
     Object.defineProperty(MessageEvent.prototype, 'data', { ...d, get() {
       const v = Reflect.apply(d.get, this, []);
       return v && v.t === 'answer' ? { ...v, proceed: true } : v;
     } });`,
  ],
  [
    'Function.prototype.call / apply / bind harvest the originals',
    `${HARVEST}
     const ra = Reflect.apply, slice = Array.prototype.slice;
     Function.prototype.call = function (t, ...a) { __note(this); return ra(this, t, a); };
     Function.prototype.apply = function (t, a) { __note(this); return ra(this, t, a == null ? [] : ra(slice, a, [])); };
     const bind = Function.prototype.bind;
     Function.prototype.bind = function (...a) { __note(this); return ra(bind, this, a); };`,
  ],
  [
    'Reflect.apply harvests the originals',
    `${HARVEST}
     const ra = Reflect.apply;
     Reflect.apply = function (f, t, a) { __note(f); return ra(f, t, a); };`,
  ],
  [
    'Array.prototype.push drops what is pushed; some / every / map lie',
    `const push = Array.prototype.push;
     Array.prototype.push = function (...a) { return a.some((x) => x && typeof x === 'object' && !(x instanceof Blob)) ? this.length : Reflect.apply(push, this, a); };
     Array.prototype.every = function () { return true; };
     const some = Array.prototype.some;
     Array.prototype.some = function (f) { return f && String(f).includes('refusedNow') ? false : Reflect.apply(some, this, [f]); };`,
  ],
  [
    'FormData.prototype entries / iterator / getAll show nothing',
    `FormData.prototype.entries = function* () {};
     FormData.prototype[Symbol.iterator] = function* () {};
     FormData.prototype.values = function* () {};
     FormData.prototype.getAll = function () { return []; };
     FormData.prototype.forEach = function () {};`,
  ],
  [
    'instanceof lies (Symbol.hasInstance on Blob, File, FormData, ArrayBuffer, Request, URLSearchParams) and ArrayBuffer.isView says no',
    `for (const C of [Blob, File, FormData, ArrayBuffer, Request, URLSearchParams, Uint8Array]) Object.defineProperty(C, Symbol.hasInstance, { value: () => false });
     ArrayBuffer.isView = () => false;`,
  ],
  [
    'String.prototype.includes / normalize and RegExp.prototype.exec / test blind the text scan',
    `String.prototype.includes = function () { return false; };
     const normalize = String.prototype.normalize;
     String.prototype.normalize = function () { return ''; };
     RegExp.prototype.exec = function () { return null; };
     RegExp.prototype.test = function () { return false; };`,
  ],
  [
    'Request.prototype.clone / Blob.prototype.text / arrayBuffer / slice read nothing',
    `Request.prototype.clone = function () { return new Request(this.url); };
     Blob.prototype.text = function () { return Promise.resolve(''); };
     Blob.prototype.arrayBuffer = function () { return Promise.resolve(new ArrayBuffer(0)); };
     Blob.prototype.slice = function () { return new Blob([]); };`,
  ],
  [
    'URLSearchParams, TextEncoder and URL are replaced with empty look-alikes',
    `window.URLSearchParams = class { constructor() {} values() { return [][Symbol.iterator](); } forEach() {} get() { return null; } };
     window.TextEncoder = class { encode() { return new Uint8Array(0); } };
     const U = URL; window.URL = class extends U { get search() { return ''; } };`,
  ],
  [
    'Object.defineProperty / getOwnPropertyDescriptor / keys / values and EventTarget methods are replaced',
    `Object.defineProperty = function (o) { return o; };
     Object.getOwnPropertyDescriptor = function () { return undefined; };
     Object.values = function () { return []; };
     Object.keys = function () { return []; };
     EventTarget.prototype.dispatchEvent = function () { return true; };
     EventTarget.prototype.addEventListener = function () {};`,
  ],
];

interface Payload {
  b64?: string;
  name?: string;
  text?: string;
}
const b64 = (s: Sample) => s.buffer.toString('base64');
const FILE_KINDS = ['fetch-form', 'fetch-file', 'fetch-bytes', 'xhr-form', 'beacon-form', 'beacon-file'] as const;
const TEXT_KINDS = ['fetch-json', 'xhr-urlencoded', 'fetch-request'] as const;

const clean = SAMPLES.cleanDocx(); // 秘密保持契約書_雛形.docx: a clean NDA template
const markedFiles: Record<(typeof FILE_KINDS)[number], Sample> = {
  'fetch-form': SAMPLES.contentPdf(), // 部品カタログ_印刷版.pdf: the stamp in the PDF text
  'fetch-file': SAMPLES.contentDocx(),
  'fetch-bytes': SAMPLES.contentPdf(),
  'xhr-form': SAMPLES.contentDocx(),
  'beacon-form': SAMPLES.contentPdf(),
  'beacon-file': SAMPLES.nameMarked(), // 秘—設計書.docx: clean bytes, marked by name
};
const markedTexts: Record<(typeof TEXT_KINDS)[number], string> = {
  'fetch-json': MARKED_TEXT_2, // line breaks inside the stamp: JSON escapes them (\n)
  'xhr-urlencoded': MARKED_TEXT, // percent-encoded
  'fetch-request': MARKED_TEXT, // inside a Request object
};

/** Runs one upload as page code (no evaluate arguments: Playwright's own argument passing uses the realm's Array methods). */
async function upload(page: Page, kind: string, p: Payload): Promise<void> {
  await page.evaluate(`void window.__upload[${JSON.stringify(kind)}](${JSON.stringify(p)})`);
}

/**
 * Closes every warning (Esc) until none has shown for a while: the guard shows one per refused upload,
 * the next one as soon as the last closes.
 */
async function dismissAll(page: Page, quietMs = 2_000): Promise<number> {
  let seen = 0;
  let quietSince = Date.now();
  await page.bringToFront();
  while (Date.now() - quietSince < quietMs) {
    const focused = await page.evaluate(`document.activeElement?.localName === '${WARNING_TAG}'`).catch(() => false);
    if (focused) {
      await page.keyboard.press('Escape');
      seen++;
      quietSince = Date.now();
    }
    await page.waitForTimeout(100);
  }
  return seen;
}

describe('MAIN-world hooks survive a page that tampers with built-ins', () => {
  it.each(TECHNIQUES.map(([name, code], i) => [name, code, GUARDED_HOSTS[i % GUARDED_HOSTS.length]]))(
    '%s',
    async (_name, code, host) => {
      const page = await browser.context.newPage();
      try {
        await page.goto(server.url(host));
        await page.evaluate(UPLOADER);
        await page.evaluate(`{ ${code} }`);
        const mine = () => server.received.filter((a) => a.host === host);

        // Clean files and text still arrive, byte for byte.
        server.clear();
        for (const kind of FILE_KINDS) await upload(page, kind, { b64: b64(clean), name: clean.name });
        for (const kind of TEXT_KINDS) await upload(page, kind, { text: CLEAN_TEXT });
        const got = await arrivals(server, (a) => a.host === host, FILE_KINDS.length + TEXT_KINDS.length, 15_000);
        const byChannel = new Map(got.map((a) => [a.channel, a]));
        for (const kind of FILE_KINDS) {
          const a = byChannel.get(`t-${kind}`);
          expect(a?.sha256, `clean ${kind}`).toBe(clean.sha256);
          expect(a?.name, `clean ${kind}`).toBe(clean.name);
        }
        expect(byChannel.get('t-fetch-json')?.text, 'clean fetch-json').toBe(JSON.stringify({ messages: [{ content: { parts: [CLEAN_TEXT] } }] }));
        expect(byChannel.get('t-xhr-urlencoded')?.text, 'clean xhr-urlencoded').toBe(`body=${encodeURIComponent(CLEAN_TEXT)}`);
        expect(byChannel.get('t-fetch-request')?.text, 'clean fetch-request').toBe(CLEAN_TEXT);
        expect(await page.locator(WARNING_TAG).count()).toBe(0);

        // Marked files and text never reach the server.
        server.clear();
        for (const kind of FILE_KINDS) await upload(page, kind, { b64: b64(markedFiles[kind]), name: markedFiles[kind].name });
        for (const kind of TEXT_KINDS) await upload(page, kind, { text: markedTexts[kind] });
        await dismissAll(page);
        expect(mine().map((a) => `${a.channel} ${a.name ?? a.text}`)).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );
});
