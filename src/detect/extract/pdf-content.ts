/**
 * Content-stream text interpreter: a tight byte lexer with a typed operand stack, the text
 * operators (Tj TJ ' " Td TD Tm T* TL Tc Tw Tz Tf BT ET), the graphics state needed to place text
 * (q Q cm), marked content with /ActualText (BDC BMC EMC), inline images skipped, and Form XObjects
 * run recursively with a cycle guard.
 * Strings of one line are joined without separators; a word gap (from glyph widths) gives ' '
 * (`withGaps`), a line change gives '\n'.
 */
import { CLS, Dict, PdfDoc, Ref, Stream, findBytes, hexVal, literalEnd, unescapeLiteral, type Obj } from './pdf-parse.js';
import { decodeTextString } from './pdf-catalog.js';
import { FontLoader, PdfFont } from './pdf-font.js';
import { mayHaveStampChar } from './byte-scan.js';
import { layerOff } from './pdf-layers.js';

const T_NUM = 0,
  T_STR = 1,
  T_HEX = 2,
  T_NAME = 3,
  T_ARR = 4,
  T_OTHER = 5;

const STACK = 2048;
const S_TYPES = new Uint8Array(STACK);
const S_NUMS = new Float64Array(STACK);
const S_STARTS = new Int32Array(STACK);
const S_ENDS = new Int32Array(STACK);

function opKey(s: string): number {
  let k = 0;
  for (let i = 0; i < s.length; i++) k |= s.charCodeAt(i) << (8 * i);
  return k;
}
const OP = {
  BT: opKey('BT'),
  ET: opKey('ET'),
  Tf: opKey('Tf'),
  Tj: opKey('Tj'),
  TJ: opKey('TJ'),
  Q1: opKey("'"),
  Q2: opKey('"'),
  Td: opKey('Td'),
  TD: opKey('TD'),
  Tm: opKey('Tm'),
  TS: opKey('T*'),
  TL: opKey('TL'),
  Tc: opKey('Tc'),
  Tw: opKey('Tw'),
  Tz: opKey('Tz'),
  Ts: opKey('Ts'),
  q: opKey('q'),
  Q: opKey('Q'),
  cm: opKey('cm'),
  Do: opKey('Do'),
  gs: opKey('gs'),
  BI: opKey('BI'),
  ID: opKey('ID'),
  BDC: opKey('BDC'),
  BMC: opKey('BMC'),
  EMC: opKey('EMC'),
};


export interface PageState {
  doc: PdfDoc;
  fonts: FontLoader;
  checkTime(): void;
  out: string[];
  /** Last character written ('' at start). */
  last: string;
  /** End of the last shown string, device space, and its direction and size. */
  ex: number;
  ey: number;
  /** Start of the last shown string, device space, and whether it was one character (stacked). */
  sx: number;
  sy: number;
  one: boolean;
  /** The last string, read as the next character of a column of one-character strings (stackedBelow), until what comes next says otherwise (unstack). */
  stacked: Stacked | null;
  /** Short strings drawn small beside the current line (emphasis marks, ruby): given after the line. */
  aside: string[];
  ux: number;
  uy: number;
  size: number;
  has: boolean;
  /** The last string's font had real widths (its end position is trustworthy). */
  widthsOk: boolean;
  forms: number;
  /** Decoded form streams of this page (a form drawn many times is inflated once). */
  formData: Map<Stream, DecodedForm>;
  formStack: Set<number>;
  /** A content or form stream could not be fully read. */
  partial: boolean;
  /** Parts of the page past the reader's limits (forms, annotations) were not drawn: read in part, not damaged. */
  overLimits: boolean;
  /** Glyphs shown whose character cannot be known (PdfFont.unread), outside any /ActualText that gives it. */
  unread: number;
  /** Glyphs shown that are not the character their font's ToUnicode map says (PdfFont.misread), outside any /ActualText. */
  misread: number;
  /** This run reads marked content's /ActualText in place of its glyphs (readPage). */
  actualText: boolean;
  /** Marked content's alternate descriptions and expansions (/Alt, /E), read apart from the page's text. */
  alts: string[];
  /** In this reading, the layers that are off (pdf-layers.ts): what they draw is left out. Null: every layer is read. */
  hiddenLayers: ReadonlySet<number> | null;
  /** The page's top and bottom lines as placed (endPage): a stamp may run from one page's foot to the next one's head. */
  top: string;
  bottom: string;
  /** The current line's strings: where each starts in `out`, and its start and end along the baseline. */
  line: { at: number[]; from: number[]; to: number[]; back: boolean; across: number; ux: number; uy: number; size: number };
  /** The lines ended so far, in drawing order (readingOrder). */
  lines: PlacedLine[];
}

/** A line as drawn: its text in `out` [start, end), its extent along its direction, and its place across it. */
interface PlacedLine {
  start: number;
  end: number;
  from: number;
  to: number;
  across: number;
  ux: number;
  uy: number;
  size: number;
  /** Its strings, each with its extent along the line (null past MAX_LINE_PIECES). */
  pieces: Piece[] | null;
}

/** A string of a line: its text (layout gaps inside it as spaces, none at its ends) and its extent. */
interface Piece {
  text: string;
  from: number;
  to: number;
}

/** A one-character string read as stacked below the one before it: where it went in `out`, and the line's end before it. */
interface Stacked {
  /** Its index in `out`, and whether a space was written before it (a character left out of the column). */
  at: number;
  space: boolean;
  /** The end of the string before it (device space). */
  ex: number;
  ey: number;
  /** Its start along and across its baseline, its direction and size. */
  from: number;
  across: number;
  ux: number;
  uy: number;
  size: number;
}

/** Strings a line keeps for re-sorting and splicing (readingOrder); past them, the line as drawn. */
const MAX_LINE_PIECES = 512;

export function newPageState(doc: PdfDoc, fonts: FontLoader, checkTime: () => void): PageState {
  return { doc, fonts, checkTime, out: [], last: '', ex: 0, ey: 0, sx: 0, sy: 0, one: false, stacked: null, aside: [], ux: 1, uy: 0, size: 0, has: false, widthsOk: false, forms: 0, formData: new Map(), formStack: new Set(), partial: false, overLimits: false, unread: 0, misread: 0, actualText: false, alts: [], hiddenLayers: null, top: '', bottom: '', line: { at: [], from: [], to: [], back: false, across: 0, ux: 1, uy: 0, size: 0 }, lines: [] };
}

const MAX_FORM_DEPTH = 12;
const MAX_FORMS_PER_PAGE = 4000;

let strBuf = new Uint8Array(1024);

function ensure(n: number): void {
  if (n > strBuf.length) {
    let m = strBuf.length;
    while (m < n) m *= 2;
    strBuf = new Uint8Array(m);
  }
}

/** Unescapes a literal string body buf[s, e) into strBuf; returns its length. */
function unescapeInto(buf: Uint8Array, s: number, e: number): number {
  ensure(e - s);
  return unescapeLiteral(buf, s, e, strBuf);
}

function unhex(buf: Uint8Array, s: number, e: number): number {
  ensure(((e - s) >> 1) + 1);
  let n = 0;
  let hi = -1;
  for (let p = s; p < e; p++) {
    const v = hexVal(buf[p]);
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      strBuf[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  if (hi >= 0) strBuf[n++] = hi << 4;
  return n;
}

function latin1Of(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = strBuf[i];
    if (c >= 32) s += String.fromCharCode(c);
  }
  return s;
}

function isSpace(s: string): boolean {
  return s === '' || s === ' ' || s === '\n' || s === '\t' || s === '\u3000' || s === '\r' || s === GAP;
}

/**
 * A space the layout made: a gap between two strings with no space glyph in it. Written as a
 * noncharacter and resolved by `withGaps` once the page's text is joined.
 */
const GAP = '\uffff';

const GAPS = /\uffff/g;
const EDGE_GAPS = /^\uffff+|\uffff+$/g;

/** Strings of one line in the order a reader sees them, left to right: apart by a gap, a space between. */
function joinPieces(pieces: Piece[], size: number): string {
  pieces.sort((a, b) => a.from - b.from);
  let text = pieces[0].text;
  for (let i = 1; i < pieces.length; i++) text += (pieces[i].from - pieces[i - 1].to > 0.15 * size ? ' ' : '') + pieces[i].text;
  return text;
}
/** Four or more single characters in a row, each a gap from the next: text drawn letter-spaced. */
const LETTER_SPACED = /(?:^|[\s\uffff])[^\s\uffff](?:\uffff[^\s\uffff]){3}/;

/**
 * How far below the last string's start (across its baseline, in device units) a one-character string
 * starts when the two stand in one column: about one character's height down (up to two and a half,
 * for a full-width space left out), within half a character of its start along the line. 0 otherwise.
 */
function stackedBelow(rx: number, ry: number, ux: number, uy: number, sz: number): number {
  const along = rx * ux + ry * uy;
  const down = rx * uy - ry * ux;
  return Math.abs(along) < 0.5 * sz && down > 0.6 * sz && down < 2.5 * sz ? down : 0;
}

/**
 * The string read as the next character of a column (stackedBelow) is followed along its own baseline:
 * it was the first letter of a line under a one-character line, not a column. A wrapped cell whose first
 * line is one character (LibreOffice Calc: 「秘」 over 「Con」 / 「fide」 / 「ntial」, 「Con」 a TJ whose first
 * string is 「C」) shows a reader those lines, as pdftotext gives them, so the line before is ended where
 * the string was put and the string starts a line of its own.
 */
function unstack(st: PageState): void {
  const s = st.stacked!;
  st.stacked = null;
  const l = st.line;
  if (l.at[l.at.length - 1] !== s.at) return;
  const tail = st.out.splice(s.at);
  if (s.space) st.out.pop();
  l.at.pop();
  l.from.pop();
  l.to.pop();
  if (l.at.length) {
    // The line ends where the string before the stacked one ended.
    const { ex, ey } = st;
    st.ex = s.ex;
    st.ey = s.ey;
    endLine(st);
    st.ex = ex;
    st.ey = ey;
  }
  Object.assign(l, { across: s.across, ux: s.ux, uy: s.uy, size: s.size });
  l.at.push(st.out.length);
  l.from.push(s.from);
  l.to.push(s.from);
  st.out.push(...tail);
  const text = tail.join('');
  if (text) st.last = text[text.length - 1];
}

/**
 * Ends the current line. A line drawn out of order (a string placed left of one drawn before it:
 * 「Confidential」 shown first, then 「秘」 moved in front of it) is also given in the order a reader
 * sees it, left to right, as pdftotext reads it: strings apart by a gap get a space.
 */
function endLine(st: PageState): void {
  const l = st.line;
  // The last string's end (its start until a string after it said where it ended).
  if (l.at.length) l.to[l.to.length - 1] = Math.max(l.to[l.to.length - 1], st.ex * l.ux + st.ey * l.uy);
  // A layout gap written before a string that jumps back belongs to the boundary, not to the string
  // before it: re-sorted, the spacing between strings comes from where they stand (C drawn first, then
  // 秘 left of it, then 「onfidential」: 「秘 Confidential」, not 「秘 C onfidential」).
  const placed = l.at.length > 0 && st.lines.length < MAX_PLACED_LINES;
  const pieces =
    (placed && l.at.length <= MAX_LINE_PIECES) || (l.back && l.at.length > 1)
      ? l.at.map((at, i) => ({ text: st.out.slice(at, l.at[i + 1] ?? st.out.length).join('').replace(EDGE_GAPS, '').replace(GAPS, ' '), from: l.from[i], to: l.to[i] }))
      : null;
  if (placed) {
    st.lines.push({ start: l.at[0], end: st.out.length, from: Math.min(...l.from), to: Math.max(...l.to), across: l.across, ux: l.ux, uy: l.uy, size: l.size, pieces: pieces && pieces.length <= MAX_LINE_PIECES ? pieces : null });
  }
  if (l.back && pieces && pieces.length > 1) st.out.push('\n', joinPieces(pieces.slice(), st.size));
  l.at.length = l.from.length = l.to.length = 0;
  l.back = false;
  st.stacked = null;
  if (st.aside.length) st.out.push('\n', st.aside.join(''));
  st.aside.length = 0;
  st.out.push('\n');
  st.last = '\n';
}

/**
 * Emphasis marks (傍点: sesame ﹅﹆, dots, circles, triangles) or a kana reading (ruby) drawn smaller
 * than the line and just off it (within one and a half of the line's size): marks over a character,
 * not a line of their own. Other small text off the line (a 秘 set small, the first letter of a word
 * below a big 秘) is a line as drawn.
 */
const MARKS = /^(?:[\uFE45\uFE46\u30FB\u2022\u25CF\u25CB\u25CE\u25C9\u25B2\u25B3]+|[\u3041-\u309F\u30A0-\u30FA\u30FC]{1,8})$/;
/**
 * Whether text of `size` whose baseline is `perp` above the line's (of `lineSize`) is on that line: their
 * glyph boxes (from 0.2 of a size below the baseline to 0.8 above) overlap by half the smaller one's
 * height, as pdftotext groups them. With equal sizes that is a baseline within half a size; with
 * unequal ones, a 10-pt line 12 pt under a 28-pt heading is another line (「秘書室」 over
 * 「Confidential」 is no stamp), while a superscript stays on its line.
 */
function sameLine(perp: number, size: number, lineSize: number): boolean {
  const overlap = Math.min(0.8 * lineSize, perp + 0.8 * size) - Math.max(-0.2 * lineSize, perp - 0.2 * size);
  return overlap > 0.5 * Math.min(size, lineSize);
}

function besideLine(text: string, size: number, perp: number, lineSize: number): boolean {
  return size < 0.75 * lineSize && Math.abs(perp) > 0.25 * lineSize && Math.abs(perp) < 1.5 * lineSize && MARKS.test(text);
}

/**
 * An emphasis mark drawn on its own next to a column of one-character strings, off the column's line but not
 * below its last character (where the next character of the column, or a comma that is text, stands):
 * LuaTeX-ja's 縦書き draws each upright character as a string, and pxrubrica's \kenten the sesame 「︑」
 * a size larger than the text, right of 秘 and before it. Whatever its size, it is a mark beside the column.
 */
function markBesideColumn(st: PageState, text: string, perp: number): boolean {
  return st.one && VERTICAL_MARK.test(text) && Math.abs(perp) > 0.25 * st.size && Math.abs(perp) < 1.5 * st.size;
}

/** A kana reading (ruby) on a line of its own: what READING_LINE finds smaller than the text around it. */
const READING = /^[\u3041-\u309F\u30A0-\u30FA\u30FC]{1,32}$/;

/**
 * Whether the string about to be drawn at `from` (along the line) in `size` is the base of a reading
 * drawn just before it as the line's only string: ruby drawn first and smaller, with its base then
 * placed back, before it along the line. In 縦書き LibreOffice draws the reading 「ひ」 right of the
 * column, level with 「秘」, then 「秘」: the reading is no character of the column but a line of its
 * own beside it, as a reading drawn above a horizontal line is.
 */
function readingBefore(st: PageState, size: number, from: number, vertical: boolean): boolean {
  const l = st.line;
  if (l.at.length !== 1 || from >= l.from[0] - 0.15 * size) return false;
  const only = st.out.slice(l.at[0]).join('');
  return (st.size < 0.75 * size && READING.test(only)) || (vertical && VERTICAL_MARK.test(only));
}

/**
 * An emphasis mark (傍点) drawn on its own before the character it marks, in a vertical font (Identity-V), level
 * with that character and right of it: pxrubrica's \kenten in upLaTeX's 縦書き draws the sesame as 「、」 (a
 * size larger than the text), then 秘 back beside it. A comma that is text stands below its character in a column.
 */
const VERTICAL_MARK = /^[\uFE45\uFE46\u30FB\u2022\u25CF\u25CB\u25CE\u25C9\u25B2\u25B3\u3001\uFE11]$/;

/**
 * The page's text with its layout gaps as spaces. A line spaced letter by letter (tracked text, as
 * stamps often are: 「秘 C O N F I D E N T I A L」, or a browser's print of `letter-spacing`, which
 * places every glyph on its own) is given a second time without those gaps, so the word it spells is
 * read as that word; any other line is given once.
 */
export function withGaps(text: string): string {
  if (!text.includes(GAP)) return text;
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes(GAP)) return line;
      const spaced = line.replace(GAPS, ' ');
      if (!LETTER_SPACED.test(line)) return spaced;
      // Letter-spaced: read spaced and joined. Joined on both sides, so that the joined word stands
      // next to the line before it (秘 above a tracked-out CONFIDENTIAL: a round stamp's layout) and
      // next to the line after it.
      const joined = line.replace(GAPS, '');
      return `${joined}\n${spaced}\n${joined}`;
    })
    .join('\n');
}

/**
 * A letter: ASCII, full-width, or a Latin ligature (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ, which dvipdfmx's ToUnicode maps TeX's
 * ligature glyphs to) — NFKC makes each ASCII before the stamp rule.
 */
const BROKEN_WORD = /([A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A\uFB00-\uFB06])[-\u00AD\u2010]?\n(?=[A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A\uFB00-\uFB06])/g;

/**
 * The page's text with the lines that break inside a word joined, or '' when no line does. A word
 * wider than its box is broken where the box ends, with no hyphen: 「Confidential」 in a table cell
 * narrower than the word (a 帳票's 区分 column) is drawn 「Confidentia」 over 「l」 by LibreOffice and Word,
 * TCPDF's MultiCell, and browsers under word-break or overflow-wrap, while the document it was made
 * from is marked. A reader sees the one word, so each line change between two letters is read closed
 * up, as an extra reading (the lines as drawn are kept). So is a word hyphenated at the line's end
 * (「Confi-」 / 「dential」: LibreOffice draws a soft hyphen where it breaks the line there, and pdftotext
 * gives the word whole), as the soft hyphen in the document is the stamp (markings.md). A break at a
 * space is closed up too where the producer drops the space (TCPDF): 「Please」 + 「handle」 reads
 * 「Pleasehandle」, which can only make the stamp where the two pieces spell 「Confidential」 after 秘.
 * Only where the page has 秘.
 */
export function brokenWords(text: string): string {
  if (!mayHaveStampChar(text)) return '';
  const closed = text.replace(BROKEN_WORD, '$1');
  return closed === text ? '' : closed;
}

interface Gs {
  // CTM
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  font: PdfFont | null;
  fs: number;
  tc: number;
  tw: number;
  th: number;
  tl: number;
  rise: number;
}

/**
 * Runs one content stream (or form) and appends its text to `st.out`.
 * `resources` is the resource dictionary in effect; `ctm` the initial matrix.
 */
export function runContent(st: PageState, data: Uint8Array, resources: Dict | null, ctm: number[], depth: number): void {
  const doc = st.doc;
  const buf = data;
  const n = buf.length;
  // Shared operand stack: a nested form runs only from `Do`, after its operand was read, and the
  // stack is cleared after every operator, so recursion never needs the outer contents.
  const types = S_TYPES,
    nums = S_NUMS,
    starts = S_STARTS,
    ends = S_ENDS;
  let top = 0;

  let gs: Gs = { a: ctm[0], b: ctm[1], c: ctm[2], d: ctm[3], e: ctm[4], f: ctm[5], font: null, fs: 0, tc: 0, tw: 0, th: 1, tl: 0, rise: 0 };
  const stack: Gs[] = [];
  // text matrix and line matrix
  let ta = 1, tb = 0, tcm = 0, td = 1, te = 0, tf = 0;
  let la = 1, lb = 0, lc = 0, ld = 1, le = 0, lf = 0;

  const fontRes = resources ? doc.dict(resources.get('Font')) : null;
  const fontCache = new Map<string, PdfFont | null>();
  const nameAt = (i: number): string => {
    let s = '';
    for (let p = starts[i]; p < ends[i]; p++) {
      const c = buf[p];
      if (c === 0x23 && p + 2 < ends[i] && hexVal(buf[p + 1]) >= 0 && hexVal(buf[p + 2]) >= 0) {
        s += String.fromCharCode(hexVal(buf[p + 1]) * 16 + hexVal(buf[p + 2]));
        p += 2;
      } else s += String.fromCharCode(c);
    }
    return s;
  };

  if (strBuf.length > 1 << 20) strBuf = new Uint8Array(1024); // drop a huge buffer from an earlier page
  const emit = (text: string, advance: number) => {
    // device position of the text origin: Trm = [fs*th 0 0 fs 0 rise] x Tm x CTM (origin only)
    const x0 = te,
      y0 = tf + gs.rise;
    const dx = x0 * gs.a + y0 * gs.c + gs.e;
    const dy = x0 * gs.b + y0 * gs.d + gs.f;
    // text direction and size in device space
    let ux = ta * gs.a + tb * gs.c;
    let uy = ta * gs.b + tb * gs.d;
    const vx = tcm * gs.a + td * gs.c;
    const vy = tcm * gs.b + td * gs.d;
    const scale = Math.sqrt(Math.abs(ux * vy - uy * vx)) || 1;
    const size = Math.max(0.01, Math.abs(gs.fs) * scale);
    const ul = Math.hypot(ux, uy) || 1;
    ux /= ul;
    uy /= ul;
    let beside = false;
    let below = 0;
    let space = false;
    const ex = st.ex,
      ey = st.ey;
    if (st.has && text.length) {
      const rx = dx - st.ex,
        ry = dy - st.ey;
      const along = rx * st.ux + ry * st.uy;
      const perp = -rx * st.uy + ry * st.ux;
      const sz = Math.max(size, st.size);
      const turned = Math.abs(ux - st.ux) + Math.abs(uy - st.uy) > 0.2;
      below = st.one && text.length === 1 ? stackedBelow(dx - st.sx, dy - st.sy, ux, uy, sz) : 0;
      if (below) {
        // A column of upright characters drawn one string each (縦書き as Chromium prints it): one word,
        // unless what comes next goes on along this character's baseline (unstack).
        space = below > 1.6 * sz && !isSpace(st.last);
        if (space) st.out.push(' ');
      } else if (!turned && st.last !== '\n' && (besideLine(text, size, perp, st.size) || markBesideColumn(st, text, perp))) {
        // A mark over 秘 (傍点 ﹅) or its reading, drawn between 秘 and the rest of the line: the line
        // goes on where it was, and the mark is given after it.
        beside = true;
        st.aside.push(text);
      } else if (!sameLine(perp, size, st.size) || turned || readingBefore(st, size, dx * ux + dy * uy, !!gs.font?.vertical)) {
        // A turned string goes on down a 縦書き column (TeX and LibreOffice turn a Latin word): marks and
        // readings beside the column's characters (ruby 「ひ」 over 秘) are given after the turned line, not
        // between 秘 and the word.
        const carried = turned && st.aside.length ? st.aside.splice(0) : null;
        if (st.last !== '\n') endLine(st);
        if (carried) st.aside.push(...carried);
      } else {
        if (st.stacked) unstack(st);
        const l = st.line;
        // Left of where the line's last string started: the line is drawn out of order.
        if (l.at.length && dx * ux + dy * uy < l.from[l.from.length - 1] - 0.15 * sz) l.back = true;
        if (st.widthsOk && gs.font?.hasWidths && (along > 0.15 * sz || along < -0.6 * sz) && !isSpace(st.last) && !isSpace(text[0])) {
          st.out.push(GAP);
          st.last = GAP;
        }
      }
    }
    if (text.length && !beside) {
      st.sx = dx;
      st.sy = dy;
      st.one = text.length === 1;
      const l = st.line;
      if (l.at.length) l.to[l.to.length - 1] = st.ex * ux + st.ey * uy;
      else Object.assign(l, { across: -dx * uy + dy * ux, ux, uy, size });
      st.stacked = below ? { at: st.out.length, space, ex, ey, from: dx * ux + dy * uy, across: -dx * uy + dy * ux, ux, uy, size } : null;
      l.at.push(st.out.length);
      l.from.push(dx * ux + dy * uy);
      l.to.push(dx * ux + dy * uy);
      st.out.push(text);
      st.last = text[text.length - 1];
      st.has = true;
    }
    // advance along the baseline
    const tx = advance * gs.th;
    te += tx * ta;
    tf += tx * tb;
    if (!beside && (text.length || st.has)) {
      const x1 = te,
        y1 = tf + gs.rise;
      st.ex = x1 * gs.a + y1 * gs.c + gs.e;
      st.ey = x1 * gs.b + y1 * gs.d + gs.f;
      st.ux = ux;
      st.uy = uy;
      st.size = size;
      st.widthsOk = !!gs.font?.hasWidths;
    }
  };

  /** Decodes the string operand at stack index i with the current font; returns text, sets adv. */
  let adv = 0;
  const showAt = (i: number): string => {
    const len = types[i] === T_STR ? unescapeInto(buf, starts[i], ends[i]) : unhex(buf, starts[i], ends[i]);
    const f = gs.font;
    // Text drawn in a font the page's resources do not hold, or whose object is damaged: its codes could
    // be any characters (two-byte CIDs read as Latin-1 hold no 秘), so the page is not read whole.
    if (len > 0 && (!f || f.lost)) st.partial = true;
    if (!f) {
      adv = len * (0.5 * gs.fs + gs.tc);
      return latin1Of(len);
    }
    const s = f.decode(strBuf, 0, len);
    adv = f.vertical ? 0 : (f.width / 1000) * gs.fs + f.glyphs * gs.tc + f.spaces * gs.tw;
    // Inside a span whose /ActualText is read in place of its glyphs, the glyphs' characters do not matter.
    if (!(st.actualText && actualDepth >= 0)) {
      st.unread += f.unread;
      st.misread += f.misread;
    }
    return s;
  };

  const nextLine = (tx: number, ty: number) => {
    le += tx * la + ty * lc;
    lf += tx * lb + ty * ld;
    ta = la;
    tb = lb;
    tcm = lc;
    td = ld;
    te = le;
    tf = lf;
  };

  // Marked content: in an ActualText reading (PageState.actualText), the text that a span's /ActualText
  // gives replaces what its glyphs decode to (how LibreOffice writes characters its fonts lack, and how
  // producers keep ligatures and hyphenation searchable). The outermost span with one wins; its text
  // goes out at its first shown string.
  let markedDepth = 0;
  let actualDepth = -1;
  let actualText = '';
  let actualShown = false;
  const actualOf = (s: string): string => {
    if (actualDepth < 0 || !st.actualText) return s;
    if (actualShown) return '';
    actualShown = true;
    return actualText;
  };
  // Optional content on a layer that is off (pdf-layers.ts), in a reading without such layers: the outermost
  // span of it, while open, shows nothing (its glyphs still move the pen) and draws no forms.
  let hiddenDepth = -1;
  const openMarked = (withProps: boolean) => {
    markedDepth++;
    if (!withProps) return;
    if (hiddenDepth < 0 && st.hiddenLayers && resources && top >= 2 && types[top - 2] === T_NAME && nameAt(top - 2) === 'OC' && types[top - 1] === T_NAME) {
      if (layerOff(doc, doc.dict(resources.get('Properties'))?.get(nameAt(top - 1)), st.hiddenLayers)) hiddenDepth = markedDepth;
    }
    // A span's alternate description (/Alt) or expansion (/E): what a screen reader says instead of its
    // glyphs (pdfkit's markContent alt/expanded). Read beside the page's text.
    const alt = propertyAt(top, 'Alt') ?? propertyAt(top, 'E');
    if (alt) st.alts.push(alt);
    if (actualDepth >= 0) return;
    const actual = propertyAt(top, 'ActualText');
    if (actual === null) return;
    actualDepth = markedDepth;
    actualText = actual;
    actualShown = false;
  };
  /** A string operand as read here: its characters, its /ActualText, or nothing on a layer that is off. */
  const shownAt = (i: number): string => {
    const s = showAt(i);
    return hiddenDepth >= 0 ? '' : actualOf(s);
  };
  const closeMarked = () => {
    if (markedDepth === 0) return;
    if (markedDepth === hiddenDepth) hiddenDepth = -1;
    if (markedDepth === actualDepth) {
      if (!actualShown && st.actualText) emit(actualText, 0);
      actualDepth = -1;
    }
    markedDepth--;
  };
  /** A text entry (/ActualText, /Alt, /E) of the property list among the operands (inline, or named in /Properties). */
  const propertyAt = (end: number, key: string): string | null => {
    for (let k = 0; k + 1 < end; k++) {
      if (types[k] === T_NAME && nameAt(k) === key && (types[k + 1] === T_STR || types[k + 1] === T_HEX)) {
        const len = types[k + 1] === T_STR ? unescapeInto(buf, starts[k + 1], ends[k + 1]) : unhex(buf, starts[k + 1], ends[k + 1]);
        return decodeTextString(strBuf.slice(0, len));
      }
    }
    if (end >= 2 && types[end - 1] === T_NAME && types[end - 2] === T_NAME && resources) {
      const props = doc.dict(doc.dict(resources.get('Properties'))?.get(nameAt(end - 1)));
      const v = props ? doc.resolve(props.get(key)) : null;
      if (v instanceof Uint8Array) return decodeTextString(v);
    }
    return null;
  };

  /**
   * The letter-spacing of a TJ that draws one glyph per string, each the same kern from the next (tracked text:
   * cairo writes pango's letter_spacing, and Firefox's print of CSS letter-spacing, as [(C)-229(o)-225(n)-267(f)…]),
   * in thousandths of an em; 0 for any other TJ. Its gaps are gaps beyond that spacing: with spacing near a quarter
   * em, measured from zero, some letters fell apart and others not (「Con fi d en t i al」), neither the word nor
   * letter-spaced. Only even spacing of up to an em counts (not a row of cells).
   */
  const trackedBy = (s0: number): number => {
    const f = gs.font;
    if (!f || f.vertical) return 0;
    let strings = 0;
    let kern = 0;
    let least = Infinity;
    let most = 0;
    for (let k = s0 + 1; k < top; k++) {
      if (types[k] === T_NUM) {
        kern += nums[k];
        continue;
      }
      if (types[k] !== T_STR && types[k] !== T_HEX) return 0;
      if (strings > 0) {
        if (kern >= 0) return 0;
        least = Math.min(least, -kern);
        most = Math.max(most, -kern);
      }
      kern = 0;
      strings++;
    }
    if (strings < 4 || most > 1000 || most - least > Math.max(100, 0.5 * least)) return 0;
    for (let k = s0 + 1; k < top; k++) {
      if (types[k] === T_NUM) continue;
      const len = types[k] === T_STR ? unescapeInto(buf, starts[k], ends[k]) : unhex(buf, starts[k], ends[k]);
      f.decode(strBuf, 0, len);
      if (f.glyphs !== 1) return 0;
    }
    return least;
  };

  let top2 = 0;
  function arg(k: number): number {
    return top2 - k >= 0 && types[top2 - k] === T_NUM ? nums[top2 - k] : 0;
  }

  let ops = 0;
  let i = 0;
  while (i < n) {
    const c = buf[i];
    const cls = CLS[c];
    if (cls === 1) {
      i++;
      continue;
    }
    if (top >= STACK - 2) top = 0;
    if (cls === 2) {
      switch (c) {
        case 0x28: {
          // ( literal string )
          const p = literalEnd(buf, i + 1, n);
          types[top] = T_STR;
          starts[top] = i + 1;
          ends[top] = p;
          top++;
          i = p + 1;
          continue;
        }
        case 0x3c: {
          if (buf[i + 1] === 0x3c) {
            types[top++] = T_OTHER;
            i += 2;
            continue;
          }
          let p = i + 1;
          while (p < n && buf[p] !== 0x3e) p++;
          types[top] = T_HEX;
          starts[top] = i + 1;
          ends[top] = p;
          top++;
          i = p + 1;
          continue;
        }
        case 0x3e:
          i += buf[i + 1] === 0x3e ? 2 : 1;
          continue;
        case 0x5b:
          types[top++] = T_ARR;
          i++;
          continue;
        case 0x5d:
          i++;
          continue;
        case 0x2f: {
          let p = i + 1;
          while (p < n && CLS[buf[p]] === 0) p++;
          types[top] = T_NAME;
          starts[top] = i + 1;
          ends[top] = p;
          top++;
          i = p;
          continue;
        }
        case 0x25:
          while (i < n && buf[i] !== 10 && buf[i] !== 13) i++;
          continue;
        default:
          i++;
          continue;
      }
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x2b) {
      let p = i;
      let neg = false;
      while (buf[p] === 0x2d || buf[p] === 0x2b) {
        if (buf[p] === 0x2d) neg = !neg;
        p++;
      }
      let v = 0;
      while (p < n && buf[p] >= 0x30 && buf[p] <= 0x39) v = v * 10 + buf[p++] - 0x30;
      if (buf[p] === 0x2e) {
        p++;
        let f = 0.1;
        while (p < n && buf[p] >= 0x30 && buf[p] <= 0x39) {
          v += (buf[p++] - 0x30) * f;
          f *= 0.1;
        }
      }
      while (p < n && CLS[buf[p]] === 0) p++;
      types[top] = T_NUM;
      nums[top] = neg ? -v : v;
      top++;
      i = p;
      continue;
    }
    // operator
    let p = i;
    while (p < n && CLS[buf[p]] === 0) p++;
    const len = p - i;
    let key = 0;
    if (len <= 3) for (let k = 0; k < len; k++) key |= buf[i + k] << (8 * k);
    i = p;
    if ((++ops & 8191) === 0) st.checkTime();
    if (len > 3) {
      // true/false/null are operands; anything else long is not a text operator
      if (!(len === 4 && buf[p - 4] === 0x74) && !(len === 5 && buf[p - 5] === 0x66)) top = 0;
      else types[top++] = T_OTHER;
      continue;
    }
    top2 = top;
    switch (key) {
      case OP.BT:
        ta = 1; tb = 0; tcm = 0; td = 1; te = 0; tf = 0;
        la = 1; lb = 0; lc = 0; ld = 1; le = 0; lf = 0;
        break;
      case OP.Tf: {
        if (top >= 2 && types[top - 2] === T_NAME) {
          const nm = nameAt(top - 2);
          let f = fontCache.get(nm);
          if (f === undefined) {
            f = fontRes ? st.fonts.font(fontRes.get(nm)) : null;
            fontCache.set(nm, f);
          }
          gs.font = f;
        }
        gs.fs = arg(1);
        break;
      }
      case OP.Tj:
      case OP.Q1:
      case OP.Q2: {
        if (key === OP.Q2) {
          gs.tw = arg(3);
          gs.tc = arg(2);
        }
        if (key !== OP.Tj) nextLine(0, -gs.tl);
        const si = top - 1;
        if (si >= 0 && (types[si] === T_STR || types[si] === T_HEX)) {
          const s = shownAt(si);
          emit(s, adv);
        }
        break;
      }
      case OP.TJ: {
        let s0 = top - 1;
        while (s0 >= 0 && types[s0] !== T_ARR) s0--;
        if (s0 < 0) break;
        let pendingAdv = 0;
        let started = false;
        // Where along the line the kerns before the next string began (the end of the string before them).
        let gapFrom = 0;
        const gapAt = -250 - trackedBy(s0);
        for (let k = s0 + 1; k < top; k++) {
          const t = types[k];
          if (t === T_STR || t === T_HEX) {
            const s = shownAt(k);
            if (!started) {
              emit(s, adv);
              started = true;
            } else {
              // Text after the stacked string in the same TJ goes on along its baseline: not a column.
              if (st.stacked && s.length && !gs.font?.vertical) unstack(st);
              if (pendingAdv < gapAt && !isSpace(st.last) && s.length && !isSpace(s[0])) {
                st.out.push(GAP);
                st.last = GAP;
                // The string a layout gap away is a piece of the line of its own, where it stands: cairo draws the
                // blank between two strings of a line as a kern (「文書区分:」 then [()-2500(Confidential)]), and a 秘
                // put in that blank later (an overlay) is read between them (splices), as pdftotext reads it.
                const l = st.line;
                if (l.at.length) {
                  l.to[l.to.length - 1] = Math.max(l.from[l.from.length - 1], gapFrom);
                  const here = st.ex * l.ux + st.ey * l.uy;
                  l.at.push(st.out.length);
                  l.from.push(here);
                  l.to.push(here);
                }
              } else if (s.length && !gs.font?.vertical && st.line.at.length && (pendingAdv > 0 || (st.line.back && pendingAdv < gapAt && !isSpace(s[0])))) {
                // A kern back past the start of the line's last piece: cairo writes a string drawn later in
                // front of the line (librsvg: 「Confidential」, then 「秘」 left of it) as `[()7447<秘>]TJ`.
                // The string is a piece of the line where it stands, and the line is drawn out of order
                // (endLine reads it again left to right), as emit does for a string moved there by Td. On
                // such a line, a string a layout gap on is a piece where it stands too, after a blank
                // (「C」, 「秘 」 in front of it, then `[()-643(onfidential)]TJ` back beside 「C」).
                const l = st.line;
                const here = st.ex * l.ux + st.ey * l.uy;
                const back = here < l.from[l.from.length - 1] - 0.15 * st.size;
                if (back || pendingAdv < 0) {
                  l.to[l.to.length - 1] = Math.max(l.from[l.from.length - 1], gapFrom);
                  if (back) l.back = true;
                  l.at.push(st.out.length);
                  l.from.push(here);
                  l.to.push(here);
                }
              }
              if (s.length) {
                st.out.push(s);
                st.last = s[s.length - 1];
                st.has = true;
              }
              const tx = adv * gs.th;
              te += tx * ta;
              tf += tx * tb;
              const x1 = te,
                y1 = tf + gs.rise;
              st.ex = x1 * gs.a + y1 * gs.c + gs.e;
              st.ey = x1 * gs.b + y1 * gs.d + gs.f;
            }
            pendingAdv = 0;
          } else if (t === T_NUM) {
            const v = nums[k];
            if (pendingAdv === 0) gapFrom = st.ex * st.line.ux + st.ey * st.line.uy;
            pendingAdv += v; // thousandths of an em; negative moves right (a gap)
            const tx = (-v / 1000) * gs.fs * gs.th;
            te += tx * ta;
            tf += tx * tb;
            if (st.has) {
              const x1 = te,
                y1 = tf + gs.rise;
              st.ex = x1 * gs.a + y1 * gs.c + gs.e;
              st.ey = x1 * gs.b + y1 * gs.d + gs.f;
            }
          }
        }
        break;
      }
      case OP.Td:
        nextLine(arg(2), arg(1));
        break;
      case OP.TD:
        gs.tl = -arg(1);
        nextLine(arg(2), arg(1));
        break;
      case OP.Tm:
        la = ta = arg(6);
        lb = tb = arg(5);
        lc = tcm = arg(4);
        ld = td = arg(3);
        le = te = arg(2);
        lf = tf = arg(1);
        break;
      case OP.TS:
        nextLine(0, -gs.tl);
        break;
      case OP.TL:
        gs.tl = arg(1);
        break;
      case OP.Tc:
        gs.tc = arg(1);
        break;
      case OP.Tw:
        gs.tw = arg(1);
        break;
      case OP.Tz:
        gs.th = arg(1) / 100;
        break;
      case OP.Ts:
        gs.rise = arg(1);
        break;
      case OP.q:
        if (stack.length < 256) stack.push({ ...gs });
        break;
      case OP.Q:
        if (stack.length) gs = stack.pop()!;
        break;
      case OP.cm: {
        const a = arg(6), b = arg(5), c2 = arg(4), d = arg(3), e = arg(2), f = arg(1);
        const na = a * gs.a + b * gs.c;
        const nb = a * gs.b + b * gs.d;
        const nc = c2 * gs.a + d * gs.c;
        const nd = c2 * gs.b + d * gs.d;
        const ne = e * gs.a + f * gs.c + gs.e;
        const nf = e * gs.b + f * gs.d + gs.f;
        gs.a = na; gs.b = nb; gs.c = nc; gs.d = nd; gs.e = ne; gs.f = nf;
        break;
      }
      case OP.BDC:
      case OP.BMC:
        openMarked(key === OP.BDC);
        break;
      case OP.EMC:
        closeMarked();
        break;
      case OP.Do:
        if (hiddenDepth < 0 && top >= 1 && types[top - 1] === T_NAME && resources) {
          runXObject(st, nameAt(top - 1), resources, [gs.a, gs.b, gs.c, gs.d, gs.e, gs.f], depth);
        }
        break;
      case OP.gs:
        if (top >= 1 && types[top - 1] === T_NAME && resources) {
          const group = softMaskGroup(doc, doc.dict(doc.dict(resources.get('ExtGState'))?.get(nameAt(top - 1))));
          if (group) runForm(st, group.stream, group.num, resources, [gs.a, gs.b, gs.c, gs.d, gs.e, gs.f], depth);
        }
        break;
      case OP.ID: {
        // Inline image data: as long as its dictionary says (an unfiltered image: its bytes may hold
        // "EI" anywhere), when "EI" follows there; else up to whitespace + "EI" + whitespace or end.
        const size = inlineImageSize(top, (k) => (types[k] === T_NAME ? nameAt(k) : types[k] === T_NUM ? nums[k] : null));
        if (size !== null) {
          let e = i + 1 + size;
          while (e < n && CLS[buf[e]] === 1) e++;
          if (buf[e] === 0x45 && buf[e + 1] === 0x49 && (e + 2 >= n || CLS[buf[e + 2]] !== 0)) {
            i = e + 2;
            break;
          }
        }
        let q = i + 1;
        for (;;) {
          q = buf.indexOf(0x45, q);
          if (q < 0) {
            q = n;
            break;
          }
          if (buf[q + 1] === 0x49 && q > 0 && CLS[buf[q - 1]] === 1 && (q + 2 >= n || CLS[buf[q + 2]] !== 0)) {
            q += 2;
            break;
          }
          q++;
        }
        i = q;
        break;
      }
    }
    top = 0;
  }
  while (markedDepth) closeMarked(); // a span left open at the end still has its text read
}

/** Colour components by an inline image's colour space name (abbreviated or not); an indexed one has one. */
const INLINE_COMPONENTS: Record<string, number> = { G: 1, DeviceGray: 1, RGB: 3, DeviceRGB: 3, CMYK: 4, DeviceCMYK: 4, I: 1, Indexed: 1 };

/**
 * The byte length of an inline image's data from its dictionary (the operands between BI and ID: `at(k)`
 * gives a name's text or a number), or null when it cannot be known: filtered (its length is the
 * filter's), an unknown colour space, missing sizes. PDF 2.0's /L (/Length) says it outright.
 */
function inlineImageSize(top: number, at: (k: number) => string | number | null): number | null {
  const dict = new Map<string, string | number | null>();
  for (let k = 0; k + 1 < top; k++) {
    const key = at(k);
    if (typeof key !== 'string' || !INLINE_KEYS.has(key)) continue;
    dict.set(INLINE_KEYS.get(key)!, at(k + 1));
    k++;
  }
  const num = (key: string) => (typeof dict.get(key) === 'number' ? (dict.get(key) as number) : null);
  const length = num('L');
  if (length !== null && length >= 0) return length;
  if (dict.has('F')) return null;
  const w = num('W');
  const h = num('H');
  const mask = dict.get('IM') === 'true';
  const bpc = mask ? 1 : num('BPC');
  const cs = dict.get('CS');
  const comps = mask ? 1 : typeof cs === 'string' ? INLINE_COMPONENTS[cs] : undefined;
  if (w === null || h === null || bpc === null || comps === undefined || w <= 0 || h <= 0) return null;
  return h * Math.ceil((w * comps * bpc) / 8);
}
/** An inline image's keys, abbreviated or not, by their abbreviation. */
const INLINE_KEYS = new Map(
  Object.entries({ W: 'W', Width: 'W', H: 'H', Height: 'H', BPC: 'BPC', BitsPerComponent: 'BPC', CS: 'CS', ColorSpace: 'CS', IM: 'IM', ImageMask: 'IM', F: 'F', Filter: 'F', L: 'L', Length: 'L' }),
);

function runXObject(st: PageState, name: string, resources: Dict, ctm: number[], depth: number): void {
  const doc = st.doc;
  const xo = doc.dict(resources.get('XObject'));
  if (!xo) return;
  const ref = xo.get(name);
  const num = ref instanceof Ref ? ref.num : -1;
  if (num >= 0 && st.formStack.has(num)) return;
  const s = doc.resolve(ref);
  if (!(s instanceof Stream)) return;
  if (doc.resolve(s.dict.get('Subtype')) !== 'Form') return;
  // A form on a layer that is off draws nothing in the reading without such layers (pdf-layers.ts).
  if (st.hiddenLayers && layerOff(doc, s.dict.get('OC'), st.hiddenLayers)) return;
  runForm(st, s, num, resources, ctm, depth);
}

/**
 * The group a graphics state's soft mask draws (`/SMask << /S /Alpha /G form >>`), or null. What it draws
 * shapes what the page shows: Chromium writes text an SVG clip path or mask is made of (navy letters on
 * the page) as text in such a group, in an ordinary font with a ToUnicode map, and nowhere else.
 */
function softMaskGroup(doc: PdfDoc, state: Dict | null): { stream: Stream; num: number } | null {
  const mask = doc.dict(state?.get('SMask'));
  const ref = mask?.get('G');
  const g = doc.resolve(ref);
  if (!(g instanceof Stream) || doc.resolve(g.dict.get('Subtype')) !== 'Form') return null;
  return { stream: g, num: ref instanceof Ref ? ref.num : -1 };
}

/** Runs a form stream (a Form XObject or an annotation appearance) with its own resources. */
export function runForm(st: PageState, s: Stream, num: number, resources: Dict | null, ctm: number[], depth: number): void {
  const doc = st.doc;
  if (num >= 0 && st.formStack.has(num)) return;
  // A form past the limits is not drawn: the page is read in part (said, not dropped).
  if (depth >= MAX_FORM_DEPTH || st.forms >= MAX_FORMS_PER_PAGE) {
    st.overLimits = true;
    return;
  }
  st.forms++;
  const { data, partial } = decodedForm(st, s);
  // No data: damaged, or labelled with an image codec (a form's text cannot be read through DCT or JBIG2).
  if (partial || !data) st.partial = true;
  if (!data) return;
  const m = doc.resolve(s.dict.get('Matrix'));
  let mm = ctm;
  if (Array.isArray(m) && m.length === 6 && m.every((x: Obj) => typeof x === 'number')) {
    const [a, b, c, d, e, f] = m as number[];
    mm = [
      a * ctm[0] + b * ctm[2],
      a * ctm[1] + b * ctm[3],
      c * ctm[0] + d * ctm[2],
      c * ctm[1] + d * ctm[3],
      e * ctm[0] + f * ctm[2] + ctm[4],
      e * ctm[1] + f * ctm[3] + ctm[5],
    ];
  }
  const res = doc.dict(s.dict.get('Resources')) ?? resources;
  if (num >= 0) st.formStack.add(num);
  try {
    runContent(st, data, res, mm, depth + 1);
  } finally {
    if (num >= 0) st.formStack.delete(num);
  }
}

/** Could any font reachable from these resources (incl. forms) produce 秘/㊙? */
export function resourcesCanStamp(doc: PdfDoc, fonts: FontLoader, resources: Dict | null, seen: Set<Dict> = new Set(), depth = 0): boolean {
  // No font list at all: text shown there has no font (pdftotext: "Unknown font tag", "No font in show"), as
  // where a byte of /Font or /Resources was damaged. The content is read, and such text found not whole.
  if (depth === 0 && (!resources || resources.get('Font') === undefined)) return true;
  if (!resources || seen.has(resources) || depth > MAX_FORM_DEPTH) return false;
  seen.add(resources);
  // A font list or a font that cannot be read could draw anything: the page is read (and found not whole).
  const entry = resources.get('Font');
  const fr = doc.dict(entry);
  if (entry !== undefined && !fr) return true;
  if (fr) {
    for (const v of fr.values()) {
      const f = fonts.font(v);
      if (!f || f.canStamp || f.lost) return true;
    }
  }
  for (const s of formsOf(doc, resources)) {
    const r = doc.dict(s.dict.get('Resources'));
    if (r && resourcesCanStamp(doc, fonts, r, seen, depth + 1)) return true;
  }
  return false;
}

/** The forms these resources can draw: Form XObjects, and the groups of soft masks (softMaskGroup). */
function* formsOf(doc: PdfDoc, resources: Dict): Generator<Stream> {
  const xo = doc.dict(resources.get('XObject'));
  if (xo) {
    for (const v of xo.values()) {
      const s = doc.resolve(v);
      if (s instanceof Stream && doc.resolve(s.dict.get('Subtype')) === 'Form') yield s;
    }
  }
  const states = doc.dict(resources.get('ExtGState'));
  if (states) {
    for (const v of states.values()) {
      const group = softMaskGroup(doc, doc.dict(v));
      if (group) yield group.stream;
    }
  }
}

/**
 * Whether these bytes name an entry that gives a span's text apart from its glyphs: /ActualText, /Alt, or
 * /E (a plain search: a false hit only costs a run).
 */
export function mentionsActualText(data: Uint8Array): boolean {
  return ['ActualText', '/Alt', '/E(', '/E (', '/E<', '/E <'].some((name) => findBytes(data, name, 0) >= 0);
}

/**
 * Could marked content reachable from these resources carry /ActualText: a named property list that has
 * one, or a form whose stream mentions it. Asked only of pages whose fonts cannot produce 秘, so that a
 * stamp given as ActualText over glyphs that decode to something else is still read.
 */
export function resourcesCarryActualText(st: PageState, resources: Dict | null, seen: Set<Dict> = new Set(), depth = 0): boolean {
  const doc = st.doc;
  if (!resources || seen.has(resources) || depth > MAX_FORM_DEPTH) return false;
  seen.add(resources);
  const props = doc.dict(resources.get('Properties'));
  if (props) for (const v of props.values()) if (doc.dict(v)?.has('ActualText')) return true;
  for (const s of formsOf(doc, resources)) {
    if (formMentionsActualText(st, s)) return true;
    if (resourcesCarryActualText(st, doc.dict(s.dict.get('Resources')), seen, depth + 1)) return true;
  }
  return false;
}

/** Whether a form's own stream mentions /ActualText (decoded once per page, shared with runForm). */
export function formMentionsActualText(st: PageState, s: Stream): boolean {
  const { data } = decodedForm(st, s);
  return !!data && mentionsActualText(data);
}

/** A decoded form stream, and whether it could only be read in part. */
interface DecodedForm {
  data: Uint8Array | null;
  partial: boolean;
}

/**
 * A form's stream, decoded once per page (a form drawn many times, or looked at for ActualText first,
 * is inflated once; one of 4 MiB or more is not kept). Damage counts against the page only when the
 * form is drawn (runForm).
 */
function decodedForm(st: PageState, s: Stream): DecodedForm {
  let d = st.formData.get(s);
  if (!d) {
    const info = { partial: false };
    d = { data: st.doc.decodeStream(s, true, info), partial: info.partial };
    if (!d.data || d.data.length < 4 << 20) st.formData.set(s, d);
  }
  return d;
}

/**
 * A line a viewer draws that no stream of the file holds, placed where it is drawn (its first baseline at `across`, from
 * `from` along a horizontal line), so that readingOrder reads it with the page's lines beside or under it.
 */
export function placeLine(st: PageState, text: string, from: number, across: number, size: number): void {
  if (!text.trim() || st.lines.length >= MAX_PLACED_LINES) return;
  if (st.last !== '\n' && st.has) st.out.push('\n');
  const start = st.out.length;
  st.out.push(text);
  let ems = 0;
  for (const c of text) ems += c.charCodeAt(0) >= 0x2e80 ? 1 : 0.5;
  const to = from + ems * size;
  st.lines.push({ start, end: st.out.length, from, to, across, ux: 1, uy: 0, size, pieces: [{ text, from, to }] });
  st.out.push('\n');
  st.last = '\n';
  st.has = true;
}

/** Starts reading a page: its parts (content, annotation appearances) are read with readPart, then endPage. */
export function startPage(st: PageState): void {
  st.lines.length = 0;
}

/**
 * Runs `read` when the page can show a stamp: its fonts can produce 秘 (or all text is wanted), or its
 * marked content may carry /ActualText — then in the ActualText reading, as a search or a copy in a
 * PDF reader sees it (over glyphs that LibreOffice, lacking a font, maps to the wrong character).
 */
export function readPart(st: PageState, glyphs: boolean, actual: boolean, read: () => void): void {
  if (!glyphs && !actual) return;
  st.actualText = actual;
  read();
  st.actualText = false;
  if (st.last !== '\n' && st.has) endLine(st);
}

/** Ends a page: its lines, from all its parts, are given again in reading order where drawn out of it. */
export function endPage(st: PageState): void {
  const lines = st.lines;
  let top: PlacedLine | undefined;
  let bottom: PlacedLine | undefined;
  for (const l of lines) {
    if (!top || l.across > top.across) top = l;
    if (!bottom || l.across < bottom.across) bottom = l;
  }
  const text = (l: PlacedLine | undefined) => (l ? st.out.slice(l.start, l.end).join('').replace(GAPS, ' ').trim() : '');
  st.top = text(top);
  st.bottom = text(bottom);
  readingOrder(st);
}

/**
 * Lines side by side in one band (their baselines less than the larger's size apart: a big 秘 and, to
 * its right, a smaller 「Confidential」 floated there and drawn first), up to three of the larger's
 * sizes apart along the line: `pair` is given the one on the left, then the one on the right, by index.
 * `order` is top to bottom; the lines of the band below or level with order[p] are the ones after it.
 */
function sideBySide(lines: readonly PlacedLine[], order: readonly number[], p: number, pair: (left: number, right: number) => void): void {
  const a = lines[order[p]];
  for (let q = p + 1; q < order.length; q++) {
    const b = lines[order[q]];
    const big = Math.max(a.size, b.size);
    if (a.across - b.across >= big) break;
    if (Math.abs(b.ux - a.ux) + Math.abs(b.uy - a.uy) > 0.2) continue;
    if (b.from >= a.to - 0.1 * big && b.from - a.to < 3 * big) pair(order[p], order[q]);
    else if (a.from >= b.to - 0.1 * big && a.from - b.to < 3 * big) pair(order[q], order[p]);
  }
}

/**
 * Strings drawn later that land inside an earlier line, on its baseline (or touch its end): a badge 「秘」 in
 * 「文書区分: [秘] Confidential」 that Chromium, WeasyPrint and wkhtmltopdf paint after the page's other
 * text (a positioned, transformed or translucent inline box is painted in a later phase), or a 秘
 * written into a template's blank by pdf-lib or a pypdf overlay. pdftotext puts them back in the line
 * at their place; so does this: each such line is given again with the later strings spliced in
 * (the earlier line's strings split at their blanks, placed in proportion to their characters).
 */
function splices(lines: readonly PlacedLine[], order: readonly number[], out: string[]): void {
  const into = new Map<number, number[]>();
  // Top to bottom by where each line starts, across the first line's direction (a turned badge's own
  // baseline is elsewhere in its frame).
  const ref = lines[order[0]];
  const level = lines.map((l) => inFrame(l.from, l.across, l, ref)[1]);
  const byLevel = order.slice().sort((x, y) => level[y] - level[x]);
  for (let p = 0; p < byLevel.length; p++) {
    const a = lines[byLevel[p]];
    for (let q = p + 1; q < byLevel.length; q++) {
      const b = lines[byLevel[q]];
      const big = Math.max(a.size, b.size);
      if (level[byLevel[p]] - level[byLevel[q]] > 2 * big) break;
      const [host, late] = byLevel[p] < byLevel[q] ? [byLevel[p], byLevel[q]] : [byLevel[q], byLevel[p]];
      const h = lines[host];
      const l = lines[late];
      if (!h.pieces || !l.pieces || Math.abs(h.ux - l.ux) + Math.abs(h.uy - l.uy) > 0.2) continue;
      if (l.size > 2 * h.size || h.size > 2 * l.size) continue;
      // The late line's start in the host's frame (a badge may be turned a few degrees).
      const [from, across] = inFrame(l.from, l.across, l, h);
      if (!sameLine(across - h.across, l.size, h.size)) continue;
      // Inside the earlier line, or touching its end (the rest of a word, 「Confid」+「ential」).
      if (from <= h.from + 0.1 * h.size || from > h.to + 0.15 * h.size) continue;
      // A late line that hosts others itself is spliced there; one host per late line.
      const list = into.get(host) ?? [];
      if (list.length < 16 && !list.includes(late)) list.push(late);
      into.set(host, list);
    }
  }
  for (const [host, late] of into) {
    const h = lines[host];
    const pieces: Piece[] = [];
    for (const piece of h.pieces!) pieces.push(...words(piece));
    for (const j of late) {
      const l = lines[j];
      for (const piece of l.pieces!) pieces.push({ text: piece.text, from: inFrame(piece.from, l.across, l, h)[0], to: inFrame(piece.to, l.across, l, h)[0] });
    }
    out.push(joinPieces(pieces, h.size));
  }
}

/** A point given along and across line `a`'s direction, given along and across line `b`'s. */
function inFrame(along: number, across: number, a: PlacedLine, b: PlacedLine): [number, number] {
  const x = along * a.ux - across * a.uy;
  const y = along * a.uy + across * a.ux;
  return [x * b.ux + y * b.uy, -x * b.uy + y * b.ux];
}

/**
 * A string cut at its blanks, each word placed along the string in proportion to its characters (a
 * full-width character counted twice a half-width one's): where a later string lands between two
 * words, it is put between them.
 */
function words(piece: Piece): Piece[] {
  if (!/[\s\u3000]/.test(piece.text)) return [piece];
  const weight = (c: string) => (c.charCodeAt(0) >= 0x2e80 ? 2 : 1);
  let total = 0;
  for (const c of piece.text) total += weight(c);
  const unit = (piece.to - piece.from) / (total || 1);
  const parts: Piece[] = [];
  let at = 0;
  let word = '';
  let start = 0;
  for (const c of piece.text) {
    if (/[\s\u3000]/.test(c)) {
      if (word) parts.push({ text: word, from: piece.from + start * unit, to: piece.from + at * unit });
      word = '';
    } else {
      if (!word) start = at;
      word += c;
    }
    at += weight(c);
  }
  if (word) parts.push({ text: word, from: piece.from + start * unit, to: piece.from + at * unit });
  return parts.length ? parts : [piece];
}

/** Lines a page keeps for readingOrder; past them, drawing order alone. */
const MAX_PLACED_LINES = 2000;

/**
 * Lines drawn out of reading order: a line drawn after another but placed directly above it (two text
 * boxes or positioned blocks, 「Confidential」 drawn first and 「秘」 then put above it: a reader sees
 * 「秘」 over 「Confidential」, as pdftotext gives them). For each line, the line a reader reads next in
 * its column (the nearest below it in the same direction, within three lines' height, overlapping it
 * along the baseline) is given after it again, when it is not the line drawn next.
 */
function readingOrder(st: PageState): void {
  const lines = st.lines;
  if (lines.length < 2) return;
  const text = (l: PlacedLine) => st.out.slice(l.start, l.end).join('');
  // Top to bottom, so that each line's candidates are the few that follow it in this order.
  const order = lines.map((_, i) => i).sort((x, y) => lines[y].across - lines[x].across);
  // A loop, not Math.max(...sizes): a page can hold more lines than a call takes arguments.
  let tallest = 0;
  for (const l of lines) tallest = Math.max(tallest, l.size);
  const pairs: string[] = [];
  for (let p = 0; p < order.length; p++) {
    const i = order[p];
    const a = lines[i];
    let next = -1;
    let gap = Infinity;
    let diagonal = -1;
    let diagonalGap = Infinity;
    for (let q = p + 1; q < order.length; q++) {
      const j = order[q];
      const b = lines[j];
      const down = a.across - b.across; // how far below a (across grows upwards)
      if (down > 3 * tallest) break;
      if (Math.abs(b.ux - a.ux) + Math.abs(b.uy - a.uy) > 0.2) continue;
      const big = Math.max(a.size, b.size);
      if (down <= 0.3 * a.size || down > 3 * big || b.to < a.from) continue;
      if (b.from > a.to) {
        // Starting right of where a ends, just under it (a big 「秘」 with 「Confidential」 under its
        // right edge, drawn first): a's successor when nothing below overlaps it, as pdftotext reads it.
        if (down <= 1.5 * big && b.from - a.to < 3.2 * big && down < diagonalGap) {
          diagonalGap = down;
          diagonal = j;
        }
        continue;
      }
      if (down < gap) {
        gap = down;
        next = j;
      }
    }
    if (next < 0) next = diagonal;
    if (next >= 0 && next !== i + 1) pairs.push(text(a), text(lines[next]));
    sideBySide(lines, order, p, (left, right) => right !== left + 1 && pairs.push(text(lines[left]), text(lines[right])));
    if ((p & 255) === 255) st.checkTime();
  }
  splices(lines, order, pairs);
  if (pairs.length) st.out.push('\n', pairs.join('\n'), '\n');
  const around = aroundReadings(lines, text);
  if (around.length) st.out.push('\n|\n', around.join('\n|\n'), '\n');
  lines.length = 0;
}

/**
 * Lines of ruby readings drawn between the lines of their text: in 縦書き LibreOffice draws a column's
 * upright characters and its turned Latin words as lines of their own, and the reading of a word (「ひ」
 * beside 秘, 「コンフィデンシャル」 beside Confidential) as a line between them, so 「秘」, 「コンフィデンシャル」,
 * 「Confidential」 follow one another where a reader sees 秘 Confidential down the column with the reading
 * beside it. For each run of such lines (kana only, smaller than three quarters of the lines on either
 * side), the lines on either side (blank ones skipped) are given side by side, each pair apart.
 */
function aroundReadings(lines: readonly PlacedLine[], text: (l: PlacedLine) => string): string[] {
  const shown = lines.map((l) => text(l).replace(GAPS, '').trim());
  const reading = shown.map((t) => READING.test(t));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!reading[i] || (i > 0 && reading[i - 1])) continue;
    let before = i - 1;
    while (before >= 0 && !shown[before]) before--;
    let after = i + 1;
    while (after < lines.length && (reading[after] || !shown[after])) after++;
    if (before < 0 || after >= lines.length || reading[before]) continue;
    const small = Math.min(lines[before].size, lines[after].size);
    let smaller = true;
    for (let k = i; k < after; k++) if (shown[k] && lines[k].size >= 0.75 * small) smaller = false;
    if (smaller) out.push(`${text(lines[before])}\n${text(lines[after])}`);
    if (out.length >= 256) break;
  }
  return out;
}
