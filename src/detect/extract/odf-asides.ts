/**
 * A text document's footnotes, endnotes and comments (`<text:note>`, `<office:annotation>` in content.xml),
 * each read on its own before the body that holds them, so a stamp there is said as 脚注, 文末脚注 or
 * コメント, as in a .docx, not 本文. The body is still read whole after them (odf.ts), so nothing is found
 * less. A comment's author and date are not its text.
 */
import type { Extracted } from './types.js';
import { chunkText } from '../text-chunks.js';
import { attr, xmlToText } from './xml-text.js';
import type { StyleDefs } from './hidden-styles.js';

const NOTE = /<text:note\b[^>]*>/g;
const ANNOTATION = /<office:annotation\b[^>]*>/g;
const NOT_TEXT = /<dc:(?:creator|date)>[^<]*<\/dc:(?:creator|date)>|<meta:date-string>[^<]*<\/meta:date-string>|<text:note-citation\b[^>]*>[^<]*<\/text:note-citation>/g;

export function* odfAsides(xml: string, part: string, styles: StyleDefs): Generator<Extracted> {
  if (xml.includes('<text:note')) {
    for (const m of xml.matchAll(NOTE)) {
      if (m[0].endsWith('/>')) continue;
      const end = xml.indexOf('</text:note>', m.index);
      if (end < 0) break;
      const area = attr(m[0], 'text:note-class') === 'endnote' ? 'endnotes' : 'footnotes';
      yield* runs(xml.slice(m.index, end + 12).replace(NOT_TEXT, ''), { part, area }, styles);
    }
  }
  if (xml.includes('<office:annotation')) {
    for (const m of xml.matchAll(ANNOTATION)) {
      if (m[0].endsWith('/>')) continue;
      const end = xml.indexOf('</office:annotation>', m.index);
      if (end < 0) break;
      yield* runs(xml.slice(m.index, end + 20).replace(NOT_TEXT, ''), { part, area: 'comments' }, styles);
    }
  }
}

function* runs(markup: string, where: { part: string; area: string }, styles: StyleDefs): Generator<Extracted> {
  for (const text of chunkText(xmlToText(markup, styles))) yield { kind: 'text', text, where };
}
