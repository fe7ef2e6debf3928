/**
 * SpreadsheetML's escapes (ECMA-376 Part 1, §22.9.2.19 ST_Xstring): a character XML cannot hold, or
 * any other, written `_xHHHH_` (four hex digits, a UTF-16 code unit), and a literal `_x` protected as
 * `_x005F_x`. Excel writes a carriage return in a cell as `_x000D_` (text pasted from Windows, CHAR(13));
 * SheetJS writes `_x000d_`. Excel decodes every such escape, in either case, printable or not
 * (`_x79D8_` shows 秘); so does this, in the texts Excel decodes them in: shared and inline strings,
 * a formula's string result, comments, printed headers and footers, sheet names. (LibreOffice 7.4
 * decodes the control characters only; Excel is the reader an xlsx is made for.)
 */
import { concat } from '../bytes.js';
import { findNeedles, type Needle } from './byte-scan.js';

const XSTRING = /_x([0-9A-Fa-f]{4})_/g;

/** `s` with its `_xHHHH_` escapes decoded (in one pass, left to right: `_x005F_x000D_` is the text `_x000D_`). */
export function decodeXstring(s: string): string {
  return s.includes('_x') ? s.replace(XSTRING, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s;
}

/** A decoder for the strings of one part: none at all when the part holds no `_x` (one search, not one per string). */
export const xstringDecoder = (part: string): ((s: string) => string) => (part.includes('_x') ? decodeXstring : (s) => s);

/** 秘 and ㊙ escaped (either case of hex digits), each found by its last two bytes (`8_`, `9_`: rare in markup). */
const ESCAPED_STAMP: Needle[] = ['_x79D8_', '_x79d8_', '_x3299_'].map((s) => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor: 6 }));
const NEEDLE_LEN = 7;

const holdsEscapedStamp = (buf: Uint8Array): boolean => {
  let found = false;
  findNeedles(buf, ESCAPED_STAMP, 0, buf.length, () => ((found = true), false));
  return found;
};

/**
 * Whether a stream of markup spells 秘 or ㊙ as an escape (`_x79D8_`), which the search for 秘's own
 * bytes does not see: the shared strings are then read whole, and decoded. (A worksheet's inline
 * strings are not searched so: no producer escapes a printable character, Excel and every library write
 * 秘 as it is; read whole, with designated keywords, they are decoded like the rest.)
 */
export class EscapedStampSearch {
  found = false;
  /** The last bytes of the previous chunk, for an escape cut between two chunks. */
  private tail = new Uint8Array(0);

  readonly push = (chunk: Uint8Array): void => {
    if (this.found || chunk.length === 0) return;
    this.found = holdsEscapedStamp(concat([this.tail, chunk.subarray(0, NEEDLE_LEN - 1)])) || holdsEscapedStamp(chunk);
    this.tail = chunk.length >= NEEDLE_LEN - 1 ? chunk.slice(-(NEEDLE_LEN - 1)) : concat([this.tail, chunk]).slice(-(NEEDLE_LEN - 1));
  };
}
