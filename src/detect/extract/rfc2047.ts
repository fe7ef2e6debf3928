/**
 * Mail header text: RFC 2047 encoded words (`=?ISO-2022-JP?B?…?=`, `=?UTF-8?Q?…?=`), RFC 2231
 * parameters (`filename*=UTF-8''%E7%A7%98…`, `filename*0*=…; filename*1*=…`), and raw 8-bit
 * headers (RFC 6532 UTF-8, or Shift_JIS written by old Japanese mailers).
 *
 * Every decoder reports what it could not decode instead of guessing silently: an unknown charset
 * or a malformed encoded word comes back in `problems`, so the extractor can say `unscannable`.
 */
import { latin1Bytes } from '../bytes.js';
import { decodeUtf7, UTF7_LABEL } from './utf7.js';
import { charsetDecoder, decodeText } from './text.js';
import { Utf32Decoder, utf32Order } from './utf32.js';

export interface Decoded {
  text: string;
  /** What could not be decoded, in words (`unknown charset x-foo`); empty when everything was read. */
  problems: string[];
}

/** Bytes in a declared charset; an unknown charset is a problem, and the text is read as the bytes suggest. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): Decoded {
  if (!charset) return { text: decodeText(bytes), problems: [] };
  // RFC 2231 language suffix (utf-8*ja); an RFC 822 comment after the name (`ISO-2022-JP (Japanese)`).
  const label = charset.replace(/\*.*$/, '').replace(/\s*\([^()]*\)\s*/g, '');
  // Internet Explorer's "auto-select" labels ask the reader to detect the encoding, as done here anyway.
  if (/^_autodetect(_all|_kr)?$/i.test(label.trim())) return { text: decodeText(bytes), problems: [] };
  const dec = charsetDecoder(label);
  // UTF-16 says its byte order by its BOM (RFC 2781); a decoder honours only its own.
  if (dec?.encoding.startsWith('utf-16') && ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe))) {
    return { text: new TextDecoder(bytes[0] === 0xfe ? 'utf-16be' : 'utf-16le').decode(bytes), problems: [] };
  }
  if (dec) return { text: dec.decode(bytes), problems: [] };
  if (UTF7_LABEL.test(label.trim())) return { text: decodeUtf7(bytes), problems: [] };
  // UTF-32 (RFC 2781's rules: a BOM says the order, else big-endian), which Python's email decodes.
  const utf32 = UTF32_LABEL.exec(label.trim());
  if (utf32) return { text: new Utf32Decoder(utf32[1] ? utf32[1].toLowerCase() === 'le' : utf32Order(bytes) === 'le').decode(bytes), problems: [] };
  return { text: decodeText(bytes), problems: [`unknown charset ${printable(charset)}`] };
}

const UTF32_LABEL = /^(?:utf|ucs)-?(?:32|4)(le|be)?$/i;

const LATIN1 = new TextDecoder('latin1');

/** Header bytes as text: 8-bit headers are UTF-8 when valid, else whatever they read as (Shift_JIS, EUC-JP…). */
export function headerBytesToText(bytes: Uint8Array): string {
  for (const b of bytes) if (b >= 0x80 || b === 0x1b) return decodeText(bytes);
  return LATIN1.decode(bytes);
}

// The encoded text may hold blanks, which RFC 2047 forbids but mailers write (`=?UTF-8?Q?=E7=A7=98 Confidential?=`):
// Python's decode_header and policy.default read such a word as 「秘 Confidential」, a Q blank as a blank.
const ENCODED_WORD = /=\?([^?\s]{1,64})\?([bBqQ])\?([^?]*)\?=/g;

/**
 * Decodes every encoded word in an unstructured header value. Whitespace between two adjacent
 * encoded words is dropped (RFC 2047 §6.2), and adjacent words in the same charset are joined
 * before decoding, because mailers split multi-byte characters (ISO-2022-JP escapes, UTF-8
 * sequences) across words.
 */
export function decodeEncodedWords(value: string): Decoded {
  const problems: string[] = [];
  const out: string[] = [];
  let last = 0;
  let charset = '';
  let bytes: number[] = [];
  const flush = () => {
    if (!charset) return;
    const d = decodeCharset(Uint8Array.from(bytes), charset);
    problems.push(...d.problems);
    out.push(d.text);
    charset = '';
    bytes = [];
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const adjacent = charset !== '' && /^[ \t\r\n]*$/.test(between);
    if (!adjacent) {
      flush();
      out.push(between);
    }
    const cs = m[1].toLowerCase();
    if (cs !== charset) flush();
    charset = cs;
    for (const b of m[2].toLowerCase() === 'b' ? base64Word(m[3], problems) : qWord(m[3])) bytes.push(b);
    last = m.index + m[0].length;
  }
  flush();
  out.push(value.slice(last));
  const text = out.join('');
  // A word that starts like an encoded word but never parsed (a flipped `?`, a cut header) hides its text.
  if (/=\?[^?\s]*\?[bBqQ]\?/.test(text)) problems.push('malformed encoded word');
  return { text, problems };
}

function base64Word(payload: string, problems: string[]): Uint8Array {
  const r = decodeBase64(payload.replace(/\s+/g, ''));
  if (r.bad) problems.push('damaged base64 in an encoded word');
  return r.bytes;
}

function qWord(payload: string): Uint8Array {
  return decodeQuotedPrintable(payload.replace(/_/g, ' '), true).bytes;
}

const B64 = new Int16Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));
// URL-safe alphabet too: some webmail exports use it.
B64[0x2d] = 62;
B64[0x5f] = 63;

/**
 * A look at what base64 text begins with: the bytes its first whole 4-character groups decode to (letters
 * only, at most `max` of them; line breaks and other characters dropped), or none when they do not
 * decode. Fast (atob) and unchecked: a file's first bytes for a sniff, not its content (decodeBase64).
 */
export function base64Head(s: string, max = Infinity): Uint8Array {
  const letters = s.replace(/[^A-Za-z0-9+/=]/g, '');
  let bin: string;
  try {
    bin = atob(letters.slice(0, Math.min(max, letters.length) & ~3));
  } catch {
    return new Uint8Array(0);
  }
  return latin1Bytes(bin);
}

/**
 * The platform's own decoder (`Uint8Array.fromBase64`: Chromium 140, Firefox 133 on; not Node 20), several
 * times faster than the loop below: the megabytes of a mail's attachments. It takes what the loop calls
 * whole (the standard alphabet, whitespace between, padding at the end only) and refuses the rest, which
 * the loop then decodes and says what is wrong with. Null when it is absent or refuses.
 */
function nativeBase64(src: string | Uint8Array): Uint8Array | null {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (!fromBase64) return null;
  try {
    // windows-1252, as browsers' latin1 is: a byte that is not ASCII is no base64 either, and is refused.
    return fromBase64(typeof src === 'string' ? src : LATIN1.decode(src));
  } catch {
    return null;
  }
}
/** Below this, the loop is as quick as the call. */
const NATIVE_FROM = 1024;

/**
 * Base64 that tolerates line breaks and whitespace. `bad` is set when other characters appear,
 * when a lone trailing character cannot be a whole byte, or when data follows the padding:
 * the part was damaged or cut, and what it held may be lost.
 */
export function decodeBase64(src: string | Uint8Array): { bytes: Uint8Array; bad: boolean } {
  const native = src.length >= NATIVE_FROM ? nativeBase64(src) : null;
  if (native) return { bytes: native, bad: false };
  const b = typeof src === 'string' ? Uint8Array.from(src, (c) => Math.min(c.charCodeAt(0), 0xff)) : src;
  const n = b.length;
  const out = new Uint8Array(Math.floor((n * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  let bad = false;
  let padded = false;
  let sextets = 0;
  for (let i = 0; i < n; i++) {
    // The hot path: four alphabet characters at a group boundary make three bytes.
    if (bits === 0 && !padded && i + 3 < n) {
      const q = (B64[b[i]] << 18) | (B64[b[i + 1]] << 12) | (B64[b[i + 2]] << 6) | B64[b[i + 3]];
      if (q >= 0) {
        out[o++] = q >> 16;
        out[o++] = (q >> 8) & 0xff;
        out[o++] = q & 0xff;
        sextets += 4;
        i += 3;
        continue;
      }
    }
    const c = b[i];
    const v = B64[c];
    if (v >= 0) {
      if (padded) bad = true; // data after the padding
      acc = ((acc << 6) | v) & 0xffffff;
      sextets++;
      if ((bits += 6) >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
      }
    } else if (c === 0x3d) padded = true;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) bad = true;
  }
  if (sextets % 4 === 1) bad = true;
  return { bytes: out.subarray(0, o), bad };
}

/**
 * Whether base64 is damaged as decodeBase64 would find it (a character outside the alphabet, data after the
 * padding, a lone last character), without decoding it: one pass, for bodies only the head of which is decoded.
 */
export function base64Damaged(b: Uint8Array): boolean {
  let padded = false;
  let sextets = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (B64[c] >= 0) {
      if (padded) return true;
      sextets++;
    } else if (c === 0x3d) padded = true;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return sextets % 4 === 1;
}

const hexVal = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

/**
 * Quoted-printable (RFC 2045 §6.7): `=XX` bytes and `=` soft line breaks. A `=` followed by
 * anything else is kept as it is (what mail clients show); `bad` tells it happened.
 */
export function decodeQuotedPrintable(src: string | Uint8Array, inWord = false): { bytes: Uint8Array; bad: boolean } {
  // One byte loop for both kinds of input (a closure per byte costs several times the decoding).
  const b = typeof src === 'string' ? Uint8Array.from(src, (c) => c.charCodeAt(0) & 0xff) : src;
  const n = b.length;
  const out = new Uint8Array(n);
  let o = 0;
  let bad = false;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    const h = i + 2 < n ? hexVal(b[i + 1]) : -1;
    const l = i + 2 < n ? hexVal(b[i + 2]) : -1;
    if (h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i += 2;
      continue;
    }
    // Soft line break: `=` then optional trailing whitespace, then CRLF or LF.
    let j = i + 1;
    while (!inWord && j < n && (b[j] === 0x20 || b[j] === 0x09)) j++;
    if (!inWord && j < n && b[j] === 0x0d) j++;
    if (!inWord && j < n && b[j] === 0x0a) {
      i = j;
      continue;
    }
    if (j >= n && !inWord) continue; // `=` at the very end: a soft break the cut left behind
    bad = true;
    out[o++] = c;
  }
  return { bytes: out.subarray(0, o), bad };
}

/** A name safe to put in a detail line: no control characters, at most 40 characters. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?').slice(0, 40);
}

/** One `key=value` parameter of a structured header, before RFC 2231 reassembly. */
interface RawParam {
  key: string;
  value: string;
  quoted: boolean;
}

/** Splits `type/subtype; a=b; c="d;e"` into the leading value and its parameters. */
export function splitParams(value: string): { head: string; params: RawParam[] } {
  const params: RawParam[] = [];
  let i = value.indexOf(';');
  const head = (i < 0 ? value : value.slice(0, i)).trim();
  if (i < 0) return { head, params };
  const n = value.length;
  while (i < n) {
    i++; // past ';'
    while (i < n && /\s/.test(value[i])) i++;
    const eq = value.indexOf('=', i);
    const semi = value.indexOf(';', i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      i = semi < 0 ? n : semi;
      continue;
    }
    const key = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < n && /[ \t]/.test(value[i])) i++;
    let v = '';
    let quoted = false;
    if (value[i] === '"') {
      quoted = true;
      i++;
      while (i < n && value[i] !== '"') {
        // Only `\"` and `\\` are unescaped: Windows software writes paths with bare backslashes.
        if (value[i] === '\\' && (value[i + 1] === '"' || value[i + 1] === '\\')) i++;
        v += value[i++];
      }
      i = value.indexOf(';', i);
      if (i < 0) i = n;
    } else {
      const e = value.indexOf(';', i);
      v = value.slice(i, e < 0 ? n : e).trim();
      i = e < 0 ? n : e;
    }
    params.push({ key, value: v, quoted });
  }
  return { head, params };
}

/**
 * Parameters with RFC 2231 continuations (`name*0`, `name*1*`) and charset'lang'value encoding
 * put back together; plain values may still carry RFC 2047 encoded words (Outlook and many
 * Japanese mailers write `filename="=?ISO-2022-JP?B?…?="`), which are decoded too.
 */
export function decodeParams(raw: RawParam[]): { params: Map<string, string>; problems: string[] } {
  const problems: string[] = [];
  const pieces = new Map<string, { n: number; value: string; ext: boolean }[]>();
  const plain = new Map<string, string>();
  for (const p of raw) {
    const m = /^([^*]+)\*(?:(\d{1,3})\*?|)$/.exec(p.key);
    if (!m) {
      if (!plain.has(p.key)) plain.set(p.key, p.value);
      continue;
    }
    const ext = p.key.endsWith('*');
    const list = pieces.get(m[1]) ?? [];
    list.push({ n: m[2] === undefined ? 0 : Number(m[2]), value: p.value, ext: ext && !p.quoted });
    pieces.set(m[1], list);
  }
  const params = new Map<string, string>();
  for (const [key, value] of plain) {
    const d = decodeEncodedWords(value);
    problems.push(...d.problems);
    params.set(key, d.text);
  }
  for (const [key, list] of pieces) {
    list.sort((a, b) => a.n - b.n);
    const d = joinContinuations(list);
    problems.push(...d.problems);
    // Writers that split an encoded word over continuations (filename*0="=?UTF-8?B?…"; filename*1="…?=")
    // leave it to the reader to decode once joined, as Thunderbird does.
    const words = !list.some((p) => p.ext) && d.text.includes('=?') ? decodeEncodedWords(d.text) : null;
    if (words) problems.push(...words.problems);
    params.set(key, words?.text ?? d.text); // RFC 2231 wins over a plain fallback of the same name
  }
  return { params, problems };
}

function joinContinuations(list: { n: number; value: string; ext: boolean }[]): Decoded {
  const problems: string[] = [];
  list.forEach((p, i) => p.n !== i && problems.push('RFC 2231 parameter with a missing continuation'));
  let charset = '';
  const bytes: number[] = [];
  list.forEach((p, i) => {
    let v = p.value;
    if (i === 0 && p.ext) {
      const q = v.indexOf("'");
      const q2 = q < 0 ? -1 : v.indexOf("'", q + 1);
      if (q2 >= 0) {
        charset = v.slice(0, q);
        v = v.slice(q2 + 1);
      }
    }
    if (!p.ext) {
      for (const b of new TextEncoder().encode(v)) bytes.push(b);
      return;
    }
    for (let j = 0; j < v.length; j++) {
      const h = v[j] === '%' ? hexVal(v.charCodeAt(j + 1)) : -1;
      const l = h >= 0 ? hexVal(v.charCodeAt(j + 2)) : -1;
      if (h >= 0 && l >= 0) {
        bytes.push((h << 4) | l);
        j += 2;
      } else bytes.push(v.charCodeAt(j) & 0xff);
    }
  });
  const d = decodeCharset(Uint8Array.from(bytes), charset || undefined);
  return { text: d.text, problems: [...problems, ...d.problems] };
}
