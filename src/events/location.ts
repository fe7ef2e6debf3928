/**
 * Where in a file a verdict was found, in a language-neutral form for events: archive members by their
 * own names (`2023年度.zip › 引継ぎメモ.docx`), then the container's part and one qualifier, each as
 * `key=value` (`part=word/header1.xml › area=header`, `page=3`, `sheet=売上!B2`, `sheet=売上!B2 › table=表 1`, `slide=2:notes`), so that
 * the collector can put it back together (location-words.ts) and say it in words (「ヘッダー」, "page 3").
 *
 * The names come from the file, so they may hold anything, the separator included: a member named
 * `a › b.txt` would otherwise read back as two members, one named `page=3` as a page, a sheet named
 * `売上!B2` as a cell. Within a segment, `\` escapes what would be read as structure: `\\`, `\›`, the
 * `=` of a name that looks like a key (`page\=3`), the `!` of a sheet's name (`売上\!B2!C3`). Everything
 * else is written as it is, so a location stays readable in a SIEM; an older event (no escapes) reads as
 * before, since a backslash before any other character is itself.
 */
import type { Location } from '../detect/types.js';

/** The keys of the qualifiers, after the path's names. */
export const LOCATION_KEYS = ['part', 'page', 'sheet', 'table', 'slide', 'area'] as const;
export const LOCATION_SEPARATOR = ' › ';
const KEY_LIKE = new RegExp(`^(${LOCATION_KEYS.join('|')})=`);

/** A name or value with the separator's `›` and the backslash escaped. */
const escaped = (s: string) => s.replace(/[\\›]/g, '\\$&');
/** A member's name: also the `=` of one that would read as a qualifier. */
const pathName = (s: string) => escaped(s).replace(KEY_LIKE, '$1\\=');
/** A sheet's name: also its `!`, which would read as the one before the cell. */
const sheetName = (s: string) => escaped(s).replace(/!/g, '\\!');

export function locationText(loc: Location | undefined): string | null {
  if (!loc) return null;
  const parts: string[] = loc.path.map(pathName);
  if (loc.part) parts.push(`part=${escaped(loc.part)}`);
  if (loc.page) parts.push(`page=${loc.page}`);
  else if (loc.sheet || loc.table) {
    parts.push(`sheet=${sheetName(loc.sheet ?? '')}${loc.cell ? `!${escaped(loc.cell)}` : ''}`);
    if (loc.table) parts.push(`table=${escaped(loc.table)}`);
    // A sheet's printed header, its shapes: not its cells, so the admin is told as the employee was.
    if (!loc.cell && loc.area && loc.area !== 'cells') parts.push(`area=${escaped(loc.area)}`);
  }
  else if (loc.slide) parts.push(`slide=${loc.slide}${loc.notes ? ':notes' : ''}`);
  else if (loc.area) parts.push(`area=${escaped(loc.area)}`);
  return parts.length > 0 ? parts.join(LOCATION_SEPARATOR) : null;
}
