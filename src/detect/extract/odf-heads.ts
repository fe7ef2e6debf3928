/**
 * An ODF page style's printed headers and footers, each on its own, so the verdict says which and, in a
 * spreadsheet, on which sheet: 「シート「明細」のヘッダー」, as for xlsx (print-header.ts), where the
 * whole styles.xml read as one said only 「ヘッダーまたはフッター」. The whole is still read after them
 * (odf.ts), so a stamp they would not find alone is found as before.
 */
import type { Extracted } from './types.js';
import type { Where } from '../types.js';
import { chunkText } from '../text-chunks.js';
import { attr, escapeText, xmlToText } from './xml-text.js';
import type { StyleDefs } from './hidden-styles.js';

/** A header's sheet-name field (LibreOffice writes `???` in it): it prints the name of the sheet. */
export const SHEET_NAME = /<text:sheet-name\b[^>]*?(?:\/>|>[^<]*<\/text:sheet-name>)/g;

const MASTER_PAGE = /<style:master-page(?=[\s/>])[^>]*>/g;
const HEAD = /<style:(header|footer)(-left|-first)?(?=[\s/>])[^>]*>/g;

/**
 * `pages`: page style → the sheets printed with it, in order (a spreadsheet's content.xml); a text
 * document has none. A style used by several sheets is said with the first; one with a sheet-name field
 * is read once per sheet, with that sheet's name in it.
 */
export function* pageHeads(xml: string, part: string, styles: StyleDefs, pages: Map<string, string[]> | null): Generator<Extracted> {
  for (const page of xml.matchAll(MASTER_PAGE)) {
    if (page[0].endsWith('/>')) continue;
    const end = xml.indexOf('</style:master-page>', page.index);
    if (end < 0) return;
    const body = xml.slice(page.index, end);
    const sheets = pages?.get(attr(page[0], 'style:name') ?? '') ?? [];
    for (const head of body.matchAll(HEAD)) {
      if (head[0].endsWith('/>')) continue;
      const close = `</style:${head[1]}${head[2] ?? ''}>`;
      const stop = body.indexOf(close, head.index);
      if (stop < 0) continue;
      const markup = body.slice(head.index, stop + close.length);
      const each: [string | undefined, string][] = markup.includes('<text:sheet-name') && sheets.length
        ? sheets.map((s) => [s, markup.replace(SHEET_NAME, escapeText(s))])
        : [[sheets[0], markup]];
      for (const [sheet, m] of each) {
        const where: Where = sheet === undefined ? { part, area: head[1] } : { part, area: head[1], sheet };
        for (const text of chunkText(xmlToText(m, styles))) yield { kind: 'text', text, where };
      }
    }
  }
}
