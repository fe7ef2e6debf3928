/** HTML (and XHTML, .mht bodies saved as HTML): visible text, title, meta descriptions; entities decoded. */
import { readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import type { Extracted, Extractor } from './types.js';
import { decodeEntities, xmlToText } from './xml-text.js';

const INVISIBLE = /<(script|style|template|noscript)\b[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;

export const extractHtml: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  ctx.checkTime();
  yield* htmlRuns(new TextDecoder(htmlCharset(bytes)).decode(bytes));
};

/** The text runs of decoded HTML: meta descriptions as properties, visible text as body. */
export function* htmlRuns(html: string): Generator<Extracted> {
  const meta = Array.from(html.matchAll(/<meta\b[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>/gi), (m) =>
    decodeEntities(m[1] ?? m[2] ?? m[3]),
  ).join('\n');
  if (meta) yield { kind: 'text', text: meta, where: { area: 'properties' } };
  for (const text of chunkText(xmlToText(html.replace(INVISIBLE, '')))) yield { kind: 'text', text, where: { area: 'body' } };
}

/** The charset from a BOM or a <meta charset>, defaulting to UTF-8. */
export function htmlCharset(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  const m = /<meta[^>]+charset=["']?\s*([\w-]+)/i.exec(head);
  const label = m?.[1].toLowerCase() ?? 'utf-8';
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return 'utf-8';
  }
}
