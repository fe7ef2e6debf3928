/**
 * Word content controls bound to XML data (`<w:dataBinding>`): a control shows the value its XPath picks
 * from a custom XML part (customXml/itemN.xml) or from the document's properties (Insert › Quick Parts ›
 * Document Property: the title, the company…), not the text stored in it. Word fills each bound control
 * from its data when it opens the file, and LibreOffice does too; the stored text is whatever was there
 * when the file was last saved, or what a template or a script left. So 「秘 」 and a control bound to a
 * part that says 「Confidential」 read 「秘 Confidential」, whatever the control stores.
 */
import { decodeEntities } from './xml-text.js';
import { XML_TAGS, replaceSpans, spans } from './markup-spans.js';
import type { ZipArchive } from './zip-reader.js';

/** Store item id (upper case, in braces) → the XML it names. */
export type BoundStores = Map<string, string>;

/** The document properties' store ids, which Word gives the property parts (not listed in customXml/). */
const BUILT_IN: [string, string][] = [
  ['{6C3C8BC8-F283-45AE-878A-BAB7291924A1}', 'docProps/core.xml'],
  ['{6668398D-A668-4E3E-A5EB-62B293D839F1}', 'docProps/app.xml'],
];
/** A data part larger than this is not searched for a control's value (the control keeps its stored text). */
const MAX_STORE = 4 << 20;

/** Whether a Word part has bound controls (the bytes of "dataBinding", as a part streams by). */
export const BINDING_NEEDLE = new TextEncoder().encode('dataBinding');

/** The data parts a package's bound controls may name, by store id. */
export async function boundStores(zip: ZipArchive): Promise<BoundStores> {
  const stores: BoundStores = new Map();
  const sized = (name: string) => (zip.entries.find((e) => e.name === name)?.size ?? Infinity) <= MAX_STORE;
  for (const [id, part] of BUILT_IN) {
    const xml = zip.has(part) && sized(part) ? await zip.text(part) : null;
    if (xml) stores.set(id, xml);
  }
  for (const entry of zip.entries) {
    const m = /^customXml\/item(\d+)\.xml$/i.exec(entry.name);
    if (!m || !sized(entry.name)) continue;
    // The item's properties part holds its id: named by the item's relationship, else by its number.
    const rels = await zip.text(`customXml/_rels/item${m[1]}.xml.rels`);
    const target = rels && /\bTarget="([^"]+)"/.exec(rels)?.[1];
    const props = await zip.text(target ? `customXml/${target.replace(/^.*\//, '')}` : `customXml/itemProps${m[1]}.xml`);
    const id = props && /\bitemID\s*=\s*["']([^"']+)["']/.exec(props)?.[1];
    const xml = id ? await zip.text(entry.name) : null;
    if (id && xml) stores.set(id.toUpperCase(), xml);
  }
  return stores;
}

const BINDING = /<w:dataBinding\b[^<>]*>/g;
const CONTENT = /<w:sdtContent(?=[\s/>])/g;
const CONTENT_END = /<\/w:sdtContent>/g;

/**
 * A Word part's markup with each bound control showing its value: the text stored in the control is
 * replaced by the value, where its data part and the node its XPath names are found (otherwise Word,
 * too, shows what is stored).
 */
export function withBoundValues(xml: string, stores: BoundStores): string {
  if (!xml.includes('<w:dataBinding') || stores.size === 0) return xml;
  const values = new Map<number, string>();
  for (const b of xml.matchAll(BINDING)) {
    const tag = b[0];
    const store = stores.get((attrOf(tag, 'w:storeItemID') ?? '').toUpperCase());
    const value = store === undefined ? null : boundValue(store, attrOf(tag, 'w:xpath') ?? '', attrOf(tag, 'w:prefixMappings') ?? '');
    if (value) values.set(b.index, value);
  }
  if (values.size === 0) return xml;
  // Each binding's control content is the first <w:sdtContent> after it (its w:sdtPr ends before).
  const bindings = [...values.keys()];
  let next = 0;
  return replaceSpans(
    xml,
    spans(xml, CONTENT, () => CONTENT_END, XML_TAGS),
    (s) => {
      let value: string | undefined;
      while (next < bindings.length && bindings[next] < s.start.index) value = values.get(bindings[next++]);
      const inner = xml.slice(s.inner, s.close);
      if (value === undefined) return xml.slice(s.start.index, s.end);
      const run = `<w:r><w:t xml:space="preserve">${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r>`;
      // A control around paragraphs shows its value as one; one inside a paragraph as a run.
      return `${s.tag}${/<w:p[\s>]/.test(inner) ? `<w:p>${run}</w:p>` : run}</w:sdtContent>`;
    },
  );
}

/** An attribute's value, its references decoded (a prefix mapping is written with &apos; or quotes). */
function attrOf(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : null;
}

interface Step {
  ns: string | null;
  local: string;
  /** 1-based position among the siblings of that name (Word writes [1] on each step). */
  index: number;
  attribute: boolean;
}

/** An absolute location path of named steps (`/ns0:root[1]/ns0:label[1]`, `…/@id`), or null for any other XPath. */
function parsePath(xpath: string, mappings: string): Step[] | null {
  const prefixes = new Map<string, string>();
  for (const m of mappings.matchAll(/xmlns:([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) prefixes.set(m[1], m[2] ?? m[3] ?? '');
  if (!xpath.startsWith('/')) return null;
  const steps: Step[] = [];
  for (const raw of xpath.slice(1).split('/')) {
    const m = /^\s*(@)?(?:([\w.-]+):)?([\w.-]+)\s*(?:\[\s*(\d+)\s*\])?\s*$/.exec(raw);
    if (!m) return null;
    const ns = m[2] === undefined ? null : prefixes.get(m[2]);
    if (ns === undefined) return null;
    steps.push({ ns, local: m[3], index: m[4] ? Number(m[4]) : 1, attribute: !!m[1] });
  }
  return steps.length && !steps.slice(0, -1).some((s) => s.attribute) ? steps : null;
}

interface Frame {
  /** Prefix → namespace in scope ('' for the default). */
  ns: Map<string, string>;
  /** Children seen so far, by expanded name, to give each its position; null off the path the steps name. */
  counts: Map<string, number> | null;
}

/**
 * The text of the node `xpath` names in `xml` (an element's text, or an attribute's value), or null. Only
 * named steps with positions are followed, which is what Word writes; the walk is one pass over the part.
 */
export function boundValue(xml: string, xpath: string, mappings: string): string | null {
  const steps = parsePath(xpath, mappings);
  if (!steps) return null;
  const last = steps.length - 1;
  const elementSteps = steps[last].attribute ? last : steps.length;
  const stack: Frame[] = [{ ns: new Map(), counts: new Map() }];
  let capture: number | null = null; // depth of the element whose text is taken
  let text = '';
  for (let i = 0; i < xml.length; ) {
    if (xml[i] !== '<') {
      const lt = xml.indexOf('<', i);
      const end = lt < 0 ? xml.length : lt;
      if (capture !== null) text += xml.slice(i, end);
      i = end;
      continue;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end < 0) return null;
      if (capture !== null) text += xml.slice(i + 9, end).replace(/[&<]/g, (c) => (c === '&' ? '&amp;' : '&lt;'));
      i = end + 3;
      continue;
    }
    const close = xml.startsWith('<!--', i) ? xml.indexOf('-->', i) + 2 : xml.indexOf('>', i);
    if (close < i) return null;
    const tag = xml.slice(i, close + 1);
    i = close + 1;
    if (tag[1] === '!' || tag[1] === '?') continue;
    if (tag[1] === '/') {
      stack.pop();
      if (capture !== null && stack.length - 1 <= capture) return decodeEntities(text);
      if (stack.length === 0) return null;
      continue;
    }
    const m = /^<([\w.:-]+)/.exec(tag);
    if (!m) continue;
    const parent = stack[stack.length - 1];
    const depth = stack.length - 1; // this element's step
    const selfClosing = tag.endsWith('/>');
    // Off the path, an element only keeps the depth (and the text, when under the node taken).
    if (!parent.counts) {
      if (!selfClosing) stack.push(parent);
      continue;
    }
    let ns = parent.ns;
    if (tag.includes('xmlns')) {
      ns = new Map(ns);
      for (const d of tag.matchAll(/\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) ns.set(d[1] ?? '', d[2] ?? d[3] ?? '');
    }
    const [prefix, local] = m[1].includes(':') ? m[1].split(':', 2) : ['', m[1]];
    const uri = ns.get(prefix) ?? '';
    const key = `${uri} ${local}`;
    const position = (parent.counts.get(key) ?? 0) + 1;
    parent.counts.set(key, position);
    const step = steps[depth];
    const onPath = depth < elementSteps && step.local === local && (step.ns ?? '') === uri && step.index === position;
    if (onPath && depth === elementSteps - 1 && elementSteps === last) {
      // The path ends with an attribute of this element.
      const a = steps[last];
      for (const at of tag.matchAll(/\s([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const [ap, al] = at[1].includes(':') ? at[1].split(':', 2) : [null, at[1]];
        const auri = ap === null ? '' : (ns.get(ap) ?? '');
        if (al === a.local && auri === (a.ns ?? '')) return decodeEntities(at[2] ?? at[3] ?? '');
      }
      return null;
    }
    if (onPath && depth === elementSteps - 1) capture = depth;
    if (selfClosing) {
      if (capture === depth) return '';
      continue;
    }
    stack.push({ ns, counts: onPath && capture === null ? new Map() : null });
  }
  return null;
}
