/**
 * draw.io / diagrams.net files (.drawio, .dio, and the same XML inside .svg and .png exports' `content`):
 * an `<mxfile>` of `<diagram>` pages. A page is either its model as XML, or (draw.io's "compressed"
 * format, the default of older desktop releases and still an option) the model URL-encoded, raw-deflated
 * and base64-encoded as the diagram's text. The labels draw.io shows are the cells' `value` attributes,
 * HTML when the style says `html=1` (read rendered by xmlRuns).
 */
import { blobOf } from '../bytes.js';
import { decodeBase64 } from './rfc2047.js';
import { inflateRaw } from './inflate.js';
import { ScanError, type ExtractContext, type Extracted } from './types.js';

/** A drawing's file, by its first element. */
export const MXFILE = /^(?:\xEF\xBB\xBF|\uFEFF)?\s*<mxfile\b/;
const COMPRESSED_PAGE = /<diagram\b[^>]*>\s*([A-Za-z0-9+/=\s]{8,})<\/diagram>/g;

/** The model of each compressed page, as XML; an unreadable page is `corrupt`, said, never passed over. */
export async function* compressedPages(xml: string, ctx: ExtractContext): AsyncGenerator<{ xml: string } | Extracted> {
  for (const [, b64] of xml.matchAll(COMPRESSED_PAGE)) {
    ctx.checkTime();
    try {
      const deflated = decodeBase64(b64.replace(/\s+/g, '')).bytes;
      const inflated = (await inflateRaw(blobOf(deflated), ctx, { name: 'draw.io page' })).bytes();
      yield { xml: decodeURIComponent(new TextDecoder().decode(inflated)) };
    } catch (err) {
      if (err instanceof ScanError && err.reason !== 'corrupt') throw err;
      yield { kind: 'unscannable', reason: 'corrupt', detail: 'a compressed draw.io page could not be read' };
    }
  }
}
