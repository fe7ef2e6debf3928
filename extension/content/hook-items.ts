/**
 * The texts, URLs and page-made bytes the page hooks ask about, as the guard's items: the text a URL
 * carries, and the documents encoded in a text (a data: URL, base64, a binary string:
 * src/guard/encoded.ts), each scanned as the page-made bytes it is. Page-made bytes that say they are
 * text (a JSON body the page wrapped in a Blob, or encoded with TextEncoder) are read as that text too.
 * In the bundle loaded on first use, not in the guard every frame carries (a marked text's dialog is in
 * this bundle anyway). When it cannot load, the question fails and the request is refused.
 */
import type { Item } from '../../src/guard/index.js';
import { encodedDocuments, exec, mayCarryDocument, slice } from '../../src/guard/encoded.js';
import type { Designated } from '../../src/detect/types.js';
import { markedReading, RAW_TEXT_MAX } from '../../src/guard/request.js';
import { urlText } from '../../src/guard/url-text.js';
import type { Subject } from './bridge.js';

/** Bytes of page-made bytes read as text at most: a 24 MB document in base64 (what encodedDocuments decodes at most). */
const TEXT_BYTES = 32 * 1024 * 1024;
/** The name a text too long to read in the page is scanned and shown under. */
const LONG_TEXT_NAME = 'text.txt';
/** A type that says text: text/*, JSON, XML, JavaScript, a form body (`+json`, `+xml` too). */
const TEXT_TYPE = /^text\/|[/+](?:json|xml|javascript|x-www-form-urlencoded)\b/i;

/**
 * `designated`: the policy's designated rules, or undefined while unknown. Without content rules, a text
 * whose runs cannot hold anything the engine would stop (a digest, a JWT, a picture: mayCarryDocument)
 * adds no items, so it costs no scan.
 */
export async function itemsOf(subjects: readonly Subject[], designated?: Partial<Designated>): Promise<Item[]> {
  const items = subjects.map((s) => toItem(s, designated ?? {}));
  const anyText = !designated || designated.keywords?.length || designated.patterns?.length || designated.sha256?.length;
  for (const s of subjects) {
    const text = s.kind === 'text' ? s.text : s.kind === 'bytes' ? await textOf(s.blob) : null;
    if (text === null || !mayCarryDocument(text, atob, exec, slice, anyText)) continue;
    for (const bytes of encodedDocuments(text)) items.push({ kind: 'bytes', blob: new Blob([bytes]) });
  }
  return items;
}

/**
 * Page-made bytes as text, when their type or their first KiB says they are text (no control bytes
 * but tab and line breaks); null for anything else (a picture, an archive, a PDF: the engine reads
 * those as they are). Read up to TEXT_BYTES: a run cut there is decoded as far as it goes.
 */
async function textOf(b: Blob): Promise<string | null> {
  try {
    if (!TEXT_TYPE.test(b.type)) {
      const head = new Uint8Array(await b.slice(0, 1024).arrayBuffer());
      if (head.length === 0 || head.some((c) => (c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127)) return null;
    }
    return await b.slice(0, TEXT_BYTES).text();
  } catch {
    return null; // unreadable: the engine, reading the same bytes, says so
  }
}

/**
 * A text is read whole and as its receiving end decodes it (src/guard/request.ts markedReading): the
 * guard's text check reads one run of TEXT_CAP characters as it is, so a text longer than that (a 4 MB
 * log with the stamp on its last line) or escaped once more than its encoding (`encodeURIComponent`
 * in a JSON value, a FormData field, a form's hidden input) is handed to it as the run that is marked.
 */
function toItem(s: Subject, designated: Partial<Designated>): Item {
  if (s.kind === 'file') return { kind: 'file', blob: s.blob, name: s.name };
  if (s.kind === 'bytes') return { kind: 'bytes', blob: s.blob };
  const text = s.kind === 'url' ? urlText(s.url) : s.text;
  // Longer than the network layer reads too: the engine reads it whole, as a file (unscannable past its limit).
  if (text.length > RAW_TEXT_MAX) return { kind: 'file', blob: new Blob([text], { type: 'text/plain' }), name: LONG_TEXT_NAME };
  return { kind: 'text', text: markedReading(text, designated)?.run ?? text };
}
