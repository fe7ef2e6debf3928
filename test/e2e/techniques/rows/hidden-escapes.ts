/**
 * Text a page hides from percent-decoding in a URL or a cookie: JavaScript's `escape()` (`%u79D8`), and
 * base64 of its UTF-8 bytes (`btoa(unescape(encodeURIComponent(s)))`, as analytics pixels carry JSON and
 * as sites store cookie values), in a GET made by an Image, by fetch, and in a cookie the next request
 * carries. The server sees these as they were sent: `escape()` keeps the nonce readable, base64 is
 * decoded here to trace it.
 */
import type { Technique } from '../harness.js';
import { COOKIE_RACE, reachedDecoded } from '../harness.js';

/** Arrived when the nonce is in the text or in any base64 run of it (standard, or URL-safe after a path's last `/`). */
const reachedBase64 = reachedDecoded();

const rows: Technique[] = [
  {
    id: 'get-escape',
    title: 'fetch GET with the text in the query through escape() (%u79D8), as legacy scripts encode',
    carries: ['text'],
    run: (p, t) => t.settle(fetch(`/sink?ch=get-escape&q=${escape(p.text)}`)),
  },
  {
    id: 'get-escaped-thrice',
    title: 'new Image().src whose query value is percent-escaped three times (%2525E7…), as nested redirect and tracking URLs carry one',
    carries: ['text'],
    run: async (p, t) => {
      new Image().src = `/sink?ch=get-escaped-thrice&q=${encodeURIComponent(encodeURIComponent(encodeURIComponent(p.text)))}`;
      await t.sleep(300);
    },
  },
  {
    id: 'pixel-b64-json',
    title: 'new Image().src: an analytics pixel whose data= is base64 of a JSON event holding the text',
    carries: ['text'],
    reached: reachedBase64,
    run: async (p, t) => {
      const json = JSON.stringify({ event: 'search', properties: { q: p.text, time: 1 } });
      new Image().src = `/sink?ch=pixel-b64-json&data=${encodeURIComponent(btoa(unescape(encodeURIComponent(json))))}`;
      await t.sleep(300);
    },
  },
  {
    id: 'get-b64url-path',
    title: 'fetch GET with the text as URL-safe base64 in a path segment (/suggest/<base64url>)',
    carries: ['text'],
    reached: reachedBase64,
    run: (p, t) => {
      const b64 = btoa(unescape(encodeURIComponent(p.text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      return t.settle(fetch(`/sink?ch=get-b64url-path&r=/suggest/${b64}`));
    },
  },
  {
    id: 'cookie-escape',
    resend: COOKIE_RACE,
    title: 'document.cookie = escape(the text), carried by the next request',
    carries: ['text'],
    run: async (p, t) => {
      document.cookie = `ugnote3=${escape(p.text)}; path=/`;
      await t.settle(fetch('/sink?ch=cookie-escape'));
      document.cookie = 'ugnote3=; max-age=0; path=/';
    },
  },
  {
    id: 'cookie-b64',
    resend: COOKIE_RACE,
    title: 'document.cookie = base64 of the text\'s UTF-8 bytes, carried by the next request',
    carries: ['text'],
    reached: reachedBase64,
    run: async (p, t) => {
      document.cookie = `ugnote4=${btoa(unescape(encodeURIComponent(p.text)))}; path=/`;
      await t.settle(fetch('/sink?ch=cookie-b64'));
      document.cookie = 'ugnote4=; max-age=0; path=/';
    },
  },
  {
    id: 'cookie-b64-then-more',
    resend: COOKIE_RACE,
    title: 'a cookie the guard must read (base64 of the text), another written at once, then a request: it carries both',
    carries: ['text'],
    // The text's cookie and the one written after it, both in the request that followed them.
    reached: (arrivals, p) => reachedBase64(arrivals, p) && arrivals.some((a) => a.text?.includes('ugnote6=written-after') ?? false),
    run: async (p, t) => {
      document.cookie = `ugnote5=${btoa(unescape(encodeURIComponent(p.text)))}; path=/`;
      document.cookie = 'ugnote6=written-after; path=/';
      await t.settle(fetch('/sink?ch=cookie-b64-then-more'));
      document.cookie = 'ugnote5=; max-age=0; path=/';
      document.cookie = 'ugnote6=; max-age=0; path=/';
    },
  },
];

export default rows;
