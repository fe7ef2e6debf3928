/**
 * Office markup with its namespaces under other prefixes, rewritten to the usual ones. The readers here
 * match WordprocessingML as `w:`, ODF as `text:`, `draw:`…, and SpreadsheetML without a prefix, as Office
 * and LibreOffice write them; but a prefix is only a name for a namespace, and Word, Excel and LibreOffice
 * read `<ns0:del>` (Python's ElementTree renames every prefix so), `<del xmlns="…wordprocessingml…">`
 * or `<x:sheet>` (the Open XML SDK's SpreadsheetML) as the same elements. Read as they were, such a part's
 * deletions, hidden runs, symbols or sheet names went unseen.
 */
import { concat, indexOfBytes } from '../bytes.js';

/** Namespace → the prefix this engine's patterns use ('' is the default namespace: SpreadsheetML's). */
const USUAL = new Map<string, string>([
  // OOXML, transitional and strict (ISO/IEC 29500) names.
  ['http://schemas.openxmlformats.org/wordprocessingml/2006/main', 'w'],
  ['http://purl.oclc.org/ooxml/wordprocessingml/main', 'w'],
  ['http://schemas.openxmlformats.org/drawingml/2006/main', 'a'],
  ['http://purl.oclc.org/ooxml/drawingml/main', 'a'],
  ['http://schemas.openxmlformats.org/presentationml/2006/main', 'p'],
  ['http://purl.oclc.org/ooxml/presentationml/main', 'p'],
  ['http://schemas.openxmlformats.org/spreadsheetml/2006/main', ''],
  ['http://purl.oclc.org/ooxml/spreadsheetml/main', ''],
  ['http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'r'],
  ['http://purl.oclc.org/ooxml/officeDocument/relationships', 'r'],
  ['http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing', 'wp'],
  ['http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing', 'wp'],
  ['http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing', 'xdr'],
  ['http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing', 'xdr'],
  ['http://schemas.openxmlformats.org/drawingml/2006/chart', 'c'],
  ['http://purl.oclc.org/ooxml/drawingml/chart', 'c'],
  ['http://schemas.openxmlformats.org/markup-compatibility/2006', 'mc'],
  ['http://schemas.microsoft.com/office/word/2010/wordprocessingShape', 'wps'],
  ['http://schemas.microsoft.com/office/word/2010/wordprocessingGroup', 'wpg'],
  ['urn:schemas-microsoft-com:vml', 'v'],
  ['urn:schemas-microsoft-com:office:office', 'o'],
  // ODF.
  ['urn:oasis:names:tc:opendocument:xmlns:office:1.0', 'office'],
  ['urn:oasis:names:tc:opendocument:xmlns:style:1.0', 'style'],
  ['urn:oasis:names:tc:opendocument:xmlns:text:1.0', 'text'],
  ['urn:oasis:names:tc:opendocument:xmlns:table:1.0', 'table'],
  ['urn:oasis:names:tc:opendocument:xmlns:drawing:1.0', 'draw'],
  ['urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0', 'fo'],
  ['urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0', 'svg'],
  ['urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0', 'number'],
  ['urn:oasis:names:tc:opendocument:xmlns:presentation:1.0', 'presentation'],
  ['urn:oasis:names:tc:opendocument:xmlns:form:1.0', 'form'],
  ['urn:oasis:names:tc:opendocument:xmlns:meta:1.0', 'meta'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
]);

/** How a part's prefixes are renamed: prefix → usual prefix, and the prefix its default namespace's elements take. */
interface Renaming {
  prefixes: Map<string, string>;
  /** Unprefixed elements get this prefix (a default namespace of WordprocessingML, ODF…), or null. */
  unprefixed: string | null;
}

// A start tag's name, then its attributes one by one, each value consumed whole: a value that spells a
// declaration (Word's w:prefixMappings="xmlns:ns0='…'", which a bound control's XPath uses) is none.
const TAG_NAME = /<[A-Za-z_][\w.:-]*/y;
const NEXT_ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const XMLNS_NAME = /^xmlns(?::([A-Za-z_][\w.-]*))?$/;

/** The namespace declarations in `xml`, tag by tag where one is: [prefix ('' for the default), namespace]. */
function* declarations(xml: string): Generator<[string, string]> {
  let lt = -1;
  let next = xml.indexOf('<'); // the first `<` after `lt`
  let parsed = -2; // the tag whose attributes were read, and where they end
  let tagEnd = -1;
  for (let i = xml.indexOf('xmlns'); i >= 0; ) {
    // The tag the occurrence stands in starts at the last `<` before it (no value holds one), found
    // without searching over text already gone by, back or forth.
    if (next >= 0 && next < i) {
      lt = xml.lastIndexOf('<', i);
      next = xml.indexOf('<', i);
    }
    // Each tag's attributes are read once: the words in the text after it find the tag read.
    if (lt !== parsed) {
      parsed = lt;
      TAG_NAME.lastIndex = Math.max(lt, 0);
      tagEnd = lt >= 0 && TAG_NAME.exec(xml) ? TAG_NAME.lastIndex : -1;
      for (let m = tagEnd >= 0 ? execFrom(NEXT_ATTRIBUTE, xml, tagEnd) : null; m; m = execFrom(NEXT_ATTRIBUTE, xml, tagEnd)) {
        tagEnd = NEXT_ATTRIBUTE.lastIndex;
        const d = XMLNS_NAME.exec(m[1]);
        if (d) yield [d[1] ?? '', m[2] ?? m[3] ?? ''];
      }
    }
    i = xml.indexOf('xmlns', Math.max(tagEnd, i + 5));
  }
}

const execFrom = (re: RegExp, s: string, from: number): RegExpExecArray | null => {
  re.lastIndex = from;
  return re.exec(s);
};

/** The renaming `xml` needs, or null when its namespaces already go by the usual prefixes (nearly always). */
export function prefixRenaming(xml: string): Renaming | null {
  const prefixes = new Map<string, string>();
  const defaults = new Set<string>();
  const others = new Set<string>();
  for (const [prefix, ns] of declarations(xml)) {
    const usual = USUAL.get(ns);
    if (!prefix) defaults.add(ns);
    else if (usual === undefined) others.add(prefix);
    else if (usual !== prefix) prefixes.set(prefix, usual);
  }
  // A prefix that another one is renamed to, but which the part binds to some other namespace, is moved
  // aside, so that its elements are not read as the usual ones.
  const targets = new Set(prefixes.values());
  for (const prefix of others) if (targets.has(prefix)) prefixes.set(prefix, `${prefix}_`);
  // Unprefixed elements are renamed only when one default namespace is declared in the part: with
  // several, which one an element is in depends on where it stands.
  const only = defaults.size === 1 ? USUAL.get([...defaults][0]) : undefined;
  const unprefixed = only ? only : null;
  if (unprefixed && others.has(unprefixed)) prefixes.set(unprefixed, `${unprefixed}_`);
  return prefixes.size || unprefixed ? { prefixes, unprefixed } : null;
}

const XMLNS = new TextEncoder().encode('xmlns');
/** Bytes kept from the previous chunk: a declaration cut by a chunk's end is met again whole. */
const DECLARATION_BYTES = 1024;

/**
 * Watches a part's bytes as they stream by for a declaration that needs renaming (withUsualPrefixes):
 * such a part is then read whole, renamed, since its markup as it stands hides what the readers look for.
 */
export class PrefixWatch {
  renames = false;
  private tail: Uint8Array = new Uint8Array(0);
  private readonly utf8 = new TextDecoder('utf-8');

  readonly push = (chunk: Uint8Array): void => {
    if (this.renames || chunk.length === 0) return;
    const buf = concat([this.tail, chunk]);
    for (let i = indexOfBytes(buf, XMLNS); i >= 0 && !this.renames; i = indexOfBytes(buf, XMLNS, i + XMLNS.length)) {
      // Read as the attributes of a tag (whose start may be gone by): a value that spells a declaration
      // may be taken for one here, which only has the part read whole, where it is told apart.
      this.renames = prefixRenaming(`<x ${this.utf8.decode(buf.subarray(i, i + DECLARATION_BYTES))}`) !== null;
    }
    this.tail = buf.subarray(Math.max(0, buf.length - DECLARATION_BYTES));
  };
}

// A start or end tag: its prefix, its name and its attributes. Neither a tag nor a quoted value holds
// `<`, so each match ends before the next `<` and the pass is linear, whatever the markup.
const TAG = /<(\/?)(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>/g;
const ATTRIBUTE = /(\s+)(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(\s*=\s*)("[^"]*"|'[^']*')/g;

/** `xml` with its namespaces under the prefixes the readers match (unchanged when they already are). */
export function withUsualPrefixes(xml: string): string {
  const renaming = prefixRenaming(xml);
  if (!renaming) return xml;
  const { prefixes, unprefixed } = renaming;
  if (!unprefixed) return renamed(xml, prefixes);
  const qualified = (prefix: string | undefined, name: string, element: boolean): string => {
    if (prefix === undefined) return element && unprefixed ? `${unprefixed}:${name}` : name;
    const to = prefixes.get(prefix) ?? prefix;
    return to ? `${to}:${name}` : name;
  };
  const attribute = (_: string, space: string, prefix: string | undefined, name: string, eq: string, value: string): string => {
    // xmlns:ns0="…" declares the prefix it is renamed to; an unprefixed attribute is in no namespace.
    if (prefix === 'xmlns') {
      const to = prefixes.get(name) ?? name;
      return `${space}${to ? `xmlns:${to}` : 'xmlns'}${eq}${value}`;
    }
    return `${space}${prefix === undefined ? name : qualified(prefix, name, false)}${eq}${value}`;
  };
  return xml.replace(TAG, (_, close: string, prefix: string | undefined, name: string, attrs: string) => {
    return `<${close}${qualified(prefix, name, true)}${attrs.includes('=') ? attrs.replace(ATTRIBUTE, attribute) : attrs}>`;
  });
}

/**
 * Prefixed names renamed by one search for the prefixes alone (a tag-by-tag pass took seconds on a
 * 17 MB document): an element's after `<` or `</`, an attribute's after a blank and before `=`, and the
 * prefix a declaration binds (`xmlns:ns0=`). Text holds no `<`, so no element name is found in it.
 */
function renamed(xml: string, prefixes: Map<string, string>): string {
  // Nearly always each prefix goes to one no other prefix leaves: plain replacements, which run natively.
  const chained = [...prefixes.values()].some((to) => prefixes.has(to));
  if (!chained && [...prefixes.values()].every(Boolean)) {
    let out = xml;
    for (const [from, to] of prefixes) {
      for (const lead of ['<', '</', ' ', '\n', '\t', '\r']) out = out.replaceAll(`${lead}${from}:`, `${lead}${to}:`);
      out = out.replaceAll(`xmlns:${from}=`, `xmlns:${to}=`);
    }
    return out;
  }
  const names = [...prefixes.keys()].map((p) => p.replace(/[.]/g, '\\.')).join('|');
  const re = new RegExp(`<(/?)(${names}):(?=[A-Za-z_])|(\\sxmlns:)(${names})(?=\\s*=)|(\\s)(${names}):(?=[\\w.-]+\\s*=)`, 'g');
  return xml.replace(re, (_: string, close?: string, element?: string, declare?: string, declared?: string, space?: string, attribute?: string) => {
    if (element !== undefined) {
      const to = prefixes.get(element) ?? element;
      return to ? `<${close ?? ''}${to}:` : `<${close ?? ''}`;
    }
    if (declared !== undefined) {
      const to = prefixes.get(declared) ?? declared;
      return to ? `${declare ?? ''}${to}` : (declare ?? '').replace(/:$/, '');
    }
    const to = prefixes.get(attribute ?? '') ?? attribute ?? '';
    return to ? `${space ?? ''}${to}:` : (space ?? '');
  });
}
