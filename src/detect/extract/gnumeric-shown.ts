/**
 * Gnumeric's own format (.gnumeric, gzipped XML): a text cell as its style's number format shows it.
 * A sheet's styles are regions (`<gnm:StyleRegion startCol… endRow…><gnm:Style Format="&quot;秘 &quot;@">`),
 * and a region's style may hold conditional ones (`<gnm:Condition><gnm:Style Format=…/>`); the cells
 * come apart (`<gnm:Cell Row Col ValueType="60">Confidential</gnm:Cell>`), so the markup's text has the
 * format's literals and the cell's text far apart. Each text section (number-format.ts) a region's
 * styles give is taken as shown on each text cell in it (a condition is not worked out, as for xlsx in
 * xlsx-conditional.ts), and a cell's own `ValueFormat` likewise.
 */
import { mayHaveStampChar } from './byte-scan.js';
import { XML_TAGS, content, spans } from './markup-spans.js';
import { gnumericCells, gnumericSheets, isGnumericBook } from './gnumeric-sheets.js';
import { shownAs, textSection } from './number-format.js';
import { RowTexts, cellName, type TextCell } from './sheet-rows.js';
import type { Extracted } from './types.js';
import { attr, decodeEntities } from './xml-text.js';

const REGION = /<(?:[\w.-]+:)?StyleRegion(?=[\s/>])/g;
const REGION_END = /<\/(?:[\w.-]+:)?StyleRegion>/g;
const FORMAT = /<(?:[\w.-]+:)?Style\b[^<>]*?\bFormat\s*=\s*("[^"]*"|'[^']*')/g;
/** Gnumeric's value type of a string. */
const STRING = '60';
/** Regions with a text section kept per sheet: past them, the sheet is reported too large to read as it shows. */
const MAX_REGIONS = 10_000;
/** Cells shown through a format read in their rows per sheet (each cell is still read alone past it). */
const MAX_SHOWN = 10_000;
/** Cell and region pairs looked at per file: past them, likewise. */
const MAX_PAIRS = 20_000_000;

interface Region {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
  sections: string[];
}

export function* gnumericShown(xml: string): Generator<Extracted> {
  if (!isGnumericBook(xml) || !xml.includes('@')) return;
  let pairs = 0;
  for (const { sheet, body } of gnumericSheets(xml)) {
    const regions: Region[] = [];
    for (const r of spans(body, REGION, () => REGION_END, XML_TAGS)) {
      const sections = formats(content(body, r));
      if (!sections.length) continue;
      if (regions.length >= MAX_REGIONS) {
        yield { kind: 'unscannable', reason: 'too-large', detail: `sheet ${sheet}: more than ${MAX_REGIONS.toLocaleString('en')} style regions with a text number format`, where: { sheet, area: 'cells' } };
        break;
      }
      const n = (name: string) => Number(attr(r.tag, name) ?? NaN);
      regions.push({ r1: n('startRow'), c1: n('startCol'), r2: n('endRow'), c2: n('endCol'), sections });
    }
    if (!regions.length && !body.includes('ValueFormat')) continue;
    /** The sheet's text cells by row, and the cells shown through a format: each read in its row too (sheet-rows.ts). */
    const byRow = new Map<number, TextCell[]>();
    const shownCells: TextCell[] = [];
    for (const { tag, row, col, raw } of gnumericCells(body)) {
      if ((pairs += regions.length) > MAX_PAIRS) {
        yield { kind: 'unscannable', reason: 'too-large', detail: `too many cells in style regions with a text number format`, where: { sheet, area: 'cells' } };
        return;
      }
      if (attr(tag, 'ValueType') !== STRING) continue;
      const own = textSection(attr(tag, 'ValueFormat') ?? '');
      const all = regions.filter((g) => row >= g.r1 && row <= g.r2 && col >= g.c1 && col <= g.c2).flatMap((g) => g.sections);
      if (own) all.push(own);
      const text = decodeEntities(raw);
      if (Number.isInteger(row) && Number.isInteger(col)) (byRow.get(row) ?? byRow.set(row, []).get(row)!).push({ row, col, text, sst: null });
      for (const section of all) {
        const shown = shownAs(section, text);
        if (!mayHaveStampChar(shown)) continue;
        yield { kind: 'text', text: shown, where: { sheet, cell: cellName(row, col), area: 'cells' } };
        if (shownCells.length < MAX_SHOWN) shownCells.push({ row, col, text: shown, sst: null });
      }
    }
    // Each such cell in its row as it then shows: 「注意」 through `@" 秘"` beside 「Confidential」.
    const rows = new RowTexts();
    const where = { sheet, area: 'cells' };
    for (const c of shownCells) {
      const row = (byRow.get(c.row) ?? []).filter((o) => o.col !== c.col).concat(c).sort((a, b) => a.col - b.col);
      rows.add(row, where);
    }
    yield* rows.take();
  }
}

/** The text sections of the formats that a region's style and its conditional styles give. */
function formats(region: string): string[] {
  const out: string[] = [];
  for (const m of region.matchAll(FORMAT)) {
    const section = textSection(decodeEntities(m[1].slice(1, -1)));
    if (section && !out.includes(section)) out.push(section);
  }
  return out;
}
