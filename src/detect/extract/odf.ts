/**
 * ODF (odt, ods, odp, odg and templates): content.xml (per sheet / per slide), styles.xml
 * (where page headers and footers live), meta.xml (title, subject, keywords, user-defined
 * properties) and embedded objects. A package with encryption data is password-protected.
 */
import { blobOf } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { ScanError, type Extracted, type Extractor } from './types.js';
import { decodeXml, openZip } from './zip-reader.js';
import { attr, markupStampHits, xmlToText } from './xml-text.js';

const TEXT_PART = /(^|\/)(content|styles|meta)\.xml$/;
const SKIP = /^(Pictures|Thumbnails|Configurations2|META-INF)\/|\.(png|jpe?g|gif|svm|wmf|emf|bmp)$/i;

export const extractOdf: Extractor = async function* (blob, ctx) {
  const zip = await openZip(blob, ctx);
  const manifest = await zip.text('META-INF/manifest.xml');
  if (manifest && /<manifest:encryption-data\b/.test(manifest)) {
    throw new ScanError('encrypted', 'password-protected OpenDocument file');
  }
  for (const entry of zip.entries) {
    if (entry.isDir || SKIP.test(entry.name) || entry.name === 'mimetype') continue;
    ctx.addEntry();
    ctx.checkTime();
    const bytes = await zip.read(entry.name);
    if (!bytes) continue;
    if (!TEXT_PART.test(entry.name)) {
      // Embedded objects (OLE, other documents) are scanned as files of their own.
      if (!/\.(xml|rdf)$/i.test(entry.name)) yield { kind: 'member', name: entry.name, data: blobOf(bytes), where: { part: entry.name } };
      continue;
    }
    if (!ctx.fullText && markupStampHits(bytes, 1).length === 0) continue;
    yield* partText(decodeXml(bytes), entry.name);
  }
};

function* partText(xml: string, part: string): Generator<Extracted> {
  const area = part.endsWith('meta.xml') ? 'properties' : part.endsWith('styles.xml') ? 'header/footer' : 'body';
  // Spreadsheets and presentations: one run per sheet or slide, so the verdict can say which.
  const units = /<(table:table|draw:page)(?=[\s>/])[^>]*>/g;
  const starts = Array.from(xml.matchAll(units));
  if (area !== 'body' || starts.length === 0) {
    for (const text of chunkText(xmlToText(xml))) yield { kind: 'text', text, where: { part, area } };
    return;
  }
  yield* runs(xml.slice(0, starts[0].index), { part, area });
  for (let i = 0; i < starts.length; i++) {
    const m = starts[i];
    const body = xml.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : xml.length);
    const where: Where =
      m[1] === 'table:table' ? { part, area: 'cells', sheet: attr(m[0], 'table:name') ?? undefined } : { part, area: 'slide', slide: i + 1 };
    yield* runs(body, where);
  }
}

function* runs(xml: string, where: Where): Generator<Extracted> {
  for (const text of chunkText(xmlToText(xml))) if (text.trim()) yield { kind: 'text', text, where };
}
