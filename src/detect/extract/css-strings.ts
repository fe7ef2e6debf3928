/**
 * CSS string values in a page's markup, as written and with their escapes undone: what html.ts reads of
 * `content: "…"` and excel-html.ts of Excel's `mso-…: "…"` properties.
 */
import { charOfCode } from './xml-text.js';
import { execAt } from './markup-spans.js';

/**
 * The strings that follow each match of `start` (a global expression whose last group is the opening
 * quote, `"` or `'`), as written (escapes kept). Each string ends at its next quote of the same kind that
 * no backslash escapes; when one has none, no later string in that quote can end either (its own opening
 * quote would have ended the first), so that quote is looked for no more: one pass, however many
 * unclosed strings a hostile page holds.
 */
export function* cssStrings(html: string, start: RegExp): Generator<{ match: RegExpExecArray; value: string }> {
  const open = new Set(['"', "'"]);
  let from = 0;
  for (;;) {
    const m = execAt(start, html, from);
    if (!m) return;
    from = start.lastIndex;
    const quote = m[m.length - 1];
    if (!open.has(quote)) continue;
    const close = stringEnd(html, from, quote);
    if (close < 0) {
      open.delete(quote);
      continue;
    }
    yield { match: m, value: html.slice(from, close) };
    from = close + 1;
  }
}

/** The offset of the quote that ends a CSS string begun at `from`, or -1. */
function stringEnd(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === quote) return i;
  }
  return -1;
}

/** A CSS string's escapes undone: `\79D8 ` (hex, and the one space that ends it) and `\"`. */
export function cssString(s: string): string {
  return s.replace(/\\(?:([0-9a-fA-F]{1,6}) ?|([\s\S]))/g, (_, hex?: string, c?: string) => (hex ? (charOfCode(parseInt(hex, 16)) ?? '\ufffd') : c === '\n' ? '' : c!));
}
