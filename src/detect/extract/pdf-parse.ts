/**
 * PDF object layer: lexer, objects, cross-reference (tables, streams, hybrid, /Prev chains),
 * object streams, a repair scan when the xref is broken, and stream decoding.
 * Names are JS strings, PDF strings are Uint8Array.
 */
import { applyFilter, IMAGE_FILTERS, type FilterParams } from './pdf-filters.js';
import type { Decryptor } from './pdf-crypt.js';

export class Ref {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}
/** A bare keyword (operator) met where an object was expected. */
export class Cmd {
  constructor(readonly cmd: string) {}
}
export class Dict extends Map<string, Obj> {}
export class Stream {
  constructor(
    readonly dict: Dict,
    /** Raw (still encoded, maybe encrypted) bytes: a view into the file or an object stream. */
    readonly raw: Uint8Array,
    readonly num: number,
    readonly gen: number,
    /** Data ran to the end of the file without `endstream`. */
    readonly truncated: boolean,
    /** Lives inside an object stream (not individually encrypted). */
    readonly inObjStm: boolean,
  ) {}
}
export type Obj = null | boolean | number | string | Uint8Array | Obj[] | Dict | Ref | Stream | Cmd;

// ---------------------------------------------------------------- character classes

export const WS = 1;
export const DELIM = 2;
export const CLS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CLS[c] = WS;
for (const c of '()<>[]{}/%') CLS[c.charCodeAt(0)] = DELIM;

const MAX_NEST = 64;
/** Deeper objects are not read: thrown, so the page or part they belong to is reported unread (they were returned empty). */
const tooDeep = (): never => {
  throw new Error(`PDF objects nest more than ${MAX_NEST} deep`);
};

export function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function bytesEq(buf: Uint8Array, pos: number, s: string): boolean {
  if (pos < 0 || pos + s.length > buf.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[pos + i] !== s.charCodeAt(i)) return false;
  return true;
}

export function latin1(buf: Uint8Array, start = 0, end = buf.length): string {
  let s = '';
  for (let i = start; i < end; i += 8192) s += String.fromCharCode.apply(null, buf.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  return s;
}

/** Finds an ASCII string in bytes from `from` (forward). */
export function findBytes(buf: Uint8Array, s: string, from: number, to = buf.length): number {
  const first = s.charCodeAt(0);
  const n = s.length;
  const last = to - n;
  for (let i = buf.indexOf(first, from); i !== -1 && i <= last; i = buf.indexOf(first, i + 1)) {
    let j = 1;
    while (j < n && buf[i + j] === s.charCodeAt(j)) j++;
    if (j === n) return i;
  }
  return -1;
}

/** Finds an ASCII string scanning backwards from `from` down to `downTo`. */
export function findBytesBack(buf: Uint8Array, s: string, from: number, downTo = 0): number {
  const first = s.charCodeAt(0);
  for (let i = Math.min(from, buf.length - s.length); i >= downTo; i--) {
    i = buf.lastIndexOf(first, i);
    if (i < downTo) return -1;
    if (bytesEq(buf, i, s)) return i;
  }
  return -1;
}

/** How much padding after a file's last byte of PDF is looked past (NULs, blanks, Ctrl-Z). */
export const PADDING_MAX = 16 * 1024 * 1024;

/**
 * Where a file's content ends before the padding copies and downloads leave after it: NUL bytes (a
 * block-padded or pre-allocated copy, an SD card or scanner export), 0x1A (CP/M and XMODEM) and blanks,
 * looked past for at most PADDING_MAX bytes.
 */
export function paddedEnd(buf: Uint8Array): number {
  let end = buf.length;
  const stop = Math.max(0, buf.length - PADDING_MAX);
  while (end > stop) {
    const b = buf[end - 1];
    if (b !== 0 && b !== 0x1a && b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0x0c) break;
    end--;
  }
  return end;
}

/**
 * How far into a file a PDF's header is looked for behind text (a saved HTTP response, a mail gateway's
 * banner, a download page) when the file ends as a PDF does: poppler and pdf.js look for it in the first
 * KiB, then read the file as a PDF anyway, by its objects (sniff.ts, pdf.ts).
 */
export const PDF_HEADER_REACH = 1 << 20;

/** Whether a file's last bytes end as a PDF: `startxref`, its offset, `%%EOF` (padding after it looked past). */
export function endsAsPdf(tail: Uint8Array): boolean {
  const end = paddedEnd(tail);
  const eof = findBytesBack(tail, '%%EOF', end - 5, Math.max(0, end - 64));
  return eof > 0 && findBytesBack(tail, 'startxref', eof, 0) >= 0;
}

// ---------------------------------------------------------------- lexer / parser

let scratch = new Uint8Array(256);

/** Index of the `)` closing a literal string whose body starts at `body` (nested parentheses and escapes count), or `end`. */
export function literalEnd(buf: Uint8Array, body: number, end = buf.length): number {
  let depth = 1;
  for (let p = body; p < end; ) {
    const d = buf[p];
    if (d === 0x5c) p += 2;
    else {
      if (d === 0x28) depth++;
      else if (d === 0x29 && --depth === 0) return p;
      p++;
    }
  }
  return end;
}

/** Unescapes the literal string body buf[s, e) into `out` (at least e - s long); returns the length written. */
export function unescapeLiteral(buf: Uint8Array, s: number, e: number, out: Uint8Array): number {
  let n = 0;
  for (let p = s; p < e; ) {
    const c = buf[p++];
    if (c !== 0x5c) {
      // An end of line in a string is a line feed, whatever its bytes were.
      if (c === 13) {
        if (buf[p] === 10 && p < e) p++;
        out[n++] = 10;
      } else out[n++] = c;
      continue;
    }
    if (p >= e) break;
    const d = buf[p++];
    switch (d) {
      case 0x6e:
        out[n++] = 10;
        break;
      case 0x72:
        out[n++] = 13;
        break;
      case 0x74:
        out[n++] = 9;
        break;
      case 0x62:
        out[n++] = 8;
        break;
      case 0x66:
        out[n++] = 12;
        break;
      case 13: // a backslash before an end of line continues the string
        if (buf[p] === 10 && p < e) p++;
        break;
      case 10:
        break;
      default:
        if (d >= 0x30 && d <= 0x37) {
          let v = d - 0x30;
          if (p < e && buf[p] >= 0x30 && buf[p] <= 0x37) {
            v = v * 8 + buf[p++] - 0x30;
            if (p < e && buf[p] >= 0x30 && buf[p] <= 0x37) v = v * 8 + buf[p++] - 0x30;
          }
          out[n++] = v & 0xff;
        } else out[n++] = d;
    }
  }
  return n;
}

/** Bytes a number's slips are made of: digits, signs and points. */
const NUMERIC = Uint8Array.from({ length: 256 }, (_, c) => ((c >= 48 && c <= 57) || c === 0x2b || c === 0x2d || c === 0x2e ? 1 : 0));

export class Parser {
  pos: number;
  /** Syntax a writer never produces was met and skipped (a dictionary key that is no name, a hex string with other bytes): damage. */
  errors = 0;
  constructor(
    readonly buf: Uint8Array,
    pos: number,
    /** Decrypts strings of object (num, gen); null when not encrypted or inside object streams. */
    readonly strDecrypt: ((s: Uint8Array) => Uint8Array) | null = null,
  ) {
    this.pos = pos;
  }

  skipWs(): void {
    const buf = this.buf;
    let p = this.pos;
    const n = buf.length;
    while (p < n) {
      const c = buf[p];
      if (CLS[c] === WS) p++;
      else if (c === 0x25) {
        while (p < n && buf[p] !== 10 && buf[p] !== 13) p++;
      } else break;
    }
    this.pos = p;
  }

  /** Parses an integer at pos (no sign), or returns -1. */
  private int(): number {
    const buf = this.buf;
    let p = this.pos;
    let v = 0;
    const s = p;
    while (p < buf.length && buf[p] >= 48 && buf[p] <= 57) v = v * 10 + buf[p++] - 48;
    if (p === s || p - s > 10) return -1;
    if (p < buf.length && CLS[buf[p]] === 0) return -1;
    this.pos = p;
    return v;
  }

  parse(depth = 0): Obj {
    this.skipWs();
    const buf = this.buf;
    const p = this.pos;
    if (p >= buf.length) return null;
    const c = buf[p];
    switch (c) {
      case 0x2f: // /
        return this.name();
      case 0x28: // (
        return this.literal();
      case 0x3c: // <
        if (buf[p + 1] === 0x3c) return this.dict(depth);
        return this.hex();
      case 0x5b: {
        // [
        this.pos++;
        const arr: Obj[] = [];
        if (depth > MAX_NEST) tooDeep();
        for (;;) {
          this.skipWs();
          if (this.pos >= buf.length) break;
          const d = buf[this.pos];
          if (d === 0x5d) {
            this.pos++;
            break;
          }
          if (d === 0x3e || d === 0x29 || d === 0x7d) {
            this.pos++;
            continue;
          }
          const before = this.pos;
          const v = this.parse(depth + 1);
          if (v instanceof Cmd && (v.cmd === 'endobj' || v.cmd === 'stream' || v.cmd === 'obj')) {
            this.pos = before;
            break;
          }
          // A bare word is no object (true, false and null are parsed as values): a damaged token,
          // such as a number with a stray byte in it ("0\xDF0": qpdf's "unknown token"), which shifts
          // what follows it (a font's widths, and the spaces read from them).
          if (v instanceof Cmd) this.errors++;
          arr.push(v);
          if (this.pos === before) this.pos++;
        }
        return arr;
      }
      case 0x5d:
      case 0x3e:
      case 0x29:
      case 0x7b:
      case 0x7d:
        this.pos++;
        return null;
    }
    if ((c >= 48 && c <= 57) || c === 0x2b || c === 0x2d || c === 0x2e) {
      // number, maybe "num gen R"
      if (c >= 48 && c <= 57) {
        const save = this.pos;
        const n1 = this.int();
        if (n1 >= 0) {
          const after1 = this.pos;
          this.skipWs();
          const n2 = this.int();
          if (n2 >= 0) {
            this.skipWs();
            if (buf[this.pos] === 0x52 && (this.pos + 1 >= buf.length || CLS[buf[this.pos + 1]] !== 0)) {
              this.pos++;
              return new Ref(n1, n2);
            }
          }
          this.pos = after1;
          return n1;
        }
        this.pos = save;
      }
      return this.number();
    }
    // keyword
    let e = p;
    while (e < buf.length && CLS[buf[e]] === 0) e++;
    if (e === p) {
      this.pos++;
      return null;
    }
    this.pos = e;
    const len = e - p;
    if (len === 4 && bytesEq(buf, p, 'true')) return true;
    if (len === 5 && bytesEq(buf, p, 'false')) return false;
    if (len === 4 && bytesEq(buf, p, 'null')) return null;
    return new Cmd(latin1(buf, p, Math.min(e, p + 32)));
  }

  number(): number {
    const buf = this.buf;
    let p = this.pos;
    let neg = false;
    while (buf[p] === 0x2b || buf[p] === 0x2d) {
      if (buf[p] === 0x2d) neg = !neg;
      p++;
    }
    let v = 0;
    while (p < buf.length && buf[p] >= 48 && buf[p] <= 57) v = v * 10 + buf[p++] - 48;
    if (buf[p] === 0x2e) {
      p++;
      let f = 0.1;
      while (p < buf.length && buf[p] >= 48 && buf[p] <= 57) {
        v += (buf[p++] - 48) * f;
        f /= 10;
      }
    }
    // swallow junk like "1.2.3" or "12-3" (writers' slips Acrobat and pdf.js read past); any other byte
    // in a number is damage (qpdf: "unknown token"), and the number may stand for two ("0 0" read as 0).
    for (; p < buf.length && CLS[buf[p]] === 0; p++) if (!NUMERIC[buf[p]]) this.errors++;
    this.pos = p;
    return neg ? -v : v;
  }

  name(): string {
    const buf = this.buf;
    let p = this.pos + 1;
    const s = p;
    let hasEsc = false;
    while (p < buf.length && CLS[buf[p]] === 0) {
      if (buf[p] === 0x23) hasEsc = true;
      p++;
    }
    this.pos = p;
    if (!hasEsc) return latin1(buf, s, p);
    let out = '';
    for (let i = s; i < p; i++) {
      if (buf[i] === 0x23 && i + 2 < p + 1 && hexVal(buf[i + 1]) >= 0 && hexVal(buf[i + 2]) >= 0) {
        out += String.fromCharCode(hexVal(buf[i + 1]) * 16 + hexVal(buf[i + 2]));
        i += 2;
      } else out += String.fromCharCode(buf[i]);
    }
    return out;
  }

  literal(): Uint8Array {
    const buf = this.buf;
    const body = this.pos + 1;
    const close = literalEnd(buf, body);
    if (scratch.length < close - body) scratch = new Uint8Array(close - body);
    const n = unescapeLiteral(buf, body, close, scratch);
    this.pos = close < buf.length ? close + 1 : close;
    const out = scratch.slice(0, n);
    if (scratch.length > 1 << 20) scratch = new Uint8Array(256); // do not keep a huge buffer alive
    return this.strDecrypt ? this.strDecrypt(out) : out;
  }

  hex(): Uint8Array {
    const buf = this.buf;
    let p = this.pos + 1;
    const out: number[] = [];
    let hi = -1;
    while (p < buf.length) {
      const c = buf[p++];
      if (c === 0x3e) break;
      const v = hexVal(c);
      if (v < 0) {
        if (CLS[c] !== WS) this.errors++;
        continue;
      }
      if (hi < 0) hi = v;
      else {
        out.push((hi << 4) | v);
        hi = -1;
      }
    }
    if (hi >= 0) out.push(hi << 4);
    this.pos = p;
    const s = Uint8Array.from(out);
    return this.strDecrypt ? this.strDecrypt(s) : s;
  }

  dict(depth: number): Dict {
    const buf = this.buf;
    this.pos += 2;
    const d = new Dict();
    if (depth > MAX_NEST) tooDeep();
    for (;;) {
      this.skipWs();
      if (this.pos >= buf.length) break;
      const c = buf[this.pos];
      if (c === 0x3e) {
        this.pos += buf[this.pos + 1] === 0x3e ? 2 : 1;
        break;
      }
      if (c !== 0x2f) {
        // garbage in place of a key: skip one token (stop at keywords that end objects)
        this.errors++;
        const before = this.pos;
        const v = this.parse(depth + 1);
        if (v instanceof Cmd && (v.cmd === 'endobj' || v.cmd === 'stream' || v.cmd === 'obj')) {
          this.pos = before;
          break;
        }
        if (this.pos === before) this.pos++;
        continue;
      }
      const key = this.name();
      this.skipWs();
      if (buf[this.pos] === 0x3e && buf[this.pos + 1] === 0x3e) {
        d.set(key, null);
        continue;
      }
      const before = this.pos;
      const v = this.parse(depth + 1);
      if (v instanceof Cmd && (v.cmd === 'endobj' || v.cmd === 'stream' || v.cmd === 'obj')) {
        this.pos = before;
        break;
      }
      if (v instanceof Cmd) this.errors++; // as in an array
      d.set(key, v);
    }
    return d;
  }
}

/**
 * Whether an object is followed by what may follow one: endobj, or (endobj left out, as some writers do)
 * the next object, the cross-reference, the trailer or the end of the file. Anything else is the damaged
 * rest of it (a stream whose keyword lost a byte: qpdf's "expected endobj"), which was not read.
 */
function endsWell(buf: Uint8Array, p: Parser): boolean {
  p.skipWs();
  const at = p.pos;
  if (at >= buf.length || ['endobj', 'xref', 'trailer', 'startxref', '%%EOF'].some((k) => bytesEq(buf, at, k))) return true;
  return /^\d+\s+\d+\s+obj/.test(latin1(buf, at, Math.min(buf.length, at + 24)));
}

// ---------------------------------------------------------------- document

interface XEntry {
  /** 0 free, 1 in file at `a` (offset), 2 in object stream `a` at index `b`. */
  t: number;
  a: number;
  b: number;
}

interface ObjStm {
  data: Uint8Array;
  offsets: Map<number, number>;
}

export interface DocLimits {
  checkTime(): void;
  /** Cap for one decoded stream. */
  streamCap: number;
  addExpanded(n: number): void;
}

export class PdfDoc {
  readonly xref = new Map<number, XEntry>();
  trailer: Dict = new Dict();
  private readonly cache = new Map<number, Obj>();
  private readonly loading = new Set<number>();
  private readonly objStms = new Map<number, ObjStm | null>();
  private scanned: Map<number, XEntry> | null = null;
  scanTrailers: Dict[] = [];
  decryptor: Decryptor | null = null;
  /** Object number of the /Encrypt dictionary (its strings are not encrypted). */
  encryptNum = -1;
  /** Something was damaged (repair scan, bad stream); the caller may report it. */
  damaged = false;
  /**
   * No trailer anywhere (neither the cross-reference's nor one the repair scan found, an xref stream's
   * included): the catalog is found by its type, but the document information dictionary (/Info: title,
   * subject, keywords) is known only from the trailer, and is lost with it.
   */
  trailerLost = false;
  /**
   * A cross-reference stream or an object stream that does not decode whole (its deflate data damaged):
   * the objects it lists or holds are lost or read from garbage (a catalog of stray bytes, no pages), and
   * pdftotext says "Bad block header in flate stream".
   */
  packedDamaged = false;
  /** Objects read with syntax no writer produces (Parser.errors): parts of them were skipped. */
  readonly malformed = new Set<number>();
  /** Objects the cross-reference lists as in use (or, once the file was scanned, any referred to) that could not be read. */
  readonly unloadable = new Set<number>();
  /** The file was scanned for its objects (scan()): its cross-reference did not lead to them. */
  repaired = false;

  constructor(
    readonly buf: Uint8Array,
    readonly lim: DocLimits,
  ) {}

  // ---------------------------------------------------------- xref

  /** Reads the xref chain from `startxref`. Returns false when it is unusable. */
  readXref(): boolean {
    const buf = this.buf;
    const end = paddedEnd(buf);
    const sx = findBytesBack(buf, 'startxref', end - 9, Math.max(0, end - 65536));
    if (sx < 0) return false;
    const p = new Parser(buf, sx + 9);
    const off = p.parse();
    if (typeof off !== 'number') return false;
    const seen = new Set<number>();
    let first = true;
    let offset: number | null = off;
    let ok = false;
    while (offset !== null && !seen.has(offset) && seen.size < 512) {
      seen.add(offset);
      this.lim.checkTime();
      const trailer = this.readSection(offset);
      if (!trailer) {
        if (first) return false;
        this.damaged = true;
        break;
      }
      ok = true;
      if (first) this.trailer = trailer;
      else for (const [k, v] of trailer) if (!this.trailer.has(k)) this.trailer.set(k, v);
      first = false;
      const stm = trailer.get('XRefStm');
      if (typeof stm === 'number' && !seen.has(stm)) {
        seen.add(stm);
        this.readSection(stm);
      }
      const prev = trailer.get('Prev');
      offset = typeof prev === 'number' ? prev : null;
    }
    return ok;
  }

  /** Reads one xref section (table or stream) at `offset`; returns its trailer dictionary. */
  private readSection(offset: number): Dict | null {
    const buf = this.buf;
    if (offset < 0 || offset >= buf.length) return null;
    const p = new Parser(buf, offset);
    p.skipWs();
    if (bytesEq(buf, p.pos, 'xref')) {
      p.pos += 4;
      return this.readTable(p);
    }
    // xref stream: "N G obj << ... >> stream"
    const r = this.parseIndirectAt(p.pos, -1, false);
    if (!r || !(r.obj instanceof Stream)) return null;
    const s = r.obj;
    if (s.dict.get('Type') !== 'XRef') return null;
    this.readXrefStream(s);
    return s.dict;
  }

  private readTable(p: Parser): Dict | null {
    const buf = this.buf;
    for (;;) {
      p.skipWs();
      if (bytesEq(buf, p.pos, 'trailer')) {
        p.pos += 7;
        const t = p.parse();
        return t instanceof Dict ? t : null;
      }
      const start = p.parse();
      const count = p.parse();
      if (typeof start !== 'number' || typeof count !== 'number' || count < 0) return null;
      p.skipWs();
      // entries are 20 bytes nominally; parse tokens to tolerate 19/21-byte variants
      let num = start;
      for (let i = 0; i < count; i++, num++) {
        p.skipWs();
        let q = p.pos;
        let off = 0;
        const s1 = q;
        while (q < buf.length && buf[q] >= 48 && buf[q] <= 57) off = off * 10 + buf[q++] - 48;
        if (q === s1) return null;
        while (buf[q] === 32) q++;
        let gen = 0;
        while (q < buf.length && buf[q] >= 48 && buf[q] <= 57) gen = gen * 10 + buf[q++] - 48;
        while (buf[q] === 32) q++;
        const type = buf[q++];
        p.pos = q;
        if (type !== 0x6e && type !== 0x66) return null;
        // the first subsection often wrongly starts at 1 instead of 0
        if (!this.xref.has(num)) this.xref.set(num, type === 0x6e ? { t: 1, a: off, b: gen } : { t: 0, a: 0, b: 0 });
      }
    }
  }

  private readXrefStream(s: Stream): void {
    const dict = s.dict;
    const w = dict.get('W');
    if (!Array.isArray(w) || w.length < 3) return;
    const w0 = Number(w[0]) | 0,
      w1 = Number(w[1]) | 0,
      w2 = Number(w[2]) | 0;
    const size = Number(dict.get('Size')) | 0;
    const idx = dict.get('Index');
    const ranges: number[] = Array.isArray(idx) ? idx.map((x) => Number(x) | 0) : [0, size];
    const info = { partial: false };
    const data = this.decodeStream(s, false, info);
    if (!data || info.partial) this.packedDamaged = true;
    if (!data) return;
    const rowLen = w0 + w1 + w2;
    if (rowLen <= 0) return;
    let pos = 0;
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const start = ranges[r];
      const count = ranges[r + 1];
      for (let i = 0; i < count && pos + rowLen <= data.length; i++) {
        let t = w0 === 0 ? 1 : 0;
        for (let k = 0; k < w0; k++) t = t * 256 + data[pos++];
        let a = 0;
        for (let k = 0; k < w1; k++) a = a * 256 + data[pos++];
        let b = 0;
        for (let k = 0; k < w2; k++) b = b * 256 + data[pos++];
        const num = start + i;
        if (!this.xref.has(num)) this.xref.set(num, { t, a, b });
      }
    }
  }

  /** Repair: rebuilds the object table by scanning for `N G obj` and trailers. */
  scan(): Map<number, XEntry> {
    if (this.scanned) return this.scanned;
    this.repaired = true;
    const buf = this.buf;
    const table = new Map<number, XEntry>();
    const objStmNums: number[] = [];
    let count = 0;
    for (let i = findBytes(buf, 'obj', 0); i !== -1; i = findBytes(buf, 'obj', i + 3)) {
      if ((++count & 1023) === 0) this.lim.checkTime();
      const after = buf[i + 3];
      if (i + 3 < buf.length && CLS[after] === 0) continue;
      // backwards: ws, gen digits, ws, num digits, then ws/delimiter or start
      let q = i - 1;
      if (q < 0 || CLS[buf[q]] !== WS) continue;
      while (q >= 0 && CLS[buf[q]] === WS) q--;
      const genEnd = q + 1;
      while (q >= 0 && buf[q] >= 48 && buf[q] <= 57) q--;
      const genStart = q + 1;
      if (genStart === genEnd || genEnd - genStart > 5) continue;
      if (q < 0 || CLS[buf[q]] !== WS) continue;
      while (q >= 0 && CLS[buf[q]] === WS) q--;
      const numEnd = q + 1;
      while (q >= 0 && buf[q] >= 48 && buf[q] <= 57) q--;
      const numStart = q + 1;
      if (numStart === numEnd || numEnd - numStart > 10) continue;
      if (q >= 0 && CLS[buf[q]] === 0) continue;
      let num = 0;
      for (let k = numStart; k < numEnd; k++) num = num * 10 + buf[k] - 48;
      let gen = 0;
      for (let k = genStart; k < genEnd; k++) gen = gen * 10 + buf[k] - 48;
      table.set(num, { t: 1, a: numStart, b: gen });
      // peek at the dictionary for object streams and xref streams (trailer info)
      const head = latin1(buf, i + 3, Math.min(buf.length, i + 3 + 256));
      if (head.includes('/ObjStm')) objStmNums.push(num);
      if (head.includes('/XRef') || head.includes('/Root')) {
        const r = this.parseIndirectAt(numStart, num, false);
        if (r && r.obj instanceof Stream && r.obj.dict.get('Type') === 'XRef') this.scanTrailers.push(r.obj.dict);
      }
    }
    for (let i = findBytes(buf, 'trailer', 0); i !== -1; i = findBytes(buf, 'trailer', i + 7)) {
      const p = new Parser(buf, i + 7);
      const t = p.parse();
      if (t instanceof Dict) this.scanTrailers.push(t);
    }
    this.scanned = table;
    // objects inside object streams (only those not found directly)
    for (const sn of objStmNums) {
      const stm = this.loadObjStm(sn, table);
      if (!stm) continue;
      for (const [n, off] of stm.offsets) if (!table.has(n)) table.set(n, { t: 2, a: sn, b: off });
    }
    return table;
  }

  /** Uses the scan table when the xref is unusable or has no /Root. */
  repairAll(): void {
    const table = this.scan();
    this.xref.clear();
    for (const [k, v] of table) this.xref.set(k, v);
    this.cache.clear();
    this.objStms.clear();
    // trailer: newest scan trailer with /Root wins, merged over the current one
    if (this.trailer.size === 0 && this.scanTrailers.length === 0) this.trailerLost = true;
    for (let i = this.scanTrailers.length - 1; i >= 0; i--) {
      const t = this.scanTrailers[i];
      for (const [k, v] of t) if (!this.trailer.has(k) || (k === 'Root' && !this.rootOk())) this.trailer.set(k, v);
    }
    if (!this.rootOk()) {
      for (const [n] of table) {
        const o = this.get(n);
        if (o instanceof Dict && o.get('Type') === 'Catalog') {
          this.trailer.set('Root', new Ref(n, 0));
          break;
        }
      }
    }
  }

  resetCaches(): void {
    this.cache.clear();
    this.objStms.clear();
  }

  rootOk(): boolean {
    return this.resolve(this.trailer.get('Root')) instanceof Dict;
  }

  // ---------------------------------------------------------- objects

  resolve(o: Obj | undefined): Obj {
    if (o instanceof Ref) return this.get(o.num);
    return o === undefined ? null : o;
  }

  dict(o: Obj | undefined): Dict | null {
    const r = this.resolve(o);
    if (r instanceof Dict) return r;
    if (r instanceof Stream) return r.dict;
    return null;
  }

  get(num: number): Obj {
    const c = this.cache.get(num);
    if (c !== undefined) return c;
    if (this.loading.has(num) || this.loading.size > 64) return null;
    this.loading.add(num);
    try {
      let o = this.load(num, this.xref.get(num));
      if (o === undefined) {
        // bad offset / missing object: try the repair scan
        const alt = this.scanned || (this.xref.get(num) ? this.scan() : null);
        const e = alt?.get(num);
        o = e ? this.load(num, e) : undefined;
        // Once the file had to be scanned for its objects (damage), an object referred to but found nowhere
        // is one whose header the damage took, not one that never existed.
        if (o === undefined && (this.xref.get(num) || this.repaired)) {
          this.damaged = true;
          this.unloadable.add(num);
        }
      }
      const v = o === undefined ? null : o;
      this.cache.set(num, v);
      return v;
    } finally {
      this.loading.delete(num);
    }
  }

  /** Returns undefined when the entry does not lead to the object. */
  private load(num: number, e: XEntry | undefined): Obj | undefined {
    if (!e) return undefined;
    if (e.t === 0) return null;
    if (e.t === 1) {
      const r = this.parseIndirectAt(e.a, num, true);
      return r ? r.obj : undefined;
    }
    if (e.t === 2) {
      const stm = this.loadObjStm(e.a, this.xref);
      if (!stm) return undefined;
      const off = stm.offsets.get(num);
      if (off === undefined) return undefined;
      const p = new Parser(stm.data, off);
      const o = p.parse();
      return o instanceof Cmd ? null : o;
    }
    return undefined;
  }

  /** The decoded bytes of every object stream the cross-reference names (those that decode). */
  objectStreams(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const sn of new Set([...this.xref.values()].filter((e) => e.t === 2).map((e) => e.a))) {
      const stm = this.loadObjStm(sn, this.xref);
      if (stm) out.push(stm.data);
    }
    return out;
  }

  private loadObjStm(sn: number, table: Map<number, XEntry>): ObjStm | null {
    if (this.objStms.has(sn)) return this.objStms.get(sn)!;
    this.objStms.set(sn, null);
    const e = table.get(sn);
    let s: Obj | undefined;
    if (e && e.t === 1) s = this.parseIndirectAt(e.a, sn, true)?.obj;
    if (!(s instanceof Stream)) s = this.get(sn);
    if (!(s instanceof Stream)) return null;
    const info = { partial: false };
    const data = this.decodeStream(s, true, info);
    if (!data || info.partial) this.packedDamaged = true;
    if (!data) return null;
    const n = Number(s.dict.get('N')) | 0;
    const first = Number(s.dict.get('First')) | 0;
    const p = new Parser(data, 0);
    const offsets = new Map<number, number>();
    for (let i = 0; i < n && i < 100000; i++) {
      const a = p.parse();
      const b = p.parse();
      if (typeof a !== 'number' || typeof b !== 'number') break;
      if (!offsets.has(a)) offsets.set(a, first + b);
    }
    const r = { data, offsets };
    this.objStms.set(sn, r);
    return r;
  }

  /** Parses `num gen obj ...` at `pos`. `expect` < 0 accepts any number. */
  parseIndirectAt(pos: number, expect: number, decrypt: boolean): { num: number; gen: number; obj: Obj } | null {
    const buf = this.buf;
    if (pos < 0 || pos >= buf.length) return null;
    const p = new Parser(buf, pos);
    p.skipWs();
    const num = p.parse();
    const gen = p.parse();
    if (typeof num !== 'number' || typeof gen !== 'number') return null;
    if (expect >= 0 && num !== expect) return null;
    p.skipWs();
    if (!bytesEq(buf, p.pos, 'obj')) return null;
    p.pos += 3;
    const dec = decrypt && this.decryptor && num !== this.encryptNum ? this.decryptor : null;
    const parser = dec ? new Parser(buf, p.pos, (s) => dec.string(s, num, gen)) : p;
    const obj = parser.parse();
    if (parser.errors > 0) this.malformed.add(num);
    if (obj instanceof Dict) {
      parser.skipWs();
      let at = parser.pos;
      if (!bytesEq(buf, at, 'stream') && !bytesEq(buf, at, 'endobj')) {
        // Stray bytes between a stream's dictionary and its keyword (a digit of /Length damaged into '>':
        // pdftotext's "Illegal character"): the stream is read all the same, and the object is damaged.
        const s = findBytes(buf, 'stream', at, Math.min(buf.length, at + 16));
        if (s > 0 && !bytesEq(buf, s - 3, 'end')) {
          this.malformed.add(num);
          at = s;
        }
      }
      if (bytesEq(buf, at, 'stream')) {
        return { num, gen, obj: this.readStreamBody(obj, at + 6, num, gen) };
      }
    }
    if (!endsWell(buf, parser)) this.malformed.add(num);
    return { num, gen, obj: obj instanceof Cmd ? null : obj };
  }

  private readStreamBody(dict: Dict, pos: number, num: number, gen: number): Stream {
    const buf = this.buf;
    if (buf[pos] === 13) pos++;
    if (buf[pos] === 10) pos++;
    const start = pos;
    let len = dict.get('Length');
    if (len instanceof Ref) len = num === len.num ? null : this.get(len.num);
    if (typeof len === 'number' && len >= 0 && start + len <= buf.length) {
      let q = start + len;
      while (q < buf.length && CLS[buf[q]] === WS) q++;
      if (bytesEq(buf, q, 'endstream') || bytesEq(buf, q, 'endobj')) return new Stream(dict, buf.subarray(start, start + len), num, gen, false, false);
    }
    let end = findBytes(buf, 'endstream', start);
    let truncated = false;
    if (end < 0) {
      end = findBytes(buf, 'endobj', start);
      if (end < 0) {
        end = buf.length;
        truncated = true;
        this.damaged = true;
      }
    }
    if (!truncated) {
      if (buf[end - 1] === 10) end--;
      if (buf[end - 1] === 13) end--;
    }
    return new Stream(dict, buf.subarray(start, Math.max(start, end)), num, gen, truncated, false);
  }

  /** Decrypts and decodes a stream; null for images/unknown filters or missing data. */
  decodeStream(s: Stream, account: boolean, info?: { partial: boolean }): Uint8Array | null {
    let data = s.raw;
    const d = s.dict;
    let filters = this.resolve(d.get('Filter'));
    let params = this.resolve(d.get('DecodeParms') ?? d.get('DP'));
    if (!Array.isArray(filters)) filters = typeof filters === 'string' ? [filters] : [];
    if (!Array.isArray(params)) params = [params];
    const names = (filters as Obj[]).map((f) => this.resolve(f)).filter((f): f is string => typeof f === 'string');
    if (this.decryptor && !s.inObjStm && s.num !== this.encryptNum && d.get('Type') !== 'XRef') {
      const meta = d.get('Type') === 'Metadata' && !this.decryptor.params.encryptMetadata;
      let identity = false;
      if (names[0] === 'Crypt') {
        const p0 = this.dict((params as Obj[])[0]);
        const nm = p0?.get('Name');
        identity = nm === undefined || nm === 'Identity';
      }
      if (!meta && !identity) data = this.decryptor.stream(data, s.num, s.gen);
    }
    let partial = s.truncated;
    for (let i = 0; i < names.length; i++) {
      const nm = names[i];
      if (IMAGE_FILTERS.has(nm)) return null;
      const pd = this.dict((params as Obj[])[i]);
      let fp: FilterParams | null = null;
      if (pd) {
        fp = {};
        for (const k of ['Predictor', 'Colors', 'BitsPerComponent', 'Columns', 'EarlyChange'] as const) {
          const v = this.resolve(pd.get(k));
          if (typeof v === 'number') fp[k] = v;
        }
      }
      const r = applyFilter(nm, data, fp, this.lim.streamCap);
      if (!r) {
        // A filter we cannot decode (not an image codec): the stream was not read, so say so.
        this.damaged = true;
        if (info) info.partial = true;
        return null;
      }
      data = r.data;
      if (r.partial) partial = true;
    }
    if (partial) this.damaged = true;
    if (info) info.partial = partial;
    if (account) this.lim.addExpanded(data.length);
    return data;
  }
}
