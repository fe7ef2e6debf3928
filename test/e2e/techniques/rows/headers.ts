/**
 * Text a page puts in request headers it sets, or in cookies it writes (sent with its next request),
 * escaped as a header value must be: percent-encoding, JSON `\u` escapes (as Dropbox's `Dropbox-API-Arg`
 * carries a path), base64 of its UTF-8 bytes. Each request's URL and body are clean. The server reads
 * `x-note…` headers and `ugnote…` cookies back (../../compat/server.ts).
 */
import { COOKIE_RACE, type Technique } from '../harness.js';

const rows: Technique[] = [
  {
    id: 'header-fetch',
    title: "fetch(url, { headers }): the text percent-encoded in a header the page sets",
    carries: ['text'],
    run: (p, t) => t.settle(fetch('/sink?ch=header-fetch', { headers: { 'x-note': encodeURIComponent(p.text) } })),
  },
  {
    id: 'header-request-json',
    title: 'fetch(new Request(url, { headers })): the text as JSON with \\u escapes in a header (Dropbox-API-Arg style)',
    carries: ['text'],
    run: (p, t) => {
      const arg = JSON.stringify({ path: `/${p.text}` }).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return t.settle(fetch(new Request('/sink?ch=header-request-json', { method: 'POST', headers: { 'x-note-arg': arg }, body: 'ok' })));
    },
  },
  {
    id: 'header-xhr-b64',
    title: 'XMLHttpRequest.setRequestHeader: the text as base64 of its UTF-8 bytes',
    carries: ['text'],
    run: (p, t) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', '/sink?ch=header-xhr-b64');
      xhr.setRequestHeader('x-note-b64', btoa(String.fromCharCode(...new TextEncoder().encode(p.text))));
      xhr.send();
      return t.sleep(300);
    },
  },
  {
    id: 'cookie-write',
    resend: COOKIE_RACE,
    title: 'document.cookie = the text (percent-encoded), carried by the next request',
    carries: ['text'],
    run: async (p, t) => {
      document.cookie = `ugnote=${encodeURIComponent(p.text)}; path=/`;
      await t.settle(fetch('/sink?ch=cookie-write'));
      document.cookie = 'ugnote=; max-age=0; path=/';
    },
  },
  {
    id: 'cookie-store',
    title: 'cookieStore.set(name, the text percent-encoded), carried by the next request',
    carries: ['text'],
    run: async (p, t) => {
      const store = (window as unknown as { cookieStore: { set(n: string, v: string): Promise<void>; delete(n: string): Promise<void> } }).cookieStore;
      await t.settle(store.set('ugnote2', encodeURIComponent(p.text)));
      await t.settle(fetch('/sink?ch=cookie-store'));
      await t.settle(store.delete('ugnote2'));
    },
  },
];

export default rows;
