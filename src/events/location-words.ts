/**
 * An event's location (location.ts) put back together and said in words for the admin, as the employee's
 * dialog said it (src/detect/describe.ts): 「2023年度.zip の中の 引継ぎメモ.docx のヘッダー」, 「3ページ目」,
 * 「シート「売上」のセル B2」. The container's part stays in the event (the API and NDJSON export carry it),
 * not in the words. An event from an older extension (`2023年度.zip › word/header1.xml`, no keys) reads
 * as the names it holds.
 */
import { describeLocation, type Lang } from '../detect/describe.js';
import type { Location } from '../detect/types.js';
import { LOCATION_KEYS, LOCATION_SEPARATOR } from './location.js';

const QUALIFIER = new RegExp(`^(${LOCATION_KEYS.join('|')})=([\\s\\S]*)$`);
/** What location.ts escapes; a backslash before anything else is a character of the name (older events). */
const ESCAPED = '\\›=!';

/**
 * `text` cut at each `sep` that is not escaped, the pieces still escaped (a qualifier is told from a
 * name by its unescaped `=`).
 */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\' && i + 1 < text.length && ESCAPED.includes(text[i + 1])) i += 2;
    else if (text.startsWith(sep, i)) {
      out.push(text.slice(start, i));
      i += sep.length;
      start = i;
    } else i++;
  }
  out.push(text.slice(start));
  return out;
}

const unescape = (s: string) => s.replace(/\\([\\›=!])/g, '$1');

export function locationFromText(text: string): Location {
  const loc: Location = { path: [] };
  for (const seg of splitUnescaped(text, LOCATION_SEPARATOR)) {
    const m = QUALIFIER.exec(seg);
    const value = m ? unescape(m[2]) : '';
    if (!m) loc.path.push(unescape(seg));
    else if (m[1] === 'part') loc.part = value;
    else if (m[1] === 'area') loc.area = value;
    else if (m[1] === 'table') loc.table = value;
    else if (m[1] === 'page' && /^\d+$/.test(m[2])) loc.page = Number(m[2]);
    else if (m[1] === 'slide' && /^\d+(?::notes)?$/.test(m[2])) {
      loc.slide = parseInt(m[2], 10);
      if (m[2].endsWith(':notes')) loc.notes = true;
    } else if (m[1] === 'sheet') {
      // The cell follows the last unescaped `!`; an older event's sheet name has none escaped, and its cell is last all the same.
      const pieces = splitUnescaped(m[2], '!');
      const cell = pieces.length > 1 ? pieces.pop()! : null;
      const sheet = unescape(pieces.join('!'));
      if (sheet) loc.sheet = sheet;
      if (cell !== null) loc.cell = unescape(cell);
    } else loc.path.push(unescape(seg));
  }
  return loc;
}

/** The location an event carries, in the admin's words; '' for none. */
export function locationWords(text: string | null | undefined, lang: Lang): string {
  return text ? describeLocation(locationFromText(text), lang) : '';
}
