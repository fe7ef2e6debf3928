/**
 * ODF fields whose text a reader fills in when it opens the document, from elsewhere in it: the title,
 * subject, description, keywords and author fields from the document's metadata, a custom property
 * field (`text:user-defined`) from `meta:user-defined`, a user field from its declaration, a variable
 * from where it was last set. Generators (odfpy, templating tools) write these elements empty, and
 * LibreOffice shows the value: 「秘 」 + an empty title field over `dc:title` 「Confidential」 reads
 * 「秘 Confidential」. The element's stored content is replaced by the value when there is one.
 */
import { attr, decodeEntities, escapeText } from './xml-text.js';

/** Metadata a field shows, by field name (`title`, `user:Class`…). */
export type FieldValues = ReadonlyMap<string, string>;

const META: readonly [RegExp, string][] = [
  [/<dc:title\b[^>]*>([^<]*)<\/dc:title>/, 'title'],
  [/<dc:subject\b[^>]*>([^<]*)<\/dc:subject>/, 'subject'],
  [/<dc:description\b[^>]*>([^<]*)<\/dc:description>/, 'description'],
  [/<meta:initial-creator\b[^>]*>([^<]*)<\/meta:initial-creator>/, 'initial-creator'],
  [/<dc:creator\b[^>]*>([^<]*)<\/dc:creator>/, 'creator'],
];
const KEYWORD = /<meta:keyword\b[^>]*>([^<]*)<\/meta:keyword>/g;
const USER_DEFINED = /<meta:user-defined\b([^>]*)>([^<]*)<\/meta:user-defined>/g;

/** The values a document's metadata (meta.xml, or a flat document's `office:meta`) gives its fields. */
export function metaFieldValues(meta: string | null): FieldValues {
  const values = new Map<string, string>();
  if (!meta) return values;
  for (const [re, name] of META) {
    const m = re.exec(meta);
    if (m) values.set(name, decodeEntities(m[1]));
  }
  const keywords = Array.from(meta.matchAll(KEYWORD), (m) => decodeEntities(m[1]));
  if (keywords.length) values.set('keywords', keywords.join(', '));
  for (const m of meta.matchAll(USER_DEFINED)) {
    const name = attr(`<x ${m[1]}>`, 'meta:name');
    if (name !== null) values.set(`user:${name}`, decodeEntities(m[2]));
  }
  return values;
}

const FIELD = /<text:(title|subject|description|keywords|initial-creator|creator|user-defined|user-field-get|variable-get)\b([^<>]*?)(?:\/>|>([^<]*)<\/text:\1>)/g;
/** Whether markup holds a field whose shown value comes from elsewhere (withFieldValues fills it). */
export const hasLookupField = (xml: string): boolean => /<text:(?:title|subject|description|keywords|initial-creator|creator|user-defined|user-field-get|variable-get)\b/.test(xml);
/** A field whose value comes from elsewhere in the same part (a declaration, a variable's setting). */
export const PART_FIELD = /<text:(?:user-field-get|variable-get)\b/;
const DECLARED = /<text:(user-field-decl|variable-set)\b([^<>]*)/g;

/** `xml` with each field's content replaced by the value the reader shows for it, where one is known. */
export function withFieldValues(xml: string, meta: FieldValues): string {
  if (!xml.includes('<text:')) return xml;
  // Declarations and settings in this part: a user field's, and a variable's last one before the end.
  const declared = new Map<string, string>();
  if (PART_FIELD.test(xml)) {
    for (const m of xml.matchAll(DECLARED)) {
      const name = attr(m[2], 'text:name');
      const value = attr(m[2], 'office:string-value') ?? attr(m[2], 'office:value');
      if (name !== null && value !== null) declared.set(`${m[1] === 'variable-set' ? 'var' : 'field'}:${name}`, value);
    }
  }
  return xml.replace(FIELD, (whole, kind: string, attrs: string) => {
    const name = attr(attrs, 'text:name') ?? '';
    const key = kind === 'user-defined' ? `user:${name}` : kind === 'user-field-get' ? `field:${name}` : kind === 'variable-get' ? `var:${name}` : kind;
    const value = (kind === 'user-field-get' || kind === 'variable-get' ? declared : meta).get(key);
    return value === undefined || value === '' ? whole : escapeText(value);
  });
}
