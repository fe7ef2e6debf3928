/**
 * Text normalisation shared by every rule: NFKC (so ㊙ becomes 秘 and full-width letters become
 * ASCII), then the invisible characters that document formats put between runs are removed.
 */

/**
 * Zero-width and formatting characters that NFKC keeps but that a reader never sees: soft hyphen,
 * joiners and spaces of zero width, direction marks, embeddings and isolates (not U+202E, which
 * reverses what follows), variation selectors, the word joiner and invisible operators, the BOM. (A
 * regular-expression class body; the typing watcher counts them as filler too: src/guard/typing.ts.)
 */
export const INVISIBLE_CLASS = '\u00AD\u034F\u061C\u180E\u200B-\u200F\u202A-\u202D\u2060-\u2069\uFE00-\uFE0F\uFEFF';
/** Japanese text writes a kanji variant as the kanji + an ideographic variation selector (U+E0100–U+E01EF). */
const IDEOGRAPHIC_VARIATION = '\uDB40[\uDD00-\uDDEF]';
// eslint-disable-next-line no-misleading-character-class -- the combining marks are listed to be removed one by one, not as parts of a character
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]|${IDEOGRAPHIC_VARIATION}`, 'g');

export function normalize(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}
