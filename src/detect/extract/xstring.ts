/**
 * SpreadsheetML's escapes (ECMA-376 Part 1, §22.9.2.19 ST_Xstring): a character XML cannot hold, or
 * any other, written `_xHHHH_` (four hex digits, a UTF-16 code unit), and a literal `_x` protected as
 * `_x005F_x`. Excel writes a carriage return in a cell as `_x000D_` (text pasted from Windows, CHAR(13));
 * SheetJS writes `_x000d_`. Excel decodes every such escape, in either case, printable or not
 * (`_x79D8_` shows 秘); so does this, in the texts Excel decodes them in: shared and inline strings,
 * a formula's string result, comments, printed headers and footers, sheet names. (LibreOffice 7.4
 * decodes the control characters only; Excel is the reader an xlsx is made for.)
 */
const XSTRING = /_x([0-9A-Fa-f]{4})_/g;

/** `s` with its `_xHHHH_` escapes decoded (in one pass, left to right: `_x005F_x000D_` is the text `_x000D_`). */
export function decodeXstring(s: string): string {
  return s.includes('_x') ? s.replace(XSTRING, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s;
}

/** A decoder for the strings of one part: none at all when the part holds no `_x` (one search, not one per string). */
export const xstringDecoder = (part: string): ((s: string) => string) => (part.includes('_x') ? decodeXstring : (s) => s);
