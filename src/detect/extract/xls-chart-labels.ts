/**
 * A BIFF8 chart's titles with their places, for the reading by position (shape-pairs.ts), as an xlsx
 * chart's titles placed by manual layout are read (drawing-boxes.ts chartBoxes): a chart title 「秘」
 * standing beside an axis title 「Confidential」 shows 「秘 Confidential」, though the chart substream
 * stores the series, the axes and the legend between the two.
 *
 * In a chart substream (BOF of type 0x0020), CHART gives the chart's size in points; each attached label
 * starts with a TEXT record (its box: x, y, dx, dy in 1/4000 of the chart's width and height), its text is
 * the SERIESTEXT inside it and its OBJECTLINK says what it labels: 1 the chart's title, 2, 3 and 7 an
 * axis's. A label with no box (all zero, as LibreOffice writes a title it places itself) is left to the
 * storage reading; data labels and the legend's text are not titles.
 */
import { biffChars } from '../bytes.js';
import type { ShapeBox } from './shape-pairs.js';

/** Labels kept per chart: past them, the storage reading alone. */
const MAX_LABELS = 1000;
/** What OBJECTLINK's wLinkObj names: the chart's title and the axes' titles. */
const TITLES = new Set([1, 2, 3, 7]);
/** A chart's size when its CHART record gives none: Excel's default embedded chart, in points. */
const DEFAULT_W = 360;
const DEFAULT_H = 216;

export class ChartLabels {
  private w = DEFAULT_W;
  private h = DEFAULT_H;
  private label: { x: number; y: number; dx: number; dy: number; text: string } | null = null;
  readonly boxes: ShapeBox[] = [];

  /** A record of the chart substream, in order. */
  record(type: number, d: Uint8Array): void {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    switch (type) {
      case 0x1002: // CHART: x, y, dx, dy, each a 16.16 fixed-point number of points
        if (d.length >= 16) {
          const [w, h] = [dv.getUint32(8, true) / 65536, dv.getUint32(12, true) / 65536];
          if (w > 0 && h > 0) [this.w, this.h] = [w, h];
        }
        break;
      case 0x1025: // TEXT: at, vat, wBkgMode, rgbText, then x, y, dx, dy (signed, in 1/4000 of the chart)
        this.label = d.length >= 24 ? { x: dv.getInt32(8, true), y: dv.getInt32(12, true), dx: dv.getInt32(16, true), dy: dv.getInt32(20, true), text: '' } : null;
        break;
      case 0x100d: // SERIESTEXT: id, then a ShortXLUnicodeString (cch, flags, characters)
        if (this.label && d.length >= 4) {
          const cch = d[2];
          const high = (d[3] & 1) === 1;
          const n = Math.min(cch, Math.floor((d.length - 4) / (high ? 2 : 1)));
          this.label.text = biffChars(d, 4, n, high);
        }
        break;
      case 0x1027: {
        // OBJECTLINK: wLinkObj, what the label belongs to
        const l = this.label;
        this.label = null;
        if (!l || d.length < 2 || !TITLES.has(dv.getUint16(0, true)) || !l.text.trim()) break;
        if (l.x === 0 && l.y === 0 && l.dx === 0 && l.dy === 0) break;
        if (this.boxes.length < MAX_LABELS)
          this.boxes.push({ x: (l.x / 4000) * this.w, y: (l.y / 4000) * this.h, w: (Math.max(0, l.dx) / 4000) * this.w, h: (Math.max(0, l.dy) / 4000) * this.h, text: l.text.replace(/\r\n?/g, '\n') });
        break;
      }
    }
  }
}
