/**
 * How a row of spreadsheet cells reads as text, the same for every workbook format (xlsx, xlsb):
 * a stamp split across neighbouring cells of one row (秘 in B2, Confidential in C2, as a form lays
 * it out) reads as 秘 Confidential on screen, so neighbouring columns are joined by a space. Cells
 * further apart, and different rows, are kept apart by SEPARATOR (not whitespace), so 社外秘 |
 * 注意 | Confidential or 秘 above Confidential are not the stamp.
 *
 * A merged cell shows its text across the columns it covers, so 秘 merged over B2:C2 stands next to
 * Confidential in D2 on screen. xlsx, xlsb and xls list their merges after the cells, so a row that may
 * show the stamp is kept (RowTexts: its content once, with every row number that shows it) while the
 * cells stream by, and the merges over several columns after them (MergedCells); once the sheet's
 * merges are known, joinMerged reads each such row again as it shows: a merged cell's text over the columns it covers,
 * the cells it covers empty (a writer may leave text there, which no reader shows: SheetJS, LibreOffice's
 * "keep the contents of the hidden cells"), and the cell after it a neighbour.
 *
 * A hidden column (HiddenColumns: xlsx `<col hidden>`, xlsb BrtColInfo, xls COLINFO, ods collapsed
 * columns, SpreadsheetML ss:Hidden) is not on screen, so the cells either side of it stand side by side:
 * a row is also read without its hidden columns' cells, those either side of a run of hidden columns
 * joined as neighbours. The reading with every cell stays: text in a hidden column is still read.
 */
import type { Where } from '../types.js';
import { normalize } from '../normalize.js';
import { mayHaveStampChar } from './byte-scan.js';
import type { Extracted } from './types.js';

/** Between cells that are not neighbours: not whitespace, so it breaks 秘 … Confidential. */
export const SEPARATOR = '\n|\n';

/** A text and another reading of it (hidden text left out, changes accepted), apart; the text alone when they agree. */
export const bothReadings = (text: string, other: string): string => (other === text ? text : text + SEPARATOR + other);

/** A text cell: where it is (0-based), what it shows, and its shared string index if it uses one. */
export interface TextCell {
  row: number;
  col: number;
  text: string;
  sst: number | null;
  /** The text section of its number format that prints around its text (number-format.ts): `text` is as shown. */
  format?: string;
  /** A cell a merge covers (ods keeps its text in `<table:covered-table-cell>`): no reader shows it. */
  covered?: boolean;
}

/** Runs of hidden columns kept per sheet: past it the rest are not honoured (every cell is still read). */
const MAX_HIDDEN_RUNS = 1 << 16;

/** A sheet's hidden columns (0-based, inclusive runs), known before its rows (every format lists them first). */
export class HiddenColumns {
  private runs: [number, number][] = [];
  /** `runs` are sorted and disjoint. */
  private sorted = true;

  /** Columns first…last are hidden. */
  add(first: number, last: number): void {
    if (!(last >= first) || first < 0 || this.runs.length >= MAX_HIDDEN_RUNS) return;
    this.runs.push([first, last]);
    this.sorted = false;
  }

  get any(): boolean {
    return this.runs.length > 0;
  }

  /** The runs sorted and joined where they overlap or touch (once, after the last add). */
  private merged(): [number, number][] {
    if (this.sorted) return this.runs;
    const runs = this.runs.sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const [a, b] of runs) {
      const last = out[out.length - 1];
      if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
      else out.push([a, b]);
    }
    this.runs = out;
    this.sorted = true;
    return out;
  }

  /** The last column of the hidden run holding `col`, or -1 when `col` is not hidden. */
  private endAt(col: number): number {
    const runs = this.merged();
    let lo = 0;
    let hi = runs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid][0] <= col) lo = mid + 1;
      else hi = mid - 1;
    }
    return lo > 0 && runs[lo - 1][1] >= col ? runs[lo - 1][1] : -1;
  }

  has(col: number): boolean {
    return this.endAt(col) >= 0;
  }

  /** Every column from `from` to `to` is hidden (true for none: from > to). */
  covers(from: number, to: number): boolean {
    for (let c = from; c <= to; ) {
      const end = this.endAt(c);
      if (end < 0) return false;
      c = end + 1;
    }
    return true;
  }
}

/**
 * A cell shows something: one holding an empty or blank string looks like an empty cell on screen,
 * so it is an empty column between its neighbours (秘 | "" | Confidential is read apart, as with
 * nothing between), and a merge over it still reaches the cell after it.
 */
export const shows = (text: string): boolean => text.trim() !== '';

/** The 0-based column an A1-style column name stands for (`A` 0, `z` 25, `AA` 26): cellName's inverse. */
export const columnIndex = (letters: string): number => [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;

/** A1-style name of a 0-based cell. */
export function cellName(row: number, col: number): string {
  let s = '';
  for (let c = col + 1; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s + (row + 1);
}

/** What the stamp rule needs of a normalised text (rules/stamp.ts), loosely: 秘, blanks, then a c. */
const MAY_BE_JOINED_STAMP = /秘\s*c/i;

/** Distinct row texts kept per part: rows of traps (社外秘 in every row) cannot grow without bound. */
const MAX_ROW_TEXTS = 10_000;

/**
 * Row numbers kept per sheet for the merges (one number each, for rows that may show the stamp), and
 * merges kept: a sheet has at most 1,048,576 rows, so every row of the largest sheet fits (a few MB).
 */
const MAX_KEPT = 1 << 20;

/**
 * The merged ranges of one sheet that can matter to a row's join: those over more than one column, once
 * a row that may show the stamp has a text cell with another after it (want; before that, none is kept,
 * so a sheet without 秘 reads no merges). Merges are few beside cells: every one is kept, by first column
 * and row, up to MAX_KEPT (a hostile sheet past it: `dropped`, and the sheet is reported unread).
 */
export class MergedCells {
  private wanted = false;
  private kept = 0;
  /** First column → first row → the last column of the merge that starts there. */
  private readonly merged = new Map<number, Map<number, number>>();
  /** A merge was not kept (past MAX_KEPT): a row it covers would go unjoined (see RowTexts.joinMerged). */
  dropped = false;
  /** The sheet has a merge (add was called). */
  any = false;

  /** Wants the merges if `cells` (a row, in column order) may show the stamp and has two cells or more. */
  want(cells: readonly TextCell[]): void {
    if (this.wanted || cells.length < 2 || !cells.some((c) => mayHaveStampChar(c.text))) return;
    // A shared string not loaded yet (text '') may turn out blank or not.
    this.wanted = cells.filter((c) => shows(c.text) || c.sst !== null).length > 1;
  }

  /** Some merge is wanted (else the merges need not be read). */
  get wanting(): boolean {
    return this.wanted;
  }

  /** A merged range from (row, col) to column `lastCol` (0-based), kept if it spans columns and merges are wanted. */
  add(row: number, col: number, lastCol: number): void {
    this.any = true;
    if (!this.wanted || !(lastCol > col)) return;
    let map = this.merged.get(col);
    if (!map?.has(row) && this.kept >= MAX_KEPT) {
      this.dropped = true;
      return;
    }
    if (!map) this.merged.set(col, (map = new Map()));
    if (!map.has(row)) this.kept++;
    map.set(row, Math.max(lastCol, map.get(row) ?? lastCol));
  }

  /** The rows where a merge starts at column `col`, with its last column. */
  from(col: number): ReadonlyMap<number, number> | undefined {
    return this.merged.get(col);
  }
}

/** A row's cells with a gap (its texts and columns), and the numbers of the rows that show it. */
interface Gapped {
  row: TextCell[];
  where: Where;
  rows: number[];
  /** The hidden columns of its sheet. */
  hidden: HiddenColumns | null;
}

/** Rows where 秘 stands beside other cells, each as one text (see the header); each distinct text once. */
export class RowTexts {
  readonly out: Extracted[] = [];
  private readonly seen = new Set<string>();
  /**
   * Rows that may show the stamp, by content and columns: read again once the merges are known
   * (joinMerged). Every row number is kept, not only the first: the same content may be merged only
   * further down.
   */
  private gapped = new Map<string, Gapped>();
  private kept = 0;
  /** A row was not kept (past MAX_KEPT): a merge over its cells would go unjoined. */
  private dropped = false;

  /** The hidden columns of the sheet whose rows are added next (null: none). */
  hidden: HiddenColumns | null = null;

  add(row: TextCell[], where: Where): void {
    this.addRows(row, [row[0]?.row ?? 0], where);
  }

  /** The same cells (columns and texts) shown in each of `rows` (row numbers; `row`'s own cells give the first). */
  addRows(cells: TextCell[], rows: readonly number[], where: Where): void {
    // Blank cells are empty columns (see shows).
    const row = cells.every((c) => shows(c.text)) ? cells : cells.filter((c) => shows(c.text));
    if (row.length < 2) return;
    const first = row.find((c) => mayHaveStampChar(c.text));
    if (!first) return;
    const ends = row.map((c) => c.col);
    const text = this.emit(row, where, rows[0], (i) => row[i].col === row[i - 1].col + 1);
    this.emitShown(row, ends, where, rows[0]);
    if (this.kept >= MAX_KEPT) {
      this.dropped = true;
      return;
    }
    // Kept for the merges (any cell but the last may start one): by columns and content.
    const key = row.map((c) => (c.covered ? '~' : '') + c.col).join(',') + '\u0000' + text;
    let g = this.gapped.get(key);
    if (!g) {
      // Distinct contents as many as the row texts kept; past that, only rows a merge could make the stamp.
      if (this.gapped.size >= MAX_ROW_TEXTS && !MAY_BE_JOINED_STAMP.test(normalize(row.map((c) => c.text).join(' ')))) return;
      this.gapped.set(key, (g = { row, where, rows: [], hidden: this.hidden }));
    }
    for (const r of rows) {
      if (this.kept >= MAX_KEPT) {
        this.dropped = true;
        break;
      }
      g.rows.push(r);
      this.kept++;
    }
  }

  /**
   * The row as it shows (`ends`: the last column each cell's text stands over): cells a merge covers
   * and cells in hidden columns left out, cells with only hidden columns between them neighbours.
   */
  private emitShown(row: readonly TextCell[], ends: readonly number[], where: Where, r: number, hidden = this.hidden): void {
    const h = hidden?.any ? hidden : null;
    if (!h && !row.some((c) => c.covered)) return;
    const keep: number[] = [];
    for (let i = 0; i < row.length; i++) if (!row[i].covered && !h?.has(row[i].col)) keep.push(i);
    if (keep.length < 2 || !keep.some((i) => mayHaveStampChar(row[i].text))) return;
    const cells = keep.map((i) => row[i]);
    this.emit(cells, where, r, (j) => {
      const end = ends[keep[j - 1]];
      const col = cells[j].col;
      return col === end + 1 || (!!h && col > end && h.covers(end + 1, col - 1));
    });
  }

  /**
   * The kept rows again as they show where a merge starts at one of their cells: its text over the
   * columns it covers, the cells it covers left out, the cell after it a neighbour.
   * True when rows past the limits were not kept while the sheet has merges: one of them may have
   * joined a stamp, so the caller reports the sheet unread (never clean).
   */
  joinMerged(merges: MergedCells): boolean {
    const lost = (this.dropped || merges.dropped) && merges.any;
    for (const { row, where, rows, hidden } of this.gapped.values()) {
      // The merges starting at each cell (undefined: none anywhere).
      const from = row.map((c, i) => (i + 1 < row.length ? merges.from(c.col) : undefined));
      if (!from.some(Boolean)) continue;
      for (const r of rows) {
        const last = from.map((m) => m?.get(r));
        if (last.every((x) => x === undefined)) continue;
        const cells: TextCell[] = [];
        const ends: number[] = [];
        for (let i = 0; i < row.length; i++) {
          if (ends.length && row[i].col <= ends[ends.length - 1]) continue;
          cells.push(row[i]);
          ends.push(Math.max(row[i].col, last[i] ?? row[i].col));
        }
        if (cells.length < 2 || !cells.some((c) => mayHaveStampChar(c.text))) continue;
        this.emit(cells, where, r, (i) => cells[i].col === ends[i - 1] + 1);
        this.emitShown(cells, ends, where, r, hidden);
      }
    }
    this.gapped = new Map();
    this.kept = 0;
    this.dropped = false;
    return lost;
  }

  /** Adds the row's text (row number `r`), neighbours (by `near`) joined by a space, unless seen; the text. */
  private emit(row: TextCell[], where: Where, r: number, near: (i: number) => boolean): string {
    let text = row[0].text;
    for (let i = 1; i < row.length; i++) text += (near(i) ? ' ' : SEPARATOR) + row[i].text;
    const first = row.find((c) => mayHaveStampChar(c.text))!;
    this.addText(text, where, r, first.col);
    return text;
  }

  /**
   * A row's text (also joined elsewhere: tall-merges.ts), named by the cell (row, col) that may hold
   * 秘, unless seen. Past MAX_ROW_TEXTS distinct texts only those that may be the stamp are kept (not
   * remembered): a sheet of many distinct trap rows neither grows without bound nor hides a stamp after them.
   */
  addText(text: string, where: Where, row: number, col: number): void {
    if (this.seen.has(text)) return;
    if (this.seen.size < MAX_ROW_TEXTS) this.seen.add(text);
    else if (!MAY_BE_JOINED_STAMP.test(normalize(text))) return;
    this.out.push({ kind: 'text', text, where: { ...where, cell: cellName(row, col) } });
  }

  /** The row texts added since the last call. */
  take(): Extracted[] {
    return this.out.splice(0);
  }
}

/** A workbook's sheet names, one text kept apart name from name: a sheet tab is text a reader sees. */
export function* sheetNameText(names: readonly string[], part: string, ctx: { fullText: boolean }): Generator<Extracted> {
  const text = names.join(SEPARATOR);
  if (text && (ctx.fullText || mayHaveStampChar(text))) yield { kind: 'text', text, where: { part, area: 'sheet names' } };
}
