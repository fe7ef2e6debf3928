/**
 * The texts and URLs the page hooks ask about, as the guard's items: the text a URL carries, and the
 * documents encoded in a text body (a data: URL, base64, a binary string: src/guard/encoded.ts), each
 * scanned as the page-made bytes it is. In the bundle loaded on first use, not in the guard every frame
 * carries (a marked text's dialog is in this bundle anyway). When it cannot load, the question fails
 * and the request is refused.
 */
import type { Item } from '../../src/guard/index.js';
import { encodedDocuments, exec, mayCarryDocument, slice } from '../../src/guard/encoded.js';
import type { Designated } from '../../src/detect/types.js';
import { urlText } from '../../src/guard/url-text.js';
import type { Subject } from './bridge.js';

/**
 * `designated`: the policy's designated rules, or undefined while unknown. Without content rules, a text
 * whose runs cannot hold anything the engine would stop (a digest, a JWT, a picture: mayCarryDocument)
 * adds no items, so it costs no scan.
 */
export function itemsOf(subjects: readonly Subject[], designated?: Partial<Designated>): Item[] {
  const items = subjects.map(toItem);
  const anyText = !designated || designated.keywords?.length || designated.patterns?.length || designated.sha256?.length;
  for (const s of subjects) {
    if (s.kind !== 'text' || !mayCarryDocument(s.text, atob, exec, slice, anyText)) continue;
    for (const bytes of encodedDocuments(s.text)) items.push({ kind: 'bytes', blob: new Blob([bytes]) });
  }
  return items;
}

function toItem(s: Subject): Item {
  if (s.kind === 'file') return { kind: 'file', blob: s.blob, name: s.name };
  if (s.kind === 'bytes') return { kind: 'bytes', blob: s.blob };
  if (s.kind === 'url') return { kind: 'text', text: urlText(s.url) };
  return { kind: 'text', text: s.text };
}
