/**
 * Rule 2: the file name. The NFKC base name starts with 秘 or an uppercase C, then optional
 * spaces, then one dash-like character. `秘書室…`, `CV—…`, `ABC—…` are not marked.
 */
import { normalize } from '../normalize.js';

// Dash-like characters after NFKC (U+FF0D → '-', U+FF70 → U+30FC are folded in by normalize()):
// hyphens and dashes U+2010–U+2015, the minus sign, the long vowel mark.
const NAME_RULE = /^([秘C])\s*[-\u2010-\u2015\u2212\u30FC]/u;

/** The base name: what follows the last `/` or `\`. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Invisible characters (bidi overrides and isolates, zero-width spaces, BOM): a reader sees the name
 * without them, so `\u202E秘—x` or `秘\u200B—x` is the name 秘—x and must not slip past the rule.
 * normalize() removes all but U+202E, which in a name only turns the rest around.
 */
const INVISIBLE = /\u202E/g;

/** The marked prefix (e.g. `秘—`) when the base name breaks rule 2, else null. */
export function markedNamePrefix(path: string): string | null {
  const m = NAME_RULE.exec(normalize(baseName(path)).replace(INVISIBLE, ''));
  return m ? m[0].replace(/\s+/g, '') : null;
}
