/**
 * Red team web6 findings 3 and 4 on the page side: the stamp in a transfer encoding that mail and
 * legacy Japanese pages use, which no text scan reads through (src/guard/transcoded.ts decodes them):
 * ISO-2022-JP as it is sent (7-bit, `ESC $ B "Hk" ESC ( B` for 秘) in a text body, a FormData field, a
 * whole RFC 822 message, a WebSocket message and a query; quoted-printable (`=E7=A7=98`) in a raw mail
 * and in a JSON field; an RFC 2047 Q encoded-word; Shift_JIS percent-escapes (`%94%E9`, what a Shift_JIS
 * site's form sends) in a URL-encoded body and a query. Each let its stamped text through before the fix.
 * The clean payload is the trap 秘書室 in the same encoding. Copied from the red team's rows
 * (/work/scratch/hunt/web6/hunt6.ts), ids kept; with two that held then (ISO-2022-JP as Blob bytes, a B
 * encoded-word), so the decoding they share stays tried; and `escape()`'s `%u79D8` in a body (decoded
 * in URLs only before). Each run is sent to the page as its source, so
 * it holds every helper it uses (harness.ts).
 */
import type { Technique } from '../harness.js';

const rows: Technique[] = [
  {
    id: 'h6-iso2022jp-text',
    title: 'the text as ISO-2022-JP (7-bit) sent as a text/plain string body',
    carries: ['text'],
    run: (p, t) => {
      const marked = p.text.includes('秘 Confidential');
      // 秘 in ISO-2022-JP is JIS 0x486B ("Hk"), 書室 0x3D71 0x3C3C ("=q<<")
      const text = `note ${p.nonce} \x1b$BHk${marked ? '\x1b(B Confidential' : '=q<<\x1b(B'} end`;
      return t.settle(fetch(t.url('h6-iso2022jp-text'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=iso-2022-jp' }, body: text }));
    },
  },
  {
    id: 'h6-iso2022jp-formdata',
    title: 'the text as ISO-2022-JP in a FormData text field (a webmail building its ISO-2022-JP message body)',
    carries: ['text'],
    run: (p, t) => {
      const marked = p.text.includes('秘 Confidential');
      // 秘 in ISO-2022-JP is JIS 0x486B ("Hk"), 書室 0x3D71 0x3C3C ("=q<<")
      const text = `note ${p.nonce} \x1b$BHk${marked ? '\x1b(B Confidential' : '=q<<\x1b(B'} end`;
      const fd = new FormData();
      fd.append('body', text);
      return t.settle(fetch(t.url('h6-iso2022jp-formdata'), { method: 'POST', body: fd }));
    },
  },
  {
    id: 'h6-iso2022jp-mime-mail',
    title: 'a whole RFC 822 message (charset=ISO-2022-JP, 7bit) POSTed as text',
    carries: ['text'],
    run: (p, t) => {
      const marked = p.text.includes('秘 Confidential');
      // 秘 in ISO-2022-JP is JIS 0x486B ("Hk"), 書室 0x3D71 0x3C3C ("=q<<")
      const text = `note ${p.nonce} \x1b$BHk${marked ? '\x1b(B Confidential' : '=q<<\x1b(B'} end`;
      const body = `From: a@example.org\r\nTo: b@example.com\r\nSubject: note ${p.nonce}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text}\r\n`;
      return t.settle(fetch(t.url('h6-iso2022jp-mime-mail'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body }));
    },
  },
  {
    id: 'h6-iso2022jp-websocket',
    title: 'the text as ISO-2022-JP in a WebSocket text message',
    carries: ['text'],
    run: async (p, t) => {
      const marked = p.text.includes('秘 Confidential');
      // 秘 in ISO-2022-JP is JIS 0x486B ("Hk"), 書室 0x3D71 0x3C3C ("=q<<")
      const text = `note ${p.nonce} \x1b$BHk${marked ? '\x1b(B Confidential' : '=q<<\x1b(B'} end`;
      const ws = new WebSocket(`wss://${location.host}/ws`);
      await new Promise((r, e) => ((ws.onopen = r), (ws.onerror = e)));
      ws.send(text);
      await t.sleep(400);
      ws.close();
    },
  },
  {
    id: 'h6-iso2022jp-sink-url',
    title: 'GET /sink?q= holding ISO-2022-JP escapes (%1B%24BHk%1B%28B Confidential), new Image().src',
    carries: ['text'],
    run: async (p, t) => {
      const marked = p.text.includes('秘 Confidential');
      // 秘 in ISO-2022-JP is JIS 0x486B ("Hk"), 書室 0x3D71 0x3C3C ("=q<<")
      const text = `note ${p.nonce} \x1b$BHk${marked ? '\x1b(B Confidential' : '=q<<\x1b(B'} end`;
      new Image().src = `/sink?ch=h6-iso2022jp-sink-url&n=${p.nonce}&q=${encodeURIComponent(text)}`;
      await t.sleep(400);
    },
  },
  {
    id: 'h6-iso2022jp-blob',
    title: 'the text as ISO-2022-JP bytes in a Blob, PUT as application/octet-stream',
    carries: ['text'],
    run: (p, t) => {
      const marked = p.text.includes('秘 Confidential');
      // 秘 in ISO-2022-JP is JIS 0x486B ("Hk"), 書室 0x3D71 0x3C3C ("=q<<")
      const text = `note ${p.nonce} \x1b$BHk${marked ? '\x1b(B Confidential' : '=q<<\x1b(B'} end`;
      return t.settle(fetch(t.url('h6-iso2022jp-blob', `&name=n-${p.nonce}`), { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Blob([`${text}\r\n`]) }));
    },
  },
  {
    id: 'h6-qp-mime-mail',
    title: 'a raw RFC 822 message, its UTF-8 body in quoted-printable (=E7=A7=98 Confidential), POSTed as text (a webmail send)',
    carries: ['text'],
    run: (p, t) => {
      const qp = [...new TextEncoder().encode(p.text)].map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x3d ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
      const body = `From: a@example.org\r\nTo: b@example.com\r\nSubject: note ${p.nonce}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}\r\n`;
      return t.settle(fetch(t.url('h6-qp-mime-mail'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body }));
    },
  },
  {
    id: 'h6-qp-json-field',
    title: 'the text quoted-printable encoded (=E7=A7=98 Confidential) in a JSON field',
    carries: ['text'],
    run: (p, t) => {
      const qp = [...new TextEncoder().encode(p.text)].map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x3d ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
      return t.settle(fetch(t.url('h6-qp-json-field'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: p.nonce, body: qp }) }));
    },
  },
  {
    id: 'h6-encoded-word-subject',
    title: 'a mail Subject as an RFC 2047 Q encoded-word (=?UTF-8?Q?...=E7=A7=98_Confidential?=) in a JSON field',
    carries: ['text'],
    run: (p, t) => {
      const q = [...new TextEncoder().encode(p.text)].map((b) => (b === 0x20 ? '_' : /[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
      return t.settle(fetch(t.url('h6-encoded-word-subject'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: p.nonce, subject: `=?UTF-8?Q?${q}?=` }) }));
    },
  },
  {
    id: 'h6-b-encoded-word-subject',
    title: 'a mail Subject as an RFC 2047 B encoded-word (=?UTF-8?B?base64?=) in a JSON field',
    carries: ['text'],
    run: (p, t) => t.settle(fetch(t.url('h6-b-encoded-word-subject'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: p.nonce, subject: `=?UTF-8?B?${btoa(unescape(encodeURIComponent(p.text)))}?=` }) })),
  },
  {
    id: 'h6-sjis-pct-urlencoded-body',
    title: 'a URL-encoded body q=%94%E9+Confidential (Shift_JIS escapes, as a Shift_JIS site’s form sends), by fetch',
    carries: ['text'],
    run: (p, t) => {
      // 秘 in Shift_JIS is 94 E9; 書室 8F 91 8E BA.
      const body = `n=${p.nonce}&q=${p.text.includes('秘 Confidential') ? '%94%E9+Confidential' : '%94%E9%8F%91%8E%BA'}`;
      return t.settle(fetch(t.url('h6-sjis-pct-urlencoded-body'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
    },
  },
  {
    id: 'h6-sjis-pct-sink-url',
    title: 'GET /sink?q=%94%E9%20Confidential (Shift_JIS escapes in a query), new Image().src',
    carries: ['text'],
    run: async (p, t) => {
      new Image().src = `/sink?ch=h6-sjis-pct-sink-url&n=${p.nonce}&q=${p.text.includes('秘 Confidential') ? '%94%E9%20Confidential' : '%94%E9%8F%91%8E%BA'}`;
      await t.sleep(400);
    },
  },
  {
    id: 'escape-json-field',
    title: "the text through JavaScript's escape() (%u79D8) in a JSON field, as legacy scripts encode",
    carries: ['text'],
    run: (p, t) => t.settle(fetch(t.url('escape-json-field'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: p.nonce, q: escape(p.text) }) })),
  },
];

export default rows;
