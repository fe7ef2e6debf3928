/**
 * What an XML Spreadsheet 2003 (Excel's "XML Spreadsheet", written by Excel and by report code that
 * writes the format by hand) shows or prints beyond its markup's text, which html.ts reads:
 * - a sheet's printed header and footer (`<Header x:Data="&amp;C&amp;&quot;ＭＳ ゴシック,太字&quot;秘&amp;&quot;Arial&quot; Confidential"/>`
 *   in its page setup), in Excel's header codes: read as they print (print-header.ts), `&A` as the sheet's name;
 * - a text cell through its style's number format (`<NumberFormat ss:Format="&quot;秘 &quot;@"/>` shows
 *   the cell 「Confidential」 as 「秘 Confidential」), as the xlsx reader reads it (number-format.ts).
 */
import { mayHaveStampChar } from './byte-scan.js';
import { XML_TAGS, content, spans } from './markup-spans.js';
import { shownAs, textSection } from './number-format.js';
import { headerText } from './print-header.js';
import { SEPARATOR } from './sheet-rows.js';
import type { Extracted } from './types.js';
import { attr, xmlToText } from './xml-text.js';
import { SPREADSHEET_ML } from './xlml-formulas.js';
import { chunkText } from '../text-chunks.js';

const WORKSHEET = /<(?:ss:)?Worksheet(?=[\s/>])/g;
const WORKSHEET_END = /<\/(?:ss:)?Worksheet>/g;
/** A header or footer of a sheet's page setup (x: or the Excel namespace as default). */
const HEADER = /<(?:x:)?(Header|Footer)\b[^<>]*>/g;
const STYLE = /<(?:ss:)?Style(?=[\s/>])/g;
const STYLE_END = /<\/(?:ss:)?Style>/g;
const NUMBER_FORMAT = /<(?:ss:)?NumberFormat\b[^<>]*>/;
const CELL = /<(?:ss:)?Cell(?=[\s/>])/g;
const CELL_END = /<\/(?:ss:)?Cell>/g;
const STRING_DATA = /<(?:ss:)?Data\b[^<>]*\bss:Type\s*=\s*["']String["'][^<>]*>([\s\S]*?)<\/(?:ss:)?Data>/;

export function* xmlSpreadsheetShown(xml: string): Generator<Extracted> {
  if (!SPREADSHEET_ML.test(xml.slice(0, 4096))) return;
  const formats = textFormats(xml);
  for (const w of spans(xml, WORKSHEET, () => WORKSHEET_END, XML_TAGS)) {
    const sheet = attr(w.tag, 'ss:Name') ?? '';
    const body = content(xml, w);
    // Each header and footer apart (SEPARATOR): 秘 ending one and Confidential starting the next are two places.
    // Said to be where it prints: the sheet's header, or its footer.
    for (const area of ['Header', 'Footer'] as const) {
      const tags = Array.from(body.matchAll(HEADER)).filter(([, kind]) => kind === area);
      const printed = tags.map(([tag]) => headerText(attr(tag, 'x:Data') ?? '', sheet)).join(SEPARATOR);
      for (const text of chunkText(printed)) yield { kind: 'text', text, where: { area: area.toLowerCase(), sheet } };
    }
    if (!formats.size) continue;
    const shown: string[] = [];
    for (const c of spans(body, CELL, () => CELL_END, XML_TAGS)) {
      const section = formats.get(attr(c.tag, 'ss:StyleID') ?? '');
      const data = section === undefined ? null : STRING_DATA.exec(content(body, c));
      const text = data ? shownAs(section!, xmlToText(data[1])) : '';
      if (mayHaveStampChar(text)) shown.push(text);
    }
    for (const text of chunkText(shown.join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'cells', sheet } };
  }
}

/** The styles whose number format shows text beside a text cell's: ss:ID → text section. */
function textFormats(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!xml.includes('@')) return out;
  for (const s of spans(xml, STYLE, () => STYLE_END, XML_TAGS)) {
    const tag = NUMBER_FORMAT.exec(content(xml, s))?.[0];
    const section = tag ? textSection(attr(tag, 'ss:Format') ?? '') : null;
    const id = attr(s.tag, 'ss:ID');
    if (section !== null && id !== null) out.set(id, section);
  }
  return out;
}
