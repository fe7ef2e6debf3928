/**
 * Drawing objects read by where they stand, not only in the order they are stored: a ㊙ stamp made by hand
 * from two objects, a circle holding 「秘」 and a text box 「Confidential」 beside it or under it. Office and
 * LibreOffice store shapes in their z-order, so a title added later, or the two halves pasted at
 * different times, put other text between them in the storage reading (xml-text.ts), while the page
 * shows 「㊙ Confidential」. Each format's extractor collects the shapes of one drawing (a slide, a page,
 * a sheet's drawing, a header) with their boxes and text; this module pairs them by position, as the PDF
 * reader pairs lines (pdf-content.ts sideBySide/readingOrder), and gives each pair's text again, as an
 * extra reading beside the storage-order one (which is kept, so no verdict it gives is lost).
 *
 * The rule, in the drawing's own units (only ratios are used): a shape's right neighbour starts at or
 * after the middle of the shape and no farther than 1.5 times the taller one's height past its right
 * edge, with their vertical centres less than half the taller one's height apart (the same row); the
 * shape under it overlaps it horizontally and starts between half its height above its bottom edge and
 * 1.5 times the taller one's height below it. Each shape is paired with its nearest neighbour of each
 * kind.
 */
import { SEPARATOR } from './sheet-rows.js';

/** A drawing object: its box (x rightwards, y downwards) and the text it shows. */
export interface ShapeBox {
  x: number;
  y: number;
  w: number;
  h: number;
  text: string;
}

/** Shapes a drawing keeps for pairing (the first ones in storage order); past them, storage order alone. */
const MAX_SHAPES = 1000;
/** Characters of each text kept at the joint: the end of the first and the start of the second. */
const EDGE = 256;

/**
 * The text of each pair of neighbouring shapes ("left right", "upper lower"), pairs apart from each other
 * by SEPARATOR (which breaks a stamp), or '' when there is none. `checkTime` is called now and then.
 */
export function shapePairs(shapes: readonly ShapeBox[], checkTime?: () => void): string {
  const boxes = shapes
    .filter((s) => s.text.trim() && [s.x, s.y, s.w, s.h].every(Number.isFinite) && s.w >= 0 && s.h >= 0)
    .slice(0, MAX_SHAPES);
  if (boxes.length < 2) return '';
  // Left to right, so each shape's right neighbours are the ones after it.
  const byX = boxes.slice().sort((a, b) => a.x - b.x);
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (a: ShapeBox, b: ShapeBox) => {
    const text = `${tail(a.text)} ${head(b.text)}`;
    if (!seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  };
  for (let p = 0; p < byX.length; p++) {
    const a = byX[p];
    let right: ShapeBox | null = null;
    let rightGap = Infinity;
    let below: ShapeBox | null = null;
    let belowGap = Infinity;
    for (let q = 0; q < byX.length; q++) {
      if (q === p) continue;
      const b = byX[q];
      const big = Math.max(a.h, b.h, 1e-9);
      // Beside it: b starts past a's middle, within 1.5 heights of a's right edge, on the same row.
      if (b.x >= a.x + a.w / 2 && b.x - (a.x + a.w) < 1.5 * big && Math.abs(b.y + b.h / 2 - (a.y + a.h / 2)) < big / 2) {
        const gap = Math.max(0, b.x - (a.x + a.w));
        if (gap < rightGap) {
          rightGap = gap;
          right = b;
        }
      }
      // Under it: overlapping it across, its top between a's lower half and 1.5 heights below a.
      if (b.x < a.x + a.w && b.x + b.w > a.x && b.y >= a.y + a.h / 2 && b.y - (a.y + a.h) < 1.5 * big) {
        const gap = Math.max(0, b.y - (a.y + a.h));
        if (gap < belowGap) {
          belowGap = gap;
          below = b;
        }
      }
    }
    if (right) add(a, right);
    if (below) add(a, below);
    if ((p & 63) === 63) checkTime?.();
  }
  return out.join(SEPARATOR);
}

const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
const tail = (s: string) => flat(s).slice(-EDGE);
const head = (s: string) => flat(s).slice(0, EDGE);
