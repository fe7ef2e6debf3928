/**
 * Word fields that print a document property (TITLE, SUBJECT, AUTHOR, KEYWORDS, COMMENTS, LASTSAVEDBY,
 * DOCPROPERTY "name") written with no result: the docx package's `new SimpleField('TITLE')` is
 * `<w:fldSimple w:instr="TITLE"/>`, and a complex field may end with no `separate` and no result. Word
 * fills such a field in when it updates fields (docx's `updateFields` asks it to on opening), and
 * LibreOffice shows the property's value as it opens the file: 「秘」 as the title, then
 * { TITLE } + 「 Confidential」 in the body, shows 「秘 Confidential」. A field that has a result shows it
 * until Word updates fields (F9, or on printing when set to), while LibreOffice computes TITLE and REF
 * again on opening: a result that is not the value is read both ways, apart (ooxml.ts). Values come
 * from docProps/core.xml, app.xml and custom.xml.
 * A REF field with no result likewise shows its bookmark's text (the body's): { REF mark } + 「 Confidential」
 * in a header, the bookmark 「秘」 in the body, shows 「秘 Confidential」 on every page.
 */
import { decodeEntities, escapeText } from './xml-text.js';
import { normalize } from '../normalize.js';
import type { ZipArchive } from './zip-reader.js';
import { XML_TAGS, content, outer, replaceSpans, spans } from './markup-spans.js';

/** Property values by upper-case field or property name. */
export type PropertyValues = Map<string, string>;

/** A property part larger than this is not read for fields (its values stay unread there, as before). */
const MAX_PART = 4 << 20;

/** core.xml's elements and the field that prints each (DOCPROPERTY takes the property's name too). */
const CORE: Record<string, string[]> = {
  'dc:title': ['TITLE', 'Title'],
  'dc:subject': ['SUBJECT', 'Subject'],
  'dc:creator': ['AUTHOR', 'Author'],
  'cp:keywords': ['KEYWORDS', 'Keywords'],
  'dc:description': ['COMMENTS', 'Comments'],
  'cp:lastModifiedBy': ['LASTSAVEDBY', 'LastSavedBy'],
  'cp:category': ['Category'],
  'cp:contentStatus': ['Status'],
};
/** app.xml's text properties that DOCPROPERTY names. */
const APP = ['Company', 'Manager', 'HyperlinkBase', 'Template'];

/**
 * The package's property values that a field may print, or null when none of them holds 秘 or the
 * word Confidential: then no field can add either to a page, and Word parts are read as before.
 */
export async function propertyValues(zip: ZipArchive): Promise<PropertyValues | null> {
  const values: PropertyValues = new Map();
  const set = (name: string, value: string) => values.set(name.toUpperCase(), value);
  const read = async (part: string) => ((zip.entries.find((e) => e.name === part)?.size ?? Infinity) <= MAX_PART ? await zip.text(part) : null);
  const core = await read('docProps/core.xml');
  if (core) {
    for (const [element, names] of Object.entries(CORE)) {
      const m = new RegExp(`<${element}(?:\\s[^<>]*)?>([^<]*)</${element}>`).exec(core);
      if (m) for (const n of names) set(n, decodeEntities(m[1]));
    }
  }
  const app = await read('docProps/app.xml');
  if (app) {
    for (const name of APP) {
      const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(app);
      if (m) set(name, decodeEntities(m[1]));
    }
  }
  const custom = await read('docProps/custom.xml');
  if (custom) {
    for (const m of custom.matchAll(/<property\b[^<>]*\bname="([^"]*)"[^<>]*>\s*<vt:\w+>([^<]*)<\/vt:\w+>/g)) set(decodeEntities(m[1]), decodeEntities(m[2]));
  }
  return mayShowStamp(values.values()) ? values : null;
}

const mayShowStamp = (values: Iterable<string>): boolean => [...values].some((v) => /秘|confidential/i.test(normalize(v)));

/** Bookmarks' text by upper-case name (Word's bookmark names are not case-sensitive). */
export type Bookmarks = Map<string, string>;

/** A bookmark's start and end, and a run's text, in order. */
const BOOKMARK_PART = /<w:bookmarkStart\b[^<>]*>|<w:bookmarkEnd\b[^<>]*>|<w:t(?:\s[^<>]*)?>([^<]*)<\/w:t>/g;

/**
 * The text of each bookmark in the main document, or null when none holds 秘 or the word Confidential
 * (no REF field can show either then). A bookmark spans from its start to the end with its id.
 */
export async function bookmarks(zip: ZipArchive): Promise<Bookmarks | null> {
  const part = 'word/document.xml';
  const xml = (zip.entries.find((e) => e.name === part)?.size ?? Infinity) <= MAX_DOCUMENT ? await zip.text(part) : null;
  if (!xml || !xml.includes('<w:bookmarkStart')) return null;
  const open = new Map<string, { name: string; text: string }>();
  const found: Bookmarks = new Map();
  for (const m of xml.matchAll(BOOKMARK_PART)) {
    if (m[1] !== undefined) {
      for (const b of open.values()) b.text += decodeEntities(m[1]);
    } else if (m[0].startsWith('<w:bookmarkStart')) {
      const id = /\bw:id="([^"]*)"/.exec(m[0])?.[1];
      const name = /\bw:name="([^"]*)"/.exec(m[0])?.[1];
      if (id !== undefined && name !== undefined) open.set(id, { name: decodeEntities(name).toUpperCase(), text: '' });
    } else {
      const id = /\bw:id="([^"]*)"/.exec(m[0])?.[1] ?? '';
      const b = open.get(id);
      if (b) found.set(b.name, b.text);
      open.delete(id);
    }
  }
  return mayShowStamp(found.values()) ? found : null;
}
/** A main document larger than this is not read for its bookmarks (REF fields with no result stay empty, as before). */
const MAX_DOCUMENT = 32 << 20;

/** What a field with no result shows: a property's value (by upper-case name) or a bookmark's text. */
export interface FieldSources {
  properties: PropertyValues | null;
  bookmarks: Bookmarks | null;
}

/** Whether a part's fields may name a bookmark (`REF`, as Word writes it), as it streams by. */
export const REF_NEEDLE = new TextEncoder().encode('REF');

/** What a field instruction with no result shows from these sources, or undefined. */
function fieldShows(instruction: string, sources: FieldSources): string | undefined {
  const ref = /^\s*REF\s+(?:"([^"]*)"|([^\s\\]+))/i.exec(instruction);
  if (ref) return sources.bookmarks?.get((ref[1] ?? ref[2]).toUpperCase());
  const m = /^\s*(TITLE|SUBJECT|AUTHOR|KEYWORDS|COMMENTS|LASTSAVEDBY|DOCPROPERTY\s+(?:"([^"]*)"|(\S+)))(?=\s|\\|$)/i.exec(instruction);
  return m ? sources.properties?.get((m[2] ?? m[3] ?? m[1]).toUpperCase()) : undefined;
}

/** A result's text: its runs' <w:t> (a stored result that already is the value is left as it is). */
const textOf = (markup: string): string => Array.from(markup.matchAll(/<w:t(?:\s[^<>]*)?>([^<]*)<\/w:t>/g), (m) => decodeEntities(m[1])).join('');

const run = (value: string) => `<w:r><w:t xml:space="preserve">${escapeText(value)}</w:t></w:r>`;

// Simple fields: self-closing or with content (markup-spans.ts: one pass, whatever a hostile part holds).
const SIMPLE_FIELD = /<w:fldSimple(?=[\s/>])/g;
const SIMPLE_FIELD_END = /<\/w:fldSimple>/g;
// A complex field's pieces, in order: its begin, separate and end characters and its instruction's text.
const COMPLEX_PART = /<w:fldChar\b[^<>]*\bw:fldCharType="(begin|separate|end)"[^<>]*>|<w:instrText\b[^<>]*>([^<]*)<\/w:instrText>/g;

/**
 * A Word part's markup with each property or REF field that has no result showing its value, as Word
 * shows it once fields are updated; with `results` 'replace', also each such field that has a result
 * shows the value in place of it, as LibreOffice shows it on opening (it computes these fields again:
 * { REF mark } stored with the result 「x」 shows the bookmark's 「秘」). Unchanged markup is returned as is.
 */
export function withPropertyFields(xml: string, sources: FieldSources, results: 'keep' | 'replace' = 'keep'): string {
  if (!xml.includes('instr')) return xml;
  const valueOf = (instruction: string) => fieldShows(decodeEntities(instruction), sources);
  let out = xml.includes('<w:fldSimple')
    ? replaceSpans(xml, spans(xml, SIMPLE_FIELD, () => SIMPLE_FIELD_END, XML_TAGS), (f) => {
        const inner = content(xml, f);
        const result = inner.includes('<w:t');
        const value = result && results === 'keep' ? undefined : valueOf(/\bw:instr="([^"]*)"/.exec(f.tag)?.[1] ?? '');
        if (!value || (result && textOf(inner) === value)) return outer(xml, f);
        // A self-closing field is opened to hold its value; a result is replaced.
        return `${f.tag.endsWith('/>') ? `${f.tag.slice(0, -2)}>` : f.tag}${result ? '' : inner}${run(value)}</w:fldSimple>`;
      })
    : xml;
  if (!out.includes('<w:instrText')) return out;
  // Complex fields (not nested in another's instruction): one with no `separate` shows its value after its
  // end; one with a result, when results are replaced, shows it from its `separate` run to its `end` run.
  const edits: { from: number; to: number; value: string }[] = [];
  let depth = 0;
  let instruction = '';
  let separatedAt = -1;
  for (const m of out.matchAll(COMPLEX_PART)) {
    if (m[1] === 'begin') {
      if (depth++ === 0) {
        instruction = '';
        separatedAt = -1;
      }
    } else if (m[1] === 'separate') {
      if (depth === 1) {
        const close = out.indexOf('</w:r>', m.index);
        separatedAt = close < 0 ? out.length : close + '</w:r>'.length;
      }
    } else if (m[1] === 'end') {
      if (depth > 0 && --depth === 0) {
        const value = separatedAt < 0 || results === 'replace' ? valueOf(instruction) : undefined;
        if (!value) continue;
        if (separatedAt < 0) {
          const close = out.indexOf('</w:r>', m.index);
          if (close >= 0) edits.push({ from: close + '</w:r>'.length, to: close + '</w:r>'.length, value });
        } else {
          const endRun = Math.max(out.lastIndexOf('<w:r>', m.index), out.lastIndexOf('<w:r ', m.index));
          if (endRun >= separatedAt && textOf(out.slice(separatedAt, endRun)) !== value) edits.push({ from: separatedAt, to: endRun, value });
        }
      }
    } else if (depth === 1 && separatedAt < 0) instruction += m[2];
  }
  for (const { from, to, value } of edits.reverse()) out = out.slice(0, from) + run(value) + out.slice(to);
  return out;
}
