/**
 * Styles that hide the text they are applied to. Word and LibreOffice hide text the usual way through a
 * style, not on the run itself: a character style with Word's "hidden" effect (`<w:vanish/>` in
 * word/styles.xml) or ODF's `text:display="none"`, a paragraph style with it, or a style that inherits it
 * (`w:basedOn`, `style:parent-style-name`). 「秘」, 「書室」 in such a style, then 「 Confidential」 shows and
 * prints as the stamp, so the "as shown" reading (xml-text.ts) has to know these styles, which live in
 * another part (styles.xml) or far from the text (content.xml's automatic styles, at its start).
 */
import { XML_TAGS, content, spans } from './markup-spans.js';

/** What text a style applies to: runs and spans, or whole paragraphs. */
export type Family = 'text' | 'paragraph';

/** One style: whether it says hidden (true), shown (false) or nothing (null), and the style it inherits. */
interface StyleDef {
  hides: boolean | null;
  parent: string | null;
}

/** A document's character and paragraph styles, by family and name (Word's styleId, ODF's style:name). */
export type StyleDefs = ReadonlyMap<string, StyleDef>;

/**
 * The styles that hide their text, by what they apply to. Word's order, each over the one before:
 * document defaults (`w:docDefaults`), the paragraph's style (else the default paragraph style), the
 * run's character style, the run's own setting. So the sets of styles that say shown too.
 */
export interface HiddenStyles {
  text: ReadonlySet<string>;
  paragraph: ReadonlySet<string>;
  /** Character styles that say shown (`<w:vanish w:val="0"/>` up their line): over a hiding paragraph. */
  textShown: ReadonlySet<string>;
  /** Paragraph styles that show, themselves or by the document defaults (known: not `plain`). */
  paragraphShown: ReadonlySet<string>;
  /** A paragraph that names no style, or one not defined, hides: the default paragraph style or the document defaults do. */
  plain: boolean;
}

export const NO_STYLES: StyleDefs = new Map();

const key = (family: Family, name: string) => `${family}\0${name}`;
/**
 * Pseudo-styles (NUL never stands in XML): the document defaults, and the style of a paragraph that
 * names none (its parent: the default paragraph style, `w:default="1"`).
 */
const DEFAULTS = key('paragraph', '\0defaults');
const PLAIN = '\0plain';

// (markup-spans.ts: one pass, whatever a hostile part holds; start tags bounded.)
const WORD_STYLE = /<w:style\b[^>]{0,4096}>/g;
const WORD_STYLE_END = /<\/w:style>/g;
const WORD_FAMILY: Record<string, Family> = { character: 'text', paragraph: 'paragraph' };
// Word's hidden effect in a style's run properties: on unless w:val says off.
const WORD_VANISH = /<w:vanish(?:\s+w:val="([^"]*)")?\s*\/>/;
const WORD_BASED_ON = /<w:basedOn\s+w:val="([^"]*)"/;

const WORD_DOC_DEFAULTS = /<w:docDefaults\b[\s\S]*?<\/w:docDefaults>/;

/** word/styles.xml: its character and paragraph styles, its document defaults and default paragraph style. */
export function wordStyleDefs(xml: string | null): StyleDefs {
  const defs = new Map<string, StyleDef>();
  const vanish = WORD_VANISH.exec(WORD_DOC_DEFAULTS.exec(xml ?? '')?.[0] ?? '');
  defs.set(DEFAULTS, { hides: vanish ? isOn(vanish[1]) : null, parent: null });
  defs.set(key('paragraph', PLAIN), { hides: null, parent: null });
  for (const s of spans(xml ?? '', WORD_STYLE, () => WORD_STYLE_END, XML_TAGS)) {
    const family = WORD_FAMILY[tagAttr(s.tag, 'w:type') ?? 'paragraph'];
    const id = tagAttr(s.tag, 'w:styleId');
    if (!family || id === null) continue;
    const body = content(xml ?? '', s);
    const vanish = WORD_VANISH.exec(body);
    defs.set(key(family, id), { hides: vanish ? isOn(vanish[1]) : null, parent: WORD_BASED_ON.exec(body)?.[1] ?? null });
    if (family === 'paragraph' && isOn(tagAttr(s.tag, 'w:default') ?? 'off')) defs.set(key('paragraph', PLAIN), { hides: null, parent: id });
  }
  // No style and no default that hides: nothing to keep (most documents).
  return defs.size === 2 && !defs.get(DEFAULTS)!.hides ? NO_STYLES : defs;
}

/** Word's on/off value: absent, 1, true or on is on. */
export const isOn = (val: string | undefined): boolean => val === undefined || val === '1' || val === 'true' || val === 'on';

const ODF_STYLE = /<style:style(?=[\s/>])/g;
const ODF_STYLE_END = /<\/style:style>/g;
const ODF_DISPLAY = /<style:text-properties\b[^>]*\btext:display="([^"]*)"/;

/**
 * The character and paragraph styles of ODF parts (styles.xml's named styles, a part's automatic ones, or
 * a flat document's both), later parts over earlier ones. `text:display="none"` hides; "true" shows.
 */
export function odfStyleDefs(...parts: (string | null)[]): StyleDefs {
  const defs = new Map<string, StyleDef>();
  for (const xml of parts) {
    if (!xml?.includes('<style:style')) continue;
    for (const s of spans(xml, ODF_STYLE, () => ODF_STYLE_END, XML_TAGS)) {
      const name = tagAttr(s.tag, 'style:name');
      // (A style that names no family, which ODF requires, is taken for either.)
      const family = tagAttr(s.tag, 'style:family');
      const families: Family[] = family === null ? ['text', 'paragraph'] : family === 'text' || family === 'paragraph' ? [family] : [];
      if (name === null || !families.length) continue;
      const display = ODF_DISPLAY.exec(content(xml, s))?.[1];
      const def = { hides: display === undefined ? null : display === 'none', parent: tagAttr(s.tag, 'style:parent-style-name') };
      for (const f of families) defs.set(key(f, name), def);
    }
  }
  return defs;
}

/** One style as a reader met it (RTF's stylesheet: `\s N`, `\*\cs N`, `\sbasedon N`, `\v`). */
export interface StyleEntry extends StyleDef {
  family: Family;
  name: string;
}

/** StyleDefs from styles listed one by one (a later one of the same name over an earlier). */
export function styleDefs(entries: Iterable<StyleEntry>): StyleDefs {
  const defs = new Map<string, StyleDef>();
  for (const e of entries) defs.set(key(e.family, e.name), { hides: e.hides, parent: e.parent });
  return defs;
}

/** Whether a paragraph of style `id` hides its runs; a style not defined is the default paragraph style's (Word's fallback), as no style is. */
export const paragraphHides = (h: HiddenStyles, id: string): boolean => h.paragraph.has(id) || (!h.paragraphShown.has(id) && h.plain);

/** What a character style says of its runs: hidden, shown, or nothing (their paragraph's then). */
export const textStyleSays = (h: HiddenStyles, id: string): boolean | null => (h.text.has(id) ? true : h.textShown.has(id) ? false : null);

/** `a` with `b`'s styles added (over `a`'s of the same name). */
export const withStyles = (a: StyleDefs, b: StyleDefs): StyleDefs => (b.size === 0 ? a : a.size === 0 ? b : new Map([...a, ...b]));

const resolved = new WeakMap<StyleDefs, HiddenStyles | null>();

/** The styles that hide, themselves or through the styles they inherit; null when none does. */
export function hiddenStyles(defs: StyleDefs): HiddenStyles | null {
  if (defs.size === 0) return null;
  let out = resolved.get(defs);
  if (out !== undefined) return out;
  const text = new Set<string>();
  const paragraph = new Set<string>();
  const textShown = new Set<string>();
  const paragraphShown = new Set<string>();
  // A paragraph style's line that says nothing ends at the document defaults; a character style's, at its paragraph.
  const byDefault = defs.get(DEFAULTS)?.hides ?? null;
  for (const k of defs.keys()) {
    if (k === DEFAULTS) continue;
    const at = k.indexOf('\0');
    const [family, name] = [k.slice(0, at) as Family, k.slice(at + 1)];
    const says = hides(defs, family, name) ?? (family === 'paragraph' ? (byDefault ?? false) : null);
    if (says === null) continue;
    if (family === 'text') (says ? text : textShown).add(name);
    else (says ? paragraph : paragraphShown).add(name);
  }
  const plain = paragraph.delete(PLAIN);
  paragraphShown.delete(PLAIN);
  out = text.size || paragraph.size || plain ? { text, paragraph, textShown, paragraphShown, plain } : null;
  resolved.set(defs, out);
  return out;
}

/** Whether a style hides: the nearest style up its line that says either; null when none does (a loop or a long line: null). */
function hides(defs: StyleDefs, family: Family, name: string): boolean | null {
  for (let style: string | null = name, hops = 0; style !== null && hops < 32; hops++) {
    const def = defs.get(key(family, style));
    if (!def) return null;
    if (def.hides !== null) return def.hides;
    style = def.parent;
  }
  return null;
}

/** An attribute's raw value in one start tag (style names are compared as written). */
function tagAttr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[1] ?? m[2]) : null;
}
