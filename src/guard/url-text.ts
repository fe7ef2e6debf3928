/**
 * The text a URL carries to its server: the path and the query, percent- and plus-decoded (twice, for
 * values encoded twice), without the fragment (it never leaves the browser). Search-as-you-type and
 * suggestion requests, tracking pixels and navigations carry what the employee typed this way. So do
 * cookies (judged as a query: hooks/headers.ts).
 *
 * Text that percent-decoding leaves hidden is revealed too: JavaScript's `escape()` (`%u79D8`), a JS or
 * JSON string's `\u79d8`, and base64 of UTF-8 text (`btoa(unescape(encodeURIComponent(s)))`, or
 * TextEncoder bytes: analytics pixels and cookies carry JSON that way), wherever the run starts.
 *
 * Used by the page hooks while their realm is intact and by the guard otherwise: one decoding for both.
 */
import type { Exec, Slice } from './encoded.js';


/** URLs whose "request" never leaves the browser (and data: URLs can be megabytes of image). */
const LOCAL = /^\s*(?:data|blob|javascript|about):/i;
const ESCAPE_RUNS = /(?:%[0-9a-f]{2})+/gi;
const PLUS = /\+/g;

/**
 * True when a URL could hold the 「秘」 stamp at all: 秘 (or ㊙) is never ASCII, so the URL has a
 * non-ASCII character or a percent-escaped non-ASCII byte (possibly escaped again as %25). Lets the
 * hooks skip decoding and scanning for the URLs nearly every page loads.
 */
export const MAY_HOLD_STAMP = /[^\x00-\x7f]|%(?:25)*[89a-f][0-9a-f]/i;

/**
 * Escapes percent-decoding leaves alone, for a character outside ASCII: `escape()`'s `%uXXXX`, and a
 * JS or JSON string's `\uXXXX`, raw or percent-escaped (`%5Cu`).
 */
const U_ESCAPE = /(?:%u|\\u|%5cu)(?!00[0-7])[0-9a-f]{4}/i;
const U_ESCAPES = /(?:%u|\\u|%5cu)([0-9a-f]{4})/gi;
/**
 * A run of the base64 alphabet (both variants) long enough for a stamped line (encoded.ts SHORT_RUN).
 * A character class, not a group: V8 overflows its stack on a quantified group over a long run.
 */
const BASE64_RUN = /[\w+/-]{19}[\w+/-]*/g;
/** base64's `+`, `/` and `=` as a query escapes them (URLSearchParams, encodeURIComponent). */
const ESCAPED_B64 = /%2[bf]|%3d/gi;
const HAS_ESCAPED_B64 = /%2[bf]|%3d/i;
const URL_SAFE = /[-_]/g;
/** 秘 and ㊙ in UTF-8, as one-byte chars. */
const UTF8_STAMP = /\xe7\xa7\x98|\xe3\x8a\x99/;
/**
 * A run longer than this, or more base64 in all, is not decoded by the prefilter (hidesStamp says it may
 * hide): the page's per-request cost stays bounded. urlText decodes every run.
 */
const RUN_CAP = 64 * 1024;
const TOTAL_CAP = 256 * 1024;

/** Built-ins as plain functions: the page hooks pass the ones they captured (the page may replace the realm's). */
export interface Builtins {
  exec: Exec;
  slice: Slice;
  replace: (s: string, re: RegExp, f: (m: string) => string) => string;
  atob: (s: string) => string;
}
const realm: Builtins = { exec: (re, s) => re.exec(s), slice: (s, a, b) => s.slice(a, b), replace: (s, re, f) => s.replace(re, f), atob: (s) => atob(s) };

/**
 * Whether a URL (or a cookie) may hide the stamp from MAY_HOLD_STAMP: a `\u`/`%u` escape of a
 * non-ASCII character, or a base64 run whose bytes hold 秘/㊙ in UTF-8 at one of its four alignments
 * (a path or a key before the value joins its run). Tokens, digests, JWTs and ids decode to neither, so
 * nearly every URL is still passed in the page; a run too long to decode here counts as hiding.
 */
export function hidesStamp(url: string, b: Builtins = realm): boolean {
  if (b.exec(U_ESCAPE, url)) return true;
  const s = b.exec(HAS_ESCAPED_B64, url) ? b.replace(url, ESCAPED_B64, unescapeB64) : url;
  let total = 0;
  BASE64_RUN.lastIndex = 0;
  for (let m; (m = b.exec(BASE64_RUN, s)); ) {
    const run = m[0];
    if (run.length > RUN_CAP || (total += run.length) > TOTAL_CAP) return true;
    if (stampedRun(run, b)) return true;
  }
  return false;
}

const unescapeB64 = (e: string) => (e[1] === '3' ? '=' : e[2] === 'b' || e[2] === 'B' ? '+' : '/');

/** The run's bytes (as one-byte chars) at the first alignment where they hold 秘/㊙ in UTF-8, and that alignment. */
function stampedRun(run: string, b: Builtins): { skip: number; bin: string } | null {
  const s = b.replace(run, URL_SAFE, (c) => (c === '-' ? '+' : '/'));
  const decode = b.atob; // called without a receiver: the platform's atob throws on any other
  for (let k = 0; k < 4; k++) {
    const n = (s.length - k) & ~3;
    let bin: string;
    try {
      bin = decode(b.slice(s, k, k + n));
    } catch {
      continue;
    }
    if (b.exec(UTF8_STAMP, bin)) return { skip: k, bin };
  }
  return null;
}

/** The text escapes and base64 runs hide (hidesStamp), written out in place; `s` as it is when there is none. */
function revealed(s: string): string {
  const t = U_ESCAPE.test(s) ? s.replace(U_ESCAPES, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s;
  return t.replace(BASE64_RUN, (run) => {
    const r = stampedRun(run, realm);
    return r ? `${run.slice(0, r.skip)}\n${utf8(r.bin)}\n` : run;
  });
}

/** Bytes (one-byte chars) read as UTF-8; what is not text there ends a line (it is not the stamp's neighbour). */
function utf8(bin: string): string {
  const text = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]+/g, '\n');
}

/** '' for a URL that carries no text to a server. */
export function urlText(url: string): string {
  if (LOCAL.test(url.slice(0, 16))) return '';
  const hash = url.indexOf('#');
  const sent = hash < 0 ? url : url.slice(0, hash);
  const q = sent.indexOf('?');
  const path = q < 0 ? sent : sent.slice(0, q);
  // '+' is a space in a query (forms, URLSearchParams); an escaped %2B stays a plus.
  const query = q < 0 ? '' : sent.slice(q + 1).replace(PLUS, ' ');
  const text = revealed(decodeRuns(decodeRuns(path)));
  return query === '' ? text : `${text}\n${revealed(decodeRuns(decodeRuns(query)))}`;
}

/**
 * Percent-decoding that never throws: each run of escapes on its own (what decodeURIComponent does to
 * a whole string, since a character's escapes are one run), so one malformed run does not hide the rest.
 */
export function decodeRuns(s: string): string {
  return s.replace(ESCAPE_RUNS, (run) => tryDecode(run) ?? run);
}

function tryDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
