/**
 * What the characters of the Adobe-Japan1 collection are: a font that names its glyphs by Adobe-Japan1
 * CIDs (dvipdfmx's kanji fonts from upLaTeX and pLaTeX, CID-keyed OpenType, a Ryumin-Light left
 * unembedded) says which characters it draws by that alone, with no ToUnicode map: readers use Adobe's
 * table, as pdftotext (poppler-data) and pdf.js do. The table is generated (scripts/gen-adobe-japan1.js).
 */
import { ADOBE_JAPAN1_RUNS } from './adobe-japan1-table.js';

let table: Map<number, string> | null = null;

/**
 * CID → text, decoded from its runs once per realm. CID 0 (.notdef, an empty box) is left out, so it
 * counts as a glyph whose character is not known.
 */
export function adobeJapan1(): ReadonlyMap<number, string> {
  if (table) return table;
  const map = new Map<number, string>();
  let cid = 0;
  let last = 0;
  for (const run of ADOBE_JAPAN1_RUNS.split(',')) {
    if (run.startsWith('~')) {
      map.set(cid++, String.fromCharCode(...run.slice(1).split('.').map((x) => parseInt(x, 36))));
      continue;
    }
    const dot = run.indexOf('.');
    const first = last + parseInt(dot < 0 ? run : run.slice(0, dot), 36);
    const length = dot < 0 ? 1 : parseInt(run.slice(dot + 1), 36);
    for (let k = 0; k < length; k++) map.set(cid++, String.fromCharCode(first + k));
    last = first + length - 1;
  }
  map.delete(0);
  return (table = map);
}
