/**
 * WARC, the web archive format (ISO 28500): what `wget --warc-file`, web crawlers and `bsdtar --format
 * warc` write. A sequence of records, each a `WARC/1.x` line, named fields, a blank line, then a block of
 * exactly Content-Length bytes. The files it holds are members: a `resource` record's block is a file;
 * a `response` (or `request`) record's block is an HTTP message, whose body is the file (or the form a
 * page sent). Without this a WARC was searched as one text, and a compressed document in it (a .docx,
 * a PDF's streams) showed no stamp: `clean`. A .warc.gz is a gzip member per record, opened as gzip first.
 *
 * Fail closed: a record cut short, a chunked body that does not parse, a body in a content coding this
 * engine cannot undo, or a record continued in another file (segmented) is `unscannable` for its part.
 */
import { blobOf, concat, decodeName, readBytes } from '../bytes.js';
import type { Where } from '../types.js';
import { nameOnly, ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';

/** `WARC/1.0`, `WARC/1.1` (and `WARC/0.17`, as old Heritrix wrote): the first line of every record. */
export const WARC_START = /^WARC\/\d+\.\d+\r?\n/;

interface Fields {
  [name: string]: string;
}

/** Header lines and chunk sizes are ASCII; latin1 keeps any other byte as one character. */
const latin1 = new TextDecoder('latin1');

export const extractWarc: Extractor = async function* (blob, ctx) {
  const b = await readBytes(blob);
  let at = 0;
  let n = 0;
  while (at < b.length) {
    // Records are separated by CRLF CRLF; writers differ in how many blank lines they leave at the end.
    while (at < b.length && (b[at] === 0x0d || b[at] === 0x0a)) at++;
    if (at >= b.length) break;
    ctx.checkTime();
    const head = headerEnd(b, at);
    const first = latin1.decode(b.subarray(at, Math.min(b.length, at + 16)));
    if (head < 0 || !WARC_START.test(first)) throw new ScanError('corrupt', `the web archive (WARC) is damaged: no record starts at byte ${at}`);
    // Field values may hold UTF-8 (WARC 1.1, 4): bsdtar writes a file's name in the target URI as its bytes, UTF-8
    // or, for a name made on a Japanese system, CP932 or EUC-JP; decodeName reads each as a name.
    const fields = parseFields(decodeName(b.subarray(at, head), false).split(/\r?\n/).slice(1));
    const start = blockStart(b, head);
    const length = Number(fields['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) throw new ScanError('corrupt', `a WARC record without a valid Content-Length (byte ${at})`);
    n++;
    const where: Where = { part: `record ${n}` };
    if (start + length > b.length) {
      yield { kind: 'unscannable', reason: 'corrupt', detail: 'the web archive (WARC) is cut short: its last record ends past the end of the file', where };
      return;
    }
    yield* record(fields, b.subarray(start, start + length), where, ctx);
    at = start + length;
  }
  if (n === 0) throw new ScanError('corrupt', 'a web archive (WARC) without a record');
};

/** The offset of the blank line that ends a header block (CRLF CRLF, or LF LF), or -1. */
function headerEnd(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return i;
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i;
  }
  return -1;
}

/** Where the block starts, after the blank line found by headerEnd. */
function blockStart(b: Uint8Array, end: number): number {
  return end + (b[end + 1] === 0x0d ? 3 : 2);
}

/** Named fields (lower-cased names; a continuation line, starting with a space or tab, joins the previous). */
function parseFields(lines: string[]): Fields {
  const out: Fields = {};
  let last = '';
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      out[last] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    out[last] = line.slice(colon + 1).trim();
  }
  return out;
}

/** What a record holds, as members (files, HTTP bodies) and text (fields, HTTP headers). */
async function* record(fields: Fields, block: Uint8Array, where: Where, ctx: ExtractContext): AsyncIterable<Extracted> {
  const type = (fields['warc-type'] ?? '').toLowerCase();
  const name = memberName(fields['warc-target-uri'] ?? '', type);
  if (type === 'continuation' || fields['warc-segment-number'] !== undefined) {
    yield nameOnly(name, where);
    yield { kind: 'unscannable', reason: 'unsupported', detail: `${name}: a record split across several web archive files (segmented)`, where };
    return;
  }
  const http = (fields['content-type'] ?? '').toLowerCase().startsWith('application/http') || /^(HTTP\/\d|[A-Z]+ \S+ HTTP\/\d)/.test(ascii(block, 32));
  if ((type === 'response' || type === 'request' || type === 'revisit') && http) {
    yield* httpMessage(block, name, where, ctx);
    return;
  }
  ctx.addEntry();
  ctx.addExpanded(block.length);
  yield { kind: 'member', name, data: blobOf(block), where };
}

const ascii = (b: Uint8Array, n: number) => latin1.decode(b.subarray(0, n));

/**
 * The file name a record's target stands for: the last segment of its URL's path (percent-decoded), as
 * a browser saves it; `index.html` for a directory; `warcinfo`/`metadata` for records without a target.
 * wget writes the URI in angle brackets (WARC 1.0's grammar); other writers do not.
 */
function memberName(uri: string, type: string): string {
  const raw = uri.replace(/^<|>$/g, '');
  if (!raw) return type || 'record';
  let path = raw;
  // bsdtar writes file://name, the name as it is (not percent-encoded): taken apart by hand, since a URL
  // parser takes a top-level name for a host and spells it in punycode (「秘—見積.txt」 → xn--8ug4746ackah43c.txt).
  if (/^file:\/\//i.test(raw)) path = raw.slice(7).replace(/\/$/, '');
  else {
    try {
      path = new URL(raw).pathname;
    } catch {
      /* not a URL: its last segment */
    }
  }
  const last = path.split('/').pop() ?? '';
  if (!last) return 'index.html';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * An HTTP message kept as it crossed the wire: its start line and headers are text; its body, with the
 * transfer coding undone, is the member (named by Content-Disposition's filename when there is one). A
 * gzip body is opened as gzip by the scanner; another content coding cannot be undone here.
 */
async function* httpMessage(block: Uint8Array, name: string, where: Where, ctx: ExtractContext): AsyncIterable<Extracted> {
  const end = headerEnd(block, 0);
  const headText = new TextDecoder('utf-8').decode(block.subarray(0, end < 0 ? block.length : end));
  yield { kind: 'text', text: headText, where };
  if (end < 0) return; // headers only (a revisit record, or a HEAD response): no body
  const headers = parseFields(headText.split(/\r?\n/).slice(1));
  let body = block.subarray(blockStart(block, end));
  if (body.length === 0) return;
  const file = dispositionName(headers['content-disposition'] ?? '') ?? name;
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const whole = dechunk(body);
    if (!whole) {
      yield nameOnly(file, where);
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${file}: its chunked body does not parse`, where };
      return;
    }
    body = whole;
  }
  const coding = (headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (!['identity', 'gzip', 'x-gzip', ''].includes(coding)) {
    yield nameOnly(file, where);
    yield { kind: 'unscannable', reason: 'unsupported', detail: `${file}: its body is compressed as "${coding.slice(0, 40)}", which cannot be undone here`, where };
    return;
  }
  ctx.addEntry();
  ctx.addExpanded(body.length);
  yield { kind: 'member', name: file, data: blobOf(body), where };
}

/** `attachment; filename="a.pdf"` or RFC 5987's `filename*=UTF-8''…`. */
function dispositionName(v: string): string | null {
  const star = /filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)/i.exec(v);
  if (star) {
    try {
      return decodeURIComponent(star[2].trim());
    } catch {
      /* fall through to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(v);
  return plain ? (plain[1] ?? plain[2]) : null;
}

/** The body of a chunked transfer coding (RFC 9112 7.1), or null when it does not parse to its last chunk. */
export function dechunk(b: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let at = 0;
  let total = 0;
  for (;;) {
    let eol = b.indexOf(0x0a, at);
    if (eol < 0) return null;
    const size = parseInt(latin1.decode(b.subarray(at, eol)).split(';')[0].trim(), 16);
    if (!Number.isSafeInteger(size) || size < 0) return null;
    at = eol + 1;
    if (size === 0) break;
    if (at + size > b.length) return null;
    parts.push(b.subarray(at, at + size));
    total += size;
    at += size;
    eol = b.indexOf(0x0a, at);
    if (eol < 0 || eol - at > 1) return null;
    at = eol + 1;
  }
  return concat(parts, total);
}
