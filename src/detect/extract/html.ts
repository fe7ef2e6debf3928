/**
 * HTML and XML (XHTML, SVG, flat ODF, .mht bodies saved as HTML): visible text, title, meta
 * descriptions; entities decoded; read in the encoding the document declares (see markupEncoding).
 */
import { readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { decodeMarkup } from './text.js';
// The charset decision lives with the other text decoding (text.ts); re-exported under its old name.
export { markupEncoding as htmlCharset } from './text.js';
import type { Extractor } from './types.js';
import { decodeEntities, xmlToText } from './xml-text.js';

const INVISIBLE = /<(script|style|template|noscript)\b[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;

export const extractHtml: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  ctx.checkTime();
  const html = decodeMarkup(bytes);
  const meta = Array.from(html.matchAll(/<meta\b[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>/gi), (m) =>
    decodeEntities(m[1] ?? m[2] ?? m[3]),
  ).join('\n');
  if (meta) yield { kind: 'text', text: meta, where: { area: 'properties' } };
  for (const text of chunkText(xmlToText(html.replace(INVISIBLE, '')))) yield { kind: 'text', text, where: { area: 'body' } };
};
