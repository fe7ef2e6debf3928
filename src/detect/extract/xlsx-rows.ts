/**
 * The rows of an xlsx worksheet that matter for the stamp, found while the sheet streams by (it is
 * never held or parsed whole): rows whose bytes hold 秘/㊙ or a character reference (inline and
 * formula strings), and rows with a cell that shows a wanted shared string (one that may hold 秘).
 * Only those rows are parsed into cells, to
 *  - join a stamp split across neighbouring cells (sheet-rows.ts, as xlsb does), and
 *  - name the first cell that shows each wanted shared string ("sheet 明細, cell C3").
 *  - keep the merges (`<mergeCell ref="B2:C2"/>`, after the rows) that start at a cell before a gap
 *    in such a row: a merged cell stands next to the cell after the columns it covers (sheet-rows.ts).
 * A row still open at a chunk's end is carried into the next chunk. A row bigger than MAX_ROW, or
 * rows past the limits kept waiting for the shared strings, are not joined: when the sheet may hold
 * the stamp, `lost` says so and the sheet is reported unread (never clean).
 */
import { concat, indexOfBytes } from '../bytes.js';
import type { Where } from '../types.js';
import { decoder, findNeedles, mayHaveStampChar, type Needle } from './byte-scan.js';
import { HiddenColumns, MergedCells, RowTexts, cellName, type TextCell } from './sheet-rows.js';
import { evaluateFormula, parseFormula, type FormulaRead, type ParsedFormula } from './formula-text.js';
import { TallMerges } from './tall-merges.js';
import { shownAs, type TextFormats } from './number-format.js';
import { XML_TAGS, content, firstContent, firstSpan, spans } from './markup-spans.js';
import { attr, decodeEntities, markupStampHits, withoutKanaReadings, xmlToText } from './xml-text.js';
import { decodeXstring } from './xstring.js';


const MAX_ROW = 4 << 20;
/** Distinct rows kept waiting for the shared strings (as many as sheet-rows.ts keeps texts). */
const MAX_PENDING = 10_000;
/** Row numbers kept waiting (one number each): every row of the largest sheet (1,048,576) fits. */
const MAX_PENDING_ROWS = 1 << 20;
/** Bytes kept when no row is open: a start tag cut by the chunk's end (`<x:ro|w`) is found in the next. */
const TAIL = 32;
/** Longer than `<x:v>` and the digits of any index. */
const SEAM = 24;
/** Bytes of the previous chunk searched again for a `<mergeCell …/>` cut by the chunk's end (one is about 45 bytes). */
const MERGE_SEAM = 256;
const LT = 0x3c;
const SLASH = 0x2f;
const COLON = 0x3a;
const GT = 0x3e;

export class XlsxRows {
  readonly rows = new RowTexts();
  /** The merges that may join a kept row's gap. */
  readonly merges = new MergedCells();
  /** The merges over several rows, and the cells that may hold 秘 (tall-merges.ts). */
  readonly tall = new TallMerges();
  /** The last MERGE_SEAM bytes of the data so far, while merges are wanted. */
  private mergeTail = new Uint8Array(0);
  /** Wanted shared string index → the first cell that shows it. */
  readonly located = new Map<number, Where>();
  /** Formulas with no computed value, in the rows read (formula-text.ts): what they show. */
  readonly formulas = new FormulaCells();
  /**
   * The bytes of the row still open at the end of the data so far (from its `<row`), or, when none
   * is, the last TAIL bytes. Kept as the chunks they came in: a long row is not copied chunk by chunk.
   */
  private carry: Uint8Array[] = [];
  private carryLen = 0;
  /** The carried row holds a trigger. */
  private carryHot = false;
  /** A row over MAX_ROW was given up; some chunk held a trigger (together: a join may be lost). */
  private oversize = false;
  private sawHot = false;
  /** Rows not kept waiting for the shared strings (past MAX_PENDING / MAX_PENDING_ROWS). */
  private unkept = false;

  /**
   * Rows that show shared strings not loaded (`strings` null): joined once `resolve` gives them. By
   * content and columns, with every row number that shows it (a merge may join it in one row only).
   */
  private readonly pending = new Map<string, { cells: TextCell[]; rows: number[] }>();
  private pendingRows = 0;

  /** `strings`: the shared strings, or null when they were not loaded (none may hold the stamp). */
  constructor(
    private readonly strings: readonly string[] | null,
    private readonly wanted: ReadonlySet<number>,
    private readonly where: Where,
    private readonly formats?: TextFormats,
    /** The workbook is computed on load (calcPr fullCalcOnLoad): stored formula values are not what shows (see Recalc). */
    private readonly recalc: Recalc = false,
    /** Cell styles aligned "center across selection" (centredStyles). */
    private readonly centred: ReadonlySet<number> = new Set(),
  ) {}

  /** Some rows wait for the shared strings. */
  get needsStrings(): boolean {
    return this.pending.size > 0;
  }

  /** Joins the rows that waited for the shared strings. */
  resolve(strings: readonly string[]): void {
    for (const { cells, rows } of this.pending.values()) {
      for (const c of cells) if (c.sst !== null) c.text = c.format ? shownAs(c.format, strings[c.sst] ?? '') : (strings[c.sst] ?? '');
      this.showFormatted(cells);
      this.rows.addRows(cells, rows, this.where);
    }
    this.pending.clear();
    this.pendingRows = 0;
  }

  /** Joins the kept rows' gaps that a merge covers (after the last chunk and `resolve`); true when some could not be (past the limits). */
  joinMerged(): boolean {
    return this.rows.joinMerged(this.merges);
  }

  /** Why rows of this sheet that may show the stamp could not be joined, or null. */
  get lost(): string | null {
    if (this.oversize && this.sawHot) return `a row over ${MAX_ROW >> 20} MB`;
    if (this.unkept) return 'too many rows with 秘 beside shared strings';
    return null;
  }

  /** The sheet's markup before `<sheetData>`, until its hidden columns are known. */
  private readonly head = new SheetHead();

  /** The hidden columns (`<col min max hidden="1">`, before the rows): a row is also read without them (sheet-rows.ts). */
  private columns(chunk: Uint8Array): void {
    if (this.head.push(chunk)) this.rows.hidden = this.head.hidden;
  }

  /** One chunk of the sheet; `stampBytes`: the chunk may hold 秘/㊙/"&#" (the caller's byte search said so). */
  push(chunk: Uint8Array, stampBytes: boolean): void {
    this.columns(chunk);
    this.rowsPush(chunk, stampBytes);
    // After the rows: merges follow the sheet's data, so they are looked for only once a row wants one.
    if (this.merges.wanting || this.tall.noted) this.findMerges(chunk);
  }

  /** The `<mergeCell>`s in `chunk`, and the one cut between the previous chunk and this one. */
  private findMerges(chunk: Uint8Array): void {
    const tail = this.mergeTail;
    if (tail.length) {
      const seam = concat([tail, chunk.subarray(0, MERGE_SEAM)]);
      for (const m of mergeRefs(seam)) if (m.start < tail.length && m.end > tail.length) this.addMerge(m);
    }
    for (const m of mergeRefs(chunk)) this.addMerge(m);
    this.mergeTail = chunk.length >= MERGE_SEAM ? chunk.slice(-MERGE_SEAM) : concat([tail, chunk]).slice(-MERGE_SEAM);
  }

  private addMerge(m: MergeRef): void {
    this.merges.add(m.row, m.col, m.lastCol);
    if (this.tall.noted) this.tall.merge(m);
  }

  private rowsPush(chunk: Uint8Array, stampBytes: boolean): void {
    const hot = this.carryHot || stampBytes || (this.wanted.size > 0 && this.mayShowWantedIn(chunk)) || this.usesStampStyleIn(chunk);
    this.sawHot ||= hot;
    if (!hot) {
      this.carryFrom(chunk);
      return;
    }
    // A long row with a trigger that does not end in this chunk waits whole, without a copy.
    if (this.carryHot && this.rowOpen() && !mayEndRow(chunk) && !mayEndRow(this.seam(chunk, 8))) {
      this.append(chunk);
      return;
    }
    const buf = this.carry.length ? concat([...this.carry, chunk]) : chunk;
    const { rest, open } = splitRows(buf, (start, end) => {
      const row = buf.subarray(start, end);
      if (markupStampHits(row, 1).length || (this.wanted.size > 0 && this.mayShowWanted(row)) || this.usesStampStyle(row)) this.parse(row);
    });
    this.keep(buf.subarray(rest), open);
  }

  /** No trigger in `chunk`: only the row open at its end (or the bytes where one may begin) is kept. */
  private carryFrom(chunk: Uint8Array): void {
    const start = lastRowStart(chunk);
    if (start >= 0) this.keep(chunk.subarray(start), false);
    else if (this.rowOpen()) this.append(chunk);
    else {
      // The carry is a tail: a start tag may span it and this chunk.
      const joined = concat([...this.carry, chunk]);
      const at = lastRowStart(joined);
      this.keep(joined.subarray(at >= 0 ? at : Math.max(0, joined.length - TAIL)), false);
    }
  }

  /** The carry is a row still open (not a tail). */
  private rowOpen(): boolean {
    return this.carry.length > 0 && rowStart(this.carry[0], 0) === 0;
  }

  private keep(bytes: Uint8Array, hot: boolean): void {
    // Copied: a small tail never pins a whole chunk.
    this.carry = [bytes.slice()];
    this.carryLen = bytes.length;
    this.carryHot = hot;
    this.limit();
  }

  private append(chunk: Uint8Array): void {
    this.carry.push(chunk);
    this.carryLen += chunk.length;
    this.limit();
  }

  /** A row past MAX_ROW is given up (see the header). */
  private limit(): void {
    if (this.carryLen <= MAX_ROW) return;
    this.oversize = true;
    this.carry = [];
    this.carryLen = 0;
    this.carryHot = false;
  }

  /** The last `n` bytes before `chunk` and the first `n` of it. */
  private seam(chunk: Uint8Array, n: number): Uint8Array {
    const last = this.carry[this.carry.length - 1];
    const before = !last ? new Uint8Array(0) : last.length >= n ? last.subarray(-n) : concat(this.carry).subarray(-n);
    return concat([before, chunk.subarray(0, n)]);
  }

  /** mayShowWanted over `chunk` and the seam before it (the carry ends where the chunk begins). */
  private mayShowWantedIn(chunk: Uint8Array): boolean {
    return this.mayShowWanted(this.seam(chunk, SEAM)) || this.mayShowWanted(chunk);
  }

  /** `<v>N</v>` with N a wanted index somewhere in `buf` (the cell's type is checked when parsing). */
  private mayShowWanted(buf: Uint8Array): boolean {
    for (let v = buf.indexOf(0x76); v >= 0; v = buf.indexOf(0x76, v + 1)) {
      if (buf[v + 1] !== GT || (buf[v - 1] !== LT && buf[v - 1] !== COLON)) continue;
      let n = 0;
      let k = v + 2;
      while (buf[k] >= 0x30 && buf[k] <= 0x39 && k - v < 14) n = n * 10 + buf[k++] - 0x30;
      if (k > v + 2 && this.wanted.has(n)) return true;
    }
    return false;
  }

  /** Some row was parsed: it may show 秘 (the workbook's formulas are then read: xlsx-formulas.ts). */
  parsedAny = false;

  /** usesStampStyle over `chunk` and the seam before it (nothing to search, and no seam built, without such a style). */
  private usesStampStyleIn(chunk: Uint8Array): boolean {
    return !!this.formats?.stamp.size && (this.usesStampStyle(this.seam(chunk, SEAM)) || this.usesStampStyle(chunk));
  }

  /** ` s="N"` with N a style whose number format's literals may hold 秘 (only looked for when the workbook has one). */
  private usesStampStyle(buf: Uint8Array): boolean {
    const stamp = this.formats?.stamp;
    if (!stamp?.size) return false;
    for (let i = buf.indexOf(0x73); i >= 0; i = buf.indexOf(0x73, i + 1)) {
      if (buf[i + 1] !== 0x3d || buf[i + 2] !== 0x22 || buf[i - 1] !== 0x20) continue;
      let n = 0;
      let k = i + 3;
      while (buf[k] >= 0x30 && buf[k] <= 0x39 && k - i < 12) n = n * 10 + buf[k++] - 0x30;
      if (k > i + 3 && stamp.has(n)) return true;
    }
    return false;
  }

  /** A cell shown through its number format, alone (a row of one cell is not joined): its text, when it may hold 秘. */
  private showFormatted(cells: readonly TextCell[]): void {
    for (const c of cells) if (c.format && mayHaveStampChar(c.text)) this.rows.addText(c.text, this.where, c.row, c.col);
  }

  private parse(bytes: Uint8Array): void {
    this.parsedAny = true;
    const xml = decoder('utf-8').decode(bytes);
    const cells = rowCells(xml, this.strings ?? [], this.formulas, this.formats?.byStyle, undefined, this.recalc);
    // A formula's value is a cell's text of its own (kept as row texts are: each distinct text once).
    for (const f of this.formulas.shown.splice(0)) this.rows.addText(f.text, this.where, f.row, f.col);
    this.merges.want(cells);
    // Centred across the blank cells after it: its text stands over them, as a merged cell's does.
    if (this.centred.size) for (const m of centredAcross(xml, this.centred)) this.merges.add(m.row, m.col, m.lastCol);
    this.tall.note(cells);
    for (const c of cells) {
      if (c.sst === null || !this.wanted.has(c.sst) || this.located.has(c.sst)) continue;
      this.located.set(c.sst, { ...this.where, cell: cellName(c.row, c.col) });
    }
    // A formatted cell whose shared string is not loaded waits for it even alone: its format may make the stamp.
    const waits = !this.strings && cells.some((c) => c.sst !== null) && (cells.length > 1 || cells.some((c) => c.format));
    if (!waits) {
      this.showFormatted(cells);
      this.rows.add(cells, this.where);
    } else if (this.pendingRows < MAX_PENDING_ROWS) {
      // Rows that differ only in their number (a trap repeated down a column) wait once, with their numbers.
      const key = cells.map((c) => `${c.col}:${c.sst === null ? 't' + c.text : 's' + c.sst}:${c.format ?? ''}`).join('\u0000');
      const entry = this.pending.get(key);
      if (entry) entry.rows.push(cells[0].row);
      else if (this.pending.size < MAX_PENDING) this.pending.set(key, { cells, rows: [cells[0].row] });
      else this.unkept = true;
      this.pendingRows++;
    } else this.unkept = true;
  }
}

/**
 * The cell styles (cellXfs, by index) aligned `horizontal="centerContinuous"` (Excel's "Center Across
 * Selection", XlsxWriter's center_across), from xl/styles.xml.
 */
export function centredStyles(styles: string): Set<number> {
  const out = new Set<number>();
  if (!styles.includes('centerContinuous')) return out;
  const xfs = CELL_XFS.exec(styles)?.[1] ?? '';
  let i = 0;
  for (const m of xfs.matchAll(XF)) {
    if (CENTRED.test(m[1] ?? '')) out.add(i);
    i++;
  }
  return out;
}
const CELL_XFS = /<(?:[\w.-]+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?cellXfs>/;
const XF = /<(?:[\w.-]+:)?xf\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?xf>)/g;
const CENTRED = /<(?:[\w.-]+:)?alignment\b[^>]*\bhorizontal\s*=\s*["']centerContinuous["']/;

/**
 * In one row's markup, each cell of a centred style (`centred`) with a value followed by blank cells of
 * such a style: Excel shows its text centred over them, as over a merged range (row, first and last column).
 */
function centredAcross(xml: string, centred: ReadonlySet<number>): { row: number; col: number; lastCol: number }[] {
  const out: { row: number; col: number; lastCol: number }[] = [];
  const rowNo = Number(attr(ROW_TAG.exec(xml)?.[0] ?? '', 'r') ?? 0) - 1;
  let col = -1;
  let open: { row: number; col: number; lastCol: number } | null = null;
  for (const cell of spans(xml, CELL, () => CELL_END, XML_TAGS)) {
    const ref = /^([A-Z]{1,3})(\d+)$/.exec(attr(cell.tag, 'r') ?? '');
    col = ref ? colIndex(ref[1]) : col + 1;
    const row = ref ? Number(ref[2]) - 1 : rowNo;
    const styled = centred.has(Number(attr(cell.tag, 's') ?? 0));
    const body = content(xml, cell);
    const blank = !/<(?:[\w.-]+:)?(?:v|is|f)[\s>]/.test(body);
    if (open && styled && blank && col === open.lastCol + 1) {
      open.lastCol = col;
      continue;
    }
    if (open && open.lastCol > open.col) out.push(open);
    open = styled && !blank ? { row, col, lastCol: col } : null;
  }
  if (open && open.lastCol > open.col) out.push(open);
  return out;
}

/** A worksheet's markup before `<sheetData>` as its chunks stream by, for its hidden columns. */
export class SheetHead {
  private text: string | null = '';
  /** The hidden columns, once known (null: none). */
  hidden: HiddenColumns | null = null;

  /** True once, at the chunk where the hidden columns became known and some are. */
  push(chunk: Uint8Array): boolean {
    if (this.text === null) return false;
    this.text += decoder('utf-8').decode(chunk.subarray(0, MAX_HEAD));
    const end = this.text.search(SHEET_DATA);
    if (end < 0 && this.text.length < MAX_HEAD) return false;
    const hidden = hiddenColumns(end < 0 ? this.text : this.text.slice(0, end));
    this.text = null;
    this.hidden = hidden.any ? hidden : null;
    return this.hidden !== null;
  }
}

/** Markup before `<sheetData>` searched for `<col>`s: 16,384 columns' elements fit. */
const MAX_HEAD = 4 << 20;
const SHEET_DATA = /<(?:[\w.-]+:)?sheetData[\s/>]/;
const COL = /<(?:[\w.-]+:)?col\b[^>]*>/g;

/** The hidden columns `<cols>` lists (`min`/`max` 1-based; hidden as Excel, ExcelJS or a collapsed outline group writes it). */
export function hiddenColumns(head: string): HiddenColumns {
  const out = new HiddenColumns();
  for (const [tag] of head.matchAll(COL)) {
    const h = attr(tag, 'hidden');
    if (h !== '1' && h !== 'true') continue;
    const min = Number(attr(tag, 'min'));
    const max = Number(attr(tag, 'max') ?? min);
    if (Number.isInteger(min) && Number.isInteger(max) && min >= 1) out.add(min - 1, Math.min(max, 16_384) - 1);
  }
  return out;
}

const ROW_TAG = /^<(?:[\w.-]+:)?row\b[^>]*>/;
// Cells and their parts are found in one pass (markup-spans.ts), whatever a hostile row holds.
const CELL = /<(?:[\w.-]+:)?c(?=[\s/>])/g;
const CELL_END = /<\/(?:[\w.-]+:)?c>/g;
const VALUE = /<(?:[\w.-]+:)?v>/g;
const VALUE_END = /<\/(?:[\w.-]+:)?v>/g;
const INLINE = /<(?:[\w.-]+:)?is>/g;
const INLINE_END = /<\/(?:[\w.-]+:)?is>/g;

/** Where rowCells tells each formula cell with no computed value: its formula, parsed, and its reading without other cells. */
export interface FormulaSink {
  note(row: number, col: number, formula: ParsedFormula, f: FormulaRead): void;
}

/**
 * The formulas with no computed value of the rows read: what those that need no other cell show
 * (when that may hold 秘), taken row by row. Those that refer to other cells, and those whose value
 * is unknown, are the workbook's formula pass's (xlsx-formulas.ts), which reads the cells they need.
 */
export class FormulaCells implements FormulaSink {
  readonly shown: { row: number; col: number; text: string }[] = [];
  /**
   * A formula was read as having no value: also one whose cached number rowCells set aside, which the
   * byte search for formulas without a value (UncomputedFormulas) does not see; the workbook's formula
   * pass runs then.
   */
  noted = false;

  note(row: number, col: number, _formula: ParsedFormula, f: FormulaRead): void {
    this.noted = true;
    if (f.value !== null && mayHaveStampChar(f.value)) this.shown.push({ row, col, text: f.value });
  }
}

const FORMULA = /<(?:[\w.-]+:)?f(?=[\s/>])/g;
const FORMULA_END = /<\/(?:[\w.-]+:)?f>/g;

/**
 * The text cells of one `<row>…</row>`, in order, with 0-based row and column; formulas with no
 * computed value noted in `formulas` (a shared one's text from `shared`: without it, not known).
 */
export function rowCells(
  xml: string,
  strings: readonly string[],
  formulas?: FormulaSink,
  formats?: ReadonlyMap<number, string>,
  shared?: SharedFormulas,
  recalc: Recalc = false,
): TextCell[] {
  const rowNo = Number(attr(ROW_TAG.exec(xml)?.[0] ?? '', 'r') ?? 0) - 1;
  const out: TextCell[] = [];
  let col = -1;
  for (const cell of spans(xml, CELL, () => CELL_END, XML_TAGS)) {
    const tag = cell.tag;
    const ref = /^([A-Z]{1,3})(\d+)$/.exec(attr(tag, 'r') ?? '');
    col = ref ? colIndex(ref[1]) : col + 1;
    const row = ref ? Number(ref[2]) - 1 : rowNo;
    const body = content(xml, cell);
    const type = attr(tag, 't');
    const formula = uncomputed(body, type, recalc);
    const parsed = formula && (shared ? shared.parse(formula, row, col) : parseFormula(formula.text));
    // A cached number is taken as the value, except on a formula that joins text or an array formula:
    // there it is a writer's placeholder (XlsxWriter stores `<v>0</v>` for formulas it never computed).
    if (formula && parsed && (!formula.cached || parsed.joins || ARRAY.test(formula.tag))) {
      const f = evaluateFormula(parsed);
      formulas?.note(row, col, parsed, f);
      if (f.value !== null) out.push({ row, col, text: f.value, sst: null });
      continue;
    }
    const t = cellText(type, body, strings);
    // Its number format may print text around it (number-format.ts): the cell reads as it shows.
    const format = t && formats?.size ? formats.get(Number(attr(tag, 's') ?? 0)) : undefined;
    if (t && format) out.push({ row, col, text: shownAs(format, t.text), sst: t.sst, format });
    else if (t) out.push({ row, col, ...t });
  }
  return out;
}

/**
 * Whether a workbook's stored formula values are what shows: true when it asks to be computed on load
 * (calcPr fullCalcOnLoad: none is); 'empty-text' when it has no `<calcPr>` at all (SheetJS, a hand-made
 * file) or one without a calcId (Gnumeric, LibreOffice): never computed by Excel, which recomputes it on
 * load, so an empty text stored is a writer's placeholder, not a result; false otherwise.
 */
export type Recalc = boolean | 'empty-text';

/**
 * A formula element: its start tag and its text (entities decoded; '' for `<f t="shared" si="0"/>`);
 * `cached`: the cell holds the number 0, which rowCells trusts unless the formula may make text.
 */
interface FormulaMarkup {
  tag: string;
  text: string;
  cached: boolean;
}

/** An array formula (`<f t="array" ref="B1">`, also a dynamic array's): LibreOffice computes these again on load. */
const ARRAY = /\bt\s*=\s*["']array["']/;

/**
 * A cell's formula when the cell holds no computed value (`<v>` missing or empty), or only the number
 * 0 (`cached`); else null. `recalc`: the workbook asks to be computed on load (calcPr fullCalcOnLoad),
 * so no stored value is what shows: every formula is read as if it had none.
 */
function uncomputed(body: string, type: string | null, calc: Recalc): FormulaMarkup | null {
  const recalc = calc === true;
  if (!body.includes('f')) return null;
  const f = firstSpan(body, FORMULA, () => FORMULA_END, XML_TAGS);
  if (!f) return null;
  // Computed: a value, or an empty text result (t="str" with an empty <v>, as Excel writes ""). An
  // empty <v/> in a cell of no type (openpyxl), or no <v> (ExcelJS), is none.
  const v = firstContent(body, VALUE, VALUE_END);
  // Not where no `<calcPr>` says Excel computed the workbook ('empty-text': SheetJS writes `<v></v>`).
  const computed = !!v?.trim() || (type === 'str' && calc !== 'empty-text' && (v !== null || EMPTY_VALUE.test(body)));
  // A stored 0 is what writers that never compute store (as in xls: ole2-xls.ts); another number was computed.
  if (computed && !recalc && ((type !== null && type !== 'n') || v?.trim() !== '0')) return null;
  return { tag: f.tag, text: decodeEntities(content(body, f)), cached: computed && !recalc };
}

/** Shared formulas' texts per sheet: past this, a sheet's are not all kept (hostile: one per cell). */
const MAX_SHARED = 100_000;
const SHARED = /\bt\s*=\s*["']shared["']/;

/**
 * A worksheet's shared formulas (`<f t="shared" ref="B1:B9" si="0">A1&amp;"x"</f>` once, then
 * `<f t="shared" si="0"/>` in the other cells): Excel shows each of those cells the first one's
 * formula with its relative references moved as far as the cell lies from the first (B2: A2&"x").
 * Rows are given in order (`note`), so a group's text is known before the cells that use it.
 */
export class SharedFormulas {
  private readonly texts = new Map<string, { row: number; col: number; text: string }>();
  /** Past MAX_SHARED: a shared formula whose text was not kept is not known (never taken as empty). */
  lost = false;

  /** The texts of the shared formulas a row's markup starts (computed or not: the others need them). */
  note(xml: string): void {
    if (!SHARED.test(xml)) return;
    let col = -1;
    for (const cell of spans(xml, CELL, () => CELL_END, XML_TAGS)) {
      const ref = /^([A-Z]{1,3})(\d+)$/.exec(attr(cell.tag, 'r') ?? '');
      col = ref ? colIndex(ref[1]) : col + 1;
      const body = content(xml, cell);
      const f = body.includes('f') ? firstSpan(body, FORMULA, () => FORMULA_END, XML_TAGS) : null;
      const si = f && SHARED.test(f.tag) && attr(f.tag, 'ref') ? attr(f.tag, 'si') : null;
      if (!ref || si === null) continue;
      if (this.texts.size >= MAX_SHARED) this.lost = true;
      else this.texts.set(si, { row: Number(ref[2]) - 1, col, text: decodeEntities(content(body, f!)) });
    }
  }

  /** A formula cell's formula, parsed: a shared one's with the group's text, moved to its cell. */
  parse(f: FormulaMarkup, row: number, col: number): ParsedFormula {
    const si = f.text.trim() === '' && SHARED.test(f.tag) ? attr(f.tag, 'si') : null;
    if (si === null) return parseFormula(f.text);
    const first = this.texts.get(si);
    // No text for the group: a formula this reader cannot spell out (not known, so never clean).
    return first ? parseFormula(first.text, undefined, { rows: row - first.row, cols: col - first.col }) : parseFormula('');
  }
}

const EMPTY_VALUE = /<(?:[\w.-]+:)?v\s*\/>/;

/** A `<mergeCell>`: its first cell and last column (0-based), and where its markup starts and ends. */
interface MergeRef {
  row: number;
  col: number;
  lastRow: number;
  lastCol: number;
  start: number;
  end: number;
}

/** "mergeCell", found by its "C" (after "e": rare in sheet markup). */
const MERGE_CELL: Needle[] = [{ bytes: new TextEncoder().encode('mergeCell'), enc: 'utf-8', anchor: 5 }];
const MERGE_REF = /\bref\s*=\s*["']\s*([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\s*["']/;

/**
 * The `<mergeCell ref="B2:C2"/>` (any prefix) elements that end in `buf`: first cell (0-based) and last
 * column, with the offsets of their `<` and just past their `>`. `<` never stands in text (it is
 * escaped), so a match is markup.
 */
function mergeRefs(buf: Uint8Array): MergeRef[] {
  const out: MergeRef[] = [];
  // The stamp search's word scan: an indexOf per "C" would stop at every cell of column C.
  findNeedles(buf, MERGE_CELL, 0, buf.length, (at) => {
    const m = mergeAt(buf, at + 5);
    if (m) out.push(m);
    return true;
  });
  return out;
}

/** The `<mergeCell>` whose name's "C" is at `i`, if it is one that ends in `buf`. */
function mergeAt(buf: Uint8Array, i: number): MergeRef | null {
  const after = buf[i + 4];
  if (after !== 0x20 && after !== SLASH && after !== GT && after !== 0x0a && after !== 0x0d && after !== 0x09) return null;
  let start = i - 6;
  if (buf[start] === COLON) while (start > 0 && i - start < 40 && buf[start] !== LT && buf[start] !== 0x20) start--;
  if (buf[start] !== LT) return null;
  const gt = buf.indexOf(GT, i);
  if (gt < 0 || gt - i > 200) return null;
  const ref = MERGE_REF.exec(String.fromCharCode(...buf.subarray(i + 4, gt)));
  if (!ref) return null;
  const col = colIndex(ref[1]);
  const row = Number(ref[2]) - 1;
  return { row, col, lastRow: ref[4] ? Number(ref[4]) - 1 : row, lastCol: ref[3] ? colIndex(ref[3]) : col, start, end: gt + 1 };
}

function colIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

/** What a cell shows as text: a shared, inline or formula string (numbers, booleans, errors are not text), its `_xHHHH_` escapes decoded. */
function cellText(type: string | null, body: string, strings: readonly string[]): { text: string; sst: number | null } | null {
  if (type === 's') {
    const v = firstContent(body, VALUE, VALUE_END);
    const sst = v !== null ? Number(v.trim()) : NaN;
    return Number.isInteger(sst) ? { text: strings[sst] ?? '', sst } : null;
  }
  if (type === 'inlineStr') {
    const is = firstContent(body, INLINE, INLINE_END);
    return is !== null ? { text: decodeXstring(xmlToText(withoutKanaReadings(is))), sst: null } : null;
  }
  if (type === 'str') {
    const v = firstContent(body, VALUE, VALUE_END);
    return v !== null ? { text: decodeXstring(decodeEntities(v)), sst: null } : null;
  }
  return null;
}

/** Offset of the next `<row` or `<x:row` start tag at or after `from`, or -1. */
function rowStart(buf: Uint8Array, from: number): number {
  for (let i = buf.indexOf(0x77, from + 3); i >= 0; i = buf.indexOf(0x77, i + 1)) {
    const at = rowTagAt(buf, i - 2);
    if (at >= 0 && at >= from) return at;
  }
  return -1;
}

/** Offset of the last row start tag in `buf`, or -1. */
function lastRowStart(buf: Uint8Array): number {
  for (let i = buf.lastIndexOf(0x77); i >= 2; i = buf.lastIndexOf(0x77, i - 1)) {
    const at = rowTagAt(buf, i - 2);
    if (at >= 0) return at;
  }
  return -1;
}

/** If "row" at `r` is the name of a start tag (`<row…`, `<x:row…`), the offset of its `<`; else -1. */
function rowTagAt(buf: Uint8Array, r: number): number {
  if (r < 1 || buf[r] !== 0x72 || buf[r + 1] !== 0x6f) return -1;
  const after = buf[r + 3];
  if (after !== 0x20 && after !== GT && after !== SLASH && after !== 0x0a && after !== 0x0d && after !== 0x09) return -1;
  if (buf[r - 1] === LT) return r - 1;
  if (buf[r - 1] !== COLON) return -1;
  for (let k = r - 2; k >= 0 && r - k < 32; k--) {
    if (buf[k] === LT) return k;
    if (buf[k] === SLASH || buf[k] === GT || buf[k] === 0x20) return -1;
  }
  return -1;
}

/**
 * Calls `each` with the start and end of every complete row in `buf`, in order. What to carry into
 * the next chunk starts at `rest`: the row still open at the end (`open`), or else the last TAIL
 * bytes after the last complete row (a start tag may be cut there).
 */
function splitRows(buf: Uint8Array, each: (start: number, end: number) => void): { rest: number; open: boolean } {
  let pos = 0;
  for (;;) {
    const start = rowStart(buf, pos);
    if (start < 0) return { rest: Math.max(pos, buf.length - TAIL), open: false };
    const end = rowEnd(buf, start);
    if (end < 0) return { rest: start, open: true };
    each(start, end);
    pos = end;
  }
}

/** `row>` somewhere in `buf`, or the start of a row or the end of the sheet's data: a row may end there. */
function mayEndRow(buf: Uint8Array): boolean {
  for (let i = buf.indexOf(0x77); i >= 0; i = buf.indexOf(0x77, i + 1)) if ((buf[i + 1] === GT && buf[i - 1] === 0x6f && buf[i - 2] === 0x72) || rowTagAt(buf, i - 2) >= 0) return true;
  return sheetDataEnd(buf, 0) >= 0;
}

/**
 * Offset just past the row that starts at `start` (its `</row>`, or `/>` of an empty row), or -1 if it is still open.
 * A row whose end tag is damaged (`</rov>`) ends where the next row starts or the sheet's data ends, as
 * LibreOffice reads it (its formula computed): carried to the end of the sheet, it was never read. The
 * damaged tag itself makes the part not well-formed (xml-syntax.ts).
 */
function rowEnd(buf: Uint8Array, start: number): number {
  const tagEnd = buf.indexOf(GT, start);
  if (tagEnd < 0) return -1;
  if (buf[tagEnd - 1] === SLASH) return tagEnd + 1;
  for (let i = buf.indexOf(0x77, tagEnd); i >= 0; i = buf.indexOf(0x77, i + 1)) {
    const next = rowTagAt(buf, i - 2);
    if (next > tagEnd) return next;
    if (buf[i + 1] !== GT || buf[i - 1] !== 0x6f || buf[i - 2] !== 0x72) continue;
    const p = buf[i - 3];
    if (p === SLASH && buf[i - 4] === LT) return i + 2;
    if (p === COLON && buf.lastIndexOf(LT, i) >= 0 && buf[buf.lastIndexOf(LT, i) + 1] === SLASH) return i + 2;
  }
  return sheetDataEnd(buf, tagEnd);
}

const SHEET_DATA_END = new TextEncoder().encode('sheetData>');

/** Offset of the `<` of the first `</sheetData>` (or `</x:sheetData>`) at or after `from`, or -1. */
function sheetDataEnd(buf: Uint8Array, from: number): number {
  for (let s = indexOfBytes(buf, SHEET_DATA_END, from); s >= 0; s = indexOfBytes(buf, SHEET_DATA_END, s + 1)) {
    if (s < 2) continue;
    const lt = buf.lastIndexOf(LT, s);
    if (lt >= 0 && buf[lt + 1] === SLASH && (lt + 2 === s || (buf[s - 1] === COLON && s - lt < 34))) return lt;
  }
  return -1;
}

/**
 * A worksheet's complete rows as its chunks stream by: `each` gets the bytes, the row's start and end
 * in them, and its 0-based number (from its start tag, else the one after the last). A row past
 * MAX_ROW is given up and `lost` says so (the caller reports the sheet unread, never clean).
 */
export class RowReader {
  private rest: Uint8Array = new Uint8Array(0);
  private last = -1;
  lost = false;

  constructor(private readonly each: (buf: Uint8Array, start: number, end: number, row: number) => void) {}

  push(chunk: Uint8Array): void {
    const buf = this.rest.length ? concat([this.rest, chunk]) : chunk;
    const { rest } = splitRows(buf, (start, end) => {
      this.last = rowNumber(buf, start, buf.indexOf(GT, start)) ?? this.last + 1;
      this.each(buf, start, end, this.last);
    });
    const bytes = buf.subarray(rest);
    this.lost ||= bytes.length > MAX_ROW;
    this.rest = bytes.length > MAX_ROW ? new Uint8Array(0) : bytes.slice();
  }
}

/**
 * The sheet read again for the rows TallMerges wants (tall-merges.ts): only a wanted row is parsed
 * into cells. Push every chunk, then finish().
 */
export class TallRows {
  private readonly reader: RowReader;

  constructor(
    private readonly tall: TallMerges,
    strings: readonly string[],
    private readonly rows: RowTexts,
    private readonly where: Where,
    recalc: Recalc = false,
  ) {
    this.reader = new RowReader((buf, start, end, row) => {
      if (tall.wants(row)) tall.take(row, rowCells(decoder('utf-8').decode(buf.subarray(start, end)), strings, undefined, undefined, undefined, recalc), rows, where);
    });
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
    // A row past MAX_ROW cannot be read as it shows (as in the first pass): said, not hidden.
    this.tall.lost ||= this.reader.lost;
  }

  finish(): void {
    this.tall.finish(this.rows, this.where);
  }
}

/** The 1-based `r` of the row start tag at start…tagEnd, as a 0-based row number; null without one. */
function rowNumber(buf: Uint8Array, start: number, tagEnd: number): number | null {
  for (let i = start + 4; i + 3 < tagEnd; i++) {
    if (buf[i] !== 0x72 || buf[i + 1] !== 0x3d || (buf[i - 1] !== 0x20 && buf[i - 1] !== 0x0a && buf[i - 1] !== 0x0d && buf[i - 1] !== 0x09)) continue;
    let k = i + 3;
    let n = 0;
    while (k < tagEnd && buf[k] >= 0x30 && buf[k] <= 0x39 && k - i < 12) n = n * 10 + buf[k++] - 0x30;
    return k > i + 3 ? n - 1 : null;
  }
  return null;
}
