/**
 * HTML and XML (XHTML, SVG, flat ODF, .mht bodies saved as HTML, and XML of any other vocabulary:
 * AbiWord, Gnumeric, InDesign ICML, OPML…): visible text, title, meta descriptions; entities decoded;
 * read in the encoding the document declares (see markupEncoding). An Evernote export's attachments
 * are members.
 */
import { embeddedFiles } from './embedded-base64.js';
import { MAY_SHOW_STAMP } from './formula-text.js';
import { xmlSpreadsheetFormulas } from './xlml-formulas.js';
import { gnumericHeads } from './gnumeric-heads.js';
import { gnumericShown } from './gnumeric-shown.js';
import { gnumericCellsApart } from './gnumeric-cells.js';
import { gnumericObjects } from './gnumeric-objects.js';
import { xmlSpreadsheetShown } from './xlml-shown.js';
import { blobOf, readBytes } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import { mayBeStamp } from './byte-scan.js';
import { FLAT_ODF, flatOdfRuns } from './odf.js';
import { endsWithRoot, flatXmlDamage, office2003Root, office2003XmlCut } from './office-xml-ends.js';
import { withUsualPrefixes } from './xml-prefixes.js';
import { hasLookupField } from './odf-fields.js';
import { decodeMarkup } from './text.js';
import { decodeBase64 } from './rfc2047.js';
import { nameOnly, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { SEPARATOR } from './sheet-rows.js';
import { compressedPages, MXFILE } from './drawio.js';
import { shapePairs } from './shape-pairs.js';
import { svgTextBoxes } from './drawing-boxes.js';

/** An SVG document's root element. */
const SVG_ROOT = /<(?:svg:)?svg(?=[\s>])/;
import { decodeEntities, escapeText, propertiesText, xmlToText } from './xml-text.js';
import { cssString, cssStrings } from './css-strings.js';
import { excelHtmlRuns } from './excel-html.js';
import { XML_TAGS, content, firstContent, replaceSpans, spans } from './markup-spans.js';

// What a page does not show: scripts, styles, templates, noscript and comments (markup-spans.ts finds
// each in one pass: a lazy expression ran for seconds over unclosed ones). A template that declares a
// shadow root (`shadowrootmode`, and `shadowmode` as Chromium saves a page's web components in an .mht)
// is shown: the browser attaches it as the element's content. (The look stops at a tag's first 512 characters.)
const INVISIBLE_START = /<(script|style|template(?![^>]{0,512}\sshadow(?:root)?mode\s*=)|noscript)\b|<!--/gi;
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
  replaceSpans(html, spans(html, CONDITIONAL_START, () => CONDITIONAL_END), (s) => content(html, s));

export const extractHtml: Extractor = async function* (blob, ctx) {
  const bytes = await readBytes(blob);
  ctx.checkTime();
  yield* markupItems(decodeMarkup(bytes), ctx);
};

/**
 * Everything read of an HTML or XML document already decoded to characters: the one reading of a page
 * for a .html file, a mail's or web archive's HTML part (eml.ts) and an Outlook item's HTML body (msg.ts).
 * A part read as text only lost what a page carries besides its text (data: URLs, base64 parts).
 */
/**
 * How a whole flat OpenDocument file ends: its root's end tag, then only blanks (NUL padding too) or comments.
 * The root is `office:document`, or one of a package's parts saved on its own (`office:document-content`,
 * `-styles`, `-meta`, `-settings`: a content.xml taken out of an .odt, or pandoc's `-t opendocument`), whose
 * end tag is its own: held to `</office:document>`, every such file was damaged (cut short), whole or not.
 */
const FLAT_ODF_ROOT = /<office:(document[-\w]*)/;
const ODF_OFFICE_NS = /\bxmlns:[\w.-]+\s*=\s*["']urn:oasis:names:tc:opendocument:xmlns:office:1\.0["']/;

export async function* markupItems(decoded: string, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const entities = declaredEntities(decoded);
  if (entities === null) yield { kind: 'unscannable', reason: 'expansion-ratio', detail: 'XML whose declared entities expand too far to be read in place' };
  const markup = entities ? withEntities(decoded, entities) : decoded;
  // A flat OpenDocument file reads as the package would: sheet names, cells by row, formulas (odf.ts);
  // and, as a package's parts are, only when 秘 may stand in it (a character reference may spell it).
  // Its namespaces are taken under the usual prefixes (xml-prefixes.ts), as its package's parts are.
  const flat = withUsualPrefixes(markup);
  // A Gnumeric sheet's printed header or footer, said as such before the rest (gnumeric-heads.ts).
  if (ctx.fullText || mayBeStamp(markup)) yield* gnumericHeads(markup);
  // A Gnumeric workbook's cells each apart (gnumeric-cells.ts): neighbours are joined by its row reading below.
  // An XML Spreadsheet or Word XML document cut short is damaged, as a flat OpenDocument file is (below).
  const isFlatOdf = FLAT_ODF.test(flat);
  const office2003 = !isFlatOdf && office2003Root(markup) !== null;
  // One cut short (its text past the cut unread) is damaged, as a package's part is (xml-ends.ts): LibreOffice
  // and Excel refuse it. So is an XML Spreadsheet or Word XML document (office-xml-ends.ts).
  const root = isFlatOdf ? (FLAT_ODF_ROOT.exec(flat)?.[1] ?? 'document') : null;
  const cut = office2003 ? office2003XmlCut(markup) : root && !endsWithRoot(flat, `office:${root}`) ? `the flat OpenDocument file ends before </office:${root}> (cut short)` : null;
  if (cut) yield { kind: 'unscannable', reason: 'corrupt', detail: cut };
  // A whole one is checked for well-formed markup too, as a package's parts are (xml-syntax.ts); so is a file
  // that declares OpenDocument's office namespace but whose root is no longer told apart as one (a byte of
  // `<office:document` flipped or a NUL put in: read as other XML, a spreadsheet's formulas went uncomputed).
  const odfDeclared = !isFlatOdf && !office2003 && ODF_OFFICE_NS.test(markup.slice(0, 4096));
  const malformed = !cut && (isFlatOdf || office2003 || odfDeclared) ? flatXmlDamage(markup) : null;
  if (malformed) yield { kind: 'unscannable', reason: 'corrupt', detail: `the file is damaged: ${malformed}` };
  if (!isFlatOdf) yield* OTHER_XML.test(markup.slice(0, 4096)) || MXFILE.test(markup) ? xmlRuns(gnumericCellsApart(markup)) : htmlRuns(markup);
  else {
    if (ctx.fullText || mayBeStamp(flat) || flat.includes('&#') || hasLookupField(flat)) yield* flatOdfRuns(flat);
  }
  // An XML Spreadsheet's formulas stored without a value show what they evaluate to (xlml-formulas.ts);
  // its printed headers and footers, and text cells through their number formats (xlml-shown.ts). One
  // look over the markup for both.
  if (ctx.fullText || MAY_SHOW_STAMP.test(markup)) {
    yield* xmlSpreadsheetFormulas(markup);
    yield* xmlSpreadsheetShown(markup);
    // A Gnumeric workbook's text cells through their styles' number formats, own and conditional (gnumeric-shown.ts).
    yield* gnumericShown(markup);
  }
  // A Gnumeric sheet's text boxes and shapes also by where they stand, beside each other or a cell (gnumeric-objects.ts).
  if (ctx.fullText || mayBeStamp(markup)) yield* gnumericObjects(markup, ctx.checkTime);
  // An SVG drawing's texts also by where they stand (shape-pairs.ts): a stamp drawn as a circle 「秘」 and
  // a text box 「Confidential」 beside it, which LibreOffice exports as two texts with others between.
  if (SVG_ROOT.test(markup.slice(0, 4096)) && (ctx.fullText || mayBeStamp(markup))) {
    const pairs = shapePairs(svgTextBoxes(markup), ctx.checkTime);
    for (const chunk of chunkText(pairs)) yield { kind: 'text', text: chunk, where: { area: 'body' } };
  }
  // A draw.io drawing's compressed pages (drawio.ts).
  if (MXFILE.test(markup)) for await (const page of compressedPages(markup, ctx)) yield* 'xml' in page ? xmlRuns(page.xml) : [page];
  // W3C XML Encryption: an element's content replaced by its ciphertext (e-government and SOAP documents).
  if (xmlEncrypted(markup)) yield { kind: 'unscannable', reason: 'encrypted', detail: 'XML with encrypted content (XML Encryption: EncryptedData)' };
  if (ENEX.test(markup.slice(0, 4096))) yield* enexResources(markup, ctx);
  // data: URLs and base64 parts carry whole files (embedded-base64.ts); an export's resources are read above.
  else yield* embeddedFiles(markup, ctx);
}

/**
 * The general entities an XML document declares in its DOCTYPE's internal subset (`<!ENTITY s "秘">`),
 * which a reader shows in place of each `&s;`; undefined for none, null when using them would expand the
 * document past EXPANSION (a billion-laughs file: each value's own references are not followed either).
 */
const ENTITY_DECL = /<!ENTITY\s+([A-Za-z_][\w.-]{0,64})\s+(?:"([^"]{0,4096})"|'([^']{0,4096})')\s*>/g;
const EXPANSION = 4 << 20;
function declaredEntities(markup: string): Map<string, string> | null | undefined {
  const head = markup.slice(0, 1 << 16);
  if (!head.includes('<!ENTITY')) return undefined;
  const map = new Map<string, string>();
  for (const m of head.matchAll(ENTITY_DECL)) if (!map.has(m[1])) map.set(m[1], decodeEntities(m[2] ?? m[3]));
  if (!map.size) return undefined;
  let added = 0;
  for (const m of markup.matchAll(ENTITY_REF)) added += map.get(m[1])?.length ?? 0;
  return added > Math.max(EXPANSION, markup.length) ? null : map;
}
const ENTITY_REF = /&([A-Za-z_][\w.-]{0,64});/g;
/** The markup with each declared entity's references written out (as character data: `<` and `&` escaped). */
const withEntities = (markup: string, map: Map<string, string>): string =>
  markup.replace(ENTITY_REF, (ref, name: string) => {
    const v = map.get(name);
    return v === undefined ? ref : escapeText(v);
  });

/** An HTML page's `<title>` in its `<head>` (looked for in the page's first 64 KiB): RCDATA, entities decoded. */
const HEAD_TITLE = /(<head\b[^>]*>(?:(?!<\/head\s*>)[\s\S])*?)<title\b[^>]*>([\s\S]*?)<\/title\s*>/i;
const TITLE_WITHIN = 1 << 16;

/** The page's title, and the page without it (its text is read as the title's alone). */
function headTitle(page: string): { title: string; html: string } {
  const m = HEAD_TITLE.exec(page.slice(0, TITLE_WITHIN));
  if (!m) return { title: '', html: page };
  return { title: decodeEntities(m[2]).trim(), html: page.slice(0, m.index) + m[1] + page.slice(m.index + m[0].length) };
}

/**
 * The text runs of decoded HTML: its title and meta descriptions as properties (each apart), visible
 * text as body (scripts, styles, templates, noscript and comments are not shown, so not text:
 * test/unit/html.test.ts).
 */
export function* htmlRuns(page: string, depth = 0): Generator<Extracted> {
  // The page's own title is shown in the tab and the title bar, apart from the page: a field of its own,
  // as a document's title property (「社外秘」 there and 「Confidential」 atop the page are no stamp).
  const { title, html } = headTitle(page);
  if (title) yield { kind: 'text', text: title, where: { area: 'properties' } };
  const metas = Array.from(spans(html, META, () => META, META_TAGS), (t) => META_CONTENT.exec(t.tag))
    .flatMap((m) => (m ? [decodeEntities(m[1] ?? m[2] ?? m[3])] : []));
  // Each <meta> is a property of its own (xml-text.ts propertiesText): LibreOffice writes each custom property as one.
  const meta = propertiesText(metas);
  if (meta) yield { kind: 'text', text: meta, where: { area: 'properties' } };
  const visible = withoutInvisible(html);
  for (const text of chunkText(xmlToText(visible))) yield { kind: 'text', text, where: { area: 'body' } };
  // As Outlook and Word show it: with what conditional comments hold, in place.
  if (html.includes('<!--[if')) {
    const office = withoutInvisible(withConditionals(html));
    if (office !== visible) for (const text of chunkText(xmlToText(office))) yield { kind: 'text', text, where: { area: 'body' } };
  }
  yield* generatedText(html);
  // A page Excel opens as a workbook: its printed header and footer, its number formats' literals.
  yield* excelHtmlRuns(html);
  // As shown with the style sheets' ::before/::after text in place (「p::before { content: "秘 " }」 on
  // 「<p>Confidential</p>」 shows the stamp), and list items' markers that are strings.
  const pseudo = html.includes('content') && PSEUDO.test(html);
  if (pseudo || MARKER.test(html)) {
    const placed = withGenerated(visible, [...(pseudo ? generatedRules(html) : []), ...markerRules(html)]);
    if (placed !== visible) for (const text of chunkText(xmlToText(placed))) yield { kind: 'text', text, where: { area: 'body' } };
  }
  // A frame's document written into its `srcdoc` attribute (escaped once per level): read as the page it shows.
  if (depth < SRCDOC_DEPTH && /\ssrcdoc\s*=/i.test(html)) {
    for (const m of html.matchAll(SRCDOC)) yield* htmlRuns(decodeEntities(m[1] ?? m[2]), depth + 1);
  }
  if (!mayBeStamp(html) && !html.includes('&#')) return;
  // Text the page shows that is not an element's text: form fields' values and placeholders, tooltips.
  const fields = Array.from(html.matchAll(SHOWN_ATTR), (m) => decodeEntities(m[1] ?? m[2])).join(SEPARATOR);
  for (const text of chunkText(fields)) yield { kind: 'text', text, where: { area: 'body' } };
  // As it shows with hidden elements left out (「秘」, a hidden span, 「 Confidential」 shows as the stamp).
  const classes = hiddenClasses(html);
  const shown = HIDDEN.test(visible) || classes.size ? xmlToText(withoutHidden(visible, classes)) : '';
  for (const text of chunkText(shown)) yield { kind: 'text', text, where: { area: 'body' } };
}

/**
 * Text a style sheet puts on the page (`::before { content: "秘 Confidential" }`), its escapes undone
 * (`\79D8`, which no search of the markup sees).
 */
function* generatedText(html: string): Generator<Extracted> {
  const generated = Array.from(cssStrings(html, CSS_CONTENT), (s) => cssString(s.value)).join(SEPARATOR);
  for (const text of chunkText(generated)) yield { kind: 'text', text, where: { area: 'body' } };
}

// <meta> tags, each read to its `>` (markup-spans.ts): one expression over the whole tag backtracked
// through every `content=` of a hostile run of tags with no `>`.
const META = /<meta(?=[\s/>])/gi;
const META_TAGS = { toTagEnd: true, selfClosing: () => true };
const META_CONTENT = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** Where a CSS `content` string starts, in either quote. */
const CSS_CONTENT = /\bcontent\s*:\s*(["'])/gi;

const SRCDOC = /\ssrcdoc\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
/** Frames in frames, each level's markup escaped once more: a few are real, more only cost. */
const SRCDOC_DEPTH = 3;

/** Attributes whose value the page shows: a field's value and placeholder, a label, a tooltip. */
const SHOWN_ATTR = /\s(?:value|placeholder|title|aria-label|label)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
/**
 * A declaration that hides: `display: none`, `visibility: hidden`, `font-size: 0`, `opacity: 0`, or
 * text moved off the screen (the "visually hidden" pattern: `left: -9999px`, `text-indent: -9999px`,
 * `clip: rect(0 0 0 0)`), which a screen reader reads and nobody sees; and Word's `mso-hide: all` (its
 * hidden text, as Word writes it to HTML and hides it opening HTML: html-docx-js's altChunk), which a
 * browser shows. This reading only adds to the one with everything in place, so that a reader which
 * hides less still has its text read.
 */
const HIDING = String.raw`mso-hide\s*:\s*all|display\s*:\s*none|visibility\s*:\s*hidden|(?:font-size|opacity)\s*:\s*0(?![.\d]*[1-9])|(?:left|top|text-indent)\s*:\s*-(?:\d{4,}(?:\.\d*)?px|\d{3,}(?:\.\d*)?r?em)|clip\s*:\s*rect\(\s*0`;
/** An element hidden where it stands: the `hidden` attribute or an inline hiding declaration. */
const HIDDEN = new RegExp(String.raw`\shidden[\s>=]|${HIDING}`, 'i');
const HIDDEN_ATTR = new RegExp(String.raw`\shidden(?=[\s>=])|style\s*=\s*["'][^"']*(?:${HIDING})`, 'i');
const HIDDEN_RULE = new RegExp(HIDING, 'i');
const STYLE = /<style(?=[\s>])/gi;
const STYLE_END = /<\/style\s*>/gi;
/** A selector naming one class, on any element or a given one (`.h`, `span.h`): nothing else is taken for one. */
const CLASS_SELECTOR = /^\s*[a-z]*\.(-?[_a-z][\w-]*)\s*$/i;
const CLASS_ATTR = /\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** A rule that generates text before or after an element. */
const PSEUDO = /::?(?:before|after)\b/i;
/** `tag`, `.class`, `#id` or `tag.class`: the last compound of a selector, which names the element. */
const COMPOUND = /([a-z][\w-]*)?(?:\.(-?[_a-z][\w-]*)|#([\w-]+))?\s*::?(before|after)\s*$/i;
interface Generated {
  tag?: string;
  cls?: string;
  id?: string;
  after: boolean;
  /** The content value's parts: a string, or the name of an attribute (`attr(data-x)`). */
  parts: { text?: string; attr?: string }[];
}

/** The ::before/::after rules of the page's style sheets with a `content` of strings and attr(). */
function generatedRules(html: string): Generated[] {
  const out: Generated[] = [];
  for (const s of spans(html, STYLE, () => STYLE_END, { toTagEnd: true })) {
    for (const rule of content(html, s).split('}')) {
      const open = rule.lastIndexOf('{');
      if (open < 0) continue;
      const value = /\bcontent\s*:\s*([^;]*)/i.exec(rule.slice(open + 1))?.[1];
      if (!value) continue;
      const parts = Array.from(value.matchAll(/"((?:[^"\\]|\\[\s\S])*)"|'((?:[^'\\]|\\[\s\S])*)'|\battr\(\s*([\w-]+)\s*\)/gi), (m) =>
        m[3] ? { attr: m[3].toLowerCase() } : { text: cssString(m[1] ?? m[2]) },
      );
      // Only text that can take part in a stamp is written in (icon fonts' "\f101" everywhere is not).
      if (!parts.some((p) => p.attr !== undefined || STAMP_PIECE.test(p.text!))) continue;
      for (const selector of rule.slice(0, open).split(',')) {
        const m = COMPOUND.exec(selector);
        if (m && (m[1] || m[2] || m[3])) out.push({ tag: m[1]?.toLowerCase(), cls: m[2], id: m[3], after: m[4].toLowerCase() === 'after', parts });
        if (out.length >= MAX_GENERATED) return out;
      }
    }
  }
  return out;
}
const MAX_GENERATED = 200;

/**
 * A list item's marker written as a string: `list-style-type: "秘 "` (or in `list-style`), a `::marker`
 * content, or the symbols of an `@counter-style`, in a style sheet or a list's own style attribute. The
 * browser draws it before each item's text, so it is written in at the start of every `<li>` (which list
 * a rule names is not followed: a marker piece of a stamp is rare enough that every item may take it).
 */
const MARKER = /(?:list-style(?:-type)?|symbols)\s*:[^;}"']*["']|::marker\b/i;
const MARKER_STRING = /(?:list-style(?:-type)?|symbols)\s*:([^;}]*)|::marker\s*\{[^}]*?\bcontent\s*:([^;}]*)/gi;
function markerRules(html: string): Generated[] {
  const out: Generated[] = [];
  for (const m of html.matchAll(MARKER_STRING)) {
    const value = decodeEntities(m[1] ?? m[2]);
    const first = /"((?:[^"\\]|\\[\s\S])*)"|'((?:[^'\\]|\\[\s\S])*)'/.exec(value);
    const text = first ? cssString(first[1] ?? first[2]) : '';
    if (STAMP_PIECE.test(text)) out.push({ tag: 'li', after: false, parts: [{ text }] });
    if (out.length >= MAX_GENERATED) break;
  }
  return out;
}
const STAMP_PIECE = /[秘㊙]|onfid/i;

const START_TAG = /<([a-z][\w-]*)(\s[^<>]*)?>/gi;

/**
 * The markup with each rule's text written in: right after the start tag of each element it names
 * (::before), or before that element's first end tag of its name (::after; nesting of the same tag is
 * not followed). One pass over the start tags.
 */
function withGenerated(html: string, rules: Generated[]): string {
  if (!rules.length) return html;
  const inserts: { at: number; text: string }[] = [];
  for (const m of html.matchAll(START_TAG)) {
    const tag = m[1].toLowerCase();
    const attrs = m[2] ?? '';
    for (const r of rules) {
      if ((r.tag && r.tag !== tag) || (r.cls && !hasClass(attrs, r.cls)) || (r.id && attrOf(attrs, 'id') !== r.id)) continue;
      const text = escapeText(r.parts.map((p) => p.text ?? attrOf(attrs, p.attr!) ?? '').join(''));
      if (!text) continue;
      const end = m.index + m[0].length;
      const close = r.after ? html.indexOf(`</${m[1]}`, end) : end;
      if (close >= 0) inserts.push({ at: close, text });
      if (inserts.length >= MAX_INSERTS) break;
    }
  }
  if (!inserts.length) return html;
  inserts.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const i of inserts) {
    out += html.slice(from, i.at) + i.text;
    from = i.at;
  }
  return out + html.slice(from);
}
const MAX_INSERTS = 100_000;

const hasClass = (attrs: string, cls: string): boolean => (attrOf(attrs, 'class') ?? '').split(/\s+/).includes(cls);
const attrPatterns = new Map<string, RegExp>();
function attrOf(attrs: string, name: string): string | null {
  let re = attrPatterns.get(name);
  if (attrPatterns.size > 256) attrPatterns.clear(); // names come from pages: kept bounded
  if (!re) attrPatterns.set(name, (re = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')));
  const m = re.exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3]) : null;
}

/** Classes the page's style sheets hide (`.h { display: none }`), by the simplest selectors only. */
function hiddenClasses(html: string): Set<string> {
  const out = new Set<string>();
  if (!/<style/i.test(html)) return out;
  for (const s of spans(html, STYLE, () => STYLE_END, { toTagEnd: true })) {
    // Each rule is `selectors { declarations }`: split at the braces (one pass, whatever a sheet holds).
    for (const rule of content(html, s).split('}')) {
      const open = rule.lastIndexOf('{');
      if (open < 0 || !HIDDEN_RULE.test(rule.slice(open + 1))) continue;
      for (const selector of rule.slice(0, open).split(',')) {
        const c = CLASS_SELECTOR.exec(selector)?.[1];
        if (c) out.add(c);
      }
    }
  }
  return out;
}

const hiddenByClass = (tag: string, classes: Set<string>): boolean => {
  if (!classes.size) return false;
  const m = CLASS_ATTR.exec(tag);
  return !!m && (m[1] ?? m[2] ?? m[3]).split(/\s+/).some((c) => classes.has(c));
};
const ELEMENT = /<([a-z][\w-]*)(?=[\s/>])/gi;
const endTags = new Map<string, RegExp>();
const endTag = (name: string): RegExp => {
  const key = name.toLowerCase();
  let re = endTags.get(key);
  if (!re) endTags.set(key, (re = new RegExp(`<\\/${key}\\s*>`, 'gi')));
  return re;
};
/** The markup without its hidden elements (markup-spans.ts: in one pass, whatever a hostile page holds). */
const withoutHidden = (html: string, classes: Set<string>): string =>
  replaceSpans(html, spans(html, ELEMENT, (m) => endTag(m[1]), { toTagEnd: true, accept: (tag) => HIDDEN_ATTR.test(tag) || hiddenByClass(tag, classes) }), () => '');

/** W3C XML Encryption's ciphertext: an EncryptedData element with a CipherValue after it (two searches, not one per start). */
function xmlEncrypted(markup: string): boolean {
  const at = markup.search(/<(?:[\w.-]+:)?EncryptedData\b/);
  if (at < 0) return false;
  const cipher = /<(?:[\w.-]+:)?CipherValue\b/g;
  cipher.lastIndex = at;
  return cipher.test(markup);
}

/** An Evernote export (also written by Joplin, Bear and other note apps): notes and their attachments. */
const ENEX = /<(?:!DOCTYPE\s+)?en-export\b/;
const RESOURCE = /<resource(?=[\s/>])/g;
const RESOURCE_END = /<\/resource>/g;
const DATA = /<data(?=[\s/>])/g;
const DATA_END = /<\/data>/g;
const FILE_NAME = /<file-name>/g;
const FILE_NAME_END = /<\/file-name>/g;

/**
 * The files attached to the notes of an Evernote export, base64 in <resource><data>, each a member by
 * its <file-name>. A resource whose data does not decode is unread, said.
 */
function* enexResources(xml: string, ctx: ExtractContext): Generator<Extracted> {
  for (const resource of spans(xml, RESOURCE, () => RESOURCE_END, XML_TAGS)) {
    ctx.addEntry();
    const body = content(xml, resource);
    const data = firstContent(body, DATA, DATA_END) ?? '';
    const name = decodeEntities(firstContent(body, FILE_NAME, FILE_NAME_END)?.trim() ?? '') || 'attachment';
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
const ATTR_VALUE = /\s[^\s=<>"'/]+\s*=\s*(?:"([^"]*)"|'([^']*)')/g; // any name: UOF's are Chinese (表:名称)

/**
 * XML of another vocabulary: its text with split words joined, then its attribute values, each apart
 * (SEPARATOR: two attributes are two fields).
 */
export function* xmlRuns(xml: string): Generator<Extracted> {
  const text = xmlToText(withoutInvisible(xml).replace(SPLIT_WORD, ''));
  for (const chunk of chunkText(text)) yield { kind: 'text', text: chunk, where: { area: 'body' } };
  const values = Array.from(xml.matchAll(ATTR_VALUE), (m) => m[1] ?? m[2]).filter((v) => /[^\x00-\x7f]|&#/.test(v) || /[A-Za-z]{4}/.test(v));
  const attributes = values.map(decodeEntities).join(SEPARATOR);
  for (const chunk of chunkText(attributes)) yield { kind: 'text', text: chunk, where: { area: 'body' } };
  yield* escapedHtml(text);
  yield* escapedHtml(attributes);
  // Android's string resources: the build resolves `\uXXXX` escapes, and the app shows the characters.
  if (text.includes('\\u') && ANDROID_RESOURCES.test(xml.slice(0, 4096))) {
    for (const chunk of chunkText(text.replace(UNICODE_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))))) yield { kind: 'text', text: chunk, where: { area: 'body' } };
  }
}

const ANDROID_RESOURCES = /<resources\b/;
const UNICODE_ESCAPE = /\\u([0-9A-Fa-f]{4})/g;

/** A tag or an entity reference of HTML, as text (once unescaped): `<b>`, `<br/>`, `</p>`, `&nbsp;`. */
export const ESCAPED_MARKUP = /<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>|&(?:[a-z]+|#\d+|#x[\da-f]+);/i;

/**
 * HTML kept as the text of an element or an attribute (an RSS item's description, an Atom entry's
 * `type="html"` content, a KML placemark's description, an Outlook for Mac message body, a draw.io
 * label, an iCalendar description): the program that opens the file renders it, so it is read rendered
 * too, tags gone and entities resolved, besides as the text it is.
 */
export function* escapedHtml(text: string): Generator<Extracted> {
  if (!ESCAPED_MARKUP.test(text)) return;
  for (const x of htmlRuns(text)) if (x.kind === 'text') yield x;
}
