/**
 * How a row of spreadsheet cells reads as text, the same for every workbook format (xlsx, xlsb):
 * a stamp split across neighbouring cells of one row (秘 in B2, Confidential in C2, as a form lays
 * it out) reads as 秘 Confidential on screen, so neighbouring columns are joined by a space. Cells
 * further apart, and different rows, are kept apart by SEPARATOR (not whitespace), so 社外秘 |
 * 注意 | Confidential or 秘 above Confidential are not the stamp.
 *
 * A merged cell shows its text across the columns it covers, so 秘 merged over B2:C2 stands next to
 * Confidential in D2 on screen. xlsx, xlsb and xls list their merges after the cells, so a row with a
 * gap is kept (RowTexts) and the gap's first cell wanted (MergedCells) while the cells stream by; once
 * the sheet's merges are known, joinMerged joins each gap a merge starting at that cell covers exactly.
 */
import type { Where } from '../types.js';
import { mayHaveStampChar } from './byte-scan.js';
import type { Extracted } from './types.js';

/** Between cells that are not neighbours: not whitespace, so it breaks 秘 … Confidential. */
export const SEPARATOR = '\n|\n';

/** A text cell: where it is (0-based), what it shows, and its shared string index if it uses one. */
export interface TextCell {
  row: number;
  col: number;
  text: string;
  sst: number | null;
}

/** A1-style name of a 0-based cell. */
export function cellName(row: number, col: number): string {
  let s = '';
  for (let c = col + 1; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s + (row + 1);
}

/** Distinct row texts kept per part: rows of traps (社外秘 in every row) cannot grow without bound. */
const MAX_ROW_TEXTS = 10_000;

/** Gap-ending cells and merges kept per sheet: past this a merged stamp is not joined (the cells are still searched one by one). */
const MAX_WANTED = 10_000;

const key = (row: number, col: number): string => `${row}:${col}`;

/**
 * The merged ranges of one sheet that can matter to a row's join: only those whose first cell is a
 * text cell followed by empty columns (want), so a sheet of many merges keeps none it does not need.
 */
export class MergedCells {
  private readonly wanted = new Set<string>();
  /** First cell → last column of its merge. */
  private readonly ends = new Map<string, number>();

  /** Wants the merges that may start at the cells of `row` followed by a gap. */
  want(row: readonly TextCell[]): void {
    // Only a row that may show the stamp is joined (RowTexts.add).
    if (!row.some((c) => mayHaveStampChar(c.text))) return;
    for (let i = 1; i < row.length && this.wanted.size < MAX_WANTED; i++) {
      if (row[i].col > row[i - 1].col + 1) this.wanted.add(key(row[i - 1].row, row[i - 1].col));
    }
  }

  /** Some merge is wanted (else the merges need not be read). */
  get wanting(): boolean {
    return this.wanted.size > 0;
  }

  /** A merged range from (row, col) to column `lastCol` (0-based), kept if wanted. */
  add(row: number, col: number, lastCol: number): void {
    const k = key(row, col);
    if (lastCol > col && this.wanted.has(k)) this.ends.set(k, lastCol);
  }

  /** The last column of the merge that starts at (row, col), if one does. */
  lastCol(row: number, col: number): number | undefined {
    return this.ends.get(key(row, col));
  }
}

/** Rows where 秘 stands beside other cells, each as one text (see the header); each distinct text once. */
export class RowTexts {
  readonly out: Extracted[] = [];
  private readonly seen = new Set<string>();
  /** Rows with a gap between two cells: joined again once the merges are known (joinMerged). */
  private gapped: { row: TextCell[]; where: Where }[] = [];

  add(row: TextCell[], where: Where): void {
    if (row.length < 2 || this.seen.size >= MAX_ROW_TEXTS) return;
    const text = this.join(row, where, (i) => row[i].col === row[i - 1].col + 1);
    // Each distinct row once: a trap repeated down the sheet is kept once.
    if (text !== null && text.includes(SEPARATOR) && this.gapped.length < MAX_WANTED) this.gapped.push({ row, where });
  }

  /** The kept rows again, a gap joined where a merge from the cell before it covers the gap exactly. */
  joinMerged(merges: MergedCells): void {
    for (const { row, where } of this.gapped) {
      this.join(row, where, (i) => {
        const a = row[i - 1];
        return row[i].col === a.col + 1 || merges.lastCol(a.row, a.col) === row[i].col - 1;
      });
    }
    this.gapped = [];
  }

  /** Adds the row's text, neighbours (by `near`) joined by a space; the text if it was new, else null (no cell may hold 秘, or seen). */
  private join(row: TextCell[], where: Where, near: (i: number) => boolean): string | null {
    const first = row.find((c) => mayHaveStampChar(c.text));
    if (!first) return null;
    let text = row[0].text;
    for (let i = 1; i < row.length; i++) text += (near(i) ? ' ' : SEPARATOR) + row[i].text;
    if (this.seen.has(text) || this.seen.size >= MAX_ROW_TEXTS) return null;
    this.seen.add(text);
    this.out.push({ kind: 'text', text, where: { ...where, cell: cellName(first.row, first.col) } });
    return text;
  }

  /** The row texts added since the last call. */
  take(): Extracted[] {
    return this.out.splice(0);
  }
}
