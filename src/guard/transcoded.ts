/**
 * Text in a transfer encoding that no text scan reads through, written out as its receiving end reads
 * it: mail's quoted-printable (`=E7=A7=98`) and RFC 2047 Q encoded-words (`=?UTF-8?Q?=E7=A7=98_…?=`),
 * ISO-2022-JP as it is sent (7-bit, its kanji between `ESC $ B` and `ESC ( B`), and percent-escapes of a
 * legacy Japanese page (`%94%E9` is 秘 in Shift_JIS), which UTF-8 decoding leaves as escapes; and
 * JavaScript's `escape()` (`%u79D8`), which legacy scripts still send bodies in. MARKINGS.md
 * names these encodings, and a mail's body and headers count once decoded, so a page that sends a raw
 * mail, or a stamp written that way in a JSON field, a query or a WebSocket message, is read decoded.
 *
 * One stage (decode), shared: the guard reads a text the page hooks could not judge
 * (src/guard/request.ts markedReading, via extension/content/hook-items.ts), the network layer a body
 * or a URL. The page hooks only test TRANSCODED (text-prefilter.ts) and hand such a text over. Pure,
 * platform-free.
 */
import { concat } from '../detect/bytes.js';
import { TRANSCODED } from './text-prefilter.js';
import { unescapedU } from './url-text.js';

/** The charsets a Japanese text arrives in, tried in turn on bytes whose charset is not said. */
const CHARSETS = ['utf-8', 'shift_jis', 'euc-jp', 'iso-2022-jp'];
const PERCENT = /(%[\da-f]{2})/i;
const LEGACY_PERCENT = /%[89a-f][\da-f]/i;
const QP_SOFT_BREAK = /=\r?\n/g;
const QP_ESCAPE = /(=[\dA-F]{2})/;
const ENCODED_WORD = /=\?([^?\s]+)\?q\?([^?\s]*)\?=/gi;
const ISO_2022_SHIFT = /\x1b[$(]/;
const U_ESCAPE = /%u[\da-f]{4}/i;

/**
 * The readings of `text` through each transfer encoding it shows, with the charsets each may be in;
 * [] when it shows none (most texts: one regex test). Every reading is the whole text, decoded.
 */
export function transcodedTexts(text: string): string[] {
  if (!TRANSCODED.test(text)) return [];
  const out: string[] = [];
  const words = text.replace(ENCODED_WORD, (w, charset: string, q: string) => decode(qpBytes(q.replaceAll('_', ' ')), charset) ?? w);
  if (words !== text) out.push(words);
  if (LEGACY_PERCENT.test(text)) out.push(...readings(bytesOf(text.split(PERCENT))));
  if (QP_ESCAPE.test(text)) out.push(...readings(qpBytes(text)));
  if (ISO_2022_SHIFT.test(text)) out.push(decode(new TextEncoder().encode(text), 'iso-2022-jp') ?? '');
  if (U_ESCAPE.test(text)) out.push(unescapedU(text));
  return out;
}

/** Bytes read in every charset of CHARSETS. */
function readings(bytes: Uint8Array): string[] {
  return CHARSETS.map((c) => decode(bytes, c) ?? '');
}

/** `bytes` in `charset`, or null for a charset this platform does not know. */
function decode(bytes: Uint8Array, charset: string): string | null {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return null;
  }
}

/** Quoted-printable decoded: `=XX` is that byte, `=` before a line break joins the lines. */
function qpBytes(s: string): Uint8Array {
  return bytesOf(s.replace(QP_SOFT_BREAK, '').split(QP_ESCAPE));
}

/**
 * Text split so that every odd piece is one escaped byte (`%XX`, `=XX`: split by a capturing regex), as
 * bytes: each escape the byte its two hex digits say, the text between as UTF-8.
 */
function bytesOf(pieces: string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = pieces.map((p, i) => (i % 2 ? Uint8Array.of(parseInt(p.slice(1), 16)) : enc.encode(p)));
  return concat(parts, parts.reduce((n, p) => n + p.byteLength, 0));
}
