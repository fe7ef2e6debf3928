/**
 * An xlsx workbook's formulas stored without a computed value (ExcelJS, openpyxl and SheetJS write
 * none) whose text comes from other cells: A1 = 秘 and B1 = `=A1&" Confidential"` shows the stamp once
 * Excel opens the file. The first pass (xlsx.ts) reads only the rows around 秘, and a formula may refer
 * to any cell of any sheet, so these are read after every worksheet, and only in a workbook that may
 * show 秘 (a row with 秘, a wanted shared string, a character-code function): others cost nothing.
 *  1. each sheet streams by again; rows with a formula with no computed value are parsed, and each
 *     such formula whose value is not known without other cells (formula-text.ts) is evaluated with
 *     its row's cells: most generated formulas (`=B2&" "&C2`) need no more, and are decided there, so a
 *     sheet of them is never held. The rest are kept, with their row's cells;
 *  2. the cells the kept ones refer to (defined names followed) are read in a third stream of those sheets;
 *  3. each kept one is evaluated against those cells (a formula's value may come from another: followed).
 * Decided: a value that may hold 秘 is the cell's text, joined with its row's neighbours (sheet-rows.ts);
 * one whose value is unknown and may show 秘, or stands beside a cell that may, is unread.
 * Numeric formulas (`=SUM(A1:A9)`, `=A1*2`) are never kept: they cannot show text.
 */
import type { Where } from '../types.js';
import { decoder, findNeedles, mayHaveStampChar, type Needle } from './byte-scan.js';
import { concat } from '../bytes.js';
import { evaluateFormula, unreadFormulas, type Cells, type FormulaRead, type ParsedFormula, type Value } from './formula-text.js';
import { RowTexts, cellName, type TextCell } from './sheet-rows.js';
import type { ExtractContext, Extracted } from './types.js';
import { RowReader, SharedFormulas, SheetHead, rowCells, type FormulaSink, type Recalc } from './xlsx-rows.js';
import { attr, decodeEntities } from './xml-text.js';
import type { ZipArchive } from './zip-reader.js';

/** Formulas kept per workbook, and cells read for them: past these, the workbook is reported unread. */
const MAX_KEPT = 100_000;
const MAX_CELLS = 1_000_000;
/** Formulas whose value comes from another's followed, one from the next: deeper is not known. */
const MAX_CHAIN = 32;

/** A formula cell with no computed value whose value needs other cells. */
interface Kept {
  row: number;
  col: number;
  formula: ParsedFormula;
}

/** One sheet: its kept formulas and their rows' cells, the rows their references reach, and what was decided. */
interface Sheet {
  part: string;
  name: string;
  formulas: Map<string, Kept>;
  /** Each kept row's cells (text cells and formulas known without other cells). */
  rows: Map<number, TextCell[]>;
  /** Rows wanted by references → the cells read there (column → text). */
  wanted: Map<number, Map<number, string>>;
  texts: RowTexts;
  unread: string[];
  /** Its shared formulas' texts (a cell that uses one holds none of its own). */
  shared: SharedFormulas;
}

const key = (row: number, col: number) => `${row},${col}`;
/**
 * A formula not followed by a computed value (`</f>`, or a shared formula's `<f t="shared" si="0"/>`,
 * then no `<v>` with content): only such rows are parsed (rowCells decides); Excel's own files
 * compute every formula.
 */
const UNCOMPUTED = /(?:<\/(?:[\w.-]+:)?f>|<(?:[\w.-]+:)?f\b[^>]*\/>)(?!\s*<(?:[\w.-]+:)?v>\s*[^<\s])/;
/**
 * A row whose formulas' cached numbers rowCells may set aside: an array formula, or one that may join
 * text (`&`, CONCAT, CONCATENATE, TEXTJOIN); rowCells decides.
 */
const MAY_RECONSIDER = /\bt\s*=\s*["']array["']|&amp;|concat|textjoin/i;
/** Unread cells named per sheet: the first say where. */
const MAX_UNREAD = 1_000;

export class XlsxFormulas {
  private readonly sheets = new Map<string, Sheet>();
  private kept = 0;
  private cells = 0;
  /** Past MAX_KEPT or MAX_CELLS, or a row too big to read: why the formulas were not all read. */
  private lost: string | null = null;
  private names: Names = { book: new Map(), sheet: new Map() };
  /** The kept formulas' values, once evaluated. */
  private readonly values = new Map<Kept, Value>();

  constructor(
    private readonly zip: ZipArchive,
    parts: Map<string, string>,
    private readonly strings: readonly string[],
    private readonly ctx: ExtractContext,
    /** The workbook is computed on load (calcPr fullCalcOnLoad): every formula is read as if it had no value (xlsx-rows.ts Recalc). */
    private readonly recalc: Recalc = false,
  ) {
    for (const [part, name] of parts)
      this.sheets.set(name.toLowerCase(), { part, name, formulas: new Map(), rows: new Map(), wanted: new Map(), texts: new RowTexts(), unread: [], shared: new SharedFormulas() });
  }

  async *read(): AsyncGenerator<Extracted> {
    this.names = definedNames((await this.zip.text('xl/workbook.xml')) ?? '');
    for (const s of this.sheets.values()) await this.keep(s);
    if (this.kept) {
      this.want();
      for (const s of this.sheets.values()) if ([...s.wanted.keys()].some((r) => !s.rows.has(r))) await this.fetch(s);
      for (const s of this.sheets.values()) this.evaluateKept(s);
    }
    for (const s of this.sheets.values()) {
      yield* s.texts.take();
      if (s.unread.length) yield unreadFormulas(s.unread, { part: s.part, area: 'cells', sheet: s.name }, { part: s.part, more: s.unread.length >= MAX_UNREAD });
    }
    if (this.lost) yield { kind: 'unscannable', reason: 'too-large', detail: `${this.lost}, so what they show cannot be read`, where: { part: 'xl/workbook.xml' } };
  }

  /** Step 1: the sheet's formulas with no computed value: decided with their row's cells, or kept. */
  private async keep(s: Sheet): Promise<void> {
    let found: Kept[] = [];
    const sink: FormulaSink = {
      note: (row: number, col: number, formula: ParsedFormula, f: FormulaRead) => {
        // Known without other cells: the first pass read it (a value with 秘 only from a character code, here too).
        if (f.value !== null && !(mayHaveStampChar(f.value) && !f.literals.some(mayHaveStampChar))) return;
        found.push({ row, col, formula });
      },
    };
    await this.stream(s, (xml, row) => {
      s.shared.note(xml);
      if (this.recalc !== true && !UNCOMPUTED.test(xml) && !MAY_RECONSIDER.test(xml)) return;
      found = [];
      const cells = rowCells(xml, this.strings, sink, undefined, s.shared, this.recalc);
      if (!found.length) return;
      const values = this.inRow(s, row, cells, found);
      if (values) return this.decide(s, row, cells, found, values);
      if ((this.kept += found.length) > MAX_KEPT) this.lost ??= `more than ${MAX_KEPT.toLocaleString('en')} formulas with no computed value that refer to other rows`;
      else {
        for (const k of found) s.formulas.set(key(k.row, k.col), k);
        s.rows.set(row, cells);
      }
    }, hasFormula);
    if (s.shared.lost) this.lost ??= `${s.part}: more shared formulas than can be kept`;
  }

  /** The values of a row's formulas from that row's cells alone; null when one refers beyond them. */
  private inRow(s: Sheet, row: number, cells: readonly TextCell[], found: readonly Kept[]): Value[] | null {
    let beyond = false;
    const own: Cells = {
      range: (sheet, r1, c1, r2, c2) => {
        // Another row or sheet, or a formula cell of this row (a chain): not decided here.
        if ((sheet !== null && sheet.toLowerCase() !== s.name.toLowerCase()) || r1 !== row || r2 !== row || found.some((k) => k.col >= c1 && k.col <= c2)) {
          beyond = true;
          return null;
        }
        const out: Value[] = [];
        for (let c = c1; c <= c2; c++) out.push(cells.find((x) => x.col === c)?.text ?? '');
        return out;
      },
      name: (n) => this.name(s, n),
    };
    const values = found.map((k) => evaluateFormula(k.formula, own));
    return beyond ? null : values.map((f) => f.value ?? { stamp: f.stamp });
  }

  /** A row's formulas decided (`values`, in the order of `found`): texts with 秘, the row joined, and unread cells. */
  private decide(s: Sheet, row: number, cells: readonly TextCell[], found: readonly Kept[], values: readonly Value[]): void {
    const where: Where = { part: s.part, area: 'cells', sheet: s.name };
    const all = [...cells];
    const unknown: number[] = [];
    found.forEach((k, i) => {
      const v = values[i];
      if (typeof v === 'string') {
        all.push({ row, col: k.col, text: v, sst: null });
        if (mayHaveStampChar(v)) s.texts.addText(v, where, row, k.col);
      } else if (v.stamp) this.unread(s, row, k.col);
      else unknown.push(k.col);
    });
    // A value not known beside a cell that may hold 秘 may complete the stamp (秘 | Confidential).
    for (const c of unknown) if (all.some((x) => Math.abs(x.col - c) === 1 && mayHaveStampChar(x.text))) this.unread(s, row, c);
    s.texts.add(all.sort((a, b) => a.col - b.col), where);
  }

  /** A defined name as a formula of sheet `s` sees it: the sheet's own (localSheetId) before the workbook's. */
  private name(s: Sheet, n: string): string | null {
    const lower = n.toLowerCase();
    return this.names.sheet.get(s.name.toLowerCase())?.get(lower) ?? this.names.book.get(lower) ?? null;
  }

  private unread(s: Sheet, row: number, col: number): void {
    if (s.unread.length < MAX_UNREAD) s.unread.push(cellName(row, col));
  }

  /** Step 2: the rows each kept formula's references reach, on their sheets (those of kept rows are known). */
  private want(): void {
    for (const s of this.sheets.values()) {
      for (const k of s.formulas.values()) {
        // Evaluated once with a Cells that only notes what is asked for.
        evaluateFormula(k.formula, {
          range: (sheet, r1, c1, r2, c2) => {
            const t = sheet === null ? s : this.sheets.get(sheet.toLowerCase());
            for (let r = r1; t && r <= r2; r++) if (!t.wanted.has(r)) t.wanted.set(r, new Map(t.rows.get(r)?.map((c) => [c.col, c.text])));
            this.cells += (r2 - r1 + 1) * (c2 - c1 + 1);
            return null;
          },
          name: (n) => this.name(s, n),
        });
      }
    }
    if (this.cells > MAX_CELLS) this.lost ??= `formulas with no computed value refer to more than ${MAX_CELLS.toLocaleString('en')} cells`;
  }

  /** Step 2, reading: the wanted rows' cells (those not kept already). */
  private async fetch(s: Sheet): Promise<void> {
    await this.stream(s, (xml, row) => {
      const cells = s.wanted.get(row)!;
      for (const c of rowCells(xml, this.strings, undefined, undefined, undefined, this.recalc)) cells.set(c.col, c.text);
    }, (_buf, _start, _end, row) => s.wanted.has(row) && !s.rows.has(row));
  }

  /** Step 3: the kept formulas evaluated, row by row. */
  private evaluateKept(s: Sheet): void {
    const byRow = new Map<number, Kept[]>();
    for (const k of s.formulas.values()) byRow.get(k.row)?.push(k) ?? byRow.set(k.row, [k]);
    for (const [row, kept] of byRow) {
      this.ctx.checkTime();
      this.decide(s, row, s.rows.get(row) ?? [], kept, kept.map((k) => this.value(s, k, new Set())));
    }
  }

  /** What formula cell `k` of sheet `s` shows (`seen`: the formula cells being evaluated, so a cycle ends), once. */
  private value(s: Sheet, k: Kept, seen: Set<Kept>): Value {
    const known = this.values.get(k);
    if (known !== undefined) return known;
    // A cycle shows an error in Excel; too deep a chain is not known.
    if (seen.has(k) || seen.size > MAX_CHAIN) return { stamp: seen.size > MAX_CHAIN };
    seen.add(k);
    const f = evaluateFormula(k.formula, this.cellsOf(s, seen));
    seen.delete(k);
    const v = f.value ?? { stamp: f.stamp };
    this.values.set(k, v);
    return v;
  }

  /** The cells a formula of sheet `s` reads: wanted rows' cells, and kept formulas evaluated in turn. */
  private cellsOf(s: Sheet, seen: Set<Kept>): Cells {
    return {
      range: (sheet, r1, c1, r2, c2) => {
        const t = sheet === null ? s : this.sheets.get(sheet.toLowerCase());
        if (!t || this.lost) return null;
        const out: Value[] = [];
        for (let r = r1; r <= r2; r++) {
          const row = t.wanted.get(r);
          for (let c = c1; c <= c2; c++) {
            const f = t.formulas.get(key(r, c));
            out.push(f ? this.value(t, f, seen) : (row?.get(c) ?? ''));
          }
        }
        return out;
      },
      name: (n) => this.name(s, n),
    };
  }

  /** Streams sheet `s`, giving each complete row that `only` accepts (its bytes and number) to `each`, decoded. */
  private async stream(s: Sheet, each: (xml: string, row: number) => void, only: (buf: Uint8Array, start: number, end: number, row: number) => boolean): Promise<void> {
    const utf8 = decoder('utf-8');
    const reader = new RowReader((buf, start, end, row) => {
      if (only(buf, start, end, row)) each(utf8.decode(buf.subarray(start, end)), row);
    });
    // The sheet's hidden columns (before its rows): its rows are also read without them (sheet-rows.ts).
    const head = s.texts.hidden ? null : new SheetHead();
    await this.zip.stream(s.part, (chunk) => {
      this.ctx.checkTime();
      if (head?.push(chunk)) s.texts.hidden = head.hidden;
      reader.push(chunk);
    });
    if (reader.lost) this.lost ??= `${s.part}: a row too large to read`;
  }
}

/**
 * The row's bytes hold a formula element (`</f>`, `</x:f>`, or a shared formula's `<f t="shared" si="0"/>`):
 * only such rows are decoded ("f" is rare in sheet markup).
 */
function hasFormula(buf: Uint8Array, start: number, end: number): boolean {
  // Searched within the row only: past its end, a row without "f" would search the rest of the chunk (rows × chunk).
  const row = buf.subarray(Math.max(0, start - 1), end);
  for (let i = row.indexOf(0x66, 1); i >= 0; i = row.indexOf(0x66, i + 1)) if (isFormulaName(row, i)) return true;
  return false;
}

/** The "f" at `i` names a formula element: `</f>`, `:f>` (a prefix's), or a start tag `<f …`, `<x:f …`. */
function isFormulaName(buf: Uint8Array, i: number): boolean {
  const before = buf[i - 1];
  const after = buf[i + 1];
  if (after === 0x3e) return before === 0x2f || before === 0x3a || before === 0x3c;
  return (before === 0x3c || before === 0x3a) && (after === 0x20 || after === 0x2f || after === 0x09 || after === 0x0a || after === 0x0d);
}

const DEFINED_NAME = /<(?:[\w.-]+:)?definedName\b([^>]*)>([^<]*)</g;
const SHEET_TAG = /<(?:[\w.-]+:)?sheet\b[^>]*>/g;

/** Defined names (lower case) → their formulas: the workbook's, and each sheet's own (by lower-case sheet name). */
interface Names {
  book: Map<string, string>;
  sheet: Map<string, Map<string, string>>;
}

/**
 * The workbook's defined names. One with `localSheetId` belongs to that sheet (its index among the
 * workbook's `<sheet>` elements) and, on that sheet, hides a workbook name of the same spelling;
 * other sheets never see it. One whose sheet does not exist is nobody's (a formula using it is not known).
 */
function definedNames(xml: string): Names {
  const sheets = Array.from(xml.matchAll(SHEET_TAG), ([tag]) => (attr(tag, 'name') ?? '').toLowerCase());
  const out: Names = { book: new Map(), sheet: new Map() };
  for (const m of xml.matchAll(DEFINED_NAME)) {
    const tag = `<n ${m[1]}>`;
    const name = attr(tag, 'name')?.toLowerCase();
    const local = attr(tag, 'localSheetId');
    const sheet = local === null ? null : sheets[Number(local)];
    if (!name || sheet === undefined) continue;
    const into = sheet === null ? out.book : (out.sheet.get(sheet) ?? out.sheet.set(sheet, new Map()).get(sheet)!);
    if (!into.has(name)) into.set(name, decodeEntities(m[2]));
  }
  return out;
}

const word = (s: string, anchor: number): Needle => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor });
/** CHAR( and UNICHAR( as Excel writes them, and lower case as a library may. */
export const CHAR_CODES: readonly Needle[] = [word('CHAR(', 1), word('char(', 4)];

/** Whether a stream holds one of `needles`, searched chunk by chunk, the seam between chunks too, until seen. */
export class SeenInStream {
  seen = false;
  private tail: Uint8Array = new Uint8Array(0);

  /** `seam`: bytes kept from a chunk's end, the longest needle less one. */
  constructor(
    private readonly needles: readonly Needle[],
    private readonly seam: number,
  ) {}

  /** `none`: the chunk itself holds none of the needles (NeedleGroups said so): only its seam is searched. */
  push(chunk: Uint8Array, none = false): void {
    if (this.seen) return;
    this.seen = this.holds(concat([this.tail, chunk.subarray(0, this.seam)])) || (!none && this.holds(chunk));
    this.tail = chunk.slice(-this.seam);
  }

  private holds(buf: Uint8Array): boolean {
    let found = false;
    findNeedles(buf, this.needles, 0, buf.length, () => ((found = true), false));
    return found;
  }
}

/**
 * Whether a worksheet's formulas may make 秘 from a character code (CHAR, UNICHAR): such a workbook
 * need not hold 秘 anywhere, so its formulas are read (XlsxFormulas).
 */
export const charCodes = (): SeenInStream => new SeenInStream(CHAR_CODES, 4);

/** Bytes of the previous chunk looked at again: a formula's end tag and what follows it, cut by the chunk's end. */
const SIGN_TAIL = 512;
/** A formula's start tag longer than this is taken for one with no computed value (it is read then: never skipped wrongly). */
const MAX_F_TAG = 256;
const isBlank = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Whether a worksheet holds a formula with no computed value (what UNCOMPUTED finds in a row), seen
 * chunk by chunk as it streams: Excel computes every formula, so most workbooks have none and their
 * formula reading (a second inflation of every sheet) is skipped, even where 秘 stands in 秘密. When
 * unsure (a tag too long, the part ending in a formula), it says yes.
 */
export class UncomputedFormulas {
  seen = false;
  private tail: Uint8Array = new Uint8Array(0);

  /** `any`: every formula counts, computed or not (a workbook computed on load: no stored value is what shows). */
  constructor(private readonly any = false) {}

  /** `none`: the chunk itself holds no F_NAMES (NeedleGroups said so): no formula starts in it. */
  push(chunk: Uint8Array, none = false): void {
    if (this.seen) return;
    // A formula that starts in the last bytes before this chunk and runs on into it, then the chunk
    // itself (not copied: a worksheet of 56 MB was copied chunk by chunk, 30 ms of a 120 ms scan).
    // (The seam is also where a formula's start tag is looked for when its end tag lies in the chunk's
    // first SIGN_TAIL bytes: placeholder; further in, one not found in the chunk is taken to be one.)
    const across = this.tail.length > 0 && scanFormulas(concat([this.tail, chunk.subarray(0, SIGN_TAIL)]), false, this.tail.length, this.any, undefined, true);
    this.seen = across || (!none && scanFormulas(chunk, false, undefined, this.any, (i) => this.tail.length > 0 && i > SIGN_TAIL));
    this.tail = (chunk.length >= SIGN_TAIL ? chunk : concat([this.tail, chunk])).slice(-SIGN_TAIL);
  }

  /** After the part's last chunk: a formula whose end was cut off counts. */
  finish(): boolean {
    this.seen ||= scanFormulas(this.tail, true, undefined, this.any);
    this.tail = new Uint8Array(0);
    return this.seen;
  }
}

/**
 * A formula with no computed value, whose name starts before `before`, ends in `buf`; `last`: nothing
 * follows, so one not decided counts.
 */
function scanFormulas(buf: Uint8Array, last: boolean, before = buf.length, any = false, unknown: (i: number) => boolean = () => false, seam = false): boolean {
  let found = false;
  // Only an "f" after "<", ":" or "/" can name a formula element (formulaEnd says which do): the byte
  // search's pair kernel finds those, where a search for every "f" walked the whole sheet once more.
  // The seam's end tags are looked at to its end (`before` bounds the others): their start tags are in the tail.
  findNeedles(buf, F_NAMES, 0, (seam ? buf.length : before) - 1, (at) => {
    const i = at + 1;
    const end = formulaEnd(buf, i);
    if (end === null) return true;
    if (seam && i >= before) {
      found = end >= 0 && computedAfter(buf, end) === true && buf[i + 1] === 0x3e && zeroAfter(buf, end) && placeholder(buf, i, true);
      return !found;
    }
    let computed = end === TOO_LONG || any ? false : end === CUT ? null : computedAfter(buf, end);
    // A stored 0 that rowCells sets aside (a formula joining text, an array formula): as good as none.
    if (computed === true && buf[i + 1] === 0x3e && zeroAfter(buf, end) && placeholder(buf, i, unknown(i))) computed = false;
    // Not decided within the buffer: the next chunk brings the rest (it is in the tail then).
    found = computed === false || (computed === null && (last || buf.length - i > SIGN_TAIL));
    return !found;
  });
  return found;
}
export const F_NAMES: readonly Needle[] = ['<f', ':f', '/f'].map((s) => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor: 1, wide: false }));

const CUT = -1;
const TOO_LONG = -2;

/**
 * Where the formula element whose name's "f" is at `i` ends (just past `</f>` or a start tag's `/>`):
 * CUT when not within `buf`, TOO_LONG past MAX_F_TAG, null when this "f" ends no formula (another
 * word, or a start tag with text after it).
 */
function formulaEnd(buf: Uint8Array, i: number): number | null {
  const before = buf[i - 1];
  const after = buf[i + 1];
  if (after === 0x3e && before === 0x2f) return i + 2; // </f>
  if (after === 0x3e && before === 0x3a) return closingPrefix(buf, i - 1) ? i + 2 : null; // </x:f>, not <x:f>
  if ((before !== 0x3c && before !== 0x3a) || !(isBlank(after) || after === 0x2f)) return null;
  const gt = buf.indexOf(0x3e, i);
  if (gt < 0 || gt - i > MAX_F_TAG) return gt < 0 && buf.length - i <= MAX_F_TAG ? CUT : TOO_LONG;
  return buf[gt - 1] === 0x2f ? gt + 1 : null;
}

/** How far back a formula's start tag, and its cell's, are looked for. */
const MAX_LOOK_BACK = 4096;
const latin1 = new TextDecoder('latin1');
const JOINS = /&amp;|concat|textjoin/i;
const ARRAY = /\bt\s*=\s*["']array["']/;

/**
 * The formula whose end tag's "f" is at `i` may join text or is an array formula, in a cell whose
 * stored value is the number 0 (no type, or t="n"; zeroAfter): that 0 is a writer's placeholder (rowCells, in
 * xlsx-rows.ts, reads such a formula as having no value). A start tag not found within MAX_LOOK_BACK:
 * it may be; not found before the buffer's start: `unknown` (the caller knows whether the seam saw it).
 */
function placeholder(buf: Uint8Array, i: number, unknown: boolean): boolean {
  // Bytes, and a string only when the formula may join: this runs once per computed formula of a large
  // sheet. Formula text holds no "<" (escaped as &lt;): the last one before the end tag (`</f>`,
  // `</x:f>`) starts the formula. Only a formula with "&" or a function call (CONCAT…), or a start tag
  // with attributes (t="array"), may be one: the text is searched for those on the way back to its start.
  let end = i - 2;
  while (end > 0 && buf[end] !== 0x3c) end--;
  let f = -1;
  let may = false;
  for (let k = end - 1; k >= 0; k--) {
    const b = buf[k];
    if (b === 0x3c) {
      f = k;
      break;
    }
    if (k < i - MAX_LOOK_BACK) return true;
    may ||= b === 0x26 || b === 0x28;
  }
  if (f < 0 || !isFormulaStart(buf, f)) return f < 0 ? unknown : true;
  if (!may && buf[f + 2] === 0x3e) return false;
  // Its cell's start tag (just before the formula): a type other than n (t="str", "e", "b") is no number.
  const c = f < 1 ? -1 : ltBefore(buf, f - 1, f - MAX_LOOK_BACK);
  if (c < 0) return c === -1 ? unknown : true;
  for (let k = c + 2; k + 4 < f; k++) if (buf[k] === 0x74 && buf[k + 1] === 0x3d && isBlank(buf[k - 1]) && (buf[k + 2] === 0x22 || buf[k + 2] === 0x27) && buf[k + 3] !== 0x6e) return false;
  const formula = latin1.decode(buf.subarray(f, i));
  return JOINS.test(formula) || ARRAY.test(formula.slice(0, formula.indexOf('>') + 1));
}

/** The last "<" at or before `i`: -1 at the buffer's start, -2 past `stop` (too far back to tell). */
function ltBefore(buf: Uint8Array, i: number, stop: number): number {
  for (let k = i; k >= 0; k--) {
    if (k < stop) return -2;
    if (buf[k] === 0x3c) return k;
  }
  return -1;
}

/** The `<v>` after a formula's end at `p` (computedAfter said it has content) holds the number 0. */
function zeroAfter(buf: Uint8Array, p: number): boolean {
  while (isBlank(buf[p])) p++;
  const gt = buf.indexOf(0x3e, p);
  if (gt < 0 || gt - p > 32) return false;
  let k = gt + 1;
  while (isBlank(buf[k])) k++;
  if (buf[k] !== 0x30) return false;
  for (k++; isBlank(buf[k]); k++);
  return buf[k] === 0x3c;
}

/** A start tag `<f` or `<x:f` at `lt`. */
function isFormulaStart(buf: Uint8Array, lt: number): boolean {
  let k = lt + 1;
  while (k < lt + 32 && buf[k] !== 0x3a && buf[k] !== 0x20 && buf[k] !== 0x3e && buf[k] !== 0x2f) k++;
  const name = buf[k] === 0x3a ? k + 1 : lt + 1;
  return buf[name] === 0x66 && (isBlank(buf[name + 1]) || buf[name + 1] === 0x3e);
}

/** The `:` at `colon` ends the prefix of an end tag (`</x:`). */
function closingPrefix(buf: Uint8Array, colon: number): boolean {
  for (let k = colon - 1; k >= 0 && colon - k < 32; k--) if (buf[k] === 0x3c) return buf[k + 1] === 0x2f;
  return false;
}

/** After a formula's end at `p`: a `<v>` with content follows (true), or not (false); null when `buf` ends first. */
function computedAfter(buf: Uint8Array, p: number): boolean | null {
  while (isBlank(buf[p])) p++;
  if (p >= buf.length) return null;
  if (buf[p] !== 0x3c) return false;
  let k = p + 1;
  while (k < buf.length && k - p < 32 && buf[k] !== 0x3e && buf[k] !== 0x20 && buf[k] !== 0x2f) k++;
  if (k >= buf.length) return null;
  // `<v>` or `<x:v>` (no string built: one per formula of a large sheet).
  if (buf[k] !== 0x3e || buf[k - 1] !== 0x76 || (k - 1 !== p + 1 && buf[k - 2] !== 0x3a)) return false;
  for (k++; isBlank(buf[k]); k++);
  return k >= buf.length ? null : buf[k] !== 0x3c;
}
