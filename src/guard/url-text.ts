/**
 * The text a URL carries to its server: the path and the query, percent- and plus-decoded (twice, for
 * values encoded twice), without the fragment (it never leaves the browser). Search-as-you-type and
 * suggestion requests, tracking pixels and navigations carry what the employee typed this way.
 *
 * Used by the page hooks while their realm is intact and by the guard otherwise: one decoding for both.
 */

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

/** '' for a URL that carries no text to a server. */
export function urlText(url: string): string {
  if (LOCAL.test(url.slice(0, 16))) return '';
  const hash = url.indexOf('#');
  const sent = hash < 0 ? url : url.slice(0, hash);
  const q = sent.indexOf('?');
  const path = q < 0 ? sent : sent.slice(0, q);
  // '+' is a space in a query (forms, URLSearchParams); an escaped %2B stays a plus.
  const query = q < 0 ? '' : sent.slice(q + 1).replace(PLUS, ' ');
  const text = decodeRuns(decodeRuns(path));
  return query === '' ? text : `${text}\n${decodeRuns(decodeRuns(query))}`;
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
