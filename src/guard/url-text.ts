/**
 * The text a URL carries to its server: the path and the query, percent- and plus-decoded (again while
 * that changes them, for values encoded more than once), without the fragment (it never leaves the
 * browser). Search-as-you-type and suggestion requests, tracking pixels and navigations carry what the
 * employee typed this way. So do cookies (judged as a query: hooks/headers.ts).
 *
 * Text that percent-decoding leaves hidden is revealed too: JavaScript's `escape()` (`%u79D8`), a JS or
 * JSON string's `\u79d8`, and base64 of UTF-8 text (`btoa(unescape(encodeURIComponent(s)))`, or
 * TextEncoder bytes: analytics pixels and cookies carry JSON that way), wherever the run starts.
 *
 * The page hooks, the guard and the background decode every URL with urlText: one decoding for all.
 * (The hooks hand a URL where BASE64_STAMP finds base64 that may hide the stamp to the guard, which
 * also reads the documents in it, unless a constructor asks: that cannot wait.)
 * Which URLs need decoding at all: text-prefilter.ts's MAY_HOLD_STAMP_TEXT (秘/㊙, escaped non-ASCII
 * bytes, `\u` and `%u` escapes) or BASE64_STAMP.
 */
import { base64Binary } from './encoded.js';

/**
 * 秘 (E7 A7 98) or ㊙ (E3 8A 99) in UTF-8 as base64 writes them, wherever they fall in the stream, by
 * regular expression alone (one linear scan, even over megabytes): at the start of a 3-byte group 4
 * fixed characters (`56eY`, `44qZ`); one or two bytes into a group, their 24 bits share their first
 * and last characters with the neighbouring bytes, so those two are classes of the values with the
 * stamp's bits in place (one byte in: the values ending in 1110 before it, which hold 62 `+`/`-`; two
 * bytes in: those ending in 11, which hold 63 `/`/`_`), as they are or as a query escapes them (%2B,
 * %2F, escaped again or not). Tokens, digests, JWTs and ids almost never match (4 fixed characters
 * and two classes); url-text.test.ts fuzzes it against decoding.
 */
export const BASE64_STAMP =
  /56eY|44qZ|(?:[Oeu+-]|%(?:25)?2[Bb])(?:enm[A-P]|OKm[Q-Za-f])|(?:[DHLPTXbfjnrvz37/_]|%(?:25)?2[Ff])(?:np5[g-j]|jip[k-n])/;

/** URLs whose "request" never leaves the browser (and data: URLs can be megabytes of image). */
const LOCAL = /^\s*(?:data|blob|javascript|about):/i;
const ESCAPE_RUNS = /(?:%[0-9a-f]{2})+/gi;
const PLUS = /\+/g;
const U_ESCAPES = /(?:%u|\\u|%5cu)([0-9a-f]{4})/gi;
/**
 * A run of the base64 alphabet (both variants) long enough for a stamped line (encoded.ts SHORT_RUN).
 * A character class, not a group: V8 overflows its stack on a quantified group over a long run.
 */
const BASE64_RUN = /[\w+/-]{19}[\w+/-]*/g;

/** `%uXXXX` and `\uXXXX` escapes written out. */
export function unescapedU(s: string): string {
  return s.replace(U_ESCAPES, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** 秘 (E7 A7 98) or ㊙ (E3 8A 99) in UTF-8, in a binary string. */
const UTF8_STAMP = /\xe7\xa7\x98|\xe3\x8a\x99/;

/**
 * The text base64 runs hide (BASE64_STAMP), written out after each run (kept: it may be words too):
 * the run's bytes at the first alignment where they hold 秘/㊙ in UTF-8 (a path or a key before the
 * value joins its run, so the value may start anywhere in it). Decoded unpadded to the end (encoded.ts
 * decodeBase64), so a stamp or a word in the last one or two bytes is not cut off.
 */
function revealed(s: string): string {
  return unescapedU(s).replace(BASE64_RUN, (run) => {
    for (let k = 0, bin; k < 4 && BASE64_STAMP.test(run); k++) if (UTF8_STAMP.test((bin = base64Binary(run.slice(k)) ?? ''))) return `${run}\n${utf8(bin)}\n`;
    return run;
  });
}

/** Bytes (a binary string) read as UTF-8; what is not text there ends a line (it is not the stamp's neighbour). */
function utf8(bin: string): string {
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]+/g, '\n');
}

/** '' for a URL that carries no text to a server. */
export function urlText(url: string): string {
  const text = sentText(url, revealed);
  // A query's `+` is a space to a form, and base64's 62 to a page that put btoa()'s output in a URL
  // unescaped (a server that reads it turns the spaces back): such base64 is read both ways.
  if (text === '' || !url.includes('+') || !BASE64_STAMP.test(url)) return text;
  return `${text}\n${revealed(decodeRuns(url.split('#', 1)[0]))}`;
}

function sentText(url: string, reveal: (s: string) => string): string {
  if (LOCAL.test(url)) return ''; // anchored: one look at the start, whatever the length
  const sent = url.split('#', 1)[0];
  const q = sent.indexOf('?');
  const path = q < 0 ? sent : sent.slice(0, q);
  // '+' is a space in a query (forms, URLSearchParams); an escaped %2B stays a plus.
  const query = q < 0 ? '' : sent.slice(q + 1).replace(PLUS, ' ');
  const text = reveal(decodeRuns(path));
  return query === '' ? text : `${text}\n${reveal(decodeRuns(query))}`;
}

/**
 * Percent-decoding that never throws: each run of escapes on its own (what decodeURIComponent does to
 * a whole string, since a character's escapes are one run), so one malformed run does not hide the rest.
 * Repeated while it changes something, for values escaped more than once (`%25E7…`, `%2525E7…`), up to
 * six rounds: each round is a pass over the string, and a hostile URL of megabytes of `%2525…`
 * would otherwise cost a round per two characters.
 */
export function decodeRuns(s: string): string {
  // Six rounds: escaped six times still reads (a page has no reason to escape its own query more).
  for (let d, k = 6; k-- && (d = s.replace(ESCAPE_RUNS, decodeRun)) !== s; ) s = d;
  return s;
}

function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run;
  }
}
