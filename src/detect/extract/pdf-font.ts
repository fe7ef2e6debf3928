/**
 * PDF fonts for text extraction: ToUnicode CMaps, predefined CJK CMaps (decoded through their
 * charset, so no CID tables are needed), simple-font encodings with /Differences and glyph names,
 * and glyph widths (to tell word gaps from kerning).
 */
import { Cmd, Dict, PdfDoc, Parser, Ref, Stream, type Obj } from './pdf-parse.js';
import { ScanError } from './types.js';
import { adobeJapan1 } from './adobe-japan1.js';

/** The font types a font dictionary's /Subtype names (ISO 32000-2 9.6, 9.7). */
const FONT_TYPES = new Set(['Type0', 'Type1', 'MMType1', 'TrueType', 'Type3', 'CIDFontType0', 'CIDFontType2', 'OpenType']);

// ---------------------------------------------------------------- encodings

function tableFromDecoder(label: string): string[] {
  const t: string[] = new Array(256);
  let dec: TextDecoder | null = null;
  try {
    dec = new TextDecoder(label);
  } catch {
    dec = null;
  }
  for (let i = 0; i < 256; i++) t[i] = dec ? dec.decode(Uint8Array.of(i)) : String.fromCharCode(i);
  for (let i = 0; i < 32; i++) t[i] = '';
  t[127] = '';
  return t;
}

let winAnsi: string[] | null = null;
let macRoman: string[] | null = null;
let standard: string[] | null = null;

function winAnsiTable(): string[] {
  if (!winAnsi) {
    winAnsi = tableFromDecoder('windows-1252');
    for (const i of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) winAnsi[i] = '';
    winAnsi[0xa0] = ' ';
    winAnsi[0xad] = '-';
  }
  return winAnsi;
}

function macRomanTable(): string[] {
  if (!macRoman) macRoman = tableFromDecoder('macintosh');
  return macRoman;
}

const STD_HIGH: Record<number, string> = {
  0xa1: '¡', 0xa2: '¢', 0xa3: '£', 0xa4: '⁄', 0xa5: '¥', 0xa6: 'ƒ', 0xa7: '§', 0xa8: '¤', 0xa9: "'", 0xaa: '“',
  0xab: '«', 0xac: '‹', 0xad: '›', 0xae: 'ﬁ', 0xaf: 'ﬂ', 0xb1: '–', 0xb2: '†', 0xb3: '‡', 0xb4: '·', 0xb6: '¶',
  0xb7: '•', 0xb8: '‚', 0xb9: '„', 0xba: '”', 0xbb: '»', 0xbc: '…', 0xbd: '‰', 0xbf: '¿', 0xc1: '`', 0xc2: '´',
  0xc3: 'ˆ', 0xc4: '˜', 0xc5: '¯', 0xc6: '˘', 0xc7: '˙', 0xc8: '¨', 0xca: '˚', 0xcb: '¸', 0xcd: '˝', 0xce: '˛',
  0xcf: 'ˇ', 0xd0: '—', 0xe1: 'Æ', 0xe3: 'ª', 0xe8: 'Ł', 0xe9: 'Ø', 0xea: 'Œ', 0xeb: 'º', 0xf1: 'æ', 0xf5: 'ı',
  0xf8: 'ł', 0xf9: 'ø', 0xfa: 'œ', 0xfb: 'ß',
};

function standardTable(): string[] {
  if (!standard) {
    standard = new Array(256).fill('');
    for (let i = 32; i < 127; i++) standard[i] = String.fromCharCode(i);
    standard[0x27] = '’';
    standard[0x60] = '‘';
    for (const [k, v] of Object.entries(STD_HIGH)) standard[Number(k)] = v;
  }
  return standard;
}

function baseTable(name: Obj | undefined): string[] | null {
  switch (name) {
    case 'WinAnsiEncoding':
      return winAnsiTable();
    case 'MacRomanEncoding':
    case 'MacExpertEncoding':
      return macRomanTable();
    case 'StandardEncoding':
      return standardTable();
    case 'PDFDocEncoding':
      return tableFromDecoder('latin1');
  }
  return null;
}

// ---------------------------------------------------------------- glyph names

const ASCII_NAMES =
  'space exclam quotedbl numbersign dollar percent ampersand quotesingle parenleft parenright asterisk plus comma hyphen period slash zero one two three four five six seven eight nine colon semicolon less equal greater question at';
const ASCII_NAMES2 = 'bracketleft backslash bracketright asciicircum underscore grave';
const ASCII_NAMES3 = 'braceleft bar braceright asciitilde';
const EXTRA_NAMES: Record<string, string> = {
  quoteleft: '‘', quoteright: '’', quotedblleft: '“', quotedblright: '”', endash: '–', emdash: '—', bullet: '•',
  ellipsis: '…', dagger: '†', daggerdbl: '‡', fi: 'ﬁ', fl: 'ﬂ', ff: 'ﬀ', ffi: 'ﬃ', ffl: 'ﬄ', trademark: '™',
  copyright: '©', registered: '®', degree: '°', section: '§', paragraph: '¶', periodcentered: '·',
  quotesinglbase: '‚', quotedblbase: '„', guillemotleft: '«', guillemotright: '»', guilsinglleft: '‹',
  guilsinglright: '›', perthousand: '‰', florin: 'ƒ', fraction: '⁄', Euro: '€', euro: '€', sterling: '£', yen: '¥',
  cent: '¢', currency: '¤', exclamdown: '¡', questiondown: '¿', brokenbar: '¦', dieresis: '¨', ordfeminine: 'ª',
  ordmasculine: 'º', logicalnot: '¬', macron: '¯', plusminus: '±', twosuperior: '²', threesuperior: '³',
  onesuperior: '¹', acute: '´', mu: 'µ', cedilla: '¸', onequarter: '¼', onehalf: '½', threequarters: '¾',
  multiply: '×', divide: '÷', germandbls: 'ß', AE: 'Æ', ae: 'æ', OE: 'Œ', oe: 'œ', Oslash: 'Ø', oslash: 'ø',
  Lslash: 'Ł', lslash: 'ł', Eth: 'Ð', eth: 'ð', Thorn: 'Þ', thorn: 'þ', dotlessi: 'ı', circumflex: 'ˆ', tilde: '˜',
  caron: 'ˇ', breve: '˘', dotaccent: '˙', ring: '˚', ogonek: '˛', hungarumlaut: '˝', minus: '−', nbspace: ' ',
  nonbreakingspace: ' ', sfthyphen: '-', softhyphen: '-', notequal: '≠', lessequal: '≤', greaterequal: '≥',
  infinity: '∞', arrowleft: '←', arrowright: '→', arrowup: '↑', arrowdown: '↓', checkmark: '✓', Delta: 'Δ',
  Omega: 'Ω', pi: 'π', summation: '∑', product: '∏', radical: '√', integral: '∫', approxequal: '≈', lozenge: '◊',
  dotlessj: 'ȷ', ij: 'ĳ', IJ: 'Ĳ', napostrophe: 'ŉ', Scaron: 'Š', scaron: 'š', Zcaron: 'Ž', zcaron: 'ž',
  Ydieresis: 'Ÿ', ydieresis: 'ÿ', ideographicspace: '\u3000',
};
const ACCENTS: Record<string, string> = {
  acute: '\u0301', grave: '\u0300', circumflex: '\u0302', dieresis: '\u0308', tilde: '\u0303', ring: '\u030a',
  cedilla: '\u0327', caron: '\u030c', macron: '\u0304', breve: '\u0306', ogonek: '\u0328', dotaccent: '\u0307',
  hungarumlaut: '\u030b', commaaccent: '\u0326',
};
let glyphNames: Map<string, string> | null = null;

function names(): Map<string, string> {
  if (glyphNames) return glyphNames;
  const m = new Map<string, string>();
  ASCII_NAMES.split(' ').forEach((n, i) => m.set(n, String.fromCharCode(0x20 + i)));
  ASCII_NAMES2.split(' ').forEach((n, i) => m.set(n, String.fromCharCode(0x5b + i)));
  ASCII_NAMES3.split(' ').forEach((n, i) => m.set(n, String.fromCharCode(0x7b + i)));
  for (let c = 65; c <= 90; c++) m.set(String.fromCharCode(c), String.fromCharCode(c));
  for (let c = 97; c <= 122; c++) m.set(String.fromCharCode(c), String.fromCharCode(c));
  for (const [k, v] of Object.entries(EXTRA_NAMES)) m.set(k, v);
  glyphNames = m;
  return m;
}

/** Unicode text of a glyph name (AGL subset, uniXXXX, uXXXX[XX], accented Latin, ligatures with `_`). */
export function glyphToUnicode(name: string): string {
  const m = names();
  const direct = m.get(name);
  if (direct !== undefined) return direct;
  let base = name;
  const dot = base.indexOf('.');
  if (dot > 0) base = base.slice(0, dot);
  else if (dot === 0) return '';
  if (base !== name) {
    const d = m.get(base);
    if (d !== undefined) return d;
  }
  if (base.includes('_')) return base.split('_').map(glyphToUnicode).join('');
  let r = /^uni((?:[0-9A-F]{4})+)$/.exec(base);
  if (r) {
    let s = '';
    for (let i = 0; i < r[1].length; i += 4) s += String.fromCharCode(parseInt(r[1].slice(i, i + 4), 16));
    return s;
  }
  r = /^u([0-9A-F]{4,6})$/.exec(base);
  if (r) {
    const cp = parseInt(r[1], 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  }
  r = /^([A-Za-z])([a-z]+)$/.exec(base);
  if (r && ACCENTS[r[2]]) return (r[1] + ACCENTS[r[2]]).normalize('NFC');
  return '';
}

// ---------------------------------------------------------------- CMaps

export function utf16be(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i + 1 < end; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
  return s;
}

/**
 * A ToUnicode destination string: UTF-16BE, as PDF says. Ghostscript's pdfwrite (its new interpreter,
 * 9.56 on: print-to-PDF, ps2pdf, "compress PDF" tools) writes a ligature's letters in UTF-16LE instead
 * (`<66006900>` for "fi", 昀椀 read as written): the page still shows "Confidential", pdftotext gives
 * "Con昀椀dential", and the stamp was lost. A destination of two or more code units that are each an
 * ASCII letter's byte then a zero byte is read as those letters (two ideographs at U+xx00 for one
 * glyph is no mapping a font makes).
 */
function destination(b: Uint8Array): string {
  if (b.length >= 4 && b.length <= 64 && b.length % 2 === 0 && LE_LETTERS.test(String.fromCharCode(...b))) return new TextDecoder('utf-16le').decode(b);
  return utf16be(b);
}
const LE_LETTERS = /^(?:[A-Za-z]\0)+$/;

function bytesToCode(b: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < b.length && i < 4; i++) c = c * 256 + b[i];
  return c;
}

export interface CMapData {
  /** first byte → code length from codespacerange (0 = not covered). */
  codeLen: Uint8Array;
  hasCodespace: boolean;
  map: Map<number, string>;
  useCMap: string | null;
  name: string | null;
  /** An entry that does not parse (a hex code with other bytes in it, a mapping cut off): its codes were left unmapped. */
  damaged: boolean;
}

const MAX_CMAP_ENTRIES = 1 << 20;

export function parseCMap(data: Uint8Array, checkTime: () => void): CMapData {
  const r: CMapData = { codeLen: new Uint8Array(256), hasCodespace: false, map: new Map(), useCMap: null, name: null, damaged: false };
  // A block's entries end at its end operator; anything else that stops them is an entry that does not parse.
  const stopped = (o: Obj) => {
    if (!(o instanceof Cmd)) r.damaged = true;
  };
  const p = new Parser(data, 0);
  const ops: Obj[] = [];
  let steps = 0;
  while (p.pos < data.length) {
    if ((++steps & 4095) === 0) checkTime();
    const before = p.pos;
    const o = p.parse();
    if (p.pos === before) p.pos++;
    if (!(o instanceof Cmd)) {
      ops.push(o);
      if (ops.length > 64) ops.shift();
      continue;
    }
    switch (o.cmd) {
      case 'usecmap': {
        const n = ops[ops.length - 1];
        if (typeof n === 'string') r.useCMap = n;
        break;
      }
      case 'def': {
        if (ops.length >= 2 && ops[ops.length - 2] === 'CMapName' && typeof ops[ops.length - 1] === 'string')
          r.name = ops[ops.length - 1] as string;
        break;
      }
      case 'begincodespacerange':
        for (;;) {
          const lo = p.parse();
          if (!(lo instanceof Uint8Array)) break;
          const hi = p.parse();
          if (!(hi instanceof Uint8Array) || lo.length === 0) break;
          r.hasCodespace = true;
          const len = Math.min(4, lo.length);
          for (let b = lo[0]; b <= hi[0] && b < 256; b++) if (!r.codeLen[b]) r.codeLen[b] = len;
        }
        break;
      case 'beginbfchar':
        for (;;) {
          const src = p.parse();
          if (!(src instanceof Uint8Array)) {
            stopped(src);
            break;
          }
          const dst = p.parse();
          if (dst instanceof Uint8Array) r.map.set(bytesToCode(src), destination(dst));
          else if (typeof dst === 'string') r.map.set(bytesToCode(src), glyphToUnicode(dst));
          else {
            r.damaged = true;
            break;
          }
        }
        break;
      case 'beginbfrange':
        for (;;) {
          const lo = p.parse();
          if (!(lo instanceof Uint8Array)) {
            stopped(lo);
            break;
          }
          const hi = p.parse();
          const dst = p.parse();
          if (!(hi instanceof Uint8Array)) {
            r.damaged = true;
            break;
          }
          const a = bytesToCode(lo);
          const b = Math.min(bytesToCode(hi), a + 65535);
          // The codes past the limit would show nothing: said (the text through this map is not read whole).
          if (r.map.size + (b - a) > MAX_CMAP_ENTRIES) throw new ScanError('too-large', `PDF font character map has more than ${MAX_CMAP_ENTRIES.toLocaleString('en')} entries`);
          if (dst instanceof Uint8Array) {
            const base = destination(dst);
            if (base.length === 0) continue;
            const cp = base.codePointAt(0)!;
            const single = base.length === (cp > 0xffff ? 2 : 1);
            const prefix = base.slice(0, base.length - 1);
            const last = base.charCodeAt(base.length - 1);
            for (let c = a; c <= b; c++) {
              r.map.set(c, single ? String.fromCodePoint(Math.min(0x10ffff, cp + (c - a))) : prefix + String.fromCharCode((last + (c - a)) & 0xffff));
            }
          } else if (Array.isArray(dst)) {
            for (let c = a, i = 0; c <= b && i < dst.length; c++, i++) {
              const d = dst[i];
              if (d instanceof Uint8Array) r.map.set(c, destination(d));
              else if (typeof d === 'string') r.map.set(c, glyphToUnicode(d));
            }
          } else if (typeof dst === 'string') {
            r.map.set(a, glyphToUnicode(dst));
          } else {
            r.damaged = true;
            break;
          }
        }
        break;
    }
    ops.length = 0;
  }
  if (p.errors > 0) r.damaged = true;
  return r;
}

// ---------------------------------------------------------------- predefined CJK CMaps

type Charset = 'identity' | 'ucs2' | 'utf16' | 'utf32' | 'utf-8' | 'sjis' | 'euc-jp' | 'jis' | 'gbk' | 'big5' | 'euc-kr' | null;

function predefined(name: string): { charset: Charset; codeLen: Uint8Array } {
  const codeLen = new Uint8Array(256);
  const set = (lo: number, hi: number, len: number) => {
    for (let b = lo; b <= hi; b++) codeLen[b] = len;
  };
  let charset: Charset = null;
  if (name === 'Identity-H' || name === 'Identity-V') {
    set(0, 255, 2);
    charset = 'identity';
  } else if (/UCS2/.test(name)) {
    set(0, 255, 2);
    charset = 'ucs2';
  } else if (/UTF16/.test(name)) {
    set(0, 255, 2);
    set(0xd8, 0xdb, 4);
    charset = 'utf16';
  } else if (/UTF32/.test(name)) {
    set(0, 255, 4);
    charset = 'utf32';
  } else if (/UTF8/.test(name)) {
    // UTF-8's own lengths by the lead byte (what Ghostscript embeds for UniJIS-UTF8-H).
    set(0, 0x7f, 1);
    set(0x80, 0xdf, 2);
    set(0xe0, 0xef, 3);
    set(0xf0, 0xff, 4);
    charset = 'utf-8';
  } else if (/RKSJ/.test(name)) {
    set(0, 255, 1);
    set(0x81, 0x9f, 2);
    set(0xe0, 0xfc, 2);
    charset = 'sjis';
  } else if (/^(EUC|Ext-EUC|78-EUC)-[HV]$/.test(name) || /^(Hankaku|Hiragana|Katakana|Roman)$/.test(name)) {
    set(0, 255, 1);
    set(0xa1, 0xfe, 2);
    set(0x8e, 0x8e, 2);
    charset = /^(EUC|Ext|78)/.test(name) ? 'euc-jp' : null;
  } else if (name === 'H' || name === 'V' || /^(Ext|Add|NWP|78)-[HV]$/.test(name)) {
    set(0, 255, 2);
    charset = 'jis';
  } else if (/^(GB|GBK|GBK2K|GBKp|GBpc)-EUC-[HV]$/.test(name) || /^GBT/.test(name)) {
    set(0, 255, 1);
    set(0x81, 0xfe, 2);
    charset = 'gbk';
  } else if (/^(B5|B5pc|ETen-B5|HKscs-B5|ETenms-B5|HKdla-B5|HKdlb-B5|HKgccs-B5|HKm314-B5|HKm471-B5)-[HV]$/.test(name)) {
    set(0, 255, 1);
    set(0x81, 0xfe, 2);
    charset = 'big5';
  } else if (/^(KSC|KSCms|KSCpc)-/.test(name)) {
    set(0, 255, 1);
    set(0x81, 0xfe, 2);
    charset = 'euc-kr';
  } else {
    set(0, 255, 2);
  }
  return { charset, codeLen };
}

const UNICODE_CMAP = new Set<Charset>(['ucs2', 'utf16', 'utf32', 'utf-8']);

const decoders = new Map<string, TextDecoder | null>();
function decoderFor(label: string): TextDecoder | null {
  if (!decoders.has(label)) {
    try {
      decoders.set(label, new TextDecoder(label));
    } catch {
      decoders.set(label, null);
    }
  }
  return decoders.get(label)!;
}

// ---------------------------------------------------------------- fonts

const STAMP_CHARS = /[秘㊙]/;

export class PdfFont {
  /** Simple fonts: code → text, and widths in text space units ×1000. */
  simple: string[] | null = null;
  simpleWidths: Float32Array | null = null;
  /** Composite fonts. */
  codeLen: Uint8Array | null = null;
  toUni: Map<number, string> | null = null;
  /**
   * Under a Unicode CMap, the font's ToUnicode map: not what its glyphs show (the code is), but what a
   * reader's search and copy give (poppler, pdf.js). Read in a second reading of the page (FontLoader.searchReading).
   */
  searchMap: Map<number, string> | null = null;
  /** Text was drawn in it since FontLoader.searchMapUsed last looked. */
  searchMapDrawn = false;
  charset: Charset = null;
  cidWidths: Map<number, number> | null = null;
  dw = 1000;
  /** Widths come from the font dictionary (not guessed), so gaps between strings are meaningful. */
  hasWidths = false;
  vertical = false;
  /** Could text in this font contain 秘/㊙ (or characters that cannot be read, which might be it)? */
  canStamp = false;
  /** Its dictionary could not be read (a damaged object): what is drawn in it is not known. */
  lost = false;
  /**
   * Simple fonts: codes whose character cannot be known (1): every code of a font that draws glyphs by
   * its own numbering with nothing saying which characters they are, or a code the encoding names with a
   * glyph name no list knows. Composite fonts: `opaque`, codes the ToUnicode map leaves out of an
   * Identity (glyph-numbered) font.
   */
  unreadable: Uint8Array | null = null;
  opaque = false;
  /**
   * Code 0 of an Identity font draws CID 0, which is .notdef in every CID font (glyph 0 too, when an
   * embedded TrueType maps CIDs to glyphs as themselves): the missing-glyph box Chromium draws for a
   * character no installed font has (an emoji). It shows no character, so it is not text left unread.
   */
  zeroIsNotdef = false;
  /** Outputs of the last decode(). */
  width = 0;
  glyphs = 0;
  spaces = 0;
  /** Glyphs shown whose character cannot be known. */
  unread = 0;
  /** Glyphs shown whose ToUnicode character they cannot be (misdrawn): a damaged map, not the page's text. */
  misread = 0;

  decode(buf: Uint8Array, start: number, end: number): string {
    let out = '';
    let w = 0;
    let spaces = 0;
    this.unread = 0;
    this.misread = 0;
    if (this.simple) {
      const t = this.simple;
      const ws = this.simpleWidths!;
      const no = this.unreadable;
      for (let i = start; i < end; i++) {
        const b = buf[i];
        out += t[b];
        w += ws[b];
        if (b === 32) spaces++;
        if (no) this.unread += no[b];
      }
      this.width = w;
      this.glyphs = end - start;
      this.spaces = spaces;
      return out;
    }
    const cl = this.codeLen!;
    const map = this.toUni;
    if (this.searchMap) this.searchMapDrawn = true;
    const cs = this.charset;
    const cw = this.cidWidths;
    let n = 0;
    let i = start;
    if (!map && cs !== null && cs !== 'identity' && cs !== 'ucs2' && cs !== 'utf16' && cs !== 'utf32') {
      // whole-string charset decoding
      let bytes = buf.subarray(start, end);
      if (cs === 'jis') {
        bytes = bytes.map((b) => (b >= 0x21 && b <= 0x7e ? b | 0x80 : b));
      }
      const dec = decoderFor(cs === 'jis' ? 'euc-jp' : cs);
      for (let k = start; k < end; ) {
        const len = cl[buf[k]] || 1;
        w += len === 1 ? 500 : this.dw;
        n++;
        k += len;
      }
      this.width = w;
      this.glyphs = n;
      this.spaces = 0;
      return dec ? dec.decode(bytes) : '';
    }
    while (i < end) {
      const b = buf[i];
      let len = cl[b] || 1;
      if (i + len > end) len = end - i;
      let code = 0;
      for (let k = 0; k < len; k++) code = code * 256 + buf[i + k];
      let u = map ? map.get(code) : undefined;
      if (u === undefined) {
        u = this.fallback(buf, i, len, code);
        if (this.opaque && !(code === 0 && this.zeroIsNotdef)) this.unread++;
      } else if (u.length < 2 && noCharacter(u)) {
        this.unread++;
      } else if (u.length === 1 && misdrawn(u, cw?.get(code) ?? this.dw)) {
        this.misread++;
      }
      out += u;
      w += cw ? (cw.get(code) ?? this.dw) : len === 1 ? 500 : this.dw;
      if (len === 1 && code === 32) spaces++;
      n++;
      i += len;
    }
    this.width = w;
    this.glyphs = n;
    this.spaces = spaces;
    return out;
  }

  private fallback(buf: Uint8Array, i: number, len: number, code: number): string {
    switch (this.charset) {
      case 'ucs2':
        return code >= 0x20 ? String.fromCharCode(code) : '';
      case 'utf16':
        if (len === 4) return String.fromCharCode(code >>> 16, code & 0xffff);
        return code >= 0x20 ? String.fromCharCode(code) : '';
      case 'utf32':
        return code >= 0x20 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      case 'identity':
      case null:
        return '';
      case 'jis': {
        const d = decoderFor('euc-jp');
        return d ? d.decode(Uint8Array.from(buf.subarray(i, i + len), (x) => x | 0x80)) : '';
      }
      default: {
        const d = decoderFor(this.charset);
        return d ? d.decode(buf.subarray(i, i + len)) : '';
      }
    }
  }
}

function num(o: Obj | undefined, dflt: number): number {
  return typeof o === 'number' && Number.isFinite(o) ? o : dflt;
}

export class FontLoader {
  private readonly byNum = new Map<number, PdfFont>();
  private readonly byDict = new WeakMap<Dict, PdfFont>();
  private readonly cmaps = new Map<number, CMapData | null>();
  /** Fonts with a ToUnicode map under a Unicode CMap (PdfFont.searchMap). */
  private readonly withSearchMap: PdfFont[] = [];

  constructor(private readonly doc: PdfDoc) {}

  /** Whether text was drawn in a font with a searchMap since the last call: the page has a second reading. */
  searchMapUsed(): boolean {
    let used = false;
    for (const f of this.withSearchMap) {
      used ||= f.searchMapDrawn;
      f.searchMapDrawn = false;
    }
    return used;
  }

  /** Reads such fonts through their ToUnicode maps (on), or their codes as characters (off, the default). */
  searchReading(on: boolean): void {
    for (const f of this.withSearchMap) f.toUni = on ? f.searchMap : null;
  }

  /** Font for a /Font resource entry (a reference or a dictionary). */
  font(entry: Obj | undefined): PdfFont | null {
    const doc = this.doc;
    if (entry instanceof Ref) {
      const n = entry.num;
      let f = this.byNum.get(n);
      if (!f) {
        const d = doc.dict(entry);
        f = d ? this.load(d) : new PdfFont();
        if (!d) {
          f.simple = standardTable();
          f.simpleWidths = new Float32Array(256).fill(500);
          f.lost = true;
        }
        this.byNum.set(n, f);
      }
      return f;
    }
    if (entry instanceof Dict) {
      let f = this.byDict.get(entry);
      if (!f) {
        f = this.load(entry);
        this.byDict.set(entry, f);
      }
      return f;
    }
    return null;
  }

  private cmap(o: Obj | undefined): CMapData | null {
    const doc = this.doc;
    let key = -1;
    if (o instanceof Ref) key = o.num;
    if (key >= 0 && this.cmaps.has(key)) return this.cmaps.get(key)!;
    const s = doc.resolve(o);
    let r: CMapData | null = null;
    // A map the cross-reference lists that cannot be read (damaged where it should be): the codes could
    // be any characters. A reference to an object that does not exist is null, as the spec says.
    if (key >= 0 && !(s instanceof Stream) && doc.unloadable.has(key)) throw new ScanError('corrupt', 'PDF is damaged (a font\'s character map cannot be read)');
    if (s instanceof Stream) {
      // Fail closed: text shown through a character map we could only partly read is not text we read.
      const info = { partial: false };
      const data = doc.decodeStream(s, true, info);
      if (!data || info.partial) throw new ScanError('corrupt', 'PDF is damaged (a font\'s character map cannot be read)');
      r = parseCMap(data, doc.lim.checkTime);
      // pdftotext: "Illegal entry in bfchar block in ToUnicode CMap". The codes of such an entry could be any characters.
      if (r.damaged) throw new ScanError('corrupt', 'PDF is damaged (a font\'s character map has entries that do not parse)');
    }
    if (key >= 0) this.cmaps.set(key, r);
    return r;
  }

  private load(d: Dict): PdfFont {
    const doc = this.doc;
    const f = new PdfFont();
    const subtype = doc.resolve(d.get('Subtype'));
    // No font is without its type (pdftotext: "Unknown font type"): one lost to damage (a byte of the
    // /Subtype key) would read a composite font's two-byte codes as one-byte ones, and its text as other text.
    if (typeof subtype !== 'string' || !FONT_TYPES.has(subtype)) throw new ScanError('corrupt', "PDF is damaged (a font's type is missing or unknown)");
    let toUni: CMapData | null = null;
    try {
      toUni = this.cmap(d.get('ToUnicode'));
    } catch (e) {
      if (e instanceof Error && e.name === 'ScanError') throw e;
      toUni = null;
    }
    if (subtype === 'Type0') {
      const enc = doc.resolve(d.get('Encoding'));
      let pre = predefined(typeof enc === 'string' ? enc : 'Identity-H');
      if (typeof enc === 'string') f.vertical = enc.endsWith('-V') || enc === 'V';
      if (enc instanceof Stream) {
        const cm = this.cmap(d.get('Encoding'));
        const base = cm?.useCMap ?? cm?.name ?? null;
        // A CMap embedded under one of the predefined names (Ghostscript embeds the one it used, Adobe's
        // own) maps codes as that name says; any other name is the producer's own: codes unknown.
        pre = predefined(base ?? 'Identity-H');
        if (cm?.hasCodespace) pre.codeLen = cm.codeLen;
      }
      f.codeLen = pre.codeLen;
      f.charset = pre.charset;
      // Under a Unicode CMap (UniJIS-UCS2-H, -UTF16-, -UTF32-, -UTF8-) a code is its character, and the
      // glyph shown is that character's: a ToUnicode saying otherwise (Ghostscript rewrites ReportLab's as
      // <0043> → b) is not what the page shows, so the code is read as itself. It is what search and copy
      // give, though (pdftotext, pdf.js): that is read too, in a second reading (searchMap).
      if (toUni && toUni.map.size) {
        if (!UNICODE_CMAP.has(f.charset)) f.toUni = toUni.map;
        else {
          f.searchMap = toUni.map;
          this.withSearchMap.push(f);
        }
      }
      const desc = doc.resolve(d.get('DescendantFonts'));
      const cid = doc.dict(Array.isArray(desc) ? desc[0] : desc);
      if (cid && f.charset === 'identity' && namesJapan1Cids(doc, cid)) f.toUni = withJapan1(f.toUni);
      if (cid) {
        f.dw = num(doc.resolve(cid.get('DW')), 1000);
        const w = doc.resolve(cid.get('W'));
        if (Array.isArray(w) && f.charset === 'identity') {
          f.cidWidths = parseW(doc, w);
          f.hasWidths = true;
        }
      }
      // Identity: codes are glyph numbers, and only the ToUnicode map says which characters they draw;
      // a code it leaves out is a character not read (it could be 秘), so such a font's text is always read.
      f.opaque = f.charset === null || f.charset === 'identity';
      const toGid = cid ? doc.resolve(cid.get('CIDToGIDMap')) : undefined;
      f.zeroIsNotdef = f.charset === 'identity' && !(toGid instanceof Stream);
      f.canStamp = true;
      return f;
    }
    // simple fonts (Type1, MMType1, TrueType, Type3)
    const encObj = doc.resolve(d.get('Encoding'));
    let table: string[] | null = null;
    let diffs: Obj[] | null = null;
    if (typeof encObj === 'string') table = baseTable(encObj);
    else if (encObj instanceof Dict) {
      table = baseTable(doc.resolve(encObj.get('BaseEncoding')) ?? undefined);
      const df = doc.resolve(encObj.get('Differences'));
      if (Array.isArray(df)) diffs = df;
    }
    const type1 = subtype === 'Type1' || subtype === 'MMType1';
    const builtIn = !table && type1 ? type1Encoding(doc, d) : null;
    if (!table) table = builtIn?.table ?? (type1 ? standardTable() : winAnsiTable());
    const t = table.slice();
    const unreadable = builtIn?.unreadable ?? new Uint8Array(256);
    if (encObj === null && drawsByGlyphNumber(doc, d, subtype)) unreadable.fill(1); // ToUnicode entries below clear theirs
    if (diffs) {
      let code = 0;
      for (const x of diffs) {
        const v = doc.resolve(x);
        if (typeof v === 'number') code = v | 0;
        else if (typeof v === 'string' && code >= 0 && code < 256) {
          const u = simpleGlyphText(v);
          // Chromium (Skia) names a Type 3 font's glyphs by glyph number, `/g0` being glyph 0, the font's
          // .notdef (the missing-glyph box it draws for a character no installed font has): no character.
          const notdef = v === '.notdef' || (v === 'g0' && subtype === 'Type3' && toUni !== null);
          if (u === '' && !notdef) unreadable[code] = 1;
          t[code++] = u;
        }
      }
    }
    if (toUni) {
      for (const [c, u] of toUni.map) {
        if (c < 0 || c >= 256) continue;
        t[c] = u;
        unreadable[c] = noCharacter(u) ? 1 : 0;
      }
    }
    f.simple = t;
    if (unreadable.includes(1)) f.unreadable = unreadable;
    // widths
    const ws = new Float32Array(256).fill(subtype === 'Type3' ? 500 : 500);
    const first = num(doc.resolve(d.get('FirstChar')), 0) | 0;
    const widths = doc.resolve(d.get('Widths'));
    if (Array.isArray(widths)) {
      f.hasWidths = true;
      const fd = doc.dict(d.get('FontDescriptor'));
      const missing = num(fd ? doc.resolve(fd.get('MissingWidth')) : undefined, 0);
      ws.fill(missing);
      let scale = 1;
      if (subtype === 'Type3') {
        const fm = doc.resolve(d.get('FontMatrix'));
        if (Array.isArray(fm) && typeof fm[0] === 'number') scale = fm[0] * 1000;
      }
      for (let i = 0; i < widths.length && first + i < 256; i++) {
        const v = doc.resolve(widths[i]);
        if (typeof v === 'number' && first + i >= 0) ws[first + i] = v * scale;
      }
    }
    f.simpleWidths = ws;
    f.canStamp = f.unreadable !== null || t.some((s) => STAMP_CHARS.test(s));
    return f;
  }
}

/**
 * Whether an Identity-encoded CIDFont's codes are Adobe-Japan1 CIDs: its CIDSystemInfo says Adobe-Japan1
 * and its glyphs are chosen by CID, as a CID-keyed font's (CIDFontType0) or an unembedded font's are. An
 * embedded TrueType (CIDFontType2) picks glyphs by number through its CIDToGIDMap, whatever its system
 * info says, so its codes stay unknown without a ToUnicode map.
 */
function namesJapan1Cids(doc: PdfDoc, cidFont: Dict): boolean {
  const info = doc.dict(cidFont.get('CIDSystemInfo'));
  const text = (o: Obj | undefined) => {
    const v = info ? doc.resolve(o) : null;
    return v instanceof Uint8Array ? new TextDecoder('latin1').decode(v) : v;
  };
  if (text(info?.get('Registry')) !== 'Adobe' || text(info?.get('Ordering')) !== 'Japan1') return false;
  if (doc.resolve(cidFont.get('Subtype')) === 'CIDFontType0') return true;
  const fd = doc.dict(cidFont.get('FontDescriptor'));
  return !fd || !(fd.has('FontFile') || fd.has('FontFile2') || fd.has('FontFile3'));
}

/** Adobe-Japan1's characters, with what a ToUnicode map says first where it says anything. */
function withJapan1(toUni: Map<number, string> | null): Map<number, string> {
  const japan1 = adobeJapan1() as Map<number, string>;
  if (!toUni) return japan1;
  const merged = new Map(japan1);
  for (const [code, text] of toUni) merged.set(code, text);
  return merged;
}

/**
 * A ToUnicode value that names no character: nothing, a control code (a rebuilt font whose map sends
 * each glyph number to the code point of the same number, as `mutool convert` writes), or U+FFFD, the
 * replacement character, which says the character is not known (cairo writes it for glyphs drawn without
 * their text: `pdftocairo -pdf` of a font poppler cannot map). Tab and line breaks are characters.
 */
function noCharacter(u: string): boolean {
  if (u.length === 0) return true;
  const c = u.charCodeAt(0);
  return u.length === 1 && ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd);
}

/**
 * A composite font's glyph whose ToUnicode character it cannot be: a C1 control (`mutool convert`
 * rebuilds a subset TrueType's map from the font's own codes, and sends ReportLab's 秘 at code 0x85 to
 * U+0085), or an accented Latin letter drawn full-width (`width`, from /W or else /DW: Ghostscript 10.00
 * rewrites a map's `[<79D8> …]` array with each character's two bytes ORed into one, `<00f9>`, and the
 * page's 秘 reads ù, as every kanji reads some Latin-1 letter or ASCII). A Latin letter is narrower than
 * an em, in Japanese fonts too (half-width or proportional); the wide ones, Æ and æ (0.97 em in DejaVu
 * Sans), and × and ÷ (full-width in JIS), stay characters. The page shows another character than the map
 * says: the text layer is damaged, and what it hides is not read.
 */
function misdrawn(u: string, width: number): boolean {
  const c = u.charCodeAt(0);
  if (c >= 0x80 && c <= 0x9f) return true;
  return width >= FULL_WIDTH && c >= 0xc0 && c <= 0xff && !WIDE_LATIN.has(c);
}
const FULL_WIDTH = 995;
const WIDE_LATIN = new Set([0xc6, 0xd7, 0xe6, 0xf7]);

/**
 * A simple font with no /Encoding whose embedded program is TrueType or CFF and says it is symbolic:
 * its codes select glyphs by the font's own numbering (how LibreOffice, Cairo and printer drivers write
 * subsets), so without a ToUnicode map nothing says which characters it draws. (A Type 1 program
 * carries its own encoding by glyph names, and the 14 standard fonts are known: neither is counted.)
 */
function drawsByGlyphNumber(doc: PdfDoc, font: Dict, subtype: Obj | undefined): boolean {
  if (subtype !== 'TrueType' && subtype !== 'Type1' && subtype !== 'MMType1') return false;
  const fd = doc.dict(font.get('FontDescriptor'));
  if (!fd || !(fd.has('FontFile2') || fd.has('FontFile3'))) return false;
  const flags = num(doc.resolve(fd.get('Flags')), 0) | 0;
  return (flags & 4) !== 0 && (flags & 32) === 0;
}

/** How much of a Type 1 program's clear-text part is read for its encoding (it comes first, before `eexec`). */
const TYPE1_CLEAR = 65536;

/**
 * The encoding a Type 1 program carries (`/Encoding 256 array … dup 26 /uni79D8 put … readonly def`),
 * which a font with no /Encoding of its own (or none but Differences) uses: pdfTeX writes CJK and other
 * subfonts that way, and without a ToUnicode map their glyph names are all that say which characters they
 * draw (pdftotext reads them too). Null for StandardEncoding or no program; codes whose names say no
 * character, and every code of a program that cannot be read, are unread.
 */
function type1Encoding(doc: PdfDoc, font: Dict): { table: string[]; unreadable: Uint8Array } | null {
  const fd = doc.dict(font.get('FontDescriptor'));
  const file = fd ? doc.resolve(fd.get('FontFile')) : null;
  if (!(file instanceof Stream)) return null;
  const info = { partial: false };
  const data = doc.decodeStream(file, true, info);
  // A program that cannot be read says nothing: every code is unread (the stamp may still be found elsewhere).
  if (!data || info.partial) return { table: new Array<string>(256).fill(''), unreadable: new Uint8Array(256).fill(1) };
  const length1 = num(doc.resolve(file.dict.get('Length1')), 0);
  const clear = new TextDecoder('latin1').decode(data.subarray(0, length1 > 0 ? Math.min(length1, TYPE1_CLEAR) : TYPE1_CLEAR));
  const at = clear.search(/\/Encoding\b/);
  if (at < 0 || /^\/Encoding\s+StandardEncoding\b/.test(clear.slice(at))) return null;
  const end = clear.indexOf('eexec', at);
  const table = new Array<string>(256).fill('');
  const unreadable = new Uint8Array(256);
  for (const m of clear.slice(at, end < 0 ? undefined : end).matchAll(/\bdup\s+(\d{1,3})\s*\/([^\s/[\]{}()<>%]+)\s+put\b/g)) {
    const code = Number(m[1]);
    if (code > 255) continue;
    table[code] = simpleGlyphText(m[2]);
    unreadable[code] = table[code] === '' && m[2] !== '.notdef' ? 1 : 0;
  }
  return { table, unreadable };
}

/** A simple font's glyph name as text: a known name, a TeX math symbol's, an Adobe-Japan1 CID's, or a numbered one. */
function simpleGlyphText(name: string): string {
  return glyphToUnicode(name) || texMathGlyph(name) || japan1Glyph(name) || numberedGlyph(name);
}

/**
 * Fonts that name their glyphs by Adobe-Japan1 CID, `/aj231` (IPA and IPAex fonts, which matplotlib
 * subsets into Type 3 fonts with those names and no ToUnicode map): read through Adobe's table, as the
 * CID would be. A CID the table has no character for stays unknown.
 */
function japan1Glyph(name: string): string {
  const m = /^aj(\d{1,5})$/.exec(name);
  return m ? (adobeJapan1().get(Number(m[1])) ?? '') : '';
}

/** TeX's math fonts' (CMSY, CMMI, CMEX, their AMS and Type 1 clones) names that are no AGL name. */
const TEX_MATH: Record<string, string> = {
  asteriskmath: '∗', diamondmath: '⋄', minusplus: '∓', circleplus: '⊕', circleminus: '⊖', circlemultiply: '⊗',
  circledivide: '⊘', circledot: '⊙', circlecopyrt: '◯', openbullet: '◦', equivasymptotic: '≍', equivalence: '≡',
  reflexsubset: '⊆', reflexsuperset: '⊇', precedesequal: '⪯', followsequal: '⪰', similar: '∼', propersubset: '⊂',
  propersuperset: '⊃', lessmuch: '≪', greatermuch: '≫', precedes: '≺', follows: '≻', arrowboth: '↔',
  arrownortheast: '↗', arrowsoutheast: '↘', similarequal: '≃', arrowdblleft: '⇐', arrowdblright: '⇒',
  arrowdblup: '⇑', arrowdbldown: '⇓', arrowdblboth: '⇔', arrownorthwest: '↖', arrowsouthwest: '↙',
  proportional: '∝', prime: '′', element: '∈', owner: '∋', triangle: '△', triangleinv: '▽', negationslash: '/',
  mapsto: '↦', universal: '∀', existential: '∃', emptyset: '∅', Rfractur: 'ℜ', Ifractur: 'ℑ', latticetop: '⊤',
  perpendicular: '⊥', aleph: 'ℵ', union: '∪', intersection: '∩', unionmulti: '⊎', logicaland: '∧', logicalor: '∨',
  turnstileleft: '⊢', turnstileright: '⊣', floorleft: '⌊', floorright: '⌋', ceilingleft: '⌈', ceilingright: '⌉',
  angbracketleft: '⟨', angbracketright: '⟩', bardbl: '‖', arrowbothv: '↕', arrowdblbothv: '⇕', wreathproduct: '≀',
  coproduct: '∐', nabla: '∇', gradient: '∇', unionsq: '⊔', intersectionsq: '⊓', subsetsqequal: '⊑',
  supersetsqequal: '⊒', club: '♣', diamond: '♢', heart: '♡', spade: '♠', partialdiff: '∂', contintegral: '∮',
  arrowlefttophalf: '↼', arrowleftbothalf: '↽', arrowrighttophalf: '⇀', arrowrightbothalf: '⇁', arrowhookleft: '↩',
  arrowhookright: '↪', triangleright: '▷', triangleleft: '◁', star: '⋆', flat: '♭', natural: '♮', sharp: '♯',
  slurbelow: '⌣', slurabove: '⌢', lscript: 'ℓ', weierstrass: '℘', vector: '⃗', tie: '⁀', epsilon1: 'ϵ',
  theta1: 'ϑ', pi1: 'ϖ', rho1: 'ϱ', sigma1: 'ς', phi1: 'ϕ', zerooldstyle: '0', oneoldstyle: '1', twooldstyle: '2',
  threeoldstyle: '3', fouroldstyle: '4', fiveoldstyle: '5', sixoldstyle: '6', sevenoldstyle: '7',
  eightoldstyle: '8', nineoldstyle: '9', vextendsingle: '∣', vextenddouble: '∥', brace: '⎪', arrow: '↑',
  arrowdbl: '⇑', hat: '^', bracehtipdownleft: '⏟', bracehtipdownright: '⏟', bracehtipupleft: '⏞',
  bracehtipupright: '⏞',
};
const GREEK =
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma1 sigma tau upsilon phi chi psi omega';

/**
 * A glyph of TeX's math fonts: its name (`owner`, `alpha`), or CMEX's sized pieces, a symbol's name and
 * its size or part (`summationdisplay`, `integraltext`, `parenleftbig`, `bracketleftBigg`, `bracelefttp`,
 * `braceex`): the symbol, which no letter can be. pdfTeX's ToUnicode maps leave these out and LuaLaTeX
 * writes none; pdftotext drops them. Only names built on a known symbol's name are read.
 */
function texMathGlyph(name: string): string {
  const direct = TEX_MATH[name] ?? greek(name);
  if (direct) return direct;
  const m = /^([A-Za-z]+?)(big|Big|bigg|Bigg|text|display|tp|bt|ex|mid|wide|wider|widest|vertex|vertexdbl)$/.exec(name);
  if (!m) return '';
  return TEX_MATH[m[1]] ?? (glyphToUnicode(m[1]) || greek(m[1]));
}

function greek(name: string): string {
  const i = GREEK.split(' ').indexOf(name.toLowerCase());
  if (i < 0 || name.slice(1) !== name.slice(1).toLowerCase()) return '';
  const lower = 'αβγδεζηθικλμνξοπρςστυφχψω'[i];
  return name[0] === name[0].toUpperCase() && lower !== 'ς' ? lower.toUpperCase() : lower;
}

/**
 * A glyph name no list knows that carries its character's code, as Cairo names the glyphs of the
 * Type 3 fonts Ghostscript rebuilds from its PostScript (`/a67` for C): read as that code, as poppler
 * does. Only for names nothing else maps; a wrong guess is a letter, never a missed one.
 */
function numberedGlyph(name: string): string {
  // dvipdfmx names a bitmap (PK) font's glyphs by their code in hex (`/x43` for C): that code is the
  // TeX font's encoding's, where letters and digits are ASCII in every text encoding (OT1, T1, LY1);
  // any other code (a ligature, a symbol) is not known.
  const hex = /^x([0-9A-F]{2})$/.exec(name);
  const c = hex ? String.fromCharCode(parseInt(hex[1], 16)) : '';
  if (hex) return /[0-9A-Za-z]/.test(c) ? c : '';
  const m = /^[A-Za-z]{1,2}(\d{2,3})$/.exec(name);
  const n = m ? Number(m[1]) : 0;
  return n >= 0x20 && n < 0x7f ? String.fromCharCode(n) : '';
}


function parseW(doc: PdfDoc, w: Obj[]): Map<number, number> {
  const m = new Map<number, number>();
  let i = 0;
  while (i < w.length && m.size < 200000) {
    const a = doc.resolve(w[i]);
    const b = doc.resolve(w[i + 1]);
    if (typeof a !== 'number') break;
    if (Array.isArray(b)) {
      for (let k = 0; k < b.length; k++) {
        const v = doc.resolve(b[k]);
        if (typeof v === 'number') m.set(a + k, v);
      }
      i += 2;
    } else {
      const v = doc.resolve(w[i + 2]);
      if (typeof b !== 'number' || typeof v !== 'number') break;
      for (let c = a; c <= b && c - a < 65536; c++) m.set(c, v);
      i += 3;
    }
  }
  return m;
}
