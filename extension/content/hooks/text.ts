/**
 * The texts a request body says, read with captured built-ins only: the body itself, the strings of a
 * JSON body that uses escapes (`秘\nConfidential`, `\u79d8`), the values of a form-urlencoded body
 * (`%E7%A7%98`), and the body with its character references resolved (`&#31192;`: HTML, and what a browser
 * sends for a character the form page's charset lacks; also once form-decoded). Pure: no DOM, no page state, so it is unit-tested in Node.
 */
import {
  append,
  atob,
  arrayJoin,
  isArray,
  jsonParse,
  objectValues,
  paramsForEach,
  regExpExec,
  SafeURLSearchParams,
  stringIncludes,
  stringReplace,
  stringSlice,
} from './safe-self.js';
import { mayCarryDocument } from '../../../src/guard/encoded.js';

/** Numeric references, and `&nbsp;`, which HTML editors write between words (read as a space). */
const CHAR_REF = /&(?:#(x[\da-f]+|\d+)|nbsp);?/gi;
/** The realm's own, as it was at install. */
const fromCodePoint = String.fromCodePoint;
/** `+'0x79d8'` is ToNumber, which no page script can change. */
const refChar = (ref: string, n?: string) => {
  const cp = n ? +(n[0] > '9' ? `0${n}` : n) : 32;
  return cp < 0x110000 ? fromCodePoint(cp) : ref;
};

/**
 * Longest text body judged in the page, as one scan reads it (src/guard/find.ts); a prompt or a mail body
 * is far smaller. A longer one is read whole by the guard (gates.ts).
 */
export const TEXT_CAP = 4 * 1024 * 1024;
/** Characters of JSON strings collected from one body. */
const JSON_STRINGS_CAP = 2 * 1024 * 1024;
const LOOKS_JSON = /^\s*[[{"]/;
const LOOKS_FORM = /^[^=&\s]*=[^\s]*$/; // a key may be empty: URLSearchParams writes `=v` for it
/**
 * A document carried as text: a base64 run (a data: URL's too; `\/` and line breaks inside), bytes as
 * chars (`readAsBinaryString`). The guard decodes such a text and scans the documents in it
 * (src/guard/encoded.ts); a regex test here keeps every other body in the page, and so does
 * mayCarryDocument for runs that cannot hold anything the guard stops (a digest, a JWT, a picture).
 * Runs from 19 characters: a stamped line fits in that many (shorter runs than 64 are decoded for a stamp
 * only; mayCarryDocument finds the runs). From 16 here: a stretch of text read out of a File (read-text.ts)
 * is looked up from that length, and the header check (headers.ts) passes what this does not match.
 */
export const ENCODED = /[\w+/\\-]{16}|[\x80-\xff]{8}/;

/**
 * The text for the guard to decode, when it may carry an encoded document; null otherwise. Whole, not
 * cut at TEXT_CAP: a document of 3 MB or more is over 4 MiB in base64, and read in part it could not be
 * judged. `all`: the policy is not known yet, or has designated content rules or file hashes (those can
 * match any decoded bytes): every long run is asked about.
 */
export function encodedIn(text: string, all?: unknown): { kind: 'text'; text: string } | null {
  if (!regExpExec(ENCODED, text)) return null;
  const t = arrayJoin(textsOf(text), '\n');
  return mayCarryDocument(t, atob, regExpExec, stringSlice, all) ? { kind: 'text', text: t } : null;
}

/** [the body, then its decoded forms when it has any]; a form body's field names are read as its values. */
export function textsOf(s: string): string[] {
  const out = [s];
  // Decode only a body that has escapes at all: a plain clean body costs one scan.
  if (stringIncludes(s, '\\') && regExpExec(LOOKS_JSON, s)) {
    const strings: string[] = [];
    try {
      collectStrings(jsonParse(s), strings, { left: JSON_STRINGS_CAP });
    } catch {
      /* not JSON after all */
    }
    if (strings.length) append(out, arrayJoin(strings, '\n'));
  }
  if (stringIncludes(s, '%') && regExpExec(LOOKS_FORM, stringSlice(s, 0, 2000))) {
    const values: string[] = [];
    try {
      paramsForEach(new SafeURLSearchParams(s), (v, k) => (append(values, k), append(values, v)));
    } catch {
      /* not url-encoded after all */
    }
    if (values.length) append(out, arrayJoin(values, '\n'));
  }
  for (let i = 0, n = out.length, d; i < n; i++) if ((d = stringReplace(out[i], CHAR_REF, refChar)) !== out[i]) append(out, d);
  return out;
}

function collectStrings(v: unknown, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (typeof v === 'string') {
    append(out, v);
    budget.left -= v.length;
  } else if (v !== null && typeof v === 'object') {
    const items = isArray(v) ? v : objectValues(v);
    for (let i = 0; i < items.length; i++) collectStrings(items[i], out, budget);
  }
}
