/**
 * How a row of spreadsheet cells reads as text, the same for every workbook format (xlsx, xlsb):
 * a stamp split across neighbouring cells of one row (秘 in B2, Confidential in C2, as a form lays
 * it out) reads as 秘 Confidential on screen, so neighbouring columns are joined by a space. Cells
 * further apart, and different rows, are kept apart by SEPARATOR (not whitespace), so 社外秘 |
 * 注意 | Confidential or 秘 above Confidential are not the stamp.
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

/** Rows where 秘 stands beside other cells, each as one text (see the header); each distinct text once. */
export class RowTexts {
  readonly out: Extracted[] = [];
  private readonly seen = new Set<string>();

  add(row: TextCell[], where: Where): void {
    if (row.length < 2 || this.seen.size >= MAX_ROW_TEXTS) return;
    const first = row.find((c) => mayHaveStampChar(c.text));
    if (!first) return;
    let text = row[0].text;
    for (let i = 1; i < row.length; i++) text += (row[i].col === row[i - 1].col + 1 ? ' ' : SEPARATOR) + row[i].text;
    if (this.seen.has(text)) return;
    this.seen.add(text);
    this.out.push({ kind: 'text', text, where: { ...where, cell: cellName(first.row, first.col) } });
  }

  /** The row texts added since the last call. */
  take(): Extracted[] {
    return this.out.splice(0);
  }
}
