/**
 * ODS data styles that print text around a text cell's (red team docs4 #5, and #3 for conditional
 * styles): a `<number:text-style>` of `<number:text>秘 </number:text><number:text-content/>` shows the
 * cell `Confidential` as 「秘 Confidential」, as xlsx's `"秘 "@` does (number-format.ts). LibreOffice
 * writes the text so formatted into the cell's paragraph, but generators (odfpy) write the bare value,
 * and the literals were read apart from it. A cell's data style comes from its cell style (its own
 * `table:style-name`, else its row's or column's default cell style), inherited through
 * `style:parent-style-name`, in styles.xml or content.xml; a conditional style (`style:map`'s
 * `style:apply-style-name`) may give another: every one is taken as possibly shown (rules are not evaluated).
 */
import { mayHaveStampChar } from './byte-scan.js';
import { SEPARATOR } from './sheet-rows.js';
import { attr, decodeEntities } from './xml-text.js';

/** A text style's parts in order: a literal, or null where the cell's text goes. */
export type Template = readonly (string | null)[];

const TEXT_STYLE = /<number:text-style\b([^>]*?)(?:\/>|>([\s\S]*?)<\/number:text-style>)/g;
const TEXT_PART = /<number:text>([\s\S]*?)<\/number:text>|<number:text-content\b[^>]*\/?>/g;
const CELL_STYLE = /<style:style\b([^>]*?)(?:\/>|>([\s\S]*?)<\/style:style>)/g;
const MAP = /<style:map\b[^>]*>/g;
/** Parent styles followed at most this far (a cycle ends there). */
const MAX_PARENTS = 16;

interface CellStyle {
  data: string | null;
  parent: string | null;
  maps: string[];
}

export class OdsFormats {
  private readonly templates = new Map<string, Template>();
  private readonly styles = new Map<string, CellStyle>();
  private readonly resolved = new Map<string, Template[]>();
  private readonly displayed = new Map<string, CellStyle>();
  /** Some text style's literals may hold 秘: any text cell may show the stamp, so every row is read. */
  readonly stamp: boolean;

  /** `xmls`: styles.xml, then content.xml's styles (automatic ones, which may use named ones), or a flat document's. */
  constructor(...xmls: string[]) {
    let stamp = false;
    for (const xml of xmls) {
      if (!xml.includes('number:text-content')) continue;
      for (const m of xml.matchAll(TEXT_STYLE)) {
        const name = attr(`<s ${m[1]}>`, 'style:name');
        const parts = Array.from((m[2] ?? '').matchAll(TEXT_PART), (p) => (p[0].startsWith('<number:text-content') ? null : decodeEntities(p[1].replace(/<[^>]*>/g, ''))));
        // Only a style that shows the text with something beside it changes what a cell shows.
        if (!name || !parts.includes(null) || !parts.some((p) => p)) continue;
        this.templates.set(name, parts);
        stamp ||= parts.some((p) => p !== null && mayHaveStampChar(p));
      }
    }
    this.stamp = stamp;
    if (!this.templates.size) return;
    for (const xml of xmls) {
      for (const m of xml.matchAll(CELL_STYLE)) {
        const tag = `<s ${m[1]}>`;
        const name = attr(tag, 'style:name');
        if (!name || (attr(tag, 'style:family') ?? 'table-cell') !== 'table-cell') continue;
        const maps = Array.from((m[2] ?? '').matchAll(MAP), ([t]) => attr(t, 'style:apply-style-name') ?? '').filter(Boolean);
        const style = { data: attr(tag, 'style:data-style-name'), parent: attr(tag, 'style:parent-style-name'), maps };
        this.styles.set(name, style);
        // LibreOffice's conditional formats name a style by its display name (`ConditionalStyle_1` for
        // `ConditionalStyle_5f_1`: ods-conditional.ts); a style's own name comes first.
        const shown = attr(tag, 'style:display-name');
        if (shown && shown !== name) this.displayed.set(shown, style);
      }
    }
  }

  get size(): number {
    return this.templates.size;
  }

  /** The text styles a cell of cell style `name` may show its text through: its own, then its conditional ones'. */
  of(name: string | null): Template[] {
    if (!name || !this.templates.size) return [];
    let out = this.resolved.get(name);
    if (out) return out;
    out = [];
    const own = this.dataOf(name);
    if (own) out.push(own);
    for (const m of this.styles.get(name)?.maps ?? []) {
      const t = this.dataOf(m);
      if (t && !out.includes(t)) out.push(t);
    }
    this.resolved.set(name, out);
    return out;
  }

  /** A cell style's text style, through its parents (a conditional format's style, ods-conditional.ts). */
  dataOf(name: string): Template | null {
    let s = this.styles.get(name) ?? this.displayed.get(name);
    for (let i = 0; s && i < MAX_PARENTS; i++) {
      if (s.data) return this.templates.get(s.data) ?? null;
      s = s.parent ? this.styles.get(s.parent) : undefined;
    }
    return null;
  }
}

/**
 * What a text cell holding `text` shows through `templates` (several: each apart, SEPARATOR between).
 * Text that already stands within a template's literals (LibreOffice writes the formatted text) is
 * taken as shown already.
 */
export function showThrough(templates: readonly Template[], text: string): string {
  return templates
    .map((t) => {
      const before = t.slice(0, t.indexOf(null)).join('');
      const after = t.slice(t.lastIndexOf(null) + 1).join('');
      if (t.indexOf(null) === t.lastIndexOf(null) && text.startsWith(before) && text.endsWith(after) && text.length >= before.length + after.length) return text;
      return t.map((p) => p ?? text).join('');
    })
    .join(SEPARATOR);
}
