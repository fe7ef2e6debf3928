/**
 * Gnumeric's own format (.gnumeric): its cells are elements one after another (`<gnm:Cell Row="0"
 * Col="0">秘</gnm:Cell>` then `<gnm:Cell Row="1" Col="0">Confidential</gnm:Cell>`), so the markup's text
 * joins cells of other rows, and cells with empty columns between, by a line break, which the stamp
 * rule takes as whitespace. Each cell is kept apart in that reading (SEPARATOR); the cells that stand
 * side by side on the sheet are joined by the row reading (xlml-formulas.ts: neighbours, merges over
 * columns and rows, hidden columns, "Center across selection"), as other spreadsheets' are.
 */
import { SEPARATOR } from './sheet-rows.js';

const GNUMERIC = /<gnm:Workbook\b/;
const CELL_EDGE = /<gnm:Cell(?=[\s/>])|<\/gnm:Cell>/g;

/** The markup with a separator (as text) before and after each cell; other markup as it is. */
export function gnumericCellsApart(xml: string): string {
  if (!GNUMERIC.test(xml.slice(0, 4096))) return xml;
  return xml.replace(CELL_EDGE, (m) => (m.startsWith('</') ? m + SEPARATOR : SEPARATOR + m));
}
