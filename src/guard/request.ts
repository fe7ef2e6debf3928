/**
 * The network layer's look at a request that left a guarded page: the last line behind the page hooks.
 * It sees what the browser hands a request listener (parsed form fields, raw bytes the page built,
 * paths of files on disk; never the bytes of a Blob or a File in memory), and it must answer at once,
 * so it applies the rules that need no file read: rule 2 (and designated name patterns) to every file
 * name the body carries, rule 1 (and designated keywords) to the text it or its URL carries.
 * Platform-free.
 */
import { concat } from '../detect/bytes.js';
import { decodeEntities } from '../detect/extract/xml-text.js';
import { baseName } from '../detect/rules/name.js';
import { checkName } from '../detect/rules/verdicts.js';
import type { Designated, MarkedVerdict } from '../detect/types.js';
import { chunkText } from '../detect/text-chunks.js';
import { TEXT_CAP, textVerdictOf } from './find.js';
import { MAY_HOLD_STAMP_TEXT } from './text-prefilter.js';
import { transcodedTexts } from './transcoded.js';
import { BASE64_STAMP, decodeRuns, urlText } from './url-text.js';

/** What Chromium's webRequest gives as `requestBody` (Firefox's has the same shape). */
export interface RequestBody {
  /** Parsed `multipart/form-data` or urlencoded fields; a file part's value is its file name. */
  formData?: Record<string, string[]>;
  /** The unparsed body: bytes the page built, or a disk file by path. */
  raw?: { bytes?: ArrayBuffer; file?: string }[];
  error?: string;
}

export interface BodyHit {
  /** The file name that is marked, or null when the marking is in the text. */
  fileName: string | null;
  size: number;
  verdict: MarkedVerdict;
}

/**
 * A field value is only taken for a file name when it looks like one (one line, a short extension):
 * the browser gives a file part's name and a text field's value alike, and a text field reading
 * "C-3PO" is not a file.
 */
const FILE_NAME_LIKE = /^[^\r\n/\\]{1,255}\.[\p{L}\p{N}]{1,10}$/u;
/** `filename="…"` and RFC 5987 `filename*=UTF-8''…` parameters of multipart part headers. */
const FILENAME_PARAM = /filename\*?=(?:"([^"\r\n]*)"|([^;\r\n]+))/gi;
/** Raw bodies are read as text up to this many bytes; a marked name or stamp sits near a part's start. */
export const RAW_TEXT_CAP = 4 * 1024 * 1024;
/**
 * A body that is text through its first RAW_TEXT_CAP bytes (no NUL: a log, a long prompt, not a file's
 * bytes) is read on up to this many: a stamp after its first 4 MiB was let through (red team web5 #1).
 */
export const RAW_TEXT_MAX = 64 * 1024 * 1024;

/** The first marking the body carries, or null. Never throws. */
export function markedInBody(body: RequestBody | undefined, designated: Partial<Designated>): BodyHit | null {
  if (!body) return null;
  for (const [key, values] of Object.entries(body.formData ?? {})) {
    // The text may be a field's name as well as its value (red team web5 #4).
    const keyHit = decodedHit(key, designated);
    if (keyHit) return keyHit;
    for (const v of values) {
      const hit = (FILE_NAME_LIKE.test(v) ? nameHit(v, 0, designated) : null) ?? decodedHit(v, designated);
      if (hit) return hit;
    }
  }
  return body.raw ? markedInRaw(body.raw, designated) : null;
}

/**
 * Whether a URL needs `markedInUrl` at all: nearly every URL a page loads holds neither 秘/㊙ nor an
 * escape of a non-ASCII byte or character, so cannot hold 「秘」 (unless base64 hides it: BASE64_STAMP);
 * designated keywords and patterns may be plain ASCII, so then every URL does.
 */
export function urlMayBeMarked(url: string, designated: Partial<Designated>): boolean {
  return !!(designated.keywords?.length || designated.patterns?.length) || MAY_HOLD_STAMP_TEXT.test(url) || BASE64_STAMP.test(url);
}

/**
 * The first marking in the text a URL carries to its server (path and query, decoded as the server
 * reads them: src/guard/url-text.ts), or null, read as a body is (markedReading). A page in a legacy
 * Japanese encoding sends a form's query escaped in that encoding (秘 is %94%E9 in Shift_JIS), which
 * UTF-8 decoding leaves as escapes: those are read in the legacy charsets too (transcoded.ts). Never throws.
 */
export function markedInUrl(url: string, designated: Partial<Designated>): BodyHit | null {
  if (!urlMayBeMarked(url, designated)) return null;
  const text = urlText(url);
  return text === '' ? null : decodedHit(text, designated);
}

function markedInRaw(raw: NonNullable<RequestBody['raw']>, designated: Partial<Designated>): BodyHit | null {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const cap = textThrough(raw, RAW_TEXT_CAP) ? RAW_TEXT_MAX : RAW_TEXT_CAP;
  for (const el of raw) {
    if (el.file) {
      const hit = nameHit(baseName(el.file), 0, designated);
      if (hit) return hit;
    }
    if (el.bytes && total < cap) {
      const b = new Uint8Array(el.bytes, 0, Math.min(el.bytes.byteLength, cap - total));
      chunks.push(b);
      total += b.byteLength;
    }
  }
  if (total === 0) return null;
  const text = new TextDecoder('utf-8').decode(concat(chunks, total));
  for (const m of text.matchAll(FILENAME_PARAM)) {
    const hit = nameHit(m[1] !== undefined ? m[1] : decodeRuns(m[2].replace(/^UTF-8''/i, '')), total, designated);
    if (hit) return hit;
  }
  return decodedHit(text, designated);
}

/** Whether the raw body runs past `cap` bytes and holds no NUL in its first `cap`: text, not a file's bytes. */
function textThrough(raw: NonNullable<RequestBody['raw']>, cap: number): boolean {
  let seen = 0;
  for (const el of raw) {
    if (!el.bytes) continue;
    const n = Math.min(el.bytes.byteLength, cap - seen);
    if (n > 0 && new Uint8Array(el.bytes, 0, n).includes(0)) return false;
    seen += el.bytes.byteLength;
    if (seen > cap) return true;
  }
  return false;
}

/** The text as sent, then as the receiving end reads it: form/URL encoding (also repeated), JSON string escapes. */
function decodedHit(text: string, designated: Partial<Designated>): BodyHit | null {
  const hit = markedReading(text, designated);
  return hit && { fileName: null, size: text.length, verdict: hit.verdict };
}

/**
 * The first run of `text` that is marked, read as sent and as the receiving end decodes it (form/URL
 * encoding, also repeated; JSON string escapes; character references; mail's and legacy pages'
 * transfer encodings: transcoded.ts), TEXT_CAP characters at a time (overlapping, so a stamp across a
 * cut is read whole), or null. The network layer's reading of a body, and the guard's of a text the
 * page hooks or a form hand it (extension/content/hook-items.ts): a text longer than one scan, or
 * escaped once more than its encoding, is read whole and decoded there.
 */
export function markedReading(text: string, designated: Partial<Designated>): { run: string; verdict: MarkedVerdict } | null {
  const decoded = /%[0-9a-f]{2}|\+/i.test(text) ? decodeRuns(text.replaceAll('+', ' ')) : '';
  const json = /\\[nrtu"\\/]/.test(text) ? jsonUnescaped(text) : '';
  const readings = [text, decoded, json];
  // Transfer encodings last, and on the text percent-decoded (what is left escaped is not UTF-8) and
  // on JSON's strings (JSON.stringify writes ISO-2022-JP's ESC as `\u001b`).
  for (let i = 0; i < readings.length; i++) {
    const t = readings[i];
    const hit = t ? markedRun(t, designated) : null;
    if (hit) return hit;
    if (i === 2) readings.push(...transcodedTexts(decoded || text), ...(json ? transcodedTexts(json) : []));
  }
  return null;
}

/** JSON string escapes resolved (`\n`, `\u79d8`…), so a stamp split by an escaped line break is seen. */
function jsonUnescaped(s: string): string {
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
  return s.replace(/\\(u[0-9a-fA-F]{4}|[nrtbf"\\/])/g, (_, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : simple[e]));
}

function nameHit(name: string, size: number, designated: Partial<Designated>): BodyHit | null {
  const v = checkName(baseName(name), designated);
  return v ? { fileName: baseName(name), size, verdict: v } : null;
}

/**
 * Also with character references resolved (`&#31192;` is 秘, `&nbsp;` a space): what an HTML body
 * carries, and what a browser sends for a character the form's page charset cannot encode.
 */
function markedRun(text: string, designated: Partial<Designated>): { run: string; verdict: MarkedVerdict } | null {
  for (const t of text.includes('&') ? [text, decodeEntities(text)] : [text]) {
    // Run by run: one text verdict reads TEXT_CAP characters, a body read on past it is longer.
    for (const run of chunkText(t, TEXT_CAP)) {
      const v = textVerdictOf(run, designated);
      if (v.verdict === 'marked') return { run, verdict: v };
    }
  }
  return null;
}
