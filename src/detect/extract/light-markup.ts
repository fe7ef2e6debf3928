/**
 * Text as the light markup languages print it, for a stamp written in their source: LaTeX and ConTeXt
 * (`\textbf{秘} \emph{Confidential}`, `{\bf 秘}`, `秘\quad Confidential`, `秘~Confidential`), BibTeX's
 * braces (`{{秘} Confidential}`), Texinfo (`@strong{秘}`, `秘@ Confidential`, `秘@*`), and the emphasis marks of Org, MediaWiki,
 * DokuWiki, AsciiDoc and reStructuredText (`*秘*`, `'''秘'''`, `//Confidential//`, `=秘=`, `#秘#`), as pandoc
 * and people write them. Commands lose their name and keep their argument; a mark is taken out only where
 * it opens or closes a word (a blank or a bracket on its other side), so `a/b` and `http://` stay.
 */
const TEX_SWITCH = /\{\\[A-Za-z]+\*?\s+([^{}\n]*)\}/g;
const TEX_COMMAND = /\\[A-Za-z]+\*?(?:\[[^\]\n]{0,64}\])?\{([^{}\n]*)\}/g;
const TEX_SPACE = /\\(?:q?quad|enspace|enskip|thinspace|hfill|[ ,;:!])|~/g;
/**
 * Space given as an argument (`\hspace{1em}`, `\vspace*{2mm}`, `\phantom{x}`): taken out before the
 * commands lose their names, which would leave the length (`秘1emConfidential`).
 */
const TEX_SPACE_ARG = /\\(?:[hv]space\*?|[hv]?phantom)\{[^{}\n]{0,16}\}/g;
/**
 * Arguments that set something up and print nothing: the colour of `\textcolor{red}{…}`, `\colorbox` (and
 * `\fcolorbox`'s two), `\href`'s URL, `\foreignlanguage`'s language, and `\color{red}`, which colours what
 * follows. Taken out with the command's name, so only the text argument is left: left in, the setting stood
 * between the words (「秘 \textcolor{red}{Confidential}」 read 「秘 redConfidential」; AbiWord's LaTeX export
 * writes every coloured run so: `秘\textcolor[rgb]{0.000,0.000,0.000}{ Confi}dential`).
 */
const TEX_SETTING_ARG =
  /\\(?:(?:textcolor|colorbox|href|foreignlanguage)(?:\[[^\]\n]{0,64}\])?\{[^{}\n]{0,256}\}(?=\s*\{)|fcolorbox(?:\[[^\]\n]{0,64}\])?(?:\{[^{}\n]{0,64}\}){2}(?=\s*\{)|color(?:\[[^\]\n]{0,64}\])?\{[^{}\n]{0,64}\})/g;
/**
 * A line or paragraph break written in the source: LaTeX's `\\` (at a line's end or before a blank),
 * `\newline`, `\linebreak`, `\par`, and AsciiDoc's ` +` at a line's end: 「秘\\」⏎「Confidential」 prints
 * 秘 above Confidential.
 */
const BREAK = /\\\\(?:\[[^\]\n]{0,16}\])?(?=\s|$)|\\(?:newline|linebreak|par)\b|[ \t]\+(?=\r?\n)/g;
/**
 * `\\` right before a word, a break too in LaTeX and in Jira's and Confluence's wiki markup
 * (`秘\\Confidential`), unless it is one separator of a path: a Windows path escaped in a string,
 * `D:\\共有\\秘\\Confidential\\報告.docx`, has another backslash (or a slash) in the same word. JSON
 * escapes every backslash, so there it is read after the escapes are resolved (`tightBreaks` false on
 * the raw text).
 */
const TIGHT_BREAK = /(?<![\\/][^\s\\/]{0,64})\\\\(?:\[[^\]\n]{0,16}\])?(?![^\s\\/]{0,256}(?:\/|\\{1,2}[^\s\\]))/g;
/**
 * LaTeX environments print nothing of their own: `\begin{flushleft}` is a new paragraph, not the word
 * 「flushleft」 (which the commands' reading below would leave). A table's column specification goes with
 * its `\begin` (`\begin{longtable}[]{@{}ll@{}}`, `\begin{tabularx}{\linewidth}{lX}`).
 */
const TEX_TABLE_BEGIN =
  /\\begin\{(?:(?:tabular|longtable|array)\}(?:\[[^\]\n]{0,32}\])?|(?:tabular\*|tabularx|tabulary)\}\{[^{}\n]{0,64}\})\{(?:[^{}\n]|\{[^{}\n]{0,32}\}){0,128}\}/g;
const TEX_ENVIRONMENT = /\\(?:begin|end)\{[A-Za-z]+\*?\}/g;
/**
 * A table's cells, `&` apart, print side by side, as a Word, HTML or OpenDocument table's neighbouring cells
 * do (「秘 & Confidential \\」, as pandoc writes a Markdown table; AbiWord's LaTeX export puts each cell in a
 * flushleft: `秘&⏎\end{flushleft}\begin{flushleft}⏎Confidential\\`). Only an `&` whose row ends, with `\\`,
 * within a few lines and no blank line: elsewhere 「秘 & Confidential」 is an ampersand a reader sees. The row's
 * end, not the table's `\begin`, since a long text is read in windows around each 秘.
 */
const TEX_CELL_GAP = /(?<!\\)&(?=(?:[^\n\\]|\\(?!\\)|\n(?![ \t]*\n)){0,256}?\\\\(?:\s|$))/g;
/**
 * Jira's and Confluence's wiki macros around text: `{color:red}秘{color}` shows 秘 in red, `{anchor:x}`
 * nothing; a quote, panel or code block (`{quote}`, `{panel:title=x}`) starts a block of its own.
 */
const WIKI_INLINE = /\{(?:color|anchor)(?::[^{}\n]{0,64})?\}/g;
const WIKI_BLOCK = /\{(?:quote|noformat|panel|code|tip|info|note|warning)(?::[^{}\n]{0,256})?\}/g;
/**
 * LaTeX commands whose argument prints elsewhere on the page: a footer (fancyhdr's \fancyfoot, \lfoot, \cfoot,
 * \rfoot) at its bottom, a footnote or a margin note apart from the line that calls it. Their argument is read
 * on its own, apart from the source around it (a header's 「社外秘」 set up just before a footer's 「Confidential」
 * prints at the top and the bottom of each page, and the PDF TeX makes is no stamp); the pieces of one footer
 * (its left, centre and right) are one line, as it prints.
 */
const TEX_FOOTER = /\\(?:fancyfoot|[lcr]foot)(?:\[[^\]\n]{0,64}\])?\{([^{}\n]*)\}/g;
const TEX_ASIDE = /\\(?:footnote(?:text)?|marginpar|thanks)(?:\[[^\]\n]{0,64}\])?\{([^{}\n]*)\}/g;
const FOOTER_OPEN = '\u0002';
const FOOTER_CLOSE = '\u0003';
const ASIDE = '\u0004';
const FOOTER_JOINS = /\u0003\s*\u0002/g;
const APART = /[\u0002-\u0004]+/g;
/** What keeps a piece apart: no blank, so no stamp runs across it. */
const APART_MARK = '\n|\n';
const TEXINFO_COMMAND = /@[A-Za-z]+\{([^{}\n]*)\}/g;
/**
 * Texinfo's spaces and breaks, as makeinfo prints them: `@ ` (an `@` before a blank or a line's end) and
 * `@tie{}` are a space, `@*` a line break, and `@-`, `@/` and `@:` (a hyphenation point, a line-break point,
 * no end of sentence) print nothing. pandoc writes a non-breaking space as `秘@ Confidential` and a hard
 * line break as `秘@*` before the next line; both print 「秘 Confidential」. Taken out before the emphasis
 * marks (which would take the `*` of `@*` and leave the `@`) and the commands (`@tie{}` would leave nothing).
 */
const TEXINFO_SPACE = /@(?:[ \t]|(?=\r?\n)|tie\{\})/g;
const TEXINFO_BREAK = /@\*/g;
const TEXINFO_NOTHING = /@[-/:]/g;
const BRACES = /\{([^{}\n]*)\}/g;
const MARKS = "[*/=+#'_~]{1,3}";
const EMPHASIS = new RegExp(`(?<=^|[\\s(（「『：])${MARKS}(?=[^\\s*/=+#'_~])|(?<=[^\\s*/=+#'_~])${MARKS}(?=$|[\\s)）」』,.:;、。])`, 'gm');

/**
 * A mark inside a word whose twin closes it at the word's end, as pandoc writes emphasis that starts mid-word
 * (Markdown `Confi*dential*`, AsciiDoc `Confi__dential__`, MediaWiki `Confi''dential''`, Org `Confi/dential/`):
 * the word prints whole. Only between Latin letters, so a path's `秘/Confidential/` stays apart.
 */
/**
 * reStructuredText's escaped space, which prints nothing: its way to start inline markup inside a word
 * (pandoc writes `Confi*dential*` as `Confi\ *dential*`). Only after a letter and before a mark or a role.
 */
const RST_JOIN = /(?<=[A-Za-z])\\ (?=[*`:_])/g;
const INNER_MARK = /(?<=[A-Za-z])([*/=+#'_~]{1,3})([A-Za-z]{1,64})\1(?![A-Za-z])/g;
/**
 * Superscript and subscript, which print the text raised or lowered right after the word before it (as
 * HTML's `<sup>` reads): Markdown's and AsciiDoc's `秘^Confidential^`, Org's `秘^{Confidential}` and
 * `秘_{Confidential}`; reStructuredText's roles (`秘\ :sup:`Confidential``: any role prints its text), and
 * pandoc's bracketed spans (`[秘]{lang=ja}`, `[x]{.smallcaps}`), whose attributes print nothing (not a LaTeX
 * command's option, `\fancyfoot[C]{…}`, `\textcolor[rgb]{…}`).
 */
const CARET_PAIR = /\^([^\s^]{1,256})\^/g;
const ORG_SCRIPT = /(?<=\S)[\^_]\{([^{}\n]{1,256})\}/g;
const RST_ROLE = /:[A-Za-z][\w.+-]{0,31}:`([^`\n]{1,256})`/g;
const SPAN = /(?<![A-Za-z*\]])\[([^[\]\n]{0,256})\]\{(?=[.#]|[A-Za-z-]{1,32}=)[^{}\n]{0,256}\}/g;

/**
 * Anchors and table cells that print nothing between two words: LaTeX's `\hypertarget{b}{}`, `\label{…}`,
 * `\protect` (pandoc and AbiWord write a bookmark as `秘\hypertarget{b}{} Confidential`), Org's `<<anchor>>`,
 * AsciiDoc's `[#anchor]####`, Texinfo's `@tab` and `@item` (a multitable's cells side by side), and a
 * MediaWiki table's cell marks with their attributes (`|width="50%"| Confidential` on the line after `| 秘`).
 */
const TEX_ANCHOR = /\\(?:protect\b|phantomsection\b|(?:hypertarget|label|index)\{[^{}\n]{0,128}\})/g;
const ORG_TARGET = /<<<?[^<>\n]{1,64}>>>?/g;
/** An AsciiDoc id starts with a letter or `_`: 「秘[#1] Confidential」, a numbered note in prose, is no anchor. */
const ASCIIDOC_ANCHOR = /\[#[A-Za-z_][\w:.-]{0,63}\](?:####)?/g;
const TEXINFO_CELL = /@(?:tab|itemx?)\b/g;
const WIKI_ROW = /^\|-[^\n]*$/gm;
const WIKI_CELL = /^[|!](?:[^|\n[\]{}]{0,128}\|(?!\|))?[ \t]*/gm;
/** Cells on one line (`| 秘 || Confidential`, `! a !! b`): only on a table's line, since 「極秘!! Confidential」 is prose. */
const WIKI_CELL_LINE = /^[|!][^\n]*/gm;
const WIKI_INLINE_CELL = /\|\||!!/g;

/** Something a reading below would take out. */
export const LIGHT_MARKUP_HINT = /[\\@{}*/=+#'_~^`<[|!]/;

export function lightMarkupShown(s: string, tightBreaks = true): string {
  let t = s.replace(TEX_ANCHOR, '').replace(ORG_TARGET, '').replace(ASCIIDOC_ANCHOR, '').replace(TEXINFO_CELL, ' ').replace(WIKI_ROW, '').replace(WIKI_CELL_LINE, (line) => line.replace(WIKI_INLINE_CELL, ' ')).replace(WIKI_CELL, ' ').replace(SPAN, '$1').replace(RST_ROLE, '$1').replace(ORG_SCRIPT, '$1').replace(CARET_PAIR, '$1').replace(RST_JOIN, '').replace(INNER_MARK, '$2').replace(TEX_CELL_GAP, ' ').replace(TEX_TABLE_BEGIN, '\n').replace(TEX_ENVIRONMENT, '\n').replace(TEXINFO_BREAK, '\n').replace(TEXINFO_SPACE, ' ').replace(TEXINFO_NOTHING, '').replace(TEX_SPACE_ARG, ' ').replace(TEX_SETTING_ARG, '').replace(WIKI_INLINE, '').replace(WIKI_BLOCK, '\n');
  // Innermost groups first, a few levels: \textbf{\emph{秘}}, {{秘} Confidential}.
  for (let i = 0; i < 3; i++) {
    const next = t
      .replace(TEX_FOOTER, `${FOOTER_OPEN}$1${FOOTER_CLOSE}`)
      .replace(TEX_ASIDE, `${ASIDE}$1${ASIDE}`)
      .replace(TEX_SWITCH, '$1')
      .replace(TEX_COMMAND, '$1')
      .replace(TEXINFO_COMMAND, '$1')
      .replace(BRACES, '$1');
    if (next === t) break;
    t = next;
  }
  if (t.includes(FOOTER_OPEN) || t.includes(ASIDE)) t = t.replace(FOOTER_JOINS, ' ').replace(APART, APART_MARK);
  t = t.replace(BREAK, '\n');
  if (tightBreaks) t = t.replace(TIGHT_BREAK, '\n');
  return t.replace(TEX_SPACE, ' ').replace(EMPHASIS, '');
}
