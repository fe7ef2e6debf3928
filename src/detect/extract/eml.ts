/**
 * E-mail messages (.eml, message/rfc822) and web archives (.mht/.mhtml, which are MIME messages
 * too). The subject and other headers are read decoded; every text and HTML part is decoded per
 * transfer encoding and charset and read as body; every attachment and forwarded message is handed
 * back as a member (its name checked by rule 2, its content scanned recursively). Whatever cannot
 * be decoded is reported as unscannable with where it is, and what could be read is still read.
 */
import { blobOf, readBytes } from '../bytes.js';
import { mayBeStamp } from './byte-scan.js';
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { htmlRuns, markupItems } from './html.js';
import { charsetDecoder, decodeText, detectTextEncoding, markupEncoding, withoutQuoteMarks } from './text.js';
import { contentInfo, decodeBody, EMLX_LENGTH, hasEmbeddedMime, parseEntity, splitMultipart, type ContentInfo, type Entity } from './mime.js';
import { encodedFiles } from './encoded-in-text.js';
import { base64Damaged, decodeBase64, decodeCharset, decodeEncodedWords, printable } from './rfc2047.js';
import { headFormat, isPicture, looksLikeText, mayEndInZip, SNIFF_HEAD, ZIP_END_REACH } from '../sniff.js';
import { ARCHIVE_START_READ, archiveStart } from './picture-archive.js';
import { nameOnly, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { tameTail } from './markup-spans.js';
import { afterFromLine, extractMbox, separators } from './mbox.js';

/** Multipart nesting followed inside one message; deeper structure is reported, not read. */
const MAX_NEST = 32;

export const extractEml: Extractor = async function* (blob, ctx) {
  const bytes = asBytesOnTheWire(await readBytes(blob));
  ctx.checkTime();
  // A saved message may begin with its mailbox's `From ` line, which is no header field; a mailbox named .eml
  // (more `From ` lines) is read as the mailbox it is, each message on its own.
  const from = afterFromLine(bytes);
  if (from && separators(bytes, ctx.checkTime).length > 1) yield* extractMbox(blobOf(bytes), ctx); // its line ends as read here
  else yield* messageItems(bytes.subarray(from), ctx);
};

/**
 * A message saved as UTF-16 with a BOM (Windows PowerShell 5.1's `>` and Out-File write so by default):
 * MIME is read on bytes, so it is turned back into the 8-bit text it was (the BOM says how) first.
 */
function asBytesOnTheWire(bytes: Uint8Array): Uint8Array {
  const order = utf16Order(bytes);
  return withLineFeeds(order ? new TextEncoder().encode(new TextDecoder(order).decode(bytes)) : bytes);
}

/**
 * A message whose lines end in CR alone (classic Mac OS mailers, Eudora): Python's email parser takes
 * CR, LF and CRLF all for line ends, so it reads one. When the first line ends in a bare CR, every bare
 * CR becomes LF (CRLF stays), and MIME is read on lines as usual.
 */
function withLineFeeds(b: Uint8Array): Uint8Array {
  const cr = b.indexOf(0x0d);
  if (cr < 0 || b[cr + 1] === 0x0a) return b;
  const lf = b.indexOf(0x0a);
  if (lf >= 0 && lf < cr) return b;
  const out = b.slice();
  for (let i = cr; i < out.length; i++) if (out[i] === 0x0d && out[i + 1] !== 0x0a) out[i] = 0x0a;
  return out;
}
/** Header lines are ASCII: UTF-16 shows as a BOM, or as a zero byte beside each of the first 32 characters. */
function utf16Order(b: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b.length < 64) return null;
  const zeroAt = (parity: number) => Array.from({ length: 32 }, (_, i) => b[2 * i + parity]).every((x) => x === 0);
  const textAt = (parity: number) => Array.from({ length: 32 }, (_, i) => b[2 * i + parity]).every((x) => x >= 0x09 && x < 0x80);
  if (zeroAt(1) && textAt(0)) return 'utf-16le';
  if (zeroAt(0) && textAt(1)) return 'utf-16be';
  return null;
}

/** A message's items. Without company keywords only the stamp matters: text without a 秘/㊙ that may start one need not reach the matcher. */
async function* messageItems(bytes: Uint8Array, ctx: ExtractContext): AsyncGenerator<Extracted> {
  for await (const x of walkMessage(bytes, ctx)) if (x.kind !== 'text' || ctx.fullText || mayBeStamp(x.text)) yield x;
}

/**
 * Apple Mail's own file (.emlx): a line with the message's length in bytes, the message, then an XML
 * property list of Apple's (flags, dates). Read as plain text, a base64 body stayed unread.
 */
export const extractEmlx: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  const head = EMLX_LENGTH.exec(new TextDecoder('latin1').decode(bytes.subarray(0, 16)))!;
  const start = head[0].length;
  const end = start + Number(head[1]);
  if (end > bytes.length) yield unreadable('the message is shorter than its first line says (cut short)');
  const message = bytes.subarray(start, Math.min(end, bytes.length));
  yield* messageItems(message, ctx);
  if (end < bytes.length) yield* textRuns(new TextDecoder().decode(bytes.subarray(end)), { area: 'properties' });
};

/** A whole message: its headers, then its body. */
export async function* walkMessage(bytes: Uint8Array, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const e = parseEntity(bytes);
  yield* headerRuns(e);
  yield* walkBody(e, ctx, '1', 0, 'text/plain');
}

/**
 * Subject as `subject`; every other header, decoded, as `headers` (names and addresses carry text too),
 * each field on its own: a reader shows each under its name, so one's last word never meets the next
 * one's first (`Keywords: 社外秘` then `X-Classification: Confidential`).
 */
function* headerRuns(e: Entity): Generator<Extracted> {
  const problems: string[] = [];
  for (const f of e.fields) {
    const d = decodeEncodedWords(f.value);
    problems.push(...d.problems);
    if (f.name === 'subject') yield { kind: 'text', text: d.text, where: { area: 'subject' } };
    else for (const t of chunkText(d.text)) yield { kind: 'text', text: t, where: { area: 'headers' } };
  }
  if (e.junk.length) for (const t of chunkText(e.junk.join('\n'))) yield { kind: 'text', text: t, where: { area: 'headers' } };
  // A line that is no field where fields are (Python: MissingHeaderBodySeparatorDefect): a field's name
  // damaged (a byte altered, a block overwritten by zeros), and with it what it said (the Content-Type, the
  // transfer encoding), so the body after it may be read as what it is not.
  if (e.junk.length) yield unreadable('the header block has lines that are no header field (damaged)', { area: 'headers' });
  if (problems.length) yield unreadable(`header: ${problems[0]}`, { area: 'headers' });
  if (!e.complete) yield unreadable('the message ends inside its header block (cut short)', { area: 'headers' });
}

const unreadable = (detail: string, where: Where = BODY): Extracted => ({ kind: 'unscannable', reason: 'corrupt', detail, where });
const BODY: Where = { area: 'body' };

/** The body of entity `e` (part number `id`, multipart nesting `nest`; `fallback`, `encodingFallback`: see contentInfo). */
async function* walkBody(e: Entity, ctx: ExtractContext, id: string, nest: number, fallback: string, encodingFallback?: string): AsyncGenerator<Extracted> {
  ctx.checkTime();
  const info = contentInfo(e, fallback, encodingFallback);
  if (nest > 0) {
    yield* textRuns(e.junk.join('\n'), BODY);
    if (e.junk.length) yield unreadable(`part ${id}: its header block has lines that are no header field (damaged)`);
    if (!e.complete) yield unreadable(`part ${id}: ends inside its header block (cut short)`);
  }
  for (const p of info.problems) yield unreadable(`part ${id}: ${p}`);
  const sealed = sealedPart(info);
  if (sealed) {
    yield { kind: 'unscannable', reason: sealed.reason, detail: `part ${id}: ${sealed.why}`, where: BODY };
    return;
  }
  const major = info.type.split('/')[0];
  if (major === 'multipart' && !info.filename) {
    yield* walkMultipart(e, info, ctx, id, nest);
    return;
  }
  if (!KNOWN_TYPES.has(major)) yield unreadable(`part ${id}: unknown content type ${printable(info.type)}`);
  const attachment = !!info.filename || !isInlineText(info);
  const picture = attachment && ctx.pictureHeads && info.encoding === 'base64' ? await pictureHead(e.body) : null;
  if (picture) {
    yield member(attachmentName(info, id), picture, ctx);
    if (info.otherName) yield nameOnly(info.otherName);
    return;
  }
  const body = decodeBody(e.body, info.encoding, major !== 'message');
  if (body.problem) yield unreadable(`part ${id}: ${body.problem}`);
  // Bytes whose decoding failed or was guessed are read as they stand too: a stamp in them is a stamp.
  if ((body.problem && info.encoding !== 'base64') || (body.undeclared && !attachment)) yield* textRuns(decodeCharset(e.body, undefined).text, BODY);
  if (!attachment && !carriesFile(body.bytes)) {
    yield* inlineText(e, info, body.bytes, id, ctx);
    return;
  }
  yield member(attachmentName(info, id), body.bytes, ctx);
  yield* labelledText(info, body.bytes, attachmentName(info, id));
  // Guessed to be base64, it is also the file as it stands: a text file of hashes or keys (lines of hex
  // or base64 under a title) passes for base64, and its text would go unread.
  if (body.undeclared) yield member(attachmentName(info, id), e.body, ctx);
  // Named twice (filename="notes.txt", name="秘—計画.txt"): clients differ in which they show, so both count for rule 2.
  if (info.otherName) yield nameOnly(info.otherName);
}

/**
 * The first bytes of a base64 body when they are an image's or a recording's, which the scan does not
 * read past (sniff.ts isPicture): the rest is not decoded either, a phone photo's megabytes of it.
 * Null for any other body, and for a short one that is damaged (decoded whole, its damage reported).
 */
async function pictureHead(body: Uint8Array): Promise<Uint8Array | null> {
  // Damage anywhere in it (a character a disk or a gateway altered) shifts every byte after it: an
  // archive appended to the picture is then not found. Such a body is decoded whole, its damage said.
  if (base64Damaged(body)) return null;
  // Three bytes per four characters, with room for line breaks.
  const whole = body.length <= SNIFF_HEAD * 2;
  const r = decodeBase64(body.subarray(0, SNIFF_HEAD * 2));
  if (whole ? r.bad : r.bytes.length < SNIFF_HEAD) return null;
  const head = r.bytes.subarray(0, SNIFF_HEAD);
  const tail = base64Tail(body, ZIP_END_REACH);
  if (!isPicture(head) || mayEndInZip(tail)) return null;
  if (endsAsPicture(head, tail)) return head;
  // Something after the picture's own end: a 7z, RAR, LZH or CAB is looked for as in a saved file
  // (sniff.ts), in as much of the attachment as that search reads, decoded.
  const start = decodeBase64(body.subarray(0, Math.ceil((ARCHIVE_START_READ * 4) / 3 + ARCHIVE_START_READ / 16) + 256)).bytes;
  return (await archiveStart(blobOf(start.subarray(0, ARCHIVE_START_READ)))) ? null : head;
}

/** JPEG's end marker, PNG's IEND chunk, GIF's trailer: a picture whose last bytes are its own carries nothing after it. */
const PNG_END = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
function endsAsPicture(head: Uint8Array, tail: Uint8Array): boolean {
  let n = tail.length;
  while (n > 0 && tail[n - 1] === 0) n--; // zero padding some writers add
  const endsWith = (sig: number[]) => n >= sig.length && sig.every((b, i) => tail[n - sig.length + i] === b);
  if (head[0] === 0xff && head[1] === 0xd8) return endsWith([0xff, 0xd9]);
  if (head[0] === 0x89 && head[1] === 0x50) return endsWith(PNG_END);
  if (head[0] === 0x47 && head[1] === 0x49) return endsWith([0x3b]);
  return false;
}

/**
 * About the last `want` bytes of a base64 body, decoded without the rest: its alphabet characters
 * come in groups of four from the start, so the last whole groups are aligned whatever came before.
 */
function base64Tail(body: Uint8Array, want: number): Uint8Array {
  // Line breaks take at most one character in 38 (76-character lines): room for them, and some.
  const region = body.subarray(Math.max(0, body.length - Math.ceil((want * 4) / 3 + want / 16) - 256));
  const chars = region.filter(isBase64Char);
  return decodeBase64(chars.subarray(chars.length % 4)).bytes;
}
const isBase64Char = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x3d;

/** message/partial split into one piece only (number=1, total=1): the piece is the whole message (RFC 2046 5.2.2), as Python reads it. */
const wholeMessage = (info: ContentInfo): boolean => info.params.get('number')?.trim() === '1' && info.params.get('total')?.trim() === '1';

/**
 * A part whose content this reader cannot reach: an encrypted PGP/MIME message, S/MIME that carries
 * only certificates, or one piece of a message split into several
 * (message/partial). Null for any other part.
 */
function sealedPart(info: ContentInfo): { reason: 'encrypted' | 'unsupported'; why: string } | null {
  const smime = (info.params.get('smime-type') ?? '').toLowerCase();
  if (info.type === 'multipart/encrypted') return { reason: 'encrypted', why: 'an encrypted message (PGP/MIME)' };
  // Signed or encrypted S/MIME (smime.p7m) is an attachment to the reader: sealed.ts reads a signed one
  // through to the message it signs, and calls an encrypted one encrypted, by its bytes (the smime-type
  // parameter is optional, and some clients leave it out).
  if (/^application\/(x-)?pkcs7-mime$/.test(info.type) && smime === 'certs-only') return { reason: 'unsupported', why: 'an S/MIME certificates-only message' };
  if (info.type === 'message/partial' && !wholeMessage(info)) return { reason: 'unsupported', why: 'one piece of a message split into several (message/partial)' };
  return null;
}

/** A byte past ASCII, or ESC (ISO-2022-JP): text a charset label decides. */
const NOT_ASCII = /[\x80-\xff\x1b]/;
const latin1 = new TextDecoder('latin1');

/** A text or HTML part shown in the message itself. */
async function* inlineText(e: Entity, info: ContentInfo, bytes: Uint8Array, id: string, ctx: ExtractContext): AsyncGenerator<Extracted> {
  if (hasEmbeddedMime(e.body)) yield unreadable(`part ${id}: encoded MIME parts inside text (the structure around them is damaged)`);
  const label = info.params.get('charset') ?? (info.type === 'text/html' ? markupEncoding(bytes) : undefined);
  const text = decodeCharset(bytes, label);
  for (const p of text.problems) yield unreadable(`part ${id}: ${p}`);
  // A label that does not fit the bytes (Shift_JIS under iso-2022-jp or utf-8, UTF-8 under us-ascii or
  // iso-8859-1, as old systems and scripts send): the bytes are also read as a text file is, their
  // encoding detected. (Not decoded twice when the detected encoding is the label's.)
  const mislabeled = NOT_ASCII.test(latin1.decode(bytes.subarray(0, 1 << 20))) && detectTextEncoding(bytes) !== (label && charsetDecoder(label)?.encoding);
  const detected = mislabeled ? decodeText(bytes) : text.text;
  if (info.type === 'text/html') {
    // Read as a .html file is: its data: URLs and base64 parts carry files too (html.ts markupItems).
    yield* markupItems(text.text, ctx);
    if (detected !== text.text) yield* htmlRuns(detected);
    return;
  }
  yield* textRuns(text.text, BODY);
  if (detected !== text.text) yield* textRuns(detected, BODY);
  // A bounce's returned header block (text/rfc822-headers): its subject as a mail client decodes it.
  if (info.type === 'text/rfc822-headers' && text.text.includes('=?')) yield* textRuns(decodeEncodedWords(text.text).text, BODY);
  // text/enriched (RFC 1896) and text/richtext: formatting commands in angle brackets, `<<` for `<`.
  if (/^text\/(?:enriched|richtext)$/.test(info.type)) yield* textRuns(text.text.replace(/<[^<>\r\n]{1,64}>/g, '').replaceAll('<<', '<'), BODY);
  const joined = unflowed(text.text, info);
  if (joined !== null) yield* textRuns(joined, BODY);
  // A reply quoting the message it answers (`> 秘` ⏎ `> Confidential`): the quoted lines as they read.
  if (/^[ \t]*[>＞|]/m.test(text.text)) yield* textRuns(withoutQuoteMarks(text.text), BODY);
  // Files encoded into the text (old clients and newsreaders uuencode attachments into the body).
  yield* encodedFiles(text.text, ctx, `part ${id}: `);
  // Markup in a part not declared HTML (a lost or mistyped Content-Type) is read as HTML too.
  const markup = tameTail(text.text);
  if (/<(html|body|p|div|span|br|b|i|td)\b[^>]*>/i.test(markup)) yield* htmlRuns(markup);
}

/**
 * Bytes under a text type that are a file (a script mailing a report or a .gz as text/plain or text/html,
 * with no name): decided by content, as everywhere else, so they are read as that file and not decoded
 * into characters. Only a binary head a format claims, or PDF's header at the start: a text that names a
 * format (「%PDF-1.7」 in a sentence) stays text.
 */
function carriesFile(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, SNIFF_HEAD);
  const format = headFormat(head);
  if (!format) return false;
  return format === 'pdf' ? latin1.decode(head.subarray(0, 5)) === '%PDF-' : !looksLikeText(head);
}

/** A text attachment read in its labelled charset too, up to this size (a file's own reading detects the encoding). */
const LABELLED_CAP = 1 << 20;
/**
 * A text attachment in the charset its label names: as a file it is read in the encoding its bytes look
 * like, and UTF-7 (`+edg Confidential`, old Outlook and IMAP) looks like ASCII.
 */
function* labelledText(info: ContentInfo, bytes: Uint8Array, name: string): Generator<Extracted> {
  const label = info.params.get('charset');
  if (!label || !info.type.startsWith('text/') || STRUCTURED_TEXT.test(info.type) || bytes.length > LABELLED_CAP) return;
  const text = decodeCharset(bytes, label);
  if (text.problems.length > 0) return;
  yield* textRuns(text.text, { part: name, area: 'body' });
  // A text attachment a client shows inline (Thunderbird does) is shown flowed too.
  const joined = unflowed(text.text, info);
  if (joined !== null) yield* textRuns(joined, { part: name, area: 'body' });
}

/**
 * A format=flowed text (RFC 3676) as a client shows it, or null when not flowed or nothing flows: a line
 * ending in a space goes on in the next; with delsp=yes that space was added by the sender's client, so
 * 「秘 Confi␠」⏎「dential」 reads 秘 Confidential. A quoted paragraph flows too: the next line's quote
 * marks (`> `) go with the break.
 */
function unflowed(text: string, info: ContentInfo): string | null {
  if ((info.params.get('format') ?? '').toLowerCase() !== 'flowed') return null;
  const delsp = (info.params.get('delsp') ?? '').toLowerCase() === 'yes';
  const joined = text.replace(delsp ? / \r?\n(?:>+ ?)?(?!-- \r?\n)/g : /(?<= )\r?\n(?:>+ ?)?(?!-- \r?\n)/g, '');
  return joined === text ? null : joined;
}

/** Top-level media types (IANA): any other is a damaged header, and what it hides may be unread. */
const KNOWN_TYPES = new Set(['text', 'image', 'audio', 'video', 'application', 'message', 'multipart', 'font', 'model', 'example', 'haptics']);

/** Text a mail client shows in the message itself (not as an attachment). */
function isInlineText(info: ContentInfo): boolean {
  return info.type.startsWith('text/') && info.disposition !== 'attachment' && !STRUCTURED_TEXT.test(info.type);
}
/**
 * Text types read by their own structure, as a file: RTF, and a meeting invitation or a contact card
 * sent inline (folded lines and escapes, which clients undo when they show the description).
 */
const STRUCTURED_TEXT = /^text\/(?:rtf|calendar|x-vcalendar|vcard|x-vcard|directory)$/;

/**
 * A multipart body on its own, without a message around it (an HTTP form upload: form-data.ts),
 * read as a message's multipart body. `boundary` is in latin1 (one character per byte).
 */
export async function* walkMultipartBody(body: Uint8Array, boundary: string, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const info: ContentInfo = { type: 'multipart/form-data', params: new Map([['boundary', boundary]]), encoding: '7bit', disposition: '', filename: '', otherName: null, problems: [] };
  yield* walkMultipart({ fields: [], junk: [], body, complete: true }, info, ctx, '1', 0);
}

async function* walkMultipart(e: Entity, info: ContentInfo, ctx: ExtractContext, id: string, nest: number): AsyncGenerator<Extracted> {
  const where = BODY;
  const boundary = info.params.get('boundary');
  if (nest >= MAX_NEST) {
    yield { kind: 'unscannable', reason: 'too-deep', detail: `part ${id}: multipart nested more than ${MAX_NEST} deep`, where };
    return;
  }
  if (!boundary) {
    yield unreadable(`part ${id}: multipart without a boundary`, where);
    yield* textRuns(decodeCharset(e.body, undefined).text, where);
    return;
  }
  const mp = splitMultipart(e.body, boundary, ctx.checkTime);
  // Readers skip the preamble and epilogue, but text hidden there is still in the file.
  yield* textRuns(decodeCharset(mp.preamble, undefined).text, where);
  if (hasEmbeddedMime(mp.preamble) || hasEmbeddedMime(mp.epilogue)) {
    yield unreadable(`part ${id}: a part outside the boundaries (damaged delimiter)`, where);
  }
  if (mp.parts.length === 0) {
    yield unreadable(`part ${id}: no part with boundary ${printable(boundary)} (damaged structure)`, where);
    return;
  }
  const inner = info.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  // A form upload's parts carry their bytes as they are (RFC 7578 4.7: no transfer encoding), a file's
  // runs of zeros included; a mail part without the field is 7bit text, where such a run is damage.
  const encoding = info.type === 'multipart/form-data' ? 'binary' : undefined;
  for (const [k, raw] of mp.parts.entries()) {
    yield* walkBody(parseEntity(raw), ctx, `${id}.${k + 1}`, nest + 1, inner, encoding);
  }
  if (!mp.closed) yield unreadable(`part ${id}: the closing boundary is missing (message cut short)`, where);
  yield* textRuns(decodeCharset(mp.epilogue, undefined).text, where);
}

function* textRuns(text: string, where: Where): Generator<Extracted> {
  if (!text.trim()) return;
  for (const t of chunkText(text)) yield { kind: 'text', text: t, where };
}

/**
 * The member name of an attachment: its own file name when it has one; a forwarded message
 * without a name is `message.eml` (its subject is not a file name, so rule 2 does not apply to it).
 */
function attachmentName(info: ContentInfo, id: string): string {
  const message = info.type === 'message/rfc822' || info.type === 'message/global' || info.type === 'message/partial';
  // A forwarded message is read as one whatever it is named: its own header may be too short to tell.
  if (info.filename) return message && !/\.eml$/i.test(info.filename) ? `${info.filename}.eml` : info.filename;
  if (message) return 'message.eml';
  // An inline invitation or contact card, named so it is read as one (STRUCTURED_TEXT).
  if (/calendar/.test(info.type)) return 'invite.ics';
  if (/vcard|directory/.test(info.type)) return 'contact.vcf';
  // Web archives name resources by URL (Content-Location): a URL is not a file name either.
  return `part ${id}`;
}

function member(name: string, data: Uint8Array, ctx: ExtractContext): Extracted {
  ctx.addEntry();
  ctx.addExpanded(data.length);
  return { kind: 'member', name, data: blobOf(data), where: { area: 'attachment' } };
}
