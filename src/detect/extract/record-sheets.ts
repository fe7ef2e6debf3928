/**
 * Spreadsheets written as text records, which Excel and LibreOffice open as sheets and SheetJS writes
 * (bookType "sylk" and "dif"):
 * - SYLK (.slk): `C;Y2;X1;K"秘"` then `C;Y2;X2;K"Confidential"`, each cell a record naming its row (Y)
 *   and column (X), either kept from the record before when left out; `;;` is a `;` of the text;
 * - DIF (.dif): a header of three-line items up to `DATA`, then two-line items: `-1,0` `BOT` starts a
 *   row, `1,0` `"text"` is a text cell, `0,n` `V` a number, `-1,0` `EOD` ends the table.
 * The text is read line by line elsewhere (text.ts), where two cells of a row are two lines; on the grid
 * they stand side by side: each row's cells are joined as in the other spreadsheets (sheet-rows.ts).
 */
import type { Where } from '../types.js';
import { RowTexts, type TextCell } from './sheet-rows.js';
import type { Extracted } from './types.js';

/** A SYLK file's first record (ID) and a DIF file's first header item (TABLE, then `0,1`). */
export const RECORD_SHEET_START = /^(?:ID;|TABLE\r?\n0,1\r?\n)/;

/** LibreOffice writes a line break inside a SYLK cell as ESC, space, colon. */
const SYLK_LINE_FEED = /\x1b :/g;
const WHERE: Where = { area: 'cells' };

export function* recordSheetRows(text: string): Generator<Extracted> {
  const grid = text.startsWith('ID;') ? sylkCells(text) : difCells(text);
  const rows = new RowTexts();
  for (const row of grid.values()) if (row.length > 1) rows.add(row.sort((a, b) => a.col - b.col), WHERE);
  yield* rows.take();
}

/** Adds a text cell at (row, col), 0-based. */
function put(grid: Map<number, TextCell[]>, row: number, col: number, text: string): void {
  if (!(row >= 0 && col >= 0)) return;
  (grid.get(row) ?? grid.set(row, []).get(row)!).push({ row, col, text, sst: null });
}

function sylkCells(text: string): Map<number, TextCell[]> {
  const grid = new Map<number, TextCell[]>();
  let x = 1;
  let y = 1;
  for (const line of text.split(/\r?\n/)) {
    const type = line.slice(0, line.indexOf(';'));
    if (type !== 'C' && type !== 'F') continue;
    let value: string | null = null;
    for (const field of fields(line)) {
      if (field[0] === 'X') x = Number(field.slice(1));
      else if (field[0] === 'Y') y = Number(field.slice(1));
      else if (field[0] === 'K' && type === 'C') value = field.slice(1);
    }
    // A text value is quoted; a number, a boolean or an error is not.
    if (value?.startsWith('"')) put(grid, y - 1, x - 1, value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined).replace(SYLK_LINE_FEED, '\n'));
  }
  return grid;
}

/** A SYLK record's fields after its type, `;;` read as a `;` of the field. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = line.indexOf(';') + 1; i < line.length; i++) {
    if (line[i] !== ';') cur += line[i];
    else if (line[i + 1] === ';') cur += line[i++];
    else {
      out.push(cur);
      cur = '';
    }
  }
  out.push(cur);
  return out;
}

function difCells(text: string): Map<number, TextCell[]> {
  const grid = new Map<number, TextCell[]>();
  const lines = text.split(/\r?\n/);
  // The header: three-line items (topic, numbers, string) up to and including DATA.
  let i = 0;
  while (i < lines.length && lines[i].trim() !== 'DATA') i += 3;
  i += 3;
  let row = -1;
  let col = 0;
  for (; i + 1 < lines.length; i += 2) {
    const kind = lines[i].split(',')[0].trim();
    const s = lines[i + 1];
    if (kind === '-1') {
      if (s.trim() === 'EOD') break;
      if (s.trim() === 'BOT') {
        row++;
        col = 0;
      }
      continue;
    }
    if (kind === '1') put(grid, row, col, s.startsWith('"') ? s.slice(1, s.endsWith('"') && s.length > 1 ? -1 : undefined).replace(/""/g, '"') : s);
    col++;
  }
  return grid;
}
