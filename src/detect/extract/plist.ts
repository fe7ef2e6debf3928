/**
 * Apple property lists: binary (`bplist00`, what macOS and iOS write by default) and XML. Safari's web
 * archive (.webarchive) is one: each page and resource is a `WebResourceData` value, the page's bytes as
 * its browser shows them (HTML with its character references and tags), beside its MIME type. Read:
 * - every string value as text, in the order the list stores them (keys too: a reader of the list sees them);
 * - every data value as a file of its own (a member), named by its key and, where its dictionary gives
 *   one, the MIME type's extension (`WebResourceData.html`): a page is read as the page it is, a
 *   document as the document;
 * - an XML list's `<data>` (base64) the same way, its text as XML.
 * A binary list whose trailer, offsets or objects do not hold together is `corrupt` (never clean).
 * Its bytes are searched as a binary file's too (scan.ts), as before this reader.
 */
import { blobOf, readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { extractHtml } from './html.js';
import { decodeBase64 } from './rfc2047.js';
import { ScanError, type Extracted, type ExtractContext, type Extractor } from './types.js';

export const BPLIST_MAGIC = 'bplist00';
/** An XML property list: its doctype or root element near the start. */
export const XML_PLIST = /^(?:\xEF\xBB\xBF)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE\s+plist\b|<plist[\s>])/;

/** Larger than any list a person saves (web archives of long pages are a few MB): not read, and said. */
const MAX_BYTES = 256 << 20;

export const extractPlist: Extractor = async function* (blob, ctx) {
  if (blob.size > MAX_BYTES) {
    yield { kind: 'unscannable', reason: 'too-large', detail: `a property list over ${MAX_BYTES >> 20} MiB: its values were not read` };
    return;
  }
  const bytes = await readBytes(blob);
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 8)) === BPLIST_MAGIC) yield* binaryList(bytes, ctx);
  else yield* xmlList(blob, bytes, ctx);
};

async function* xmlList(blob: Blob, bytes: Uint8Array, ctx: ExtractContext): AsyncGenerator<Extracted> {
  yield* extractHtml(blob, ctx);
  const xml = new TextDecoder().decode(bytes);
  let n = 0;
  for (const m of xml.matchAll(/(?:<key>([^<]*)<\/key>\s*)?<data>([\s\S]*?)<\/data>/g)) {
    if ((++n & 255) === 0) ctx.checkTime();
    const data = decodeBase64(m[2].replace(/\s+/g, '')).bytes;
    if (data.length === 0) continue;
    // The MIME type a web archive gives beside the data, in the same dictionary (the nearest one after or before it).
    const near = xml.slice(Math.max(0, m.index - 512), m.index + m[0].length + 512);
    const mime = /<key>[^<]*MIMEType<\/key>\s*<string>([^<]*)<\/string>/.exec(near)?.[1];
    ctx.addEntry();
    yield { kind: 'member', name: memberName(m[1], mime), data: blobOf(data), where: { area: 'attachments' } };
  }
}

interface Layout {
  offsets: number[];
  refSize: number;
}

/** The trailer (last 32 bytes): sizes, object count, top object, offset table; checked against the file. */
function layoutOf(b: Uint8Array): Layout {
  if (b.length < 8 + 32) throw new ScanError('corrupt', 'a binary property list shorter than its trailer');
  const t = b.length - 32;
  const offsetSize = b[t + 6];
  const refSize = b[t + 7];
  const count = uint(b, t + 8, 8);
  const tableAt = uint(b, t + 24, 8);
  if (offsetSize < 1 || offsetSize > 8 || refSize < 1 || refSize > 8 || tableAt < 8 || tableAt + count * offsetSize > t) {
    throw new ScanError('corrupt', 'a binary property list whose trailer does not fit the file');
  }
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = uint(b, tableAt + i * offsetSize, offsetSize);
    if (at < 8 || at >= tableAt) throw new ScanError('corrupt', 'a binary property list with an object outside its body');
    offsets.push(at);
  }
  return { offsets, refSize };
}

/** `b`'s layout when its last 32 bytes are a trailer that fits it, else null. */
function layoutIfFits(b: Uint8Array): Layout | null {
  try {
    return layoutOf(b);
  } catch {
    return null;
  }
}

function uint(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + b[at + i];
  return v;
}

type Obj =
  | { t: 'string'; s: string }
  | { t: 'data'; at: number; end: number }
  | { t: 'dict'; keys: number[]; values: number[] }
  | { t: 'other' };

const UTF16BE = new TextDecoder('utf-16be');
const ASCII = new TextDecoder('latin1');

/** Object `i`: strings decoded, data located, dictionaries' references; what cannot hold text is 'other'. */
function objectAt(b: Uint8Array, l: Layout, i: number): Obj {
  let at = l.offsets[i];
  const marker = b[at++];
  const type = marker >> 4;
  let n = marker & 0xf;
  if (type === 0x4 || type === 0x5 || type === 0x6 || type === 0xa || type === 0xc || type === 0xd) {
    if (n === 0xf) {
      // A count of 15 or more: an integer object follows (0x1n, then 2^n bytes).
      const m = b[at++];
      if (m >> 4 !== 0x1 || (m & 0xf) > 3) throw new ScanError('corrupt', 'a binary property list with a damaged length');
      const size = 1 << (m & 0xf);
      n = uint(b, at, size);
      at += size;
    }
  }
  const end = (len: number) => {
    if (at + len > b.length - 32) throw new ScanError('corrupt', 'a binary property list whose value runs past its body');
    return at + len;
  };
  switch (type) {
    case 0x4:
      return { t: 'data', at, end: end(n) };
    case 0x5:
      return { t: 'string', s: ASCII.decode(b.subarray(at, end(n))) };
    case 0x6:
      return { t: 'string', s: UTF16BE.decode(b.subarray(at, end(2 * n))) };
    case 0xd: {
      end(2 * n * l.refSize);
      const refs = (from: number) => Array.from({ length: n }, (_, k) => uint(b, from + k * l.refSize, l.refSize));
      return { t: 'dict', keys: refs(at), values: refs(at + n * l.refSize) };
    }
    default:
      return { t: 'other' };
  }
}

/** A data value's name: its key (or `data`), with the extension of the MIME type its dictionary gives (Safari: WebResourceMIMEType). */
function memberName(key: string | undefined, mime: string | undefined): string {
  const ext = BY_MIME[(mime ?? '').trim().toLowerCase()];
  return `${key?.trim() || 'data'}${ext ? `.${ext}` : ''}`;
}

const BY_MIME: Record<string, string> = {
  'text/html': 'html',
  'application/xhtml+xml': 'xhtml',
  'text/plain': 'txt',
  'text/css': 'css',
  'text/javascript': 'js',
  'application/javascript': 'js',
  'application/json': 'json',
  'application/pdf': 'pdf',
};

/** Blank bytes after a list's trailer, at most this many (SheetJS ends the lists of a .numbers with a newline). */
const TRAILING_BLANKS = 8;

async function* binaryList(whole: Uint8Array, ctx: ExtractContext): AsyncGenerator<Extracted> {
  let end = whole.length;
  let fitting = layoutIfFits(whole);
  while (!fitting && whole.length - end < TRAILING_BLANKS && end > 0 && [0x00, 0x09, 0x0a, 0x0d, 0x20].includes(whole[end - 1])) fitting = layoutIfFits(whole.subarray(0, --end));
  const b = whole.subarray(0, end);
  // None fits: the list's own error.
  const l = fitting ?? layoutOf(b);
  const objects: Obj[] = [];
  for (let i = 0; i < l.offsets.length; i++) {
    if ((i & 1023) === 1023) ctx.checkTime();
    objects.push(objectAt(b, l, i));
  }
  // Names for data values held in a dictionary: their key, and the MIME type beside them.
  const names = new Map<number, string>();
  const str = (r: number | undefined) => {
    const o = r === undefined ? undefined : objects[r];
    return o?.t === 'string' ? o.s : undefined;
  };
  for (const o of objects) {
    if (o.t !== 'dict') continue;
    const mime = o.keys.findIndex((r) => str(r)?.endsWith('MIMEType'));
    o.values.forEach((v, k) => objects[v]?.t === 'data' && names.set(v, memberName(str(o.keys[k]), str(o.values[mime]))));
  }
  const text: string[] = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (o.t === 'string') text.push(o.s);
    else if (o.t === 'data' && o.end > o.at) {
      ctx.addEntry();
      yield { kind: 'member', name: names.get(i) ?? memberName(undefined, undefined), data: blobOf(b.slice(o.at, o.end)), where: { area: 'attachments' } };
    }
  }
  for (const chunk of chunkText(text.join('\n'))) yield { kind: 'text', text: chunk, where: {} };
}
