/**
 * Excel 97-2003 (BIFF8, and BIFF5 label cells) workbook stream: shared strings (SST with CONTINUE),
 * LABEL/LABELSST/RSTRING/STRING cells with their sheet and cell reference, headers/footers,
 * sheet names, and text of comments and text boxes (TXO + CONTINUE).
 */
import { headerText } from './print-header.js';
import { FormulaBook, evaluateFormula, parseXlsFormula, type ParsedFormula } from './formula-text.js';
import { formatShown, shownAs, textSection } from './number-format.js';
import { mayHaveStampChar } from './byte-scan.js';
import { codepageDecoder } from './ole2-props.js';
import { biffChars } from '../bytes.js';
import { HiddenColumns, MergedCells, RowTexts, SEPARATOR, cellName, type TextCell } from './sheet-rows.js';
import { TallMerges } from './tall-merges.js';
import { shapePairs, type ShapeBox } from './shape-pairs.js';
import { ConditionalRecords, MAX_COND_RANGES, type CondRange } from './xls-conditional.js';
import { ChartLabels } from './xls-chart-labels.js';

export interface XlsResult {
  encrypted: boolean;
  /** What could not be read, when records are damaged. */
  damaged?: string;
  /** What could not be read past a limit (too many strings, merges, rows to join). */
  tooLarge?: string;
  /** Cells whose text could carry the stamp (contains 秘 or ㊙), one run each with its reference. */
  cells: { sheet: string; cell: string; text: string }[];
  /**
   * Rows where a cell with 秘/㊙ stands beside other cells, each as one text (neighbouring cells joined by
   * a space, others kept apart: sheet-rows.ts, as xlsx and xlsb read them), named by that cell.
   */
  rows: { sheet: string; cell: string; text: string }[];
  /** Whole sheets, cells kept apart by SEPARATOR (for designated keywords), and headers and footers. */
  sheets: { sheet: string; area?: string; text: string }[];
  /** Sheet names, shared strings used by no cell, and anything not tied to a sheet. */
  other: { area: string; text: string }[];
  /** Formula cells with no computed text that may show the stamp, unevaluated (formula-text.ts): at most MAX_UNREAD named. */
  unread: { sheet: string; cell: string }[];
}

const MAX_STRINGS = 2_000_000;
/** Unread formula cells named: the first say where. */
const MAX_UNREAD = 1_000;
/** Formula cells with no computed value kept to evaluate once every cell is read: past it, the workbook is reported unread. */
const MAX_DEFERRED = 100_000;
/** Records that may stand between a FORMULA with a text result and its STRING (shared formula, array, table). */
const BEFORE_STRING = new Set([0x04bc, 0x0221, 0x0236]);

/** A formula cell with no computed value (or a text result whose STRING is missing): evaluated after every cell is read. */
interface Deferred {
  sheet: string;
  row: number;
  col: number;
  xf: number;
  parsed: ParsedFormula;
}
/** Merged ranges kept per workbook (MERGEDCELLS holds up to 1,026 each): past this the workbook is reported too large to read as it shows. */
const MAX_MERGES = 1 << 20;

/** Shapes of a sheet kept with their places; past them, the text alone. */
const MAX_SHAPES = 4000;

/**
 * An object's place from its OfficeArtClientAnchorSheet (columns and rows with offsets in 1/1024 of a column
 * and 1/256 of a row), in pixels of a default sheet (64 a column, 20 a row): column widths and row heights
 * are not followed. Null when the record holds none.
 */
function sheetAnchor(d: Uint8Array): { x: number; y: number; w: number; h: number } | null {
  const u16 = (o: number) => d[o] | (d[o + 1] << 8);
  let found: { x: number; y: number; w: number; h: number } | null = null;
  for (let p = 0; p + 8 <= d.length; ) {
    const ver = u16(p) & 0x0f;
    const type = u16(p + 2);
    const len = (u16(p + 4) | (u16(p + 6) << 16)) >>> 0;
    if (ver === 0x0f) {
      p += 8; // a container: its records follow
      continue;
    }
    if (type === 0xf010 && len >= 18 && p + 8 + 18 <= d.length) {
      const a = p + 8;
      const x = u16(a + 2) * 64 + (Math.min(u16(a + 4), 1024) / 1024) * 64;
      const y = u16(a + 6) * 20 + (Math.min(u16(a + 8), 256) / 256) * 20;
      const right = u16(a + 10) * 64 + (Math.min(u16(a + 12), 1024) / 1024) * 64;
      const bottom = u16(a + 14) * 20 + (Math.min(u16(a + 16), 256) / 256) * 20;
      found = { x, y, w: right - x, h: bottom - y };
    }
    p += 8 + len;
  }
  return found;
}

/** A merged range: first row, first column, last column, last row (0-based). */
type Merge = [number, number, number, number];

/** Reads across an SST record and its CONTINUE records (a new option byte starts each one mid-string). */
class Segments {
  private si = 0;
  private pos = 0;
  constructor(private readonly segs: Uint8Array[]) {}
  get done(): boolean {
    while (this.si < this.segs.length && this.pos >= this.segs[this.si].length) {
      this.si++;
      this.pos = 0;
    }
    return this.si >= this.segs.length;
  }
  u8(): number {
    if (this.done) throw new RangeError('SST ends early');
    return this.segs[this.si][this.pos++];
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
  skip(n: number): void {
    while (n > 0) {
      if (this.done) throw new RangeError('SST ends early');
      const k = Math.min(n, this.segs[this.si].length - this.pos);
      this.pos += k;
      n -= k;
    }
  }
  chars(cch: number, high: boolean): string {
    let s = '';
    while (cch > 0) {
      const cur = this.segs[this.si];
      if (!cur || this.pos >= cur.length) {
        // The string continues in the next CONTINUE record, which starts with a new option byte.
        this.si++;
        this.pos = 0;
        const next = this.segs[this.si];
        if (!next || next.length === 0) throw new RangeError('SST ends early');
        high = (next[this.pos++] & 1) === 1;
        continue;
      }
      const avail = Math.floor((cur.length - this.pos) / (high ? 2 : 1));
      if (avail === 0) throw new RangeError('odd split');
      const k = Math.min(cch, avail);
      s += biffChars(cur, this.pos, k, high);
      this.pos += k * (high ? 2 : 1);
      cch -= k;
    }
    return s;
  }
}

/** XLUnicodeRichExtendedString inside the SST. */
function sstString(r: Segments): string {
  const cch = r.u16();
  const fl = r.u8();
  const runs = fl & 0x08 ? r.u16() : 0;
  const ext = fl & 0x04 ? r.u32() : 0;
  const s = r.chars(cch, (fl & 1) === 1);
  r.skip(runs * 4);
  r.skip(ext);
  return s;
}


/** `file`: the workbook's own name, which a header's `&F` prints. */
export function readXls(b: Uint8Array, checkTime: () => void, file?: string): XlsResult {
  const res: XlsResult = { encrypted: false, cells: [], rows: [], sheets: [], other: [], unread: [] };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const recs: { type: number; off: number; data: Uint8Array }[] = [];
  for (let p = 0; p + 4 <= b.length; ) {
    const type = dv.getUint16(p, true);
    const len = dv.getUint16(p + 2, true);
    recs.push({ type, off: p, data: b.subarray(p + 4, Math.min(b.length, p + 4 + len)) });
    if (p + 4 + len > b.length) res.damaged = 'the last record runs past the end of the stream';
    p += 4 + len;
  }
  let biff8 = true;
  let dec = codepageDecoder(1252);
  const sst: string[] = [];
  const used = new Set<number>();
  const sheetAt = new Map<number, string>();
  const bofAt = new Set<number>();
  const sheetNames: string[] = [];
  const sheetCells = new Map<string, TextCell[]>();
  const headers: { sheet: string; area: 'header' | 'footer'; text: string }[] = [];
  const objects: string[] = [];
  // Text boxes and shapes with their places (MSODRAWING's anchor, then OBJ, then TXO), per sheet, for the
  // reading by position (shape-pairs.ts); the anchor met last, and whether its object is a comment.
  const shapes = new Map<string, ShapeBox[]>();
  let anchor: { x: number; y: number; w: number; h: number } | null = null;
  let comment = false;
  /** The chart substream being read (its titles by place, xls-chart-labels.ts), and each chart's on its sheet. */
  let chart: ChartLabels | null = null;
  const charts: { sheet: string; labels: ChartLabels }[] = [];
  /** Text literals of each sheet's formulas: text a search finds, even when no value was computed. */
  const literals = new Map<string, string[]>();
  let sheet = '';
  let formulaCell = '';
  let bofs = 0;
  let eofs = 0;
  let zeros = 0; // where a run of zero records began (0: none since the last record)
  /** Each text cell's own text (before its number format), by sheet and cell: what a formula that refers to it reads. */
  const rawCells = new Map<string, string>();
  const deferred: Deferred[] = [];
  /** A FORMULA whose text result is in the STRING record that should follow. */
  let awaiting: Deferred | null = null;
  /** SUPBOOK records in order (true: this workbook's own sheets), and EXTERNSHEET's entries: a 3-D reference's sheet. */
  const supbooks: boolean[] = [];
  const xti: [number, number, number][] = [];
  const sheetOf = (ixti: number): string | null => {
    const x = xti[ixti];
    return x && supbooks[x[0]] && x[1] === x[2] ? (sheetNames[x[1]] ?? null) : null;
  };
  const defer = (f: Deferred) => {
    if (deferred.length < MAX_DEFERRED) deferred.push(f);
    else res.tooLarge ??= `more than ${MAX_DEFERRED.toLocaleString('en')} formulas with no computed value`;
  };

  const xlString = (d: Uint8Array, o: number, lenBytes: 1 | 2): string => {
    // XLUnicodeString (BIFF8) or a byte string in the workbook code page (BIFF5).
    if (o + lenBytes > d.length) return '';
    const cch = lenBytes === 2 ? d[o] | (d[o + 1] << 8) : d[o];
    o += lenBytes;
    if (!biff8) return dec.decode(d.subarray(o, o + cch));
    const fl = d[o++];
    let skipRuns = 0;
    if (fl & 0x08) {
      skipRuns = 2;
    }
    const skipExt = fl & 0x04 ? 4 : 0;
    o += skipRuns + skipExt;
    const high = (fl & 1) === 1;
    const n = Math.max(0, Math.min(cch, Math.floor((d.length - o) / (high ? 2 : 1))));
    return biffChars(d, o, n, high);
  };
  /** Merged ranges per sheet (MERGEDCELLS, after the cells): a merged cell neighbours the cell after the columns it covers. */
  const sheetMerges = new Map<string, Merge[]>();
  let merges = 0;
  /** Hidden columns per sheet (COLINFO fHidden): a row is also read without them (sheet-rows.ts). */
  const sheetHidden = new Map<string, HiddenColumns>();
  /** Number formats (FORMAT, by ifmt) and cell styles (XF, in order) that print text around a text cell's (number-format.ts). */
  const formatSections = new Map<number, string>();
  const xfSections: (string | undefined)[] = [];
  /** Number formats whose literals may show 秘 (`[$秘-411] "Confidential" 0`), as cells of their style show them. */
  const formatTexts: string[] = [];
  /** Conditional formats' text sections with the ranges they may show on, per sheet (xls-conditional.ts). */
  let conditional = new ConditionalRecords();
  const sheetConditional = new Map<string, { ranges: CondRange[]; section: string }[]>();
  let condRanges = 0;
  /**
   * Styles aligned "Center Across Selection" (XF alc 6), and per sheet the cells of such a style: a text
   * cell's text stands over the blank ones after it, as a merged cell's does (sheet-rows.ts).
   */
  const xfCentred: boolean[] = [];
  const sheetCentred = new Map<string, { texts: [number, number][]; blanks: Set<number> }>();
  let centredCells = 0;
  const centred = (row: number, col: number, text: boolean, name = sheet || '?') => {
    if (centredCells++ >= MAX_MERGES) {
      res.tooLarge ??= `more than ${MAX_MERGES.toLocaleString('en')} cells centred across selection`;
      return;
    }
    let c = sheetCentred.get(name);
    if (!c) sheetCentred.set(name, (c = { texts: [], blanks: new Set() }));
    if (text) c.texts.push([row, col]);
    else c.blanks.add(row * 0x10000 + col);
  };
  /** A cell's text (`xf`: its style's index) on sheet `name`, as its number format shows it. */
  const add = (row: number, col: number, raw: string, xf = -1, name = sheet || '?') => {
    const section = xfSections[xf];
    const text = section && raw ? shownAs(section, raw) : raw;
    if (!text) return;
    let arr = sheetCells.get(name);
    if (!arr) sheetCells.set(name, (arr = []));
    arr.push({ row, col, text, sst: null });
    rawCells.set(`${name.toLowerCase()}\0${row},${col}`, raw);
    if (xfCentred[xf]) centred(row, col, true, name);
    if (text.includes('秘') || text.includes('㊙')) res.cells.push({ sheet: name, cell: cellName(row, col), text });
  };

  for (let i = 0; i < recs.length; i++) {
    if ((i & 8191) === 0) checkTime();
    const { type, off, data: d } = recs[i];
    const u16 = (o: number) => (o + 2 <= d.length ? d[o] | (d[o + 1] << 8) : 0);
    const u32 = (o: number) => (o + 4 <= d.length ? (u16(o) | (u16(o + 2) << 16)) >>> 0 : 0);
    // A text result whose STRING record never came: what the cell shows is the formula's to tell.
    if (awaiting && type !== 0x0207 && !BEFORE_STRING.has(type)) {
      defer(awaiting);
      awaiting = null;
    }
    // Zeros (records of type 0 and no length) are what a writer pads the stream's end with; zeros with
    // records after them are a block overwritten (the records that stood there are gone).
    if (type === 0 && d.length === 0) zeros ||= off;
    else if (zeros) {
      res.damaged ??= `the records at byte ${zeros} were overwritten with zeros`;
      zeros = 0;
    }
    if (chart && type >= 0x1000 && type <= 0x10ff) chart.record(type, d);
    switch (type) {
      case 0x000a: // EOF: the end of a substream (the workbook's globals, a sheet, a chart)
        eofs++;
        chart = null;
        break;
      case 0x0809: // BOF
        if (bofs++ === 0) biff8 = u16(0) === 0x0600;
        if (sheetAt.has(off)) sheet = sheetAt.get(off)!;
        // A chart (dt 0x0020): embedded ones stand inside their sheet's substream, a chart sheet is a sheet of its own.
        if (biff8 && u16(2) === 0x0020 && charts.length < MAX_SHAPES) charts.push({ sheet: sheet || '?', labels: (chart = new ChartLabels()) });
        bofAt.add(off);
        conditional = new ConditionalRecords();
        break;
      case 0x01b0: // CONDFMT, CF, CONDFMT12, CF12, CFEx: a conditional format's number format (xls-conditional.ts)
      case 0x01b1:
      case 0x0879:
      case 0x087a:
      case 0x087b: {
        const got = conditional.record(type, d);
        if (!got) break;
        const f = got.format;
        const code = 'code' in f ? f.code : null;
        const section = 'code' in f ? textSection(f.code) : formatSections.get(f.ifmt);
        // Its literals show on number cells too (`"秘 Confidential" 0`), as a FORMAT record's do.
        if (code !== null && mayHaveStampChar(formatShown(code))) formatTexts.push(formatShown(code));
        if (!section) break;
        if ((condRanges += got.ranges.length) > MAX_COND_RANGES) {
          res.tooLarge ??= `more than ${MAX_COND_RANGES.toLocaleString('en')} conditional format ranges with a text number format`;
          break;
        }
        const name = sheet || '?';
        const list = sheetConditional.get(name) ?? [];
        list.push({ ranges: got.ranges, section });
        sheetConditional.set(name, list);
        break;
      }
      case 0x002f: // FILEPASS
        res.encrypted = true;
        return res;
      case 0x041e: {
        // FORMAT: ifmt, then the code (BIFF8 XLUnicodeString; BIFF5 a byte string).
        const code = biff8 ? xlString(d, 2, 2) : dec.decode(d.subarray(3, 3 + (d[2] ?? 0)));
        const section = textSection(code);
        if (section) formatSections.set(u16(0), section);
        const shown = formatShown(code);
        if (mayHaveStampChar(shown)) formatTexts.push(shown);
        break;
      }
      case 0x00e0: // XF: its number format (ifmt) at 2; cells name their XF by index.
        xfSections.push(formatSections.get(u16(2)));
        // Horizontal alignment (alc, the low 3 bits at 6): 6 is "Center Across Selection".
        xfCentred.push((d[6] & 7) === 6);
        break;
      case 0x0201: // BLANK: row, column, XF
        if (xfCentred[u16(4)]) centred(u16(0), u16(2), false);
        break;
      case 0x00be: // MULBLANK: row, first column, an XF per column, last column
        for (let c = u16(2), k = 4; k + 2 <= d.length - 2; c++, k += 2) if (xfCentred[u16(k)]) centred(u16(0), c, false);
        break;
      case 0x01ae: // SUPBOOK: ctab, then 0x0401 when it stands for this workbook's own sheets.
        supbooks.push(u16(2) === 0x0401);
        break;
      case 0x0017: // EXTERNSHEET (BIFF8): XTI entries of supporting link, first and last sheet.
        if (biff8) for (let k = 0, n = u16(0); k < n && 2 + 6 * k + 6 <= d.length; k++) xti.push([u16(2 + 6 * k), u16(4 + 6 * k), u16(6 + 6 * k)]);
        break;
      case 0x0042: // CODEPAGE
        dec = codepageDecoder(u16(0));
        break;
      case 0x0085: {
        // BOUNDSHEET
        const name = biff8 ? xlString(d, 6, 1) : dec.decode(d.subarray(7, 7 + d[6]));
        sheetAt.set(u32(0), name);
        sheetNames.push(name);
        break;
      }
      case 0x00fc: {
        // SST + CONTINUE
        const segs = [d.subarray(8)];
        while (i + 1 < recs.length && recs[i + 1].type === 0x003c) segs.push(recs[++i].data);
        const r = new Segments(segs);
        const count = Math.min(u32(4), MAX_STRINGS);
        if (u32(4) > MAX_STRINGS) res.tooLarge ??= `more than ${MAX_STRINGS.toLocaleString('en')} shared strings`;
        try {
          for (let k = 0; k < count && !r.done; k++) {
            sst.push(sstString(r));
            if ((k & 4095) === 0) checkTime();
          }
        } catch {
          // Keep the strings read so far; the rest is reported, not silently dropped.
          res.damaged = `the shared string table ends after ${sst.length} of ${count} strings`;
        }
        break;
      }
      case 0x00fd: {
        // LABELSST
        const idx = u32(6);
        if (idx < sst.length) {
          used.add(idx);
          add(u16(0), u16(2), sst[idx], u16(4));
        } else res.damaged ??= `a cell shows shared string ${idx}, past the ${sst.length} the table holds`;
        break;
      }
      case 0x0204: // LABEL
      case 0x00d6: // RSTRING
        add(u16(0), u16(2), xlString(d, 6, 2), u16(4));
        break;
      case 0x0006: {
        // FORMULA: a text result follows in a STRING record (remember the cell); any other stored
        // result is no text, or none was computed (writers that never calculate store 0): what the
        // formula shows is read from its tokens (formula-text.ts), with the cells it refers to once all are read.
        formulaCell = `${u16(0)},${u16(2)},${u16(4)}`;
        // An array formula's first cell holds only ptgExp (0x01); its tokens are in the ARRAY record
        // that follows (ref 6 bytes, grbit, chn, then cce at 12 and the tokens at 14).
        const next = recs[i + 1];
        const array = d[22] === 0x01 && next?.type === 0x0221 ? next.data : null;
        const rgce = array ? array.subarray(14, 14 + (array[12] | (array[13] << 8))) : d.subarray(22, 22 + u16(20));
        const parsed = parseXlsFormula(rgce, biff8, (x) => dec.decode(x), sheetOf);
        const f = evaluateFormula(parsed);
        if (f.literals.length) {
          const name = sheet || '?';
          let arr = literals.get(name);
          if (!arr) literals.set(name, (arr = []));
          arr.push(...f.literals);
        }
        const cell: Deferred = { sheet: sheet || '?', row: u16(0), col: u16(2), xf: u16(4), parsed };
        // A computed text (STRING follows, else the formula tells), boolean or error result: what the cell shows.
        if (u16(12) === 0xffff) {
          if (d[6] === 0) awaiting = cell;
          // An empty text is what writers that never calculate store (xlwt always, Spreadsheet::WriteExcel
          // given ''), as a stored 0 is: LibreOffice and Gnumeric compute the formula, and so does Excel.
          else if (d[6] === 3) {
            if (f.value !== null) add(cell.row, cell.col, f.value);
            else defer(cell);
          }
          break;
        }
        // A number: a formula that can only make text did not compute it (its value shows instead);
        // any other may have (LEN("秘"&A1)), unless the number is 0, what writers that never
        // calculate store: then it is evaluated with the cells it refers to.
        // An array formula's stored number is not read either: LibreOffice computes array formulas again
        // on load (Gnumeric's xls of XlsxWriter's uncomputed {=A1&" Confidential"} stores 0).
        if (f.value !== null) add(cell.row, cell.col, f.value);
        else if (array || d.subarray(6, 14).every((x) => x === 0)) defer(cell);
        break;
      }
      case 0x0207: {
        // STRING (formula result)
        const of = awaiting;
        awaiting = null;
        const [r, c, xf] = formulaCell.split(',').map(Number);
        const text = xlString(d, 0, 2);
        // An empty text given as the result (Spreadsheet::WriteExcel's write_formula(…, '')): not computed, as above.
        if (!text && of) {
          const v = evaluateFormula(of.parsed).value;
          if (v !== null) add(of.row, of.col, v);
          else defer(of);
        } else add(r || 0, c || 0, text, xf ?? -1);
        break;
      }
      case 0x00e5: {
        // MERGEDCELLS: a count, then Ref8 ranges (first row, last row, first column, last column; u16 each).
        const name = sheet || '?';
        let arr = sheetMerges.get(name);
        if (!arr) sheetMerges.set(name, (arr = []));
        for (let k = 0, n = u16(0); k < n && 2 + 8 * k + 8 <= d.length; k++, merges++) {
          if (merges >= MAX_MERGES) {
            res.tooLarge ??= `more than ${MAX_MERGES.toLocaleString('en')} merged ranges`;
            break;
          }
          const o = 2 + 8 * k;
          arr.push([u16(o), u16(o + 4), u16(o + 6), u16(o + 2)]);
        }
        break;
      }
      case 0x007d: {
        // COLINFO: first and last column, width, XF, then options (fHidden: bit 0).
        if (d.length < 10 || !(d[8] & 1)) break;
        const name = sheet || '?';
        let hidden = sheetHidden.get(name);
        if (!hidden) sheetHidden.set(name, (hidden = new HiddenColumns()));
        hidden.add(u16(0), Math.min(u16(2), 16_383));
        break;
      }
      case 0x0014: // HEADER
      case 0x0015: // FOOTER
        if (d.length > 0) headers.push({ sheet, area: type === 0x0015 ? 'footer' : 'header', text: headerText(xlString(d, 0, biff8 ? 2 : 1), sheet, file) });
        break;
      case 0x00ec: // MSODRAWING: an object's OfficeArt records, its anchor among them.
        anchor = sheetAnchor(d) ?? anchor;
        comment = false;
        break;
      case 0x005d: // OBJ: its first subrecord (ftCmo) says what the object is; 0x19 is a comment.
        comment = u16(0) === 0x15 && u16(4) === 0x19;
        break;
      case 0x01b6: {
        // TXO: text of a comment or text box follows in CONTINUE records (each starts with an option byte).
        const cch = u16(10);
        let got = '';
        let j = i + 1;
        while (got.length < cch && j < recs.length && recs[j].type === 0x003c) {
          const cd = recs[j].data;
          if (cd.length === 0) break;
          const high = (cd[0] & 1) === 1;
          const n = Math.min(cch - got.length, Math.floor((cd.length - 1) / (high ? 2 : 1)));
          got += biffChars(cd, 1, n, high);
          j++;
        }
        if (got) objects.push(got.replace(/\r/g, '\n'));
        if (got && anchor && !comment) {
          const list = shapes.get(sheet || '?') ?? [];
          if (list.length < MAX_SHAPES) list.push({ ...anchor, text: got.replace(/\r/g, '\n') });
          shapes.set(sheet || '?', list);
        }
        anchor = null;
        break;
      }
    }
  }

  if (awaiting) defer(awaiting);
  evaluateDeferred(deferred, rawCells, res, add);
  // Each sheet the workbook lists starts where it says, with a BOF record: one that does not was
  // overwritten or cut away, and its cells are gone (Excel refuses the file; LibreOffice shows it empty).
  for (const [off, name] of sheetAt) if (!bofAt.has(off)) res.damaged ??= `sheet ${name} is missing (its records are not where the workbook says)`;
  if (eofs < bofs) res.damaged ??= 'the workbook ends before its last part does (its end record is missing)';

  // A text centred across the blank cells of its style after it: merged over them, as it shows.
  for (const [name, { texts, blanks }] of sheetCentred) {
    let arr = sheetMerges.get(name);
    for (const [row, col] of texts) {
      let last = col;
      while (blanks.has(row * 0x10000 + last + 1)) last++;
      if (last === col) continue;
      if (!arr) sheetMerges.set(name, (arr = []));
      arr.push([row, col, last, row]);
    }
  }
  for (const [name, cells] of sheetCells) {
    const conditional = sheetConditional.get(name);
    if (conditional) conditionalShown(cells, name, conditional, rawCells, sheetMerges.get(name) ?? [], sheetHidden.get(name) ?? null, res);
    const joined = joinedRows(cells, name, sheetMerges.get(name) ?? [], sheetHidden.get(name) ?? null);
    res.rows.push(...joined.rows);
    if (joined.lost) res.tooLarge ??= `sheet ${name}: too many merged ranges or cells with 秘 to join its rows`;
    res.sheets.push({ sheet: name, text: cells.map((c) => c.text).join(SEPARATOR) });
  }
  // Shapes side by side or one under the other, their texts joined: a circle 「秘」 and a text box 「Confidential」 beside it.
  for (const [name, list] of shapes) {
    const pairs = shapePairs(list, checkTime);
    if (pairs) res.sheets.push({ sheet: name, area: 'drawing', text: pairs });
  }
  // A chart's title beside an axis title: 「秘」 and 「Confidential」 side by side on the chart.
  for (const c of charts) {
    const pairs = shapePairs(c.labels.boxes, checkTime);
    if (pairs) res.sheets.push({ sheet: c.sheet, area: 'chart', text: pairs });
  }
  for (const [name, texts] of literals) res.sheets.push({ sheet: name, area: 'formulas', text: texts.join(SEPARATOR) });
  for (const h of headers) res.sheets.push({ sheet: h.sheet, area: h.area, text: h.text.replace(/&[A-Z]|&"[^"]*"|&\d+/g, ' ') });
  if (objects.length) for (const o of objects) res.other.push({ area: 'comments', text: o });
  // Sheet names and strings no cell shows are items of their own: 社外秘 and the next one's Confidential are no stamp.
  if (sheetNames.length) res.other.push({ area: 'sheet names', text: sheetNames.join(SEPARATOR) });
  if (formatTexts.length) res.other.push({ area: 'cells', text: formatTexts.join(SEPARATOR) });
  const unused = sst.filter((_, k) => !used.has(k));
  if (unused.length) res.other.push({ area: 'shared strings', text: unused.join(SEPARATOR) });
  return res;
}

/**
 * Formulas with no computed value, evaluated against every cell's text (`raw`) and each other
 * (FormulaBook): a value is the cell's text (`add`, as the sheet's cells are); one not known that may
 * show 秘 in a formula that makes text (it joins, or has literals) is unread.
 */
function evaluateDeferred(deferred: readonly Deferred[], raw: ReadonlyMap<string, string>, res: XlsResult, add: (row: number, col: number, text: string, xf: number, sheet: string) => void): void {
  if (!deferred.length) return;
  const book = new FormulaBook((sheet, row, col) => raw.get(`${sheet.toLowerCase()}\0${row},${col}`) ?? '');
  for (const f of deferred) book.add(f.sheet, f.row, f.col, f.parsed);
  for (const f of deferred) {
    const v = book.evaluate(f.sheet, f.row, f.col);
    if (v.value !== null) add(f.row, f.col, v.value, f.xf, f.sheet);
    else if (v.stamp && (v.joins || v.literals.length > 0) && res.unread.length < MAX_UNREAD) res.unread.push({ sheet: f.sheet, cell: cellName(f.row, f.col) });
  }
  if (book.lost) res.tooLarge ??= 'formulas with no computed value refer to too many cells';
}

/** Cells shown through a conditional format, kept per workbook: past them it is reported too large. */
const MAX_CONDITIONAL_CELLS = 10_000;

/**
 * The text cells of a sheet in a conditional format's ranges, each shown through its text section, alone
 * and in its row (the others as they show without it), as xlsx-conditional.ts reads them.
 */
function conditionalShown(cells: readonly TextCell[], sheet: string, conditional: readonly { ranges: CondRange[]; section: string }[], raw: ReadonlyMap<string, string>, merged: Merge[], hidden: HiddenColumns | null, res: XlsResult): void {
  let shown = 0;
  const byRow = new Map<number, TextCell[]>();
  for (const c of cells) (byRow.get(c.row) ?? byRow.set(c.row, []).get(c.row)!).push(c);
  const key = sheet.toLowerCase();
  for (const c of cells) {
    const text = raw.get(`${key}\0${c.row},${c.col}`);
    if (!text) continue;
    for (const { ranges, section } of conditional) {
      if (!ranges.some(([r1, r2, c1, c2]) => c.row >= r1 && c.row <= r2 && c.col >= c1 && c.col <= c2)) continue;
      const now = shownAs(section, text);
      if (!mayHaveStampChar(now)) continue;
      if (shown++ >= MAX_CONDITIONAL_CELLS) {
        res.tooLarge ??= `sheet ${sheet}: more than ${MAX_CONDITIONAL_CELLS.toLocaleString('en')} cells shown through conditional formats`;
        return;
      }
      res.cells.push({ sheet, cell: cellName(c.row, c.col), text: now });
      const row = byRow.get(c.row)!.map((o) => (o === c ? { ...o, text: now } : o));
      const joined = joinedRows(row, sheet, merged, hidden);
      res.rows.push(...joined.rows);
    }
  }
}

/** The rows of one sheet's text cells, joined (sheet-rows.ts). Sorted: cell records come row by row, but a damaged stream need not. */
function joinedRows(cells: TextCell[], sheet: string, merged: Merge[], hidden: HiddenColumns | null): { rows: XlsResult['rows']; lost: boolean } {
  const rows = new RowTexts();
  rows.hidden = hidden;
  const merges = new MergedCells();
  const tall = new TallMerges();
  const sorted = [...cells].sort((a, b) => a.row - b.row || a.col - b.col);
  const byRow: TextCell[][] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j].row === sorted[i].row) j++;
    const row = sorted.slice(i, j);
    byRow.push(row);
    rows.add(row, {});
    merges.want(row);
    tall.note(row);
    i = j;
  }
  if (merges.wanting) for (const [row, col, lastCol] of merged) merges.add(row, col, lastCol);
  const dropped = rows.joinMerged(merges);
  // A merge over several rows stands beside each of them (tall-merges.ts): the rows it reaches, read again.
  for (const [row, col, lastCol, lastRow] of merged) tall.merge({ row, col, lastRow, lastCol });
  if (tall.plan()) {
    for (const row of byRow) if (tall.wants(row[0].row)) tall.take(row[0].row, row, rows, {});
    tall.finish(rows, {});
  }
  const out = rows.take().map((r) => ({ sheet, cell: r.kind === 'text' ? (r.where.cell ?? '') : '', text: r.kind === 'text' ? r.text : '' }));
  return { rows: out, lost: tall.lost || dropped };
}
