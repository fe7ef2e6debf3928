/**
 * Text normalisation shared by every rule: NFKC (so ㊙ becomes 秘 and full-width letters become
 * ASCII), then the invisible characters that document formats put between runs are removed.
 */

// Zero-width and formatting characters that NFKC keeps but that a reader never sees.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/g;

export function normalize(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}
