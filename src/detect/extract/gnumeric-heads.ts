/**
 * A Gnumeric workbook's printed headers and footers (`<gnm:Header Left=… Middle=… Right=…/>` in each
 * sheet's print settings), read before the rest of its XML so a stamp there is said as in the header of
 * that sheet (シート「一覧」のヘッダー), as for xlsx, ods and XML Spreadsheet; the attribute values are
 * still read with the rest after them (html.ts), so nothing is found less. Gnumeric prints `&[TAB]` as
 * the sheet's name.
 */
import type { Extracted } from './types.js';
import { chunkText } from '../text-chunks.js';
import { attr, decodeEntities } from './xml-text.js';

const GNUMERIC = /<gnm:Workbook\b/;
const SHEET = /<gnm:Sheet(?=[\s>])/g;
const NAME = /<gnm:Name>([^<]*)<\/gnm:Name>/;
const HEAD = /<gnm:(Header|Footer)\b[^>]*>/g;

export function* gnumericHeads(xml: string): Generator<Extracted> {
  if (!GNUMERIC.test(xml.slice(0, 4096))) return;
  const starts = Array.from(xml.matchAll(SHEET), (m) => m.index);
  for (let i = 0; i < starts.length; i++) {
    const body = xml.slice(starts[i], starts[i + 1] ?? xml.length);
    const sheet = decodeEntities(NAME.exec(body)?.[1] ?? '');
    for (const head of body.matchAll(HEAD)) {
      const sides = ['Left', 'Middle', 'Right'].map((k) => (attr(head[0], k) ?? '').replaceAll('&[TAB]', sheet)).filter((s) => s.trim());
      const area = head[1] === 'Header' ? 'header' : 'footer';
      for (const text of chunkText(sides.join('\n'))) yield { kind: 'text', text, where: sheet ? { area, sheet } : { area } };
    }
  }
}
