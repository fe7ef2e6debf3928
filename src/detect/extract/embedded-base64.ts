/**
 * Files carried as base64 inside text: data: URLs in a saved web page or an SVG (SingleFile, an HTML
 * mail export, `<a download href="data:…">`), documents in JSON (HAR captures of an upload, API exports,
 * PHP's `\/`-escaped JSON), binary parts of XML (Word's flat XML, SOAP). Read as text, such a document is
 * only letters: a stamped .docx or PDF in it came back clean.
 *
 * Each data: URL and each run of 40 or more base64 characters (lines wrapped or not) is looked at by its
 * first bytes only. A run of 256 characters or more (192 bytes: every document is longer) that begins a
 * format the engine reads is decoded whole and scanned as a member; pictures, media, encrypted values and
 * bytes of no known format (keys, signatures) are passed over, as a picture on its own would be. Plain
 * text in base64 (a data:text URL, an encoded JSON record), of any length, is read in place. Shorter runs
 * of other bytes (hashes, tokens, ids) are not looked at further.
 */
import { encodedInText } from '../member-names.js';
import { blobOf } from '../bytes.js';
import { sniff, type Format } from '../sniff.js';
import { chunkText } from '../text-chunks.js';
import { base64Head, decodeBase64 } from './rfc2047.js';
import { decodeText } from './text.js';
import type { ExtractContext, Extracted } from './types.js';

/** A run this long may be a document; a shorter one, only text. */
const DOCUMENT_CHARS = 256;
const MIN_RUN = 40;

/**
 * What is not a member: nothing a reader would find text in, nothing known, or an encrypted value (data
 * inside a document, and the OpenPGP packet test cannot tell a short ciphertext from random bytes).
 */
const PASSED: ReadonlySet<Format> = new Set<Format>(['binary', 'image', 'media', 'empty', 'sealed']);

/** Enough characters to decode the head a sniff looks at (sniff.ts reads 1 KiB; most signatures are in the first bytes). */
const HEAD_CHARS = 1368;

/** Cheap exit: text without a data: URL or a run of 40 base64 characters has nothing to find here. */
export const mayCarryBase64 = (text: string): boolean => /[A-Za-z0-9+/]{40}|;base64,/i.test(text);

export async function* embeddedFiles(text: string, ctx: ExtractContext): AsyncGenerator<Extracted> {
  yield* base64UrlFiles(text, ctx);
  if (text.includes('data:')) yield* percentDataUrls(text);
  if (text.includes('"encoding"')) yield* shortBase64Texts(text);
  if (!mayCarryBase64(text)) return;
  let n = 0;
  let seen = 0;
  for (const [start, end, length] of base64Runs(text)) {
    if ((++seen & 1023) === 0) ctx.checkTime();
    // Its first bytes decide; the run (a picture may be tens of MB) is copied and decoded only if they call for it.
    const head = base64Head(text.slice(start, Math.min(end, start + 2 * HEAD_CHARS)), HEAD_CHARS);
    const texty = looksLikeText(head);
    if (!texty && length < DOCUMENT_CHARS) continue;
    const format = await sniff(blobOf(head), '');
    if (PASSED.has(format)) continue;
    const { bytes, bad } = decodeBase64(text.slice(start, end).replace(/[\\\s]/g, ''));
    // Plain text is read in place: a log of thousands of encoded records is not thousands of files
    // (each would count against limits.maxEntries).
    if (format === 'text' && !bad) {
      for (const t of chunkText(decodeText(bytes))) yield { kind: 'text', text: t, where: {} };
      continue;
    }
    if (length < DOCUMENT_CHARS) continue;
    const name = encodedInText('encoded file', ++n);
    ctx.addEntry();
    if (bad) {
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${name}: its base64 does not decode`, where: { area: 'attachment' } };
      continue;
    }
    ctx.addExpanded(bytes.length);
    yield { kind: 'member', name, data: blobOf(bytes), where: { area: 'attachment' } };
  }
}

/**
 * A data: URL written with percent-escapes instead of base64 (`<iframe src="data:text/html,%E7%A7%98%20…">`,
 * what `encodeURIComponent` makes): the text it carries, read in place when it has escapes to undo.
 */
const PERCENT_DATA_URL = /data:[\w.+/-]{0,100}(?:;[\w.+=-]{1,100}){0,4},([^"'\s<>()]*%[0-9A-Fa-f]{2}[^"'\s<>()]*)/g;
/** The text of one such URL read (a data: URL of more is a file, which base64 would carry). */
const PERCENT_URL_CAP = 1 << 20;
function* percentDataUrls(text: string): Generator<Extracted> {
  for (const m of text.matchAll(PERCENT_DATA_URL)) {
    if (/;base64$/i.test(m[0].slice(0, m[0].indexOf(',')))) continue;
    const bytes = percentBytes(m[1].slice(0, PERCENT_URL_CAP));
    for (const t of chunkText(decodeText(bytes))) yield { kind: 'text', text: t, where: {} };
  }
}

/**
 * A HAR capture's response body too short for a run (`"text": "56eYIENvbmZpZGVudGlhbA==", "encoding":
 * "base64"`): the object says it is base64, so it is read whatever its length, as text in place.
 */
const SHORT_B64_TEXT = /"text"\s*:\s*"([A-Za-z0-9+/]{4,39}={0,2})"/g;
const SAYS_BASE64 = /"encoding"\s*:\s*"base64"/;
function* shortBase64Texts(text: string): Generator<Extracted> {
  for (const m of text.matchAll(SHORT_B64_TEXT)) {
    const around = text.slice(Math.max(0, m.index - 200), m.index + m[0].length + 200);
    if (!SAYS_BASE64.test(around)) continue;
    const { bytes, bad } = decodeBase64(m[1]);
    if (!bad && looksLikeText(bytes)) yield { kind: 'text', text: decodeText(bytes), where: {} };
  }
}

/** Percent-escapes undone into bytes (as a URL's are: UTF-8 or another encoding, decided by decodeText). */
function percentBytes(s: string): Uint8Array {
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < s.length; ) {
    if (s[i] === '%' && HEX2.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      // A character left as it is in the URL: its UTF-8 bytes.
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      for (const b of utf8.encode(ch)) bytes.push(b);
      i += ch.length;
    }
  }
  return Uint8Array.from(bytes);
}
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/** No control bytes but whitespace and ESC: text in some encoding (what sniff.ts calls text, and HTML, RTF, PDF's header, mail). */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  for (const c of b) if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) return false;
  return true;
}

const B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\\') B64[c.charCodeAt(0)] = 1;
const isB64 = (c: number) => c < 128 && B64[c] === 1;

/**
 * base64url (RFC 4648 §5, `-` and `_` for `+` and `/`), as the Gmail API gives a message and its
 * attachments, and as JWTs and WebAuthn write: each document-long run that uses those letters is read
 * again in the standard alphabet (the runs alone, apart, so nothing else is read twice).
 */
async function* base64UrlFiles(text: string, ctx: ExtractContext): AsyncGenerator<Extracted> {
  if (!text.includes('-') && !text.includes('_')) return;
  // A loop, not a regular expression: a run may be tens of MB, past what a matcher's stack holds.
  const runs: string[] = [];
  for (let i = 0, start = 0, url = false; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const urlChar = c === 0x2d || c === 0x5f;
    if ((c < 128 && B64[c] === 1 && c !== 0x2b && c !== 0x2f && c !== 0x5c) || urlChar) {
      url ||= urlChar;
      continue;
    }
    if (url && i - start >= DOCUMENT_CHARS) runs.push(text.slice(start, i));
    start = i + 1;
    url = false;
  }
  if (runs.length) yield* embeddedFiles(runs.map((r) => r.replace(/-/g, '+').replace(/_/g, '/')).join(' | '), ctx);
}
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * [start, end) of each run, and its length without the characters that are not base64 (JSON's `\`, line
 * breaks): base64 letters (and JSON's `\` before `/`), lines of them wrapped, then up to
 * two `=`. A loop, not a regular expression: a run may be tens of MB (a picture in a saved page), past
 * what a backtracking matcher's stack holds.
 */
function* base64Runs(text: string): Generator<[number, number, number]> {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isB64(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let letters = 0;
    for (;;) {
      while (i < n && isB64(text.charCodeAt(i))) {
        if (text.charCodeAt(i) !== 0x5c) letters++;
        i++;
      }
      // A wrapped line goes on after a line break and indentation.
      let j = i;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (letters >= MIN_RUN && j > i && j < n && isB64(text.charCodeAt(j)) && /[\r\n]/.test(text.slice(i, j))) {
        i = j;
        continue;
      }
      break;
    }
    let end = i;
    for (let k = 0; k < 2 && text.charCodeAt(end) === 0x3d; k++) end++;
    if (letters >= MIN_RUN || (letters >= 4 && text.charCodeAt(start - 1) === 0x2c && /;base64,$/i.test(text.slice(Math.max(0, start - 8), start)))) {
      yield [start, end, letters + end - i];
    }
    i = end + 1;
  }
}
