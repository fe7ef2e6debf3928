/**
 * Text as the light markup languages print it, for a stamp written in their source: LaTeX and ConTeXt
 * (`\textbf{秘} \emph{Confidential}`, `{\bf 秘}`, `秘\quad Confidential`, `秘~Confidential`), BibTeX's
 * braces (`{{秘} Confidential}`), Texinfo (`@strong{秘}`), and the emphasis marks of Org, MediaWiki,
 * DokuWiki, AsciiDoc and reStructuredText (`*秘*`, `'''秘'''`, `//Confidential//`, `=秘=`, `#秘#`), as pandoc
 * and people write them. Commands lose their name and keep their argument; a mark is taken out only where
 * it opens or closes a word (a blank or a bracket on its other side), so `a/b` and `http://` stay.
 */
const TEX_SWITCH = /\{\\[A-Za-z]+\*?\s+([^{}\n]*)\}/g;
const TEX_COMMAND = /\\[A-Za-z]+\*?(?:\[[^\]\n]{0,64}\])?\{([^{}\n]*)\}/g;
const TEX_SPACE = /\\(?:q?quad|enspace|enskip|thinspace|hfill|hspace\*?\{[^{}\n]{0,16}\}|[ ,;:!])|~/g;
/**
 * A line or paragraph break written in the source: LaTeX's `\\` (at a line's end or before a blank: a
 * Windows path in JSON, `秘\\Confidential`, is two folders, not a break), `\newline`, `\linebreak`,
 * `\par`, and AsciiDoc's ` +` at a line's end: 「秘\\」⏎「Confidential」 prints 秘 above Confidential.
 */
const BREAK = /\\\\(?:\[[^\]\n]{0,16}\])?(?=\s|$)|\\(?:newline|linebreak|par)\b|[ \t]\+(?=\r?\n)/g;
const TEXINFO_COMMAND = /@[A-Za-z]+\{([^{}\n]*)\}/g;
const BRACES = /\{([^{}\n]*)\}/g;
const MARKS = "[*/=+#'_~]{1,3}";
const EMPHASIS = new RegExp(`(?<=^|[\\s(（「『：])${MARKS}(?=[^\\s*/=+#'_~])|(?<=[^\\s*/=+#'_~])${MARKS}(?=$|[\\s)）」』,.:;、。])`, 'gm');

/** Something a reading below would take out. */
export const LIGHT_MARKUP_HINT = /[\\@{}*/=+#'_~]/;

export function lightMarkupShown(s: string): string {
  let t = s;
  // Innermost groups first, a few levels: \textbf{\emph{秘}}, {{秘} Confidential}.
  for (let i = 0; i < 3; i++) {
    const next = t.replace(TEX_SWITCH, '$1').replace(TEX_COMMAND, '$1').replace(TEXINFO_COMMAND, '$1').replace(BRACES, '$1');
    if (next === t) break;
    t = next;
  }
  return t.replace(BREAK, '\n').replace(TEX_SPACE, ' ').replace(EMPHASIS, '');
}
