/**
 * Writes `\uXXXX` and `\xHH` escapes of non-ASCII characters in string and regex literals of minified
 * code as the characters themselves: `\u2010` is 6 bytes, `‐` 3 in UTF-8 (which Chromium requires of a
 * content script), `\xe7` 4 and `ç` 2. The source keeps its escapes (an invisible or look-alike character is unreadable
 * there); about 110 B of page-hooks.js, which every frame parses (vite.config.ts). Same code: in a
 * string, and in a regex (in a class too, with or without the `u` flag), a BMP character and its
 * escape mean the same. Left escaped: ASCII (`\u0022`, a regex's syntax characters), surrogates (half a
 * character), U+2028/U+2029 (line terminators), U+FEFF (a byte order mark where a file starts) and
 * bidirectional controls.
 */
import { parseAst } from 'vite';
import { applyEdits, children, type Edit, type Node } from './ast-edits.js';

/** Bidirectional controls: written out, they reorder how the code reads in an editor or a review (CVE-2021-42574). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** A `\uXXXX` or `\xHH` escape not itself escaped (an even number of backslashes before it). */
const ESCAPE = /(?<=(?:^|[^\\])(?:\\\\)*)\\(?:u([\dA-Fa-f]{4})|x([\dA-Fa-f]{2}))/g;

function literal(escape: string, u?: string, x?: string): string {
  const c = parseInt(u ?? x ?? '', 16);
  const keep = c < 0x80 || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || c === 0xfeff || BIDI.test(String.fromCharCode(c));
  return keep ? escape : String.fromCharCode(c);
}

export function literalEscapes(code: string): string {
  const edits: Edit[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'Literal' && (typeof n.value === 'string' || n.regex)) {
      const raw = code.slice(n.start, n.end);
      const text = raw.replace(ESCAPE, literal);
      if (text !== raw) edits.push({ at: n.start, end: n.end, text });
    }
    for (const c of children(n)) visit(c);
  };
  visit(parseAst(code) as unknown as Node);
  return applyEdits(code, edits);
}
