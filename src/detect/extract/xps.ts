/**
 * XPS and OpenXPS (what "Microsoft XPS Document Writer" and Windows' "Print to XPS" write): an OPC
 * package whose pages (`*.fpage`) draw text with `<Glyphs UnicodeString="…" OriginX OriginY>`. One
 * element is one run; runs on the same baseline are one line, in the order they are drawn (a stamp
 * split over two runs, 「秘」 and 「 Confidential」, reads as it prints: baseline.ts).
 * https://www.ecma-international.org/publications-and-standards/standards/ecma-388/ §12.1
 */
import { linesByBaseline, type PlacedRun } from './baseline.js';
import { attr } from './xml-text.js';

/** The package's main relationship: an XPS or OpenXPS document sequence. */
export const XPS_MAIN = /<Relationship\b[^>]*\bType="[^"]*\/(?:xps\/2005\/06|oxps\/v1\.0)\/fixedrepresentation"[^>]*>/;

export const FIXED_PAGE = /\.fpage$/i;

const GLYPHS = /<Glyphs\b[^>]*>/g;

/** A page's text: its runs joined into lines by baseline. */
export function fixedPageText(xml: string): string {
  return linesByBaseline(glyphRuns(xml));
}

/**
 * Runs that draw glyphs by index with no UnicodeString saying which characters they are (§12.1.3:
 * the string is optional when Indices is given): their text cannot be read, so a page with any is not
 * read whole.
 */
export function unreadGlyphRuns(xml: string): number {
  let n = 0;
  for (const [tag] of xml.matchAll(GLYPHS)) {
    const raw = attr(tag, 'UnicodeString');
    if ((raw === null || raw === '' || raw === '{}') && /[0-9]/.test(attr(tag, 'Indices') ?? '')) n++;
  }
  return n;
}

function* glyphRuns(xml: string): Generator<PlacedRun> {
  for (const [tag] of xml.matchAll(GLYPHS)) {
    const raw = attr(tag, 'UnicodeString');
    // `{}` starts a string that itself begins with `{` (§12.1.8).
    if (raw !== null) yield { y: attr(tag, 'OriginY'), text: raw.startsWith('{}') ? raw.slice(2) : raw };
  }
}
