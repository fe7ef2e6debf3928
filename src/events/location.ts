/**
 * Where in a file a verdict was found, in a language-neutral form for events: archive members and the
 * container part by their own names (`2023年度.zip › 引継ぎメモ.docx › word/header1.xml`), then one
 * `key=value` qualifier (`page=3`, `sheet=売上!B2`, `slide=2`, `slide=2:notes`, `area=header`).
 * Words for people (「3ページ目」, "page 3") are made where it is shown, in the reader's language.
 */
import type { Location } from '../detect/types.js';

export function locationText(loc: Location | undefined): string | null {
  if (!loc) return null;
  const parts: string[] = [...loc.path];
  if (loc.part) parts.push(loc.part);
  if (loc.page) parts.push(`page=${loc.page}`);
  else if (loc.sheet) parts.push(`sheet=${loc.sheet}${loc.cell ? `!${loc.cell}` : ''}`);
  else if (loc.slide) parts.push(`slide=${loc.slide}${loc.notes ? ':notes' : ''}`);
  else if (loc.area && !loc.part) parts.push(`area=${loc.area}`);
  return parts.length > 0 ? parts.join(' › ') : null;
}
