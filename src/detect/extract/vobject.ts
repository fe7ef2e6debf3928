/**
 * vCard (.vcf) and iCalendar (.ics, .vcs): text in content lines, `NAME;PARAM=…:value` (RFC 6350 §3.2,
 * RFC 5545 §3.1, vCard 2.1 and vCalendar 1.0). Read as a contact or an invitation shows it:
 * - a long line is folded (a line break, then a space or a tab) wherever the writer chose, so 「秘 Conf」
 *   and 「idential」 are one value again;
 * - a value may be quoted-printable (vCard 2.1, with `=` soft line breaks; how phones and Outlook write
 *   Japanese, often in Shift_JIS) or base64 (`ENCODING=b`, `BASE64`), in the CHARSET a parameter names;
 * - text escapes (`\n`, `\,`, `\;`, `\\`) stand for what they escape.
 * Values in base64 that are files (an invitation's ATTACH, a card's PHOTO, LOGO, SOUND or KEY) are
 * members, read as the files they are.
 */
import { blobOf, latin1Bytes, readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { decodeBase64, decodeCharset, decodeQuotedPrintable } from './rfc2047.js';
import { decodeText } from './text.js';
import { escapedHtml } from './html.js';
import type { Extractor } from './types.js';

/** How every vCard and iCalendar object begins. */
export const VOBJECT_START = /^(?:\xEF\xBB\xBF)?\s*BEGIN:(?:VCALENDAR|VCARD)[ \t]*\r?\n/i;

/** Bigger than any calendar or address book exported by hand: read as text only, and said. */
const MAX_BYTES = 64 << 20;

/** Properties whose base64 value is a file, not text. */
const FILE_PROPS = new Set(['ATTACH', 'PHOTO', 'LOGO', 'SOUND', 'KEY']);

const LATIN1 = new TextDecoder('latin1');

export const extractVobject: Extractor = async function* (blob, ctx) {
  if (blob.size > MAX_BYTES) {
    yield { kind: 'unscannable', reason: 'too-large', detail: `a vCard or iCalendar file over ${MAX_BYTES >> 20} MiB: its folded and encoded values were not read` };
    return;
  }
  // Bytes as one character each, so that quoted-printable and base64 are undone on the bytes, and the
  // charset applied after.
  const raw = LATIN1.decode(await readBytes(blob));
  const text: string[] = [];
  let n = 0;
  for (const line of contentLines(raw)) {
    if ((++n & 1023) === 0) ctx.checkTime();
    const value = decodeLine(line);
    if (!value) continue;
    if (value.file) {
      ctx.addEntry();
      yield { kind: 'member', name: value.name, data: blobOf(value.file), where: { area: 'attachments' } };
    } else text.push(value.text);
  }
  const all = text.join('\n');
  for (const chunk of chunkText(all)) yield { kind: 'text', text: chunk, where: {} };
  // A description in HTML (Outlook's X-ALT-DESC;FMTTYPE=text/html, Google Calendar's DESCRIPTION) is shown rendered.
  yield* escapedHtml(all);
};

/**
 * The logical lines: folds undone (a line break followed by one space or tab is no break), and a
 * quoted-printable value's soft line breaks (`=` ending a line) joined to the next line.
 */
export function* contentLines(raw: string): Generator<string> {
  const physical = raw.split(/\r\n|\n|\r/);
  // A logical line's pieces, joined once when it ends: a value of thousands of soft-broken lines grown
  // by `+=` and asked `endsWith` at each was copied whole each time (quadratic: 2.4 MB took minutes).
  let parts: string[] | null = null;
  let qp: boolean | null = null; // whether the line's parameters say quoted-printable, asked once
  for (const p of physical) {
    if (parts !== null && (p.startsWith(' ') || p.startsWith('\t'))) {
      parts.push(p.slice(1));
      continue;
    }
    if (parts !== null && parts[parts.length - 1].endsWith('=') && (qp ??= QP.test(paramsOf(parts.join(''))))) {
      parts.push('\r\n', p); // decodeQuotedPrintable takes `=` and the break away
      continue;
    }
    if (parts !== null) yield parts.join('');
    parts = [p];
    qp = null;
  }
  const last = parts?.join('');
  if (last) yield last;
}

const QP = /;(?:ENCODING=)?QUOTED-PRINTABLE\b/i;
const BASE64 = /;(?:ENCODING=)?(?:b|BASE64)\b(?=[;:]|$)/i;

/** The part of a content line before its value (name and parameters; quoted parameter values kept whole). */
function paramsOf(line: string): string {
  const m = /^(?:[^:"]|"[^"]*")*/.exec(line);
  return m ? m[0] : '';
}

type Value = { text: string; file?: undefined } | { file: Uint8Array; name: string; text?: undefined };

function decodeLine(line: string): Value | null {
  const head = paramsOf(line);
  if (head.length === line.length) return null; // no value
  const name = head.split(';')[0].replace(/^[\w-]+\./, '').toUpperCase(); // `item1.NOTE` is a NOTE
  if (name === 'BEGIN' || name === 'END' || name === 'VERSION') return null;
  const charset = /;CHARSET=("?)([^;:"]+)\1/i.exec(head)?.[2];
  const value = line.slice(head.length + 1);
  if (BASE64.test(head) || (FILE_PROPS.has(name) && /;VALUE=BINARY\b/i.test(head))) {
    const bytes = decodeBase64(value.replace(/\s+/g, '')).bytes;
    if (FILE_PROPS.has(name)) return { file: bytes, name: fileName(head, name) };
    return { text: `${name}: ${unescape(decodeCharset(bytes, charset).text)}` };
  }
  const bytes = QP.test(head) ? decodeQuotedPrintable(value).bytes : latin1Bytes(value);
  return { text: `${name}: ${unescape(decodeCharset(bytes, charset).text)}` };
}

/** An attachment's own name when the line gives one (FILENAME, X-FILENAME, X-APPLE-FILENAME), else the property. */
function fileName(head: string, name: string): string {
  const given = /;(?:X-(?:APPLE-)?)?FILENAME=("?)([^;:"]+)\1/i.exec(head)?.[2];
  return given ? decodeText(latin1Bytes(given)) : name.toLowerCase(); // the line is still bytes here
}

/** Text escapes: `\n` and `\N` a line break, `\,` `\;` `\:` `\\` the character itself. */
function unescape(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\([nN]|.)/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

