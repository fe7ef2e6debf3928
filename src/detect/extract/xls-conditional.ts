/**
 * Number formats that an Excel 97-2003 workbook's conditional formats give (as xlsx-conditional.ts
 * for xlsx): a CF record's style (DXFN, [MS-XLS] 2.5.70) may carry a number format, by number or
 * written out (`"秘 "@`), that prints text around a text cell's, so the cell `Confidential` shows
 * 「秘 Confidential」 while the rule holds. Gnumeric writes them so. Whether a rule holds is not worked
 * out: every text section is taken as shown on each text cell of the ranges its CONDFMT names.
 * Records: CONDFMT (0x01B0) then its CF records (0x01B1); Excel 2007's CONDFMT12 (0x0879) then CF12
 * (0x087A); CFEx (0x087B) adds a style to the CONDFMT of its id.
 */
import { biffChars } from '../bytes.js';

/** A range of a sheet: first and last row, first and last column (0-based). */
export type CondRange = [number, number, number, number];

/** A conditional format's number format: written out (`code`), or a number the workbook's FORMAT records (or Excel's own) define. */
export type CondFormat = { code: string } | { ifmt: number };

/** Ranges kept per sheet: past them the workbook is reported too large to read as it shows. */
export const MAX_COND_RANGES = 10_000;

/** SqRefU at `o`: a count, then Ref8U ranges (first row, last row, first column, last column; u16 each). */
export function sqref(d: Uint8Array, o: number): CondRange[] {
  const u16 = (p: number) => (p + 2 <= d.length ? d[p] | (d[p + 1] << 8) : 0);
  const out: CondRange[] = [];
  for (let k = 0, n = u16(o); k < n && o + 2 + 8 * k + 8 <= d.length; k++) {
    const p = o + 2 + 8 * k;
    out.push([u16(p), u16(p + 2), u16(p + 4), u16(p + 6)]);
  }
  return out;
}

/**
 * The number format of a DXFN at `o`, or null when it sets none. Its flags (32 bits, then 16): bit 25
 * ibitAtrNum says a number format follows the 6 bytes of flags, first of the parts; bit 0 of the second,
 * fIfmtUser, says it is written out (DXFNumUsr: cb, then an XLUnicodeString), else a number (DXFNumIfmt).
 */
export function dxfnFormat(d: Uint8Array, o: number): CondFormat | null {
  if (o + 6 > d.length) return null;
  const flags = (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
  if (!(flags & (1 << 25))) return null;
  const user = (d[o + 4] & 1) === 1;
  const p = o + 6;
  if (!user) return p + 2 <= d.length ? { ifmt: d[p + 1] } : null;
  // DXFNumUsr: cb (u16), then cch (u16), fHighByte, the characters.
  const s = p + 2;
  if (s + 3 > d.length) return null;
  const cch = d[s] | (d[s + 1] << 8);
  const high = (d[s + 2] & 1) === 1;
  const start = s + 3;
  const n = Math.max(0, Math.min(cch, Math.floor((d.length - start) / (high ? 2 : 1))));
  return { code: biffChars(d, start, n, high) };
}

/**
 * Reads a sheet's conditional-format records in order: `record` is given each record's type and data,
 * and answers a number format with the ranges it is shown on, when the record sets one.
 */
export class ConditionalRecords {
  /** The ranges of the last CONDFMT or CONDFMT12, and of each by its id (for CFEx). */
  private current: CondRange[] = [];
  private readonly byId = new Map<number, CondRange[]>();

  record(type: number, d: Uint8Array): { format: CondFormat; ranges: CondRange[] } | null {
    const u16 = (p: number) => (p + 2 <= d.length ? d[p] | (d[p + 1] << 8) : 0);
    switch (type) {
      case 0x01b0: // CONDFMT: ccf, fToughRecalc and nID (bits 1-15), refBound, sqref
        this.current = sqref(d, 12);
        this.byId.set(u16(2) >> 1, this.current);
        return null;
      case 0x0879: // CONDFMT12: FrtRefHeaderU (12 bytes), then as CONDFMT
        this.current = sqref(d, 24);
        this.byId.set(u16(14) >> 1, this.current);
        return null;
      case 0x01b1: {
        // CF: ct, cp, cce1, cce2, then the DXFN
        const format = dxfnFormat(d, 6);
        return format ? { format, ranges: this.current } : null;
      }
      case 0x087a: {
        // CF12: FrtRefHeader (12 bytes), ct, cp, cce1, cce2, then DXFN12: cbdxf (u32), the DXFN when cbdxf > 0
        const cb = (u16(18) | (u16(20) << 16)) >>> 0;
        const format = cb > 0 ? dxfnFormat(d, 22) : null;
        return format ? { format, ranges: this.current } : null;
      }
      case 0x087b: {
        // CFEx: FrtRefHeaderU (12 bytes), fIsCF12 (u32), nID (u16); when not a CF12's, CFExNonCF12:
        // icf, cp, icfTemplate, ipriority, flags (u16), fHasDXF, then DXFN12NoCB (a DXFN first).
        const isCf12 = (u16(12) | (u16(14) << 16)) !== 0;
        if (isCf12 || !(d[26] & 1)) return null;
        const format = dxfnFormat(d, 27);
        return format ? { format, ranges: this.byId.get(u16(16)) ?? this.current } : null;
      }
    }
    return null;
  }
}
