/**
 * The cells of an xlsx workbook: its shared strings (xl/sharedStrings.xml) and worksheets, read so
 * that each worksheet is inflated once and never held whole (a sheet can inflate to hundreds of MB):
 *  - the shared strings are read first, and whole only when one may hold the stamp; those are the
 *    wanted strings;
 *  - each worksheet streams through the markup windows (inline and formula strings, headers and
 *    footers, anything around 秘 in the bytes) and, in the same pass, XlsxRows: the rows with 秘 or a
 *    wanted string, joined across neighbouring cells as xlsb's are (sheet-rows.ts), and the first
 *    cell that shows each wanted string ("sheet 明細, cell C3");
 *  - a wanted string is reported once, at its first cell; strings no sheet shows, at the end.
 * Cells are kept apart in the text of a worksheet (sheetText): only the row join brings neighbours together.
 */
import { TextChunker, chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { decoder, mayBeStamp, mayHaveStampChar, type Needle } from './byte-scan.js';
import { MarkupWindows } from './markup-windows.js';
import { SEPARATOR } from './sheet-rows.js';
import { ScanError, ScanLimitError, type ExtractContext, type Extracted } from './types.js';
import { TallRows, XlsxRows, centredStyles, type Recalc } from './xlsx-rows.js';
import { textFormats as formatsOf, type TextFormats } from './number-format.js';
import { CHAR_CODES, F_NAMES, charCodes, SeenInStream, UncomputedFormulas, XlsxFormulas } from './xlsx-formulas.js';
import { NeedleGroups } from './needle-groups.js';
import { conditionalCells, conditionalSections } from './xlsx-conditional.js';
import { XML_TAGS, content, spans } from './markup-spans.js';
import { MARKUP_NEEDLES, attr, decodeEntities, withoutKanaReadings, xmlToText } from './xml-text.js';
import { headerText } from './print-header.js';
import { decodeXml, isUtf16Xml, type ZipArchive } from './zip-reader.js';
import { EscapedStampSearch, xstringDecoder } from './xstring.js';
import { QUOTED_S, SharedStringCount, SharedStringRefs } from './xlsx-string-refs.js';

export const SHARED_STRINGS = /^xl\/sharedStrings\.xml$/i;
export const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;

const CELL_END = /<\/(?:[\w.-]+:)?c>/g;

/**
 * A printed header or footer's text (its element's start may lie before a window: the end is enough,
 * and its end tag says whether it is a header or a footer).
 * The text starts after a tag or at the start (the lookbehind): tried from inside every run of text,
 * the search took time in the square of the run's length (seconds on a sheet of a million cells).
 */
const PRINT_HEADER = /((?:<(?:[\w.-]+:)?(?:odd|even|first)(?:Header|Footer)>)?)(?<![^>])([^<]*)(?=<\/(?:[\w.-]+:)?(?:odd|even|first)(Header|Footer)>)/g;

/** A printed header's or footer's text as it prints, apart from the cells so that the stamp is told to be there. */
export interface PrintedText {
  area: 'header' | 'footer';
  text: string;
}

/**
 * A worksheet's markup as text, each cell's text ended by SEPARATOR so that cells never run together;
 * `_xHHHH_` escapes decoded (xstring.ts). Its printed headers and footers are taken out, as they print
 * (print-header.ts), into `printed`: a stamp there is in the header, not in a cell.
 */
export const sheetText = (xml: string, sheet?: string, file?: string, printed: PrintedText[] = []): string => {
  const decode = xstringDecoder(xml);
  const cells = xml.replace(PRINT_HEADER, (_, open: string, body: string, kind: string) => {
    const text = decode(headerText(decodeEntities(body), sheet, file));
    if (text.trim()) printed.push({ area: kind === 'Footer' ? 'footer' : 'header', text });
    return open;
  });
  return decode(xmlToText(cells.replace(CELL_END, `$&${SEPARATOR.trim()}`)));
};

/** The printed headers' and footers' texts, each an item of its own, where the sheet's cells are. */
function* printedTexts(printed: readonly PrintedText[], where: Where): Generator<Extracted> {
  for (const p of printed) for (const text of chunkText(p.text)) yield { kind: 'text', text, where: { ...where, area: p.area } };
}

const ROW_END = /<\/(?:[\w.-]+:)?row>/g;

/** Where the last complete row in `markup` ends (after its end tag), or 0. */
function lastRowEnd(markup: string): number {
  // Looked for from near the end: a row of one cell is short, and a long row's end is the last one anyway.
  for (let from = Math.max(0, markup.length - (1 << 16)); ; from = Math.max(0, from - (1 << 20))) {
    ROW_END.lastIndex = from;
    let end = 0;
    for (let m = ROW_END.exec(markup); m; m = ROW_END.exec(markup)) end = m.index + m[0].length;
    if (end > 0 || from === 0) return end;
  }
}

interface Strings {
  part: string;
  items: string[];
  /** Items that may hold the stamp (or spell it with a character reference). */
  wanted: Set<number>;
  /** Every item was read (else only that none may hold the stamp is known). */
  loaded: boolean;
  /**
   * Some item holds 秘 or ㊙ at all (秘書室, 秘密 too) or a character reference: a formula may take it
   * out (`=LEFT(A1,1)&" Confidential"`), so the workbook's formulas are read.
   */
  stampChar: boolean;
  /** Why the part could not be read (reported in the part's own turn). */
  damage: unknown;
  /** How many strings the part holds (its `<si>` items; 0 without the part): a cell's index must be below. */
  count: number;
}

const SI = /<(?:[\w.-]+:)?si(?=[\s/>])/g;
const SI_END = /<\/(?:[\w.-]+:)?si>/g;
/** The shared strings' texts, in order, without their kana readings (markup-spans.ts: one pass, whatever a hostile part holds). */
const sharedStrings = (xml: string): string[] => {
  // Each item's `_xHHHH_` escapes decoded (xstring.ts), when the part holds any.
  const decode = xstringDecoder(xml);
  return Array.from(spans(xml, SI, () => SI_END, XML_TAGS), (s) => decode(xmlToText(withoutKanaReadings(content(xml, s)))));
};

export class XlsxBook {
  private strings: Promise<Strings> | null = null;
  private all: Promise<Strings> | null = null;
  /** Wanted strings already reported. */
  private readonly told = new Set<number>();
  /** Styles whose number format prints text around a text cell's. */
  private formats: Promise<TextFormats> | null = null;
  /** Some sheet may show 秘: its formulas with no computed value are read (xlsx-formulas.ts). */
  private formulas = false;
  /** A worksheet names CHAR or UNICHAR, which make 秘 from a number: the formulas are read too. */
  private readonly charCodes = charCodes();
  /** Some worksheet holds a formula with no computed value: without one there is nothing for the formula reading to do. */
  private uncomputed = false;
  /**
   * The workbook asks to be computed on load (`<calcPr fullCalcOnLoad="1"/>`), as XlsxWriter's always
   * do: it stores `<v>0</v>` for formulas it never computed, and Excel shows what they compute to.
   */
  private recalc: Promise<Recalc> | null = null;
  /** Cell styles centred across selection (xlsx-rows.ts centredStyles). */
  private centred: Promise<Set<number>> | null = null;
  /** Conditional formats' number formats that print text around a text cell's (xlsx-conditional.ts). */
  private conditional: Promise<Map<number, string>> | null = null;

  constructor(
    private readonly zip: ZipArchive,
    private readonly sheets: Map<string, string>,
    private readonly ctx: ExtractContext,
  ) {}

  /** The shared string part's own turn: its damage, and all its text when keywords are designated. */
  async *sharedStrings(part: string): AsyncGenerator<Extracted> {
    const s = await this.sharedItems();
    if (s.part !== part) return;
    if (s.damage) throw s.damage;
    // Items are cells of their own (as in xlsb): 社外秘 and the next item's Confidential are no stamp.
    if (this.ctx.fullText) for (const text of chunkText(s.items.join(SEPARATOR))) yield { kind: 'text', text, where: { part, area: 'cells' } };
  }

  /** One worksheet: its text around 秘, the rows where a stamp may stand, the wanted strings it shows. */
  async *worksheet(part: string): AsyncGenerator<Extracted> {
    const s = await this.sharedItems();
    const sheet = this.sheets.get(part);
    const where: Where = { part, area: 'cells', ...(sheet !== undefined ? { sheet } : {}) };
    const recalc = await (this.recalc ??= computedOnLoad(this.zip));
    const centred = await (this.centred ??= stylesXml(this.zip).then((xml) => centredStyles(xml ?? '')));
    const rows = new XlsxRows(s.loaded ? s.items : null, s.wanted, where, await (this.formats ??= textFormats(this.zip)), recalc, centred);
    const refs = new SharedStringRefs();
    let texts: string[];
    /** The printed headers and footers, told apart from the cells. */
    const printed: PrintedText[] = [];
    let utf16 = false;
    /** A number format in the sheet itself (an Excel 2010 conditional format's inline `<x14:dxf>`); read whole: yes. */
    let inlineFormats: SeenInStream | null = null;
    if (this.ctx.fullText) {
      inlineFormats = formatCodes();
      const streamed = await this.streamedSheet(part, rows, recalc, inlineFormats, printed, refs);
      utf16 = streamed === null;
      texts = streamed ?? (await this.wholeSheet(part, rows, printed, refs));
    } else {
      const windows = new MarkupWindows((xml) => sheetText(xml, sheet, this.ctx.name, printed));
      const signs = new UncomputedFormulas(recalc !== false);
      const codes = (inlineFormats = formatCodes());
      await this.zip.stream(part, (chunk) => {
        // One search tells which of the five below could find anything in the chunk (needle-groups.ts).
        const found = SHEET_SEARCH.in(chunk);
        const before = windows.hits;
        windows.push(chunk, (found & 1) === 0);
        rows.push(chunk, windows.hits > before);
        this.charCodes.push(chunk, (found & 2) === 0);
        signs.push(chunk, (found & 4) === 0);
        codes.push(chunk, (found & 8) === 0);
        refs.push(chunk, (found & 16) === 0);
      });
      this.uncomputed ||= signs.finish();
      // UTF-16 XML (rare) is not searched byte-wise: read whole.
      utf16 = windows.head !== null && isUtf16Xml(windows.head);
      // Read whole, the windows' headers and footers are read again.
      if (utf16) printed.length = 0;
      texts = utf16 ? await this.wholeSheet(part, rows, printed, refs) : windows.finish();
      // An inline 秘書室: a formula may take 秘 out of it (LEFT), so the formulas are read.
      this.formulas ||= windows.inWord > 0;
    }
    for (const text of texts) yield { kind: 'text', text, where };
    yield* printedTexts(printed, where);
    // A shared string index past the part's last string (a damaged part's count is not known).
    refs.finish();
    if (!s.damage && refs.max >= s.count) {
      const cell = refs.cell ? `cell ${refs.cell}` : 'a cell';
      const strings = s.part ? `${s.part} holds ${s.count}` : 'the workbook has no shared string part';
      yield { kind: 'unscannable', reason: 'corrupt', detail: `${part}: ${cell} shows shared string ${refs.max + 1}, but ${strings}: the sheet is damaged`, where };
    }
    // 秘 beside shared strings none of which may hold the stamp (a shared "Confidential"): read them now.
    if (rows.needsStrings) rows.resolve((await this.allItems()).items);
    // The merges come after the rows: a gap a merged cell covers is joined now.
    const dropped = rows.joinMerged();
    // A merge over several rows stands beside each of them: the rows it reaches, read again (tall-merges.ts).
    if (rows.tall.plan()) {
      const again = new TallRows(rows.tall, s.loaded ? s.items : (await this.allItems()).items, rows.rows, where, recalc);
      // Read whole where the first pass did (UTF-16 XML is searched as UTF-8).
      const bytes = utf16 ? await this.zip.read(part) : null;
      if (bytes) again.push(isUtf16Xml(bytes) ? new TextEncoder().encode(decodeXml(bytes)) : bytes);
      else await this.zip.stream(part, (chunk) => again.push(chunk));
      again.finish();
    }
    yield* rows.rows.take();
    // A row with 秘 or a string with 秘 (even in 秘書室: LEFT takes it out): formulas stored without a
    // computed value are read after every sheet.
    this.formulas ||= rows.parsedAny || s.stampChar;
    // A cached number set aside in a row read (a formula joining text, an array formula): the byte search does not see those.
    this.uncomputed ||= rows.formulas.noted;
    if (rows.tall.lost || dropped) yield { kind: 'unscannable', reason: 'too-large', detail: `${part}: too many merged ranges or cells with 秘 to read its rows as they show`, where };
    else if (rows.lost) yield { kind: 'unscannable', reason: 'too-large', detail: `${part}: ${rows.lost}, so its cells cannot be read as they show`, where };
    for (const [i, at] of rows.located) yield* this.tell(s, i, at);
    const sections = await (this.conditional ??= stylesXml(this.zip).then((xml) => conditionalSections(xml ?? '')));
    if (sections.size || (inlineFormats?.seen ?? true)) yield* conditionalCells(this.zip, part, sections, (await this.allItems()).items, where);
  }

  /** After every part: formulas with no computed value (xlsx-formulas.ts), and wanted strings no worksheet showed. */
  async *rest(): AsyncGenerator<Extracted> {
    if (!this.strings) return;
    if (this.uncomputed && (this.formulas || this.charCodes.seen)) yield* new XlsxFormulas(this.zip, this.sheets, (await this.allItems()).items, this.ctx, await (this.recalc ??= computedOnLoad(this.zip))).read();
    const s = await this.strings;
    for (const i of s.wanted) yield* this.tell(s, i, {});
  }

  private *tell(s: Strings, i: number, at: Where): Generator<Extracted> {
    if (this.told.has(i)) return;
    this.told.add(i);
    yield { kind: 'text', text: s.items[i], where: { ...at, part: s.part, area: 'cells' } };
  }

  /**
   * All the text of a worksheet (designated keywords), as it inflates: the markup is turned into text a
   * run of whole rows at a time (a cell never spans a row's end, and each cell's text ends with
   * SEPARATOR, so the runs' texts joined are the whole sheet's), and only the text is kept, in
   * overlapping chunks. The sheet is never held whole: a sheet of a million rows inflates to hundreds of
   * MB, and its markup, decoded and copied as text, took GBs. Null for UTF-16 markup (read whole).
   */
  private async streamedSheet(part: string, rows: XlsxRows, recalc: Recalc, codes: SeenInStream, printed: PrintedText[], refs: SharedStringRefs): Promise<string[] | null> {
    const sheet = this.sheets.get(part);
    const signs = new UncomputedFormulas(recalc !== false);
    const chunker = new TextChunker();
    const texts: string[] = [];
    const utf8 = decoder('utf-8');
    let markup = '';
    let first = true;
    let utf16 = false;
    const take = (upTo: number) => {
      for (const t of chunker.push(sheetText(markup.slice(0, upTo), sheet, this.ctx.name, printed))) texts.push(t);
      markup = markup.slice(upTo);
    };
    await this.zip.stream(part, (chunk) => {
      if (first && isUtf16Xml(chunk)) utf16 = true;
      first = false;
      if (utf16) return;
      rows.push(chunk, true);
      this.charCodes.push(chunk);
      signs.push(chunk);
      codes.push(chunk);
      refs.push(chunk);
      markup += utf8.decode(chunk, { stream: true });
      const end = lastRowEnd(markup);
      if (end > 0) take(end);
    });
    if (utf16) {
      codes.seen = true; // not searched: read the conditional formats as before
      return null;
    }
    markup += utf8.decode();
    take(markup.length);
    texts.push(...chunker.flush());
    this.uncomputed ||= signs.finish();
    return texts;
  }

  private async wholeSheet(part: string, rows: XlsxRows, printed: PrintedText[], refs: SharedStringRefs): Promise<string[]> {
    const bytes = await this.zip.read(part);
    if (!bytes) return [];
    const xml = decodeXml(bytes);
    const utf8 = isUtf16Xml(bytes) ? new TextEncoder().encode(xml) : bytes;
    rows.push(utf8, true);
    this.charCodes.push(utf8);
    refs.push(utf8);
    const signs = new UncomputedFormulas((await (this.recalc ??= computedOnLoad(this.zip))) !== false);
    signs.push(utf8);
    this.uncomputed ||= signs.finish();
    return [...chunkText(sheetText(xml, this.sheets.get(part), this.ctx.name, printed))];
  }

  private sharedItems(): Promise<Strings> {
    return (this.strings ??= readStrings(this.zip, this.ctx, this.ctx.fullText));
  }

  /** Every shared string, even when none may hold the stamp. */
  private async allItems(): Promise<Strings> {
    const s = await this.sharedItems();
    return s.loaded ? s : (this.all ??= readStrings(this.zip, this.ctx, true));
  }
}

/** The shared strings; unless `whole`, read whole only when one may hold the stamp. */
async function readStrings(zip: ZipArchive, ctx: ExtractContext, whole: boolean): Promise<Strings> {
  const part = zip.entries.find((e) => SHARED_STRINGS.test(e.name))?.name ?? '';
  const none: Strings = { part, items: [], wanted: new Set(), loaded: !part, damage: null, stampChar: false, count: 0 };
  if (!part) return none;
  try {
    if (!whole) {
      // Read whole only when a string may hold the stamp (秘 itself, or escaped: xstring.ts): to join its row and name its cell.
      const windows = new MarkupWindows((xml) => xmlToText(withoutKanaReadings(xml)));
      const escaped = new EscapedStampSearch();
      const items = new SharedStringCount();
      await zip.stream(part, (chunk) => {
        windows.push(chunk);
        escaped.push(chunk);
        items.push(chunk);
      });
      const utf16 = windows.head && isUtf16Xml(windows.head);
      if (!utf16 && !escaped.found && !windows.finish().some((t) => mayBeStamp(t) || t.includes('&#'))) return { ...none, stampChar: windows.inWord > 0, count: items.count };
    }
    const bytes = await zip.read(part);
    const items = bytes ? sharedStrings(decodeXml(bytes)) : [];
    const wanted = new Set<number>();
    // A literal "&#" may be a character reference that spells 秘.
    for (let i = 0; i < items.length; i++) if (mayBeStamp(items[i]) || items[i].includes('&#')) wanted.add(i);
    return { part, items, wanted, loaded: true, damage: null, stampChar: wanted.size > 0 || items.some(mayHaveStampChar), count: items.length };
  } catch (err) {
    // Limits end the scan; damage is the shared string part's to report, in its own turn.
    if (!(err instanceof ScanError) || err instanceof ScanLimitError) throw err;
    return { ...none, damage: err };
  }
}

const NUM_FMT = /<(?:[\w.-]+:)?numFmt\b[^>]*>/g;

/** xl/styles.xml, or null. */
async function stylesXml(zip: ZipArchive): Promise<string | null> {
  const part = zip.entries.find((e) => /^xl\/styles\.xml$/i.test(e.name))?.name;
  return part ? zip.text(part) : null;
}
const CELL_XFS = /<(?:[\w.-]+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?cellXfs>/;
const XF = /<(?:[\w.-]+:)?xf\b[^>]*>/g;

/**
 * The cell styles (cellXfs, by index: a cell's `s`) whose number format prints text around a text
 * cell's (number-format.ts), from xl/styles.xml. Only custom formats can (the built-in text format is `@`).
 */
async function textFormats(zip: ZipArchive): Promise<TextFormats> {
  const xml = await stylesXml(zip);
  // No `@` at all: no text section (the common case costs one search).
  if (!xml?.includes('@')) return { byStyle: new Map(), stamp: new Set() };
  const codes = new Map(Array.from(xml.matchAll(NUM_FMT), ([tag]) => [Number(attr(tag, 'numFmtId')), attr(tag, 'formatCode') ?? ''] as const));
  const styles = Array.from((CELL_XFS.exec(xml)?.[1] ?? '').matchAll(XF), ([tag]) => Number(attr(tag, 'numFmtId') ?? 0));
  return formatsOf(codes, styles);
}

const CALC_PR = /<(?:[\w.-]+:)?calcPr\b[^>]*>/;

/**
 * The workbook is computed when opened: `fullCalcOnLoad` set in xl/workbook.xml's calcPr (true); or it
 * has no calcPr at all, or one without the calcId of the engine that computed it, so Excel computes it
 * on load and its stored empty texts are placeholders ('empty-text': xlsx-rows.ts Recalc). Gnumeric writes
 * such a calcPr, and saves a workbook it read without computing it: Spreadsheet::WriteExcel's empty
 * result of `="秘"&" Confidential"` stays `<v></v>`.
 */
async function computedOnLoad(zip: ZipArchive): Promise<Recalc> {
  const part = zip.entries.find((e) => /^xl\/workbook\.xml$/i.test(e.name))?.name;
  const xml = (part && (await zip.text(part))) || '';
  const tag = CALC_PR.exec(xml)?.[0];
  if (!tag) return xml ? 'empty-text' : false;
  const v = attr(tag, 'fullCalcOnLoad');
  if (v === '1' || v === 'true') return true;
  return attr(tag, 'calcId') === null ? 'empty-text' : false;
}

const FORMAT_CODE: readonly Needle[] = [{ bytes: new TextEncoder().encode('formatCode'), enc: 'utf-8', anchor: 6, wide: false }];

/** The worksheet stream's searches, in the order of their bits: the sheet's text, CHAR(, formulas, number formats. */
const SHEET_SEARCH = new NeedleGroups([MARKUP_NEEDLES, CHAR_CODES, F_NAMES, FORMAT_CODE, QUOTED_S]);

/** Whether a worksheet's bytes hold `formatCode` (a number format of its own), seen chunk by chunk, the seam too. */
const formatCodes = (): SeenInStream => new SeenInStream(FORMAT_CODE, 16);
