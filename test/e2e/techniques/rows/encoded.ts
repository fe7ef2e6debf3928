/**
 * A File read into text and sent inside a text body (issue 15): a data: URL (readAsDataURL) or base64
 * (btoa of its bytes copied one by one) in a JSON field or a FormData field, a binary string
 * (readAsBinaryString) posted as text/plain, its text (file.text()) in JSON. The guard decodes the
 * document out of the text and scans it, so a marked document never arrives, whatever the text
 * looks like; clean ones arrive.
 *
 * A file marked by its name only has clean content: a body that carries its content without its name
 * is refused when the content is a string the browser read out of the File (a data: URL,
 * `readAsBinaryString`: hooks/read-text.ts keeps those). Known gap, in the rows that say so: base64
 * the page made from the bytes itself (String.fromCharCode over them), the text itself, and a body
 * the page wraps in a Blob carry nothing that links them to the File. Such a File never reaches a page
 * from the employee (the file input, drops, paste and pickers refuse it by its name); these rows make
 * it in the page.
 */
import type { Technique } from '../harness.js';
import { reachedDecoded as reachedDecodedBy } from '../harness.js';

const NAME_GAP = {
  leaks: ['name-marked-file' as const],
  why: 'content the page turned into a string itself keeps no link to its File: the name does not travel, and the content is clean',
};

/** Arrived when the nonce is in the text or in any base64 the text holds (decoded as the server would). */
const reachedDecoded = reachedDecodedBy();

const rows: Technique[] = [
  {
    id: 'data-url-json',
    title: 'FileReader.readAsDataURL(file), the data: URL posted inside a JSON body',
    carries: ['file'],
    reached: reachedDecoded,
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const body = JSON.stringify({ model: 'gpt', attachments: [{ type: 'file', data: reader.result }] });
      return t.settle(fetch(t.url('data-url-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    },
  },
  {
    id: 'btoa-json',
    title: "file.arrayBuffer(), its bytes copied one by one into a string, btoa'd and posted in JSON",
    carries: ['file'],
    reached: reachedDecoded,
    gap: NAME_GAP,
    run: async (p, t) => {
      const bytes = new Uint8Array(await t.file(p).arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
      const body = JSON.stringify({ content: btoa(bin), encoding: 'base64' });
      return t.settle(fetch(t.url('btoa-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    },
  },
  {
    id: 'data-url-formdata',
    title: 'the data: URL, its base64 split off, sent as a FormData string field by XMLHttpRequest',
    carries: ['file'],
    reached: reachedDecoded,
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const fd = new FormData();
      fd.append('content', (reader.result as string).split(',')[1]);
      return new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', t.url('data-url-formdata'));
        x.onloadend = resolve;
        x.send(fd);
      });
    },
  },
  {
    id: 'binary-string-text',
    title: 'FileReader.readAsBinaryString(file) posted as a text/plain body',
    carries: ['file'],
    gap: NAME_GAP,
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsBinaryString(t.file(p));
      await read;
      return t.settle(fetch(t.url('binary-string-text'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: reader.result as string }));
    },
  },
  {
    id: 'file-text-json',
    title: 'file.text() posted as a JSON field',
    carries: ['file'],
    gap: NAME_GAP,
    run: async (p, t) => {
      const body = JSON.stringify({ document: await t.file(p).text() });
      return t.settle(fetch(t.url('file-text-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    },
  },
  {
    id: 'data-url-json-blob',
    title: 'the data: URL inside a JSON body that the page wraps in a Blob (type application/json) before fetch',
    carries: ['file'],
    reached: reachedDecoded,
    gap: NAME_GAP,
    run: async (p, t) => {
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(t.file(p));
      await read;
      const body = new Blob([JSON.stringify({ attachments: [{ data: reader.result }] })], { type: 'application/json' });
      return t.settle(fetch(t.url('data-url-json-blob'), { method: 'POST', body }));
    },
  },
  {
    id: 'base64-json-bytes',
    title: 'the base64 of the file inside JSON, encoded with TextEncoder and sent as a byte body (the bytes carry no type; only the request header says text)',
    carries: ['file'],
    reached: reachedDecoded,
    gap: NAME_GAP,
    run: async (p, t) => {
      const bytes = t.bytes(p);
      let bin = '';
      for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
      const body = new TextEncoder().encode(JSON.stringify({ name: 'attachment', content: btoa(bin) }));
      // The header lets the test server read the body back as text; the hooks judge the bytes, which have no type.
      return t.settle(fetch(t.url('base64-json-bytes'), { method: 'POST', headers: { 'content-type': 'text/plain;charset=utf-8' }, body }));
    },
  },
  {
    id: 'short-base64-text',
    title: 'the text, base64-encoded (under 64 characters: a stamped line), in a JSON field',
    carries: ['text'],
    reached: reachedDecoded,
    run: async (p, t) => {
      const utf8 = new TextEncoder().encode(p.text.slice(0, 30));
      let bin = '';
      for (let i = 0; i < utf8.length; i++) bin += String.fromCharCode(utf8[i]);
      const body = JSON.stringify({ note: btoa(bin), v: 1 });
      return t.settle(fetch(t.url('short-base64-text'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    },
  },
  {
    id: 'big-data-url-json',
    title: 'a text file of 3.3 MB (a log, its stamp in its last lines) read as a data: URL and posted in JSON (4.4 MB of text: over the 4 MiB the hooks once cut at)',
    carries: ['file'],
    reached: reachedDecoded,
    run: async (p, t) => {
      const log = '2026-01-05 09:00:00 INFO line 3 sensor 42 reading within range\n'.repeat(52_000);
      const reader = new FileReader();
      const read = new Promise((r) => (reader.onload = r));
      reader.readAsDataURL(new File([log, t.bytes(p) as BlobPart], p.name, { type: p.type }));
      await read;
      const body = JSON.stringify({ name: p.name, data: reader.result });
      return t.settle(fetch(t.url('big-data-url-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    },
  },
  {
    id: 'api-body-with-tokens',
    title: 'the text in a JSON body beside what API bodies carry: a JWT, a SHA-256 hex digest, a base64 PNG',
    carries: ['text'],
    run: async (p, t) => {
      const b64url = (s: string) => btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
      let sig = '';
      for (let i = 0; i < 256; i++) sig += String.fromCharCode((i * 73 + 11) % 256);
      const jwt = [b64url('{"alg":"RS256","typ":"JWT"}'), b64url(JSON.stringify({ sub: '110169484474386276334', iss: 'https://accounts.example.com', exp: 1700003600 })), b64url(sig)].join('.');
      const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(p.nonce)))].map((b) => b.toString(16).padStart(2, '0')).join('');
      let png = '\x89PNG\r\n\x1a\n\0\0\0\rIHDR';
      for (let i = 0; i < 3000; i++) png += String.fromCharCode((i * 31 + 7) % 256);
      const body = JSON.stringify({ prompt: p.text, idToken: jwt, sha256: digest, image: `data:image/png;base64,${btoa(png)}` });
      return t.settle(fetch(t.url('api-body-with-tokens'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    },
  },
];

export default rows;
