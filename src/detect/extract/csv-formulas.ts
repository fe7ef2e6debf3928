/**
 * Formulas in a CSV file: Excel and LibreOffice evaluate a field that starts with `=` when they open the
 * file (`="秘 "&"Confidential"`, or 秘 in one field and `=A2&" Confidential"` in another), so what the
 * sheet shows is read, as for a workbook's formulas that have no stored value (formula-text.ts). A formula
 * that may show 秘 and cannot be evaluated is unscannable, never passed over.
 */
import { cellName } from './sheet-rows.js';
import { MAX_RANGE, MAY_SHOW_STAMP, readFormula, unread, unreadFormulas, type Cells, type Value } from './formula-text.js';
import { mayHaveStampChar } from './byte-scan.js';
import { chunkText } from '../text-chunks.js';
import type { Extracted } from './types.js';

/** A CSV that size or smaller is parsed for its formulas (a bigger one is searched as text only). */
export const CSV_FORMULA_CAP = 16 << 20;
/** Formula fields evaluated per file; past them the file is unscannable. */
const MAX_FORMULAS = 100_000;

/** Fields of a CSV text (RFC 4180 quoting; `delimiter` `,`, `;` or a tab). */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[i++];
      else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

/** The delimiter a spreadsheet program takes: a tab for .tsv, else `;` when the first line has more of them than commas (European Excel). */
export function csvDelimiter(name: string, text: string): string {
  if (/\.tsv$/i.test(name)) return '\t';
  const first = text.slice(0, text.indexOf('\n') >>> 0);
  return (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/**
 * What the formula fields of a CSV show, and an unscannable item for those that may show 秘 but cannot be
 * evaluated. `unicodeText`: a .txt in UTF-16 with a byte order mark, what Excel saves as "Unicode Text"
 * and opens again as a sheet, tab-separated: its formulas are evaluated too, but one that cannot be is
 * not reported (it may be ordinary text that starts a line with =, read as text as before).
 */
export function* csvFormulas(text: string, name: string, unicodeText = false): Generator<Extracted> {
  if (!text.includes('=') || !MAY_SHOW_STAMP.test(text)) return;
  const rows = parseCsv(text, unicodeText ? '\t' : csvDelimiter(name, text));
  const cells: Cells = {
    range(sheet, r1, c1, r2, c2) {
      if (sheet !== null || (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE) return null;
      const out: Value[] = [];
      for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) out.push(valueOf(rows[r]?.[c] ?? ''));
      return out;
    },
  };
  const shown: string[] = [];
  const unknown: string[] = [];
  let n = 0;
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < rows[r].length; c++) {
      const f = rows[r][c];
      if (f.length < 2 || f[0] !== '=') continue;
      if (++n > MAX_FORMULAS) {
        if (unicodeText) return;
        yield { kind: 'unscannable', reason: 'unsupported', detail: `a CSV with more than ${MAX_FORMULAS} formulas: what they show was not all read` };
        return;
      }
      const read = readFormula(f.slice(1), cells, { row: r, col: c });
      if (read.value !== null) shown.push(read.value);
      else if (unread(read)) unknown.push(cellName(r, c));
    }
  }
  for (const chunk of chunkText(shown.join('\n'))) yield { kind: 'text', text: chunk, where: { area: 'cells' } };
  if (unknown.length && !unicodeText) yield unreadFormulas(unknown, {});
}

/** A referenced field: its text, or (a formula itself) not known, possibly 秘 when it may make it. */
function valueOf(field: string): Value {
  return field.length > 1 && field[0] === '=' ? { stamp: mayHaveStampChar(field) || /CHAR\(/i.test(field) } : field;
}
