/**
 * Merged cells over several rows (秘 in B2 merged over B2:B4, Confidential in C3): on screen the merged
 * cell stands beside every row it covers, so 秘 | Confidential reads as the stamp in row 3 although
 * row 3's own cells hold no 秘. sheet-rows.ts joins a row's own cells (and a merge within one row);
 * this joins the rows a tall merge reaches below its first row, the same way: each row read as it
 * shows, a merge's text standing over all the columns it covers, covered cells hidden, neighbouring
 * cells joined by a space, others kept apart (SEPARATOR).
 *
 * Every format lists its merges apart from the rows that show them (xlsx, xlsb and xls after the
 * cells; ods on the merge's first cell), and a row that may need one is known only once both are
 * known. So the sheet is read twice when (and only when) needed:
 *  1. while the cells go by, the cells that may hold 秘 are noted (note) and every merge kept (merge);
 *  2. plan() tells which rows to read again: the rows strictly inside a tall merge where 秘 may stand
 *     (the merge's own text, or a cell of that row), and the first rows of the merges over them
 *     (their text). None when no tall merge meets 秘: then nothing is read twice;
 *  3. the caller passes those rows' cells (take, any order; rows may come without cells), then finish().
 * Past the limits the join cannot be made, and `lost` says so: the caller reports the sheet as not read
 * whole (never a silent clean).
 */
import { mayHaveStampChar } from './byte-scan.js';
import { type HiddenColumns, RowTexts, SEPARATOR, shows, type TextCell } from './sheet-rows.js';
import type { Where } from '../types.js';

/** A merged range, 0-based and inclusive. */
export interface MergeRange {
  row: number;
  col: number;
  lastRow: number;
  lastCol: number;
}

/** Cells that may hold 秘, merges, rows kept for a late first row: each at most this many per sheet. */
const MAX_KEPT = 1 << 20;

/** One number per cell (columns past 2^20 are damage and share a number: at worst a join too many). */
const key = (row: number, col: number): number => row * 0x100000 + (col & 0xfffff);

/** A cell as it shows in a row: its text over columns col…lastCol (row: where the text stands). */
interface Shown {
  row: number;
  col: number;
  lastCol: number;
  text: string;
}

export class TallMerges {
  /** The rows of pass 1's cells that may hold 秘, and those cells. */
  private readonly stampRows: number[] = [];
  private readonly stampCells = new Set<number>();
  private readonly merges: MergeRange[] = [];
  /** Row intervals (sorted, disjoint) to read again, from plan(). */
  private want: [number, number][] = [];
  /** The rows strictly inside a tall merge to join (the others in `want` are first rows, read for their text). */
  private join: [number, number][] = [];
  /** Merges by first row (sorted), and the text of each first cell once read. */
  private byRow: MergeRange[] = [];
  private byRowStart: number[] = [];
  /** The most rows one kept merge covers (merges over a row start at most this far above it). */
  private tallest = 1;
  private readonly firsts = new Set<number>();
  private readonly firstText = new Map<number, string>();
  private readonly firstRowsRead = new Set<number>();
  /** Rows whose merge's first row was not read yet (a stream out of order): joined at finish(). */
  private late: { row: number; cells: TextCell[] }[] = [];
  /** A limit was passed: some join could not be made. */
  lost = false;

  /** A cell that may hold the stamp was seen (so merges are worth keeping). */
  get noted(): boolean {
    return this.stampCells.size > 0;
  }

  /** Pass 1: a row's cells (only the ones that may hold 秘 are kept). */
  note(cells: readonly TextCell[]): void {
    for (const c of cells) {
      if (!mayHaveStampChar(c.text)) continue;
      if (this.stampCells.size >= MAX_KEPT) {
        this.lost = true;
        return;
      }
      const k = key(c.row, c.col);
      if (this.stampCells.has(k)) continue;
      this.stampCells.add(k);
      this.stampRows.push(c.row);
    }
  }

  /** Pass 1: a merged range of the sheet (over one row or several). */
  merge(m: MergeRange): void {
    if (m.lastRow < m.row || m.lastCol < m.col) return;
    if (this.merges.length >= MAX_KEPT) {
      this.lost = true;
      return;
    }
    this.merges.push(m);
  }

  /** After pass 1: whether some rows must be read again (then `wants` tells which). */
  plan(): boolean {
    const tall = this.merges.filter((m) => m.lastRow > m.row);
    if (!tall.length || !this.stampCells.size) return false;
    const stampRows = [...new Set(this.stampRows)].sort((a, b) => a - b);
    const join: [number, number][] = [];
    for (const m of tall) {
      if (this.stampCells.has(key(m.row, m.col))) join.push([m.row + 1, m.lastRow]);
      else for (let i = lowerBound(stampRows, m.row + 1); i < stampRows.length && stampRows[i] <= m.lastRow; i++) join.push([stampRows[i], stampRows[i]]);
    }
    this.join = union(join);
    if (!this.join.length) return false;
    // The first rows of the tall merges over a joined row: their text stands in it.
    const want = [...this.join];
    for (const m of tall) if (meets(this.join, m.row + 1, m.lastRow)) want.push([m.row, m.row]);
    this.want = union(want);
    this.byRow = this.merges.filter((m) => meets(this.want, m.row, m.lastRow)).sort((a, b) => a.row - b.row);
    this.byRowStart = this.byRow.map((m) => m.row);
    for (const m of this.byRow) {
      this.firsts.add(key(m.row, m.col));
      this.tallest = Math.max(this.tallest, m.lastRow - m.row + 1);
    }
    return true;
  }

  /** Pass 2: `row` is one to read again. */
  wants(row: number): boolean {
    return meets(this.want, row, row);
  }

  /** Pass 2: a wanted row's text cells (any order of rows); joined now, or at finish() when a first row comes later. */
  take(row: number, cells: readonly TextCell[], rows: RowTexts, where: Where): void {
    for (const c of cells) if (this.firsts.has(key(c.row, c.col))) this.firstText.set(key(c.row, c.col), c.text);
    this.firstRowsRead.add(row);
    if (!meets(this.join, row, row)) return;
    const over = this.over(row);
    if (over.some((m) => m.row < row && !this.firstRowsRead.has(m.row))) {
      if (this.late.length >= MAX_KEPT) this.lost = true;
      else this.late.push({ row, cells: [...cells] });
      return;
    }
    this.joinRow(row, cells, over, rows, where);
  }

  /** Joins the rows that waited for a first row read after them. */
  finish(rows: RowTexts, where: Where): void {
    for (const { row, cells } of this.late) this.joinRow(row, cells, this.over(row), rows, where);
    this.late = [];
  }

  /** The merges over `row` (kept ones: those over a wanted row). */
  private over(row: number): MergeRange[] {
    const out: MergeRange[] = [];
    for (let i = lowerBound(this.byRowStart, row - this.tallest + 1); i < this.byRow.length; i++) {
      const m = this.byRow[i];
      if (m.row > row) break;
      if (m.lastRow >= row) out.push(m);
    }
    return out;
  }

  /** Row `row` as it shows: its own cells not covered by a merge, each merge's text over its columns. */
  private joinRow(row: number, cells: readonly TextCell[], over: MergeRange[], rows: RowTexts, where: Where): void {
    const covers = (c: TextCell) => over.find((m) => c.col >= m.col && c.col <= m.lastCol);
    const shown: Shown[] = [];
    for (const c of cells) {
      if (c.row !== row || !shows(c.text)) continue;
      const m = covers(c);
      if (!m) shown.push({ row, col: c.col, lastCol: c.col, text: c.text });
      else if (m.row === row && m.col === c.col) shown.push({ row, col: c.col, lastCol: m.lastCol, text: c.text });
      // Else covered: hidden under the merge (the cell's own text is still searched on its own).
    }
    for (const m of over) {
      if (m.row === row) continue;
      const text = this.firstText.get(key(m.row, m.col));
      if (text !== undefined && shows(text)) shown.push({ row: m.row, col: m.col, lastCol: m.lastCol, text });
    }
    shown.sort((a, b) => a.col - b.col);
    const all = joined(shown, null);
    if (all) rows.addText(all.text, where, all.row, all.col);
    // Hidden columns (sheet-rows.ts HiddenColumns): what stands in them is not on screen, and the cells
    // either side of them stand side by side; the reading with every cell stays.
    const hidden = rows.hidden?.any ? rows.hidden : null;
    const visible = hidden && joined(shown.filter((c) => !hidden.covers(c.col, c.lastCol)), hidden);
    if (visible && visible.text !== all?.text) rows.addText(visible.text, where, visible.row, visible.col);
  }
}

/**
 * Cells of a row as it shows (in column order) joined: neighbours by a space, others kept apart; cells
 * with only hidden columns (`hidden`) between them are neighbours. Null when there is no stamp to make.
 */
function joined(shown: readonly Shown[], hidden: HiddenColumns | null): { text: string; row: number; col: number } | null {
  if (shown.length < 2 || !shown.some((c) => mayHaveStampChar(c.text))) return null;
  let text = shown[0].text;
  for (let i = 1; i < shown.length; i++) {
    const next = shown[i].col === shown[i - 1].lastCol + 1 || !!hidden?.covers(shown[i - 1].lastCol + 1, shown[i].col - 1);
    text += (next ? ' ' : SEPARATOR) + shown[i].text;
  }
  const first = shown.find((c) => mayHaveStampChar(c.text))!;
  return { text, row: first.row, col: first.col };
}

/** First index of the ascending `a` whose value is ≥ x. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted, disjoint intervals covering the same rows. */
function union(iv: [number, number][]): [number, number][] {
  iv.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of iv) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Some row from..to is in the sorted, disjoint intervals. */
function meets(iv: readonly [number, number][], from: number, to: number): boolean {
  let lo = 0;
  let hi = iv.length;
  // The first interval that ends at or after `from`.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (iv[mid][1] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < iv.length && iv[lo][0] <= to;
}
