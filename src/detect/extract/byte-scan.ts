/**
 * Byte-level search for the stamp's first character (秘 / ㊙) in a known encoding, and decoding of a
 * small window around each hit. Shared by the text, binary and OLE2 extractors so that large inputs
 * are never decoded whole when only the stamp matters.
 */
import { textReader, type TextReader } from './iso2022jp.js';
import { readRange } from '../range-read.js';
import { findNeedlesPaired } from './pair-scan.js';
import { ScanError } from './types.js';
import { findNeedlesWords } from './word-scan.js';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'shift_jis' | 'euc-jp' | 'iso-2022-jp' | 'gb18030' | 'big5' | 'euc-kr';

export interface Needle {
  bytes: Uint8Array;
  enc: TextEncodingName;
  /** Index of the byte searched with indexOf (the rarest one in typical text of that encoding). */
  anchor: number;
  /** For UTF-16: the hit must be at this parity relative to the first code unit (set by the caller). */
  wide?: boolean;
}

const n = (bytes: number[], enc: TextEncodingName, anchor: number): Needle => ({
  bytes: Uint8Array.from(bytes),
  enc,
  anchor,
  wide: enc === 'utf-16le' || enc === 'utf-16be',
});

/** 秘 (U+79D8) and ㊙ (U+3299) in every encoding of MARKINGS.md, with a search anchor each. */
// Anchors are chosen so needles share them: one pass over 0x79 finds 秘 in UTF-16LE and BE, one
// over 0x99 finds ㊙ in UTF-8, UTF-16LE and BE. An unknown binary costs 5 passes, not 9.
export const NEEDLES: Record<TextEncodingName, Needle[]> = {
  'utf-8': [n([0xe7, 0xa7, 0x98], 'utf-8', 2), n([0xe3, 0x8a, 0x99], 'utf-8', 2)],
  'utf-16le': [n([0xd8, 0x79], 'utf-16le', 1), n([0x99, 0x32], 'utf-16le', 0)],
  'utf-16be': [n([0x79, 0xd8], 'utf-16be', 0), n([0x32, 0x99], 'utf-16be', 1)],
  shift_jis: [n([0x94, 0xe9], 'shift_jis', 1)],
  'euc-jp': [n([0xc8, 0xeb], 'euc-jp', 1)],
  'iso-2022-jp': [n([0x48, 0x6b], 'iso-2022-jp', 0)],
  // Chinese and Korean text (a supplier's subsidiary writes in its own code page): GBK/GB18030, Big5,
  // EUC-KR (UHC). ㊙ exists only in GB18030, as a four-byte sequence.
  gb18030: [n([0xc3, 0xd8], 'gb18030', 1), n([0x81, 0x39, 0xcc, 0x32], 'gb18030', 2)],
  big5: [n([0xaf, 0xb5], 'big5', 1)],
  'euc-kr': [n([0xdd, 0xfa], 'euc-kr', 1)],
};

/**
 * What an unknown binary is searched for: the encodings Japanese software writes text in. (The Chinese
 * and Korean code pages are looked for in text files, where their pairs are not noise.)
 */
export const ALL_NEEDLES: Needle[] = (['utf-8', 'utf-16le', 'utf-16be', 'shift_jis', 'euc-jp', 'iso-2022-jp'] as const).flatMap((e) => NEEDLES[e]);
/** The Chinese and Korean code pages' needles: text in a legacy double-byte encoding is searched with these too. */
export const OTHER_CJK_NEEDLES: Needle[] = [...NEEDLES.gb18030, ...NEEDLES.big5, ...NEEDLES['euc-kr']];

/** Start offsets s in [from, to) where `needle` occurs in `buf` (needle may run past `to`). */
export function findNeedle(buf: Uint8Array, nd: Needle, from: number, to: number, out: number[], max = Infinity): void {
  findNeedles(buf, [nd], from, to, (at) => {
    out.push(at);
    return out.length < max;
  });
}

/**
 * Every occurrence of any of `needles` starting in [from, to) (it may run past `to`, not past the
 * buffer). `hit` is called with the start offset and needle, in order of the anchor byte's position;
 * returning false stops the search. The SIMD pair kernel (pair-scan.ts) where it runs, else the word
 * scan (word-scan.ts).
 */
export function findNeedles(
  buf: Uint8Array,
  needles: readonly Needle[],
  from: number,
  to: number,
  hit: (at: number, nd: Needle) => boolean,
): void {
  if (!findNeedlesPaired(buf, needles, from, to, hit)) findNeedlesWords(buf, needles, from, to, hit);
}

const decoders = new Map<string, TextReader>();
/** A cached non-fatal decoder (not for streaming use). */
export function decoder(enc: string): TextReader {
  let d = decoders.get(enc);
  if (!d) {
    d = textReader(enc);
    decoders.set(enc, d);
  }
  return d;
}

/** Bytes kept before a hit for context and resynchronisation. */
export const BACK = 1024;
/** Bytes decoded after a hit: comfortably more than 秘 + whitespace + "confidential" in any encoding. */
export const FWD = 1200;

/**
 * Where to start decoding so that the decoder is in step with the characters at `hit`.
 * Returns -1 when no safe start exists (ISO-2022-JP without a preceding escape).
 */
/** Whether the byte before `at` could be the lead byte of a character that `at` would then split. */
function unsure(buf: Uint8Array, at: number, enc: TextEncodingName): boolean {
  if (at === 0) return false;
  const b = buf[at - 1];
  return enc === 'euc-jp' ? b >= 0x80 : enc === 'shift_jis' || enc === 'gb18030' || enc === 'big5' || enc === 'euc-kr' ? b >= 0x40 : false;
}

/** How far back an ISO-2022-JP escape may be from 秘: a long run of kanji follows one escape. */
const ISO_BACK = 64 * 1024;

export function syncStart(buf: Uint8Array, hit: number, enc: TextEncodingName, min: number, lastEsc?: number): number {
  const lo = Math.max(min, hit - 96);
  switch (enc) {
    case 'utf-8': {
      let s = lo;
      while (s < hit && (buf[s] & 0xc0) === 0x80) s++;
      return s;
    }
    case 'utf-16le':
    case 'utf-16be': {
      return hit - 2 * Math.min(48, Math.floor((hit - min) / 2));
    }
    case 'shift_jis':
    case 'gb18030':
    case 'big5':
    case 'euc-kr': {
      // A byte below 0x40 is never a trail byte (of these; GB18030's four-byte forms, whose second
      // byte is a digit, are rare outside ㊙), so the next byte starts a character.
      for (let s = hit - 1; s >= Math.max(min, hit - 256); s--) if (buf[s] < 0x40) return s + 1;
      return hit;
    }
    case 'euc-jp': {
      for (let s = hit - 1; s >= Math.max(min, hit - 256); s--) if (buf[s] < 0x80) return s + 1;
      return hit;
    }
    case 'iso-2022-jp': {
      // Start at the escape that put the decoder into the JIS X 0208 set: the last ESC before the hit
      // (given by the caller, who walks the buffer's escapes once, or looked for here), if it is that one.
      let s = lastEsc;
      if (s === undefined) for (s = hit - 1; s >= Math.max(min, hit - BACK) && buf[s] !== 0x1b; s--);
      if (s < Math.max(min, hit - ISO_BACK) || buf[s] !== 0x1b) return -1;
      return buf[s + 1] === 0x24 && (buf[s + 2] === 0x42 || buf[s + 2] === 0x40) ? s : -1; // else it switched to ASCII / JIS-Roman
    }
  }
}

export interface Window {
  start: number;
  end: number;
  enc: TextEncodingName;
  /** First hit in the window, in buffer coordinates. */
  hit: number;
  /** It starts at its hit for want of a sure character boundary: it covers no later hit (windowsFor). */
  unsure?: boolean;
}

/** Merged windows can grow up to this size before a new one is started. */
const MAX_WINDOW = 256 * 1024;

/**
 * Hits of the needles of one encoding in the owned region [from, to) of `buf`, merged into
 * decode windows. `parityBase` is the buffer offset of the first UTF-16 code unit (hits at the
 * other parity are dropped when `alignedOnly`).
 */
export function windowsFor(
  buf: Uint8Array,
  needles: readonly Needle[],
  from: number,
  to: number,
  opts: {
    parityBase?: number;
    alignedOnly?: boolean;
    maxHits?: number;
    /** A test of the bytes right after a hit (at `p`): false drops the hit before any window is decoded. */
    accept?: (buf: Uint8Array, p: number, enc: TextEncodingName) => boolean;
  } = {},
): Window[] {
  const hits: { at: number; nd: Needle }[] = [];
  const max = opts.maxHits ?? Infinity;
  // ISO-2022-JP text needs an escape sequence; without ESC its needle ("Hk") only finds English. The
  // buffer is looked at for one at its first such hit, not before every search: most text holds no
  // 「Hk」, and an indexOf over each slice of a text without ESC was a fifth of a 10 MB text's scan.
  let hasEsc: boolean | undefined;
  findNeedles(buf, needles, from, to, (at, nd) => {
    if (nd.enc === 'iso-2022-jp' && !(hasEsc ??= buf.indexOf(0x1b) !== -1)) return true;
    if (nd.wide && opts.alignedOnly && ((at - (opts.parityBase ?? 0)) & 1) !== 0) return true;
    if (followedByKanaOrKanji(buf, at + nd.bytes.length, nd.enc)) return true;
    if (opts.accept && !opts.accept(buf, at + nd.bytes.length, nd.enc)) return true;
    hits.push({ at, nd });
    return hits.length < max;
  });
  if (hits.length === 0) return [];
  hits.sort((x, y) => x.at - y.at);
  const out: Window[] = [];
  const open = new Map<string, Window>();
  // The last ESC before each ISO-2022-JP hit: the hits are in order, so each stretch of the buffer is
  // searched once, backwards from the hit to the previous one (an ESC there is the last one; none, and
  // the last is the one found before). Walking forward over every ESC cost an indexOf per ESC: random
  // bytes hold one in 256, and that walk was a sixth of a 10 MB unknown binary's scan.
  let esc = -1;
  let scanned = 0;
  const lastEscBefore = (at: number): number => {
    if (at > scanned) {
      const i = buf.subarray(scanned, at).lastIndexOf(0x1b);
      if (i >= 0) esc = scanned + i;
      scanned = at;
    }
    return esc;
  };
  for (const { at, nd } of hits) {
    const key = nd.enc + (nd.wide ? ':' + (at & 1) : '');
    const w = open.get(key);
    if (w && at < w.end - 64 && w.end - w.start < MAX_WINDOW) {
      w.end = Math.min(buf.length, at + FWD);
      continue;
    }
    const start = syncStart(buf, at, nd.enc, 0, nd.enc === 'iso-2022-jp' ? lastEscBefore(at) : undefined);
    if (start < 0) continue;
    const nw: Window = { start, end: Math.min(buf.length, at + FWD), enc: nd.enc, hit: at };
    // A window that starts at its hit for want of a sure character boundary (a run of double-byte text
    // longer than the look-back) may be a false hit, off by a byte: later hits get windows of their own,
    // not decoded through its misalignment (a real 秘 after 「と襦」 in EUC-JP read as garbage).
    if (start === at && unsure(buf, at, nd.enc)) nw.unsure = true;
    else open.set(key, nw);
    out.push(nw);
  }
  return out;
}

/**
 * True when the character right after a hit is kana, a CJK ideograph or CJK punctuation other
 * than U+3000: then 秘 starts a word (秘密, 秘書, 社外秘の…), not the stamp, since none of those
 * characters is whitespace or normalises to a letter. Rejecting these at byte level keeps text
 * full of 秘密 (an NDA) as fast as text without 秘. Unsure cases return false and get decoded.
 */
export function followedByKanaOrKanji(buf: Uint8Array, p: number, enc: TextEncodingName): boolean {
  if (p + 1 >= buf.length) return false;
  const b0 = buf[p];
  const b1 = buf[p + 1];
  switch (enc) {
    case 'utf-8': {
      if (b0 < 0xe3 || b0 > 0xe9 || p + 2 >= buf.length) return false;
      return startsWord(((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (buf[p + 2] & 0x3f));
    }
    case 'utf-16le':
    case 'utf-16be':
      return startsWord(enc === 'utf-16le' ? b0 | (b1 << 8) : (b0 << 8) | b1);
    case 'shift_jis':
      // 0x82 0x9F… hiragana, 0x83 katakana, 0x88–0x9F and 0xE0–0xEA kanji. 0x81 (symbols, incl.
      // U+3000) and 0x82 below 0x9F (full-width letters) may be part of a stamp.
      return (b0 === 0x82 && b1 >= 0x9f) || b0 === 0x83 || (b0 >= 0x88 && b0 <= 0x9f) || (b0 >= 0xe0 && b0 <= 0xea);
    case 'euc-jp':
      // 0xA4 hiragana, 0xA5 katakana, 0xB0–0xF4 kanji; 0xA1 (symbols, incl. U+3000) and 0xA3 (letters) may be a stamp.
      return b0 === 0xa4 || b0 === 0xa5 || (b0 >= 0xb0 && b0 <= 0xf4);
    default:
      return false;
  }
}

/**
 * Kana or kanji after 秘 (U+3040–U+9FFF), but the Hangul filler: a blank that normalisation removes
 * (normalize.ts). Not CJK punctuation (U+3001–U+303F), as Shift_JIS's 0x81 and EUC-JP's 0xA1 rows are
 * not: a reading may take it out (a ruby's 《ひ》 after its base).
 */
const startsWord = (cp: number): boolean => cp >= 0x3040 && cp <= 0x9fff && cp !== 0x3164;

/**
 * Whether a decoded window ends in 秘/㊙ and then only blanks and invisible characters: the word that
 * completes a stamp may follow past the window's end (padding, or a drawing's markup between the two
 * words), so the window should read on. A window may end inside a character (U+FFFD).
 */
const GAP_TAIL = /[秘㊙][\s\p{Cf}\p{VS}\p{Mn}\u115F\u1160\u2800\u3164\uFFA0\u00AD]*\uFFFD?$/u;
// (Most windows end in a word: their last character is tested before the whole tail is.)
export const endsInGap = (text: string): boolean => text !== '' && (gapCharBefore(text, text.length) > 0 || LAST_OF_TAIL.test(text[text.length - 1])) && GAP_TAIL.test(text);
/** The characters a gap's tail may end in besides a blank: the stamp's own (no blank yet), a cut character. */
const LAST_OF_TAIL = /[秘㊙\uFFFD]/;
/** A character that is not a blank or invisible (GAP_TAIL's set): where a gap ends. */
const NOT_GAP = /[^\s\p{Cf}\p{VS}\p{Mn}\u115F\u1160\u2800\u3164\uFFA0\u00AD]/u;
/**
 * The length of the blank or invisible character (GAP_TAIL's set) at `i` of `s`: 1, 2 for one written
 * with two surrogates (an ideographic variation selector, a tag character), 0 for any other character.
 */
export function gapCharAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x20 || (c >= 9 && c <= 13)) return 1;
  const n = c >= 0xd800 && c < 0xdc00 && i + 1 < s.length ? 2 : 1;
  return NOT_GAP.test(s.slice(i, i + n)) ? 0 : n;
}
/** gapCharAt for the character that ends at `e`. */
function gapCharBefore(s: string, e: number): number {
  const c = s.charCodeAt(e - 1);
  const n = c >= 0xdc00 && c < 0xe000 && e >= 2 ? 2 : 1;
  return NOT_GAP.test(s.slice(e - n, e)) ? 0 : n;
}
/** Where the blanks and invisible characters of `s` from `i` on end (s.length if they run to its end). */
export function gapEnd(s: string, i: number): number {
  for (let n; i < s.length && (n = gapCharAt(s, i)) > 0; i += n);
  return i;
}

/**
 * A window's text, read on while it ends in 秘/㊙ and a gap (endsInGap: the word may follow past it),
 * a window's length at a time, to the end of `buf` at most. Geometric: linear in what it reads.
 */
export function decodePadded(buf: Uint8Array, w: Window, markup = false): string {
  const gapTail = markup ? endsInMarkupGap : endsInGap;
  let text = decodeWindow(buf, w);
  while (w.end < buf.length && gapTail(text)) {
    w.end = Math.min(buf.length, w.end + (w.end - w.start));
    text = decodeWindow(buf, w);
  }
  return text;
}

/**
 * decodePadded, and then through the blob (readPastGap) when the gap runs on past `buf` (a slice of
 * the blob that starts at `base`).
 */
export async function decodePaddedIn(blob: Blob, buf: Uint8Array, base: number, w: Window, checkTime: () => void, markup = false): Promise<string> {
  const text = decodePadded(buf, w, markup);
  const more = w.end === buf.length && base + w.end < blob.size && (markup ? endsInMarkupGap : endsInGap)(text);
  return more ? readPastGap(blob, buf, base, w, checkTime, markup) : text;
}

/**
 * Markup a text's renderer shows as nothing or as a blank, in a gap: a tag (`<br>`, `<span …>`), a
 * comment, a blank's entity (`&nbsp;`, `&#160;`). For the text readings, which render it (text.ts).
 */
const BLANK_ENTITY = /^&(?:nbsp|ensp|emsp|emsp13|emsp14|numsp|puncsp|thinsp|hairsp|ZeroWidthSpace|NoBreak|zwnj|zwj|shy|NewLine|Tab|#(?:160|32|9|10|13|8203|12288|x[aA]0|x20|x9|xa|xA|xd|xD|x200[bB]|x3000));?/;
/**
 * Where the blanks and such markup from `i` on end. `cut`: the text stops there for now, and a tag or
 * reference that starts but does not end before its end is taken as part of the gap (read on to see it).
 */
function markupGapEnd(s: string, i: number, cut: boolean): number {
  while (i < s.length) {
    const c = s[i];
    const n = gapCharAt(s, i);
    if (n > 0) i += n;
    else if (c === '<' && s.startsWith('<!--', i)) {
      const e = s.indexOf('-->', i + 4);
      if (e < 0) return cut ? s.length : i;
      i = e + 3;
    } else if (c === '<' && /[A-Za-z/]/.test(s[i + 1] ?? (cut ? 'a' : ''))) {
      const e = s.indexOf('>', i);
      const lt = s.indexOf('<', i + 1);
      if (e < 0) return cut && lt < 0 && s.length - i < 2048 ? s.length : i;
      if ((lt >= 0 && lt < e) || e - i > 2048) return i;
      i = e + 1;
    } else if (c === '&') {
      const m = BLANK_ENTITY.exec(s.slice(i, i + 16));
      if (m && (m[0].endsWith(';') || i + m[0].length < s.length)) i += m[0].length;
      else if (cut && s.length - i < 16 && /^&[#A-Za-z0-9]*$/.test(s.slice(i))) return s.length;
      else return i;
    } else return i;
  }
  return i;
}

/**
 * Where the last 秘/㊙ of a text ends, or the last `:secret:` (the emoji shortcode Markdown and JSON
 * readings show as ㊙, text.ts); -1 without one.
 */
function lastStampCharEnd(text: string): number {
  const k = Math.max(text.lastIndexOf('秘'), text.lastIndexOf('㊙'));
  const sc = text.lastIndexOf(':secret:');
  return sc > k ? sc + 8 : k < 0 ? -1 : k + 1;
}

/** endsInGap, the gap holding markup that renders as nothing too (markupGapEnd). */
export function endsInMarkupGap(text: string): boolean {
  const k = lastStampCharEnd(text);
  if (k < 0) return false;
  const j = markupGapEnd(text, k, true);
  return j === text.length || (j === text.length - 1 && text[j] === '\uFFFD');
}

/** Bytes read at a time past a window while a gap goes on. */
const GAP_READ = 64 << 10;
/** Characters kept after the gap: the word, and the markup a reading may take out before it. */
const AFTER_GAP = FWD;

/**
 * The text of window `w` (in `buf`, which starts at offset `base` of `blob`) when it ends in 秘 and a gap
 * that runs on past `buf`: the blanks are read on through the blob, however many there are, a piece at
 * a time, none kept; the text is the window's, its trailing gap as one line break, then what follows the
 * gap. Linear in the gap's length, so `秘`, a megabyte of padding, `Confidential` is the stamp (a bound
 * would have let it through clean). A streaming decoder keeps the characters in step across the pieces.
 */
export async function readPastGap(blob: Blob, buf: Uint8Array, base: number, w: Window, checkTime: () => void, markup = false): Promise<string> {
  const dec = new TextDecoder(w.enc);
  let head = dec.decode(buf.subarray(w.start, w.end), { stream: true });
  // With markup, the gap's tags may be cut by the pieces: what follows the last 秘 is read again with the next.
  let carry = '';
  if (markup) {
    const k = lastStampCharEnd(head);
    carry = head.slice(k);
    head = head.slice(0, k);
  }
  let after = '';
  let seen = false; // the gap's end was met
  for (let pos = base + w.end; pos < blob.size && (!seen || after.length < AFTER_GAP); pos += GAP_READ) {
    checkTime();
    const end = Math.min(blob.size, pos + GAP_READ);
    let piece: string;
    try {
      piece = dec.decode(await readRange(blob, pos, end), { stream: end < blob.size });
    } catch (e) {
      throw new ScanError('corrupt', `cannot read input: ${(e as Error)?.message ?? e}`);
    }
    if (!seen) {
      piece = carry + piece;
      carry = '';
      const i = markup ? markupGapEnd(piece, 0, false) : gapEnd(piece, 0);
      if (i === piece.length) continue;
      // A tag or reference that the piece cuts: read on with the next piece.
      if (markup && end < blob.size && markupGapEnd(piece, i, true) === piece.length) {
        carry = piece.slice(i);
        continue;
      }
      seen = true;
      piece = piece.slice(i);
    }
    after += piece.slice(0, AFTER_GAP - after.length);
  }
  return withoutTrailingGap(head) + '\n' + after;
}

/** `text` without the blanks and invisible characters it ends in (a loop: no expression over a long run). */
function withoutTrailingGap(text: string): string {
  let e = text.length;
  for (let n; e > 0 && (n = gapCharBefore(text, e)) > 0; e -= n);
  return text.slice(0, e);
}

/** Identifies windows that can be merged: same encoding and, for UTF-16, same byte parity. */
export function winKey(w: Window, base = 0): string {
  return w.enc + ':' + ((base + w.start) & 1);
}

export function decodeWindow(buf: Uint8Array, w: Window): string {
  return decoder(w.enc).decode(buf.subarray(w.start, w.end));
}

/**
 * True when `buf` has no byte ≥ 0x80 and no `byte`, checked a 32-bit word at a time (one pass, several
 * times faster than an indexOf per byte sought). ASCII markup without `&` cannot spell 秘/㊙, and ASCII
 * text without ESC is not ISO-2022-JP: most of a large worksheet or log is skipped at this speed.
 */
export function asciiWithout(buf: Uint8Array, byte: number): boolean {
  const spread = byte * 0x01010101;
  const plain = (b: number) => b < 0x80 && b !== byte;
  let i = 0;
  for (; i < buf.length && (buf.byteOffset + i) & 3; i++) if (!plain(buf[i])) return false;
  // (Past the end already, the offset may be unaligned: no words.)
  const words = i < buf.length ? new Uint32Array(buf.buffer, buf.byteOffset + i, (buf.length - i) >> 2) : new Uint32Array(0);
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const x = w ^ spread; // a zero byte where w holds `byte`
    if ((w | ((x - 0x01010101) & ~x)) & 0x80808080) return false;
  }
  for (i += words.length << 2; i < buf.length; i++) if (!plain(buf[i])) return false;
  return true;
}

export function mayHaveStampChar(s: string): boolean {
  return s.includes('秘') || s.includes('㊙');
}

/**
 * 秘 or ㊙ that does not start a word (秘密, 秘書, 社外秘の: kana or a kanji after it): the text test
 * matching followedByKanaOrKanji, for text already decoded. Text without one cannot hold the stamp.
 */
export function mayBeStamp(s: string): boolean {
  return MAY_BE_STAMP.test(s);
}
const MAY_BE_STAMP = /[秘㊙](?![\u3001-\u3163\u3165-\u9fff])/; // the Hangul filler U+3164 is a blank (startsWord)

/**
 * Bytes read per slice. Measured in Node (read + search of the 100 MB bench text, one process):
 * 4 MB and 1 MB slices ran at about 530 MB/s, 512 KB and 256 KB at about 950 MB/s: a slice this
 * small is still in cache when it is searched, and its allocation is reused instead of faulted
 * in afresh. The margins re-read per slice (BACK + FWD, 2.3 KB) stay under 0.5 %.
 */
export const SLICE = 512 << 10;
/** Slice reads in flight at once (2 MB in all). */
const READ_AHEAD = 4;

/**
 * Iterates over a blob in slices of `slice` bytes, each read with `back` bytes before and `fwd`
 * bytes after the owned region, so a window around a hit near an edge is complete. The slices are read
 * through readRange (range-read.ts): they may be views of the reader's memory, and are only read.
 */
export async function* slices(
  blob: Blob,
  checkTime: () => void,
  slice = SLICE,
  back = BACK,
  fwd = FWD + 64,
): AsyncGenerator<{ buf: Uint8Array; base: number; from: number; to: number }> {
  const size = blob.size;
  const read = (off: number) => {
    const base = Math.max(0, off - back);
    const end = Math.min(size, off + slice + fwd);
    const bytes = readRange(blob, base, end);
    bytes.catch(() => {}); // a read that is never awaited (the scan ended early) must not go unhandled
    return { off, base, bytes };
  };
  // The next slices are read while this one is searched: in a browser, reading a File is an IPC
  // round trip that otherwise adds to every slice. Slices are small (SLICE), so several are in flight.
  const ahead: ReturnType<typeof read>[] = [];
  let queued = 0;
  const fill = () => {
    for (; ahead.length < READ_AHEAD && queued < size; queued += slice) ahead.push(read(queued));
  };
  fill();
  while (ahead.length > 0) {
    checkTime();
    const { off, base, bytes } = ahead.shift()!;
    let buf: Uint8Array;
    try {
      buf = await bytes;
    } catch (e) {
      throw new ScanError('corrupt', `cannot read input: ${(e as Error)?.message ?? e}`);
    }
    fill();
    yield { buf, base, from: off - base, to: Math.min(size, off + slice) - base };
  }
}
