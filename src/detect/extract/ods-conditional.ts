/**
 * LibreOffice's own conditional formats in an ODS sheet (`<calcext:conditional-formats>` at the end of a
 * `<table:table>`): a rule LibreOffice cannot say as an ODF `style:map` ("text contains", "begins
 * with", dates, duplicates…) is written only there, as `<calcext:conditional-format
 * calcext:target-range-address="Sheet1.A1:Sheet1.C3">` with conditions naming the cell style they apply
 * (`calcext:apply-style-name`, or `calcext:style` for dates). That style's data style may print text
 * around a text cell's (ods-formats.ts): LibreOffice 7.4 shows the cell `Confidential` under a "contains
 * Conf" rule with `<number:text>秘 </number:text><number:text-content/>` as 「秘 Confidential」. Rules are
 * not evaluated: each such data style is taken as shown on every text cell of the ranges.
 */
import type { OdsFormats, Template } from './ods-formats.js';
import { columnIndex } from './sheet-rows.js';
import { attr } from './xml-text.js';

const FORMAT = /<calcext:conditional-format\b([^>]*)>([\s\S]*?)<\/calcext:conditional-format>/g;
const STYLE = /\bcalcext:(?:apply-style-name|style)\s*=\s*("[^"]*"|'[^']*')/g;
/** A cell address's column and row at the end of one side of a range (`Sheet1.$B$2`, `'A b'.C3`, `.C3`). */
const CELL = /\$?([A-Za-z]{1,3})\$?(\d{1,7})$/;
/** Ranges kept per sheet: past them, every text cell of the sheet is taken as under each style (never fewer). */
const MAX_RANGES = 10_000;

export interface ConditionalRange {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
  templates: Template[];
}

/** One side of a range (`Sheet1.A1`), as 0-based row and column; null when it names no cell. */
function cell(side: string): [number, number] | null {
  const m = CELL.exec(side.trim());
  return m ? [Number(m[2]) - 1, columnIndex(m[1])] : null;
}

/** The ranges of a sheet's LibreOffice conditional formats whose styles show text around a text cell's. */
export function conditionalRanges(sheet: string, formats: OdsFormats): ConditionalRange[] {
  const out: ConditionalRange[] = [];
  if (!sheet.includes('calcext:conditional-format')) return out;
  for (const m of sheet.matchAll(FORMAT)) {
    const templates: Template[] = [];
    for (const s of m[2].matchAll(STYLE)) {
      const t = formats.dataOf(s[1].slice(1, -1));
      if (t && !templates.includes(t)) templates.push(t);
    }
    if (!templates.length) continue;
    const address = attr(`<c ${m[1]}>`, 'calcext:target-range-address') ?? '';
    // Ranges apart by spaces (a quoted sheet name may hold one: read outside quotes).
    for (const range of address.match(/(?:'[^']*'|[^\s'])+/g) ?? []) {
      const [a, b] = range.split(/:(?=(?:[^']*'[^']*')*[^']*$)/);
      const from = cell(a);
      const to = b === undefined ? from : cell(b);
      if (!from || !to) continue;
      if (out.length >= MAX_RANGES) return [{ r1: 0, c1: 0, r2: Infinity, c2: Infinity, templates: out.flatMap((r) => r.templates) }];
      out.push({ r1: Math.min(from[0], to[0]), c1: Math.min(from[1], to[1]), r2: Math.max(from[0], to[0]), c2: Math.max(from[1], to[1]), templates });
    }
  }
  return out;
}
