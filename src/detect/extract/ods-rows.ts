/**
 * How one sheet of an OpenDocument spreadsheet (a `<table:table>` of content.xml) reads as text, the
 * same way as xlsx, xlsb and xls (sheet-rows.ts): each cell on its own, cells apart (SEPARATOR, not
 * whitespace), and only neighbouring cells of one row joined by a space. So 秘 | Confidential in B2:C2
 * is the stamp, while 秘 | (empty) | Confidential, or 秘 above Confidential, is not.
 *
 * Columns are counted as ODF writes them: `table:number-columns-repeated` (an empty run of cells is
 * one element), covered cells of a merge count, and rows repeat by `table:number-rows-repeated`. A merged
 * cell (`table:number-columns-spanned`) neighbours the cell after the cells it covers, as it shows on screen.
 */
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { mayHaveStampChar } from './byte-scan.js';
import { readFormula, unread, unreadFormulas, type Cells, type Value } from './formula-text.js';
import { showThrough, type OdsFormats, type Template } from './ods-formats.js';
import { conditionalRanges, type ConditionalRange } from './ods-conditional.js';
import { HiddenColumns, RowTexts, SEPARATOR, cellName, type TextCell } from './sheet-rows.js';
import { TallMerges } from './tall-merges.js';
import type { Extracted } from './types.js';
import { XML_TAGS, content, replaceSpans, spans } from './markup-spans.js';
import { attr, xmlToText } from './xml-text.js';

/** Where one cell (or comment) ends and the next begins: the sheet's text gets a SEPARATOR there. */
const CELL_BOUNDARY =
  /<\/table:(?:covered-)?table-cell>|<table:(?:covered-)?table-cell\b[^>]*\/>|<office:annotation\b[^>]*>|<\/office:annotation>/g;
// Rows, cells and comments are found in one pass (markup-spans.ts), whatever a hostile sheet holds.
const ROW = /<table:table-row(?=[\s/>])/g;
const ROW_END = /<\/table:table-row>/g;
const CELL = /<table:(table-cell|covered-table-cell)(?=[\s/>])/g;
const CELL_END: Record<string, RegExp> = { 'table-cell': /<\/table:table-cell>/g, 'covered-table-cell': /<\/table:covered-table-cell>/g };
/** A comment on a cell is not what the cell shows: it stays out of the row's join. */
const ANNOTATION = /<office:annotation(?=[\s/>])/g;
const ANNOTATION_END = /<\/office:annotation>/g;
const withoutAnnotations = (xml: string): string => replaceSpans(xml, spans(xml, ANNOTATION, () => ANNOTATION_END, XML_TAGS), () => '');
/** Each row: its start tag's attributes, and what it holds. */
function* rowsOf(xml: string): Generator<{ tag: string; body: string }> {
  for (const r of spans(xml, ROW, () => ROW_END, XML_TAGS)) yield { tag: r.tag, body: content(xml, r) };
}
const MAY_JOIN = /[秘㊙]|&#/;
/** Rows and cells repeated past this are counted, not expanded (a sheet ends at 1,048,576 rows). */
const MAX_REPEAT = 1 << 20;

const repeat = (tag: string, name: string): number => Math.min(MAX_REPEAT, Math.max(1, Number(attr(tag, name) ?? 1) || 1));

/**
 * The texts of one sheet: its cells that may hold the stamp (named), the rows they stand in, then the
 * whole sheet. `cells`: the spreadsheet's cells (OdsCells), given when it may show 秘: then rows with a
 * formula are read too, their formulas evaluated with the cells they refer to.
 */
export function* sheetRuns(xml: string, where: Where, cells?: Cells, formats?: OdsFormats): Generator<Extracted> {
  const rows = new RowTexts();
  const hidden = hiddenColumns(xml);
  if (hidden.any) rows.hidden = hidden;
  const tall = new TallMerges();
  /** Formulas in the rows read: their literals (text a search finds) and cells that may show the stamp unevaluated. */
  const formulas: Formulas = { literals: [], unread: [] };
  const styled: Styled | undefined = formats?.size ? { formats, columns: columnStyles(xml), row: null, conditional: conditionalRanges(xml, formats) } : undefined;
  let row = 0;
  for (const r of rowsOf(xml)) {
    // Only a row with 秘/㊙ (or a character reference that may spell them) can join into the stamp;
    // a row with a merge is read for the merge (one over several rows stands beside each of them).
    // A data style whose literals may hold 秘 may make the stamp with any text cell: every row is read.
    const join = !!r.body && (MAY_JOIN.test(r.body) || (!!cells && r.body.includes('table:formula=')) || !!styled?.formats.stamp);
    const n = repeat(r.tag, 'table:number-rows-repeated');
    // Merges of a repeated row are merges of each copy.
    if (r.body.includes('-spanned=')) for (let k = 0; k < n && !tall.lost; k++) rowCells(r.body, row + k, tall);
    if (styled) styled.row = attr(r.tag, 'table:default-cell-style-name');
    const texts = join ? rowCells(r.body, row, undefined, formulas, cells, styled) : [];
    if (join) {
      for (const c of texts) if (mayHaveStampChar(c.text)) yield { kind: 'text', text: c.text, where: { ...where, cell: cellName(c.row, c.col) } };
      rows.add(texts, where);
      tall.note(texts);
    }
    row += n;
  }
  // The rows a merge over several rows reaches, read again when 秘 may stand in one (tall-merges.ts).
  if (tall.plan()) {
    row = 0;
    for (const r of rowsOf(xml)) {
      const n = repeat(r.tag, 'table:number-rows-repeated');
      for (let k = 0; k < n; k++) if (tall.wants(row + k)) tall.take(row + k, r.body ? rowCells(r.body, row + k) : [], rows, where);
      row += n;
    }
    tall.finish(rows, where);
  }
  yield* rows.take();
  for (const text of chunkText(formulas.literals.join(SEPARATOR))) yield { kind: 'text', text, where: { ...where, area: 'formulas' } };
  if (formulas.unread.length) yield unreadFormulas(formulas.unread, where);
  if (tall.lost) yield { kind: 'unscannable', reason: 'too-large', detail: 'too many merged ranges or cells with 秘 to read the rows as they show', where };
  const text = xmlToText(xml.replace(CELL_BOUNDARY, `$&${SEPARATOR.trim()}`));
  for (const t of chunkText(text)) if (t.trim()) yield { kind: 'text', text: t, where };
}

/** Formula literals and unread formula cells of one sheet (formula-text.ts). */
interface Formulas {
  literals: string[];
  unread: string[];
}

/** The sheet's data styles, its columns' default cell styles and the current row's: what a cell's number format is. */
interface Styled {
  formats: OdsFormats;
  columns: { from: number; to: number; style: string | null }[];
  row: string | null;
  /** LibreOffice's own conditional formats' ranges (ods-conditional.ts). */
  conditional: ConditionalRange[];
}

// A column, not the group (`<table:table-column-group>`, an outline) that holds some: counting it as a
// column moved every column after it one to the right.
const COLUMN = /<table:table-column(?=[\s/>])[^>]*>/g;
const FIRST_ROW = /<table:table-row\b/;

/** The default cell style of each run of columns (`table:table-column`, before the first row). */
function columnStyles(xml: string): Styled['columns'] {
  const head = xml.slice(0, FIRST_ROW.exec(xml)?.index ?? xml.length);
  const out: Styled['columns'] = [];
  let col = 0;
  for (const [tag] of head.matchAll(COLUMN)) {
    const n = repeat(tag, 'table:number-columns-repeated');
    out.push({ from: col, to: col + n, style: attr(tag, 'table:default-cell-style-name') });
    col += n;
  }
  return out;
}

/** Hidden columns (`table:visibility="collapse"`, a collapsed group or a hidden column; "filter"): a row is also read without them (sheet-rows.ts). */
function hiddenColumns(xml: string): HiddenColumns {
  const out = new HiddenColumns();
  const head = xml.slice(0, FIRST_ROW.exec(xml)?.index ?? xml.length);
  let col = 0;
  for (const [tag] of head.matchAll(COLUMN)) {
    const n = repeat(tag, 'table:number-columns-repeated');
    const v = attr(tag, 'table:visibility');
    if (v === 'collapse' || v === 'filter') out.add(col, Math.min(col + n, 16_384) - 1);
    col += n;
  }
  return out;
}

/** A stored result of a formula (SheetJS stores none: a value type and an empty paragraph). */
const COMPUTED = /\boffice:(?:string-value|value|boolean-value|date-value|time-value)\s*=/;

/** Unread formula cells named per sheet: enough to say where (past it they are still reported). */
const MAX_FORMULAS = 10_000;

/**
 * The text cells of one row's markup, in order, with 0-based row and column; its merged ranges given
 * to `tall`. A formula cell that shows no text (SheetJS writes formulas uncomputed) shows what its
 * formula evaluates to (formula-text.ts, references read from `cells`); its literals and unread cells
 * go to `formulas`.
 */
export function rowCells(xml: string, row: number, tall?: TallMerges, formulas?: Formulas, cells?: Cells, styled?: Styled): TextCell[] {
  const out: TextCell[] = [];
  /** Formula cells whose value is not known (nor may hold 秘): unread when they stand beside a cell that may. */
  const unknown: number[] = [];
  let col = 0;
  for (const c of spans(xml, CELL, (m) => CELL_END[m[1]], XML_TAGS)) {
    const kind = c.start[1];
    const tag = c.tag;
    const inner = content(xml, c);
    const n = repeat(tag, 'table:number-columns-repeated');
    // A merged cell (B2:C2) covers the cells after it: on screen its text stands next to D2.
    const span = kind === 'table-cell' ? repeat(tag, 'table:number-columns-spanned') : 1;
    const down = kind === 'table-cell' ? repeat(tag, 'table:number-rows-spanned') : 1;
    if (tall && (span > 1 || down > 1)) for (let k = 0; k < n && !tall.lost; k++) tall.merge({ row, col: col + k, lastRow: row + down - 1, lastCol: col + k + span - 1 });
    let text = kind === 'table-cell' ? shownText(tag, inner) : cellText(inner);
    // A text cell shows through its data style's literals (ods-formats.ts).
    if (styled && text && kind === 'table-cell' && !NOT_STRING.test(tag)) {
      let templates: readonly Template[] = styled.formats.of(attr(tag, 'table:style-name') ?? styled.row ?? runAt(styled.columns, col)?.style ?? null);
      // A repeated cell's copies are alike: the first one's place stands for them.
      const under = styled.conditional.filter((r) => row >= r.r1 && row <= r.r2 && col + n - 1 >= r.c1 && col <= r.c2);
      if (under.length) templates = [...new Set([...templates, ...under.flatMap((r) => r.templates)])];
      if (templates.length) text = showThrough(templates, text);
    }
    const formula = kind === 'table-cell' ? attr(tag, 'table:formula') : null;
    // A stored 0 on a formula that joins text (what writers that never compute store: Gnumeric keeps
    // XlsxWriter's uncomputed 0), or any number on a matrix (array) formula, which LibreOffice computes
    // again on load: not what shows. The formula is read as if it had no value.
    const stale = formula !== null && NOT_STRING.test(tag) && (MATRIX.test(tag) || (Number(attr(tag, 'office:value') ?? NaN) === 0 && readFormula(formula).joins));
    if (stale) text = '';
    if (formula !== null && !text && COMPUTED.test(tag) && !stale) {
      // A stored empty result (office:string-value="" and the like) is what LibreOffice stores for a
      // formula that computed "", and what Gnumeric keeps of a never-computed workbook (Spreadsheet::WriteExcel's
      // empty result, ssconvert to .ods): LibreOffice computes again on load a file it did not write, and
      // shows 「秘 Confidential」 for `="秘"&" Confidential"` (checked with 7.4, --convert-to csv). So the
      // formula is evaluated with the cells it refers to: what it gives shows (a "" it computes stays
      // empty); one that cannot be evaluated shows nothing, as stored, its literals still read.
      const f = readFormula(formula, cells);
      formulas?.literals.push(...f.literals);
      if (f.value !== null) text = f.value.trim();
    } else if (formula !== null) {
      const f = readFormula(formula, text ? undefined : cells);
      // Every literal (only rows that may hold the stamp are read): one past a limit could be the stamp.
      formulas?.literals.push(...f.literals);
      if (!text && f.value !== null) text = f.value.trim();
      else if (!text && unread(f) && formulas && formulas.unread.length < MAX_FORMULAS) formulas.unread.push(cellName(row, col));
      else if (!text && cells && f.value === null) unknown.push(col);
    }
    if (text) {
      // A covered cell's text (LibreOffice's "keep the contents of the hidden cells") is not shown.
      out.push(kind === 'table-cell' ? { row, col, text, sst: null } : { row, col, text, sst: null, covered: true });
      // A repeated or merged cell: its last column is the neighbour of the next cell (the copies between change nothing).
      const last = col + n - 1 + span - 1;
      if (last > col) out.push({ row, col: last, text, sst: null });
    }
    col += n;
  }
  if (formulas) for (const c of unknown) if (out.some((o) => Math.abs(o.col - c) === 1 && mayHaveStampChar(o.text)) && formulas.unread.length < MAX_FORMULAS) formulas.unread.push(cellName(row, c));
  return out;
}

/** What a cell's paragraphs show (comments left out). */
const cellText = (inner: string): string => (inner ? xmlToText(withoutAnnotations(inner)).trim() : '');

/** A value type other than text (a number, date, boolean…): such a cell shows its value, not office:string-value. */
const NOT_STRING = /\boffice:value-type\s*=\s*["'](?!string["'])/;
/** The first cell of a matrix (array) formula. */
const MATRIX = /\btable:number-matrix-(?:columns|rows)-spanned\s*=/;

/**
 * What a cell shows. LibreOffice shows a text cell's office:string-value, when it has one, rather than its
 * paragraphs: odfpy writes `TableCell(valuetype="string", stringvalue=…)` with no paragraph at all, and a
 * formula's stored text result is kept there. Checked with LibreOffice 7.4: a cell with string-value
 * 「A」 and a paragraph 「B」 shows A (the paragraphs are still read, with the whole sheet).
 */
function shownText(tag: string, inner: string): string {
  const value = tag.includes('office:string-value') && !NOT_STRING.test(tag) ? attr(tag, 'office:string-value')?.trim() : '';
  return value || cellText(inner);
}

/** The run (of rows or cells) that covers `i`, in runs in order. */
function runAt<T extends { from: number; to: number }>(runs: readonly T[], i: number): T | undefined {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid].to <= i) lo = mid + 1;
    else if (runs[mid].from > i) hi = mid - 1;
    else return runs[mid];
  }
  return undefined;
}

/** One cell of OdsCells' index: its columns, and what it shows (a formula with no computed value: the formula). */
interface IndexedCell {
  from: number;
  to: number;
  text: string;
  formula: string | null;
}
interface IndexedRow {
  from: number;
  to: number;
  cells: IndexedCell[];
}

/**
 * The cells of a spreadsheet's sheets (content.xml), for formulas that refer to them (formula-text.ts):
 * a sheet is indexed when a formula first refers to it (runs of repeated rows and cells kept as runs);
 * a formula with no computed value is evaluated in turn (a cycle, or too long a chain, is not known).
 */
export class OdsCells {
  private readonly index = new Map<string, IndexedRow[]>();
  private readonly values = new Map<IndexedCell, Value>();
  private readonly seen = new Set<IndexedCell>();

  /** `sheets`: each sheet's name → its `<table:table>` markup; `names`: named ranges and expressions → formula. */
  constructor(
    private readonly sheets: Map<string, string>,
    private readonly names: Map<string, string>,
  ) {}

  /** The cells as a formula of sheet `own` sees them. */
  of(own: string): Cells {
    return {
      range: (sheet, r1, c1, r2, c2) => this.range(sheet ?? own, r1, c1, r2, c2),
      name: (n) => this.names.get(n.toLowerCase()) ?? null,
    };
  }

  private range(sheet: string, r1: number, c1: number, r2: number, c2: number): Value[] | null {
    const rows = this.rows(sheet);
    if (!rows) return null;
    const out: Value[] = [];
    for (let r = r1; r <= r2; r++) {
      const row = runAt(rows, r);
      for (let c = c1; c <= c2; c++) {
        const cell = row && runAt(row.cells, c);
        out.push(!cell ? '' : cell.formula === null ? cell.text : this.value(sheet, cell));
      }
    }
    return out;
  }

  private value(sheet: string, cell: IndexedCell): Value {
    const known = this.values.get(cell);
    if (known !== undefined) return known;
    if (this.seen.has(cell) || this.seen.size > 32) return { stamp: this.seen.size > 32 };
    this.seen.add(cell);
    const f = readFormula(cell.formula!, this.of(sheet));
    this.seen.delete(cell);
    const v = f.value ?? { stamp: f.stamp };
    this.values.set(cell, v);
    return v;
  }

  private rows(sheet: string): IndexedRow[] | null {
    const name = [...this.sheets.keys()].find((k) => k.toLowerCase() === sheet.toLowerCase());
    if (name === undefined) return null;
    let rows = this.index.get(name);
    if (!rows) this.index.set(name, (rows = indexRows(this.sheets.get(name)!)));
    return rows;
  }
}

/** A sheet's rows and cells, as runs. */
function indexRows(xml: string): IndexedRow[] {
  const out: IndexedRow[] = [];
  let row = 0;
  for (const r of rowsOf(xml)) {
    const n = repeat(r.tag, 'table:number-rows-repeated');
    const cells: IndexedCell[] = [];
    let col = 0;
    for (const c of r.body ? spans(r.body, CELL, (m) => CELL_END[m[1]], XML_TAGS) : []) {
      const m = repeat(c.tag, 'table:number-columns-repeated');
      const text = c.start[1] === 'table-cell' ? shownText(c.tag, content(r.body, c)) : cellText(content(r.body, c));
      const formula = c.start[1] === 'table-cell' && !text && !COMPUTED.test(c.tag) ? attr(c.tag, 'table:formula') : null;
      if (text || formula !== null) cells.push({ from: col, to: col + m, text, formula });
      col += m;
    }
    if (cells.length) out.push({ from: row, to: row + n, cells });
    row += n;
  }
  return out;
}
