/**
 * What a spreadsheet formula shows when the file holds no computed value for it. Libraries that write
 * workbooks (openpyxl, ExcelJS, SheetJS, Spreadsheet::WriteExcel's xls) store formulas without
 * calculating them: `="秘"&" Confidential"`, or A1 = 秘 and `=A1&" Confidential"`, shows the stamp
 * once Excel opens the file, yet the file holds the halves apart. So the formula is evaluated, as
 * far as text goes:
 *  - literals, `&`, CONCATENATE, CONCAT, TEXTJOIN, UNICHAR, CHAR, T, TRIM, UPPER, LOWER, LEFT, RIGHT, MID, HYPERLINK, and
 *    references (cells, ranges, other sheets, defined names) read from the cells the reader has
 *    (`Cells`); without them a reference is not known;
 *  - arithmetic, comparisons and functions that make numbers (SUM, LEN…) cannot make the stamp:
 *    their value stands as a number, so `=SUM(A1:A9)` never makes a workbook unscannable;
 *  - any other function (IF, VLOOKUP, SUBSTITUTE…) is not evaluated: its value is unknown, and may hold 秘
 *    when one of its arguments may (a literal or a cell with 秘, an unknown reference, a character
 *    code). Such a formula is unread (the caller reports the cell): never read as clean.
 * Its literals are also text a search finds (`literals`). Spellings: xlsx (`A1&"b"`, `Labels!A1`,
 * `'My sheet'!$A$1:$B$2`), ods (`of:=[.A1]&"b"`, `[$Labels.A1]`, arguments apart by `;`), SpreadsheetML
 * 2003 (R1C1: `R[-1]C&"b"`, given the cell), and the parsed tokens of xls (BIFF8 Rgce, reverse Polish,
 * rebuilt as the same tree: references and the functions above that BIFF numbers, FormulaBook).
 */
import { biffChars } from '../bytes.js';
import type { Where } from '../types.js';
import { mayHaveStampChar } from './byte-scan.js';
import { columnIndex } from './sheet-rows.js';
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
const REACHING = new Set(['indirect', 'offset', 'webservice', 'filterxml', 'getpivotdata', 'dde', 'info', 'cell']);
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
    const [r1, c1] = [Number(m[3]) - 1, columnIndex(m[2])];
    return { t: 'ref', sheet, r1, c1, r2: m[6] ? Number(m[6]) - 1 : r1, c2: m[5] ? columnIndex(m[5]) : c1 };
  }
  if (origin && (m = R1C1.exec(w))) {
    const at = (s: string | undefined, base: number) => (s === undefined ? base : s.startsWith('[') ? base + Number(s.slice(1, -1)) : Number(s) - 1);
    const [r1, c1] = [at(m[2], origin.row), at(m[3], origin.col)];
    return { t: 'ref', sheet: m[1] ? unquote(m[1]) : null, r1, c1, r2: m[4] || m[5] ? at(m[4], origin.row) : r1, c2: m[4] || m[5] ? at(m[5], origin.col) : c1 };
  }
  if ((m = A1.exec(w))) {
    // A part without `$` moves with a shared formula; past the sheet's first row or column it is #REF! (rangeOf: not known).
    const at = (fixed: string, n: number, by = 0) => (fixed ? n : n + by);
    const [r1, c1] = [at(m[4], Number(m[5]) - 1, shift?.rows), at(m[2], columnIndex(m[3]), shift?.cols)];
    const r2 = m[9] ? at(m[8], Number(m[9]) - 1, shift?.rows) : r1;
    const c2 = m[7] ? at(m[6], columnIndex(m[7]), shift?.cols) : c1;
    return { t: 'ref', sheet: m[1] ? unquote(m[1]) : null, r1, c1, r2, c2 };
  }
  if ((m = WHOLE_COLS.exec(w))) {
    const sheet = m[1] ?? m[4];
    return m[2] ? { t: 'ref', sheet: sheet ? unquote(sheet) : null, r1: 0, c1: columnIndex(m[2]), r2: LAST, c2: columnIndex(m[3]) } : { t: 'ref', sheet: sheet ? unquote(sheet) : null, r1: Number(m[5]) - 1, c1: 0, r2: Number(m[6]) - 1, c2: LAST };
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
    case 'hyperlink':
      // HYPERLINK(link, [friendly name]) shows the name, or else the link's text (xlwt users write these).
      return one(args.length > 1 && !(args[1].t === 'v' && args[1].v === '') ? args[1] : args[0]);
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

/** BIFF function numbers ([MS-XLS] Ftab) this reader evaluates or knows to make numbers, by name. */
const BIFF_FUNCTIONS: Record<number, string> = {
  0: 'count', 4: 'sum', 5: 'average', 6: 'min', 7: 'max', 8: 'row', 9: 'column', 24: 'abs', 25: 'int', 27: 'round',
  31: 'mid', 32: 'len', 33: 'value', 36: 'and', 37: 'or', 38: 'not', 39: 'mod', 65: 'date', 67: 'day', 68: 'month',
  69: 'year', 74: 'now', 82: 'search', 111: 'char', 112: 'lower', 113: 'upper', 115: 'left', 116: 'right', 118: 'trim',
  121: 'code', 124: 'find', 129: 'isblank', 130: 't', 169: 'counta', 221: 'today', 336: 'concatenate', 359: 'hyperlink',
};
/** Arguments of those a ptgFunc calls (a fixed count the token does not carry); another's end the reading. */
const BIFF_FIXED_ARGS: Record<number, number> = {
  24: 1, 25: 1, 27: 2, 31: 3, 32: 1, 33: 1, 38: 1, 39: 2, 65: 3, 67: 1, 68: 1, 69: 1, 74: 0, 111: 1, 112: 1, 113: 1,
  118: 1, 121: 1, 129: 1, 130: 1, 221: 0,
};

/** A 3-D reference's sheet, by its index into the workbook's EXTERNSHEET list; null when not one sheet of this workbook. */
export type XlsSheetOf = (ixti: number) => string | null;

/**
 * An xls formula's tokens (CellParsedFormula's rgce, BIFF8; `biff8` false: BIFF5 byte strings in
 * `decode`'s code page) as a parsed formula: reverse Polish rebuilt as the tree text formulas parse
 * to, so both evaluate alike. References read in BIFF8 (`sheetOf` names a 3-D one's sheet); names,
 * arrays, a shared formula's ptgExp and the like are values this reader does not know: they may hold
 * 秘 when the formula joins text. Tokens this reader does not know end the reading: the formula is not
 * known (node null, `whole` false) and its literals are those read so far.
 */
export function parseXlsFormula(rgce: Uint8Array, biff8: boolean, decode: (b: Uint8Array) => string, sheetOf?: XlsSheetOf): ParsedFormula & { whole: boolean } {
  const literals: string[] = [];
  const stack: Node[] = [];
  // Values not known here; whether they may hold 秘 is known once the whole formula is (it joins text).
  const opaque: Unknown = { stamp: false };
  const r = new XlsTokens(rgce, biff8);
  let joins = false;
  const push = (n: Node | null) => (stack.push(n ?? { t: 'v', v: opaque }), true);
  const pop = (n: number): Node[] | null => (stack.length < n ? null : stack.splice(stack.length - n, n));
  let ok = true;
  // As many tokens as a text formula may have (MAX_TOKENS): the tree is evaluated recursively.
  for (let count = 0; ok && r.p < rgce.length; count++) {
    if (count >= MAX_TOKENS) {
      ok = false;
      break;
    }
    const ptg = rgce[r.p];
    const base = ptg < 0x20 ? ptg : (ptg & 0x1f) | 0x20;
    if (ptg === 0x17) {
      const s = r.str(decode);
      if (s !== null) literals.push(s);
      ok = s !== null && push({ t: 'v', v: s });
      continue;
    }
    r.p++;
    if (ptg === 0x08 || (ptg >= 0x03 && ptg <= 0x0e)) {
      // ptgConcat, arithmetic and comparisons.
      const ab = pop(2);
      if (ptg === 0x08) joins = true;
      ok = ab !== null && push({ t: ptg === 0x08 ? 'cat' : 'arith', a: ab[0], b: ab[1] });
    } else if (ptg >= 0x0f && ptg <= 0x11) {
      // Intersection, union, range of references: not followed.
      ok = pop(2) !== null && push(null);
    } else if (ptg === 0x12 || ptg === 0x13 || ptg === 0x14) {
      const a = pop(1);
      ok = a !== null && push(ptg === 0x14 ? { t: 'arith', a: a[0], b: { t: 'v', v: '0' } } : { t: 'neg', a: a[0] });
    } else if (ptg === 0x15) continue; // ptgParen: display only
    else if (ptg === 0x16) push({ t: 'v', v: '' }); // ptgMissArg
    else if (ptg >= 0x1c && ptg <= 0x1f) push({ t: 'v', v: r.constant(ptg) }); // ptgErr, ptgBool, ptgInt, ptgNum
    else if (ptg === 0x19) ok = r.attr(pop, push);
    else if (base === 0x21 || base === 0x22) {
      // ptgFunc (a fixed count of arguments, from the table) or ptgFuncVar (the count given).
      const n = base === 0x22 ? (rgce[r.p++] ?? 0) & 0x7f : BIFF_FIXED_ARGS[r.u16(r.p) & 0x7fff];
      const fn = r.u16(r.p) & 0x7fff;
      r.p += 2;
      const args = n === undefined ? null : pop(n);
      if (fn === 336) joins = true;
      // A function without a name here: not evaluated (call's default: it may show any of its arguments).
      ok = args !== null && push({ t: 'fn', name: BIFF_FUNCTIONS[fn] ?? `biff${fn}`, args });
    } else if (OPERAND_SIZE[base] !== undefined) {
      push(biff8 ? r.reference(base, sheetOf) : null);
      r.p += OPERAND_SIZE[base];
    } else ok = false;
  }
  opaque.stamp = joins;
  const node = ok && stack.length === 1 ? stack[0] : null;
  return { node, literals, joins, whole: ok };
}

/** Reading an rgce: the offset, and the tokens that carry more than a byte or two. */
class XlsTokens {
  p = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly biff8: boolean,
  ) {}

  u16(o: number): number {
    return (this.b[o] ?? 0) | ((this.b[o + 1] ?? 0) << 8);
  }

  /** ptgErr, ptgBool, ptgInt or ptgNum at `p` (after the token's byte): its value as a cell shows it; `p` moves past it. */
  constant(ptg: number): string {
    const at = this.p;
    this.p += ptg === 0x1e ? 2 : ptg === 0x1f ? 8 : 1;
    if (ptg === 0x1c) return '#ERROR';
    if (ptg === 0x1d) return this.b[at] ? 'TRUE' : 'FALSE';
    if (ptg === 0x1e) return String(this.u16(at));
    const b = this.b.subarray(at, at + 8);
    return b.length === 8 ? String(new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true)) : '0';
  }

  /** ptgStr at `p`: a ShortXLUnicodeString (BIFF5: bytes in the code page); null when cut short. */
  str(decode: (b: Uint8Array) => string): string | null {
    const { b, p } = this;
    const cch = b[p + 1] ?? 0;
    if (!this.biff8) {
      if (p + 2 + cch > b.length) return null;
      this.p = p + 2 + cch;
      return decode(b.subarray(p + 2, p + 2 + cch));
    }
    const high = ((b[p + 2] ?? 0) & 1) === 1;
    const end = p + 3 + cch * (high ? 2 : 1);
    if (end > b.length) return null;
    this.p = end;
    return biffChars(b, p + 3, cch, high);
  }

  /** ptgAttr (after its first byte): tAttrSum takes one argument; tAttrChoose carries a jump table; the rest are layout or jumps. */
  attr(pop: (n: number) => Node[] | null, push: (n: Node | null) => boolean): boolean {
    const grbit = this.b[this.p] ?? 0;
    this.p += grbit & 0x04 ? 3 + 2 * (this.u16(this.p + 1) + 1) : 3;
    if (!(grbit & 0x10)) return true;
    const a = pop(1);
    return a !== null && push({ t: 'fn', name: 'sum', args: a });
  }

  /**
   * A BIFF8 reference at `p` (ptgRef, ptgArea, ptgRef3d, ptgArea3d; rows and columns 0-based, the
   * column's top bits its relative flags), or null for any other operand (not known).
   */
  reference(base: number, sheetOf?: XlsSheetOf): Node | null {
    const three = base === 0x3a || base === 0x3b;
    const sheet = three ? (sheetOf?.(this.u16(this.p)) ?? undefined) : null;
    if (sheet === undefined) return null;
    const o = this.p + (three ? 2 : 0);
    const col = (at: number) => this.u16(at) & 0x3fff;
    if (base === 0x24 || base === 0x3a) return { t: 'ref', sheet, r1: this.u16(o), c1: col(o + 2), r2: this.u16(o), c2: col(o + 2) };
    if (base === 0x25 || base === 0x3b) return { t: 'ref', sheet, r1: this.u16(o), r2: this.u16(o + 2), c1: col(o + 4), c2: col(o + 6) };
    return null;
  }
}

/** An xls formula read without other cells (parseXlsFormula, then evaluateFormula). */
export function readXlsFormula(rgce: Uint8Array, biff8: boolean, decode: (b: Uint8Array) => string): FormulaRead & { whole: boolean } {
  const parsed = parseXlsFormula(rgce, biff8, decode);
  return { ...evaluateFormula(parsed), whole: parsed.whole };
}

/** Formula cells whose values are followed from one to the next: deeper is not known. */
const MAX_CHAIN = 32;
/** Cells read for a workbook's formulas in all: past it, what they show is not known. */
const MAX_BOOK_CELLS = 1_000_000;

/**
 * A workbook's formula cells, evaluated once all its cells are read (xls: records come in any order
 * of reference): references read `text` (a cell's text, '' for none) or, for another formula cell,
 * that formula's value, followed (a cycle shows an error, as in Excel; a chain past MAX_CHAIN is not known).
 */
export class FormulaBook {
  private readonly cells = new Map<string, { parsed: ParsedFormula; value?: Value }>();
  private readonly seen = new Set<string>();
  private read = 0;
  /** More cells were asked for than MAX_BOOK_CELLS: values past that are not known. */
  lost = false;

  constructor(private readonly text: (sheet: string, row: number, col: number) => string) {}

  add(sheet: string, row: number, col: number, parsed: ParsedFormula): void {
    this.cells.set(at(sheet, row, col), { parsed });
  }

  /** What the formula cell added at sheet, row, col shows. */
  evaluate(sheet: string, row: number, col: number): FormulaRead {
    const f = this.cells.get(at(sheet, row, col));
    return f ? evaluateFormula(f.parsed, this.of(sheet)) : { value: null, literals: [], joins: false, refers: true, stamp: true };
  }

  private of(sheet: string): Cells {
    return {
      range: (s, r1, c1, r2, c2) => {
        if ((this.read += (r2 - r1 + 1) * (c2 - c1 + 1)) > MAX_BOOK_CELLS) this.lost = true;
        if (this.lost) return null;
        const name = s ?? sheet;
        const out: Value[] = [];
        for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) out.push(this.value(name, r, c));
        return out;
      },
    };
  }

  private value(sheet: string, row: number, col: number): Value {
    const k = at(sheet, row, col);
    const f = this.cells.get(k);
    if (!f) return this.text(sheet, row, col);
    if (f.value !== undefined) return f.value;
    if (this.seen.has(k) || this.seen.size >= MAX_CHAIN) return { stamp: this.seen.size >= MAX_CHAIN };
    this.seen.add(k);
    const r = evaluateFormula(f.parsed, this.of(sheet));
    this.seen.delete(k);
    return (f.value = r.value ?? { stamp: r.stamp });
  }
}

const at = (sheet: string, row: number, col: number) => `${sheet.toLowerCase()}\0${row},${col}`;

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
