/**
 * How a text cell shows through its number format. A format's text section (its 4th section, or its
 * only one when that holds `@`) prints text around the cell's: `"秘 "@` shows the cell `Confidential`
 * as 「秘 Confidential」, and `@" Confidential"` the cell `秘` likewise. The format's literals alone
 * are read elsewhere (xml-text.ts); here the `@` is filled with the cell's text, so the two halves meet.
 * Used by the xlsx and xls readers (one format language: ECMA-376 §18.8.31, BIFF FORMAT records).
 */
import { mayHaveStampChar } from './byte-scan.js';

/** A format's sections, split at `;` outside quotes, `[…]` and `\` escapes. */
function sections(code: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"') {
      const end = code.indexOf('"', i + 1);
      const stop = end < 0 ? code.length : end;
      cur += code.slice(i, stop + 1);
      i = stop;
    } else if (ch === '\\' || ch === '_' || ch === '*') cur += code.slice(i, (i += 1) + 1);
    else if (ch === '[') {
      const end = code.indexOf(']', i + 1);
      const stop = end < 0 ? code.length : end;
      cur += code.slice(i, stop + 1);
      i = stop;
    } else if (ch === ';') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * The text section of a format code that prints something around the cell's text, or null (no text
 * section, or one that shows the text alone: `@`, `General`).
 */
export function textSection(code: string): string | null {
  const all = sections(code);
  const section = all.length >= 4 ? all[3] : all.length === 1 ? all[0] : null;
  if (section === null || !section.includes('@')) return null;
  return shownAs(section, '') === '' ? null : section;
}

/** What a text cell holding `text` shows through text section `section`: literals in place, `@` filled. */
export function shownAs(section: string, text: string): string {
  let out = '';
  for (let i = 0; i < section.length; i++) {
    const ch = section[i];
    if (ch === '"') {
      const end = section.indexOf('"', i + 1);
      const stop = end < 0 ? section.length : end;
      out += section.slice(i + 1, stop);
      i = stop;
    } else if (ch === '\\') out += section[++i] ?? '';
    // `_x` leaves the width of x blank; `*x` repeats x to fill the cell (as wide as the column: at least nothing).
    else if (ch === '_') out += section[++i] !== undefined ? ' ' : '';
    else if (ch === '*') i++;
    else if (ch === '[') {
      // A colour or condition: not shown.
      const end = section.indexOf(']', i + 1);
      i = end < 0 ? section.length : end;
    } else out += ch === '@' ? text : ch;
  }
  return out;
}

/** A text section's literals may hold 秘: any text cell of that style may show the stamp. */
export const sectionMayShowStamp = (section: string): boolean => mayHaveStampChar(shownAs(section, ''));
