/**
 * What Excel shows of an HTML page it opens as a workbook: Excel's own "Web Page" format, which report
 * code writes as `.xls` (ASP.NET and PHP exports, grid components' "export to Excel") because Excel opens
 * it without a library. The style sheet carries two things a browser ignores and Excel shows:
 * - `@page { mso-header-data: "…"; mso-footer-data: "…" }`: the sheet's printed header and footer, in
 *   Excel's header codes (`&C`, `&"font,style"`, `&14`…) with CSS escapes (`\000A` a new line, `\0022` a
 *   quote, `\,`): read as they print (print-header.ts), so `&C&\0022ＭＳ ゴシック\,太字\0022秘 Confidential`
 *   is the stamp;
 * - `mso-number-format: "…"`: a cell's number format, whose literals the cell shows beside its value
 *   (`"\0022秘 Confidential\0022\\ 0"` shows 5 as 「秘 Confidential 5」), read as xlsx formats' literals are;
 *   and a text cell through its format's text section (`"\0022秘 \0022\@"` on 「Confidential」), found by
 *   the class its rule names (`.xl65`, as Excel writes them) or in the cell's own style attribute.
 */
import { chunkText } from '../text-chunks.js';
import { cssStrings } from './css-strings.js';
import { charOfCode, xmlToText } from './xml-text.js';
import { formatShown, shownAs, textSection } from './number-format.js';
import { mayHaveStampChar } from './byte-scan.js';
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
  /** Class → text section of the rules that give one. */
  const sections = new Map<string, string>();
  for (const { match, value } of cssStrings(html, MSO_STRING)) {
    const text = excelCssString(value);
    if (match[1].toLowerCase() !== 'number-format') {
      headers.push(headerText(text));
      continue;
    }
    formats.push(formatShown(text));
    const section = textSection(text);
    if (section !== null) for (const cls of ruleClasses(html, match.index)) sections.set(cls, section);
  }
  // Each header, footer and format apart (SEPARATOR): one's end and the next one's start are no stamp.
  for (const text of chunkText(headers.join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'header/footer' } };
  for (const text of chunkText(formats.join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'cells' } };
  if (formats.length) for (const text of chunkText(formattedCells(html, sections).join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'cells' } };
}

const NUMBER_FORMAT = /\bmso-number-format\s*:\s*(["'])/gi;
/** A cell's start tag, bounded: tried at every `<td` of a page with no `>`, an unbounded one took time in the square of its length. */
const TD = /<td\b[^<>]{0,4096}>/gi;
const TD_END = /<\/td\s*>/gi;
const CLASS_ATTR = /\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
/** Excel marks a number cell (`x:num`): a text section shows text cells only. */
const NUMBER_CELL = /\sx:num\b/i;

/**
 * The classes named by the selector of the style rule a declaration at `at` stands in (nothing outside a
 * rule), looked for in the RULE_BACK characters before it: an unbounded look back from each of many
 * declarations took time in the square of the page's length.
 */
function ruleClasses(html: string, at: number): string[] {
  const head = html.slice(Math.max(0, at - RULE_BACK), at);
  const open = head.lastIndexOf('{');
  if (open < 0 || head.lastIndexOf('}') > open) return [];
  const selector = head.slice(Math.max(head.lastIndexOf('}', open), head.lastIndexOf('>', open)) + 1, open);
  return Array.from(selector.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g), (m) => m[1]);
}
/** Excel's rules are a selector and a few declarations (`.xl65 {mso-style-parent:style0; mso-number-format:…}`). */
const RULE_BACK = 1024;

/** What the text cells formatted with a text section show, those that may show 秘. */
function formattedCells(html: string, sections: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(TD)) {
    const tag = m[0];
    if (NUMBER_CELL.test(tag)) continue;
    const own = tag.includes('mso-number-format') ? [...cssStrings(tag, NUMBER_FORMAT)][0] : undefined;
    const cls = CLASS_ATTR.exec(tag);
    const section = own ? textSection(excelCssString(own.value)) : (cls ? (cls[1] ?? cls[2] ?? cls[3]).split(/\s+/).map((c) => sections.get(c)).find((x) => x !== undefined) : undefined);
    if (section === null || section === undefined) continue;
    const from = m.index + tag.length;
    TD_END.lastIndex = from;
    const end = TD_END.exec(html)?.index ?? html.length;
    const text = shownAs(section, xmlToText(html.slice(from, end)).trim());
    if (mayHaveStampChar(text)) out.push(text);
  }
  return out;
}
