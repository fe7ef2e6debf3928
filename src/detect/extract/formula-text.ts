/**
 * What a spreadsheet formula shows when the file holds no computed value for it. Libraries that write
 * workbooks (openpyxl, ExcelJS, SheetJS, Spreadsheet::WriteExcel's xls) store formulas without
 * calculating them: `="秘"&" Confidential"`, or A1 = 秘 and `=A1&" Confidential"`, shows the stamp
 * once Excel opens the file, yet the file holds the halves apart. So the formula is evaluated, as
 * far as text goes:
 *  - literals, `&`, CONCATENATE, CONCAT, TEXTJOIN, UNICHAR, CHAR, T, TRIM, UPPER, LOWER, LEFT, RIGHT, MID, and
 *    references (cells, ranges, other sheets, defined names) read from the cells the reader has
 *    (`Cells`); without them a reference is not known;
 *  - arithmetic, comparisons and functions that make numbers (SUM, LEN…) cannot make the stamp:
 *    their value stands as a number, so `=SUM(A1:A9)` never makes a workbook unscannable;
 *  - any other function (IF, VLOOKUP, SUBSTITUTE…) is not evaluated: its value is unknown, and may hold 秘
 *    when one of its arguments may (a literal or a cell with 秘, an unknown reference, a character
 *    code). Such a formula is unread (the caller reports the cell): never read as clean.
 * Its literals are also text a search finds (`literals`). Spellings: xlsx (`A1&"b"`, `Labels!A1`,
 * `'My sheet'!$A$1:$B$2`), ods (`of:=[.A1]&"b"`, `[$Labels.A1]`, arguments apart by `;`), SpreadsheetML
 * 2003 (R1C1: `R[-1]C&"b"`, given the cell), and the parsed tokens of xls (BIFF8 Rgce, reverse Polish:
 * literals, `&` and CONCATENATE only; references are not followed there, so an xls formula is unread
 * when it joins a literal with 秘).
 */
import type { Where } from '../types.js';
import { mayHaveStampChar } from './byte-scan.js';
import type { Extracted } from './types.js';

/**
 * A file's text may make 秘 through a formula: 秘 or ㊙, a character reference that may spell them, or a
 * function that makes characters from codes (CHAR, UNICHAR). Files without any need not evaluate their formulas.
 */
export const MAY_SHOW_STAMP = /[秘㊙]|&#|CHAR\(/i;

/** A value not known; `stamp`: it may hold 秘 (so the stamp cannot be ruled out). */
export interface Unknown {
  stamp: boolean;
}
/** What a cell or a part of a formula shows: its text (numbers as digits), or not known. */
export type Value = string | Unknown;

const mayStamp = (v: Value): boolean => (typeof v === 'string' ? mayHaveStampChar(v) : v.stamp);

/** The cells a formula may refer to (0-based rows and columns; `sheet` null: the formula's own). */
export interface Cells {
  /** The values of a range's cells, row by row (empty cells ''); null when not known (past the reader's limits). */
  range(sheet: string | null, r1: number, c1: number, r2: number, c2: number): Value[] | null;
  /** A defined name's formula (`S!$Z$1`, `"秘"`) as the workbook stores it, or null. */
  name?(name: string): string | null;
}

export interface FormulaRead {
  /** The text the formula shows, when it could be evaluated; else null. */
  value: string | null;
  /** Its text literals, in order. */
  literals: string[];
  /** It joins text (`&`, CONCATENATE, CONCAT, TEXTJOIN). */
  joins: boolean;
  /** It refers to cells or defined names (so its value depends on them). */
  refers: boolean;
  /** Not evaluated, and what it shows may hold 秘. */
  stamp: boolean;
}

/** The formula could show the stamp, but it was not evaluated and no computed value was stored. */
export const unread = (f: FormulaRead): boolean => f.value === null && f.stamp;

/**
 * The report of a sheet's unread formula cells (`cells`, the first five named): unscannable, at the
 * first of them. `more`: cells past those named exist. `part`: the sheet's part, named in the detail.
 */
export function unreadFormulas(cells: readonly string[], where: Where, opts: { more?: boolean; part?: string } = {}): Extracted {
  const named = cells.slice(0, 5).join(', ') + (cells.length > 5 || opts.more ? ' …' : '');
  return {
    kind: 'unscannable',
    reason: 'unsupported',
    detail: `${opts.part ? `${opts.part}: ` : ''}a formula that may show text with 秘 has no computed value, so what it shows is unknown (${named})`,
    where: { ...where, cell: cells[0] },
  };
}

const JOINING = /^(?:concatenate|concat|textjoin)$/;
/** Functions whose value is a number or a truth value: no text, so never the stamp. */
const NUMERIC = new Set(
  (
    'sum sumif sumifs sumproduct average averagea averageif averageifs count counta countblank countif countifs min max mina maxa ' +
    'median mode stdev stdev.s stdev.p var var.s var.p product round roundup rounddown int trunc abs mod power sqrt exp ln log log10 ' +
    'sign ceiling ceiling.math floor floor.math rand randbetween pi len lenb find findb search searchb match row rows column columns ' +
    'now today date datevalue time timevalue year month day hour minute second weekday weeknum edate eomonth networkdays workday ' +
    'datedif days value n isblank isnumber istext isnontext iserror iserr isna islogical iseven isodd and or not xor true false ' +
    'code unicode exact subtotal aggregate rank rank.eq large small percentile quartile npv pmt fv pv rate irr'
  ).split(' '),
);
/** Functions that reach cells the formula does not name: what they show may hold 秘 whatever their arguments. */
const REACHING = new Set(['indirect', 'offset', 'hyperlink', 'webservice', 'filterxml', 'getpivotdata', 'dde', 'info', 'cell']);
/** Deepest nesting followed (defined names, formulas made of formulas): deeper is not known. */
const MAX_DEPTH = 32;
/** Cells of one range read for a formula: past it, not known. */
export const MAX_RANGE = 10_000;

type Node =
  | { t: 'v'; v: Value }
  | { t: 'ref'; sheet: string | null; r1: number; c1: number; r2: number; c2: number }
  | { t: 'name'; name: string }
  | { t: 'cat' | 'arith'; a: Node; b: Node }
  | { t: 'neg'; a: Node }
  | { t: 'fn'; name: string; args: Node[] };

type Token = { k: 'str' | 'num' | 'word' | 'p'; s: string };

function tokens(src: string): Token[] | null {
  const out: Token[] = [];
  // A word: quoted sheet names, bracketed parts (ods references, R1C1 offsets) and other characters that are no operator.
  const re = /\s+|"((?:[^"]|"")*)"|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)(?![\w.:!$[])|((?:'(?:[^']|'')*'|\[[^\]]*\]|[^\s"'(),;&+\-*/^<>=%{}[\]])+)|(<>|<=|>=|[(),;&+\-*/^<>=%])/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < src.length) {
    const at = re.lastIndex;
    if (!(m = re.exec(src)) || re.lastIndex === at) return null;
    if (m[1] !== undefined) out.push({ k: 'str', s: m[1].replace(/""/g, '"') });
    else if (m[2] !== undefined) out.push({ k: 'num', s: String(Number(m[2])) });
    else if (m[3] !== undefined) out.push({ k: 'word', s: m[3] });
    else if (m[4] !== undefined) out.push({ k: 'p', s: m[4] });
  }
  return out;
}

const col = (letters: string): number => [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
const unquote = (s: string): string => (s.startsWith("'") && s.endsWith("'") ? s.slice(1, -1).replace(/''/g, "'") : s);
/** Rows and columns of a whole row or column (`A:A`, `1:1`): far past MAX_RANGE, so not read. */
const LAST = 1 << 20;

const SHEET = String.raw`('(?:[^']|'')*'|[^'!:.\[\]]+)`;
/** Groups: sheet, then for each corner `$` (or ''), column, `$`, row: a `$` part stays put when a shared formula is shifted. */
const A1 = new RegExp(String.raw`^(?:${SHEET}!)?(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})(?::(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7}))?$`);
const WHOLE_COLS = new RegExp(String.raw`^(?:${SHEET}!)?\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$|^(?:${SHEET}!)?\$?(\d{1,7}):\$?(\d{1,7})$`);
const ODS_CELL = String.raw`(?:\$?('(?:[^']|'')*'|[^.'\]]*))?\.\$?([A-Za-z]{1,3})\$?(\d{1,7})`;
const ODS = new RegExp(String.raw`^\[${ODS_CELL}(?::${ODS_CELL})?\]$`);
const R1C1_PART = String.raw`R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?`;
const R1C1 = new RegExp(String.raw`^(?:${SHEET}!)?${R1C1_PART}(?::${R1C1_PART})?$`, 'i');

/** How far a shared formula's cell lies from the cell that holds its text (xlsx `<f t="shared">`): relative references move as far. */
export interface Shift {
  rows: number;
  cols: number;
}

/**
 * A word as a reference (`origin`: the cell, for R1C1; `shift`: a shared formula's offset, for A1), a
 * defined name, or null (an external reference, an error…).
 */
function reference(w: string, origin?: { row: number; col: number }, shift?: Shift): Node | null {
  let m = ODS.exec(w);
  if (m) {
    const sheet = m[1] ? unquote(m[1]) : null;
    const [r1, c1] = [Number(m[3]) - 1, col(m[2])];
    return { t: 'ref', sheet, r1, c1, r2: m[6] ? Number(m[6]) - 1 : r1, c2: m[5] ? col(m[5]) : c1 };
  }
  if (origin && (m = R1C1.exec(w))) {
    const at = (s: string | undefined, base: number) => (s === undefined ? base : s.startsWith('[') ? base + Number(s.slice(1, -1)) : Number(s) - 1);
    const [r1, c1] = [at(m[2], origin.row), at(m[3], origin.col)];
    return { t: 'ref', sheet: m[1] ? unquote(m[1]) : null, r1, c1, r2: m[4] || m[5] ? at(m[4], origin.row) : r1, c2: m[4] || m[5] ? at(m[5], origin.col) : c1 };
  }
  if ((m = A1.exec(w))) {
    // A part without `$` moves with a shared formula; past the sheet's first row or column it is #REF! (rangeOf: not known).
    const at = (fixed: string, n: number, by = 0) => (fixed ? n : n + by);
    const [r1, c1] = [at(m[4], Number(m[5]) - 1, shift?.rows), at(m[2], col(m[3]), shift?.cols)];
    const r2 = m[9] ? at(m[8], Number(m[9]) - 1, shift?.rows) : r1;
    const c2 = m[7] ? at(m[6], col(m[7]), shift?.cols) : c1;
    return { t: 'ref', sheet: m[1] ? unquote(m[1]) : null, r1, c1, r2, c2 };
  }
  if ((m = WHOLE_COLS.exec(w))) {
    const sheet = m[1] ?? m[4];
    return m[2] ? { t: 'ref', sheet: sheet ? unquote(sheet) : null, r1: 0, c1: col(m[2]), r2: LAST, c2: col(m[3]) } : { t: 'ref', sheet: sheet ? unquote(sheet) : null, r1: Number(m[5]) - 1, c1: 0, r2: Number(m[6]) - 1, c2: LAST };
  }
  if (/^(?:true|false)$/i.test(w)) return { t: 'v', v: w.toUpperCase() };
  if (/^[A-Za-z_\\\u0080-\uffff][\w.\u0080-\uffff]*$/.test(w) && !w.includes('!')) return { t: 'name', name: w };
  return null;
}

/** A formula's parse tree (null: a spelling this reader does not follow), its literals, and whether it joins text. */
function parse(formula: string, origin?: { row: number; col: number }, shift?: Shift): { node: Node | null; literals: string[]; joins: boolean } {
  const src = formula.replace(/^\s*(?:[a-z]+:)?=?/i, '');
  const toks = tokens(src) ?? [];
  const literals = toks.flatMap((t) => (t.k === 'str' ? [t.s] : []));
  const joins = toks.some((t, i) => (t.k === 'p' && t.s === '&') || (t.k === 'word' && toks[i + 1]?.s === '(' && JOINING.test(fnName(t.s))));
  // A hostile formula (100,000 nested parentheses, or `"a"&"a"&…`) would recurse past the stack: past
  // these bounds it is not parsed, so it is unread where it may show 秘 (fail closed), never a crash.
  if (toks.length > MAX_TOKENS || nesting(toks) > MAX_NESTING) return { node: null, literals, joins };
  const p = new Parser(toks, origin, shift);
  let node = p.compare();
  if (p.i !== toks.length || !toks.length) node = null;
  return { node, literals, joins };
}

/** Tokens of the longest formula parsed (Excel's own limit is 8,192 characters; real ones are far shorter). */
const MAX_TOKENS = 1024;
/** Deepest nesting of parentheses parsed (Excel allows 64 levels of functions). */
const MAX_NESTING = 64;

function nesting(toks: readonly Token[]): number {
  let depth = 0;
  let most = 0;
  for (const t of toks) {
    if (t.k !== 'p') continue;
    if (t.s === '(') most = Math.max(most, ++depth);
    else if (t.s === ')') depth--;
  }
  return most;
}

/** Excel's precedence, loosest first: comparison, &, + -, * /, ^, unary -, %. (Methods, not closures: a formula per cell is parsed.) */
const LEVELS: { ops: string[]; t: 'cat' | 'arith' }[] = [
  { ops: ['=', '<>', '<', '>', '<=', '>='], t: 'arith' },
  { ops: ['&'], t: 'cat' },
  { ops: ['+', '-'], t: 'arith' },
  { ops: ['*', '/'], t: 'arith' },
  { ops: ['^'], t: 'arith' },
];

class Parser {
  i = 0;

  constructor(
    private readonly toks: Token[],
    private readonly origin?: { row: number; col: number },
    private readonly shift?: Shift,
  ) {}

  compare(): Node | null {
    return this.binary(0);
  }

  private peek(...s: string[]): boolean {
    const t = this.toks[this.i];
    return t?.k === 'p' && s.includes(t.s);
  }

  private binary(level: number): Node | null {
    if (level === LEVELS.length) return this.percent();
    const { ops, t } = LEVELS[level];
    let a = this.binary(level + 1);
    while (a && this.peek(...ops)) {
      this.i++;
      const b = this.binary(level + 1);
      a = b && { t, a, b };
    }
    return a;
  }

  private percent(): Node | null {
    const a = this.primary();
    return a && this.peek('%') && ++this.i ? { t: 'arith', a, b: { t: 'v', v: '0' } } : a;
  }

  private primary(): Node | null {
    const t = this.toks[this.i++];
    if (!t) return null;
    if (t.k === 'str' || t.k === 'num') return { t: 'v', v: t.s };
    if (t.k === 'p' && (t.s === '-' || t.s === '+')) {
      const a = this.primary();
      return a && { t: 'neg', a };
    }
    if (t.k === 'p' && t.s === '(') {
      const v = this.compare();
      return v && this.peek(')') && ++this.i ? v : null;
    }
    if (t.k === 'word' && this.peek('(')) return this.call(fnName(t.s));
    return t.k === 'word' ? reference(t.s, this.origin, this.shift) : null;
  }

  /** A function's arguments, from its `(`. */
  private call(name: string): Node | null {
    this.i++;
    const args: Node[] = [];
    if (this.peek(')')) return (this.i++, { t: 'fn', name, args });
    for (;;) {
      // An omitted argument (`IF(A1,,"x")`) is empty.
      const a = this.peek(',', ';') ? { t: 'v' as const, v: '' } : this.compare();
      if (!a) return null;
      args.push(a);
      if (this.peek(')')) return (this.i++, { t: 'fn', name, args });
      if (!this.peek(',', ';')) return null;
      this.i++;
    }
  }
}

/** A function's name without the prefixes files add (`_xlfn.`, `of:`, `com.microsoft.`), lower case. */
const fnName = (s: string): string => s.toLowerCase().replace(/^(?:_xlfn\.|_xlws\.|of:|com\.microsoft\.|org\.openoffice\.)+/, '');

/** A number shown in place of any value that is not text: digits cannot make the stamp. */
const NUMBER = '0';

/** What `node` shows, reading references from `cells` (`sheet`: the formula's own; `depth`: names and formulas followed). */
function evaluate(node: Node, cells: Cells | undefined, depth: number): Value {
  switch (node.t) {
    case 'v':
      return node.v;
    case 'ref': {
      const v = rangeOf(node, cells);
      // A range where one value is wanted shows one of its cells (Excel's implicit intersection): any may.
      return v?.length === 1 ? v[0] : unknownOf(v ?? [{ stamp: true }]);
    }
    case 'name': {
      const f = depth < MAX_DEPTH ? cells?.name?.(node.name) : null;
      if (f == null) return { stamp: true };
      const inner = parse(f).node;
      return inner ? evaluate(inner, cells, depth + 1) : { stamp: true };
    }
    case 'cat':
      return join([evaluate(node.a, cells, depth), evaluate(node.b, cells, depth)]);
    case 'arith':
    case 'neg':
      return NUMBER;
    case 'fn':
      return call(node.name, node.args, cells, depth);
  }
}

/** Every value an argument gives: each cell of a range, or its one value. */
function valuesOf(n: Node, cells: Cells | undefined, depth: number): Value[] {
  return n.t === 'ref' ? (rangeOf(n, cells) ?? [{ stamp: true }]) : [evaluate(n, cells, depth)];
}

function call(name: string, args: Node[], cells: Cells | undefined, depth: number): Value {
  if (NUMERIC.has(name)) return NUMBER;
  if (REACHING.has(name)) return { stamp: true };
  const one = (n: Node | undefined): Value => (n ? evaluate(n, cells, depth) : '');
  const all = (n: Node): Value[] => valuesOf(n, cells, depth);
  switch (name) {
    case 'concatenate':
    case 'concat':
      return join(args.flatMap(all));
    case 'textjoin': {
      const [sep, skip, ...rest] = args;
      const d = one(sep);
      const s = one(skip);
      if (typeof d !== 'string' || typeof s !== 'string') return unknownOf([d, ...rest.flatMap(all)]);
      const vs = rest.flatMap(all).filter((v) => !(s === 'TRUE' || (s !== '0' && s !== 'FALSE' && s !== '')) || v !== '');
      return join(vs.flatMap((v, k) => (k ? [d, v] : [v])));
    }
    case 'unichar':
    case 'char': {
      const n = one(args[0]);
      const code = typeof n === 'string' ? Math.trunc(Number(n)) : NaN;
      if (!(code > 0 && code <= 0x10ffff)) return { stamp: true };
      // CHAR takes a code of the system's code page: on Japanese Excel, Shift_JIS (CHAR(38121) is 秘).
      if (name === 'char' && code > 0xff) return code <= 0xffff ? new TextDecoder('shift_jis').decode(new Uint8Array([code >> 8, code & 0xff])) : { stamp: true };
      return String.fromCodePoint(code);
    }
    case 't':
      // Text stays, a number shows as "": either way no more than its argument.
      return one(args[0]);
    case 'trim':
      return mapText(one(args[0]), (s) => s.replace(/ +/g, ' ').trim());
    case 'upper':
      return mapText(one(args[0]), (s) => s.toUpperCase());
    case 'lower':
      return mapText(one(args[0]), (s) => s.toLowerCase());
    case 'left':
    case 'right':
    case 'mid':
      return part(name, args.map(one));
    default:
      // Not evaluated: it shows one of its arguments, part of one, or something made from them.
      return unknownOf(args.flatMap(all));
  }
}

const mapText = (v: Value, f: (s: string) => string): Value => (typeof v === 'string' ? f(v) : v);

/**
 * LEFT(text, [n]), RIGHT(text, [n]), MID(text, start, n): part of a text, in characters as Excel
 * counts them (UTF-16 units: 秘 is one). `=LEFT(A1,1)` of 秘書室 is 秘. A count not known, or not a
 * number (#VALUE!), leaves the part unknown, as likely to hold 秘 as the text.
 */
function part(name: string, [text, a, b]: Value[]): Value {
  const n = (v: Value | undefined, dflt: number) => (v === undefined ? dflt : typeof v === 'string' ? Math.trunc(Number(v || 0)) : NaN);
  if (typeof text !== 'string') return text ?? '';
  const first = name === 'mid' ? n(a, NaN) - 1 : 0;
  const count = n(name === 'mid' ? b : a, name === 'mid' ? NaN : 1);
  if (!(first >= 0 && count >= 0)) return unknownOf([text]);
  if (name === 'left') return text.slice(0, count);
  return name === 'right' ? text.slice(Math.max(0, text.length - count)) : text.slice(first, first + count);
}
const unknownOf = (vs: Value[]): Unknown => ({ stamp: vs.some(mayStamp) });
const join = (vs: Value[]): Value => (vs.every((v) => typeof v === 'string') ? vs.join('') : unknownOf(vs));

function rangeOf(r: Extract<Node, { t: 'ref' }>, cells: Cells | undefined): Value[] | null {
  if (!cells || r.r1 < 0 || r.c1 < 0 || r.r2 < r.r1 || r.c2 < r.c1) return null;
  if ((r.r2 - r.r1 + 1) * (r.c2 - r.c1 + 1) > MAX_RANGE) return null;
  return cells.range(r.sheet, r.r1, r.c1, r.r2, r.c2);
}

/** A formula parsed once (parseFormula), to be evaluated against cells (evaluateFormula). */
export interface ParsedFormula {
  node: Node | null;
  literals: string[];
  joins: boolean;
}

/**
 * A formula as xlsx (`<f>`, entities decoded; a shared one's text with the `shift` of its cell), ods
 * (`table:formula`) or SpreadsheetML 2003 (`ss:Formula`, R1C1 read from `origin`) writes it.
 */
export const parseFormula = (formula: string, origin?: { row: number; col: number }, shift?: Shift): ParsedFormula => parse(formula, origin, shift);

/** What a parsed formula shows, evaluated with `cells` (without them, references are not known). */
export function evaluateFormula({ node, literals, joins }: ParsedFormula, cells?: Cells): FormulaRead {
  const refers = node === null || refersTo(node);
  // A formula this reader cannot spell out (an array, a structured reference…) may show anything.
  const v: Value = node ? evaluate(node, cells, 0) : { stamp: true };
  return typeof v === 'string' ? { value: v, literals, joins, refers, stamp: false } : { value: null, literals, joins, refers, stamp: v.stamp };
}

/** parseFormula, then evaluateFormula. */
export const readFormula = (formula: string, cells?: Cells, origin?: { row: number; col: number }): FormulaRead => evaluateFormula(parse(formula, origin), cells);

function refersTo(n: Node): boolean {
  if (n.t === 'ref' || n.t === 'name') return true;
  if (n.t === 'cat' || n.t === 'arith') return refersTo(n.a) || refersTo(n.b);
  if (n.t === 'neg') return refersTo(n.a);
  return n.t === 'fn' && (REACHING.has(n.name) || n.args.some(refersTo));
}

/** CONCATENATE in BIFF's function table. */
const FN_CONCATENATE = 336;

/**
 * An xls formula's tokens (CellParsedFormula's rgce, BIFF8; `biff8` false: BIFF5 byte strings in
 * `decode`'s code page). Tokens this reader does not know end the reading: what follows is not
 * known, so the value is null and the literals are those read so far (`whole` false).
 */
export function readXlsFormula(rgce: Uint8Array, biff8: boolean, decode: (b: Uint8Array) => string): FormulaRead & { whole: boolean } {
  const literals: string[] = [];
  let joins = false;
  const stack: (string | null)[] = [];
  const pop = (n: number) => stack.splice(Math.max(0, stack.length - n), n);
  const u16 = (o: number) => (rgce[o] ?? 0) | ((rgce[o + 1] ?? 0) << 8);
  const cut = () => ({ value: null, literals, joins, whole: false, refers: false, stamp: joins && literals.some(mayHaveStampChar) });
  let p = 0;
  let whole = true;
  let known = true;
  while (p < rgce.length) {
    const ptg = rgce[p];
    const base = ptg < 0x20 ? ptg : (ptg & 0x1f) | 0x20;
    if (ptg === 0x17) {
      // ptgStr: a ShortXLUnicodeString.
      const cch = rgce[p + 1] ?? 0;
      let s: string;
      if (biff8) {
        const high = ((rgce[p + 2] ?? 0) & 1) === 1;
        const start = p + 3;
        const end = start + cch * (high ? 2 : 1);
        if (end > rgce.length) return cut();
        s = '';
        for (let k = start; k < end; k += high ? 2 : 1) s += String.fromCharCode(high ? rgce[k] | (rgce[k + 1] << 8) : rgce[k]);
        p = end;
      } else {
        if (p + 2 + cch > rgce.length) return cut();
        s = decode(rgce.subarray(p + 2, p + 2 + cch));
        p += 2 + cch;
      }
      literals.push(s);
      stack.push(s);
      continue;
    }
    if (ptg === 0x08) {
      // ptgConcat
      joins = true;
      const [a, b] = pop(2);
      stack.push(a != null && b != null ? a + b : null);
      p += 1;
    } else if (ptg === 0x15) p += 1; // ptgParen: display only
    else if ((ptg >= 0x03 && ptg <= 0x11) || ptg === 0x14) {
      pop(ptg === 0x14 ? 1 : 2); // binary operators (and percent, unary): not text the stamp needs
      stack.push(null);
      p += 1;
    } else if (ptg === 0x12 || ptg === 0x13) {
      pop(1);
      stack.push(null);
      p += 1;
    } else if (ptg === 0x16) {
      stack.push(null); // ptgMissArg
      p += 1;
    } else if (ptg === 0x1e) {
      stack.push(String(u16(p + 1))); // ptgInt
      p += 3;
    } else if (ptg === 0x1f) {
      const b = rgce.subarray(p + 1, p + 9);
      stack.push(b.length === 8 ? String(new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true)) : null);
      p += 9;
    } else if (ptg === 0x1c || ptg === 0x1d) {
      stack.push(null); // ptgErr, ptgBool
      p += 2;
    } else if (ptg === 0x19) {
      // ptgAttr: tAttrSum takes one argument; tAttrChoose carries a jump table; the rest are layout or jumps.
      const grbit = rgce[p + 1] ?? 0;
      if (grbit & 0x10) {
        pop(1);
        stack.push(null);
      }
      p += grbit & 0x04 ? 4 + 2 * (u16(p + 2) + 1) : 4;
    } else if (base === 0x22) {
      // ptgFuncVar: argument count, function number.
      const n = (rgce[p + 1] ?? 0) & 0x7f;
      const fn = u16(p + 2) & 0x7fff;
      const args = pop(n);
      if (fn === FN_CONCATENATE) joins = true;
      stack.push(fn === FN_CONCATENATE && args.every((a) => a != null) ? args.join('') : null);
      p += 4;
    } else {
      // Operands (references, names, arrays) and fixed-argument functions: a value this reader cannot know.
      const size = OPERAND_SIZE[base];
      if (size === undefined) {
        whole = false;
        break;
      }
      if (base === 0x21) {
        // ptgFunc: a fixed number of arguments this reader does not keep a table of.
        known = false;
      } else stack.push(null);
      p += 1 + size;
    }
  }
  const value = whole && known && stack.length === 1 ? stack[0] : null;
  // References are not followed here: the formula may show the stamp when it joins a literal with 秘.
  return { value, literals, joins, whole, refers: false, stamp: value === null && joins && literals.some(mayHaveStampChar) };
}

/** Bytes after the token's first byte, by base token (the class bits folded into 0x20–0x3f). */
const OPERAND_SIZE: Record<number, number> = {
  0x01: 4, // ptgExp
  0x02: 4, // ptgTbl
  0x20: 7, // ptgArray
  0x21: 2, // ptgFunc
  0x23: 4, // ptgName
  0x24: 4, // ptgRef
  0x25: 8, // ptgArea
  0x26: 6, // ptgMemArea
  0x27: 6, // ptgMemErr
  0x28: 6, // ptgMemNoMem
  0x29: 2, // ptgMemFunc
  0x2a: 4, // ptgRefErr
  0x2b: 8, // ptgAreaErr
  0x2c: 4, // ptgRefN
  0x2d: 8, // ptgAreaN
  0x39: 6, // ptgNameX
  0x3a: 6, // ptgRef3d
  0x3b: 10, // ptgArea3d
  0x3c: 6, // ptgRefErr3d
  0x3d: 10, // ptgAreaErr3d
};
