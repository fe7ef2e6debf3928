/**
 * HTML and XML (XHTML, SVG, flat ODF, .mht bodies saved as HTML, and XML of any other vocabulary:
 * AbiWord, Gnumeric, InDesign ICML, OPML…): visible text, title, meta descriptions; entities decoded;
 * read in the encoding the document declares (see markupEncoding). An Evernote export's attachments
 * are members.
 */
import { embeddedFiles } from './embedded-base64.js';
import { blobOf, readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { mayBeStamp } from './byte-scan.js';
import { FLAT_ODF, flatOdfRuns } from './odf.js';
import { decodeMarkup } from './text.js';
import { decodeBase64 } from './rfc2047.js';
import { nameOnly, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { SEPARATOR } from './sheet-rows.js';
import { charOfCode, decodeEntities, xmlToText } from './xml-text.js';
import { replaceSpans, spans } from './markup-spans.js';

// What a page does not show: scripts, styles, templates, noscript and comments (markup-spans.ts finds
// each in one pass: a lazy expression ran for seconds over unclosed ones).
const INVISIBLE_START = /<(script|style|template|noscript)\b|<!--/gi;
const INVISIBLE_END: Record<string, RegExp> = {
  script: /<\/script\s*>/gi,
  style: /<\/style\s*>/gi,
  template: /<\/template\s*>/gi,
  noscript: /<\/noscript\s*>/gi,
  '!--': /-->/g,
};
const withoutInvisible = (html: string): string =>
  replaceSpans(html, spans(html, INVISIBLE_START, (m) => INVISIBLE_END[(m[1] ?? '!--').toLowerCase()]), () => '');
/**
 * A conditional comment (`<!--[if mso]>…<![endif]-->`): Outlook and Word show what it holds, and Word's
 * own HTML (a web page, an .mht, a mail written in Outlook) keeps the document's properties there.
 */
const CONDITIONAL_START = /<!--\[if\b[^\]>]{0,200}\]>/gi;
const CONDITIONAL_END = /<!\[endif\]-->/gi;
const withConditionals = (html: string): string =>
  replaceSpans(html, spans(html, CONDITIONAL_START, () => CONDITIONAL_END), (s) => html.slice(s.inner, s.close));

export const extractHtml: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  ctx.checkTime();
  const markup = decodeMarkup(bytes);
  // A flat OpenDocument file reads as the package would: sheet names, cells by row, formulas (odf.ts);
  // and, as a package's parts are, only when 秘 may stand in it (a character reference may spell it).
  if (!FLAT_ODF.test(markup)) yield* OTHER_XML.test(markup.slice(0, 4096)) ? xmlRuns(markup) : htmlRuns(markup);
  else if (ctx.fullText || mayBeStamp(markup) || markup.includes('&#')) yield* flatOdfRuns(markup);
  // W3C XML Encryption: an element's content replaced by its ciphertext (e-government and SOAP documents).
  if (XML_ENCRYPTED.test(markup)) yield { kind: 'unscannable', reason: 'encrypted', detail: 'XML with encrypted content (XML Encryption: EncryptedData)' };
  if (ENEX.test(markup.slice(0, 4096))) yield* enexResources(markup, ctx);
  // data: URLs and base64 parts carry whole files (embedded-base64.ts); an export's resources are read above.
  else yield* embeddedFiles(markup, ctx);
};

/**
 * The text runs of decoded HTML: meta descriptions as properties, visible text as body (scripts, styles,
 * templates, noscript and comments are not shown, so not text: test/unit/html.test.ts).
 */
export function* htmlRuns(html: string): Generator<Extracted> {
  const meta = Array.from(html.matchAll(/<meta\b[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>/gi), (m) =>
    decodeEntities(m[1] ?? m[2] ?? m[3]),
  ).join('\n');
  if (meta) yield { kind: 'text', text: meta, where: { area: 'properties' } };
  const visible = withoutInvisible(html);
  for (const text of chunkText(xmlToText(visible))) yield { kind: 'text', text, where: { area: 'body' } };
  // As Outlook and Word show it: with what conditional comments hold, in place.
  if (html.includes('<!--[if')) {
    const office = withoutInvisible(withConditionals(html));
    if (office !== visible) for (const text of chunkText(xmlToText(office))) yield { kind: 'text', text, where: { area: 'body' } };
  }
  yield* generatedText(html);
  if (!mayBeStamp(html) && !html.includes('&#')) return;
  // Text the page shows that is not an element's text: form fields' values and placeholders, tooltips.
  const fields = Array.from(html.matchAll(SHOWN_ATTR), (m) => decodeEntities(m[1] ?? m[2])).join(SEPARATOR);
  for (const text of chunkText(fields)) yield { kind: 'text', text, where: { area: 'body' } };
  // As it shows with hidden elements left out (「秘」, a hidden span, 「 Confidential」 shows as the stamp).
  const shown = HIDDEN.test(visible) ? xmlToText(visible.replace(HIDDEN_ELEMENT, '')) : '';
  for (const text of chunkText(shown)) yield { kind: 'text', text, where: { area: 'body' } };
}

/**
 * Text a style sheet puts on the page (`::before { content: "秘 Confidential" }`), its escapes undone
 * (`\79D8`, which no search of the markup sees).
 */
function* generatedText(html: string): Generator<Extracted> {
  const generated = Array.from(html.matchAll(CSS_CONTENT), (m) => cssString(m[1] ?? m[2])).join(SEPARATOR);
  for (const text of chunkText(generated)) yield { kind: 'text', text, where: { area: 'body' } };
}

/** A CSS `content` string, in either quote. */
const CSS_CONTENT = /\bcontent\s*:\s*(?:"((?:[^"\\]|\\[\s\S])*)"|'((?:[^'\\]|\\[\s\S])*)')/gi;

/** A CSS string's escapes undone: `\79D8 ` (hex, and the one space that ends it) and `\"`. */
function cssString(s: string): string {
  return s.replace(/\\(?:([0-9a-fA-F]{1,6}) ?|([\s\S]))/g, (_, hex?: string, c?: string) => (hex ? (charOfCode(parseInt(hex, 16)) ?? '\ufffd') : c === '\n' ? '' : c!));
}

/** Attributes whose value the page shows: a field's value and placeholder, a label, a tooltip. */
const SHOWN_ATTR = /\s(?:value|placeholder|title|aria-label|label)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
/** An element hidden where it stands: the `hidden` attribute, or an inline `display: none` / `visibility: hidden`. */
const HIDDEN = /\shidden[\s>=]|display\s*:\s*none|visibility\s*:\s*hidden/i;
const HIDDEN_ELEMENT = /<([a-z][\w-]*)\b[^>]*?(?:\shidden(?=[\s>=])|style\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden))[^>]*>[\s\S]*?<\/\1\s*>/gi;

const XML_ENCRYPTED = /<(?:[\w.-]+:)?EncryptedData\b[\s\S]*?<(?:[\w.-]+:)?CipherValue\b/;

/** An Evernote export (also written by Joplin, Bear and other note apps): notes and their attachments. */
const ENEX = /<(?:!DOCTYPE\s+)?en-export\b/;
const RESOURCE = /<resource\b[^>]*>([\s\S]*?)<\/resource>/g;

/**
 * The files attached to the notes of an Evernote export, base64 in <resource><data>, each a member by
 * its <file-name>. A resource whose data does not decode is unread, said.
 */
function* enexResources(xml: string, ctx: ExtractContext): Generator<Extracted> {
  for (const [, body] of xml.matchAll(RESOURCE)) {
    ctx.addEntry();
    const data = /<data\b[^>]*>([\s\S]*?)<\/data>/.exec(body)?.[1] ?? '';
    const name = decodeEntities(/<file-name>([\s\S]*?)<\/file-name>/.exec(body)?.[1]?.trim() ?? '') || 'attachment';
    const { bytes, bad } = decodeBase64(data.replace(/\s+/g, ''));
    if (bad) {
      yield nameOnly(name, { area: 'attachment' });
      yield { kind: 'unscannable', reason: 'corrupt', detail: `the attachment ${name} of an Evernote export does not decode`, where: { area: 'attachment' } };
      continue;
    }
    ctx.addExpanded(bytes.length);
    yield { kind: 'member', name, data: blobOf(bytes), where: { area: 'attachment' } };
  }
}

/** An XML prolog, and a root that is not HTML (XHTML is read as HTML). */
const OTHER_XML = /^\s*<\?xml\b(?![\s\S]*<html\b)/i;

/**
 * Markup between two Latin letters: a word split into runs (AbiWord's `<c>`, ICML's
 * `<CharacterStyleRange><Content>`), and the indentation a pretty-printed file puts between them. In
 * a vocabulary we do not know, a closing tag cannot be told from a paragraph's end, so a break would
 * cut 「Conf|idential」 in two; joined, nothing can be lost (rule 1 and keywords only grow by it).
 */
const SPLIT_WORD = /(?<=[A-Za-z])(?:\s*<[^>]*>)+\s*(?=[A-Za-z])/g;
/** Attribute values, where such vocabularies keep text a reader sees (Gnumeric's headers and comments, OPML's notes). */
const ATTR_VALUE = /\s[\w:.-]+\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * XML of another vocabulary: its text with split words joined, then its attribute values, each apart
 * (SEPARATOR: two attributes are two fields).
 */
export function* xmlRuns(xml: string): Generator<Extracted> {
  for (const text of chunkText(xmlToText(withoutInvisible(xml).replace(SPLIT_WORD, '')))) yield { kind: 'text', text, where: { area: 'body' } };
  const values = Array.from(xml.matchAll(ATTR_VALUE), (m) => m[1] ?? m[2]).filter((v) => /[^\x00-\x7f]|&#/.test(v) || /[A-Za-z]{4}/.test(v));
  for (const text of chunkText(values.map(decodeEntities).join(SEPARATOR))) yield { kind: 'text', text, where: { area: 'body' } };
}
