/**
 * SpreadsheetML 2003 (Excel's "XML Spreadsheet", SheetJS bookType xlml): its formulas stored without
 * a computed value (`<Cell ss:Formula="=R[-1]C&quot; Confidential&quot;"><Data ss:Type="String"></Data>`,
 * as SheetJS writes them), evaluated with the cells they refer to (formula-text.ts, R1C1 from the cell).
 * The file's text is read as markup elsewhere (html.ts); here a formula's value is a cell's text, joined
 * with its row's neighbours (sheet-rows.ts), and one that may show 秘 but cannot be evaluated is unread.
 * A workbook with hidden columns (`<Column ss:Hidden="1">`) has its rows read here too, also without
 * them: the cells either side of a hidden column stand side by side on screen.
 */
import type { Where } from '../types.js';
import { mayHaveStampChar } from './byte-scan.js';
import { evaluateFormula, parseFormula, readFormula, unreadFormulas, type Cells, type Shift, type Value } from './formula-text.js';
import { XML_TAGS, content, spans } from './markup-spans.js';
import { HiddenColumns, MergedCells, RowTexts, cellName, columnIndex, type TextCell } from './sheet-rows.js';
import { TallMerges } from './tall-merges.js';
import type { Extracted } from './types.js';
import { attr, decodeEntities, xmlToText } from './xml-text.js';

/** An XML Spreadsheet with formulas: the only files read here. */
export const SPREADSHEET_ML = /urn:schemas-microsoft-com:office:spreadsheet/;
const HAS_FORMULA = /\bss:Formula\s*=/;
/** A hidden column (`<Column ss:Hidden="1">`): the sheet's rows are read here without it too (sheet-rows.ts). */
const HIDDEN = /\bss:Hidden\s*=\s*["'](?:1|true)["']/;
const COLUMN = /<(?:ss:)?Column\b[^>]*>/g;
const FIRST_ROW = /<(?:ss:)?Row[\s/>]/;
/** Cells indexed per file: past it, the formulas are reported unread (never clean). */
const MAX_CELLS = 1_000_000;
/** Said when a workbook has more cells than MAX_CELLS to index (a new object each time: the driver may add to it). */
const tooManyCells = (): Extracted => ({ kind: 'unscannable', reason: 'too-large', detail: `more than ${MAX_CELLS.toLocaleString('en')} cells to evaluate its formulas`, where: { area: 'cells' } });
/** Merged ranges kept per sheet (past them, the rest are not joined: RowTexts reports what it could not). */
const MAX_MERGES = 1 << 20;

const WORKSHEET = /<(?:ss:)?Worksheet(?=[\s/>])/g;
const WORKSHEET_END = /<\/(?:ss:)?Worksheet>/g;
const ROW = /<(?:ss:)?Row(?=[\s/>])/g;
const ROW_END = /<\/(?:ss:)?Row>/g;
const CELL = /<(?:ss:)?Cell(?=[\s/>])/g;
const CELL_END = /<\/(?:ss:)?Cell>/g;
/** A comment on a cell is not what it shows. */
const COMMENT = /<(?:ss:)?Comment\b[\s\S]*?<\/(?:ss:)?Comment>/g;

interface Cell {
  text: string;
  formula: string | null;
  /** A Gnumeric shared expression's offset from the cell that holds it. */
  shift?: Shift;
}
/** A sheet's cells: row → column → cell (0-based). */
type Grid = Map<number, Map<number, Cell>>;

/**
 * Gnumeric's own format (.gnumeric, gzipped XML): a formula cell holds its expression and no value
 * (`<gnm:Cell Row="0" Col="0">="秘"&amp;" Confidential"</gnm:Cell>`, A1 references), evaluated the same way.
 */
const GNUMERIC = /<gnm:Workbook\b/;
const GNM_SHEET = /<gnm:Sheet(?=[\s/>])/g;
const GNM_SHEET_END = /<\/gnm:Sheet>/g;
const GNM_NAME = /<gnm:Name>([^<]*)<\/gnm:Name>/;
const GNM_CELL = /<gnm:Cell\b([^<>]*?)(?:\/>|>([^<]*)<\/gnm:Cell>)/g;
const GNM_COL_INFO = /<gnm:ColInfo\b[^<>]*>/g;
const GNM_MERGE = /<gnm:Merge>\s*\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?\s*<\/gnm:Merge>/g;
/** Defined names (`<gnm:Names>`): the workbook's, and in a sheet its own, each a name and an A1 expression. */
const GNM_NAMES = /<gnm:Names>/g;
const GNM_NAMES_END = /<\/gnm:Names>/g;
const GNM_DEFINED = /<gnm:Name>\s*<gnm:name>([^<]*)<\/gnm:name>\s*<gnm:value>([^<]*)<\/gnm:value>/g;
/** A cell reference with a part not fixed by `$` (`Z1`, `$Z1`): Gnumeric moves it with the cell that uses the name. */
const RELATIVE = /(?:^|[^\w$.])(?:[A-Za-z]{1,3}\$\d|\$?[A-Za-z]{1,3}\d)/;

/**
 * Defined names (lower case) → expression; null for a relative one (its cells depend on where it is
 * used): not known, and it still hides a workbook's name of the same name.
 */
function gnumericNames(xml: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const w of spans(xml, GNM_NAMES, () => GNM_NAMES_END, XML_TAGS))
    for (const [, name, value] of content(xml, w).matchAll(GNM_DEFINED)) {
      const f = decodeEntities(value);
      out.set(decodeEntities(name).toLowerCase(), RELATIVE.test(f.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'/g, '""')) ? null : f);
    }
  return out;
}

/** A workbook's defined names: its own, and each sheet's (by lower-case sheet name), which hide the workbook's on that sheet. */
interface Names {
  book: Map<string, string | null>;
  sheet: Map<string, Map<string, string | null>>;
}

/** A style region aligned "Center across selection": its attributes (startRow, startCol, endRow, endCol). */
const GNM_ACROSS = /<gnm:StyleRegion\b([^<>]*)>\s*<gnm:Style\b[^<>]*\bHAlign\s*=\s*["']GNM_HALIGN_CENTER_ACROSS_SELECTION["']/g;
/** Such regions kept per sheet (each text cell is looked up in them), and cell and region pairs looked at per file. */
const MAX_ACROSS = 1000;
const MAX_ACROSS_LOOKUPS = 20_000_000;
/** A merged range: first row, first column, last column, last row (0-based). */
type Merge = [number, number, number, number];


function* gnumericFormulas(xml: string): Generator<Extracted> {
  const sheets = new Map<string, Grid>();
  const hidden = new Map<string, HiddenColumns>();
  const merges = new Map<string, Merge[]>();
  const names: Names = { book: new Map(), sheet: new Map() };
  let cells = 0;
  let acrossLookups = 0;
  let outside = '';
  let from = 0;
  for (const w of spans(xml, GNM_SHEET, () => GNM_SHEET_END, XML_TAGS)) {
    const body = content(xml, w);
    outside += xml.slice(from, w.start.index);
    from = w.end;
    const grid: Grid = new Map();
    const name = decodeEntities(GNM_NAME.exec(body)?.[1] ?? '');
    sheets.set(name, grid);
    names.sheet.set(name.toLowerCase(), gnumericNames(body));
    // Merged ranges (`<gnm:Merge>A1:B1</gnm:Merge>`): the merged cell's text stands over the cells it covers,
    // which show nothing even when they hold text, and the cell after it is its neighbour (sheet-rows.ts);
    // one over several rows (A1:A3) stands beside each of them (tall-merges.ts).
    for (const m of body.matchAll(GNM_MERGE)) {
      if (!m[3]) continue;
      const list = merges.get(name) ?? merges.set(name, []).get(name)!;
      if (list.length < MAX_MERGES) list.push([Number(m[2]) - 1, columnIndex(m[1]), columnIndex(m[3]), Number(m[4]) - 1]);
    }
    // Hidden columns (`<gnm:ColInfo No="1" Hidden="1" Count="2"/>`): the cells either side stand side by side.
    for (const [tag] of body.matchAll(GNM_COL_INFO)) {
      if (attr(tag, 'Hidden') !== '1') continue;
      const no = Number(attr(tag, 'No'));
      const count = Math.max(1, Number(attr(tag, 'Count') ?? 1) || 1);
      if (!Number.isInteger(no) || no < 0) continue;
      const h = hidden.get(name) ?? hidden.set(name, new HiddenColumns()).get(name)!;
      h.add(no, Math.min(no + count, 16_384) - 1);
    }
    // A shared expression (`ExprID`): its first cell holds it, each other cell of the same id is empty
    // (`<gnm:Cell Row="1" Col="1" ExprID="1"/>`) and shows it with its relative references moved by the offset.
    const shared = new Map<string, { formula: string; row: number; col: number }>();
    const sharing: { row: number; col: number; id: string }[] = [];
    for (const m of body.matchAll(GNM_CELL)) {
      const tag = `<c ${m[1]}>`;
      const row = Number(attr(tag, 'Row'));
      const col = Number(attr(tag, 'Col'));
      if (!Number.isInteger(row) || !Number.isInteger(col)) continue;
      const id = attr(tag, 'ExprID');
      if (m[2] === undefined) {
        if (id !== null) sharing.push({ row, col, id });
        continue;
      }
      const text = decodeEntities(m[2]);
      // A value type says the content is the value; without one, content starting with = is an expression.
      const formula = attr(tag, 'ValueType') === null && text.startsWith('=') ? text : null;
      if (formula && id !== null && !shared.has(id)) shared.set(id, { formula, row, col });
      (grid.get(row) ?? grid.set(row, new Map()).get(row)!).set(col, { text: formula ? '' : text, formula });
      if (++cells > MAX_CELLS) return yield tooManyCells();
    }
    for (const { row, col, id } of sharing) {
      const first = shared.get(id);
      if (!first) continue;
      (grid.get(row) ?? grid.set(row, new Map()).get(row)!).set(col, { text: '', formula: first.formula, shift: { rows: row - first.row, cols: col - first.col } });
      if (++cells > MAX_CELLS) return yield tooManyCells();
    }
    // "Center across selection" (a style region's HAlign): a text cell's text stands over the empty cells
    // after it in such regions, as a merged cell's does (sheet-rows.ts), up to the next cell with content.
    const across = [...body.matchAll(GNM_ACROSS)].slice(0, MAX_ACROSS).map(([, tag]) => {
      const n = (k: string) => Number(attr(`<r ${tag}>`, k));
      return { r1: n('startRow'), c1: n('startCol'), r2: n('endRow'), c2: n('endCol') };
    });
    if (across.length) {
      const list = merges.get(name) ?? merges.set(name, []).get(name)!;
      for (const [row, line] of grid) {
        if ((acrossLookups += line.size * across.length) > MAX_ACROSS_LOOKUPS)
          return yield { kind: 'unscannable', reason: 'too-large', detail: `sheet ${name}: too many cells in regions centred across selection to read as they show`, where: { sheet: name, area: 'cells' } };
        const cols = [...line.keys()].sort((a, b) => a - b);
        cols.forEach((col, i) => {
          const next = i + 1 < cols.length ? cols[i + 1] : Infinity;
          const at = (c: number) => across.find((a) => a.r1 <= row && row <= a.r2 && a.c1 <= c && c <= a.c2);
          let last = col;
          // Regions side by side carry it on; each step reaches a region's end (past `last`), so this ends.
          for (let g = at(col) && at(col + 1); g && last + 1 < next && last < 16_383; g = at(last + 1)) last = Math.min(g.c2, next - 1, 16_383);
          if (last > col && list.length < MAX_MERGES) list.push([row, col, last, row]);
        });
      }
    }
  }
  names.book = gnumericNames(outside + xml.slice(from));
  for (const [name, grid] of sheets) yield* sheetFormulas(sheets, name, grid, hidden.get(name) ?? null, merges.get(name), names);
}

/** The formulas with no computed value of an XML Spreadsheet or a Gnumeric workbook, read as they show; nothing for other XML. */
export function* xmlSpreadsheetFormulas(xml: string): Generator<Extracted> {
  if (GNUMERIC.test(xml.slice(0, 4096))) return yield* gnumericFormulas(xml);
  if (!(HAS_FORMULA.test(xml) || HIDDEN.test(xml)) || !SPREADSHEET_ML.test(xml.slice(0, 4096))) return;
  const sheets = new Map<string, Grid>();
  const hidden = new Map<string, HiddenColumns>();
  let cells = 0;
  for (const w of spans(xml, WORKSHEET, () => WORKSHEET_END, XML_TAGS)) {
    const grid: Grid = new Map();
    sheets.set(attr(w.tag, 'ss:Name') ?? '', grid);
    const h = hiddenColumns(content(xml, w));
    if (h.any) hidden.set(attr(w.tag, 'ss:Name') ?? '', h);
    let row = -1;
    for (const r of spans(content(xml, w), ROW, () => ROW_END, XML_TAGS)) {
      row = Number(attr(r.tag, 'ss:Index') ?? row + 2) - 1;
      const body = content(content(xml, w), r);
      let col = -1;
      for (const c of spans(body, CELL, () => CELL_END, XML_TAGS)) {
        col = Number(attr(c.tag, 'ss:Index') ?? col + 2) - 1;
        const text = xmlToText(content(body, c).replace(COMMENT, '')).trim();
        const f = attr(c.tag, 'ss:Formula');
        // A stored value is what the cell shows; only a formula without one is evaluated.
        if (text || f) (grid.get(row) ?? grid.set(row, new Map()).get(row)!).set(col, { text, formula: text ? null : f });
        if (++cells > MAX_CELLS) return yield tooManyCells();
        col += Number(attr(c.tag, 'ss:MergeAcross') ?? 0) || 0;
      }
    }
  }
  for (const [name, grid] of sheets) yield* sheetFormulas(sheets, name, grid, hidden.get(name) ?? null);
}

/** A worksheet's hidden columns: `<Column>`s before its first row (ss:Index 1-based, else after the last; ss:Span more columns alike). */
function hiddenColumns(sheet: string): HiddenColumns {
  const out = new HiddenColumns();
  const head = sheet.slice(0, FIRST_ROW.exec(sheet)?.index ?? sheet.length);
  let col = -1;
  for (const [tag] of head.matchAll(COLUMN)) {
    col = Number(attr(tag, 'ss:Index') ?? col + 2) - 1;
    if (!Number.isInteger(col) || col < 0) break;
    const last = Math.min(col + (Number(attr(tag, 'ss:Span') ?? 0) || 0), 16_383);
    if (HIDDEN.test(tag)) out.add(col, last);
    col = last;
  }
  return out;
}

/** One sheet's formulas evaluated: their texts with 秘, their rows joined, and the unread cells. */
function* sheetFormulas(sheets: Map<string, Grid>, name: string, grid: Grid, hidden: HiddenColumns | null = null, merged?: readonly Merge[], names?: Names): Generator<Extracted> {
  const where: Where = { area: 'cells', sheet: name };
  const rows = new RowTexts();
  rows.hidden = hidden;
  const merges = new MergedCells();
  const unread: string[] = [];
  const values = new Map<Cell, Value>();
  // A merge over several rows stands beside each row it covers (tall-merges.ts): each row's cells kept for it.
  const tall = merged ? new TallMerges() : null;
  const byRow = new Map<number, TextCell[]>();
  for (const [r, row] of grid) {
    const texts: TextCell[] = [];
    for (const [c, cell] of row) {
      const v = cell.formula === null ? cell.text : valueOf(sheets, name, cell, r, c, values, new Set(), names);
      if (typeof v === 'string') {
        texts.push({ row: r, col: c, text: v, sst: null });
        if (cell.formula !== null && mayHaveStampChar(v)) rows.addText(v, where, r, c);
      } else if (v.stamp || [...row].some(([k, x]) => Math.abs(k - c) === 1 && mayHaveStampChar(x.text))) unread.push(cellName(r, c));
    }
    texts.sort((a, b) => a.col - b.col);
    if (tall && texts.length) {
      tall.note(texts);
      byRow.set(r, texts);
    }
    if (texts.length > 1) {
      rows.add(texts, where);
      if (merged) merges.want(texts);
    }
  }
  if (merged && merges.wanting) {
    for (const [r, c, last] of merged) merges.add(r, c, last);
    if (rows.joinMerged(merges)) yield { kind: 'unscannable', reason: 'too-large', detail: `sheet ${name}: too many merged ranges or cells with 秘 to join its rows`, where };
  }
  if (tall && merged && tall.noted) {
    for (const [row, col, lastCol, lastRow] of merged) tall.merge({ row, col, lastRow, lastCol });
    if (tall.plan()) {
      for (const [r, texts] of byRow) if (tall.wants(r)) tall.take(r, texts, rows, where);
      tall.finish(rows, where);
    }
    if (tall.lost) yield { kind: 'unscannable', reason: 'too-large', detail: `sheet ${name}: too many merged ranges or cells with 秘 to join its rows`, where };
  }
  yield* rows.take();
  if (unread.length) yield unreadFormulas(unread, where);
}

/** What formula cell `cell` (at row `r`, column `c` of sheet `sheet`) shows; `seen` ends a cycle. */
function valueOf(sheets: Map<string, Grid>, sheet: string, cell: Cell, r: number, c: number, values: Map<Cell, Value>, seen: Set<Cell>, names?: Names): Value {
  const known = values.get(cell);
  if (known !== undefined) return known;
  if (seen.has(cell) || seen.size > 32) return { stamp: seen.size > 32 };
  seen.add(cell);
  const cells: Cells = {
    range: (name, r1, c1, r2, c2) => {
      const own = name ?? sheet;
      const grid = [...sheets].find(([k]) => k.toLowerCase() === own.toLowerCase())?.[1];
      if (!grid) return null;
      const out: Value[] = [];
      for (let i = r1; i <= r2; i++)
        for (let j = c1; j <= c2; j++) {
          const x = grid.get(i)?.get(j);
          out.push(!x ? '' : x.formula === null ? x.text : valueOf(sheets, own, x, i, j, values, seen, names));
        }
      return out;
    },
    // A name as this sheet sees it: its own before the workbook's (Gnumeric's scopes).
    name: (n) => {
      const lower = n.toLowerCase();
      const own = names?.sheet.get(sheet.toLowerCase());
      return own?.has(lower) ? own.get(lower)! : (names?.book.get(lower) ?? null);
    },
  };
  const f = cell.shift ? evaluateFormula(parseFormula(cell.formula!, { row: r, col: c }, cell.shift), cells) : readFormula(cell.formula!, cells, { row: r, col: c });
  seen.delete(cell);
  const v = f.value ?? { stamp: f.stamp };
  values.set(cell, v);
  return v;
}
