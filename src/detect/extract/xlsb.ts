/**
 * Excel binary workbooks (.xlsb): the BIFF12 record streams ([MS-XLSB]) that replace the XML parts
 * of an xlsx — xl/workbook.bin (sheet names), xl/worksheets/sheet*.bin (cells, headers and
 * footers), xl/sharedStrings.bin, xl/comments*.bin. The OOXML extractor hands each `.bin` part of
 * the package here; its XML parts (docProps, VML drawings, rels) stay with the OOXML reader.
 *
 * Every part is also searched at byte level for 秘/㊙ in UTF-16LE (how BIFF12 stores all text), so
 * a string in a record this reader does not know, or one behind a damaged record, is still found.
 */
import { headerText } from './print-header.js';
import { u32 } from '../bytes.js';
import { chunkText } from '../text-chunks.js';
import type { Where } from '../types.js';
import { scanBytes } from './binary.js';
import { NEEDLES, findNeedles, mayHaveStampChar } from './byte-scan.js';
import { ScanError, type ExtractContext, type Extracted } from './types.js';
import { attr } from './xml-text.js';
import { HiddenColumns, MergedCells, RowTexts, SEPARATOR, cellName, type TextCell } from './sheet-rows.js';
import { shownAs, textFormats, type TextFormats } from './number-format.js';
import { TallMerges } from './tall-merges.js';
import type { ZipArchive } from './zip-reader.js';

// Record types ([MS-XLSB] 2.3.2) whose text a reader sees. Cells come in two forms: full (column,
// style; 0x01–0x0B and 0x3E) and short (style only, in the column after the previous cell; 0x0C–0x12).
const ROW_HDR = 0x00;
const CELL_BLANK = 0x01; // a cell with a style and no value
const SHORT_BLANK = 0x0c; // the same, its column the one after the previous cell's
const CELL_ST = 0x06; // inline string
const CELL_ISST = 0x07; // index into the shared strings
const FMLA_STRING = 0x08; // formula with a string result
const CELL_RSTRING = 0x3e; // rich inline string
const SHORT_ST = 0x11;
const SHORT_ISST = 0x12;
const SST_ITEM = 0x13;
const BUNDLE_SH = 0x9c; // a sheet: its name and relationship id
const MERGE_CELL = 0xb0; // a merged range, after the cells: RfX (first row, last row, first column, last column)
const HEADER_FOOTER = 0x1df;
const COL_INFO = 0x3c; // a run of columns: first, last, width, style, then flags (fHidden: bit 0)
const BEGIN_SHEET_DATA = 0x91;
// xl/styles.bin: number formats, and the cell styles (BrtXF between BrtBeginCellXFs and BrtEndCellXFs) that name them.
const FMT = 0x2c;
const XF = 0x2f;
const BEGIN_CELL_XFS = 0x269;
const END_CELL_XFS = 0x26a;
const BEGIN_COMMENT = 0x27b;
const COMMENT_TEXT = 0x27d;

export interface Rec {
  type: number;
  /** Offset of the record's data in the part. */
  at: number;
  data: Uint8Array;
}

/** The records of a part, in order. Throws ScanError('corrupt') where a length runs past the end. */
export function* records(bytes: Uint8Array, part: string): Generator<Rec> {
  let p = 0;
  while (p < bytes.length) {
    const start = p;
    const type = varint(2);
    const size = varint(4);
    if (type < 0 || size < 0 || p + size > bytes.length) {
      throw new ScanError('corrupt', `${part}: record at offset ${start} runs past the end of the part`);
    }
    yield { type, at: p, data: bytes.subarray(p, p + size) };
    p += size;
  }

  /** 7 bits a byte, high bit set on all but the last ([MS-XLSB] 2.1.4). -1 when cut short. */
  function varint(maxBytes: number): number {
    let v = 0;
    for (let i = 0; i < maxBytes; i++) {
      if (p >= bytes.length) return -1;
      const b = bytes[p++];
      v |= (b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return v;
    }
    return v;
  }
}

const utf16 = new TextDecoder('utf-16le');

/** An XLWideString (or XLNullableWideString, null = '') at `off` in a record. */
export function wideString(rec: Rec, off: number, part: string): { text: string; end: number } {
  if (off + 4 > rec.data.length) throw lying(rec, part);
  const cch = u32(rec.data, off);
  if (cch === 0xffffffff) return { text: '', end: off + 4 };
  const end = off + 4 + 2 * cch;
  if (end > rec.data.length) throw lying(rec, part);
  return { text: utf16.decode(rec.data.subarray(off + 4, end)), end };
}

const lying = (rec: Rec, part: string) => new ScanError('corrupt', `${part}: a string at offset ${rec.at} is longer than its record`);

/** A RichStr ([MS-XLSB] 2.5.121): one flags byte, then the string (its runs only format it). */
const richString = (rec: Rec, off: number, part: string) => wideString(rec, off + 1, part).text;

interface Cell {
  row: number;
  col: number;
  rec: Rec;
  /** Offset of the value in the record's data (after the cell header). */
  value: number;
  /** The record type as its full form (a short string is a CELL_ST). */
  type: number;
}

const isFullCell = (t: number) => (t >= 0x01 && t <= 0x0b) || t === CELL_RSTRING;
const isShortCell = (t: number) => t >= 0x0c && t <= 0x12;

/** The cells of a worksheet part with their row and column, and its other records (cell: null). */
function* cells(bytes: Uint8Array, part: string, ctx: ExtractContext): Generator<{ rec: Rec; cell: Cell | null }> {
  let row = 0;
  let col = -1;
  let n = 0;
  for (const rec of records(bytes, part)) {
    if ((++n & 0xfff) === 0) ctx.checkTime();
    if (rec.type === ROW_HDR && rec.data.length >= 4) {
      row = u32(rec.data, 0);
      col = -1;
    } else if (isFullCell(rec.type) && rec.data.length >= 8) {
      col = u32(rec.data, 0);
      yield { rec, cell: { row, col, rec, value: 8, type: rec.type } };
      continue;
    } else if (isShortCell(rec.type) && rec.data.length >= 4) {
      col++;
      const type = rec.type === SHORT_ST ? CELL_ST : rec.type === SHORT_ISST ? CELL_ISST : rec.type;
      yield { rec, cell: { row, col, rec, value: 4, type } };
      continue;
    }
    yield { rec, cell: null };
  }
}

/** What the parts of one workbook need from each other: sheet names, cells, comment owners. */
export class XlsbBook {
  private sheets: Promise<Map<string, string>> | null = null;
  private shared: Promise<string[]> | null = null;
  private formats: Promise<XlsbStyles> | null = null;

  constructor(private readonly zip: ZipArchive) {}

  /** Part name of each worksheet → its sheet name (xl/workbook.bin and its relationships). */
  sheetNames(): Promise<Map<string, string>> {
    return (this.sheets ??= this.loadSheetNames());
  }

  private async loadSheetNames(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const [wb, targets] = await Promise.all([this.zip.read('xl/workbook.bin'), relTargets(this.zip, 'xl/workbook.bin')]);
    if (!wb) return out;
    try {
      for (const { id, name } of bundleSheets(wb)) {
        const target = targets.get(id);
        if (target) out.set(target, name);
      }
    } catch (err) {
      if (!(err instanceof ScanError)) throw err; // the workbook part itself reports the damage
    }
    return out;
  }

  /** The sheet a comments part belongs to: the worksheet whose relationships point at it. */
  async commentsSheet(part: string): Promise<{ sheet?: string }> {
    for (const [sheetPart, sheet] of await this.sheetNames()) {
      const targets = await relTargets(this.zip, sheetPart);
      if ([...targets.values()].includes(part)) return { sheet };
    }
    return {};
  }

  /** The styles whose number format prints text around a text cell's, and the centred ones (xl/styles.bin), read once. */
  textFormats(): Promise<XlsbStyles> {
    return (this.formats ??= this.zip.read('xl/styles.bin').then((bytes) => styleFormats(bytes)));
  }

  /** The shared strings (xl/sharedStrings.bin), read once; as far as they can be read when damaged. */
  sharedStrings(): Promise<string[]> {
    return (this.shared ??= this.zip.read('xl/sharedStrings.bin').then((bytes) => (bytes ? sstItems(bytes) : [])));
  }

  /**
   * Sheet and cell of the first cell that shows each shared string of `wanted`, and the text of every
   * row where one stands beside other cells, in one pass over the sheets.
   */
  async cellsUsing(wanted: Set<number>, ctx: ExtractContext): Promise<{ cells: Map<number, Where>; rows: Extracted[] }> {
    const found = new Map<number, Where>();
    const rows = new RowTexts();
    const strings = await this.sharedStrings();
    const formats = await this.textFormats();
    for (const [part, sheet] of await this.sheetNames()) {
      const bytes = await this.zip.read(part);
      if (!bytes) continue;
      try {
        const joins = new SheetJoins(rows, { part, area: 'cells', sheet }, bytes, part);
        for (const row of sheetRows(part, bytes, strings, formats, ctx)) {
          const hit = row.find((c) => c.sst !== null && wanted.has(c.sst));
          if (!hit) continue;
          for (const c of row) if (c.sst !== null && wanted.has(c.sst) && !found.has(c.sst)) found.set(c.sst, { sheet, cell: cellName(c.row, c.col) });
          joins.add(row);
        }
        const lost = joins.finish(part, bytes, strings, formats, ctx);
        if (lost) rows.out.push(lost);
      } catch (err) {
        if (!(err instanceof ScanError)) throw err;
        // Other damage the sheet part reports itself (its records are checked whole there).
        if (err instanceof StringIndexError) rows.out.push({ kind: 'unscannable', reason: 'corrupt', detail: err.message, where: { part, sheet } });
      }
    }
    return { cells: found, rows: rows.out };
  }
}

/** The items of a shared string table, up to the first damaged record. */
function sstItems(bytes: Uint8Array): string[] {
  const strings: string[] = [];
  try {
    for (const rec of records(bytes, 'xl/sharedStrings.bin')) if (rec.type === SST_ITEM) strings.push(richString(rec, 0, 'xl/sharedStrings.bin'));
  } catch (err) {
    if (!(err instanceof ScanError)) throw err; // the part itself reports the damage
  }
  return strings;
}

/**
 * xl/styles.bin's TextFormats ([MS-XLSB] BrtFmt: ifmt, then the code; BrtXF: its ifmt at 2), as far as
 * the part can be read: a damaged one is the part's own to report, and its byte search still runs.
 */
function styleFormats(bytes: Uint8Array | null): XlsbStyles {
  const codes = new Map<number, string>();
  const styles: number[] = [];
  const centred = new Set<number>();
  let inCellXfs = false;
  try {
    for (const rec of bytes ? records(bytes, 'xl/styles.bin') : []) {
      if (rec.type === FMT && rec.data.length >= 6) codes.set(rec.data[0] | (rec.data[1] << 8), wideString(rec, 2, 'xl/styles.bin').text);
      else if (rec.type === BEGIN_CELL_XFS || rec.type === END_CELL_XFS) inCellXfs = rec.type === BEGIN_CELL_XFS;
      else if (rec.type === XF && inCellXfs && rec.data.length >= 4) {
        // Its horizontal alignment (alc: the low 3 bits after trot and indent) 6 is "center across selection".
        if (rec.data.length >= 13 && (rec.data[12] & 7) === 6) centred.add(styles.length);
        styles.push(rec.data[2] | (rec.data[3] << 8));
      }
    }
  } catch (err) {
    if (!(err instanceof ScanError)) throw err;
  }
  return { ...textFormats(codes, styles), centred };
}

/** A workbook's TextFormats, and its cell styles aligned "center across selection" (by index). */
type XlsbStyles = TextFormats & { centred: ReadonlySet<number> };

/**
 * Each text cell of a centred style followed by blank cells (BrtCellBlank, BrtShortBlank) of such a
 * style in the next columns: Excel shows its text centred over them, as over a merged range (xlsx-rows.ts
 * centredAcross does the same for xlsx). Added to `merges`, which joins the text with the cell after them.
 */
function centredAcross(part: string, bytes: Uint8Array, centred: ReadonlySet<number>, strings: string[], merges: MergedCells, ctx: ExtractContext): void {
  let open: { row: number; col: number; lastCol: number } | null = null;
  const close = () => {
    if (open && open.lastCol > open.col) merges.add(open.row, open.col, open.lastCol);
    open = null;
  };
  for (const { cell } of cells(bytes, part, ctx)) {
    if (!cell) continue;
    const styled = centred.has(styleOf(cell));
    const blank = cell.type === CELL_BLANK || cell.type === SHORT_BLANK;
    if (open && styled && blank && cell.row === open.row && cell.col === open.lastCol + 1) {
      open.lastCol = cell.col;
      continue;
    }
    close();
    if (styled && !blank && rawText(cell, part, strings)) open = { row: cell.row, col: cell.col, lastCol: cell.col };
  }
  close();
}

/** A cell's style (iStyleRef: 24 bits before its value). */
const styleOf = (cell: Cell): number => u32(cell.rec.data, cell.value - 4) & 0xffffff;

/**
 * The text a cell shows (inline, formula, rich or shared string) through its number format
 * (`formats`: `"秘 "@` shows 「Confidential」 as 「秘 Confidential」), or null for numbers and the rest.
 */
function cellText(cell: Cell, part: string, strings: string[], formats: TextFormats): { text: string; sst: number | null; format?: string } | null {
  const t = rawText(cell, part, strings);
  const format = t && formats.byStyle.size ? formats.byStyle.get(styleOf(cell)) : undefined;
  return t && format ? { text: shownAs(format, t.text), sst: t.sst, format } : t;
}

/**
 * A cell's shared-string index past the table. Found while the sheets are walked for the shared string part
 * (cellsUsing), where a sheet that holds no 秘 itself is read for nothing else: reported from there.
 */
class StringIndexError extends ScanError {}

function rawText(cell: Cell, part: string, strings: string[]): { text: string; sst: number | null } | null {
  const { rec, value, type } = cell;
  if (type === CELL_ST || type === FMLA_STRING) return { text: wideString(rec, value, part).text, sst: null };
  if (type === CELL_RSTRING) return { text: richString(rec, value, part), sst: null };
  if (type === CELL_ISST && rec.data.length >= value + 4) {
    const sst = u32(rec.data, value);
    // An index past the last string: Excel refuses the workbook, and read as empty the cell hid what it
    // showed (its 秘 beside a Confidential). A string table cut short reports its own damage as well.
    if (sst >= strings.length) throw new StringIndexError('corrupt', `${part}: cell ${cellName(cell.row, cell.col)} shows shared string ${sst + 1}, but xl/sharedStrings.bin holds ${strings.length}: the sheet is damaged`);
    return { text: strings[sst], sst };
  }
  return null;
}

/** The text cells of a worksheet part, row by row (header and footer records are skipped). */
function* sheetRows(part: string, bytes: Uint8Array, strings: string[], formats: TextFormats, ctx: ExtractContext): Generator<TextCell[]> {
  let row: TextCell[] = [];
  for (const { cell } of cells(bytes, part, ctx)) {
    const t = cell && cellText(cell, part, strings, formats);
    if (!cell || !t) continue;
    if (row.length && row[0].row !== cell.row) {
      yield row;
      row = [];
    }
    row.push({ row: cell.row, col: cell.col, ...t });
  }
  if (row.length) yield row;
}

/**
 * One sheet's rows as they are read (into `rows`), and once all are, their joins: merges are listed after
 * the cells, so a merged cell (sheet-rows.ts) and a merge over several rows (tall-merges.ts) can only be
 * placed beside their neighbours then.
 */
class SheetJoins {
  private readonly merges = new MergedCells();
  private readonly tall = new TallMerges();

  constructor(
    private readonly rows: RowTexts,
    private readonly where: Where,
    bytes: Uint8Array,
    part: string,
  ) {
    // Hidden columns are listed before the cells: a row is also read without them (sheet-rows.ts).
    const hidden = hiddenColumns(bytes, part);
    rows.hidden = hidden.any ? hidden : null;
  }

  add(row: TextCell[]): void {
    this.rows.add(row, this.where);
    this.merges.want(row);
    this.tall.note(row);
  }

  /** Joins what the merges make neighbours; what could not be joined (past the limits), to report. */
  finish(part: string, bytes: Uint8Array, strings: string[], formats: XlsbStyles, ctx: ExtractContext): Extracted | null {
    readMerges(part, bytes, this.merges, this.tall, ctx);
    if (formats.centred.size && this.merges.wanting) centredAcross(part, bytes, formats.centred, strings, this.merges, ctx);
    const dropped = this.rows.joinMerged(this.merges);
    const lost = joinTall(part, bytes, strings, formats, this.tall, this.rows, this.where, ctx);
    return lost ?? (dropped ? tooManyToJoin(part, this.where) : null);
  }
}

/** The hidden columns (BrtColInfo with fHidden, before BrtBeginSheetData); as far as the part can be read (its damage is its own to report). */
function hiddenColumns(bytes: Uint8Array, part: string): HiddenColumns {
  const out = new HiddenColumns();
  try {
    for (const rec of records(bytes, part)) {
      if (rec.type === BEGIN_SHEET_DATA) break;
      if (rec.type === COL_INFO && rec.data.length >= 18 && rec.data[16] & 1) out.add(u32(rec.data, 0), Math.min(u32(rec.data, 4), 16_383));
    }
  } catch (err) {
    if (!(err instanceof ScanError)) throw err;
  }
  return out;
}

/** The merged ranges (BrtMergeCell, listed after the cells) that `merges` or `tall` want; none are read when neither wants any. */
function readMerges(part: string, bytes: Uint8Array, merges: MergedCells, tall: TallMerges, ctx: ExtractContext): void {
  if (!merges.wanting && !tall.noted) return;
  let n = 0;
  for (const rec of records(bytes, part)) {
    if ((++n & 0xfff) === 0) ctx.checkTime();
    if (rec.type !== MERGE_CELL || rec.data.length < 16) continue;
    const [row, lastRow, col, lastCol] = [u32(rec.data, 0), u32(rec.data, 4), u32(rec.data, 8), u32(rec.data, 12)];
    merges.add(row, col, lastCol);
    if (tall.noted) tall.merge({ row, col, lastRow, lastCol });
  }
}

/**
 * The rows a merge over several rows reaches, read again when 秘 may stand in one (tall-merges.ts);
 * what could not be joined (past its limits), to report.
 */
function joinTall(part: string, bytes: Uint8Array, strings: string[], formats: TextFormats, tall: TallMerges, rows: RowTexts, where: Where, ctx: ExtractContext): Extracted | null {
  if (tall.plan()) {
    for (const row of sheetRows(part, bytes, strings, formats, ctx)) if (tall.wants(row[0].row)) tall.take(row[0].row, row, rows, where);
    tall.finish(rows, where);
  }
  return tall.lost ? tooManyToJoin(part, where) : null;
}

const tooManyToJoin = (part: string, where: Where): Extracted => ({
  kind: 'unscannable',
  reason: 'too-large',
  detail: `${part}: too many merged ranges or cells with 秘 to read its rows as they show`,
  where,
});

function* bundleSheets(wb: Uint8Array): Generator<{ id: string; name: string }> {
  for (const rec of records(wb, 'xl/workbook.bin')) {
    if (rec.type !== BUNDLE_SH) continue;
    const id = wideString(rec, 8, 'xl/workbook.bin');
    yield { id: id.text, name: wideString(rec, id.end, 'xl/workbook.bin').text };
  }
}

/** Relationship id → target part (absolute, without the leading slash) of `part`'s relationships. */
async function relTargets(zip: ZipArchive, part: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const dir = part.replace(/[^/]*$/, '');
  const rels = await zip.text(`${dir}_rels/${part.slice(dir.length)}.rels`);
  if (!rels) return out;
  for (const [tag] of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(tag, 'Id');
    const target = attr(tag, 'Target');
    if (id && target) out.set(id, target.startsWith('/') ? target.slice(1) : resolvePath(dir + target));
  }
  return out;
}

/** A part path with its '.' and '..' steps resolved (a relationship's target is relative to its part's folder). */
export function resolvePath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return out.join('/');
}

/** True for the BIFF12 parts of an xlsb package (not VBA, not printer settings, not embeddings). */
export const isXlsbPart = (name: string): boolean => /^xl\/(?!.*(vbaProject|printerSettings|embeddings\/)).*\.bin$/i.test(name);

/** Text of one `.bin` part of an xlsb workbook, with sheet and cell where known. */
export async function* extractXlsbPart(part: string, bytes: Uint8Array, book: XlsbBook, ctx: ExtractContext): AsyncGenerator<Extracted> {
  let damage: ScanError | null = null;
  try {
    // Without designated keywords only the stamp matters: a part without 秘/㊙ in UTF-16LE needs no
    // decoding, unless it is a worksheet and a number format may print 秘 around its cells' text.
    if (ctx.fullText || mayHoldStamp(bytes) || (WORKSHEET_BIN.test(part) && (await book.textFormats()).stamp.size > 0)) yield* structured(part, bytes, book, ctx);
    checkComplete(part, bytes);
  } catch (err) {
    if (!(err instanceof ScanError) || err.reason !== 'corrupt') throw err;
    damage = err;
  }
  // Strings in records not read above (or after the damage) still carry the stamp in UTF-16LE.
  yield* scanBytes(bytes, ctx, { needles: NEEDLES['utf-16le'], part, area: areaOf(part) });
  if (damage) yield { kind: 'unscannable', reason: 'corrupt', detail: damage.message, where: { part } };
}

const WORKSHEET_BIN = /^xl\/worksheets\/[^/]+\.bin$/i;

function mayHoldStamp(bytes: Uint8Array): boolean {
  let found = false;
  findNeedles(bytes, NEEDLES['utf-16le'], 0, bytes.length, () => ((found = true), false));
  return found;
}

/** The record that closes each kind of part: a part cut short at a record boundary lacks it. */
const END_RECORD: [RegExp, number][] = [
  [/^xl\/worksheets\/[^/]+\.bin$/i, 0x82], // BrtEndSheet
  [/^xl\/workbook\.bin$/i, 0x84], // BrtEndBook
  [/^xl\/sharedStrings\.bin$/i, 0xa0], // BrtEndSst
  [/^xl\/comments[^/]*\.bin$/i, 0x275], // BrtEndComments
];

/** Every record's length fits its part (all parts), and the part ends with its closing record. */
function checkComplete(part: string, bytes: Uint8Array): void {
  let last = -1;
  for (const rec of records(bytes, part)) last = rec.type;
  const end = END_RECORD.find(([re]) => re.test(part))?.[1];
  if (end !== undefined && last !== end) throw new ScanError('corrupt', `${part} is truncated (its closing record is missing)`);
}

function areaOf(part: string): string {
  if (/^xl\/worksheets\//i.test(part)) return 'cells';
  if (/comments/i.test(part)) return 'comments';
  if (/^xl\/workbook\.bin$/i.test(part)) return 'sheet names';
  if (/sharedStrings/i.test(part)) return 'cells';
  return 'binary';
}

async function* structured(part: string, bytes: Uint8Array, book: XlsbBook, ctx: ExtractContext): AsyncGenerator<Extracted> {
  const p = part.toLowerCase();
  if (p === 'xl/workbook.bin') {
    for (const { name } of bundleSheets(bytes)) {
      if (ctx.fullText || mayHaveStampChar(name)) yield { kind: 'text', text: name, where: { part, area: 'sheet names', sheet: name } };
    }
  } else if (p === 'xl/sharedstrings.bin') {
    const strings: string[] = [];
    for (const rec of records(bytes, part)) if (rec.type === SST_ITEM) strings.push(richString(rec, 0, part));
    const candidates = new Set(strings.flatMap((t, i) => (mayHaveStampChar(t) ? [i] : [])));
    const used = candidates.size ? await book.cellsUsing(candidates, ctx) : { cells: new Map<number, Where>(), rows: [] };
    for (const i of candidates) yield { kind: 'text', text: strings[i], where: { part, area: 'cells', ...used.cells.get(i) } };
    // The rows those strings stand in, whole: a stamp split across neighbouring cells.
    yield* used.rows;
    if (ctx.fullText) yield* runs(strings, { part, area: 'cells' }, true);
  } else if (p.startsWith('xl/worksheets/')) {
    yield* sheetCells(part, bytes, (await book.sheetNames()).get(part), await book.sharedStrings(), await book.textFormats(), ctx);
  } else if (/^xl\/comments[^/]*\.bin$/.test(p)) {
    yield* comments(part, bytes, await book.commentsSheet(part), ctx);
  }
}

/** Yields `texts` as one run (chunked) when one may hold the stamp, or always when `full`. */
function* runs(texts: string[], where: Where, full: boolean): Generator<Extracted> {
  if (!full && !texts.some(mayHaveStampChar)) return;
  for (const text of chunkText(texts.join(SEPARATOR))) yield { kind: 'text', text, where };
}

/**
 * Inline and formula strings of a sheet, each with its cell, and the rows where one stands beside
 * other cells (shared strings included); then header and footer.
 */
function* sheetCells(part: string, bytes: Uint8Array, sheet: string | undefined, strings: string[], formats: XlsbStyles, ctx: ExtractContext): Generator<Extracted> {
  const where: Where = { part, area: 'cells', ...(sheet !== undefined ? { sheet } : {}) };
  const all: string[] = [];
  const rows = new RowTexts();
  const joins = new SheetJoins(rows, where, bytes, part);
  let row: TextCell[] = [];
  for (const { rec, cell } of cells(bytes, part, ctx)) {
    if (rec.type === HEADER_FOOTER) {
      // Odd, even and first page's header and footer, in turn: each said to be where it prints.
      const hf: string[] = [];
      for (let off = 2; hf.length < 6; ) {
        const s = wideString(rec, off, part);
        hf.push(headerText(s.text, sheet, ctx.name));
        off = s.end;
      }
      yield* runs(hf.filter((_, i) => i % 2 === 0), { ...where, area: 'header' }, ctx.fullText);
      yield* runs(hf.filter((_, i) => i % 2 === 1), { ...where, area: 'footer' }, ctx.fullText);
      continue;
    }
    const t = cell && cellText(cell, part, strings, formats);
    if (!cell || !t) continue;
    if (row.length && row[0].row !== cell.row) {
      joins.add(row);
      row = [];
    }
    row.push({ row: cell.row, col: cell.col, ...t });
    // Shared strings are the shared string part's to report, unless their format shows them otherwise.
    if (t.sst !== null && !t.format) continue;
    if (mayHaveStampChar(t.text)) yield { kind: 'text', text: t.text, where: { ...where, cell: cellName(cell.row, cell.col) } };
    if (ctx.fullText) all.push(t.text);
  }
  joins.add(row);
  const lost = joins.finish(part, bytes, strings, formats, ctx);
  yield* rows.out;
  if (lost) yield lost;
  // Designated keywords (full text): the sheet's strings in order.
  yield* runs(all, where, ctx.fullText);
}

function* comments(part: string, bytes: Uint8Array, owner: { sheet?: string }, ctx: ExtractContext): Generator<Extracted> {
  let cell: string | undefined;
  const all: string[] = [];
  for (const rec of records(bytes, part)) {
    ctx.checkTime();
    if (rec.type === BEGIN_COMMENT && rec.data.length >= 20) cell = cellName(u32(rec.data, 4), u32(rec.data, 12));
    else if (rec.type === COMMENT_TEXT) {
      const text = richString(rec, 0, part);
      if (mayHaveStampChar(text)) yield { kind: 'text', text, where: { part, area: 'comments', ...owner, ...(cell ? { cell } : {}) } };
      all.push(text);
    }
  }
  yield* runs(all, { part, area: 'comments', ...owner }, ctx.fullText);
}
