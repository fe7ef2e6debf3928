/**
 * The characters of an equation kept as MTEF, the `Equation Native` stream of an Equation Editor 3.0 / MathType object
 * (an equation in a .doc, .xls or .ppt; LibreOffice writes each formula of a Word 97 export so). Its text is not in the
 * bytes as a string: each character is a CHAR record of its own (MTEF 3: a tag byte 0x02, the typeface + 128, the
 * character in UTF-16LE: `02 81 d8 79` is 「秘」), so a byte search never finds a word of it.
 *
 * The characters are read as the runs of CHAR records, in order: a CHAR record with options (a nudge, embellishments)
 * or any other record between ends the run with a line break, as a template or a new line of the equation sets what
 * follows apart. Only MTEF 2 and 3 (Equation Editor 3.0, LibreOffice) have this layout; MathType 5's is not read here.
 */

/** The OLE header before the MTEF data: its own length first (28 bytes, EQNOLEFILEHDR). */
const HEADER_MIN = 28;
/** MTEF 2 and 3: a version byte, then platform, product, product version and subversion. */
const MTEF_START = 5;
/** A plain CHAR record (tag 2, no options): the tag, the typeface + 128, two bytes of character. */
const CHAR_TAG = 0x02;
const CHAR_LENGTH = 4;
/** The typeface of spacing characters (fnSPACE, 24): MathType's private-use spaces (U+EB05…), which show as a blank. */
const SPACE_TYPEFACE = 24 + 128;

/** The equation's text, its runs of characters each on a line; '' when the stream is not MTEF 2 or 3. */
export function mtefText(b: Uint8Array): string {
  if (b.length < HEADER_MIN + MTEF_START) return '';
  const header = b[0] | (b[1] << 8);
  if (header < HEADER_MIN || header + MTEF_START > b.length) return '';
  const version = b[header];
  if (version !== 2 && version !== 3) return '';
  let text = '';
  let run = false;
  for (let i = header + MTEF_START; i < b.length; ) {
    if (b[i] === CHAR_TAG && i + CHAR_LENGTH <= b.length && b[i + 1] >= 0x80) {
      text += b[i + 1] === SPACE_TYPEFACE ? ' ' : String.fromCharCode(b[i + 2] | (b[i + 3] << 8));
      run = true;
      i += CHAR_LENGTH;
      continue;
    }
    if (run) text += '\n';
    run = false;
    i++;
  }
  return text;
}
