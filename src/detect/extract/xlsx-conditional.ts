/**
 * Number formats that conditional formats give (red team docs4 #3). A conditional format's style is a
 * `<dxf>` of xl/styles.xml, and its `<numFmt formatCode=…>` may print text around a text cell's, as a
 * cell style's does (number-format.ts): cell `Confidential`, a rule `=TRUE` with format `"秘 "@`, shows
 * 「秘 Confidential」. Whether a rule holds is not worked out: every text section a sheet's
 * `<conditionalFormatting>` names is taken as shown on each text cell of its ranges, each one in turn,
 * with the cell's row joined as it then shows (sheet-rows.ts). Rare, so read simply: the sheet is read
 * again, whole, only in a workbook with such a format.
 */
import type { Where } from '../types.js';
import { decoder, mayHaveStampChar } from './byte-scan.js';
import { shownAs, textSection } from './number-format.js';
import { RowTexts, columnIndex, type TextCell } from './sheet-rows.js';
import type { Extracted } from './types.js';
import { RowReader, rowCells } from './xlsx-rows.js';
import { attr } from './xml-text.js';
import type { ZipArchive } from './zip-reader.js';

const DXFS = /<(?:[\w.-]+:)?dxfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?dxfs>/;
const DXF = /<(?:[\w.-]+:)?dxf\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?dxf>)/g;
const NUM_FMT = /<(?:[\w.-]+:)?numFmt\b[^>]*>/;
const CONDITIONAL = /<(?:[\w.-]+:)?conditionalFormatting\b([^>]*)>([\s\S]*?)<\/(?:[\w.-]+:)?conditionalFormatting>/g;
const RULE = /<(?:[\w.-]+:)?cfRule\b[^>]*>/g;
const SQREF = /<(?:[\w.-]+:)?sqref>([^<]*)</;
/** Ranges past this per sheet are not followed: the sheet is reported unread. */
const MAX_RANGES = 10_000;

/** The conditional formats' styles (dxf index) whose number format prints text around a text cell's: their text sections. */
export function conditionalSections(styles: string): Map<number, string> {
  const out = new Map<number, string>();
  const dxfs = DXFS.exec(styles)?.[1];
  if (!dxfs?.includes('@')) return out;
  let i = 0;
  for (const m of dxfs.matchAll(DXF)) {
    const tag = NUM_FMT.exec(m[1] ?? '')?.[0];
    const section = tag ? textSection(attr(tag, 'formatCode') ?? '') : null;
    if (section) out.set(i, section);
    i++;
  }
  return out;
}

interface Range {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
  section: string;
}

const REF = /^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$/;

/**
 * Sheet `part`'s text cells in ranges a conditional format with a text section covers, each shown
 * through that section, alone and with its row's cells.
 */
export async function* conditionalCells(zip: ZipArchive, part: string, sections: ReadonlyMap<number, string>, strings: readonly string[], where: Where): AsyncGenerator<Extracted> {
  const bytes = await zip.read(part);
  if (!bytes) return;
  const xml = decoder('utf-8').decode(bytes);
  if (!xml.includes('onditionalFormatting')) return;
  const ranges: Range[] = [];
  for (const m of xml.matchAll(CONDITIONAL)) {
    const found = new Set<string>();
    for (const [rule] of m[2].matchAll(RULE)) {
      const section = sections.get(Number(attr(rule, 'dxfId') ?? NaN));
      if (section) found.add(section);
    }
    // Excel 2010's own form (`<x14:conditionalFormatting>` in the sheet's extLst): the style inline
    // (`<x14:dxf>`), the range in `<xm:sqref>`.
    for (const section of conditionalSections(`<dxfs>${m[2]}</dxfs>`).values()) found.add(section);
    const sqref = attr(`<c ${m[1]}>`, 'sqref') ?? SQREF.exec(m[2])?.[1] ?? '';
    for (const ref of found.size ? sqref.trim().split(/\s+/) : []) {
      const r = REF.exec(ref);
      if (!r) continue;
      for (const section of found) {
        if (ranges.length >= MAX_RANGES) {
          yield { kind: 'unscannable', reason: 'too-large', detail: `${part}: more than ${MAX_RANGES} conditional format ranges with a text number format`, where };
          return;
        }
        ranges.push({ r1: Number(r[2]) - 1, c1: columnIndex(r[1]), r2: Number(r[4] ?? r[2]) - 1, c2: columnIndex(r[3] ?? r[1]), section });
      }
    }
  }
  if (!ranges.length) return;
  const rows = new RowTexts();
  const utf8 = decoder('utf-8');
  const reader = new RowReader((buf, start, end, row) => {
    const here = ranges.filter((g) => row >= g.r1 && row <= g.r2);
    if (!here.length) return;
    const cells = rowCells(utf8.decode(buf.subarray(start, end)), strings);
    for (const g of here) {
      const shown: TextCell[] = cells.map((c) => (c.col >= g.c1 && c.col <= g.c2 ? { ...c, text: shownAs(g.section, c.text) } : c));
      for (const c of shown) if (c.col >= g.c1 && c.col <= g.c2 && mayHaveStampChar(c.text)) rows.addText(c.text, where, c.row, c.col);
      rows.add(shown, where);
    }
  });
  reader.push(bytes);
  if (reader.lost) yield { kind: 'unscannable', reason: 'too-large', detail: `${part}: a row too large to read as its conditional formats show it`, where };
  yield* rows.take();
}
