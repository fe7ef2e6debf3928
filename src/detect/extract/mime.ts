/**
 * MIME entities (RFC 2045–2049, RFC 5322): the header block, Content-Type and
 * Content-Disposition parameters, multipart bodies split at their boundaries, and bodies decoded
 * per Content-Transfer-Encoding. Pure functions over bytes; what the parts mean for a scan is
 * decided in mail-walk.ts.
 */
import { latin1Bytes } from '../bytes.js';
import { decodeBase64, decodeParams, decodeQuotedPrintable, headerBytesToText, printable, splitParams } from './rfc2047.js';

export interface HeaderField {
  /** Lowercase field name. */
  name: string;
  /** Unfolded raw value (8-bit bytes already read as text). */
  value: string;
}

export interface Entity {
  fields: HeaderField[];
  /** Lines in the header block that are not header fields: kept so that their text is still read. */
  junk: string[];
  body: Uint8Array;
  /** False when the header block never ended (no empty line): the entity was cut short. */
  complete: boolean;
}

const FIELD = /^([!-9;-~]{1,76})[ \t]*:/;

/** The offset just past the line that starts at `i` (past LF), and the line's end without CR/LF. */
function lineAt(b: Uint8Array, i: number): { end: number; next: number } {
  let nl = b.indexOf(0x0a, i);
  if (nl < 0) nl = b.length;
  const end = nl > i && b[nl - 1] === 0x0d ? nl - 1 : nl;
  return { end, next: Math.min(b.length, nl + 1) };
}

/** Splits an entity into its header fields and body. Tolerant: a damaged line never hides the lines after it. */
export function parseEntity(b: Uint8Array): Entity {
  const fields: HeaderField[] = [];
  const junk: string[] = [];
  let i = 0;
  let first = true;
  while (i < b.length) {
    const { end, next } = lineAt(b, i);
    if (end === i) return { fields, junk, body: b.subarray(next), complete: true };
    const line = headerBytesToText(b.subarray(i, end));
    const m = FIELD.exec(line);
    if (m) fields.push({ name: m[1].toLowerCase(), value: line.slice(m[0].length).trim() });
    else if ((line[0] === ' ' || line[0] === '\t') && fields.length) fields[fields.length - 1].value += ' ' + line.trim();
    else if (first && !line.startsWith('From ') && !damagedName(line) && !FIELD.exec(headerBytesToText(b.subarray(next, lineAt(b, next).end))) && !knownFieldAhead(b, next)) {
      // No header block at all (a part that starts with its text): everything is body.
      return { fields, junk, body: b, complete: true };
    } else junk.push(line); // a damaged field: its text is still read
    first = false;
    i = next;
  }
  return { fields, junk, body: b.subarray(b.length), complete: false };
}

/** A field name of ASCII letters, digits and hyphens, but for a byte or two altered (`Content-Transfer-Encodin\xe7:`). */
const NEAR_FIELD = /^([A-Za-z0-9\u0080-\uffff-]{4,76})[ \t]*:/;

/**
 * Whether a line is a field whose name a damaged byte altered (Python: MissingHeaderBodySeparatorDefect): a part's
 * one field so damaged is not text the part starts with, and what it said (base64) is lost. Text that starts a
 * line in Japanese (「備考: …」) has more than two such characters, and no run of ASCII letters around them.
 */
function damagedName(line: string): boolean {
  const name = NEAR_FIELD.exec(line)?.[1];
  if (!name) return false;
  const altered = name.replace(/[A-Za-z0-9-]/g, '').length;
  return altered > 0 && altered <= 2 && name.length - altered >= 3;
}

/** Fields no text starts a line with: one among the lines before the first blank line makes them a header block. */
const KNOWN_FIELD = /^(?:content-[a-z-]+|mime-version|from|to|cc|subject|date|message-id|received|return-path)[ \t]*:/i;

/**
 * Whether a header block's known field follows (before the first blank line, within 64 lines): the first
 * lines, no fields, are then fields whose names were damaged (Python: MissingHeaderBodySeparatorDefect),
 * not a part that starts with its text.
 */
function knownFieldAhead(b: Uint8Array, i: number): boolean {
  for (let n = 0; i < b.length && n < 64; n++) {
    const { end, next } = lineAt(b, i);
    if (end === i) return false;
    if (KNOWN_FIELD.test(headerBytesToText(b.subarray(i, end)))) return true;
    i = next;
  }
  return false;
}

export function field(e: Entity, name: string): string | undefined {
  return e.fields.find((f) => f.name === name)?.value;
}

export interface ContentInfo {
  /** Lowercase `type/subtype`; `text/plain` when absent or unreadable (RFC 2045 §5.2). */
  type: string;
  params: Map<string, string>;
  /** Lowercase transfer encoding; when absent `7bit`, or the default given (`binary` in a form upload). */
  encoding: string;
  disposition: string;
  /** The attachment's name: Content-Disposition filename, else Content-Type name (RFC 2231 and 2047 decoded). */
  filename: string;
  /** The Content-Type name when it differs from the filename: some mail clients show that one. */
  otherName: string | null;
  problems: string[];
}

/** Content-Type, Content-Transfer-Encoding and Content-Disposition of an entity. `fallback` is the default type (message/rfc822 inside multipart/digest). */
const COMMENT = /\([^()]*\)/g;

export function contentInfo(e: Entity, fallback = 'text/plain', encodingFallback = '7bit'): ContentInfo {
  const ct = splitParams(field(e, 'content-type') ?? '');
  const cd = splitParams(field(e, 'content-disposition') ?? '');
  const p = decodeParams(ct.params);
  const d = decodeParams(cd.params);
  const type = contentType(ct.head, fallback);
  // RFC 822 lets a structured field carry comments and quotes (`base64 (by MailGW)`, `"base64"`): the token is what counts.
  const encoding = (field(e, 'content-transfer-encoding') ?? encodingFallback).replace(COMMENT, '').replace(/"/g, '').trim().toLowerCase();
  return {
    type,
    params: p.params,
    encoding,
    disposition: cd.head.toLowerCase(),
    // Mail clients show a name without the blanks around it (`filename=" 秘—plan.txt"`).
    filename: (d.params.get('filename') ?? p.params.get('name') ?? '').trim(),
    otherName: d.params.has('filename') && p.params.has('name') && p.params.get('name')!.trim() !== d.params.get('filename')!.trim() ? p.params.get('name')!.trim() : null,
    problems: [...(DAMAGED_TYPE.test(ct.head) ? [`Content-Type "${printable(ct.head)}" holds bytes no type has (damaged)`] : []), ...p.problems, ...d.problems],
  };
}

/** A type/subtype with a byte outside printable ASCII in it: a byte a disk or a gateway altered (`multipart/mix\x9ad`). */
const DAMAGED_TYPE = /[^\x20-\x7e]/;

/**
 * The entity's lowercase `type/subtype`, or `fallback` when it has none. A type with one slash whose
 * subtype is damaged is still read by its major type, as Python's email module does (`multipart/mix\x9ad`
 * is a multipart: its parts are split and read).
 */
function contentType(head: string, fallback: string): string {
  if (/^[\w.+-]+\/[\w.+-]+$/.test(head)) return head.toLowerCase();
  const major = /^([\w.+-]+)\/[^/]*$/.exec(head)?.[1].toLowerCase();
  return major === 'multipart' ? 'multipart/mixed' : fallback;
}

export interface Decoded {
  bytes: Uint8Array;
  /** Set when the body could not be decoded faithfully (unknown encoding, damaged base64). */
  problem?: string;
  /** Decoded as base64 although no header said so: the raw text is worth reading too. */
  undeclared?: boolean;
}

/**
 * A body per its Content-Transfer-Encoding. With `guess`, a body declared 7bit/8bit that is plainly
 * base64 or quoted-printable (its header lost or mistyped) is decoded too; never for a whole
 * message (message/rfc822), whose own header lines would be mangled.
 */
export function decodeBody(body: Uint8Array, encoding: string, guess = true): Decoded {
  // 7bit, 8bit and quoted-printable data hold no run of NULs (RFC 2045 2.7, 2.8, 6.7; UTF-16 and UTF-32 text,
  // which Python sends as 8bit, holds at most three in a row): such a run is a block overwritten by zeros
  // (a disk or transfer error), and what stood there is lost. Read as it is, and said.
  if (encoding !== 'binary' && encoding !== 'base64' && hasZeroRun(body)) {
    const r = decodeBody(body, 'binary', guess);
    return encoding === 'quoted-printable' ? { bytes: decodeQuotedPrintable(body).bytes, problem: NUL_PROBLEM } : { ...r, problem: r.problem ?? NUL_PROBLEM };
  }
  switch (encoding) {
    case '7bit':
    case '8bit':
    case 'binary':
    case '':
      if (!guess) return { bytes: body };
      // uuencoded lines can pass for quoted-printable: a text that carries uuencoded files stays text.
      if (UU_BEGIN_LINE.test(new TextDecoder('latin1').decode(body.subarray(0, 1 << 20)))) return { bytes: body };
      if (looksBase64(body)) return { bytes: decodeBase64(body).bytes, undeclared: true };
      if (looksQuotedPrintable(body)) return { bytes: decodeQuotedPrintable(body).bytes, undeclared: true };
      return { bytes: body };
    case 'base64': {
      const r = decodeBase64(body);
      return r.bad ? { bytes: r.bytes, problem: 'damaged base64 data (cut short or altered)' } : { bytes: r.bytes };
    }
    case 'quoted-printable':
      return { bytes: decodeQuotedPrintable(body).bytes };
    case 'x-uuencode':
    case 'x-uue':
    case 'uuencode':
    case 'x-uu': {
      const block = uuBlocks(new TextDecoder('latin1').decode(body))[0];
      return block?.bytes ? { bytes: block.bytes } : { bytes: body, problem: 'damaged uuencoded data' };
    }
    default:
      return { bytes: body, problem: `unknown transfer encoding ${printable(encoding)}` };
  }
}


const NUL_PROBLEM = 'a run of NUL bytes in text data (a block overwritten by zeros: damaged)';
/** NULs in a row that no text holds (see decodeBody). */
const ZERO_RUN = 16;

function hasZeroRun(b: Uint8Array): boolean {
  for (let i = b.indexOf(0); i >= 0 && i + ZERO_RUN <= b.length; i = b.indexOf(0, i + 1)) {
    let n = 1;
    while (n < ZERO_RUN && b[i + n] === 0) n++;
    if (n === ZERO_RUN) return true;
    i += n - 1;
  }
  return false;
}

/**
 * Lines of the base64 alphabet of one common length, as encoders write them (nearly all of them:
 * a damaged line does not stop an undeclared body from being decoded). One line must be a whole
 * number of 4-character groups.
 */
export function looksBase64(b: Uint8Array): boolean {
  let good = 0;
  let other = 0;
  const widths = new Map<number, number>();
  for (let i = 0; i < b.length; ) {
    const { end, next } = lineAt(b, i);
    if (end > i) {
      let ok = true;
      for (let j = i; j < end && ok; j++) {
        const c = b[j];
        ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x3d;
      }
      if (ok) {
        good++;
        widths.set(end - i, (widths.get(end - i) ?? 0) + 1);
      } else if (++other > 2) return false;
    }
    i = next;
  }
  const width = [...widths.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 0;
  return good > other * 10 && width >= 16 && (good > 1 || width % 4 === 0);
}

/** Soft line breaks and `=XX` escapes of 8-bit bytes: quoted-printable whose header was lost. */
export function looksQuotedPrintable(b: Uint8Array): boolean {
  const s = new TextDecoder('latin1').decode(b.subarray(0, 1 << 16));
  return /=\r?\n/.test(s) && (s.match(/=[89A-F][0-9A-F]/g)?.length ?? 0) >= 3;
}

/** A Content-Transfer-Encoding line inside text: MIME structure there means the structure around it was damaged. */
export function hasEmbeddedMime(b: Uint8Array): boolean {
  return /^Content-Transfer-Encoding:[ \t]*\S/im.test(new TextDecoder('latin1').decode(b));
}

export interface Multipart {
  preamble: Uint8Array;
  parts: Uint8Array[];
  epilogue: Uint8Array;
  /** False when the closing `--boundary--` line is missing: the last part may be cut short. */
  closed: boolean;
}

/**
 * Splits a multipart body at lines `--boundary` (RFC 2046 §5.1.1). The CRLF before a delimiter
 * belongs to the delimiter. A line that merely starts with the boundary followed by other
 * characters is not a delimiter.
 */
export function splitMultipart(body: Uint8Array, boundary: string, checkTime: () => void): Multipart {
  const delim = latin1Bytes('--' + boundary);
  const starts: { at: number; after: number; close: boolean }[] = [];
  for (let at = findLineStart(body, delim, 0); at >= 0; at = findLineStart(body, delim, at + 1)) {
    const p = at + delim.length;
    const close = body[p] === 0x2d && body[p + 1] === 0x2d;
    let q = close ? p + 2 : p;
    while (q < body.length && (body[q] === 0x20 || body[q] === 0x09)) q++;
    if (q < body.length && body[q] !== 0x0d && body[q] !== 0x0a) continue; // longer boundary, not ours
    starts.push({ at, after: lineAt(body, q).next, close });
    if (close) break;
    if ((starts.length & 255) === 0) checkTime();
  }
  const cut = (at: number) => (at >= 2 && body[at - 2] === 0x0d ? at - 2 : at >= 1 ? at - 1 : at);
  const parts: Uint8Array[] = [];
  for (let k = 0; k < starts.length && !starts[k].close; k++) {
    const endAt = k + 1 < starts.length ? cut(starts[k + 1].at) : body.length;
    parts.push(body.subarray(starts[k].after, Math.max(starts[k].after, endAt)));
  }
  const last = starts[starts.length - 1];
  let closed = last?.close === true;
  // AbiWord's web archive (.mht) ends its last part with `--boundary`, then `--` on a line of its own: a
  // part of nothing but those two dashes is that closing delimiter broken over two lines, not a cut.
  if (!closed && parts.length > 1 && onlyDashes(parts[parts.length - 1])) {
    parts.pop();
    closed = true;
  }
  return {
    preamble: body.subarray(0, starts.length ? cut(starts[0].at) : body.length),
    parts,
    epilogue: closed ? body.subarray(last.after) : body.subarray(body.length),
    closed,
  };
}

/** `--` and nothing else but line breaks and blanks. */
function onlyDashes(b: Uint8Array): boolean {
  let dashes = 0;
  for (const c of b) {
    if (c === 0x2d) dashes++;
    else if (c !== 0x0d && c !== 0x0a && c !== 0x20 && c !== 0x09) return false;
  }
  return dashes === 2 && b.length <= 16;
}

/** Next offset ≥ from where `needle` starts a line. */
function findLineStart(b: Uint8Array, needle: Uint8Array, from: number): number {
  for (let i = b.indexOf(needle[0], from); i >= 0; i = b.indexOf(needle[0], i + 1)) {
    if (i > 0 && b[i - 1] !== 0x0a) continue;
    let j = 1;
    while (j < needle.length && b[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Field names that only mail carries: a header block with one of them is a message. */
const MAIL_FIELDS = new Set([
  'received', 'return-path', 'delivered-to', 'message-id', 'mime-version', 'date', 'from', 'to', 'cc', 'subject',
  'reply-to', 'sender', 'in-reply-to', 'references', 'x-mailer', 'user-agent', 'content-type', 'dkim-signature',
  'authentication-results', 'thread-topic', 'x-ms-exchange-organization-authas',
]);
const STRONG_FIELDS = new Set(['received', 'return-path', 'delivered-to', 'message-id', 'mime-version', 'from', 'subject', 'date']);

/**
 * What the first bytes of a blob look like: a message (`eml`), a web archive (`mhtml`: a message
 * whose top type is multipart/related, as Chromium and Word save pages), a mailbox (`mbox`:
 * `From ` separator lines), or none of them.
 */
/** Apple Mail's .emlx: its first line is the length of the message that follows (extract/eml.ts extractEmlx). */
export const EMLX_LENGTH = /^(\d{1,12})[ \t]*\r?\n/;

/** Whether `head` begins a header block (a field, or an mbox `From ` line, first) that has not ended in it. */
export function unendedHeader(head: string): boolean {
  return (FIELD.test(head) || /^From \S/.test(head)) && !/\r?\n\r?\n/.test(head);
}

export function mailKind(head: string): 'eml' | 'mhtml' | 'mbox' | null {
  const lines = head.split(/\r?\n/);
  let i = 0;
  let mbox = false;
  if (/^From \S/.test(lines[0] ?? '')) {
    mbox = true;
    i = 1;
  }
  let fields = 0;
  let strong = 0;
  let bad = 0;
  let related = false;
  for (; i < lines.length - 1; i++) {
    const l = lines[i];
    if (l === '') break;
    if (/^[ \t]/.test(l) && fields > 0) continue;
    const m = FIELD.exec(l);
    // A damaged line among good ones is still a message; a text with a colon here and there is not.
    if (!m && (++bad > 2 || fields === 0)) return null;
    if (!m) continue;
    const name = m[1].toLowerCase();
    if (MAIL_FIELDS.has(name)) fields++;
    if (STRONG_FIELDS.has(name)) strong++;
    if (name === 'content-type' && /^\s*multipart\/related/i.test(l.slice(m[0].length))) related = true;
  }
  if (fields < 2 + bad * 2 || strong < 1) return null;
  return mbox ? 'mbox' : related ? 'mhtml' : 'eml';
}

/** A uuencoded file: its name (from the `begin` line) and bytes, or null bytes when the block is damaged. */
export interface UuBlock {
  name: string;
  bytes: Uint8Array | null;
}

const UU_BEGIN = /^begin(-base64)? [0-7]{3,4} (.+?)\r?$/gm;
export const UU_BEGIN_LINE = /^begin(?:-base64)? [0-7]{3,4} \S/m;
/** The same line as the very first of a text (a uuencoded file on its own, a here-document holding one). */
export const UU_AT_START = new RegExp(UU_BEGIN_LINE.source);
/** One line of a `begin-base64` block. */
const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
/** Blocks read per text; past them, one damaged entry says the rest are unread. */
const MAX_UU_BLOCKS = 64;

/**
 * The uuencoded files in a text (`begin 644 name` … `end`), as old mail clients and newsreaders put
 * attachments into the body itself, and their base64 form (`begin-base64 644 name` … `====`, as GNU
 * sharutils' `uuencode -m` writes it). A block without its end line, or with a line that is not its
 * encoding, is damaged (null bytes): its content is unread.
 */
export function uuBlocks(text: string): UuBlock[] {
  const out: UuBlock[] = [];
  for (const m of text.matchAll(UU_BEGIN)) {
    if (out.length >= MAX_UU_BLOCKS) {
      out.push({ name: m[2], bytes: null });
      break;
    }
    const base64 = m[1] !== undefined;
    const bytes: number[] = [];
    const b64: string[] = [];
    let ended = false;
    let bad = false;
    for (const line of linesAfter(text, m.index + m[0].length)) {
      if (line === (base64 ? '====' : 'end')) {
        ended = true;
        break;
      }
      const ok = base64 ? B64_LINE.test(line) && b64.push(line) > 0 : uuLine(line, bytes);
      if (!ok) {
        bad = true;
        break;
      }
    }
    if (!base64) out.push({ name: m[2], bytes: ended && !bad ? Uint8Array.from(bytes) : null });
    else {
      const r = ended && !bad ? decodeBase64(b64.join('')) : null;
      out.push({ name: m[2], bytes: r && !r.bad ? r.bytes : null });
    }
  }
  return out;
}

/**
 * The lines after the one that holds `from`, one at a time: a block reads only its own lines, so a
 * text with many `begin` lines is not split again to its end for each (a 40 MB mail took 9 s).
 */
function* linesAfter(text: string, from: number): Generator<string> {
  for (let at = text.indexOf('\n', from); at >= 0; ) {
    const next = text.indexOf('\n', at + 1);
    const line = text.slice(at + 1, next < 0 ? text.length : next);
    yield next >= 0 && line.endsWith('\r') ? line.slice(0, -1) : line;
    at = next;
  }
}

/** Appends one uuencoded line's bytes; false when the line is not uuencoding. */
function uuLine(line: string, out: number[]): boolean {
  if (line === '') return true;
  const six = (i: number) => (line.charCodeAt(i) - 32) & 63;
  const n = six(0);
  if (line.charCodeAt(0) < 32 || line.charCodeAt(0) > 96 || Math.ceil(n / 3) * 4 + 1 > line.length + 2) return false;
  for (let i = 1, left = n; left > 0; i += 4) {
    const v = (six(i) << 18) | (six(i + 1) << 12) | (six(i + 2) << 6) | six(i + 3);
    for (let k = 16; k >= 0 && left > 0; k -= 8, left--) out.push((v >> k) & 255);
  }
  return true;
}
