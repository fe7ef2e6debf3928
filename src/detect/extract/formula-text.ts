/**
 * What a spreadsheet formula shows when the file holds no computed value for it. Libraries that write
 * workbooks (openpyxl, ExcelJS, SheetJS's ods, Spreadsheet::WriteExcel's xls) store formulas without
 * calculating them: `="秘"&" Confidential"` shows the stamp once Excel opens the file, yet the file
 * holds the two halves apart, inside the formula. So:
 *  - a formula made only of text and number literals joined by `&`, CONCATENATE or CONCAT is
 *    evaluated: its value is the cell's text;
 *  - any other formula cannot be evaluated here. Its literals are still text a search finds; and when
 *    it joins text (`&`, CONCATENATE…) and a literal holds 秘, what it shows is unknown, so the cell
 *    is unread (the caller reports it): never read as clean.
 * Two spellings: the formula text of xlsx (`"a"&"b"`) and ods (`of:="a"&"b"`, arguments apart by `;`),
 * and the parsed tokens of xls (BIFF8 Rgce, in reverse Polish order).
 */
import type { Where } from '../types.js';
import { mayHaveStampChar } from './byte-scan.js';
import type { Extracted } from './types.js';

export interface FormulaRead {
  /** The text the formula shows, when it could be evaluated to text; else null. */
  value: string | null;
  /** Its text literals, in order. */
  literals: string[];
  /** It joins text (`&`, CONCATENATE, CONCAT, TEXTJOIN). */
  joins: boolean;
}

/** The formula could show the stamp, but it was not evaluated and no computed value was stored. */
export const unread = (f: FormulaRead): boolean => f.value === null && f.joins && f.literals.some(mayHaveStampChar);

/**
 * The report of a sheet's unread formula cells (`cells`, the first five named): unscannable, at the
 * first of them. `more`: cells past those named exist. `part`: the sheet's part, named in the detail.
 */
export function unreadFormulas(cells: readonly string[], where: Where, opts: { more?: boolean; part?: string } = {}): Extracted {
  const named = cells.slice(0, 5).join(', ') + (cells.length > 5 || opts.more ? ' …' : '');
  return {
    kind: 'unscannable',
    reason: 'unsupported',
    detail: `${opts.part ? `${opts.part}: ` : ''}a formula that joins text with 秘 has no computed value, so what it shows is unknown (${named})`,
    where: { ...where, cell: cells[0] },
  };
}

const JOINING = /^(?:_xlfn\.|of:|com\.microsoft\.)?(?:concatenate|concat|textjoin)$/i;
const CONCAT = /^(?:_xlfn\.|of:)?(?:concatenate|concat)$/i;

type Token = { k: 'str'; s: string } | { k: 'num'; s: string } | { k: 'name'; s: string } | { k: 'p'; s: string } | { k: 'other' };

function tokens(src: string): Token[] {
  const out: Token[] = [];
  const re = /\s+|"((?:[^"]|"")*)"|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])|([A-Za-z_][\w.]*)(?=\s*\()|([(),;&])|(\[[^\]]*\]|[^\s"(),;&]+)/gy;
  for (let m = re.exec(src); m && m[0]; m = re.exec(src)) {
    if (m[1] !== undefined) out.push({ k: 'str', s: m[1].replace(/""/g, '"') });
    else if (m[2] !== undefined) out.push({ k: 'num', s: String(Number(m[2])) });
    else if (m[3] !== undefined) out.push({ k: 'name', s: m[3] });
    else if (m[4] !== undefined) out.push({ k: 'p', s: m[4] });
    else if (m[5] !== undefined) out.push({ k: 'other' });
  }
  return out;
}

/** A formula as xlsx (`<f>`, entities decoded) or ods (`table:formula`) writes it. */
export function readFormula(formula: string): FormulaRead {
  const src = formula.replace(/^\s*(?:[a-z]+:)?=?/i, '');
  const toks = tokens(src);
  const literals = toks.flatMap((t) => (t.k === 'str' ? [t.s] : []));
  const joins = toks.some((t) => (t.k === 'p' && t.s === '&') || (t.k === 'name' && JOINING.test(t.s)));
  let i = 0;
  const peek = (s: string) => toks[i]?.k === 'p' && (toks[i] as { s: string }).s === s;
  // expr := term ('&' term)*; term := literal | '(' expr ')' | CONCAT '(' [expr (sep expr)*] ')'
  const expr = (): string | null => {
    let v = term();
    while (v !== null && peek('&')) {
      i++;
      const w = term();
      v = w === null ? null : v + w;
    }
    return v;
  };
  const term = (): string | null => {
    const t = toks[i++];
    if (!t) return null;
    if (t.k === 'str' || t.k === 'num') return t.s;
    if (t.k === 'p' && t.s === '(') {
      const v = expr();
      return v !== null && peek(')') && ++i ? v : null;
    }
    if (t.k === 'name' && CONCAT.test(t.s) && peek('(')) {
      i++;
      let v = '';
      if (peek(')')) return (i++, v);
      for (;;) {
        const a = expr();
        if (a === null) return null;
        v += a;
        if (peek(')')) return (i++, v);
        if (!peek(',') && !peek(';')) return null;
        i++;
      }
    }
    return null;
  };
  let value = expr();
  if (i !== toks.length) value = null;
  return { value, literals, joins };
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
        if (end > rgce.length) return { value: null, literals, joins, whole: false };
        s = '';
        for (let k = start; k < end; k += high ? 2 : 1) s += String.fromCharCode(high ? rgce[k] | (rgce[k + 1] << 8) : rgce[k]);
        p = end;
      } else {
        if (p + 2 + cch > rgce.length) return { value: null, literals, joins, whole: false };
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
  return { value, literals, joins, whole };
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
