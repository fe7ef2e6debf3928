/**
 * HTML and XML (XHTML, SVG, flat ODF, .mht bodies saved as HTML): visible text, title, meta
 * descriptions; entities decoded; read in the encoding the document declares (see markupEncoding).
 */
import { readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { mayBeStamp } from './byte-scan.js';
import { FLAT_ODF, flatOdfRuns } from './odf.js';
import { decodeMarkup } from './text.js';
import type { Extracted, Extractor } from './types.js';
import { decodeEntities, xmlToText } from './xml-text.js';

const INVISIBLE = /<(script|style|template|noscript)\b[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;

export const extractHtml: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  ctx.checkTime();
  const markup = decodeMarkup(bytes);
  // A flat OpenDocument file reads as the package would: sheet names, cells by row, formulas (odf.ts);
  // and, as a package's parts are, only when 秘 may stand in it (a character reference may spell it).
  if (!FLAT_ODF.test(markup)) yield* htmlRuns(markup);
  else if (ctx.fullText || mayBeStamp(markup) || markup.includes('&#')) yield* flatOdfRuns(markup);
};

/** The text runs of decoded HTML: meta descriptions as properties, visible text as body. */
export function* htmlRuns(html: string): Generator<Extracted> {
  const meta = Array.from(html.matchAll(/<meta\b[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>/gi), (m) =>
    decodeEntities(m[1] ?? m[2] ?? m[3]),
  ).join('\n');
  if (meta) yield { kind: 'text', text: meta, where: { area: 'properties' } };
  for (const text of chunkText(xmlToText(html.replace(INVISIBLE, '')))) yield { kind: 'text', text, where: { area: 'body' } };
}

