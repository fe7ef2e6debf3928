/**
 * A Gnumeric sheet's objects (text boxes, shapes, widget labels) read by where they stand, as xlsx
 * drawings are (shape-pairs.ts, xlsx-shape-cells.ts): a text box 「秘」 with a text box 「Confidential」
 * beside it, or with the cell 「Confidential」 beside it, prints 「秘 Confidential」 on one line, while the
 * file keeps the objects (`<gnm:Objects>`) in their stacking order and apart from the cells.
 *
 * Where an object stands is Gnumeric's anchor (sheet_object_anchor_to_pts in its sheet-object.c):
 * `ObjectBound` is the cell range it covers and `ObjectOffset` four numbers. With the default anchor
 * (two cells) they are fractions of the first cell's width and height (left, top) and of the last cell's
 * (right, bottom); with `AnchorMode` one cell, the first two are such fractions and the last two the
 * width and height in points; anchored to the sheet (absolute, as Gnumeric imports an .xls or .ods
 * drawing), all four are points from the sheet's top left and there is no ObjectBound. Column and row
 * sizes are the sheet's `<gnm:ColInfo>`/`<gnm:RowInfo>` (`Unit` points, hidden ones taking no room) over
 * its `DefaultSizePts`. Objects are paired with each other (shape-pairs.ts) and
 * each one that may start or end the stamp with the text cells on the rows it covers, by the same rule.
 */
import { mayHaveStampChar } from './byte-scan.js';
import { gnumericCells, gnumericSheets, isGnumericBook } from './gnumeric-sheets.js';
import { shapePairs, type ShapeBox } from './shape-pairs.js';
import { SEPARATOR, columnIndex } from './sheet-rows.js';
import { chunkText } from '../text-chunks.js';
import type { Extracted } from './types.js';
import { attr, decodeEntities } from './xml-text.js';

const OBJECTS = /<(?:[\w.-]+:)?Objects>([\s\S]*?)<\/(?:[\w.-]+:)?Objects>/;
/** An object's start tag: any element with an ObjectOffset (SheetObjectFilled, SheetWidgetLabel, …). */
const OBJECT = /<(?:[\w.-]+:)?\w+\b[^<>]*?\bObjectOffset\s*=[^<>]*>/g;
const SIZES = (kind: 'Cols' | 'Rows') => new RegExp(`<(?:[\\w.-]+:)?${kind}\\b[^<>]*?\\bDefaultSizePts\\s*=\\s*"([^"]*)"`);
const INFO = (kind: 'ColInfo' | 'RowInfo') => new RegExp(`<(?:[\\w.-]+:)?${kind}\\b[^<>]*>`, 'g');

/** Objects looked at per sheet, size records kept per axis, rows an object's cells are looked for on. */
const MAX_OBJECTS = 1000;
const MAX_INFOS = 20_000;
const MAX_ROWS = 50;
/** Objects read with the cells beside them, per sheet (the first ones stored). */
const MAX_NEAR = 200;
/** Text cells on those rows held per sheet: past them, the cells are left to the other readings. */
const MAX_CELLS = 100_000;

/** An axis (columns or rows): its default size and the records that differ, by index. */
class Axis {
  private readonly sizes: { no: number; count: number; size: number }[] = [];
  constructor(
    readonly dflt: number,
    body: string,
    kind: 'ColInfo' | 'RowInfo',
  ) {
    for (const m of body.matchAll(INFO(kind))) {
      if (this.sizes.length >= MAX_INFOS) break;
      const no = Number(attr(m[0], 'No'));
      const count = Number(attr(m[0], 'Count') ?? 1);
      const unit = Number(attr(m[0], 'Unit') ?? dflt);
      // Gnumeric writes them in order, each after the last; one over another's columns is ignored, so
      // a column has one size wherever it is measured from.
      const last = this.sizes.at(-1);
      if (!Number.isInteger(no) || no < 0 || !Number.isInteger(count) || count < 1 || (last && no < last.no + last.count)) continue;
      this.sizes.push({ no, count, size: attr(m[0], 'Hidden') === '1' ? 0 : Number.isFinite(unit) && unit >= 0 ? unit : dflt });
    }
  }
  /** The size of column or row `i` in points. */
  size(i: number): number {
    for (const s of this.sizes) if (i >= s.no && i < s.no + s.count) return s.size;
    return this.dflt;
  }
  /** The column or row that point `pt` (from the sheet's edge) falls in. */
  at(pt: number): number {
    let [lo, hi] = [0, 1 << 24];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.start(mid) <= pt) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** Where column or row `i` starts, in points from the sheet's edge. */
  start(i: number): number {
    let at = i * this.dflt;
    for (const s of this.sizes) {
      const n = Math.max(0, Math.min(i, s.no + s.count) - s.no);
      at += n * (s.size - this.dflt);
    }
    return at;
  }
}

/** "B3" → [col, row], 0-based; null when it is not a cell. */
function cell(ref: string): [number, number] | null {
  const m = /^\$?([A-Za-z]{1,4})\$?(\d{1,8})$/.exec(ref.trim());
  return m ? [columnIndex(m[1]), Number(m[2]) - 1] : null;
}

interface Placed extends ShapeBox {
  r1: number;
  r2: number;
}

/** An object's box in points and the rows it covers, or null when its anchor cannot be read. */
function place(tag: string, cols: Axis, rows: Axis): Placed | null {
  const off = (attr(tag, 'ObjectOffset') ?? '').trim().split(/\s+/).map(Number);
  if (off.length !== 4 || !off.every(Number.isFinite)) return null;
  // Gnumeric 1.12 writes AnchorMode (GNM_SO_ANCHOR_ONE_CELL, GNM_SO_ANCHOR_ABSOLUTE; none for two cells),
  // and no ObjectBound for an object anchored to the sheet.
  const mode = (attr(tag, 'AnchorMode') ?? '').toUpperCase();
  let x1: number, y1: number, x2: number, y2: number;
  if (/ABSOLUTE/.test(mode)) {
    [x1, y1] = off;
    x2 = x1 + off[2];
    y2 = y1 + off[3];
    const [r1, r2] = [rows.at(Math.min(y1, y2)), rows.at(Math.max(y1, y2))];
    return { x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(off[2]), h: Math.abs(off[3]), text: '', r1, r2 };
  }
  const bound = (attr(tag, 'ObjectBound') ?? '').split(':');
  const from = cell(bound[0] ?? '');
  const to = bound[1] === undefined ? from : cell(bound[1]);
  if (!from || !to) return null;
  x1 = cols.start(from[0]) + off[0] * cols.size(from[0]);
  y1 = rows.start(from[1]) + off[1] * rows.size(from[1]);
  if (/ONE.CELL/.test(mode)) {
    x2 = x1 + off[2];
    y2 = y1 + off[3];
  } else {
    x2 = cols.start(to[0]) + off[2] * cols.size(to[0]);
    y2 = rows.start(to[1]) + off[3] * rows.size(to[1]);
  }
  const [x, y] = [Math.min(x1, x2), Math.min(y1, y2)];
  return { x, y, w: Math.abs(x2 - x1), h: Math.abs(y2 - y1), text: '', r1: Math.min(from[1], to[1]), r2: Math.max(from[1], to[1]) };
}

export function* gnumericObjects(xml: string, checkTime?: () => void): Generator<Extracted> {
  if (!isGnumericBook(xml) || !xml.includes('ObjectOffset')) return;
  for (const { sheet, body } of gnumericSheets(xml)) {
    const objects = OBJECTS.exec(body)?.[1];
    if (!objects) continue;
    const cols = new Axis(Number(SIZES('Cols').exec(body)?.[1] ?? 48) || 48, body, 'ColInfo');
    const rows = new Axis(Number(SIZES('Rows').exec(body)?.[1] ?? 12.75) || 12.75, body, 'RowInfo');
    const placed: Placed[] = [];
    for (const m of objects.matchAll(OBJECT)) {
      if (placed.length >= MAX_OBJECTS) break;
      // A cell's comment is anchored to its cell but shows in a pop-up, not on the sheet (as xlsx comments).
      if (/^<(?:[\w.-]+:)?CellComment\b/.test(m[0])) continue;
      // Gnumeric writes a shape's text as Label (older files: Text).
      const text = decodeEntities(attr(m[0], 'Label') ?? attr(m[0], 'Text') ?? '');
      if (!text.trim()) continue;
      const box = place(m[0], cols, rows);
      if (box) placed.push({ ...box, text });
    }
    if (!placed.length) continue;
    const out: string[] = [];
    const pairs = shapePairs(placed, checkTime);
    if (pairs) out.push(pairs);
    // Each object that may start or end the stamp with the nearest text cell on each side of it, on each
    // row it covers (as xlsx-shape-cells.ts), if the two stand side by side (shape-pairs.ts's rule).
    const near = placed.filter((p) => mayHaveStampChar(p.text) || /confidential/i.test(p.text)).slice(0, MAX_NEAR);
    const wanted = new Set<number>();
    for (const p of near) for (let r = p.r1; r <= p.r2 && r - p.r1 < MAX_ROWS; r++) wanted.add(r);
    const byRow = new Map<number, ShapeBox[]>();
    let held = 0;
    if (wanted.size) {
      for (const { row, col, raw } of gnumericCells(body)) {
        if (!wanted.has(row) || !Number.isInteger(col) || col < 0 || !raw.trim()) continue;
        if (++held > MAX_CELLS) break;
        const box = { x: cols.start(col), y: rows.start(row), w: cols.size(col), h: rows.size(row), text: decodeEntities(raw) };
        (byRow.get(row) ?? byRow.set(row, []).get(row)!).push(box);
      }
    }
    for (const p of near) {
      const mid = p.x + p.w / 2;
      for (let r = p.r1; r <= p.r2 && r - p.r1 < MAX_ROWS; r++) {
        let left: ShapeBox | null = null;
        let right: ShapeBox | null = null;
        for (const c of byRow.get(r) ?? []) {
          if (c.x >= mid && (!right || c.x < right.x)) right = c;
          if (c.x + c.w <= mid && (!left || c.x > left.x)) left = c;
        }
        for (const c of [left, right]) {
          const pair = c && shapePairs([p, c]);
          if (pair) out.push(pair);
        }
      }
      checkTime?.();
    }
    for (const text of chunkText(out.join(SEPARATOR))) yield { kind: 'text', text, where: { sheet, area: 'drawing' } };
  }
}
