/**
 * Elements of markup found by their start and end tags in one pass. A regular expression that runs
 * lazily to an end tag (`<x>[\s\S]*?</x>`) scans to the end of the text from every start tag that has
 * no end tag after it: 50,000 unclosed starts in a hostile file took seconds to a minute, and a
 * running expression cannot be stopped by the time budget. Here the search for an end tag goes forward
 * only, and stops for good once it finds none (no later start can find one either).
 */

/** An element: its start tag's match, and where it ends (past its end tag). */
export interface Span {
  start: RegExpExecArray;
  /** Offset just past the start tag, where the element's content begins. */
  inner: number;
  /** Offset of the end tag. */
  close: number;
  /** Offset just past the end tag. */
  end: number;
}

/**
 * Each element whose start tag `start` matches (a global expression; its match is the whole start tag,
 * or a self-closing tag when `selfClosing` says so), to the first `end` after it (a global expression,
 * given the start's match: end tags that name the element). Elements do not nest here: the next start
 * is looked for after the end.
 */
export function* spans(text: string, start: RegExp, end: (m: RegExpExecArray) => RegExp, selfClosing = (_m: RegExpExecArray) => false): Generator<Span> {
  const unclosed = new Set<string>();
  start.lastIndex = 0;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const inner = m.index + m[0].length;
    if (selfClosing(m)) {
      yield { start: m, inner, close: inner, end: inner };
      continue;
    }
    const closer = end(m);
    const key = closer.source;
    if (unclosed.has(key)) continue;
    closer.lastIndex = inner;
    const c = closer.exec(text);
    if (!c) {
      unclosed.add(key);
      continue;
    }
    yield { start: m, inner, close: c.index, end: c.index + c[0].length };
    start.lastIndex = c.index + c[0].length;
  }
}

/** `text` with each element `spans` finds replaced by what `by` gives for it. */
export function replaceSpans(text: string, found: Iterable<Span>, by: (s: Span) => string): string {
  let out = '';
  let at = 0;
  for (const s of found) {
    out += text.slice(at, s.start.index) + by(s);
    at = s.end;
  }
  return at === 0 ? text : out + text.slice(at);
}
