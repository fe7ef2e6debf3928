/**
 * How a text cell shows through its number format. A format's text section (its 4th section, or else
 * the section that holds `@`, wherever it stands) prints text around the cell's: `"秘 "@` shows the cell `Confidential`
 * as 「秘 Confidential」, and `@" Confidential"` the cell `秘` likewise. The format's literals alone
 * are read elsewhere (xml-text.ts); here the `@` is filled with the cell's text, so the two halves meet.
 * Used by the xlsx, xlsb and xls readers (one format language: ECMA-376 §18.8.31, BIFF FORMAT and BrtFmt records).
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
  // Four sections: the 4th is for text (ECMA-376 §18.8.31). With fewer, LibreOffice and Gnumeric take
  // the section holding `@` as the text section wherever it stands (`0;"秘 "@`, `0;-0;"秘 "@`, also
  // with conditions `[>100]0;[<=100]0;"秘 "@`) and show a text cell through it; Gnumeric also for
  // `"秘 "@;0`. Reading any such section errs toward showing the literals beside the cell's text.
  const section = all.length >= 4 ? all[3] : (all.find(holdsAt) ?? null);
  if (section === null || !holdsAt(section)) return null;
  return shownAs(section, '') === '' ? null : section;
}

/** The section has an `@` of its own (not one inside quotes or after `\`): shownAs fills it. */
const holdsAt = (section: string): boolean => shownAs(section, '\u0000') !== shownAs(section, '');

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
      // A colour or condition: not shown. A currency, `[$秘-411]`, shows its symbol (before its locale's `-`).
      const end = section.indexOf(']', i + 1);
      const stop = end < 0 ? section.length : end;
      if (section[i + 1] === '$') out += currencySymbol(section.slice(i + 2, stop));
      i = stop;
    } else out += ch === '@' ? text : ch;
  }
  return out;
}

/** A currency's symbol, from what `[$…]` holds: `秘-411` → 秘, `€-x-euro2` → €, `-411` (a locale alone) → nothing. */
const currencySymbol = (inner: string): string => {
  const dash = inner.indexOf('-');
  return dash < 0 ? inner : inner.slice(0, dash);
};

/**
 * A whole format code as its literals show, every section side by side (quotes, `\` escapes, colours
 * and conditions taken away, a currency's symbol kept): `[$秘-411] "Confidential" 0` shows
 * 「秘 Confidential 5」 in Excel and LibreOffice.
 */
export const formatShown = (code: string): string => shownAs(code, '@');

/** A text section's literals may hold 秘: any text cell of that style may show the stamp. */
export const sectionMayShowStamp = (section: string): boolean => mayHaveStampChar(shownAs(section, ''));

/**
 * The workbook's styles whose number format prints text around a text cell's: style index → text
 * section; `stamp`: those whose own literals may hold 秘 (a cell of that style may show the stamp
 * whatever it holds, so rows that use one are read as rows with 秘 are).
 */
export interface TextFormats {
  byStyle: ReadonlyMap<number, string>;
  stamp: ReadonlySet<number>;
}

/**
 * TextFormats from a workbook's custom formats (`codes`: format id → code) and its cell styles in
 * order (`styles`: each one's format id), as xlsx's styles.xml and xlsb's styles.bin list them.
 */
export function textFormats(codes: ReadonlyMap<number, string>, styles: Iterable<number>): TextFormats {
  const byStyle = new Map<number, string>();
  const stamp = new Set<number>();
  const sections = new Map<number, string>();
  for (const [id, code] of codes) {
    const section = textSection(code);
    if (section) sections.set(id, section);
  }
  if (!sections.size) return { byStyle, stamp };
  let i = 0;
  for (const id of styles) {
    const section = sections.get(id);
    if (section) byStyle.set(i, section);
    if (section && sectionMayShowStamp(section)) stamp.add(i);
    i++;
  }
  return { byStyle, stamp };
}
