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
  /** The whole start tag. */
  tag: string;
  /** Offset just past the start tag, where the element's content begins. */
  inner: number;
  /** Offset of the end tag. */
  close: number;
  /** Offset just past the end tag. */
  end: number;
}

export interface SpanOptions {
  /**
   * `start` matches a tag's `<` and name only, and the tag runs to the next `>`. Without this the
   * element's content begins where `start`'s match ends (`<!--`, or a whole tag matched).
   */
  toTagEnd?: boolean;
  /** Whether a start tag closes itself (none does, unless this says so: HTML ignores `/>`). */
  selfClosing?: (tag: string) => boolean;
  /** Whether a start tag is one of the elements sought (by its attributes, say); others are passed over. */
  accept?: (tag: string) => boolean;
}

/**
 * Each element whose start tag `start` matches (a global expression: the whole start tag, or only its
 * `<` and name with `toTagEnd`), to the first `end` after it (a global expression, given the start's
 * match: end tags that name the element). Elements do not nest here: the next start is looked for after
 * the end. With `toTagEnd`, a start inside the tag before it is none, so thousands of `<x` before one
 * `>`, or with none after them, cost one search, not one each.
 */
export function* spans(text: string, start: RegExp, end: (m: RegExpExecArray) => RegExp, opts: SpanOptions = {}): Generator<Span> {
  const unclosed = new Set<string>();
  let gt = -1;
  let from = 0; // where to look next (execAt: not left in the shared expression between yields)
  for (;;) {
    const m = execAt(start, text, from);
    if (!m) return;
    from = start.lastIndex;
    let inner = from;
    if (opts.toTagEnd && !m[0].endsWith('>')) {
      // A start inside the last tag (`<a <b>` is one tag, as an HTML reader and TAGS take it) is not one.
      if (m.index <= gt) continue;
      gt = text.indexOf('>', inner);
      if (gt < 0) return;
      inner = gt + 1;
    }
    const tag = text.slice(m.index, inner);
    if (opts.accept && !opts.accept(tag)) continue;
    if (opts.selfClosing?.(tag)) {
      from = inner;
      yield { start: m, tag, inner, close: inner, end: inner };
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
    from = c.index + c[0].length;
    yield { start: m, tag, inner, close: c.index, end: from };
  }
}

/**
 * The next match of the global expression `re` in `text` from `from` on. For walks that keep their own
 * place: a shared expression's lastIndex may be moved by another walk while one waits at a yield.
 */
export function execAt(re: RegExp, text: string, from: number): RegExpExecArray | null {
  re.lastIndex = from;
  return re.exec(text);
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

/** The first element `spans` finds, or null: a one-pass stand-in for a non-global `<x>([\s\S]*?)</x>`. */
export function firstSpan(text: string, start: RegExp, end: (m: RegExpExecArray) => RegExp, opts?: SpanOptions): Span | null {
  for (const s of spans(text, start, end, opts)) return s;
  return null;
}

/** What an element holds: the text between its start and end tags. */
export const content = (text: string, s: Span): string => text.slice(s.inner, s.close);

/** The whole element: its start tag, what it holds and its end tag. */
export const outer = (text: string, s: Span): string => text.slice(s.start.index, s.end);

/** For XML elements sought by name (`<x` to the next `>`): a start tag `<x … />` closes itself. */
export const XML_TAGS: SpanOptions = { toTagEnd: true, selfClosing: (tag) => tag.endsWith('/>') };

/** What the first XML element `<x …>…</x>` in `text` holds (`start` finds `<x`, `end` `</x>`), or null. */
export function firstContent(text: string, start: RegExp, end: RegExp): string | null {
  const s = firstSpan(text, start, () => end, XML_TAGS);
  return s ? content(text, s) : null;
}

/**
 * Markup whose text after its last `>` holds no `<` but the first: the others are written `&lt;`, which
 * reads back the same once references are decoded. No tag can end there, so no expression finds one
 * there either way; but an expression that looks for a tag tries each `<` and scans to the end from it,
 * and a hostile file of `< < < …` made that minutes.
 */
export function tameTail(markup: string): string {
  const tail = markup.lastIndexOf('>') + 1;
  const first = markup.indexOf('<', tail);
  if (first < 0 || markup.indexOf('<', first + 1) < 0) return markup;
  return markup.slice(0, first + 1) + markup.slice(first + 1).replaceAll('<', '&lt;');
}
