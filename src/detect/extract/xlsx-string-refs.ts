/**
 * A worksheet's shared-string cells (`<c r="B2" t="s"><v>4</v></c>`) checked against the strings the
 * workbook's shared string part holds, byte-wise as the sheet streams by (it is never held or parsed
 * whole). An index past the last string (a byte flipped in a digit, a sheet copied in without its
 * strings) names no text: Excel refuses such a workbook, and read as it stood the cell was empty, so a
 * 秘 it showed beside a Confidential was lost and the file came back clean. The sheet is damaged instead.
 * Only the highest index and its cell are kept.
 */
import { concat } from '../bytes.js';
import { findNeedles, type Needle } from './byte-scan.js';

/** Bytes looked at before a `t="s"` for its tag's `<c`, and after it for the value's last digit. */
const BACK = 256;
const AHEAD = 256;
/** Bytes kept of the data so far: the seam with the next chunk is searched in them and that chunk's first bytes. */
const KEEP = BACK + AHEAD;
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;
const QUOT = 0x22;
const APOS = 0x27;
const S = 0x73;
const blank = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const digit = (b: number): boolean => b >= 0x30 && b <= 0x39;
/** A quoted `s`, the value of a cell's `t`: searched with the byte search's SIMD kernel (pair-scan.ts). */
export const QUOTED_S: readonly Needle[] = ['"s"', "'s'"].map((s) => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor: 1, wide: false }));

/** The highest shared string index a worksheet's `t="s"` cells show, pushed chunk by chunk (a cell cut by a chunk's end too). */
export class SharedStringRefs {
  /** The highest index shown (-1: no shared-string cell), and the reference of the cell that shows it. */
  max = -1;
  cell = '';
  /** The last bytes of the data so far, and how many at its start were already looked at. */
  private carry: Uint8Array = new Uint8Array(0);
  private done = 0;

  /**
   * A chunk is searched where it lies; only its seam with the data before it is searched in a copy (the
   * kept bytes joined with the chunk's first ones). Joining every chunk whole to the tail before it had
   * copied the whole sheet once more. `none`: the chunk itself holds no QUOTED_S (NeedleGroups said so):
   * only its seam is searched.
   */
  readonly push = (chunk: Uint8Array, none = false): void => {
    if (chunk.length < 4 * KEEP) {
      this.pushJoined(chunk);
      return;
    }
    // The seam: the `"s"`s from the first not looked at up to KEEP bytes into the chunk (AHEAD bytes after them are there).
    const seam = concat([this.carry, chunk.subarray(0, KEEP + AHEAD)]);
    this.scan(seam, this.done, this.carry.length + KEEP);
    // The rest of the chunk but its last AHEAD bytes, which wait for the next chunk (BACK bytes before each are in it).
    if (!none) this.scan(chunk, KEEP, chunk.length - AHEAD);
    this.carry = chunk.slice(chunk.length - KEEP);
    this.done = KEEP - AHEAD;
  };

  /** A short chunk: joined to the kept bytes and searched in the copy. */
  private pushJoined(chunk: Uint8Array): void {
    const buf = this.carry.length ? concat([this.carry, chunk]) : chunk;
    // A `"s"` within AHEAD bytes of the end waits for the next chunk, which holds the rest of its cell.
    const end = buf.length - AHEAD;
    if (end > this.done) this.scan(buf, this.done, end);
    const keep = Math.min(buf.length, KEEP);
    this.done = Math.max(end, this.done) - (buf.length - keep);
    this.carry = buf.slice(buf.length - keep);
  }

  /** After the last chunk: the cells in the last bytes. */
  finish(): void {
    this.scan(this.carry, this.done, this.carry.length);
    this.carry = new Uint8Array(0);
    this.done = 0;
  }

  /** The `"s"`s (or `'s'`) whose `s` stands in [from, to) of `buf`. */
  private scan(buf: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    findNeedles(buf, QUOTED_S, Math.max(0, from - 1), to - 1, (at) => {
      const e = at + 2;
      // Most cells read `t="s"><v>12</v>`: an index not above the highest so far needs nothing more.
      let k = e + 4;
      let n = 0;
      if (buf[e + 1] === GT && buf[e + 2] === LT && buf[e + 3] === 0x76 && buf[k] === GT) while (digit(buf[++k]) && k < e + 20) n = n * 10 + buf[k] - 0x30;
      if (k === e + 4 || buf[k] !== LT || n > this.max) this.cellAt(buf, e - 1);
      return true;
    });
  }

  /**
   * The `s` of a quoted `"s"` at `i`: when it is a `<c>`'s `t` attribute, the index its `<v>` holds. The
   * value is read first and the attribute checked only for an index above the highest so far: a sheet of
   * a million shared-string cells checks a handful.
   */
  private cellAt(buf: Uint8Array, i: number): void {
    // Forwards: the tag's end (quoted values skipped), then `<v>` or `<prefix:v>`, then the digits.
    const limit = Math.min(buf.length, i + AHEAD);
    let k = i + 2;
    for (let quote = 0; k < limit; k++) {
      const b = buf[k];
      if (quote) {
        if (b === quote) quote = 0;
      } else if (b === QUOT || b === APOS) quote = b;
      else if (b === GT) break;
    }
    // `<c t="s"/>` holds no value.
    if (k >= limit || buf[k - 1] === SLASH) return;
    k++;
    while (k < limit && blank(buf[k])) k++;
    if (buf[k] !== LT) return;
    let v = k + 1;
    while (v < limit && buf[v] !== GT && !blank(buf[v]) && buf[v] !== SLASH) v++;
    if (buf[v] !== GT || buf[v - 1] !== 0x76 || (v - 1 !== k + 1 && buf[v - 2] !== COLON)) return;
    k = v + 1;
    while (k < limit && blank(buf[k])) k++;
    let n = 0;
    const first = k;
    while (k < limit && digit(buf[k])) n = n * 10 + buf[k++] - 0x30;
    // Digits cut by the window, or followed by other than blanks or the end tag: not judged here.
    if (n <= this.max || k === first || k >= limit || (buf[k] !== LT && !blank(buf[k]))) return;
    // Backwards: `t`, blanks, `=`, blanks, then the quote (XML allows blanks around `=`).
    let j = i - 2;
    while (j >= 0 && blank(buf[j])) j--;
    if (buf[j] !== 0x3d) return;
    j--;
    while (j >= 0 && blank(buf[j])) j--;
    if (buf[j] !== 0x74 || !blank(buf[j - 1])) return;
    // The tag's start: `<c` or `<prefix:c`, with no `>` between (a "s" in text is no attribute).
    const stop = Math.max(0, i - BACK);
    let lt = j - 1;
    while (lt >= stop && buf[lt] !== LT && buf[lt] !== GT) lt--;
    if (lt < stop || buf[lt] !== LT) return;
    let name = lt + 1;
    while (name < j && !blank(buf[name])) name++;
    if (buf[name - 1] !== 0x63 || (name - 1 !== lt + 1 && buf[name - 2] !== COLON)) return;
    this.max = n;
    this.cell = /\sr\s*=\s*["']([A-Za-z]{1,3}\d{1,7})["']/.exec(new TextDecoder('latin1').decode(buf.subarray(lt, i)))?.[1] ?? '';
  }
}

/**
 * How many items (`<si>`) a shared string part holds, counted byte-wise as it streams by (when it is not
 * read whole: none of its strings may hold the stamp). An `<si` in a comment counts too: the count is
 * never below the items Excel reads, so no cell is taken as damaged that is not.
 */
export class SharedStringCount {
  count = 0;
  /** The last bytes before the chunk (an `<x:si>` cut by the chunk's end); its last byte not looked at yet. */
  private tail: Uint8Array = new Uint8Array(0);

  readonly push = (chunk: Uint8Array): void => {
    const buf = this.tail.length ? concat([this.tail, chunk]) : chunk;
    // The `i` of `<si>`, `<si ` or `<x:si>`, whose next byte is in `buf` (the last one's is looked at with the next chunk).
    for (let i = buf.indexOf(0x69, Math.max(2, this.tail.length - 1)); i >= 0 && i + 1 < buf.length; i = buf.indexOf(0x69, i + 1)) {
      if (buf[i - 1] !== S) continue;
      const b = buf[i + 1];
      if (b !== GT && b !== SLASH && !blank(b)) continue;
      if (buf[i - 2] === LT) this.count++;
      else if (buf[i - 2] === COLON) {
        // A prefix: a start tag's (`<x:si>`), not an end tag's (`</x:si>`).
        let k = i - 3;
        while (k > i - 64 && k > 0 && buf[k] !== LT && buf[k] !== SLASH && buf[k] !== GT && !blank(buf[k])) k--;
        if (buf[k] === LT && k < i - 3) this.count++;
      }
    }
    this.tail = buf.slice(Math.max(0, buf.length - 64));
  };
}
