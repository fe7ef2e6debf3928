/**
 * What Excel shows of an HTML page it opens as a workbook: Excel's own "Web Page" format, which report
 * code writes as `.xls` (ASP.NET and PHP exports, grid components' "export to Excel") because Excel opens
 * it without a library. The style sheet carries two things a browser ignores and Excel shows:
 * - `@page { mso-header-data: "…"; mso-footer-data: "…" }`: the sheet's printed header and footer, in
 *   Excel's header codes (`&C`, `&"font,style"`, `&14`…) with CSS escapes (`\000A` a new line, `\0022` a
 *   quote, `\,`): read as they print (print-header.ts), so `&C&\0022ＭＳ ゴシック\,太字\0022秘 Confidential`
 *   is the stamp;
 * - `mso-number-format: "…"`: a cell's number format, whose literals the cell shows beside its value
 *   (`"\0022秘 Confidential\0022\\ 0"` shows 5 as 「秘 Confidential 5」), read as xlsx formats' literals are.
 */
import { chunkText } from '../text-chunks.js';
import { cssStrings } from './css-strings.js';
import { charOfCode } from './xml-text.js';
import { formatShown } from './number-format.js';
import { headerText } from './print-header.js';
import type { Extracted } from './types.js';
import { SEPARATOR } from './sheet-rows.js';

/** An Excel property of a style sheet or style attribute whose string Excel shows; the quote last. */
const MSO_STRING = /\bmso-(header-data|footer-data|number-format)\s*:\s*(["'])/gi;

/**
 * An Excel style-sheet string's escapes undone as Excel reads them: `\` and exactly four hex digits, or
 * `\` and the character itself (`\,` `\:` `\\`). Excel writes `&\0022Arial\,Bold\0022`, where CSS's
 * rule (up to six hex digits) would read `\0022A` as U+022A and lose the quote before the font name.
 */
export const excelCssString = (s: string): string =>
  s.replace(/\\(?:([0-9a-fA-F]{4})|([\s\S]))/g, (_, hex?: string, c?: string) => (hex ? (charOfCode(parseInt(hex, 16)) ?? '\ufffd') : c === '\n' ? '' : c!));

export function* excelHtmlRuns(html: string): Generator<Extracted> {
  if (!html.includes('mso-')) return;
  const headers: string[] = [];
  const formats: string[] = [];
  for (const { match, value } of cssStrings(html, MSO_STRING)) {
    const text = excelCssString(value);
    if (match[1].toLowerCase() === 'number-format') formats.push(formatShown(text));
    else headers.push(headerText(text));
  }
  // Each header, footer and format apart (SEPARATOR): one's end and the next one's start are no stamp.
  for (const text of chunkText(headers.join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'header/footer' } };
  for (const text of chunkText(formats.join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'cells' } };
}
