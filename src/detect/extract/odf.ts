/**
 * ODF (odt, ods, odp, odg and templates): content.xml (per sheet / per slide), styles.xml
 * (where page headers and footers live), meta.xml (title, subject, keywords, user-defined
 * properties) and embedded objects. A package with encryption data is password-protected.
 * Unless the company designated keywords, each text part is first searched as it inflates.
 */
import { blobOf } from '../bytes.js';
import type { Where } from '../types.js';
import { chunkText } from '../text-chunks.js';
import { ScanError, type Extracted, type Extractor } from './types.js';
import { cutParts, decodeXml, isUtf16Xml, openZip, type ZipArchive } from './zip-reader.js';
import { attr, escapeText, xmlToText } from './xml-text.js';
import { metaFieldValues, PART_FIELD, withFieldValues, type FieldValues } from './odf-fields.js';
import { MarkupWindows } from './markup-windows.js';
import { NO_STYLES, odfStyleDefs, withStyles, type StyleDefs } from './hidden-styles.js';
import { odfLabelsMayMark, odfLists, withOdfLabels, type OdfLists } from './list-labels.js';
import { mayBeStamp } from './byte-scan.js';
import { MAY_SHOW_STAMP, readFormula } from './formula-text.js';
import { OdsCells, sheetRuns } from './ods-rows.js';
import { OdsFormats } from './ods-formats.js';
import { XML_TAGS, replaceSpans, spans } from './markup-spans.js';
import { SEPARATOR, sheetNameText } from './sheet-rows.js';
import { shapePairs, type ShapeBox } from './shape-pairs.js';
import { odfMasterShapes, odfShapeGroups } from './drawing-boxes.js';
import { PrefixWatch } from './xml-prefixes.js';
import { pageHeads, SHEET_NAME } from './odf-heads.js';
import { odfAsides } from './odf-asides.js';
import { afterProlog } from './office-xml-ends.js';

const TEXT_PART = /(^|\/)(content|styles|meta)\.xml$/;
// Pictures hold no text, except Windows metafiles (drawings with text records: metafile.ts) and SVG,
// whose text is markup (an icon or a logo with live text, as Word and Impress insert them).
const SKIP = /^(Thumbnails|Configurations2|META-INF)\/|^Pictures\/(?!.*\.(?:wmf|emf|svg)$)|\.(png|jpe?g|gif|svm|bmp)$/i;

/**
 * A file the manifest lists that the ZIP does not hold (a name damaged in the ZIP's directory: unzip's
 * "mismatching local filename"): what it held (styles.xml's master pages, an embedded object) would not
 * be read. Folders (names ending in /) and the package itself (/) are not files.
 */
function missingListed(manifest: string | null, zip: { has(name: string): boolean }): string | null {
  for (const m of (manifest ?? '').matchAll(/<manifest:file-entry\b[^>]*\bmanifest:full-path="([^"]+)"/g)) {
    const path = m[1].replace(/&amp;/g, '&').replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    if (!path.endsWith('/') && !zip.has(path)) return path;
  }
  return null;
}

export const extractOdf: Extractor = async function* (blob, ctx) {
  const zip = await openZip(blob, ctx);
  const manifest = await zip.text('META-INF/manifest.xml');
  if (manifest && /<manifest:encryption-data\b/.test(manifest)) {
    throw new ScanError('encrypted', 'password-protected OpenDocument file');
  }
  // Every OpenDocument file has its content in content.xml: a package without it (a damaged name in
  // the ZIP's directory) would be read as nothing, clean.
  if (!zip.has('content.xml')) throw new ScanError('corrupt', 'the OpenDocument file has no content.xml (damaged)');
  const lost = missingListed(manifest, zip);
  if (lost) yield { kind: 'unscannable', reason: 'corrupt', detail: `the OpenDocument file lists ${lost}, which it does not hold (damaged)`, where: { part: lost } };
  const type = (await zip.text('mimetype')) ?? '';
  const lists = await labelsToPlace(zip, type, ctx.fullText);
  // A drawing's master page is Draw's マスターページ; a presentation's, the slide master.
  const drawing = type.startsWith('application/vnd.oasis.opendocument.graphics');
  // The named styles, read once: content.xml's automatic styles inherit hiding from them (hidden-styles.ts).
  const stylesXml = await zip.text('styles.xml');
  const styles = odfStyleDefs(stylesXml);
  // What the document's title, property and other fields show (odf-fields.ts).
  // (A damaged meta.xml is reported where it is read as a part, not here.)
  const meta = metaFieldValues(await zip.text('meta.xml').catch(() => null));
  // The master pages' own shapes, read with each slide or drawing page that shows them (shapeRuns); one
  // that may start the stamp makes content.xml read, whatever its own text.
  const masters = type.includes('opendocument.presentation') || drawing ? odfMasterShapes(stylesXml ?? '') : undefined;
  const masterStamp = !!masters && [...masters.values()].some((list) => list.some((s) => mayBeStamp(s.text)));
  for (const entry of zip.entries) {
    if (entry.isDir || SKIP.test(entry.name) || entry.name === 'mimetype') continue;
    ctx.addEntry();
    ctx.checkTime();
    if (!TEXT_PART.test(entry.name)) {
      // Embedded objects (OLE, other documents) are scanned as files of their own.
      if (/\.(xml|rdf)$/i.test(entry.name)) continue;
      const bytes = await zip.read(entry.name);
      if (bytes) yield { kind: 'member', name: entry.name, data: blobOf(bytes), where: { part: entry.name }, object: true };
      continue;
    }
    const labelled = lists && /(^|\/)(content|styles)\.xml$/.test(entry.name);
    const withMaster = masterStamp && entry.name === 'content.xml';
    if (!ctx.fullText && !labelled && !withMaster && !(await mayHoldStamp(zip, entry.name, styles, stylesXml, meta))) continue;
    const bytes = await zip.read(entry.name);
    if (!bytes) continue;
    let xml = decodeXml(bytes);
    if (entry.name === 'styles.xml') {
      // The sheets printed with each page style (named in content.xml): a header's sheet-name field prints
      // each one's name, and a stamp in a spreadsheet's header is said with its sheet.
      const sheetNames = xml.includes('<text:sheet-name');
      const pages = sheetNames || type.startsWith('application/vnd.oasis.opendocument.spreadsheet') ? pageSheets((await zip.text('content.xml')) ?? '') : null;
      yield* pageHeads(withFieldValues(xml, meta), entry.name, withStyles(styles, odfStyleDefs(xml)), pages);
      if (sheetNames && pages) xml = withSheetNames(xml, pages);
    }
    yield* partText(labelled ? withOdfLabels(xml, lists) : xml, entry.name, styles, stylesXml ?? '', meta, drawing);
    if (entry.name === 'content.xml' || entry.name === 'styles.xml') yield* shapeRuns(xml, entry.name, ctx.checkTime, drawing, entry.name === 'content.xml' ? masters : undefined);
  }
  yield* cutParts(zip);
};

/**
 * Drawing objects that stand side by side or one under the other, their texts joined (shape-pairs.ts): a
 * ㊙ stamp drawn from a circle holding 「秘」 and a text box 「Confidential」 beside it, with other shapes
 * stored between the two. Per slide or drawing page, sheet, master page (headers and footers), or the
 * text document's body.
 */
export function* shapeRuns(xml: string, part: string, checkTime?: () => void, drawing = false, masters?: Map<string, ShapeBox[]>): Generator<Extracted> {
  if (!/<draw:/.test(xml)) return;
  const units = Array.from(xml.matchAll(/<(draw:page|table:table|style:master-page)(?=[\s>/])[^>]*>/g));
  const area = part.endsWith('styles.xml') ? 'header/footer' : 'body';
  const bounds = units.length ? units.map((m, i) => [m.index, i + 1 < units.length ? units[i + 1].index : xml.length] as const) : [[0, xml.length] as const];
  let slide = 0;
  for (let i = 0; i < bounds.length; i++) {
    const m = units[i];
    if (m?.[1] === 'draw:page') slide++;
    const [from, to] = bounds[i];
    const unit = xml.slice(from, to);
    if (!unit.includes('<draw:')) continue;
    // A slide (or drawing page) shows its master page's shapes under its own: a 「秘」 on the slide and a
    // 「Confidential」 on the master beside it read as one (LibreOffice puts a PowerPoint layout's shapes there).
    const under = m?.[1] === 'draw:page' ? masters?.get(attr(m[0], 'draw:master-page-name') ?? '') : undefined;
    const groups = odfShapeGroups(unit);
    // The slide's own shapes, not its notes page's (drawn on another page), beside the master's.
    if (under) groups.push([...odfShapeGroups(unit.replace(NOTES_PAGE, '')).flat(), ...under]);
    const text = groups
      .map((g) => shapePairs(g, checkTime))
      .filter(Boolean)
      .join(SEPARATOR);
    if (!text) continue;
    const where: Where =
      m?.[1] === 'draw:page'
        ? { part, area: 'slide', slide }
        : m?.[1] === 'table:table'
          ? { part, area: 'cells', sheet: attr(m[0], 'table:name') ?? undefined }
          : { part, area: m?.[1] === 'style:master-page' ? masterArea(unit, drawing) : area };
    for (const t of chunkText(text)) yield { kind: 'text', text: t, where };
  }
}

const NOTES_PAGE = /<presentation:notes\b[\s\S]*?<\/presentation:notes>/g;

const PRINTED_HEADER = /<style:(?:header|footer)(?:-left|-first)?(?=[\s/>])/;

/**
 * What a master page's shapes are to the reader: a text document's or spreadsheet's master page holds
 * its header and footer; a presentation's holds shapes of its own, on every slide (the slide master), as
 * a drawing's does on every page (Draw's master page).
 */
const masterArea = (xml: string, drawing: boolean): string => (PRINTED_HEADER.test(xml) || !/<draw:/.test(xml) ? 'header/footer' : drawing ? 'master page' : 'master');

const TABLE_STYLE = /<style:style\b[^>]*\bstyle:family="table"[^>]*>/g;
const TABLE = /<table:table\s[^>]*>/g;
const MASTER_PAGE = /<style:master-page(?=[\s/>])/g;
const MASTER_PAGE_END = /<\/style:master-page>/g;

/** Page style (master page) → the names of the sheets printed with it (a sheet with none: "Default"). */
function pageSheets(content: string): Map<string, string[]> {
  const pageOf = new Map<string, string>();
  for (const [tag] of content.matchAll(TABLE_STYLE)) pageOf.set(attr(tag, 'style:name') ?? '', attr(tag, 'style:master-page-name') ?? 'Default');
  const out = new Map<string, string[]>();
  for (const [tag] of content.matchAll(TABLE)) {
    const page = pageOf.get(attr(tag, 'table:style-name') ?? '') ?? 'Default';
    out.get(page)?.push(attr(tag, 'table:name') ?? '') ?? out.set(page, [attr(tag, 'table:name') ?? '']);
  }
  return out;
}

/**
 * Each page style's headers and footers as they print: its `<text:sheet-name>` fields (LibreOffice
 * writes `???` in them) filled with the name of each sheet of that style, one copy per sheet, so 「秘 」
 * and a sheet named Confidential read as 「秘 Confidential」 (as xlsx's &A: print-header.ts).
 */
export function withSheetNames(xml: string, pages: Map<string, string[]>): string {
  return replaceSpans(xml, spans(xml, MASTER_PAGE, () => MASTER_PAGE_END, XML_TAGS), (page) => {
    const body = xml.slice(page.start.index, page.end);
    if (!body.includes('<text:sheet-name')) return body;
    const names = pages.get(attr(page.tag, 'style:name') ?? '') ?? [];
    return names.map((n) => body.replace(SHEET_NAME, escapeText(n))).join('') || body;
  });
}

/**
 * A text document's, presentation's or drawing's list labels, when they are to be written before their
 * paragraphs (list-labels.ts): when one could make a stamp with a paragraph's text, or every time with
 * company keywords. Null otherwise, and for spreadsheets (whose content is not read whole for this). A
 * slide's bullet 「秘」 before 「Confidential」 shows as the stamp (LibreOffice's .odp of a PowerPoint
 * bullet character).
 */
async function labelsToPlace(zip: ZipArchive, type: string, fullText: boolean): Promise<OdfLists | null> {
  if (!/^application\/vnd\.oasis\.opendocument\.(text|presentation|graphics)/.test(type)) return null;
  const lists = odfLists(await zip.text('styles.xml'), await zip.text('content.xml'));
  return lists.size && (fullText || odfLabelsMayMark(lists)) ? lists : null;
}

/**
 * Whether a part may hold the stamp: searched as it inflates and never held whole (a spreadsheet's
 * content.xml can inflate to hundreds of megabytes). Only a part that may is read whole, for the
 * sheet or slide to name in the verdict.
 */
async function mayHoldStamp(zip: ZipArchive, name: string, named: StyleDefs, namedXml: string | null, meta: FieldValues): Promise<boolean> {
  // A window is read with the styles that may hide text in it: the named ones and the part's automatic
  // ones, which come before its body and so have gone by before any window of the body is read. Its
  // fields show what the metadata says; a user field or a variable is declared or set elsewhere in the
  // part, so a part with one is read whole.
  const head = new PartHead(named);
  let partFields = false;
  const windows = new MarkupWindows((xml) => {
    partFields ||= PART_FIELD.test(xml);
    return textAndSheetNames(withFieldValues(xml, meta), head.styles());
  });
  const prefixes = new PrefixWatch();
  await zip.stream(name, (chunk) => {
    head.push(chunk);
    windows.push(chunk);
    prefixes.push(chunk);
  });
  // ODF is UTF-8; a UTF-16 part (not seen from real producers) is read whole, to be safe; so is one whose
  // styles were too long to keep (its windows may have been read without a style that hides), and one
  // whose namespaces go by other prefixes (xml-prefixes.ts: its windows were read without its styles).
  if ((windows.head !== null && isUtf16Xml(windows.head)) || head.overflowed || prefixes.renames || windows.finish().some(mayBeStamp) || partFields) return true;
  // A data style whose literals may hold 秘 (ods-formats.ts) may make the stamp with any text cell.
  return name === 'content.xml' && new OdsFormats(namedXml ?? '', head.raw).stamp;
}

/** Most of the markup before a part's body kept: its automatic styles (a few kilobytes, rarely a megabyte). */
const MAX_HEAD = 8 << 20;

/** The start of an ODF part, up to its body, kept as it streams by, for its automatic styles. */
class PartHead {
  private text = '';
  private readonly utf8 = new TextDecoder('utf-8');
  private done = false;
  overflowed = false;
  private defs: StyleDefs | null = null;

  /** `named`: the document's named styles, which the automatic ones are added to. */
  constructor(private readonly named: StyleDefs) {}

  push(chunk: Uint8Array): void {
    if (this.done) return;
    const added = this.utf8.decode(chunk, { stream: true });
    // Only the new text (and a tag split before it) is searched: a long head is not searched again and again.
    const from = Math.max(0, this.text.length - 16);
    this.text += added;
    this.defs = null;
    const body = this.text.indexOf('<office:body', from);
    if (body >= 0) this.text = this.text.slice(0, body);
    this.overflowed = body < 0 && this.text.length > MAX_HEAD;
    this.done = body >= 0 || this.overflowed;
  }

  /** The markup kept: the part's start, up to its body. */
  get raw(): string {
    return this.text;
  }

  /** The named styles and the automatic ones met so far (all of them, once the body has begun). */
  styles(): StyleDefs {
    return (this.defs ??= withStyles(this.named, odfStyleDefs(this.text)));
  }
}

/**
 * A flat ODF document (.fods, .fodt, .fodp: one XML file, `<office:document>`) read as its package's
 * content.xml is: sheet by sheet (cells, rows, formulas and sheet names) or slide by slide; its meta
 * and styles (headers, footers) come before the body. Its locations name no part (there is one).
 */
export function* flatOdfRuns(flat: string): Generator<Extracted> {
  const root = /<office:document\b[^>]*>/.exec(flat)?.[0] ?? '';
  const type = attr(root, 'office:mimetype') ?? '';
  const pages = flat.includes('<text:sheet-name') || type.startsWith('application/vnd.oasis.opendocument.spreadsheet') ? pageSheets(flat) : null;
  const xml = flat.includes('<text:sheet-name') && pages ? withSheetNames(flat, pages) : flat;
  const lists = odfLists(xml);
  const drawing = type.startsWith('application/vnd.oasis.opendocument.graphics');
  // Its drawing objects also by where they stand (shapeRuns), as a package's are.
  const read = function* () {
    const meta = metaFieldValues(flat);
    yield* pageHeads(withFieldValues(flat, meta), '', odfStyleDefs(flat), pages);
    yield* partText(odfLabelsMayMark(lists) ? withOdfLabels(xml, lists) : xml, '', NO_STYLES, '', meta, drawing);
    yield* shapeRuns(xml, '', undefined, drawing, type.includes('opendocument.presentation') || drawing ? odfMasterShapes(xml) : undefined);
  };
  for (const r of read()) {
    if (r.kind !== 'text' && r.kind !== 'unscannable') yield r;
    else if (!r.where?.part) {
      const { part: _, ...where } = r.where ?? {};
      yield { ...r, where };
    } else yield r;
  }
}

/** The root of a flat ODF document, after the XML declaration, comments and processing instructions (office-xml-ends.ts). */
export const FLAT_ODF = afterProlog(String.raw`<office:document\b`);

/** `styles`: the document's named styles (styles.xml), to which the part's own are added. */
function* partText(markup: string, part: string, named: StyleDefs = NO_STYLES, namedXml = '', meta: FieldValues = new Map(), drawing = false): Generator<Extracted> {
  const xml = withFieldValues(markup, meta);
  const styles = withStyles(named, odfStyleDefs(xml));
  const area = part.endsWith('meta.xml') ? 'properties' : part.endsWith('styles.xml') ? masterArea(xml, drawing) : 'body';
  // Spreadsheets and presentations: one run per sheet or slide, so the verdict can say which.
  const units = /<(table:table|draw:page)(?=[\s>/])[^>]*>/g;
  const starts = Array.from(xml.matchAll(units));
  if (area !== 'body' || starts.length === 0) {
    // A text document's footnotes and comments, said as such before the body that holds them (odf-asides.ts).
    if (area === 'body') yield* odfAsides(xml, part, styles);
    for (const text of chunkText(xmlToText(xml, styles))) yield { kind: 'text', text, where: { part, area } };
    return;
  }
  yield* runs(xml.slice(0, starts[0].index), { part, area }, styles);
  // Sheet names are attributes, which the markup reading skips; a sheet tab is text a reader sees.
  const sheets = starts.filter((m) => m[1] === 'table:table').map((m) => attr(m[0], 'table:name') ?? '');
  yield* sheetNameText(sheets, part, { fullText: true });
  const bodies = starts.map((m, i) => xml.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : xml.length));
  // Formulas stored without a value read the cells they refer to, when the spreadsheet may show 秘 at all.
  const cells = sheets.length && MAY_SHOW_STAMP.test(xml) ? spreadsheetCells(xml, starts, bodies) : null;
  // Data styles that print text around a text cell's (ods-formats.ts): named ones, then this part's own (before its body).
  const formats = sheets.length ? new OdsFormats(namedXml, xml.slice(0, starts[0].index)) : undefined;
  for (let i = 0; i < starts.length; i++) {
    const m = starts[i];
    const sheet = attr(m[0], 'table:name') ?? undefined;
    // A sheet reads cell by cell, neighbouring cells of a row joined (ods-rows.ts), as in xlsx and xls.
    if (m[1] === 'table:table') yield* sheetRuns(bodies[i], { part, area: 'cells', sheet }, cells?.of(sheet ?? ''), formats);
    else yield* runs(bodies[i], { part, area: 'slide', slide: i + 1 }, styles);
  }
}

const NAMED = /<table:named-(range|expression)\b[^>]*>/g;

/** The spreadsheet's cells for its formulas (ods-rows.ts): its sheets, and its named ranges and expressions as formulas. */
function spreadsheetCells(xml: string, starts: RegExpMatchArray[], bodies: string[]): OdsCells {
  const sheets = new Map<string, string>();
  starts.forEach((m, i) => m[1] === 'table:table' && sheets.set(attr(m[0], 'table:name') ?? '', bodies[i]));
  const names = new Map<string, string>();
  for (const m of xml.matchAll(NAMED)) {
    const name = attr(m[0], 'table:name');
    const f = m[1] === 'range' ? attr(m[0], 'table:cell-range-address') : attr(m[0], 'table:expression');
    if (name && f) names.set(name.toLowerCase(), m[1] === 'range' ? `[${f}]` : f);
  }
  return new OdsCells(sheets, names);
}

/**
 * The text a reader sees in this markup, and the sheet names, formulas and cells' string values (attributes) in it, kept
 * apart: a formula stored without its value shows what it evaluates to (formula-text.ts).
 */
function textAndSheetNames(xml: string, styles: StyleDefs): string {
  const names = Array.from(xml.matchAll(/<table:table\s[^>]*>/g), (m) => attr(m[0], 'table:name') ?? '');
  const formulas = Array.from(xml.matchAll(/\btable:formula\s*=\s*(?:"[^"]*"|'[^']*')/g), (m) => {
    // Its literals too: one that holds 秘 in a formula that cannot be evaluated is reported (ods-rows.ts).
    const f = readFormula(attr(m[0], 'table:formula') ?? '');
    return [f.value ?? '', ...f.literals].join(SEPARATOR);
  });
  return [xmlToText(xml, withStyles(styles, odfStyleDefs(xml))), ...names, ...formulas, stringValues(xml)].join(SEPARATOR);
}

/**
 * The cells' office:string-value attributes, which a text cell shows (ods-rows.ts), one per line: cells
 * side by side may show the stamp together (秘 | Confidential), which the rows' reading decides.
 */
const STRING_VALUE = /\boffice:string-value\s*=\s*(?:"[^"]*"|'[^']*')/g;
const stringValues = (xml: string): string =>
  xml.includes('office:string-value') ? Array.from(xml.matchAll(STRING_VALUE), (m) => attr(m[0], 'office:string-value') ?? '').join('\n') : '';

function* runs(xml: string, where: Where, styles: StyleDefs): Generator<Extracted> {
  for (const text of chunkText(xmlToText(xml, styles))) if (text.trim()) yield { kind: 'text', text, where };
}
