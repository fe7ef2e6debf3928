/**
 * Where in a file a verdict was found, in a language-neutral form for events: archive members by their
 * own names (`2023年度.zip › 引継ぎメモ.docx`), then the container's part and one qualifier, each as
 * `key=value` (`part=word/header1.xml › area=header`, `page=3`, `sheet=売上!B2`, `sheet=売上!B2 › table=表 1`, `slide=2:notes`), so that
 * the collector can put it back together (location-words.ts) and say it in words (「ヘッダー」, "page 3").
 */
import type { Location } from '../detect/types.js';

export function locationText(loc: Location | undefined): string | null {
  if (!loc) return null;
  const parts: string[] = [...loc.path];
  if (loc.part) parts.push(`part=${loc.part}`);
  if (loc.page) parts.push(`page=${loc.page}`);
  else if (loc.sheet || loc.table) {
    parts.push(`sheet=${loc.sheet ?? ''}${loc.cell ? `!${loc.cell}` : ''}`);
    if (loc.table) parts.push(`table=${loc.table}`);
    // A sheet's printed header, its shapes: not its cells, so the admin is told as the employee was.
    if (!loc.cell && loc.area && loc.area !== 'cells') parts.push(`area=${loc.area}`);
  }
  else if (loc.slide) parts.push(`slide=${loc.slide}${loc.notes ? ':notes' : ''}`);
  else if (loc.area) parts.push(`area=${loc.area}`);
  return parts.length > 0 ? parts.join(' › ') : null;
}
