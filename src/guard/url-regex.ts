/**
 * Rule 1 and the designated keywords (rule 3) as regular expressions over a URL as the browser writes
 * it, for a matcher that sees only the URL and cannot decode it first (the declarativeNetRequest rules,
 * extension/background/url-rule.ts: RE2 syntax, applied case-insensitively to the whole URL).
 *
 * A URL carries non-ASCII text as UTF-8 escapes (`%E7%A7%98`), sometimes escaped twice (`%25E7…`) by
 * a page that encodes a value already encoded, and a space as `%20` or `+`.
 *
 * Chromium compiles each expression within a small memory limit (`isRegexSupported` answers
 * `memoryLimitExceeded` beyond roughly 40 escaped bytes; measured in Chromium 156), so the forms are
 * split into several short expressions, one rule each, rather than one that holds them all:
 * - the stamp with `confidential` in ASCII, escaped once or twice;
 * - with full-width letters (what NFKC folds onto ASCII: a Japanese IME types them), escaped once, in
 *   upper, lower and capitalised case: only the word's first seven letters fit beside 「秘」, so
 *   「秘 ＣＯＮＦＩＤＥ…」 is taken for the stamp (no word but `confidential` starts so after 「秘」 in
 *   practice); mixed case letter by letter is left to the page hooks;
 * - each designated keyword, escaped once; one too long for the limit is refused by Chromium and
 *   left to the page hooks (url-rule.ts says so in the worker's log).
 * Platform-free.
 */

/** The hex of a string's UTF-8 bytes, upper case. */
import { escapeRegExp } from '../detect/regex-escape.js';

const utf8Hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');

/** Escapes of the bytes XX…, each optionally escaped twice (%25XX) when `twice`. */
const esc = (hex: string, twice = false) => hex.match(/../g)!.map((b) => `%${twice ? '(25)?' : ''}${b}`).join('');

const STAMP_CHARS = ['秘', '㊙'];
const SPACES = [' ', '\u3000', '\t', '\n', '\r', '\u00a0'];

/** Whitespace as a URL writes it: space, U+3000, tab, line breaks, NBSP, each escaped, or a plus. */
const space = (twice = false) => `(${SPACES.map((c) => esc(utf8Hex(c), twice)).join('|')}|\\+)`;

/** 「秘」 or ㊙, then any whitespace. */
const stamp = (twice = false) => `(${STAMP_CHARS.map((c) => esc(utf8Hex(c), twice)).join('|')})${space(twice)}*`;

/** 「秘」 or ㊙, whitespace, then `confidential` (ASCII, any case), escaped once or twice. */
export const STAMP_IN_URL = `${stamp(true)}confidential`;

/** ASCII letters as their full-width forms (U+FF21…, U+FF41…). */
const wide = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');

/** How many of the word's letters fit beside the stamp in full-width (see above). */
const WIDE_LETTERS = 7;

/** The stamp with the word's first letters in full-width, one expression per case. */
export const WIDE_STAMPS_IN_URL = ['CONFIDENTIAL', 'confidential', 'Confidential'].map((w) => `${stamp()}${esc(utf8Hex(wide(w.slice(0, WIDE_LETTERS))))}`);

/** Characters `encodeURIComponent` leaves as they are. */
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;

/**
 * A designated keyword (already NFKC-normalised, as the engine compares it) in a URL: letters and
 * digits as written (any case), a run of whitespace as one or more of {@link space}, other ASCII
 * raw or escaped, anything else escaped. Null for a keyword with nothing to match.
 */
export function keywordInUrl(keyword: string): string | null {
  const out = keyword
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => [...w].map((c) => (UNRESERVED.test(c) ? escapeRegExp(c) : c.charCodeAt(0) < 0x80 ? `(${escapeRegExp(c)}|${esc(utf8Hex(c))})` : esc(utf8Hex(c)))).join(''))
    .join(`${space()}+`);
  return out === '' ? null : out;
}

/** Every expression for a policy's keywords: the stamp's first, then one per distinct keyword. */
export function urlExpressions(keywords: readonly string[]): string[] {
  const own = keywords.map(keywordInUrl).filter((k): k is string => k !== null);
  return [STAMP_IN_URL, ...WIDE_STAMPS_IN_URL, ...new Set(own)];
}
