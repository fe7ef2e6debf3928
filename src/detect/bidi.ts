/**
 * Text as a reader sees it where a right-to-left override (U+202E) reverses what follows, up to the
 * pop (U+202C) or the end of the line: `秘 ‮laitnedifnoC` shows as 「秘 Confidential」. Only the override
 * turns Latin letters and kanji around (an embedding or an isolate does not), so only it is undone.
 */
const OVERRIDDEN = /\u202E([^\u202C\r\n]*)\u202C?/g;

export function shownOrder(text: string): string {
  return text.replace(OVERRIDDEN, (_, run: string) => Array.from(run).reverse().join(''));
}
