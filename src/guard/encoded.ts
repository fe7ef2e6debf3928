/**
 * Documents carried inside text: a File read with `FileReader.readAsDataURL` (or `btoa`, or any base64
 * encoder) and posted in a JSON or text body, or read with `readAsBinaryString` and posted as it is.
 * The text itself holds no stamp (base64 hides 「秘」 and a .docx is compressed), so the text scan alone
 * never sees the document. This finds the encoded documents in a text and decodes them to bytes, which
 * the guard scans like any page-made bytes (stopped only on a positive marking, so a clean image or a
 * token that happens to decode never stops anything).
 *
 * Follows what the encoding preserves, whatever path the text took in the page: base64 (standard or
 * URL-safe, with or without padding, wrapped in lines as MIME writes it, with JSON's `\/`), and binary
 * strings found by a document signature. Pure (no DOM), unit-tested in Node.
 */

/** Shortest base64 run decoded as a document of any format: 48 bytes (shorter runs: only a stamped line, SHORT_RUN). */
export const MIN_RUN = 64;
/** Runs decoded from one text at most, largest first; a body with more is a data dump, not an upload. */
const MAX_RUNS = 8;
/** Short runs holding 秘/㊙'s bytes judged from one text at most (most are tokens whose bytes hold them by chance). */
const MAX_SHORT = 32;
/**
 * Bytes decoded from one text at most: the hooks hand over a text body whole (a 24 MB document is 32 MiB
 * in base64). A run that does not fit is not decoded (a declared gap, docs/page-channels.md).
 */
const MAX_BYTES = 24 * 1024 * 1024;

/** Base64 alphabet (both variants), and the line breaks an encoder wraps with (raw or JSON-escaped). */
const SEGMENT = /[A-Za-z0-9+/_-]+={0,2}/g;
const LINE_BREAK = /^\r?\n$/;
/** JSON's escapes inside a run: `\/`, and the line breaks of a wrapped encoding. */
const JSON_ESCAPES = /\\\/|\\r\\n|\\n/g;

/**
 * The signatures a binary document starts with, in a binary string (each char one byte): ZIP (OOXML,
 * ODF, archives), PDF, OLE2 (.doc/.xls/.ppt/.msg), RTF.
 */
const SIGNATURES = ['PK\x03\x04', '%PDF-', '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', '{\\rtf'];
/** Stretches of one-byte chars, and raw bytes among them. */
const BYTE_RUNS = /[\x00-\xff]+/g;
const RAW_BYTES = /[\x80-\xff]{8}/;

/** The documents encoded in `text`, as bytes: base64 runs first (longest first), then binary strings. */
export function encodedDocuments(text: string): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  let budget = MAX_BYTES;
  // Once each: the hooks send a body with its decoded JSON strings, so a JSON field's run comes twice.
  const runs = [...new Set(base64Runs(text))].sort((a, b) => b.length - a.length);
  let long = 0;
  let short = 0;
  for (const run of runs) {
    const isLong = run.length >= MIN_RUN;
    if (isLong && long++ >= MAX_RUNS) continue;
    const bytes = decodeBase64(run);
    if (!bytes || bytes.length > budget) continue;
    // A short run is a document only when it holds 秘/㊙ (a stamped line); any other is a token.
    if (!isLong && (!STAMP_BYTES.test(String.fromCharCode(...bytes)) || short++ >= MAX_SHORT)) continue;
    budget -= bytes.length;
    out.push(bytes);
  }
  for (const bytes of binaryStrings(text)) {
    if (bytes.length > budget) break;
    budget -= bytes.length;
    out.push(bytes);
  }
  return out;
}

/**
 * Runs of the base64 alphabet of at least SHORT_RUN characters. Lines are joined when the line before
 * is a whole number of 4-character groups without padding (a wrapped encoding), so a run never starts
 * inside a group.
 */
export function base64Runs(text: string): string[] {
  const t = text.includes('\\') ? text.replace(JSON_ESCAPES, (e) => (e === '\\/' ? '/' : '\n')) : text;
  const runs: string[] = [];
  let run = '';
  let end = -1;
  for (const m of t.matchAll(SEGMENT)) {
    const seg = m[0];
    const at = m.index;
    const joins = run.length > 0 && run.length % 4 === 0 && !run.endsWith('=') && LINE_BREAK.test(t.slice(end, at));
    if (joins) run += seg;
    else {
      if (run.length >= SHORT_RUN) runs.push(run);
      run = seg;
    }
    end = at + seg.length;
  }
  if (run.length >= SHORT_RUN) runs.push(run);
  return runs;
}

/** Built-ins as plain functions: the page hooks pass the ones they captured (the page may replace the realm's). */
export type Exec = (re: RegExp, s: string) => RegExpExecArray | null;
export type Slice = (s: string, start: number, end?: number) => string;
export const exec: Exec = (re, s) => re.exec(s);
export const slice: Slice = (s, a, b) => s.slice(a, b);

const URL_SAFE = /[-_]/g;

/**
 * A run without padding as `atob` takes it: the standard alphabet (a loop of `x`, not `replaceAll`,
 * which looks up `Symbol.replace` on the page's String.prototype), no stray last character.
 */
function atobText(run: string, x: Exec, cut: Slice): string {
  let s = '';
  let from = 0;
  URL_SAFE.lastIndex = 0;
  for (let m; (m = x(URL_SAFE, run)); from = m.index + 1) s += cut(run, from, m.index) + (m[0] === '-' ? '+' : '/');
  s += cut(run, from);
  return s.length % 4 === 1 ? cut(s, 0, -1) : s; // a stray last character: the groups before it still decode
}

/** Forgiving base64 (standard or URL-safe, padding optional); null when it is not base64 at all. */
export function decodeBase64(run: string): Uint8Array<ArrayBuffer> | null {
  const bin = base64Binary(run);
  return bin === null ? null : bytesOf(bin, 0);
}

/** decodeBase64's bytes as a binary string (one char a byte, what `atob` gives). */
export function base64Binary(run: string): string | null {
  try {
    return atob(atobText(run.replace(/=+$/, ''), exec, slice));
  } catch {
    return null;
  }
}

/**
 * 秘 and ㊙ in every encoding the engine reads them in (src/detect/extract/byte-scan.ts NEEDLES), as
 * one-byte chars, at any position. The text and binary extractors look for nothing else (unless the
 * policy designates content rules), so decoded bytes without one of these hold no stamp for them.
 */
const STAMP_BYTES = /\xe7\xa7\x98|\xe3\x8a\x99|\xd8y|y\xd8|\x992|2\x99|\x94\xe9|\xc8\xeb|Hk/;
/**
 * A first KiB that src/detect/sniff.ts could read as something other than text, binary, an image or
 * media: a container, a compressor, an encoding, PDF, RTF, markup, mail, a form upload, a drawing it
 * cannot open (each can hide or escape a stamp: compressed, uuencoded, `\'94\'e9`, `&#31192;`,
 * `=E7=A7=98`…): uuencoded files and shell archives, cpio, ar, Unix compress, self-extracting
 * executables, AutoCAD drawings, zlib streams, RPM packages, Chrome extensions (a ZIP after a header),
 * MMDF and Babyl mailboxes, Windows images. Looser than the sniff, with three exceptions that STAMP_BYTES covers:
 * an ISO or UDF image (known 32 KiB in) and a V7 tar (by a checksum) store their files as they are,
 * and a metafile's text records are UTF-16 or the font's code page.
 */
const READ_AS_FORMAT =
  /^(?:PK|\xd0\xcf|\x1f[\x8b\x9d]|7z|Rar|\xfd7z|BZh|\(\xb5|[P-_]\*M|MSCF|[^]{2}-l|\s*\{\\rtf|(?:\xef\xbb\xbf)?\s*<|begin|#!|!<|0707|MZ|\x7fE|AC1|x[\x01\x5e\x9c\xda]|\xed\xab|Cr24|\x01\x01|BABYL|MSWIM)|%PDF|obj|ustar|(?:^|\n)--|\n[!-9;-~]+[ \t]*:/;
/** The web's images, which the sniff calls images (never read) unless READ_AS_FORMAT's loose parts say otherwise. */
const IMAGE = /^(?:\x89PNG|\xff\xd8\xff|GIF8|RIFF[^]{4}WEBP)(?![^]*(?:%PDF|obj|ustar))/;

/**
 * A base64 run as the page sees it; with a `\\` inside, or a line break beside it, the guard may cut it
 * otherwise. From SHORT_RUN characters: 14 bytes, the shortest 「秘Confidential」 (Shift_JIS) encodes to.
 */
const PAGE_RUN = /[\w+/\\-]{19}[\w+/\\-]*/g; // not {19,}: V8 overflows its stack on a run of megabytes
export const SHORT_RUN = 19;
const CUT_OTHERWISE = /[\\\r\n]/;

/**
 * Whether encodedDocuments(text) could give the guard anything it would stop, judged without the
 * engine, so the page hooks ask the guard only then: a binary string, a run the guard may cut
 * differently (JSON escapes, lines it joins), or a run whose bytes are not a web image and either start
 * like a format the engine reads (runs of MIN_RUN or more) or hold 秘/㊙ in some encoding. So a hex
 * digest, a JWT, a random token or a base64 picture is decided in the page; a .docx, a PDF or a stamped
 * text is asked about. `all`: every run of MIN_RUN or more counts (designated content rules or file
 * hashes can match any decoded bytes). `decode`, `x` and `cut` are `atob`, RegExp#exec and String#slice
 * as plain functions: the page hooks pass the ones they captured, as the page may replace the realm's.
 */
export function mayCarryDocument(text: string, decode: (s: string) => string, x: Exec, cut: Slice, all?: unknown): boolean {
  if (x(RAW_BYTES, text)) return true;
  PAGE_RUN.lastIndex = 0;
  for (let m; (m = x(PAGE_RUN, text)); ) {
    const run = m[0];
    const at = m.index;
    const long = run.length >= MIN_RUN;
    if (long && (all || x(CUT_OTHERWISE, cut(text, at && at - 1, at + run.length + 1)))) return true;
    // A short run with a `\\` is an escape sequence (`\\u3042…`); its JSON string is in the text decoded.
    if (x(CUT_OTHERWISE, run)) continue;
    // The first KiB (and 2 bytes) alone first: a large picture or a document's format needs no more.
    const head = decode(atobText(cut(run, 0, 1368), x, cut));
    if (x(IMAGE, head)) continue;
    if ((long && x(READ_AS_FORMAT, head)) || x(STAMP_BYTES, decode(atobText(run, x, cut)))) return true;
  }
  return false;
}

/**
 * Binary strings (`readAsBinaryString`, or bytes turned into chars one by one): within each stretch
 * of one-byte chars that holds raw bytes (8 high ones in a row: no language writes that in one-byte
 * chars), a document from its signature on, or, with no signature, the whole stretch (a text file
 * read as bytes: the engine reads it as the text it is).
 */
export function binaryStrings(text: string): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (const m of text.matchAll(BYTE_RUNS)) {
    const run = m[0];
    if (!RAW_BYTES.test(run)) continue;
    let signed = false;
    for (const sig of SIGNATURES) {
      const at = run.indexOf(sig);
      if (at < 0) continue;
      out.push(bytesOf(run, at));
      signed = true;
    }
    if (!signed) out.push(bytesOf(run, 0));
  }
  return out;
}

function bytesOf(run: string, at: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(run.length - at);
  for (let i = 0; i < bytes.length; i++) bytes[i] = run.charCodeAt(at + i);
  return bytes;
}
