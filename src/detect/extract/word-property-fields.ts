/**
 * Word fields that print a document property (TITLE, SUBJECT, AUTHOR, KEYWORDS, COMMENTS, LASTSAVEDBY,
 * DOCPROPERTY "name") written with no result: the docx package's `new SimpleField('TITLE')` is
 * `<w:fldSimple w:instr="TITLE"/>`, and a complex field may end with no `separate` and no result. Word
 * fills such a field in when it updates fields (docx's `updateFields` asks it to on opening), and
 * LibreOffice shows the property's value as it opens the file: 「秘」 as the title, then
 * { TITLE } + 「 Confidential」 in the body, shows 「秘 Confidential」. A field that has a result keeps it
 * (what Word shows until fields are updated). Values come from docProps/core.xml, app.xml and custom.xml.
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
  const mayShow = [...values.values()].some((v) => /秘|confidential/i.test(normalize(v)));
  return mayShow ? values : null;
}

/** The property a field instruction prints, by upper-case name, or null for another field. */
function fieldProperty(instruction: string): string | null {
  const m = /^\s*(TITLE|SUBJECT|AUTHOR|KEYWORDS|COMMENTS|LASTSAVEDBY|DOCPROPERTY\s+(?:"([^"]*)"|(\S+)))(?=\s|\\|$)/i.exec(instruction);
  if (!m) return null;
  return (m[2] ?? m[3] ?? m[1]).toUpperCase();
}

const run = (value: string) => `<w:r><w:t xml:space="preserve">${escapeText(value)}</w:t></w:r>`;

// Simple fields: self-closing or with content (markup-spans.ts: one pass, whatever a hostile part holds).
const SIMPLE_FIELD = /<w:fldSimple(?=[\s/>])/g;
const SIMPLE_FIELD_END = /<\/w:fldSimple>/g;
// A complex field's pieces, in order: its begin, separate and end characters and its instruction's text.
const COMPLEX_PART = /<w:fldChar\b[^<>]*\bw:fldCharType="(begin|separate|end)"[^<>]*>|<w:instrText\b[^<>]*>([^<]*)<\/w:instrText>/g;

/** A Word part's markup with each property field that has no result showing its property's value. */
export function withPropertyFields(xml: string, values: PropertyValues): string {
  if (!xml.includes('instr')) return xml;
  const valueOf = (instruction: string) => {
    const name = fieldProperty(decodeEntities(instruction));
    return name === null ? undefined : values.get(name);
  };
  let out = xml.includes('<w:fldSimple')
    ? replaceSpans(xml, spans(xml, SIMPLE_FIELD, () => SIMPLE_FIELD_END, XML_TAGS), (f) => {
        const inner = content(xml, f);
        const value = inner.includes('<w:t') ? undefined : valueOf(/\bw:instr="([^"]*)"/.exec(f.tag)?.[1] ?? '');
        if (!value) return outer(xml, f);
        // A self-closing field is opened to hold its value.
        return `${f.tag.endsWith('/>') ? `${f.tag.slice(0, -2)}>` : f.tag}${inner}${run(value)}</w:fldSimple>`;
      })
    : xml;
  if (!out.includes('<w:instrText')) return out;
  // Complex fields (not nested in another's instruction): one with no `separate` shows its value after its end.
  const inserts: { at: number; value: string }[] = [];
  let depth = 0;
  let instruction = '';
  let separated = false;
  for (const m of out.matchAll(COMPLEX_PART)) {
    if (m[1] === 'begin') {
      if (depth++ === 0) {
        instruction = '';
        separated = false;
      }
    } else if (m[1] === 'separate') {
      if (depth === 1) separated = true;
    } else if (m[1] === 'end') {
      if (depth > 0 && --depth === 0 && !separated) {
        const value = valueOf(instruction);
        const close = out.indexOf('</w:r>', m.index);
        if (value && close >= 0) inserts.push({ at: close + '</w:r>'.length, value });
      }
    } else if (depth === 1) instruction += m[2];
  }
  for (const { at, value } of inserts.reverse()) out = out.slice(0, at) + run(value) + out.slice(at);
  return out;
}
