/**
 * A list's label, put where the reader sees it: before each of its paragraphs. Word keeps the label in
 * numbering.xml (`w:lvlText`) and ODF in the list style (`text:bullet-char`, `style:num-prefix`…), far
 * from the paragraph's text, so a bullet 「秘」 before a paragraph 「Confidential」 (which shows and prints
 * as 「秘 Confidential」) was read as two texts apart. These functions write the label into the
 * paragraph's markup, as text, before the markup is read (xml-text.ts); the number itself is written
 * as 1 (which number it is does not make or break a stamp).
 */
import { attr } from './xml-text.js';
import { XML_TAGS, content, outer, spans } from './markup-spans.js';

/** What separates the label from the paragraph's text: Word's `w:suff`, ODF's `text:label-followed-by`. */
const FOLLOWED_BY: Record<string, string> = { tab: '\t', listtab: '\t', space: ' ', nothing: '' };

/**
 * A label template with its numbers (`%1`…`%9`) written as 1, or as nothing when the level shows none;
 * as markup (it is written into the part before its tags are taken away).
 */
function labelOf(template: string, showsNumber: boolean, followedBy: string | null): string {
  const text = template.replace(/%[1-9]/g, showsNumber ? '1' : '') + (FOLLOWED_BY[followedBy ?? 'tab'] ?? '\t');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Whether a label could start the stamp or hold part of it (秘 or ㊙). */
export const labelMayMark = (label: string): boolean => /[秘㊙]/.test(label);

/** Word's labels by list (`numId`) and level, and the paragraph styles that number their paragraphs. */
export interface WordLists {
  labels: Map<string, string>;
  styles: Map<string, { numId: string | null; ilvl: string | null; basedOn: string | null }>;
}

/** Each `tag` element of `xml`, whole (start tags are bounded: a hostile file must not make a search quadratic). */
function* elements(xml: string, tag: string): Generator<string> {
  const close = new RegExp(`</${tag}>`, 'g');
  for (const s of spans(xml, new RegExp(`<${tag}\\b[^>]{0,4096}>`, 'g'), () => close, XML_TAGS)) yield outer(xml, s);
}
const startTag = (xml: string, tag: string): string | null => new RegExp(`<${tag}\\b[^>]{0,4096}>`).exec(xml)?.[0] ?? null;
const valOf = (xml: string, tag: string): string | null => {
  const t = startTag(xml, tag);
  return t ? attr(t, 'w:val') : null;
};

/** Levels of one abstract list or override: ilvl → label. */
function wordLevels(xml: string, into: Map<string, string>): void {
  for (const lvl of elements(xml, 'w:lvl')) {
    const ilvl = attr(startTag(lvl, 'w:lvl') ?? '', 'w:ilvl') ?? '0';
    const text = valOf(lvl, 'w:lvlText');
    if (text === null) continue;
    const fmt = valOf(lvl, 'w:numFmt');
    into.set(ilvl, labelOf(text, fmt !== 'none' && fmt !== 'bullet', valOf(lvl, 'w:suff')));
  }
}

/** numbering.xml and styles.xml read for their labels; null without numbering. */
export function wordLists(numbering: string | null, styles: string | null): WordLists | null {
  if (!numbering) return null;
  const abstract = new Map<string, Map<string, string>>();
  for (const a of elements(numbering, 'w:abstractNum')) {
    const levels = new Map<string, string>();
    wordLevels(a, levels);
    abstract.set(attr(startTag(a, 'w:abstractNum') ?? '', 'w:abstractNumId') ?? '', levels);
  }
  const labels = new Map<string, string>();
  for (const n of elements(numbering, 'w:num')) {
    const numId = attr(startTag(n, 'w:num') ?? '', 'w:numId') ?? '';
    const levels = new Map(abstract.get(valOf(n, 'w:abstractNumId') ?? '') ?? []);
    for (const o of elements(n, 'w:lvlOverride')) wordLevels(o, levels);
    for (const [ilvl, label] of levels) labels.set(`${numId}/${ilvl}`, label);
  }
  const styleMap: WordLists['styles'] = new Map();
  for (const s of elements(styles ?? '', 'w:style')) {
    const id = attr(startTag(s, 'w:style') ?? '', 'w:styleId');
    if (id) styleMap.set(id, { numId: valOf(s, 'w:numId'), ilvl: valOf(s, 'w:ilvl'), basedOn: valOf(s, 'w:basedOn') });
  }
  return { labels, styles: styleMap };
}

/** Whether any of Word's labels could make or hold a stamp: only then are they written into the text. */
export const wordLabelsMayMark = (lists: WordLists): boolean => [...lists.labels.values()].some(labelMayMark);

// A paragraph's start tag (`<w:p/>`, an empty paragraph, shows no label), and the properties that follow it.
const WORD_PARAGRAPH = /<w:p(?:\s[^>]{0,4096})?>/g;
const PROPS_START = /\s*<w:pPr\b/y;
const MAX_PROPS = 1 << 16;

/** A part of a Word document with each numbered paragraph's label written at its start. */
export function withWordLabels(xml: string, lists: WordLists): string {
  // Where each </w:pPr> is, found once: paragraphs come in order, so one pointer walks them (a search
  // from every paragraph would run to the end of a hostile part each time).
  const ends: number[] = [];
  for (let at = xml.indexOf('</w:pPr>'); at >= 0; at = xml.indexOf('</w:pPr>', at + 8)) ends.push(at);
  let next = 0;
  return xml.replace(WORD_PARAGRAPH, (all: string, at: number) => {
    PROPS_START.lastIndex = at + all.length;
    if (!PROPS_START.test(xml)) return all;
    const from = PROPS_START.lastIndex;
    while (next < ends.length && ends[next] < from) next++;
    const end = next < ends.length ? ends[next] : -1;
    // Real properties are a few hundred bytes; a longer stretch is a damaged part, not read as them.
    if (end < 0 || end - from > MAX_PROPS) return all;
    const tagEnd = xml.indexOf('>', from);
    if (xml[tagEnd - 1] === '/') return all; // <w:pPr/>: no properties
    const props = xml.slice(from, end);
    let numId = valOf(props, 'w:numId');
    let ilvl = valOf(props, 'w:ilvl');
    // A paragraph style numbers its paragraphs too, and passes that on to the styles based on it.
    for (let style = valOf(props, 'w:pStyle'), hops = 0; style && hops < 8 && (numId === null || ilvl === null); hops++) {
      const s = lists.styles.get(style);
      if (!s) break;
      numId ??= s.numId;
      ilvl ??= s.ilvl;
      style = s.basedOn;
    }
    const label = numId && numId !== '0' ? lists.labels.get(`${numId}/${ilvl ?? '0'}`) : undefined;
    // Before the properties: they hold no text, so the label reads where the paragraph's text begins.
    return label ? all + label : all;
  });
}

/** ODF list styles by name: level (1-based) → label. */
export type OdfLists = Map<string, Map<number, string>>;

// One level of a list style: its start tag, then what it holds up to the next level's.
const ODF_LEVEL = /<text:(?:list-level-style-(?:bullet|number|image)|outline-level-style)\b[^>]{0,4096}>/g;
const LIST_STYLE = /<text:(list-style|outline-style)\b[^>]{0,4096}>/g;
const LIST_STYLE_END = /<\/text:list-style>/g;
const OUTLINE_STYLE_END = /<\/text:outline-style>/g;

/** The list styles (and the outline style, as `\0outline`) of ODF parts. */
export function odfLists(...parts: (string | null)[]): OdfLists {
  const out: OdfLists = new Map();
  for (const xml of parts) {
    const text = xml ?? '';
    for (const s of spans(text, LIST_STYLE, (m) => (m[1] === 'list-style' ? LIST_STYLE_END : OUTLINE_STYLE_END), XML_TAGS)) {
      const name = s.start[1] === 'outline-style' ? '\0outline' : (attr(s.start[0], 'style:name') ?? '');
      const body = content(text, s);
      const levels = new Map<number, string>();
      const starts = [...body.matchAll(ODF_LEVEL)];
      for (const [k, start] of starts.entries()) {
        const tag = start[0];
        const lvl = body.slice(start.index, starts[k + 1]?.index);
        const level = Number(attr(tag, 'text:level') ?? '1');
        const followed = /<style:list-level-label-alignment\b[^>]*>/.exec(lvl)?.[0];
        const after = followed ? attr(followed, 'text:label-followed-by') : null;
        const bullet = attr(tag, 'text:bullet-char');
        const format = attr(tag, 'style:num-format');
        const template = bullet ?? `${attr(tag, 'style:num-prefix') ?? ''}${format ? '%1' : ''}${attr(tag, 'style:num-suffix') ?? ''}`;
        if (template) levels.set(level, labelOf(template, true, after));
      }
      if (levels.size) out.set(name, levels);
    }
  }
  return out;
}

/** Whether any ODF label could make or hold a stamp. */
export const odfLabelsMayMark = (lists: OdfLists): boolean => [...lists.values()].some((l) => [...l.values()].some(labelMayMark));

// The tags that decide a label: lists (nested: one level deeper each), their items, headers (no label),
// paragraphs and headings. `<text:list` must not take `<text:list-item`: the name ends there.
const ODF_TOKEN = /<text:list-item\b[^>]{0,4096}>|<text:list-header\b[^>]{0,4096}>|<text:list(?=[\s>/])[^>]{0,4096}>|<\/text:list>|<text:(?:p|h)\b[^>]{0,4096}>/g;

/** An ODF part with each list item's label written at the start of its first paragraph, and each numbered heading's. */
export function withOdfLabels(xml: string, lists: OdfLists): string {
  const stack: { style: string | null }[] = [];
  let pending: string | null = null;
  return xml.replace(ODF_TOKEN, (tag) => {
    if (tag.startsWith('</text:list')) {
      stack.pop();
      return tag;
    }
    if (tag.startsWith('<text:list-item')) {
      let style: string | null = null;
      for (let k = stack.length - 1; k >= 0 && !style; k--) style = stack[k].style;
      pending = (style && lists.get(style)?.get(stack.length)) ?? null;
      return tag;
    }
    if (tag.startsWith('<text:list-header')) {
      pending = null;
      return tag;
    }
    if (tag.startsWith('<text:list')) {
      stack.push({ style: attr(tag, 'text:style-name') });
      return tag;
    }
    if (tag.endsWith('/>')) return tag;
    if (pending !== null) {
      const label = pending;
      pending = null;
      return tag + label;
    }
    // A heading numbered by the outline style (Tools → Heading Numbering), outside any list.
    if (tag.startsWith('<text:h') && stack.length === 0) {
      const level = Number(attr(tag, 'text:outline-level') ?? '0');
      const label = lists.get('\0outline')?.get(level);
      if (label) return tag + label;
    }
    return tag;
  });
}
