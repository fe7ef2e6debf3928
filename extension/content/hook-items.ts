/**
 * The texts and URLs the page hooks ask about, as the guard's items: the text a URL carries, and the
 * documents encoded in a text body (a data: URL, base64, a binary string: src/guard/encoded.ts), each
 * scanned as the page-made bytes it is. In the bundle loaded on first use, not in the guard every frame
 * carries (a marked text's dialog is in this bundle anyway). When it cannot load, the question fails
 * and the request is refused.
 */
import type { Item } from '../../src/guard/index.js';
import { encodedDocuments } from '../../src/guard/encoded.js';
import { urlText } from '../../src/guard/url-text.js';
import type { Subject } from './bridge.js';

export function itemsOf(subjects: readonly Subject[]): Item[] {
  const items = subjects.map(toItem);
  for (const s of subjects) {
    if (s.kind === 'text') for (const bytes of encodedDocuments(s.text)) items.push({ kind: 'bytes', blob: new Blob([bytes]) });
  }
  return items;
}

function toItem(s: Subject): Item {
  if (s.kind === 'file') return { kind: 'file', blob: s.blob, name: s.name };
  if (s.kind === 'bytes') return { kind: 'bytes', blob: s.blob };
  if (s.kind === 'url') return { kind: 'text', text: urlText(s.url) };
  return { kind: 'text', text: s.text };
}
