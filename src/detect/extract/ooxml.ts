/**
 * OOXML (docx, xlsx, pptx and their macro/template variants, and XPS: xps.ts): every XML part a reader or a
 * search would see — body, headers, footers, notes, comments, shared strings, charts, docProps —
 * plus sensitivity labels and embedded files. Media, fonts and styling parts are skipped (they
 * hold no text; EMF and WMF pictures are drawings with text, read as members); any other part is
 * scanned as a file of its own, and a damaged part is reported.
 */
import { NeedleWatch, blobOf } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { ScanError, ScanLimitError, type ExtractContext, type Extracted, type Extractor } from './types.js';
import { cutParts, decodeXml, isUtf16Xml, openZip, type ZipArchive } from './zip-reader.js';
import { XML_TAGS, content, spans } from './markup-spans.js';
import { attr, markupStampHits, propertiesApart, xmlToText } from './xml-text.js';
import { decodeXstring, xstringDecoder } from './xstring.js';
import { MarkupWindows } from './markup-windows.js';
import { wordStyleDefs, type StyleDefs } from './hidden-styles.js';
import { withWordLabels, wordLabelsMayMark, wordLists, type WordLists } from './list-labels.js';
import { SEPARATOR, sheetNameText } from './sheet-rows.js';
import { shapePairs } from './shape-pairs.js';
import { chartBoxes, drawingMlBoxes, slideBoxes, slideLayer, wordAnchorGroups, type SlideLayer } from './drawing-boxes.js';
import { shapeCellPairs } from './xlsx-shape-cells.js';
import { XlsbBook, extractXlsbPart, isXlsbPart, resolvePath } from './xlsb.js';
import { FIXED_PAGE, XPS_MAIN, fixedPageText, unreadGlyphRuns } from './xps.js';
import { SHARED_STRINGS, WORKSHEET, XlsxBook } from './xlsx.js';
import { PrefixWatch } from './xml-prefixes.js';
import { BINDING_NEEDLE, boundStores, withBoundValues, type BoundStores } from './word-bindings.js';
import { bookmarks, hasRefField, propertyValues, refFieldWatch, withPropertyFields, type Bookmarks, type PropertyValues } from './word-property-fields.js';

// A workbook's styles.xml is read: its number formats' literal text shows in the cells (xml-text.ts).
// Parts that hold no text a reader sees: pictures (but metafiles, and SVG, whose text is markup: an icon
// or a logo with live text, as Office inserts them), fonts, themes, settings, relationships.
const SKIP =
  /(^|\/)(_rels\/|\[Content_Types\]\.xml$|theme\/|media\/(?!.*\.(?:emf|wmf|svg)$)|fonts\/|printerSettings\/|thumbnail|(?<!^xl\/)styles\.xml$|stylesWithEffects\.xml$|fontTable\.xml$|settings\.xml$|webSettings\.xml$|calcChain\.xml$|presProps\.xml$|viewProps\.xml$|tableStyles\.xml$|vbaProject\.bin$)|\.(png|jpe?g|gif|bmp|tiff?|wdp|jfif|ico|mp3|mp4|wav|m4a|avi|mov|odttf|fntdata|ttf|rels)$/i;
const EMBEDDED = /(^|\/)embeddings\//i;

export const extractOoxml: Extractor = async function* (blob, ctx) {
  const zip = await openZip(blob, ctx);
  const sheets = await sheetNames(zip);
  const xlsb = zip.has('xl/workbook.bin') ? new XlsbBook(zip) : null;
  const xlsx = !xlsb && zip.has('xl/workbook.xml') ? new XlsxBook(zip, sheets, ctx) : null;
  const broken = await missingMainPart(zip);
  if (broken) yield { kind: 'unscannable', reason: 'corrupt', detail: broken };
  yield* missingParts(zip);
  // Sheet names are attributes, which the markup reading skips; a sheet tab is text a reader sees
  // (xls and xlsb report theirs too).
  if (xlsx) yield* sheetNameText([...sheets.values()], 'xl/workbook.xml', ctx);
  // Word's styles, read once: they number paragraphs (list-labels.ts) and hide text (hidden-styles.ts).
  const wordStyles = zip.has('word/styles.xml') ? await zip.text('word/styles.xml') : null;
  const lists = await labelsToPlace(zip, ctx, wordStyles);
  const styles = wordStyleDefs(wordStyles);
  const layers: LayerCache = new Map();
  // The data Word's bound content controls show (word-bindings.ts), read once, when a part has one.
  let stores: Promise<BoundStores> | null = null;
  // And the document properties that Word fields print (word-property-fields.ts), when one may show 秘.
  let props: Promise<PropertyValues | null> | null = null;
  let marks: Promise<Bookmarks | null> | null = null;
  const bound: Shown = {
    stores: () => (stores ??= boundStores(zip)),
    properties: () => (props ??= propertyValues(zip)),
    bookmarks: () => (marks ??= bookmarks(zip)),
  };
  for (const entry of zip.entries) {
    if (entry.isDir || SKIP.test(entry.name)) continue;
    ctx.addEntry();
    ctx.checkTime();
    try {
      if (xlsb && isXlsbPart(entry.name)) {
        const bytes = await zip.read(entry.name);
        if (bytes) yield* extractXlsbPart(entry.name, bytes, xlsb, ctx);
      } else if (xlsx && WORKSHEET.test(entry.name)) yield* xlsx.worksheet(entry.name);
      else if (xlsx && SHARED_STRINGS.test(entry.name)) yield* xlsx.sharedStrings(entry.name);
      else {
        const seen = { stamp: true };
        yield* part(entry.name, zip, sheets, ctx, lists, styles, bound, seen);
        // A sheet's drawing is read again without 秘 too: a shape 「Confidential」 may stand beside a cell 「秘」.
        // A slide is read again too: its layout or master may hold the 秘 its own shapes stand beside.
        // So is a chart: the text box drawn over it may hold the 秘 beside its title.
        const again = seen.stamp || DRAWING_PART.test(entry.name) || SLIDE_PART.test(entry.name) || CHART_PART.test(entry.name);
        if (again && SHAPE_PART.test(entry.name) && entry.size <= MAX_SHAPE_PART) yield* shapeRuns(entry.name, zip, sheets, ctx, layers);
      }
    } catch (err) {
      // A damaged part does not hide its siblings; limits on the whole scan end it.
      if (!(err instanceof ScanError) || err instanceof ScanLimitError) throw err;
      yield { kind: 'unscannable', reason: err.reason, detail: err.message, where: { part: entry.name } };
    }
  }
  if (xlsx) yield* xlsx.rest();
  yield* cutParts(zip);
};

/** Parts whose drawing objects are also read by position (shape-pairs.ts): slides, layouts and masters, sheet drawings, Word's body, headers and footers, charts. */
const SHAPE_PART = /^(?:ppt\/(?:slides|slideLayouts|slideMasters)\/[^/]+|xl\/drawings\/[^/]+|word\/(?:document|header\d*|footer\d*)|(?:ppt|xl|word)\/charts\/chart[^/]*)\.xml$/i;
/** A chart (its user shapes, the text boxes drawn over it, are a part of their own). */
const CHART_PART = /^(?:ppt|xl|word)\/charts\/chart[^/]*\.xml$/i;
/** A sheet's drawing. */
const DRAWING_PART = /^xl\/drawings\/[^/]+\.xml$/i;
/** A slide. */
const SLIDE_PART = /^ppt\/slides\/[^/]+\.xml$/i;
/** A part larger than this is read in storage order alone (held whole to be read by position). */
const MAX_SHAPE_PART = 32 << 20;

/**
 * Shapes that stand side by side or one under the other, their texts joined (shape-pairs.ts): a ㊙ stamp
 * drawn from a circle holding 「秘」 and a text box 「Confidential」 beside it, with other shapes stored
 * between the two. Read when the part may hold the stamp, or always when the company designated keywords.
 */
async function* shapeRuns(name: string, zip: ZipArchive, sheets: Map<string, string>, ctx: ExtractContext, layers: LayerCache): AsyncGenerator<Extracted> {
  const bytes = await zip.read(name);
  if (!bytes) return;
  const slide = SLIDE_PART.test(name);
  const chart = CHART_PART.test(name);
  const layout = slide ? await layerOf(name, 'slideLayout', zip, layers) : null;
  const master = layout ? await layerOf(layout.name, 'slideMaster', zip, layers) : null;
  const shapes = chart ? await layerOf(name, 'chartUserShapes', zip, layers) : null;
  const stamp = ctx.fullText || mayMark(bytes) || !!layout?.stamp || !!master?.stamp || !!shapes?.stamp;
  const drawing = DRAWING_PART.test(name);
  if (!stamp && !drawing) return;
  const xml = decodeXml(bytes);
  if (drawing && (stamp || /confidential/i.test(xml))) {
    // A sheet's shape and the cell beside it (xlsx-shape-cells.ts).
    const withCells = await shapeCellPairs(zip, name, xml);
    if (withCells === 'unlinked') yield { kind: 'unscannable', reason: 'corrupt', detail: `the drawing ${name} is linked from no sheet (its relationships part is lost): the cells beside its shapes were not read`, where: { part: name } };
    else if (withCells) yield* textRuns(chunkText(withCells.text), await whereOf(withCells.sheet, zip, sheets));
  }
  if (!stamp) return;
  const groups = chart
    ? [chartBoxes(xml, shapes?.xml ?? null)]
    : name.startsWith('word/')
      ? wordAnchorGroups(xml)
      : slide
        ? [slideBoxes(xml, layout && layerShapes(layout), master && layerShapes(master))]
        : [drawingMlBoxes(xml)];
  const text = groups.map((g) => shapePairs(g, ctx.checkTime)).filter(Boolean).join(SEPARATOR);
  if (text) yield* textRuns(chunkText(text), await whereOf(name, zip, sheets));
}

/**
 * Whether a part's markup may hold the stamp (a 秘 or ㊙ not starting a word). UTF-16 markup is not
 * searched, nor markup whose namespaces go by other prefixes, where a symbol is not `w:char`.
 */
const mayMark = (bytes: Uint8Array) => isUtf16Xml(bytes) || markupStampHits(bytes, 1).length > 0 || renamesPrefixes(bytes);

/** Whether a part's namespaces go by other prefixes than the usual ones (xml-prefixes.ts). */
function renamesPrefixes(bytes: Uint8Array): boolean {
  const watch = new PrefixWatch();
  watch.push(bytes);
  return watch.renames;
}

/** Slide layouts and masters read for the slides that show their shapes, and charts' user shapes, by part name. */
type LayerCache = Map<string, Layer | null>;
interface Layer {
  name: string;
  xml: string;
  stamp: boolean;
  /** Its shapes, read once for all its slides. */
  shapes?: SlideLayer;
}

const layerShapes = (layer: Layer): SlideLayer => (layer.shapes ??= slideLayer(layer.xml));

/** The layout a slide uses, the master a layout uses, a chart's user shapes (its first relationship of that type), read once. */
async function layerOf(part: string, type: 'slideLayout' | 'slideMaster' | 'chartUserShapes', zip: ZipArchive, cache: LayerCache): Promise<Layer | null> {
  const rels = await zip.text(part.replace(/([^/]+)$/, '_rels/$1.rels'));
  const tag = rels && new RegExp(`<Relationship\\b[^>]*\\bType="[^"]*/${type}"[^>]*>`).exec(rels)?.[0];
  const target = tag && attr(tag, 'Target');
  if (!target) return null;
  const name = target.startsWith('/') ? target.slice(1) : resolvePath(part.replace(/[^/]*$/, '') + target);
  if (!cache.has(name)) {
    const bytes = zip.has(name) && (zip.entries.find((e) => e.name === name)?.size ?? Infinity) <= MAX_SHAPE_PART ? await zip.read(name) : null;
    cache.set(name, bytes ? { name, xml: decodeXml(bytes), stamp: mayMark(bytes) } : null);
  }
  return cache.get(name) ?? null;
}

const LABEL_PART = /^docProps\/custom\.xml$|(^|\/)LabelInfo\.xml$/i;

/**
 * Word's list labels, when they are to be written before their paragraphs (list-labels.ts): when one
 * could make a stamp with the paragraph's text, or every time with company keywords. Null otherwise.
 */
async function labelsToPlace(zip: ZipArchive, ctx: ExtractContext, styles: string | null): Promise<WordLists | null> {
  const numbering = zip.has('word/numbering.xml') ? await zip.text('word/numbering.xml') : null;
  const lists = wordLists(numbering, null);
  if (!lists || (!ctx.fullText && !wordLabelsMayMark(lists))) return null;
  return wordLists(numbering, styles);
}

/** Word parts whose paragraphs a list numbers. */
const NUMBERED_PART = /^word\/(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/;

async function* part(
  name: string,
  zip: ZipArchive,
  sheets: Map<string, string>,
  ctx: ExtractContext,
  lists: WordLists | null,
  styles: StyleDefs,
  bound: Shown,
  seen: { stamp: boolean } = { stamp: true },
): AsyncGenerator<Extracted> {
  if (FIXED_PAGE.test(name)) {
    const bytes = await zip.read(name);
    const page = /(\d+)\.fpage$/i.exec(name);
    if (!bytes) return;
    const xml = decodeXml(bytes);
    const where = { part: name, ...(page ? { page: Number(page[1]) } : {}) };
    yield* textRuns(chunkText(fixedPageText(xml)), where);
    const unread = unreadGlyphRuns(xml);
    if (unread > 0) yield { kind: 'unscannable', reason: 'unsupported', detail: `${unread} run(s) of text drawn by glyph index with no characters given: that text could not be read`, where };
    return;
  }
  // Embedded files, and parts of kinds not read here (ActiveX, custom binaries),
  // are scanned as files of their own: unknown formats still get the byte prefilter.
  // VML drawings (.vml) are markup: WordArt, text boxes and watermarks of Excel and PowerPoint.
  const embedded = EMBEDDED.test(name);
  if (embedded || !/\.(xml|vml)$/i.test(name)) {
    const data = await zip.read(name);
    // An embedded file goes by its own name (Microsoft_Excel_Worksheet1.xlsx), the one Office shows,
    // not by its part's path; the part stays in `where`.
    if (data) yield { kind: 'member', name: embedded ? name.slice(name.lastIndexOf('/') + 1) : name, data: blobOf(data), where: { part: name }, object: true };
    return;
  }
  if (lists && NUMBERED_PART.test(name)) {
    const bytes = await zip.read(name);
    if (bytes) yield* textRuns(chunkText(xmlToText(withWordLabels(await shown(name, decodeXml(bytes), bound), lists), styles)), await whereOf(name, zip, sheets));
    return;
  }
  let bytes: Uint8Array | null = null;
  if (!ctx.fullText && !LABEL_PART.test(name)) {
    // The common case: only the text around a possible stamp matters, so the part is searched as
    // it inflates and never held whole.
    const windows = new MarkupWindows((xml) => partText(name, xml, styles), name.startsWith('word/'));
    const prefixes = new PrefixWatch();
    const bindings = new NeedleWatch(BINDING_NEEDLE);
    const fields = new NeedleWatch(FIELD_NEEDLE);
    const refs = refFieldWatch();
    await zip.stream(name, (chunk) => {
      windows.push(chunk);
      prefixes.push(chunk);
      if (name.startsWith('word/')) {
        bindings.push(chunk);
        fields.push(chunk);
        refs.push(chunk);
      }
    });
    refs.finish();
    // A part whose namespaces go by other prefixes (xml-prefixes.ts) is read whole, renamed: its windows
    // were read without seeing its deletions, hidden runs or symbols. So is a Word part with bound
    // content controls, which show their data's text, not what is stored around the 秘 (word-bindings.ts).
    // So is one with fields when a document property or a bookmark may show 秘: a field may print it (word-property-fields.ts).
    const printed = fields.found && ((await bound.properties()) || (refs.found && (await bound.bookmarks())));
    if ((!windows.head || !isUtf16Xml(windows.head)) && !prefixes.renames && !bindings.found && !printed) {
      const texts = windows.finish();
      // No window: no 秘 in the part, which its shapes' reading by position need not look for again.
      seen.stamp = texts.length > 0;
      if (texts.length) yield* textRuns(texts, await whereOf(name, zip, sheets));
      return;
    }
    bytes = await zip.read(name); // UTF-16 XML, other prefixes, bound controls, property fields (rare)
  }
  bytes ??= await zip.read(name);
  if (!bytes) return;
  if (LABEL_PART.test(name)) yield* labels(decodeXml(bytes), name);
  const xml = decodeXml(bytes);
  const markup = await shown(name, xml, bound);
  // A bound control's value may be the 秘 (or the word beside one): then the part is read as it shows.
  if (!ctx.fullText && markup === xml && !mayMark(bytes)) return;
  yield* textRuns(chunkText(partText(name, markup, styles)), await whereOf(name, zip, sheets));
}

/** What a Word part's markup shows besides its own text, read once a package: bound controls' data, property fields' values. */
interface Shown {
  stores: () => Promise<BoundStores>;
  properties: () => Promise<PropertyValues | null>;
  bookmarks: () => Promise<Bookmarks | null>;
}

/** Where a field's instruction may be (`w:instr=`, `<w:instrText`), as a part streams by. */
const FIELD_NEEDLE = new TextEncoder().encode('instr');

/**
 * A Word part's markup with its bound content controls showing their data (word-bindings.ts) and its
 * document-property and REF fields with no result showing the property or bookmark (word-property-fields.ts);
 * when such a field's stored result is not its value, the part again with the value in its place, apart.
 */
async function shown(name: string, xml: string, bound: Shown): Promise<string> {
  if (!name.startsWith('word/')) return xml;
  const controls = xml.includes('<w:dataBinding') ? withBoundValues(xml, await bound.stores()) : xml;
  if (!controls.includes('instr')) return controls;
  const properties = await bound.properties();
  const marks = hasRefField(controls) ? await bound.bookmarks() : null;
  if (!properties && !marks) return controls;
  const sources = { properties, bookmarks: marks };
  // As Word shows it (stored results) and as LibreOffice does (computed again): both, apart, when they differ.
  const updated = withPropertyFields(controls, sources);
  const computed = withPropertyFields(controls, sources, 'replace');
  return computed === updated ? updated : `${updated}${SEPARATOR}${computed}`;
}

/** A workbook's comments (notes), whose text is SpreadsheetML's, with `_xHHHH_` escapes (xstring.ts). */
const XSTRING_PART = /^xl\/comments[^/]*\.xml$/i;

/** Document properties: core (title, subject, keywords…), extended (company, manager…) and custom ones. */
const PROPERTY_PART = /^docProps\/[^/]+\.xml$/i;

/** The text of a part's markup; a property part's, each property apart (xml-text.ts), in a window of it too. */
const partText = (name: string, xml: string, styles: StyleDefs): string => {
  const text = xmlToText(PROPERTY_PART.test(name) ? propertiesApart(xml) : xml, styles);
  return XSTRING_PART.test(name) ? xstringDecoder(xml)(text) : text;
};

/** The package's main document: an Office document's (officeDocument), or a Visio drawing's ([MS-VSDX] 2.1: …/visio/2010/relationships/document). */
const MAIN_DOCUMENT = /<Relationship\b[^>]*\bType="[^"]*(?:\/officeDocument|\/visio\/2010\/relationships\/document)"[^>]*>/;

/** Why the package has no readable main document (word/document.xml, xl/workbook.xml…), or null. */
async function missingMainPart(zip: ZipArchive): Promise<string | null> {
  if (!zip.has('[Content_Types].xml')) return 'the package has lost its [Content_Types].xml';
  const rels = await zip.text('_rels/.rels');
  const tag = rels && (MAIN_DOCUMENT.exec(rels)?.[0] ?? XPS_MAIN.exec(rels)?.[0]);
  const target = tag ? attr(tag, 'Target')?.replace(/^\//, '') : null;
  if (!target) return 'the package names no main document part (_rels/.rels)';
  if (!zip.has(target)) return `the package's main document part ${target} is missing`;
  // The parts the package declares (its content types' overrides: sheets, slides, headers, styles…) that a
  // reader loads, and the main part's relationships (which say where they are): one missing is a name damaged
  // in the ZIP's directory (unzip: "mismatching local filename"), and what it held would not be read.
  // Names as written: OPC compares part names without case, but every writer names a part in its content
  // types as in its ZIP, and a name whose case changed there is the damage a reader "repairs". A name may
  // be percent-encoded in the content types.
  const has = (name: string) => zip.has(name);
  // A workbook's sheets and a presentation's slides are found only through the main part's relationships;
  // a document may have none (a minimal docx is three parts), unless its content types list them (below).
  const mainRels = target.replace(/([^/]*)$/, '_rels/$1.rels');
  if (/^(xl\/workbook\.xml|ppt\/presentation\.xml)$/.test(target) && !has(mainRels)) return `the package's part ${mainRels} is missing`;
  const unlinked = await unlinkedListed(zip, target, mainRels);
  if (unlinked) return unlinked;
  const types = (await zip.text('[Content_Types].xml')) ?? '';
  let reached: ((name: string) => boolean) | null = null; // walked once, when an override's part is missing
  for (const m of types.matchAll(/<Override\b[^>]*\bPartName="\/?([^"]+)"/g)) {
    const name = percentDecoded(m[1]);
    if (has(name) || has(m[1])) continue;
    // An override alone names nothing a reader loads: pptxgenjs declares a slideMaster2.xml… for every slide
    // of a deck and writes only slideMaster1.xml, and PowerPoint and LibreOffice open the deck without a word.
    reached ??= await reachedParts(zip);
    if (reached(name) || reached(m[1])) return `the package's part ${name} is missing`;
  }
  return null;
}

/** The sheets a workbook lists and the slides a presentation lists: each names its part by a relationship id. */
const LISTED = /<(?:sheet|p:sldId)\b[^>]*>/g;

/**
 * A sheet or slide the main part lists whose relationship id (r:id) its relationships lack: the link to its part
 * is broken (Excel repairs the workbook by dropping the sheet), and the cells or formulas that name the sheet
 * were not read as written. Why, or null.
 */
async function unlinkedListed(zip: ZipArchive, target: string, mainRels: string): Promise<string | null> {
  if (!/^(xl\/workbook\.xml|ppt\/presentation\.xml)$/.test(target)) return null;
  const [main, rels] = await Promise.all([zip.text(target), zip.text(mainRels)]);
  if (!main || !rels) return null;
  const ids = new Set(Array.from(rels.matchAll(/<Relationship\b[^>]*>/g), ([tag]) => attr(tag, 'Id')));
  for (const [tag] of main.matchAll(LISTED)) {
    const id = attr(tag, 'r:id');
    if (id !== null && !ids.has(id)) return `the part ${target} lists ${tag.startsWith('<sheet') ? 'a sheet' : 'a slide'} whose link (r:id="${id}") ${mainRels} does not hold`;
  }
  return null;
}

/** XPS pages and documents, which the document sequence and documents name in their markup, not by relationships. */
const XPS_PART = /\.(?:fpage|fdoc|fdseq)$/i;

/** Whether a reader loads a part of this name: a relationship names it, or it is an XPS page or document. */
async function reachedParts(zip: ZipArchive): Promise<(name: string) => boolean> {
  const targets = new Set<string>();
  for await (const { path } of relationships(zip)) targets.add(path.toLowerCase()).add(percentDecoded(path).toLowerCase());
  return (name) => XPS_PART.test(name) || targets.has(name.toLowerCase());
}

/** A relationship inside the package: the .rels part that holds it, its type, and the part it names. */
interface Relationship {
  rels: string;
  type: string;
  path: string;
}

/** Every relationship of the package to a part of its own (external targets are not parts). */
async function* relationships(zip: ZipArchive): AsyncGenerator<Relationship> {
  for (const entry of zip.entries) {
    // The package's own relationships (_rels/.rels: the main part, the document properties) too.
    const rels = /^(.*?)_rels\/[^/]*\.rels$/i.exec(entry.name);
    const xml = rels && (await zip.text(entry.name));
    if (!rels || !xml) continue;
    for (const [tag] of xml.matchAll(/<Relationship\b[^>]*>/g)) {
      const type = attr(tag, 'Type');
      const target = attr(tag, 'Target');
      if (!type || !target || /\bTargetMode\s*=\s*["']External["']/i.test(tag)) continue;
      yield { rels: entry.name, type, path: target.startsWith('/') ? target.slice(1) : resolvePath(rels[1] + target) };
    }
  }
}

/**
 * Relationships to parts that hold text a reader sees: sheets, shared strings, slides, notes, headers, footers,
 * document properties, and the custom XML data (with the properties that give it its id) that Word's bound
 * controls show (word-bindings.ts).
 */
const TEXT_RELATIONSHIP =
  /\/(?:worksheet|chartsheet|sharedStrings|slide|notesSlide|header|footer|footnotes|endnotes|comments|chart|diagramData|core-properties|extended-properties|custom-properties|customXml|customXmlProps)$/;

/**
 * Parts that a relationship names but the package lacks (a sheet, the shared strings, a slide, a header…):
 * their text is lost, which Excel repairs and LibreOffice shows as empty cells or nothing. Damaged.
 */
async function* missingParts(zip: ZipArchive): AsyncGenerator<Extracted> {
  const present = new Set(zip.entries.map((e) => e.name.toLowerCase())); // part names compare case-insensitively (OPC)
  for await (const { rels, type, path } of relationships(zip)) {
    if (!TEXT_RELATIONSHIP.test(type)) continue;
    if (present.has(path.toLowerCase()) || present.has(percentDecoded(path).toLowerCase())) continue;
    yield { kind: 'unscannable', reason: 'corrupt', detail: `the part ${path} that ${rels} names is missing`, where: { part: path } };
  }
}

const percentDecoded = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function* textRuns(runs: Iterable<string>, where: Where): Generator<Extracted> {
  for (const text of runs) yield { kind: 'text', text, where };
}

/** A human word for the part, and the slide or sheet it belongs to. */
async function whereOf(part: string, zip: ZipArchive, sheets: Map<string, string>): Promise<Where> {
  const p = part.toLowerCase();
  let m: RegExpExecArray | null;
  if ((m = /^ppt\/slides\/slide(\d+)\.xml$/.exec(p))) return { part, slide: Number(m[1]), area: 'slide' };
  if (/^ppt\/notesslides\//.test(p)) return { part, slide: await notesSlideNumber(part, zip), notes: true, area: 'notes' };
  // A Visio drawing's page, by its place among the page tabs (visio/pages/pages.xml), as Visio shows it.
  if (/^visio\/pages\/[^/]+\.xml$/.test(p) && !p.endsWith('/pages.xml')) {
    const page = await visioPageNumber(part, zip);
    return page ? { part, page } : { part, area: 'body' };
  }
  if (/^xl\/worksheets\//.test(p)) return { part, sheet: sheets.get(part), area: 'cells' };
  if (p === 'xl/styles.xml') return { part, area: 'cells' }; // number formats: text cells show
  if (/^docprops\//.test(p)) return { part, area: 'properties' };
  if (/header\d*\.xml$/.test(p)) return { part, area: 'header' };
  if (/footer\d*\.xml$/.test(p)) return { part, area: 'footer' };
  if (/comment/.test(p)) return { part, area: 'comments' };
  if (/\.vml$/.test(p)) return { part, area: 'drawing' };
  // A Word footnote is no speaker note: the employee looks for it at the foot of the page.
  if (/footnotes\.xml$/.test(p)) return { part, area: 'footnotes' };
  if (/endnotes\.xml$/.test(p)) return { part, area: 'endnotes' };
  // A slide layout prints on the slides that use it as the master does: the employee edits both in the master view.
  if (/^ppt\/slide(masters|layouts)\//.test(p)) return { part, area: 'master' };
  // What presentation.xml shows is its sections' names (the headings in the thumbnail pane and the sorter).
  if (p === 'ppt/presentation.xml') return { part, area: 'sections' };
  if (/\/charts\/chart[^/]*\.xml$/.test(p)) return { part, area: 'chart' };
  if (/^xl\/drawings\/[^/]+\.xml$/.test(p)) return { part, area: 'drawing', ...(await drawingSheet(part, zip, sheets)) };
  if (/^word\/(document|numbering)\.xml$/.test(p)) return { part, area: 'body' }; // a list's label is shown in the body
  return { part };
}

/** The sheet a worksheet drawing (its shapes and text boxes) stands on: the worksheet whose relationships name it. */
async function drawingSheet(part: string, zip: ZipArchive, sheets: Map<string, string>): Promise<{ sheet?: string }> {
  const file = part.slice(part.lastIndexOf('/') + 1).toLowerCase();
  for (const [sheetPart, sheet] of sheets) {
    const rels = await zip.text(sheetPart.replace(/([^/]+)$/, '_rels/$1.rels'));
    for (const m of (rels ?? '').matchAll(/Target="([^"]*)"/g)) if (m[1].toLowerCase().endsWith(`drawings/${file}`)) return { sheet };
  }
  return {};
}

/** Which slide a notes page belongs to: its relationship to ../slides/slideN.xml. */
/** A Visio page part's 1-based place in visio/pages/pages.xml (the order of the page tabs); undefined when not listed. */
async function visioPageNumber(part: string, zip: ZipArchive): Promise<number | undefined> {
  const [pages, rels] = await Promise.all([zip.text('visio/pages/pages.xml'), zip.text('visio/pages/_rels/pages.xml.rels')]);
  if (!pages || !rels) return undefined;
  const file = part.slice(part.lastIndexOf('/') + 1).toLowerCase();
  const ids = new Set<string>();
  for (const [tag] of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const target = attr(tag, 'Target') ?? '';
    if (target.slice(target.lastIndexOf('/') + 1).toLowerCase() === file) ids.add(attr(tag, 'Id') ?? '');
  }
  const order = Array.from(pages.matchAll(/<Rel\b[^>]*>/g), ([tag]) => attr(tag, 'r:id') ?? '');
  const at = order.findIndex((id) => ids.has(id));
  return at < 0 ? undefined : at + 1;
}

async function notesSlideNumber(part: string, zip: ZipArchive): Promise<number | undefined> {
  const rels = await zip.text(part.replace(/([^/]+)$/, '_rels/$1.rels'));
  const m = rels && /Target="[^"]*slides\/slide(\d+)\.xml"/.exec(rels);
  if (m) return Number(m[1]);
  const own = /(\d+)\.xml$/i.exec(part);
  return own ? Number(own[1]) : undefined;
}

/** Worksheet part name → sheet name, from xl/workbook.xml and its relationships. */
async function sheetNames(zip: ZipArchive): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!zip.has('xl/workbook.xml')) return out;
  const [wb, rels] = await Promise.all([zip.text('xl/workbook.xml'), zip.text('xl/_rels/workbook.xml.rels')]);
  if (!wb || !rels) return out;
  const targets = new Map<string, string>();
  for (const [tag] of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(tag, 'Id');
    const target = attr(tag, 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  for (const [tag] of wb.matchAll(/<sheet\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    const target = targets.get(attr(tag, 'r:id') ?? '');
    // A sheet's name is an ST_Xstring too (xstring.ts).
    if (name && target) out.set(target, decodeXstring(name));
  }
  return out;
}

const PROPERTY = /<property(?=[\s/>])/g;
const PROPERTY_END = /<\/property>/g;
const LABEL_PROPERTY = /\bname="MSIP_Label_([0-9a-fA-F-]{36})_(Name|Enabled)"/;

/** Sensitivity labels: MSIP_Label_<GUID>_Name custom properties and docMetadata/LabelInfo.xml. */
function* labels(xml: string, part: string): Generator<Extracted> {
  const where: Where = { part, area: 'properties' };
  // Each label writes _Enabled, _Name, _SiteId… properties; one that is not enabled is not applied.
  const props = new Map<string, string>();
  for (const p of spans(xml, PROPERTY, () => PROPERTY_END, XML_TAGS)) {
    const m = LABEL_PROPERTY.exec(p.tag);
    if (m) props.set(`${m[1]}_${m[2]}`, xmlToText(content(xml, p)).trim());
  }
  for (const [key, value] of props) {
    const guid = key.slice(0, 36);
    if (!key.endsWith('_Enabled') || value.toLowerCase() !== 'true') continue;
    yield { kind: 'label', label: guid, where };
    const name = props.get(`${guid}_Name`);
    if (name) yield { kind: 'label', label: name, where };
  }
  for (const [tag] of xml.matchAll(/<clbl:label\b[^>]*>/g)) {
    const id = attr(tag, 'id');
    if (id && attr(tag, 'removed') !== '1') yield { kind: 'label', label: id, where };
  }
}
