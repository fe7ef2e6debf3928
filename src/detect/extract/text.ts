/**
 * Plain text (txt, csv, tsv, md, json, source code, logs…) in UTF-8, UTF-16 (LE/BE, with or
 * without BOM), Shift_JIS (CP932), EUC-JP or ISO-2022-JP.
 *
 * Large files are read in slices. Unless the company designated content keywords (ctx.fullText),
 * only a window around each byte-level hit of 秘/㊙ is decoded, so unmarked text is skipped at
 * memory speed.
 */
import {
  NEEDLES,
  OTHER_CJK_NEEDLES,
  asciiWithout,
  type Needle,
  type TextEncodingName,
  winKey,
  decoder,
  mayHaveStampChar,
  decodePaddedIn,
  slices,
  windowsFor,
} from './byte-scan.js';
import { startsWith, textControlsOnly } from '../bytes.js';
import { readRange } from '../range-read.js';
import { TextChunker } from '../text-chunks.js';
import type { Where } from '../types.js';
import { ScanError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { Utf32Decoder, utf32Order } from './utf32.js';
import { textReader, type TextReader } from './iso2022jp.js';
import { embeddedFiles } from './embedded-base64.js';
import { extractBinary } from './binary.js';
import { LIGHT_MARKUP_HINT, lightMarkupShown } from './light-markup.js';
import { CSV_FORMULA_CAP, csvFormulas } from './csv-formulas.js';
import { RECORD_SHEET_START, recordSheetRows } from './record-sheets.js';
import { AFTER_BREAK, encodedFileLineFirst, encodedFiles, hasEncodedFileLine } from './encoded-in-text.js';
import { NeedleGroups } from './needle-groups.js';
import { charOfCode, decodeEntities } from './xml-text.js';
import { replaceSpans, spans, tameTail } from './markup-spans.js';

/** Bytes looked at to decide the encoding of a large file. */
const SAMPLE = 64 * 1024;

/** `guess`: no encoding decoded the sample cleanly; `enc` is the one that reads most like text. */
/** `partial`: decided on the first SAMPLE bytes of a longer file. */
type Detected = { enc: TextEncodingName | 'ascii'; bom: number; guess?: boolean; partial?: boolean };

/**
 * Valid EUC-JP, as WHATWG defines it: Node's decoder (ICU) reads a lone byte 0x80–0x8D as a C1 control where
 * WHATWG reports an error, so a short Shift_JIS text whose only double-byte characters have such a lead byte and
 * an ASCII second byte (「C－budget.csv」: 43 81 7C…, as old Japanese mailers write a name unencoded) passed for
 * EUC-JP and lost its dash. No EUC-JP text holds a C1 control.
 */
function eucJpValid(b: Uint8Array): boolean {
  try {
    return !/[\x80-\x9f]/.test(new TextDecoder('euc-jp', { fatal: true }).decode(b));
  } catch {
    return false;
  }
}

function fatalValid(enc: string, b: Uint8Array): boolean {
  if (enc === 'utf-8') return validUtf8(b);
  try {
    new TextDecoder(enc, { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `b` is well-formed UTF-8, exactly as a fatal TextDecoder('utf-8') judges it (no overlong
 * forms, no surrogates, nothing above U+10FFFF, no cut sequence), without building the string: a
 * browser's decoder makes one, and in a ZIP of 3,000 source files that cost more than inflating them.
 */
export function validUtf8(b: Uint8Array): boolean {
  const n = b.length;
  // ASCII is passed four bytes at a time where they are aligned: `aligned` is the first such offset.
  const aligned = (4 - (b.byteOffset & 3)) & 3;
  const words = aligned < n ? new Uint32Array(b.buffer, b.byteOffset + aligned, (n - aligned) >> 2) : new Uint32Array(0);
  const wordsEnd = aligned + words.length * 4;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      if (i >= aligned && ((i - aligned) & 3) === 0) while (i < wordsEnd && (words[(i - aligned) >> 2] & 0x80808080) === 0) i += 4;
      continue;
    }
    // The second byte's range depends on the first (WHATWG Encoding, UTF-8 decoder's lower/upper bounds).
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + more >= n) return false;
    const c1 = b[i + 1];
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= more; k++) if ((b[i + k] & 0xc0) !== 0x80) return false;
    i += more + 1;
  }
  return true;
}

/** Drops a possibly incomplete multi-byte character at the end of a sample. */
function trimTail(b: Uint8Array, complete: boolean): Uint8Array {
  if (complete) return b;
  let e = b.length;
  let k = 0;
  while (e > 0 && k < 3 && b[e - 1] >= 0x80) {
    e--;
    k++;
  }
  return b.subarray(0, e);
}

/** How much a decoded sample looks like real (Japanese or Western) text: higher is better. */
function textScore(s: string): number {
  if (s.length === 0) return -Infinity;
  let score = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd) score -= 8;
    else if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f)) score += 2;
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) score -= 4;
    else if (c >= 0x3000 && c <= 0x30ff) score += 2; // CJK punctuation, hiragana, katakana
    else if (c >= 0x4e00 && c <= 0x9fff) score += 1;
    else if (c >= 0xff01 && c <= 0xff9f) score += 1;
    else score -= 1;
  }
  return score / s.length;
}

function detect(bytes: Uint8Array, complete: boolean): Detected {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) return { enc: 'utf-8', bom: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { enc: 'utf-16le', bom: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { enc: 'utf-16be', bom: 2 };
  const sample = bytes.length > SAMPLE ? bytes.subarray(0, SAMPLE) : bytes;
  const done = complete && sample.length === bytes.length;
  const { evenZ, oddZ, high, esc } = sampleBytes(sample);
  const half = sample.length / 2;
  if (half >= 1) {
    if (oddZ > half * 0.2 && evenZ * 8 < oddZ) return { enc: 'utf-16le', bom: 0 };
    if (evenZ > half * 0.2 && oddZ * 8 < evenZ) return { enc: 'utf-16be', bom: 0 };
  }
  if (!high) return { enc: esc ? 'iso-2022-jp' : 'ascii', bom: 0 };
  const s = trimTail(sample, done);
  if (fatalValid('utf-8', s)) return { enc: 'utf-8', bom: 0, partial: !done };
  const sj = fatalValid('shift_jis', s);
  const eu = eucJpValid(s);
  if (sj && !eu) return { enc: 'shift_jis', bom: 0, partial: !done };
  if (eu) return { enc: 'euc-jp', bom: 0, partial: !done };
  // Neither decodes cleanly: take the one that reads most like text (also catches UTF-16 without BOM
  // and without ASCII, where no NUL bytes give it away).
  let best: TextEncodingName = 'shift_jis';
  let bestScore = -Infinity;
  for (const enc of ['shift_jis', 'euc-jp', 'utf-8', 'utf-16le', 'utf-16be'] as const) {
    const sc = textScore(decoder(enc).decode(enc.startsWith('utf-16') ? s.subarray(0, s.length & ~1) : s));
    if (sc > bestScore) {
      bestScore = sc;
      best = enc;
    }
  }
  return { enc: best, bom: 0, guess: true };
}

/** What the sample's bytes say of its encoding: NULs at even and odd offsets (UTF-16), bytes ≥ 0x80, ISO-2022-JP's escapes. */
export interface SampleBytes {
  evenZ: number;
  oddZ: number;
  high: boolean;
  esc: boolean;
}

/**
 * The sample looked at four bytes at a time: NULs counted and high bytes seen in each word at once (a
 * Japanese text's words are mostly high bytes, a UTF-16 text's half NULs); only a word that holds an
 * ESC is looked at byte by byte, for ISO-2022-JP's escapes. (A ZIP of 3,000 source files spent a fifth
 * of its scan here, byte by byte; a clean 1 MB text in Japanese a tenth of its engine time.)
 */
export function sampleBytes(sample: Uint8Array): SampleBytes {
  const r: SampleBytes = { evenZ: 0, oddZ: 0, high: false, esc: false };
  const n = sample.length;
  let i = 0;
  for (; i < n && (sample.byteOffset + i) & 3; i++) sampleByte(sample, i, r);
  // (Past the end already, the offset may be unaligned: no words.)
  const words = i < n ? new Uint32Array(sample.buffer, sample.byteOffset + i, (n - i) >> 2) : new Uint32Array(0);
  for (let k = 0; k < words.length; k++, i += 4) {
    const w = words[k];
    if (zeroLanes(w ^ 0x1b1b1b1b)) {
      for (let j = i; j < i + 4; j++) sampleByte(sample, j, r);
      continue;
    }
    const z = zeroLanes(w);
    if (z) {
      // The word's bytes at i and i + 2, and at i + 1 and i + 3.
      const first = lanes(z & FIRST_LANES);
      const second = lanes(z & ~FIRST_LANES);
      if (i & 1) {
        r.oddZ += first;
        r.evenZ += second;
      } else {
        r.evenZ += first;
        r.oddZ += second;
      }
    }
    if (w & 0x80808080) r.high = true;
  }
  for (; i < n; i++) sampleByte(sample, i, r);
  return r;
}

/** The high bit of each byte of w that is zero, and only of those (exact, unlike the shorter test). */
const zeroLanes = (w: number): number => ~(((w & 0x7f7f7f7f) + 0x7f7f7f7f) | w) & 0x80808080;
/** How many high bits of bytes are set (a zeroLanes mask). */
const lanes = (m: number): number => Math.imul(m >>> 7, 0x01010101) >>> 24;
/** The high bits of a word's bytes at its offsets 0 and 2 in memory (the platform's byte order). */
const FIRST_LANES = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 0x00800080 : 0x80008000;

function sampleByte(sample: Uint8Array, i: number, r: SampleBytes): void {
  const c = sample[i];
  if (c === 0) {
    if (i & 1) r.oddZ++;
    else r.evenZ++;
  } else if (c >= 0x80) r.high = true;
  else if (c === 0x1b && i + 1 < sample.length) {
    const c1 = sample[i + 1];
    const c2 = sample[i + 2];
    if ((c1 === 0x24 && (c2 === 0x42 || c2 === 0x40)) || (c1 === 0x28 && (c2 === 0x4a || c2 === 0x42 || c2 === 0x49))) r.esc = true;
  }
}

/** The encoding of a text buffer, as a WHATWG encoding label (`utf-8`, `utf-16le`, `shift_jis`…). */
export function detectTextEncoding(bytes: Uint8Array): string {
  const d = detect(bytes, true);
  return d.enc === 'ascii' ? 'utf-8' : d.enc;
}

/** Decodes a whole (small) text buffer in its detected encoding, without the BOM. */
export function decodeText(bytes: Uint8Array): string {
  const d = detect(bytes, true);
  const enc = d.enc === 'ascii' ? 'utf-8' : d.enc;
  return textReader(enc, { ignoreBOM: true }).decode(bytes.subarray(d.bom));
}

// ---------------------------------------------------------------- markup (XML, HTML)

/** Labels Japanese tools and mailers write that the WHATWG Encoding Standard does not know. */
const ALIASES: Record<string, string> = {
  cp932: 'shift_jis',
  'windows-932': 'shift_jis',
  'ms-932': 'shift_jis',
  eucjp: 'euc-jp',
  'x-eucjp': 'euc-jp',
  ujis: 'euc-jp',
  // Python's spellings (its email package writes the codec's name): the WHATWG labels have no inner dash.
  'utf-16-le': 'utf-16le',
  'utf-16-be': 'utf-16be',
  'utf-8-sig': 'utf-8',
  // The names Japanese mailers write for their variants of the three Japanese encodings (Emacs/Mew:
  // ISO-2022-JP-2; Java: x-windows-iso2022jp, Shift_JIS-2004; PHP mbstring: ISO-2022-JP-MS, SJIS-win,
  // eucJP-win; Windows: CP50220/50221/50222). Each adds characters to the same JIS X 0208 set, in which
  // 秘 and everything a stamp needs are the same bytes: read with the decoder of the base encoding.
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  'iso-2022-jp-2004': 'iso-2022-jp',
  'iso-2022-jp-ms': 'iso-2022-jp',
  cp50220: 'iso-2022-jp',
  cp50221: 'iso-2022-jp',
  cp50222: 'iso-2022-jp',
  'x-windows-iso2022jp': 'iso-2022-jp',
  'sjis-open': 'shift_jis',
  'sjis-win': 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  'shift_jis-2004': 'shift_jis',
  shift_jisx0213: 'shift_jis',
  'euc-jp-ms': 'euc-jp',
  'eucjp-win': 'euc-jp',
  'eucjp-ms': 'euc-jp',
  'euc-jisx0213': 'euc-jp',
  'euc-jis-2004': 'euc-jp',
};

const XML_DECL = /^(?:\xEF\xBB\xBF)?\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']\s*([\w.:-]+)/;
const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/i;

/** A decoder for a declared charset label (XML, HTML, MIME), or null when the platform knows no decoder for it. */
export function charsetDecoder(label: string): TextReader | null {
  const l = label.trim().toLowerCase();
  try {
    return textReader(ALIASES[l] ?? l);
  } catch {
    return null;
  }
}

/**
 * The encoding of an XML or HTML document: its BOM, else its declaration (`<?xml … encoding="…"?>`,
 * `<meta charset>`, `<meta http-equiv="Content-Type" content="…; charset=…">`) when the bytes really
 * decode in it, else what the content looks like (as for plain text: UTF-8, Shift_JIS, EUC-JP…).
 */
export function markupEncoding(bytes: Uint8Array): string {
  const bom = detect(bytes.subarray(0, 4), false);
  if (bom.bom) return bom.enc;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const label = XML_DECL.exec(head)?.[1] ?? META_CHARSET.exec(head)?.[1];
  const declared = label ? (charsetDecoder(label)?.encoding ?? null) : null;
  // A declaration that the bytes contradict (a file re-saved in another encoding) is not trusted.
  if (declared && !declared.startsWith('utf-16') && fatalValid(declared, trimTail(bytes, true))) return declared;
  return detectTextEncoding(bytes);
}

/** A whole (in memory) XML or HTML document as text, in its declared or detected encoding, without BOM. */
export function decodeMarkup(bytes: Uint8Array): string {
  return tameTail(new TextDecoder(markupEncoding(bytes)).decode(bytes));
}

/**
 * Needles to search when the sample was pure ASCII: the rest may be in any 8-bit encoding, Chinese and
 * Korean ones too (a log whose first 64 KiB are ASCII). Only the slices that are not ASCII are searched.
 */
const MIXED: Needle[] = [...NEEDLES['utf-8'], ...NEEDLES.shift_jis, ...NEEDLES['euc-jp'], ...NEEDLES['iso-2022-jp'], ...OTHER_CJK_NEEDLES];
/**
 * Shift_JIS and EUC-JP: a sample valid in both is taken as EUC-JP (half-width katakana in pairs, as bank
 * transfer and mainframe exports write them, are valid EUC-JP), and the rest of the file may be the
 * other. 秘 is looked for in both.
 */
const JAPANESE_LEGACY: Needle[] = [...NEEDLES.shift_jis, ...NEEDLES['euc-jp']];

export const extractText: Extractor = async function* (blob: Blob, ctx: ExtractContext): AsyncGenerator<Extracted> {
  let head: Uint8Array;
  try {
    head = await readRange(blob, 0, Math.min(SAMPLE, blob.size));
  } catch (e) {
    throw new ScanError('corrupt', `cannot read input: ${(e as Error)?.message ?? e}`);
  }
  const u32 = utf32Order(head);
  const det = detect(head, blob.size <= SAMPLE);
  const json = JSON_START.test(new TextDecoder('latin1').decode(head.subarray(0, 64)));
  const kind: TextKind = { json, csv: CSV_NAME.test(ctx.name ?? ''), ass: /\.(?:ass|ssa)$/i.test(ctx.name ?? ''), shortcodes: json || MARKDOWN_NAME.test(ctx.name ?? '') };
  const seen: Seen = { encodedFile: false };
  if (u32) yield* fullDecode(blob, ctx, new Utf32Decoder(u32 === 'le'), kind, seen);
  else if (ctx.fullText || det.enc === 'iso-2022-jp') {
    yield* fullDecode(blob, ctx, det.enc === 'ascii' ? null : textReader(det.enc), kind, seen);
    // Decoded whole in a Japanese code page, Chinese or Korean text is misread: 秘 is looked for in theirs too.
    if (otherCjk(det)) yield* prefiltered(blob, ctx, det, kind, OTHER_CJK_NEEDLES);
    const others = othersAfterSample(det.enc, mixed(det));
    if (others.length) yield* prefiltered(blob, ctx, det, kind, others);
  } else yield* prefiltered(blob, ctx, det, kind, needlesOf(det, kind), seen);
  // A PostScript program draws its text through its fonts: what reads as text here is only what it
  // wrote as literal strings (Cairo, Ghostscript and most printers write glyph codes in hex instead).
  // JSON (HAR captures, API exports, notebooks) and text that is base64 from its first line carry whole
  // files as base64 (embedded-base64.ts). Other text is not searched for them: it stays at byte-search speed.
  // The whole text, read and decoded once for the readings below that need it.
  let whole: string | undefined;
  const wholeText = async () => (whole ??= decodeText(await readRange(blob, 0, blob.size)));
  if (CARRIES_FILES.test(new TextDecoder('latin1').decode(head.subarray(0, 256)))) {
    if (blob.size <= EMBEDDED_CAP) yield* embeddedFiles(await wholeText(), ctx);
    else if (await hasBase64Run(blob, ctx)) yield { kind: 'unscannable', reason: 'unsupported', detail: `files carried as base64 in a text over ${EMBEDDED_CAP >> 20} MiB are not decoded` };
  }
  // A file uuencoded (or BinHex, yEnc) after prose: a line that starts one was seen while searching.
  if (seen.encodedFile && blob.size <= EMBEDDED_CAP) yield* encodedFiles(await wholeText(), ctx, '');
  else if (seen.encodedFile) yield { kind: 'unscannable', reason: 'unsupported', detail: `a file encoded into a text over ${EMBEDDED_CAP >> 20} MiB is not decoded` };
  // A CSV opened in a spreadsheet program shows what its formulas compute (csv-formulas.ts).
  if (kind.csv && blob.size <= CSV_FORMULA_CAP) yield* csvFormulas(await wholeText(), ctx.name ?? '');
  else if (kind.csv && (await anySlice(blob, ctx, formulaCell))) {
    yield { kind: 'unscannable', reason: 'unsupported', detail: `formulas in a CSV over ${CSV_FORMULA_CAP >> 20} MiB are not computed` };
  }
  // Excel's "Unicode Text" (a tab-separated .txt in UTF-16 with a byte order mark) opens as a sheet too.
  else if (/\.txt$/i.test(ctx.name ?? '') && utf16Bom(head) && blob.size <= CSV_FORMULA_CAP) yield* csvFormulas(await wholeText(), ctx.name ?? '', true);
  // A SYLK or DIF file opens as a sheet: its cells' records read on the grid (record-sheets.ts).
  if (RECORD_SHEET_START.test(new TextDecoder('latin1').decode(head.subarray(0, 16)))) {
    if (blob.size <= CSV_FORMULA_CAP) yield* recordSheetRows(await wholeText());
    else yield { kind: 'unscannable', reason: 'too-large', detail: `a SYLK or DIF sheet over ${CSV_FORMULA_CAP >> 20} MiB is not read as its cells show` };
  }
  // Bytes no text holds (a file named .txt that is not one: a program's output, a companion file): it is
  // also searched as an unknown file is, in every encoding, which a text decoded in one encoding is not.
  if (!u32 && det.enc !== 'utf-16le' && det.enc !== 'utf-16be' && !textControlsOnly(head)) yield* extractBinary(blob, ctx);
  if (startsWith(head, POSTSCRIPT)) {
    yield { kind: 'unscannable', reason: 'unsupported', detail: 'a PostScript file: text drawn through its fonts cannot be read (only literal strings were)' };
  }
};

const CSV_NAME = /\.(csv|tsv)$/i;
const MARKDOWN_NAME = /\.(?:md|markdown|mdown|mkdn?|mdx)$/i;

/**
 * `:secret:`, the emoji shortcode GitHub (in Markdown) and Slack (in its messages, which its export
 * keeps in JSON) show as ㊙️ (U+3299, which NFKC makes 秘): 「:secret: Confidential」 reads 「㊙️ Confidential」
 * there. Looked for in Markdown and JSON only: elsewhere the shortcode shows as written.
 */
const SHORTCODE = ':secret:';
const SHORTCODES = /:secret:/g;
const SHORTCODE_NEEDLE: Needle = { bytes: new TextEncoder().encode(SHORTCODE), enc: 'utf-8', anchor: 0, wide: false };
/** The bytes start with a UTF-16 byte order mark (LE or BE). */
const utf16Bom = (b: Uint8Array): boolean => ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) && !(b[2] === 0 && b[3] === 0);

/** What the byte search saw on its way (encoded-in-text.ts hasEncodedFileLine): read after it. */
interface Seen {
  encodedFile: boolean;
}

/**
 * A JSON document (an object or an array), also in UTF-16: a bracket, then a key, a value or the other
 * bracket (Jira's `{color:red}` or a TeX group opening a text is no JSON).
 */
const JSON_START = /^(?:\xEF\xBB\xBF|\xFF\xFE|\xFE\xFF)?(?:\s|\0)*[[{](?:\s|\0)*(?:["{[\]}\dtfn-]|$)/;

/** A JSON document, or base64 from the first line on. */
const CARRIES_FILES = /^(?:\xEF\xBB\xBF)?\s*(?:[[{]|[A-Za-z0-9+/]{40})/;
/** Text up to this size is searched for files in base64 (a bigger JSON is read as text only). */
const EMBEDDED_CAP = 64 << 20;

/**
 * Whether a text too big to decode for its base64 files holds a run that could be one (embedded-base64.ts
 * reads runs from 40 characters on; a file worth carrying is longer): searched slice by slice, as bytes.
 */
function hasBase64Run(blob: Blob, ctx: ExtractContext): Promise<boolean> {
  let run = 0;
  return anySlice(blob, ctx, (buf, from, to) => {
    for (let i = from; i < to; i++) {
      const c = buf[i];
      const b64 = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
      if (!b64) run = 0;
      else if (++run >= 256) return true;
    }
    return false;
  });
}

/** Whether `test` holds for some slice of the blob (read slice by slice, each from `from` to `to`). */
async function anySlice(blob: Blob, ctx: ExtractContext, test: (buf: Uint8Array, from: number, to: number, base: number) => boolean): Promise<boolean> {
  for await (const { buf, base, from, to } of slices(blob, ctx.checkTime)) if (test(buf, from, to, base)) return true;
  return false;
}

/**
 * A CSV field that starts with `=` (after a separator, a line break, an opening quote, or at the start of
 * the file after its byte order mark): a formula. NULs are stepped over, so UTF-16 CSVs count too.
 */
function formulaCell(buf: Uint8Array, from: number, to: number, base: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] === 0x3d && fieldStart(buf, base, i)) return true;
  return false;
}

/** Whether buf[i] starts a CSV field (`base` is buf[0]'s offset in the file). */
function fieldStart(buf: Uint8Array, base: number, i: number): boolean {
  let j = i - 1;
  const nuls = () => {
    for (let k = 0; k < 3 && j >= 0 && buf[j] === 0; k++) j--;
  };
  nuls();
  if (j >= 0 && buf[j] === 0x22) {
    j--;
    nuls();
  }
  if (base === 0 && j < 3 && bomEndsAt(buf, j)) return true;
  const c = buf[j];
  return c === 0x2c || c === 0x3b || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Whether the file's byte order mark (or nothing, at -1) ends at byte j of its first slice. */
const bomEndsAt = (b: Uint8Array, j: number): boolean =>
  j === -1 || (j === 2 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) || (j === 1 && utf16Bom(b));

/** `%!PS`, how every PostScript file (and EPS) begins. */
const POSTSCRIPT = [0x25, 0x21, 0x50, 0x53];

// ---------------------------------------------------------------- escapes (JSON, JavaScript, .properties, Markdown)

/**
 * `\u79d8` (秘) and `\u3299` (㊙) as JSON and most languages escape them, in ASCII; and `&#` starting a
 * character reference (`&#31192;`, `&#x79D8;`), which Markdown renders as the character.
 */
// Same shape as the NEEDLES entries (wide included), so the search's needle loop stays monomorphic.
// roff (man pages and documents pandoc and groff write) escapes a character outside ASCII as `\[u79D8]`;
// JavaScript (ES2015), Rust and Swift by its code point in braces, `\u{79D8}`.
const ESCAPES = ['\\u79d8', '\\u79D8', '\\u3299', '\\u{', '&#', '\\[u79D8]', '\\[u79d8]', '\\[u3299]'];
const ESCAPED: Needle[] = ESCAPES.map((s) => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor: 0, wide: false }));
/** ESCAPED and the emoji shortcode, for ASCII Markdown and JSON. */
const ESCAPED_SC: Needle[] = [...ESCAPED, SHORTCODE_NEEDLE];
/** The same escapes in UTF-16 text (what `python export.py > out.json` writes in Windows PowerShell 5.1). */
const wideEscapes = (enc: 'utf-16le' | 'utf-16be'): Needle[] =>
  ESCAPES.map((s) => ({
    bytes: Uint8Array.from([...s].flatMap((c) => (enc === 'utf-16le' ? [c.charCodeAt(0), 0] : [0, c.charCodeAt(0)]))),
    enc,
    anchor: enc === 'utf-16le' ? 0 : 1,
    wide: true,
  }));
const ESCAPED_WIDE = { 'utf-16le': wideEscapes('utf-16le'), 'utf-16be': wideEscapes('utf-16be') };
// A backslash before another letter is left as it stands: no JSON has one, and in a Windows path
// (`D:\\共有\\秘\\Confidential\\`) dropping it would spell the stamp out of two folder names. `\xHH`
// is a character by its code in YAML, JavaScript and Python strings (`"\u79D8\x20Confidential"`).
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|\[u([0-9a-fA-F]{4,6})\]|u\{([0-9a-fA-F]{1,6})\}|([^uA-Za-z]|[nrtbf]))/g;
const CHAR_REF = /&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g;
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/**
 * Text with its string escapes resolved (`\u79d8` → 秘, `\ud83d\ude00` → one character, `\n` → a line
 * break, `\\` → a backslash), as a reader of the JSON value sees it.
 */
export function unescapeStrings(s: string): string {
  const refs = s.indexOf('&#') < 0 ? s : s.replace(CHAR_REF, (ref, hex?: string, dec?: string) => charOfCode(hex ? parseInt(hex, 16) : Number(dec)) ?? ref);
  if (refs.indexOf('\\') < 0) return refs;
  return refs.replace(ESCAPE, (_, hex?: string, byte?: string, roff?: string, point?: string, c?: string) =>
    hex || byte ? String.fromCharCode(parseInt((hex ?? byte)!, 16)) : roff || point ? (charOfCode(parseInt((roff ?? point)!, 16)) ?? '') : (SIMPLE_ESCAPES[c!] ?? c!),
  );
}

/**
 * roff source (man pages; what groff, pandoc -t man / -t ms write) as it prints: characters as
 * `\[u79D8]`, fonts switched inside a line (`\f[B]秘\f[R]`, `\fB`, `\f(CW`), and requests on lines of
 * their own (`.br`, `.PP`) between the lines of text. This reading takes them out, so that
 * 「\f[B]\[u79D8]\f[R] Confidential」 and 「秘」 `.br` 「Confidential」 read as the stamp they print.
 */
const ROFF_HINT = /\\\[u[0-9A-Fa-f]{4,6}\]|\\f[[(BIRP]|\\&|^\.(?:br|sp|PP|LP|P|IP|TP|PD|SH|SS|TH|nf|fi|[BI]|BI|IB|[BIR][BIR]|S[BM]|TS|TE)\b|^T\}|\\s[-+\d([]|\\\*[{}<>]/m;
/**
 * Size changes (`\s-2`, `\s0`, `\s[12]`, `\s(12`) and ms's superscript and subscript strings (`\*{`, `\*}`,
 * `\*<`, `\*>`) print nothing of their own: pandoc -t ms writes small capitals as `C\s-2ONFIDENTIAL\s0`
 * and a superscript as `秘\*{Confidential\*}`, which groff prints 「秘 CONFIDENTIAL」 and 「秘Confidential」.
 */
const ROFF_SIZE = /\\s(?:[+-]?\[[^\]\n]{0,8}\]|[+-]?\([0-9]{2}|[+-]?[0-9])/g;
const ROFF_SCRIPT = /\\\*[{}<>]/g;
/**
 * A tbl table's text blocks: a cell written `T{` ⏎ text ⏎ `T}`, and the next cell's block opened on the
 * same line after the table's tab character (`T}@T{`, as pandoc -t man and -t ms write every cell). tbl
 * prints neighbouring cells side by side, as a Word or HTML table's read: 「秘」 and 「Confidential」 in one
 * row's two cells are the stamp. The block's own marks print nothing.
 */
const ROFF_TBL_NEXT = /^T\}[^\n]T\{[ \t]*$/gm;
const ROFF_TBL_MARK = /^T\}|T\{[ \t]*$/gm;
/** A font macro's line (`.B Confidential`, `.IR "秘" x`) prints its words: they stay, without the macro and its quotes. */
const ROFF_FONT_MACRO = /^[.'](?:[BI]|BI|IB|[BIR][BIR]|S[BM])[ \t]+([^\n]*)/gm;
const ROFF_FONT = /\\f(?:\[[^\]\n]{0,16}\]|\([A-Za-z0-9]{2}|[A-Za-z0-9])/g;
const ROFF_REQUEST = /^[.'][^\n]*(?:\n|$)/gm;
const ROFF_CHAR = /\\\[u([0-9A-Fa-f]{4,6})\]/g;
/** roff's spaces: digit-width (`\0`), unbreakable (`\~`, `\ `); and the thin ones (`\|`, `\^`), which print as nothing a search needs. */
const ROFF_SPACE = /\\[0~ ]/g;
const ROFF_THIN = /\\[|^]/g;
/** `\c` ends a line that goes on with the next line's text (`秘 \c` ⏎ `.B Confidential`). */
const ROFF_CONTINUE = /\\c[ \t]*\r?\n/g;
function roffText(s: string): string {
  return s
    .replace(ROFF_FONT_MACRO, (_, words: string) => words.replace(/"/g, ''))
    .replace(ROFF_SIZE, '')
    .replace(ROFF_SCRIPT, '')
    .replace(ROFF_TBL_NEXT, ' ')
    .replace(ROFF_TBL_MARK, '')
    .replace(ROFF_CONTINUE, '')
    .replace(ROFF_SPACE, ' ')
    .replace(ROFF_THIN, '')
    .replace(ROFF_REQUEST, '')
    .replace(ROFF_FONT, '')
    .replace(/\\&/g, '') // a zero-width character
    .replace(ROFF_CHAR, (ref, hex: string) => charOfCode(parseInt(hex, 16)) ?? ref);
}

/**
 * 秘 ending one CSV field and Confidential starting the next (`秘,Confidential`, `"秘";"Confidential"`,
 * a field with blanks after 秘: `"秘 ",`; tab-separated quoted fields, as Excel's Unicode text and
 * LibreOffice's quote-all export write; Excel's `="秘",="Confidential"`): neighbouring cells, which a
 * spreadsheet shows side by side and which a workbook reads as the stamp (sheet-rows.ts). Only one
 * separator: an empty cell between keeps them apart, as in a sheet.
 */
const CELL_GAP = /([秘㊙])[ \t\u3000]*"?[,;\t|]=?"?(?=[ \t\u3000]*[cCｃＣ])/g;

/**
 * A run of text, and its other readings when they differ (the raw text is searched too): string escapes
 * resolved, and neighbouring CSV fields side by side. (Markdown's emphasis marks are in the stamp rule.)
 */
function* withUnescaped(text: string, where: Where = {}, kind: TextKind = PLAIN): Generator<Extracted> {
  yield { kind: 'text', text, where };
  // Every reading below, of the text with its shortcodes shown as the emoji.
  if (kind.shortcodes && text.includes(SHORTCODE)) yield* withUnescaped(text.replace(SHORTCODES, '㊙'), { ...where, area: 'escaped' }, { ...kind, shortcodes: false });
  const un = unescapeStrings(text);
  if (un !== text) yield { kind: 'text', text: un, where: { ...where, area: 'escaped' } };
  if (ROFF_HINT.test(text)) yield { kind: 'text', text: roffText(text), where: { ...where, area: 'escaped' } };
  if (mayHaveStampChar(text) && LIGHT_MARKUP_HINT.test(text)) {
    const shown = lightMarkupShown(text, !kind.json);
    if (shown !== text) yield { kind: 'text', text: shown, where: { ...where, area: 'escaped' } };
  }
  // Wiki markup or LaTeX held in JSON strings (a Jira issue's description, `"秘\\\\Confidential"`) reads once its escapes are resolved.
  if (kind.json && un !== text && mayHaveStampChar(un) && LIGHT_MARKUP_HINT.test(un)) {
    const shown = lightMarkupShown(un);
    if (shown !== un) yield { kind: 'text', text: shown, where: { ...where, area: 'escaped' } };
  }
  // As written too: resolving escapes first would spoil a subtitle's `{\b1}` (`\b` is a backspace in JSON).
  const shownRaw = mayHaveStampChar(text) && RENDERED_HINT.test(text) ? rendered(text, kind) : text;
  if (shownRaw !== text) yield { kind: 'text', text: shownRaw, where: { ...where, area: 'escaped' } };
  if (un !== text && mayHaveStampChar(un) && RENDERED_HINT.test(un)) {
    const shown = rendered(un, kind);
    if (shown !== un && shown !== shownRaw) yield { kind: 'text', text: shown, where: { ...where, area: 'escaped' } };
  }
  // Only in a JSON document: CSV rows (`"秘",⏎"Confidential"`) keep an empty cell between. What the
  // joined strings hold is shown as their reader shows it (a notebook's Markdown and HTML, rendered).
  if (kind.json && text.includes('",')) {
    const joined = unescapeStrings(text.replace(JSON_STRINGS_GAP, ''));
    if (joined !== un) {
      yield { kind: 'text', text: joined, where: { ...where, area: 'escaped' } };
      if (mayHaveStampChar(joined) && RENDERED_HINT.test(joined)) yield { kind: 'text', text: rendered(joined, kind), where: { ...where, area: 'escaped' } };
      if (mayHaveStampChar(joined) && LIGHT_MARKUP_HINT.test(joined)) yield { kind: 'text', text: lightMarkupShown(joined), where: { ...where, area: 'escaped' } };
    }
  }
  if (!AFTER_STAMP_CHAR.test(un)) return;
  const cells = un.replace(CELL_GAP, '$1 ');
  if (cells !== un) yield { kind: 'text', text: cells, where: { ...where, area: 'cells' } };
}

/**
 * Neighbouring strings of a JSON array, which its reader joins: a Jupyter notebook keeps a cell's text
 * and its output as one string per line (`["秘\n", "Confidential\n"]`, or split anywhere: `["秘 Conf",
 * "idential"]`), and shows them run together.
 */
const JSON_STRINGS_GAP = /"\s*,\s*"/g;

/** What the text is, as far as its readings go: a JSON document; a CSV (whose quoted cells are no continued strings). */
interface TextKind {
  json: boolean;
  csv: boolean;
  /** A SubStation Alpha file (.ass, .ssa): its codes are read as codes wherever a window starts in its lines. */
  ass?: boolean;
  /** Markdown or JSON, whose reader shows `:secret:` as ㊙️ (SHORTCODE). */
  shortcodes?: boolean;
}
const PLAIN: TextKind = { json: false, csv: false };

/** Something `rendered` would take out: a tag or comment, a reference, a link, a subtitle code, an escape, a backspace, a string's end. */
const RENDERED_HINT = /[<&[{\\\x1b\x08"｜《>＞|［]/;
/** A tag (WebVTT's cue timestamps `<00:00:01.500>` too, which YouTube's captions put between words). */
// Attributes in quotes may hold `>`, and a long tag is wrapped over lines (as Prettier writes one).
const TAG = /<\/?[A-Za-z](?:[^<>"']|"[^"<]{0,2048}"|'[^'<]{0,2048}'){0,2048}>|<(?:\d{1,2}:)?\d{2}:\d{2}\.\d{3}>/g;
/**
 * A ruby's reading, shown small above its base (`<ruby>秘<rt>ひ</rt></ruby>`; Aozora Bunko's `｜秘《ひ》`), is not on
 * the line; nor is an Aozora Bunko note (`秘［＃「秘」に傍点］`, `［＃「秘」は太字］`, `［＃縦中横］`), which its viewers
 * show as the emphasis, weight or layout it names.
 */
const RUBY_READING = /<(r[tp])\b[^<>\n]{0,64}>[^<\n]{0,64}<\/\1\s*>|《[^》\n]{0,32}》|｜|［＃[^］\n]{0,128}］/g;
const LINK = /!?\[([^\]\n]{0,256})\](?:\([^)\n]{0,2048}\)|\[[^\]\n]{0,64}\])/g;
/** A SubStation Alpha event line (`.ass`, `.ssa`), where the codes below mean something. */
const ASS_EVENT = /^Dialogue:/m;
/** SubStation Alpha's override codes (`{\b1}`), and its hard space and line break. */
const ASS_CODE = /\{\\[^{}\n]{0,256}\}/g;
/** A terminal's control sequences: colours and cursor moves (CSI), titles and links (OSC), and two-byte ones. */
const TERMINAL = /\x1b(?:\[[0-?]{0,64}[ -/]{0,8}[@-~]|\][^\x07\x1b]{0,2048}(?:\x07|\x1b\\)|[@-Z\\-_])/g;
/**
 * A line break inside a SYLK cell (`C;X2;Y2;K"秘\x1B :Confidential"`): LibreOffice writes a cell's line break as
 * ESC, space, colon, and reads it back as one (Calc shows 「秘」 above 「Confidential」). Read as a line break, before
 * the terminal's sequences are taken out (no terminal sequence has this shape).
 */
const SYLK_LINE_FEED = /\x1b :/g;
/** nroff's bold and underline: a character, a backspace, and the character printed over it. */
const OVERSTRIKE = /[^\n]\x08/g;
/**
 * A string literal in an expression of JSX (`{" "}`, `{'秘'}`, `` {`秘`} ``: React's explicit space, which
 * Prettier writes where it wraps a line of JSX text) or a template's mustache (Vue, Angular, Handlebars:
 * `{{ ' ' }}`): the page shows the string. No braces or line breaks inside: an object literal stays.
 */
const TEMPLATE_STRING = /\{\{[ \t]*(["'`])([^"'`{}\\\n]{0,256})\1[ \t]*\}\}|\{[ \t]*(["'`])([^"'`{}\\\n]{0,256})\3[ \t]*\}/g;
const templateString = (_: string, _q: string, inMustache?: string, _q2?: string, inJsx?: string): string => inMustache ?? inJsx ?? '';
/** A string continued on the next line, as gettext catalogues (.po) and C write a long one: `"秘 "` ⏎ `"Confidential"`. */
const CONTINUED = /"[ \t]*\r?\n[ \t]*"/g;

/**
 * Text as its renderer shows it, for the markup plain-text formats carry: Markdown's inline HTML, entities
 * and links (`秘<br>Confidential`, `秘&nbsp;Confidential`, `秘<!-- -->Confidential`, `秘 [Confidential](…)`),
 * subtitles' tags and codes (`<i>`, `{\b1}`, `\h`, `\N`), a terminal's colours and links (`less -R`), SYLK's line break,
 * nroff's overstrike, and a string continued on the next line. A further reading: the text as written is
 * searched too.
 */
function rendered(s: string, kind: TextKind): string {
  const markup = withoutComments(s).replace(RUBY_READING, '').replace(TAG, '').replace(LINK, '$1').replace(TEMPLATE_STRING, templateString);
  // SubStation Alpha's codes only in its events (and in SubRip cues, whose players take them too):
  // elsewhere `\N` is two characters a reader sees.
  const ass = kind.ass || ASS_EVENT.test(s) || SRT_TIMING.test(s) ? markup.replace(ASS_CODE, '').replace(/\\h/g, ' ').replace(/\\N/gi, '\n') : markup;
  const shown = ass
    .replace(SYLK_LINE_FEED, '\n')
    .replace(TERMINAL, '')
    .replace(OVERSTRIKE, '')
    .replace(QUOTE_MARKS, '');
  // A CSV's quoted cells on two lines are two rows, not a string continued.
  return decodeEntities(kind.csv ? shown : shown.replace(CONTINUED, ''));
}

/**
 * The marks at the start of a quoted line (`> `, `>> `, a full-width `＞`, `| `), as a mail reply and a
 * Markdown blockquote carry them: the quoted lines read on without them (Markdown renders a blockquote's
 * lines as one paragraph).
 */
const QUOTE_MARKS = /^[ \t]*(?:[>＞|][ \t]?){1,32}/gm;
export const withoutQuoteMarks = (s: string): string => s.replace(QUOTE_MARKS, '');
/** A SubRip cue's timing line (`00:00:01,000 --> 00:00:04,000`). */
const SRT_TIMING = /\d\d:\d\d:\d\d[,.]\d{3}[ \t]+-->/;

/** `<!-- … -->` taken out, in one pass (markup-spans.ts; an unclosed one stays). */
const COMMENT_START = /<!--/g;
const COMMENT_END = /-->/g;
const withoutComments = (s: string): string => replaceSpans(s, spans(s, COMMENT_START, () => COMMENT_END), () => '');

/** 秘 or ㊙ ending a CSV field: what CELL_GAP starts with. */
const AFTER_STAMP_CHAR = /[秘㊙][ \t\u3000]*"?[,;\t|]/;

/** One needle list per (encoding, escapes): the search compiles a table per list and caches it. */
const needleLists = new Map<string, Needle[]>();
function needlesFor(enc: Detected['enc'], escapes: boolean, otherCjk: boolean, open: boolean, shortcodes = false): Needle[] {
  const key = enc + (escapes ? '+esc' : '') + (otherCjk ? '+cjk' : '') + (open ? '+open' : '') + (shortcodes ? '+sc' : '');
  let list = needleLists.get(key);
  const own = enc === 'ascii' ? MIXED : enc === 'shift_jis' || enc === 'euc-jp' ? JAPANESE_LEGACY : NEEDLES[enc];
  const escaped = enc === 'utf-16le' || enc === 'utf-16be' ? ESCAPED_WIDE[enc] : ESCAPED;
  const others = [...(otherCjk && enc !== 'ascii' ? OTHER_CJK_NEEDLES : []), ...othersAfterSample(enc, open)];
  // (UTF-16 Markdown is rare, and its shortcode is not looked for.)
  const sc = shortcodes && enc !== 'utf-16le' && enc !== 'utf-16be' ? [SHORTCODE_NEEDLE] : [];
  if (!list) needleLists.set(key, (list = [...own, ...(escapes ? escaped : []), ...others, ...sc]));
  return list;
}

function needlesOf(det: Detected, kind: TextKind = PLAIN): Needle[] {
  // JSON is UTF-8 (RFC 8259), and escapes are how ASCII-only text spells 秘 (in UTF-16 too: Windows
  // PowerShell 5.1 writes a program's output so). Shift_JIS and EUC-JP text is not searched for them:
  // 0x5C is a common trail byte there (表, ソ), and costs a pass for nothing.
  const escapes = det.enc === 'ascii' || det.enc === 'utf-8' || det.enc === 'utf-16le' || det.enc === 'utf-16be';
  return needlesFor(det.enc, escapes, otherCjk(det), mixed(det), kind.shortcodes);
}

/**
 * An encoding decided on the file's first SAMPLE bytes only, or a guess because the sample fits none:
 * the file may be in two (a log that programs writing UTF-8 and Shift_JIS or EUC-JP both append to,
 * files joined with `cat`; nkf and an editor in UTF-8 read the UTF-8 lines of it). After UTF-8, the
 * Japanese code pages' 秘 is looked for too, and kept where its bytes do not sit in well-formed UTF-8
 * (Shift_JIS's 秘, 94 E9, is also the end of one UTF-8 character and the start of the next: 「訔」 then
 * 「難」, which would cost a window each); after a Japanese code page (or cp1252), UTF-8's.
 * ISO-2022-JP is 7-bit, so an 8-bit text (valid UTF-8 to its end) may hold a part in it too, as a mail
 * body saved beside a UTF-8 note does: its 秘 is looked for in every slice that holds an escape.
 */
function othersAfterSample(enc: Detected['enc'], open: boolean): Needle[] {
  // UTF-16 without a BOM is open only as a guess by score, which 8-bit text can win (cp1252's 「café」
  // lines read as CJK ideographs in pairs): then 秘 is looked for in every 8-bit encoding too.
  if (enc === 'utf-16le' || enc === 'utf-16be') return open ? EIGHT_BIT : [];
  if (enc !== 'utf-8' && enc !== 'shift_jis' && enc !== 'euc-jp') return [];
  if (!open) return NEEDLES['iso-2022-jp'];
  return [...(enc === 'utf-8' ? JAPANESE_LEGACY : NEEDLES['utf-8']), ...NEEDLES['iso-2022-jp']];
}
const EIGHT_BIT: Needle[] = [...NEEDLES['utf-8'], ...JAPANESE_LEGACY, ...NEEDLES['iso-2022-jp']];
/** Whether the sample leaves the rest of the file's encoding open: decided on part of it, or a guess. */
const mixed = (det: Detected): boolean => det.partial === true || det.guess === true;
const notUtf8 = (buf: Uint8Array, p: number, enc: TextEncodingName): boolean =>
  enc !== 'shift_jis' || !inUtf8(buf, p - 2, p);

/** Whether buf[from, to) lies within well-formed UTF-8: the characters it starts and ends in, whole. */
function inUtf8(buf: Uint8Array, from: number, to: number): boolean {
  let s = from;
  while (s > 0 && from - s < 3 && (buf[s] & 0xc0) === 0x80) s--;
  let e = to;
  while (e < buf.length && e - to < 3 && (buf[e] & 0xc0) === 0x80) e++;
  return validUtf8(buf.subarray(s, e));
}

/**
 * Text in a double-byte code page detect() answers (Japanese), or a guess: it may be Chinese or Korean
 * (GB18030, Big5 and EUC-KR bytes are valid in Shift_JIS or EUC-JP, so detection cannot tell them apart).
 */
function otherCjk(det: Detected): boolean {
  return det.enc === 'shift_jis' || det.enc === 'euc-jp' || det.guess === true;
}

/** `needles`: what to look for (by default, 秘 in the detected encoding and what else that text could be in). */
async function* prefiltered(blob: Blob, ctx: ExtractContext, det: Detected, kind: TextKind, needles = needlesOf(det), seen?: Seen): AsyncGenerator<Extracted> {
  const wide = det.enc === 'utf-16le' || det.enc === 'utf-16be';
  const covered = new Map<string, number>(); // per encoding: absolute offset already decoded
  for await (const { buf, base, from, to } of slices(blob, ctx.checkTime)) {
    const lines = seen !== undefined && !seen.encodedFile && !wide;
    // Text that stays ASCII (logs, CSV, code) can hold 秘 only as an escape: one cheap pass each.
    // No ESC either: it could start ISO-2022-JP.
    const ascii = det.enc === 'ascii' && asciiWithout(buf, 0x1b);
    const shortcodes = kind.shortcodes === true && needles.includes(SHORTCODE_NEEDLE);
    if (ascii && buf.indexOf(0x5c) === -1 && buf.indexOf(0x26) === -1 && !(shortcodes && buf.indexOf(0x3a) >= 0)) {
      if (lines) seen.encodedFile = hasEncodedFileLine(buf);
      continue;
    }
    const searched = ascii ? (shortcodes ? ESCAPED_SC : ESCAPED) : needles;
    if (lines) {
      // An encoded file's first line and the stamp's bytes in one search (needle-groups.ts), not two:
      // a slice holding neither is done with.
      const found = withEncodedLines(searched).in(buf);
      seen.encodedFile = (found & 2) !== 0 || encodedFileLineFirst(buf);
      if ((found & 1) === 0) continue;
    }
    const accept = det.enc === 'utf-8' && mixed(det) ? notUtf8 : undefined;
    const wins = windowsFor(buf, searched, from, to, { parityBase: -base, alignedOnly: wide, accept });
    for (const w of wins) {
      const key = winKey(w, base);
      if (base + w.hit + 300 <= (covered.get(key) ?? 0)) continue;
      ctx.checkTime();
      // A window that ends in 秘 and blanks reads on while they do, through the file if need be: the word
      // may follow past it (400 zero-width spaces are 1,200 bytes of UTF-8, the whole window). Markup a
      // reading renders as nothing or a blank (`<br>`, `&nbsp;`) is part of such a gap.
      const text = await decodePaddedIn(blob, buf, base, w, ctx.checkTime, true);
      if (!w.unsure) covered.set(key, Math.max(covered.get(key) ?? 0, base + w.end));
      if (mayHaveStampChar(text) || mayHaveStampChar(unescapeStrings(text)) || (shortcodes && text.includes(SHORTCODE))) yield* withUnescaped(text, {}, kind);
    }
  }
}

const searches = new WeakMap<readonly Needle[], NeedleGroups>();
/** `needles` (bit 1) and an encoded file's first line after a line break (bit 2), searched at once. */
function withEncodedLines(needles: readonly Needle[]): NeedleGroups {
  let g = searches.get(needles);
  if (!g) searches.set(needles, (g = new NeedleGroups([needles, AFTER_BREAK])));
  return g;
}

/** What fullDecode decodes with: TextDecoder, or the UTF-32 one it does not have. */
type Decoder = Pick<TextDecoder, 'decode'>;

/** Every byte decoded, in slices; `dec` null while the text has been ASCII (the encoding is decided later). */
async function* fullDecode(blob: Blob, ctx: ExtractContext, dec: Decoder | null, kind: TextKind, seen: Seen): AsyncGenerator<Extracted> {
  const chunker = new TextChunker();
  const size = blob.size;
  const SLICE = 4 << 20;
  for (let off = 0; off < size; off += SLICE) {
    ctx.checkTime();
    let buf: Uint8Array;
    try {
      buf = new Uint8Array(await blob.slice(off, Math.min(size, off + SLICE)).arrayBuffer());
    } catch (e) {
      throw new ScanError('corrupt', `cannot read input: ${(e as Error)?.message ?? e}`);
    }
    if (!seen.encodedFile) seen.encodedFile = hasEncodedFileLine(buf);
    let text: string;
    if (!dec) {
      // Everything so far was ASCII; decide the encoding on the first slice that is not.
      let j = 0;
      while (j < buf.length && buf[j] < 0x80 && buf[j] !== 0x1b && buf[j] !== 0) j++;
      const d: Detected =
        j === buf.length ? { enc: 'ascii', bom: 0 } : detect(buf.subarray(Math.max(0, j - 1024)), off + SLICE >= size);
      if (d.enc === 'ascii') text = decoder('utf-8').decode(buf);
      else {
        dec = textReader(d.enc);
        text = dec.decode(buf, { stream: true });
      }
    } else text = dec.decode(buf, { stream: true });
    for (const run of chunker.push(text)) yield* withUnescaped(run, {}, kind);
  }
  if (dec) for (const run of chunker.push(dec.decode())) yield* withUnescaped(run, {}, kind);
  for (const rest of chunker.flush()) yield* withUnescaped(rest, {}, kind);
}
