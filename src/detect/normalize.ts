/**
 * Text normalisation shared by every rule: NFKC (so ㊙ becomes 秘 and full-width letters become
 * ASCII), then the invisible characters that document formats put between runs are removed.
 */

/**
 * Characters that NFKC keeps but that a reader never sees, or sees as a blank: every format character
 * (soft hyphen, zero-width spaces and joiners, direction marks, embeddings and isolates, the word
 * joiner and invisible operators, the BOM, tag characters, interlinear annotation marks) but U+202E,
 * which reverses what follows; variation selectors (Mongolian, standard and ideographic: Japanese text
 * writes a kanji variant as the kanji + U+E0100–U+E01EF); the combining grapheme joiner, Khmer's
 * invisible vowels, and the blanks passed off as invisible (Hangul fillers, the Braille blank, NEL).
 * The typing watcher counts them as filler: what normalisation removes (src/guard/typing.ts).
 */
// eslint-disable-next-line no-misleading-character-class -- the combining marks are listed to be removed one by one, not as parts of a character
const INVISIBLE = /(?!\u202E)[\p{Cf}\p{VS}\u0085\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0]/gu;

export function normalize(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}
