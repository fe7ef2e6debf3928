/** The classic channels: how most pages send a file or a text. */
import type { Technique } from '../harness.js';

const rows: Technique[] = [
  {
    id: 'form-post',
    title: 'a multipart <form> posted with requestSubmit() into a hidden frame',
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `f-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('form-post'), target: frame.name });
      if (p.kind === 'file') {
        const input = Object.assign(document.createElement('input'), { type: 'file', name: 'file' });
        const dt = new DataTransfer();
        dt.items.add(t.file(p));
        input.files = dt.files;
        form.append(input);
      } else {
        form.append(Object.assign(document.createElement('textarea'), { name: 'text', value: p.text }));
      }
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(1500)]);
    },
  },
  {
    id: 'fetch-formdata',
    title: 'fetch POST with a FormData body',
    run: (p, t) => t.settle(fetch(t.url('fetch-formdata'), { method: 'POST', body: t.form(p) })),
  },
  {
    id: 'xhr',
    title: 'XMLHttpRequest POST (FormData for files, a string for text)',
    run: (p, t) =>
      new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', t.url('xhr'));
        x.onloadend = resolve;
        x.send(p.kind === 'file' ? t.form(p) : p.text);
      }),
  },
  {
    id: 'beacon',
    title: 'navigator.sendBeacon (FormData for files, a string for text)',
    run: async (p, t) => navigator.sendBeacon(t.url('beacon'), p.kind === 'file' ? t.form(p) : p.text),
  },
  {
    id: 'websocket',
    title: 'WebSocket frames (the File as a binary frame, text as a text frame)',
    run: async (p, t) => {
      const ws = new WebSocket(`wss://${location.host}/ws`);
      await new Promise((r, e) => ((ws.onopen = r), (ws.onerror = e)));
      ws.send(t.body(p));
      await t.sleep(300);
      ws.close();
    },
  },
  {
    id: 'websocket-stream',
    title: 'WebSocketStream (Chromium): the payload written to the socket\'s writable stream (a File as its bytes)',
    run: async (p, t) => {
      // @ts-expect-error -- WebSocketStream is not in TypeScript's DOM types yet
      const wss = new WebSocketStream(`wss://${location.host}/ws`);
      const { writable } = await wss.opened;
      const writer = writable.getWriter();
      const body = t.body(p);
      await writer.write(typeof body === 'string' ? body : new Uint8Array(await body.arrayBuffer()));
      await t.sleep(300);
      wss.close();
    },
  },
  {
    id: 'xhr-document',
    title: 'XMLHttpRequest.send(document): the text in a Document the page built, sent as its markup',
    carries: ['text'],
    run: (p, t) => {
      const doc = document.implementation.createHTMLDocument('draft');
      doc.body.textContent = p.text;
      const xhr = new XMLHttpRequest();
      xhr.open('POST', t.url('xhr-document'));
      xhr.send(doc);
      return t.sleep(300);
    },
  },
  {
    id: 'request-object',
    title: 'fetch(new Request(url, { body })) — the body travels inside a Request',
    run: (p, t) => t.settle(fetch(new Request(t.url('request-object'), { method: 'POST', body: t.form(p) }))),
  },
  {
    id: 'blob-url',
    title: 'the payload put behind a blob: URL, read back with fetch, and uploaded as a fresh Blob',
    run: async (p, t) => {
      const url = URL.createObjectURL(p.kind === 'file' ? t.file(p) : new Blob([p.text], { type: 'text/plain' }));
      const copy = await (await fetch(url)).blob();
      URL.revokeObjectURL(url);
      return t.settle(fetch(t.url('blob-url', p.name ? `&name=${encodeURIComponent(p.name)}` : ''), { method: 'POST', body: copy }));
    },
  },
  {
    id: 'raw-put',
    title: 'fetch PUT of the raw File or string (presigned-URL style)',
    run: (p, t) => t.settle(fetch(t.url('raw-put', p.name ? `&name=${encodeURIComponent(p.name)}` : ''), { method: 'PUT', body: t.body(p) })),
  },
];

export default rows;
