/**
 * Text of an XML (or HTML) document as a reader sees it: tags removed, paragraph and line
 * breaks turned into newlines, character references decoded. Good enough for every office
 * format we read, and much faster than a DOM.
 */

import { instructionShows, shownByInstruction } from './field-shown.js';
import { formatShown } from './number-format.js';
import { NEEDLES, decoder, findNeedles, followedByKanaOrKanji, type Needle } from './byte-scan.js';
import { bothReadings, SEPARATOR } from './sheet-rows.js';
import { XML_TAGS, content, outer, replaceSpans, spans, tameTail } from './markup-spans.js';
import { decodeHTML } from 'entities';
import { NO_STYLES, hiddenStyles, isOn, odfStyleDefs, paragraphHides, textStyleSays, type HiddenStyles, type StyleDefs } from './hidden-styles.js';

// Ends of paragraphs, cells and lines in WordprocessingML, DrawingML, SpreadsheetML, ODF and HTML.
const BREAKS =
  /<\/(?:w:p|a:p|text:p|text:h|si|c|is|row|office:annotation|p|div|li|tr|td|th|h[1-6]|title)>|<(?:w:br|a:br|w:cr|text:line-break|br)\b[^>]*>|<(?:w:tab|text:tab|text:s)\b[^<>]*\/>/g;
// (A tab or space element's attributes run to the next `<` at most: an XML attribute holds none, and
// `[^>]*\/>` tried every place before a far `>` from each of a hostile run of starts.)
const TAGS = /<[^>]*>/g;
// Text set aside from the line it is anchored in: an ODF comment or footnote/endnote sits inside the
// paragraph's markup, but a reader sees it apart (「…社外秘」 then a comment 「Confidential…」 is not the
// stamp). Not whitespace, so it breaks 秘 … Confidential; the stamp whole inside one still counts.
const ASIDE = /<\/?(?:office:annotation|text:note)\b[^>]*>/g;
/** The character of a code point a reference or an escape gives; null for none (0, a lone surrogate, past U+10FFFF). */
export function charOfCode(n: number): string | null {
  return n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff) ? String.fromCodePoint(n) : null;
}

/**
 * Character references decoded as a browser decodes them: every HTML5 name (`&ZeroWidthSpace;`,
 * `&NoBreak;`, `&hairsp;`, `&Copf;`: 2,231 of them, not the few an office format writes), and the forms
 * a browser accepts without the `;` (`&#31192 `, `&#x79D8`, `&nbspConfidential`). An XML document holds
 * only the five predefined names and numeric references, which this decodes the same.
 */
export function decodeEntities(s: string): string {
  return s.indexOf('&') < 0 ? s : decodeHTML(s);
}

// Text a reader sees although Office keeps it in attributes: WordArt and Word watermarks (VML
// <v:textpath string="…">), the alternative text of pictures and shapes (DrawingML docPr/cNvPr
// descr and title, VML alt and o:title, HTML alt and title), and the message a cell shows when it is
// selected or refuses a value (Excel's data validation promptTitle/prompt/errorTitle/error, the title of
// an ODF content validation's help or error message), and the literal text of an Excel number format,
// which a cell shows beside (or instead of) its value: `"秘 Confidential "0` shows 「秘 Confidential 3」;
// and a list's label, shown before each of its paragraphs (Word's numbering lvlText `秘 Confidential %1.`,
// ODF's num-prefix, num-suffix and bullet-char; PowerPoint's bullet character, written in the
// paragraph itself, so it reads in place: 「秘」, then the paragraph's 「Confidential」); and a link's
// ScreenTip (Excel's, Word's and PowerPoint's hyperlink tooltip, shown when the pointer rests on it; in ODF
// the link's hint text, office:title on text:a and draw:a, where Gnumeric saves an Excel ScreenTip);
// and a PowerPoint section's name; and an ODF form control's text (FORM_ATTR).
const SEEN_IN_ATTRS =
  /<(?:form:(?:text|textarea|formatted-text|combobox|file|fixed-text|button|checkbox|radio|frame|option|item)|v:textpath|v:shape|v:rect|v:roundrect|v:oval|v:image|v:imagedata|[a-z]+:docPr|[a-z]+:cNvPr|img|area|(?:[a-z\d]+:)?dataValidation|table:help-message|table:error-message|(?:[a-z\d]+:)?numFmt|(?:w:)?hyperlink|text:a|draw:a|a:hlinkClick|a:hlinkHover|p14:section|w:lvlText|text:list-level-style-(?:number|bullet)|text:outline-level-style|a:buChar)\b[^>]*>/gi;
const SEEN_ATTR = /\b(string|alt|descr|title|promptTitle|prompt|errorTitle|error|formatCode|val|num-prefix|num-suffix|bullet-char|char|tooltip)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** A PowerPoint section's name (p14:section, in presentation.xml): the heading of its slides in the thumbnail pane and the sorter. */
const SECTION_NAME = /\b(name)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * An ODF form control (office:forms; LibreOffice's Form Controls in Writer, Calc and Impress) keeps what
 * it shows in attributes: a text box's or combo box's text (form:current-value), the caption of a label,
 * push button, check box, option button or group box and each entry of a list or combo box (form:label),
 * and its tooltip (form:title). Not form:value: a text box's default, which LibreOffice 7.4 leaves out of
 * the box it opens (it shows after a reset of the form), a check box's or an option's value (sent, never
 * shown), a password box's (shown as dots).
 */
const FORM_ATTR = /(?<=\s)form:(current-value|label|title)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attributeText(tag: string): string {
  let out = '';
  for (const m of tag.matchAll(attributesShown(tag))) out += '\n' + (m[1] === 'formatCode' ? formatLiterals(m[2] ?? m[3]) : (m[2] ?? m[3]));
  return out ? out + '\n' : tag;
}

/** The attributes of this tag that show text. */
function attributesShown(tag: string): RegExp {
  if (tag.startsWith('<p14:section')) return SECTION_NAME;
  return tag.startsWith('<form:') ? FORM_ATTR : SEEN_ATTR;
}

/** A number format's code as a cell shows its literals (number-format.ts; other entities kept). */
const formatLiterals = (code: string): string => formatShown(code.replace(/&quot;/g, '"'));

// Most parts have none of these attributes: one quick test spares them the tag-by-tag pass.
const SEEN_ATTR_HINT = /(?:string|alt|descr|[tT]itle|prompt|error|formatCode|num-prefix|num-suffix|bullet-char|tooltip|form:current-value|form:label)\s*=|<(?:w:lvlText|a:buChar|p14:section)\b/;

// Word's tracked deletions (a deleted or moved-away run; not the self-closing marks a deleted paragraph
// mark leaves in its run properties).
const DELETED_START = /<w:(del|moveFrom)\b(?:[^>]{0,4096}[^/>])?>/g;
const DELETED_END: Record<string, RegExp> = { del: /<\/w:del>/g, moveFrom: /<\/w:moveFrom>/g };
const withoutDeleted = (xml: string): string => replaceSpans(xml, spans(xml, DELETED_START, (m) => DELETED_END[m[1]]), () => '');

/**
 * A spreadsheet string's phonetic runs (ふりがな), when they are kana: Japanese Excel writes the reading of
 * every string typed through the IME after its text (`<t>秘</t><rPh sb="0" eb="1"><t>ヒ</t></rPh>`), hidden
 * unless ふりがなの表示 is on, and then set small above the text, never on the cell's line. Left out, so
 * that 「秘」 reads 「秘」 beside the next cell as it does when typed without the IME; a run that is not kana
 * only (edited to hold other text) is read where it is.
 */
const KANA_READING = /<(?:[\w.-]+:)?rPh\b[^<>]*>\s*<(?:[\w.-]+:)?t(?:\s[^<>]*)?>[\u3041-\u309F\u30A0-\u30FF\uFF65-\uFF9F\s]*<\/(?:[\w.-]+:)?t>\s*<\/(?:[\w.-]+:)?rPh>/g;
export const withoutKanaReadings = (xml: string): string => (xml.includes('rPh') ? xml.replace(KANA_READING, '') : xml);

/**
 * A Word part with tracked deletions or hidden text reads two ways: as a reviewer sees it (deleted and
 * hidden text in place) and as the document shows with the changes accepted and hidden text left out,
 * which is what "no markup" shows and what prints: 「秘」, a deleted or hidden 「書室」, then
 * 「 Confidential」 shows as the stamp. Both are given, apart. `styles`: the document's character and
 * paragraph styles (hidden-styles.ts), which hide text as the run's own formatting does; by default an
 * ODF part's own (a flat document's, or automatic styles).
 */
export function xmlToText(xml: string, styles?: StyleDefs): string {
  const text = markupText(xml);
  const deleted = xml.includes('<w:del') || xml.includes('<w:moveFrom');
  const hiding = hiddenStyles(styles ?? (xml.includes('text:display=') ? odfStyleDefs(xml) : NO_STYLES));
  const hidden = xml.includes('<w:vanish') || (hiding !== null && (hiding.plain || xml.includes('<w:rStyle') || xml.includes('<w:pStyle')));
  const odfHidden = (hiding !== null && xml.includes('text:style-name=')) || (xml.includes('<text:section') && ODF_HIDDEN_SECTION.test(xml)) || xml.includes('<text:hidden-paragraph');
  const ruby = xml.includes('<rt') || xml.includes('<RT') || xml.includes('<text:ruby-text') || xml.includes('<w:rt>');
  const abiHidden = xml.includes('display:none') && xml.includes('<c ');
  const phantom = xml.includes('<m:phant');
  if (!deleted && !hidden && !odfHidden && !ruby && !abiHidden && !phantom) return text;
  // As the page shows: tracked changes accepted, hidden text (Word's "hidden" font effect, an ODF
  // style with text:display="none", each set on the text or through its style, and an ODF section
  // hidden) left out, and the base text of ruby read on its line without the reading set above it
  // (「秘」 with 「ひ」 over it, then 「 Confidential」 shows as the stamp).
  let visible = deleted ? withoutDeleted(xml) : xml;
  if (hidden) visible = withoutHiddenRuns(visible, hiding);
  if (odfHidden) visible = withoutOdfHidden(visible, hiding);
  if (ruby) visible = withoutRubyText(visible);
  if (abiHidden) visible = withoutElements(visible, ABI_RUN, () => ABI_RUN_END, (tag) => ABI_HIDDEN.test(tag));
  if (phantom) visible = withoutPhantoms(visible);
  return bothReadings(text, markupText(visible));
}

// An equation's phantom (<m:phant>, LaTeX's \phantom) takes room without being drawn when its properties say
// <m:show m:val="0"/> (docx's MathPhantom), and LibreOffice draws none at all, whatever m:show says (it
// reads each as StarMath's `phantom`): 「秘」, a phantom 「書室」, then 「 Confidential」 shows as the stamp.
// The page as shown is read without any phantom (the other reading keeps them). Phantoms do not nest
// here (spans): one inside another ends the outer one early, which keeps more text, never less.
const PHANTOM = /<m:phant(?=[\s/>])/g;
const PHANTOM_END = /<\/m:phant>/g;
const withoutPhantoms = (xml: string): string => withoutElements(xml, PHANTOM, () => PHANTOM_END, () => true);

// AbiWord's own format (.abw): a run's formatting is CSS-like `props` on a <c> element, and hidden text
// is `display:none` there.
const ABI_RUN = /<c(?=[\s/>])/g;
const ABI_RUN_END = /<\/c>/g;
const ABI_HIDDEN = /\bprops\s*=\s*"[^"]*\bdisplay\s*:\s*none/;

// ODF text hidden by its style: a span (character style) or a whole paragraph or heading (paragraph
// style); and a section hidden (Format → Sections → Hide, or hidden on a condition, which is not
// evaluated here: this reading is the one without it, the other keeps it).
const ODF_HIDDEN_SECTION = /<text:section\s[^<>]*\btext:display="(?:none|condition)"/;
const SPAN_START = /<text:span(?=[\s/>])/g;
const SPAN_END = /<\/text:span>/g;
const PARAGRAPH_START = /<text:(p|h)(?=[\s/>])/g;
const PARAGRAPH_END: Record<string, RegExp> = { p: /<\/text:p>/g, h: /<\/text:h>/g };
const SECTION_START = /<text:section(?=[\s/>])/g;
const SECTION_END = /<\/text:section>/g;

function withoutOdfHidden(xml: string, hiding: HiddenStyles | null): string {
  let out = xml;
  if (hiding?.text.size) out = withoutElements(out, SPAN_START, () => SPAN_END, styledBy(hiding.text));
  // A paragraph of a hiding style still shows its spans whose character style says shown
  // (text:display="true"): LibreOffice 7.4 prints them, as Word does a `<w:vanish w:val="0"/>` character style's runs.
  if (hiding?.paragraph.size) {
    const found = spans(out, PARAGRAPH_START, (m) => PARAGRAPH_END[m[1]], { ...XML_TAGS, accept: styledBy(hiding.paragraph) });
    const shows = hiding.textShown.size ? styledBy(hiding.textShown) : null;
    out = replaceSpans(out, found, (p) => {
      if (!shows) return '';
      const inner = content(out, p);
      const kept = Array.from(spans(inner, SPAN_START, () => SPAN_END, { ...XML_TAGS, accept: shows }), (sp) => outer(inner, sp)).join('');
      return kept ? `<text:p>${kept}</text:p>` : '';
    });
  }
  if (out.includes('<text:section')) out = withoutElements(out, SECTION_START, () => SECTION_END, (tag) => ODF_HIDDEN_SECTION.test(tag));
  if (out.includes('<text:hidden-paragraph')) out = withoutHiddenParagraphs(out);
  return out;
}

/**
 * A paragraph hidden by the field in it (Insert → Field → Hidden Paragraph): LibreOffice writes the
 * condition's last value as `text:is-hidden="true"`, and the paragraph is not shown. Each such field's
 * paragraph, from its start tag to its end, is left out (one pass: each search starts past the last).
 */
const HIDDEN_PARAGRAPH = /<text:hidden-paragraph\b[^<>]*\btext:is-hidden="true"/g;
function withoutHiddenParagraphs(xml: string): string {
  let out = '';
  let from = 0;
  for (const m of xml.matchAll(HIDDEN_PARAGRAPH)) {
    if (m.index < from) continue;
    const start = Math.max(...['<text:p>', '<text:p ', '<text:h>', '<text:h '].map((t) => xml.lastIndexOf(t, m.index - 1)));
    const close = xml.indexOf(xml.startsWith('<text:h', start) ? '</text:h>' : '</text:p>', m.index);
    if (start < from || close < 0) continue;
    out += xml.slice(from, start);
    from = close + '</text:p>'.length; // as long as </text:h>
  }
  return from === 0 ? xml : out + xml.slice(from);
}

/** Whether a start tag names one of these styles. */
function styledBy(names: ReadonlySet<string>): (tag: string) => boolean {
  return (tag) => names.has(ODF_STYLE_NAME.exec(tag)?.[1] ?? '');
}
const ODF_STYLE_NAME = /\btext:style-name="([^"]*)"/;

/** `xml` without the elements whose start tag `accept`s. */
const withoutElements = (xml: string, start: RegExp, end: (m: RegExpExecArray) => RegExp, accept: (tag: string) => boolean): string =>
  replaceSpans(xml, spans(xml, start, end, { ...XML_TAGS, accept }), () => '');

// The reading set above ruby's base: HTML's <rt>/<rp> (whose end tags may be left out: each ends at the
// next ruby tag), ODF's <text:ruby-text>, Word's <w:rt>.
const RUBY_START = /<(rt|rp|text:ruby-text|w:rt)(?=[\s/>])/gi;
const RUBY_END: Record<string, RegExp> = {
  rt: /(?=<\/?(?:rt|rp|rtc|ruby)\b)/gi,
  'text:ruby-text': /<\/text:ruby-text>/gi,
  'w:rt': /<\/w:rt>/gi,
};
RUBY_END.rp = RUBY_END.rt;
const withoutRubyText = (xml: string): string =>
  replaceSpans(xml, spans(xml, RUBY_START, (m) => RUBY_END[m[1].toLowerCase()], { toTagEnd: true }), () => '');

// A Word run formatted hidden (w:vanish on, not w:val="0"/"false"/"off"), itself or through its character
// style or its paragraph's style or the document defaults: on screen and on paper it is not there. Word's
// order: the run's own setting, else its character style's, else its paragraph's (hidden-styles.ts).
// (markup-spans.ts: in one pass, whatever a hostile part holds.)
const RUN_START = /<w:r\b(?:[^>]{0,4096}[^/>])?>/g;
const RUN_END = /<\/w:r>/g;
const VANISH = /<w:vanish(?:\s+w:val="([^"]*)")?\s*\/>/;
const RUN_STYLE = /<w:rStyle\s+w:val="([^"]*)"/;
function withoutHiddenRuns(xml: string, hiding: HiddenStyles | null): string {
  const inHiddenParagraph = hiding && (hiding.paragraph.size || hiding.plain) ? paragraphsHidden(xml, hiding) : () => false;
  return replaceSpans(xml, spans(xml, RUN_START, () => RUN_END), (r) => {
    const run = outer(xml, r);
    const own = VANISH.exec(run);
    const style = RUN_STYLE.exec(run)?.[1];
    const byStyle = style === undefined || !hiding ? null : textStyleSays(hiding, style);
    const hidden = own ? isOn(own[1]) : (byStyle ?? inHiddenParagraph(r.start.index));
    return hidden ? '' : run;
  });
}

// Where paragraphs start and end and name their style. (A start tag's attributes run to the next `<` at most.)
const PARAGRAPH_MARK = /<w:p(?=[\s/>])[^<>]*>|<\/w:p>|<w:pStyle\s[^<>]*>/g;

/**
 * Asked with offsets in order: whether the paragraph there has a hidden style. A stack, as a text box's
 * paragraphs sit inside a run of the paragraph that anchors it.
 */
function paragraphsHidden(xml: string, hiding: HiddenStyles): (at: number) => boolean {
  const stack: boolean[] = [];
  const marks = new RegExp(PARAGRAPH_MARK); // its own place: asked lazily, while the runs are walked
  let next = marks.exec(xml);
  return (at) => {
    for (; next && next.index < at; next = marks.exec(xml)) {
      const tag = next[0];
      if (tag === '</w:p>') stack.pop();
      else if (tag.startsWith('<w:pStyle')) {
        if (stack.length) stack[stack.length - 1] = paragraphHides(hiding, W_VAL.exec(tag)?.[1] ?? '');
      } else if (!tag.endsWith('/>')) stack.push(hiding.plain);
    }
    return stack.at(-1) ?? false;
  };
}

// Fields that show what their attributes hold. A legacy drop-down form field (FORMDROPDOWN) has no
// result: it shows the entry picked from its list, else the first (Word: <w:ddList> with <w:result>, else
// <w:default>, picking a <w:listEntry>; LibreOffice: a <field:fieldmark> of that type whose params are
// Dropdown_ListEntry and Dropdown_Selected). A <w:fldSimple> shows what its instruction shows of its
// own (field-shown.ts: MACROBUTTON's text, EQ ruby's base) before its result, if it has one.
const FIELD_HINT = /<w:ddList\b|FORMDROPDOWN|<w:fldSimple\b/;
// (markup-spans.ts: one pass, whatever a hostile part holds.)
const WORD_DROPDOWN = /<w:ddList(?=[\s/>])/g;
const WORD_DROPDOWN_END = /<\/w:ddList>/g;
const ODF_FIELDMARK = /<field:fieldmark(?=[\s/>])/g;
const ODF_FIELDMARK_END = /<\/field:fieldmark>/g;
const SIMPLE_FIELD = /<w:fldSimple(?=[\s/>])/g;
const attrValue = (name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`);
const W_VAL = attrValue('w:val');
const W_INSTR = attrValue('w:instr');
const FIELD_NAME = attrValue('field:name');
const FIELD_VALUE = attrValue('field:value');

function fieldText(xml: string): string {
  let out = xml.includes('<w:ddList') ? replaceSpans(xml, spans(xml, WORD_DROPDOWN, () => WORD_DROPDOWN_END, XML_TAGS), (s) => wordDropDown(content(xml, s))) : xml;
  if (out.includes('FORMDROPDOWN')) {
    const x = out;
    const accept = (tag: string) => tag.includes('FORMDROPDOWN');
    out = replaceSpans(x, spans(x, ODF_FIELDMARK, () => ODF_FIELDMARK_END, { ...XML_TAGS, accept }), (s) => odfDropDown(content(x, s)));
  }
  if (out.includes('<w:fldSimple')) {
    const x = out;
    // The start tag only (its result, if any, stays where it is): what the instruction shows goes before it.
    const selfClosing = () => true;
    out = replaceSpans(x, spans(x, SIMPLE_FIELD, () => SIMPLE_FIELD, { toTagEnd: true, selfClosing }), (s) => {
      const shown = shownByInstruction(decodeEntities(W_INSTR.exec(s.tag)?.[1] ?? '')) ?? '';
      return shown.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;')) + s.tag;
    });
  }
  return out;
}

/** Word's <w:ddList>: the <w:listEntry> that <w:result> (else <w:default>, else the first) picks. */
function wordDropDown(list: string): string {
  const entries: string[] = [];
  let result: string | undefined;
  let fallback: string | undefined;
  for (const [tag, name] of list.matchAll(/<w:(listEntry|result|default)\b[^>]*>/g)) {
    const v = W_VAL.exec(tag)?.[1];
    if (v === undefined) continue;
    if (name === 'listEntry') entries.push(v);
    else if (name === 'result') result = v;
    else fallback = v;
  }
  return entries[Number(result ?? fallback ?? 0)] ?? entries[0] ?? '';
}

/** LibreOffice's drop-down fieldmark: the Dropdown_ListEntry param that Dropdown_Selected picks. */
function odfDropDown(params: string): string {
  const entries: string[] = [];
  let picked = 0;
  for (const [tag] of params.matchAll(/<field:param\b[^>]*>/g)) {
    const name = FIELD_NAME.exec(tag)?.[1];
    const value = FIELD_VALUE.exec(tag)?.[1] ?? '';
    if (name === 'Dropdown_ListEntry') entries.push(value);
    else if (name === 'Dropdown_Selected') picked = Number(value) || 0;
  }
  return entries[picked] ?? entries[0] ?? '';
}

// A CDATA section is text as it stands (an RSS item's description, an XLIFF segment, a script's
// data): without this, TAGS took `<![CDATA[秘 Confidential]]>` for one tag and dropped it. What a
// section holds is often HTML that a reader renders (an RSS description: `<p>秘</p> <b>Confidential</b>`),
// so one with markup in it is also read as markup.
const CDATA = /<!\[CDATA\[/g;
const CDATA_END = /\]\]>/g;
const asText = (s: string): string => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const unwrapCdata = (xml: string, as: (inner: string) => string): string => replaceSpans(xml, spans(xml, CDATA, () => CDATA_END), (s) => as(content(xml, s)));

function markupText(markup: string): string {
  if (!markup.includes('<![CDATA[')) return markupTextOf(markup);
  let holdsMarkup = false;
  const text = markupTextOf(
    unwrapCdata(markup, (inner) => {
      holdsMarkup ||= inner.includes('<');
      return asText(inner);
    }),
  );
  return holdsMarkup ? bothReadings(text, markupTextOf(tameTail(unwrapCdata(markup, (inner) => inner)))) : text;
}

// A symbol Word inserts with its font chosen (Insert → Symbol; the docx package's SymbolRun) is an
// element whose character is in hex in `w:char`: 秘 is `<w:sym w:font="MS Mincho" w:char="79D8"/>`. Codes
// F000–F0FF are a symbol font's own glyphs (Wingdings, Symbol), not characters.
const SYMBOL = /<w:sym\b[^<>]*>/g;
function symbolText(tag: string): string {
  const code = parseInt(attr(tag, 'w:char') ?? '', 16);
  return code >= 0xf000 && code <= 0xf0ff ? '' : escapeText(charOfCode(code) ?? '');
}

/**
 * A Word complex field: `<w:fldChar w:fldCharType="begin"/>`, its instruction in `<w:instrText>` runs (a
 * nested field may sit among them), `separate`, its result, `end`. Word shows the result, never the
 * instruction: 「秘 」 + { DOCPROPERTY "Classification" } (how templates print a classification label, a
 * title in the header, a mail-merge value) reads 「秘 Confidential」. The instruction is taken out, and
 * what it shows of its own (field-shown.ts: MACROBUTTON's text, EQ ruby's base, a SYMBOL's character)
 * put in its place; a nested field's result inside an instruction is part of that instruction.
 */
const FIELD_CODE_PART = /<w:fldChar\b[^<>]*>|<w:(del)?instrText\b[^<>]*>([^<]*)<\/w:(?:del)?instrText>|<w:t\b[^<>]*>[^<]*<\/w:t>/g;
const FIELD_CHAR_TYPE = attrValue('w:fldCharType');

function withoutFieldCodes(xml: string): string {
  /** Open fields, innermost last; `instr` while their instruction is being read, null once past it. */
  const fields: { instr: string | null }[] = [];
  /** The open fields whose instruction is being read, innermost last (a stack of its own: no walk per tag). */
  const reading: { instr: string | null }[] = [];
  let out = '';
  let last = 0;
  const drop = (m: RegExpExecArray, keep = '') => {
    out += xml.slice(last, m.index) + keep;
    last = m.index + m[0].length;
  };
  for (const m of xml.matchAll(FIELD_CODE_PART)) {
    const tok = m[0];
    if (tok.startsWith('<w:fldChar')) {
      const type = FIELD_CHAR_TYPE.exec(tok)?.[1];
      if (type === 'begin') {
        const f = { instr: '' };
        fields.push(f);
        reading.push(f);
      }
      if (type !== 'separate' && type !== 'end') continue;
      const f = fields.at(-1);
      if (type === 'end') fields.pop();
      if (f?.instr == null) continue;
      const instr = f.instr;
      f.instr = null;
      reading.pop(); // f: the innermost open field, so the innermost one being read
      const shown = instructionShows(instr);
      const outer = reading.at(-1);
      // Inside another field's instruction: what it shows belongs to that instruction, not to the page.
      if (outer) outer.instr += shown;
      else drop(m as RegExpExecArray, escapeText(shown) + tok);
      continue;
    }
    if (tok.startsWith('<w:t')) {
      if (reading.length) drop(m as RegExpExecArray);
      continue;
    }
    // An instruction's text (a deleted one too): never shown. (Before any begin: a window that starts inside a field.)
    const open = reading.at(-1);
    if (open && !m[1]) open.instr += decodeEntities(m[2]);
    drop(m as RegExpExecArray);
  }
  return last === 0 ? xml : out + xml.slice(last);
}

/**
 * Things anchored inside a paragraph but shown apart from its line: a comment (in the margin), and a
 * floating frame, shape or picture (ODF `draw:*` not anchored as a character; Word's `wp:anchor`
 * drawings, and VML shapes positioned absolutely). Their markup sits between the words around their
 * anchor, so 「秘」 + a comment + 「 Confidential」 read 「秘 (comment) Confidential」, where the reader
 * sees 「秘 Confidential」 on the line. Each is lifted out of the line and read after it, apart. (An
 * inline picture or frame stands on the line, and a footnote's number is printed there: those stay.)
 */
const ANCHORED = /<(office:annotation|draw:(?:frame|custom-shape|rect|ellipse|polygon|polyline|path|line|connector|caption|measure|g)|mc:AlternateContent|wp:anchor|w:pict)(?=[\s/>])/g;
const ANCHORED_HINT = /<(?:office:annotation|draw:|wp:anchor|w:pict|img\b)/i;
/**
 * An HTML picture floated to a side (`align="left"`, as LibreOffice exports a floating shape or frame, or
 * CSS `float`): the line's text flows past it, so 「秘」, such a picture, 「Confidential」 shows as the stamp.
 * Its tag (its alt text) is read after the line, apart.
 */
const HTML_IMG = /<img\b[^<>]*>/gi;
const FLOATS = /\balign\s*=\s*["']?(?:left|right)\b|\bfloat\s*:\s*(?:left|right)\b/i;
/** The end tag of the element a start pattern's first group names (one expression per name, kept). */
const elementEnds = new Map<string, RegExp>();
const elementEnd = (m: RegExpExecArray) => {
  let re = elementEnds.get(m[1]);
  if (!re) elementEnds.set(m[1], (re = new RegExp(`</${m[1]}>`, 'g')));
  return re;
};
/** Whole elements from a start pattern that matches `<name` only: to the start tag's `>`, and `/>` closes one. */
const WHOLE_ELEMENTS = { toTagEnd: true, selfClosing: (t: string) => t.endsWith('/>') };

function liftAnchored(xml: string): string {
  const lifted: string[] = [];
  const apart = (tag: string, inner: string): boolean => {
    if (tag.startsWith('<office:annotation')) return true;
    // In a text document a frame or shape inside a paragraph says how it is anchored; a slide's or a
    // drawing's frames (no anchor type) are the page's own text blocks and stay where they are.
    if (tag.startsWith('<draw:')) return /text:anchor-type\s*=\s*["'](?:char|paragraph|page|frame)["']/.test(tag);
    if (tag.startsWith('<mc:AlternateContent')) return inner.includes('<wp:anchor');
    if (tag.startsWith('<w:pict')) return /position\s*:\s*absolute/.test(inner);
    return true; // wp:anchor
  };
  const found = [...spans(xml, ANCHORED, elementEnd, WHOLE_ELEMENTS)].filter((s) => apart(s.tag, xml.slice(s.inner, s.close)));
  let line = found.length === 0 ? xml : replaceSpans(xml, found, (s) => {
    lifted.push(xml.slice(s.inner, s.close));
    return '';
  });
  if (/<img\b/i.test(line)) {
    line = line.replace(HTML_IMG, (tag) => {
      if (!FLOATS.test(tag)) return tag;
      lifted.push(tag);
      return '';
    });
  }
  return lifted.length === 0 ? xml : [line, ...lifted].join(SEPARATOR);
}

// Document properties (title, subject, each keyword, company, each custom property…) are fields of their
// own: every reader shows each apart (File › Properties, an e-book's details, pdfinfo), as an e-mail's
// Subject and From are. A Title 「社外秘」 and a Subject 「Confidential」 are no stamp; 「秘 Confidential」
// written in one property is. Where they are markup, each element ends a field: SEPARATOR, which the stamp
// rule does not take for whitespace. Blocks of them inside a part: ODF's meta (meta.xml, a flat document's),
// an e-book's OPF metadata, XMP (RDF: in SVG, in an OPF); Office's docProps parts are whole (ooxml.ts).
const PROPERTY_BLOCK = /<(office:meta|metadata|opf:metadata|rdf:RDF)(?=[\s>])/g;
const PROPERTY_BLOCK_HINT = new RegExp(PROPERTY_BLOCK.source);
const END_TAG = /<\/[^<>]*>/g;

/** Markup of document properties, each element's end a field's end (PROPERTY_BLOCK). */
export const propertiesApart = (xml: string): string => xml.replace(END_TAG, (tag) => tag + SEPARATOR);

/** Document properties read value by value (PDF's Info dictionary, XMP, RTF's \info…): each a field of its own (PROPERTY_BLOCK). */
export const propertiesText = (values: Iterable<string>): string =>
  Array.from(values, (v) => v.trim())
    .filter(Boolean)
    .join(SEPARATOR);

/** The property blocks in a part's markup with their fields apart. */
const withPropertiesApart = (xml: string): string =>
  replaceSpans(xml, spans(xml, PROPERTY_BLOCK, elementEnd, WHOLE_ELEMENTS), (s) => propertiesApart(outer(xml, s)));

const NO_BREAK_HYPHEN = /<w:noBreakHyphen\b[^<>]*>/g;
const TEXT_CONTENT = /<number:text-content\b[^<>]*>/g;
// A page's header prints at its top and its footer at its bottom, the body between them: each is read
// apart (「社外秘」 in the header and 「Confidential 2024」 in the footer are no stamp). ODF master pages'
// headers and footers, and a worksheet's printed ones.
const PAGE_MARGIN_END = /<\/(?:style:(?:header|footer)(?:-left|-first)?|(?:[\w.-]+:)?(?:odd|even|first)(?:Header|Footer))>/g;

// A drawing's place and size written as element content (DrawingML's anchor offsets in EMU, its
// alignment keyword, Word 2010's relative sizes): Word shows none of it, and read as text it glued
// 「360045360045」 to the text box's 「秘 Confidential」 in the excerpt an admin reads.
const LAYOUT_VALUES = /<(wp(?:14)?:(?:posOffset|align|pctWidth|pctHeight|pctPosHOffset|pctPosVOffset))>[^<]*<\/\1>/g;

function markupTextOf(markup: string): string {
  const xml0 = PROPERTY_BLOCK_HINT.test(markup) ? withPropertiesApart(markup) : markup;
  const xml = xml0.includes('<wp') ? xml0.replace(LAYOUT_VALUES, '') : xml0;
  const coded0 = ANCHORED_HINT.test(xml) ? liftAnchored(xml) : xml;
  const coded = coded0.includes('instrText>') ? withoutFieldCodes(coded0) : coded0;
  const symbols0 = coded.includes('<w:sym') ? coded.replace(SYMBOL, symbolText) : coded;
  // Word's non-breaking hyphen shows as a hyphen (「Confi‑dential」 is not the word).
  const symbols = symbols0.includes('<w:noBreakHyphen') ? symbols0.replace(NO_BREAK_HYPHEN, '\u2011') : symbols0;
  const fields = FIELD_HINT.test(symbols) ? fieldText(symbols) : symbols;
  const withAttrs = SEEN_ATTR_HINT.test(fields) ? fields.replace(SEEN_IN_ATTRS, attributeText) : fields;
  // Only ODF has asides: other parts are spared the pass.
  const aside = withAttrs.includes('office:annotation') || withAttrs.includes('text:note') ? withAttrs.replace(ASIDE, SEPARATOR) : withAttrs;
  const apart0 = aside.includes('Header>') || aside.includes('Footer>') || aside.includes('<style:header') || aside.includes('<style:footer') ? aside.replace(PAGE_MARGIN_END, SEPARATOR) : aside;
  // An ODF text data style's `<number:text-content/>` is where a cell's text goes: its literals either side
  // are never side by side (`<number:text>秘</number:text><number:text-content/><number:text> Confidential</number:text>`
  // shows the cell 書室 as 「秘書室 Confidential」). What a cell shows through it is read with the cell (ods-formats.ts).
  const apart = apart0.includes('<number:text-content') ? apart0.replace(TEXT_CONTENT, SEPARATOR) : apart0;
  return decodeEntities(apart.replace(BREAKS, '\n').replace(TAGS, ''));
}

/** Text made character data again: `&` and `<` escaped, so that text written back into markup reads as itself. */
export const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Value of `name="…"` inside one start tag. */
export function attr(tag: string, name: string): string | null {
  // Either quote: XML allows both (a formula holding " is written in ' by some producers).
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? decodeEntities(m[1] ?? m[2]) : null;
}

export const MARKUP_BACK = 2048;
// A stamp split across formatting runs has tags between 秘 and Confidential; 16 KiB of markup
// holds far more run boundaries than any real document puts there.
export const MARKUP_FWD = 16384;
// 秘 and ㊙ in UTF-8, "&#", which may start a character reference that spells them, and a Word symbol's
// `w:char=` (SYMBOL above), which may hold one in hex.
export const WORD_SYMBOL: Needle = { bytes: new TextEncoder().encode('w:char='), enc: 'utf-8', anchor: 2 };
const CHAR_REF: Needle = { bytes: Uint8Array.from([0x26, 0x23]), enc: 'utf-8', anchor: 1 };
export const MARKUP_NEEDLES: readonly Needle[] = [...NEEDLES['utf-8'], CHAR_REF, WORD_SYMBOL];

/**
 * Whether the character reference at `at` ("&#…") may spell 秘 or ㊙: it does, or it is cut off by the
 * end of `bytes` (a chunk's end: its digits come in the next). A reference to any other character is
 * no stamp: a producer that writes every non-ASCII character as a reference (openpyxl's, some
 * converters') would otherwise make every cell of a million-row sheet a place to read around.
 */
function refMaySpellStamp(bytes: Uint8Array, at: number): boolean {
  let i = at + 2;
  const hex = bytes[i] === 0x78 || bytes[i] === 0x58;
  if (hex) i++;
  let value = 0;
  let digits = 0;
  for (; i < bytes.length; i++, digits++) {
    const b = bytes[i];
    const d = b >= 0x30 && b <= 0x39 ? b - 0x30 : hex && (b | 0x20) >= 0x61 && (b | 0x20) <= 0x66 ? (b | 0x20) - 0x61 + 10 : -1;
    if (d < 0) return digits > 0 && (value === 0x79d8 || value === 0x3299);
    // Leading zeros are allowed; a value past any code point spells nothing.
    value = value * (hex ? 16 : 10) + d;
    if (value > 0x10ffff) return false;
  }
  return true;
}

/**
 * Offsets in UTF-8 markup where the stamp may start, in order. `inWord`: told of each 秘/㊙ passed over
 * because a word goes on after it (秘密), which a formula could still take out (LEFT).
 */
export function markupStampHits(bytes: Uint8Array, max = Infinity, inWord?: () => void): number[] {
  const hits: number[] = [];
  findNeedles(bytes, MARKUP_NEEDLES, 0, bytes.length, (at, nd) => {
    // 秘密, 社外秘の…: 秘 starting a word is not the stamp (a tag or a space after it may be).
    if (nd.bytes.length === 3 && followedByKanaOrKanji(bytes, at + 3, 'utf-8')) return (inWord?.(), true);
    if (nd === CHAR_REF && !refMaySpellStamp(bytes, at)) return true;
    hits.push(at);
    return hits.length < max;
  });
  return hits.sort((a, b) => a - b);
}

/**
 * The text of a UTF-8 markup part, but only around the places where 秘/㊙ (or a character
 * reference that may spell them) occur: unmarked parts cost a byte search, not a full decode.
 * Overlapping windows are merged, so a part dense with 秘 (an NDA full of 秘密) is decoded once.
 */
export function markupTextAroundStamps(bytes: Uint8Array): string[] {
  const hits = markupStampHits(bytes);
  const out: string[] = [];
  const utf8 = decoder('utf-8');
  const flush = (start: number, end: number) => out.push(xmlToText(tameTail(utf8.decode(bytes.subarray(start, Math.min(end, bytes.length))))));
  let start = 0;
  let end = -Infinity;
  for (const h of hits) {
    if (h - MARKUP_BACK > end) {
      if (end > 0) flush(start, end);
      start = Math.max(0, h - MARKUP_BACK);
    }
    end = h + MARKUP_FWD;
  }
  if (end > 0) flush(start, end);
  return out;
}
