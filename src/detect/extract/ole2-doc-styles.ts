/**
 * Which styles of a .doc hide their text: Word's "hidden" effect (sprmCFVanish) in a character or
 * paragraph style's character properties, or in a style it is based on. The docx and ODF readings
 * follow styles the same way (hidden-styles.ts). The stylesheet (STSH, MS-DOC 2.9.271) is in the table
 * stream: a header (Stshi), then each style (LPStd: its size, then an STD: its base (StdfBase, with
 * StdfPost2000 after it in files from Word 2000 on), its name, then its properties (UPXs)).
 */
import { sprms } from './ole2-doc-lists.js';

const SPRM_C_F_VANISH = 0x083c;
const STK_PARAGRAPH = 1;
const STK_CHARACTER = 2;
const NO_BASE = 0x0fff;
/** Styles read at most (Word allows 4,080; istd is 12 bits). */
const MAX_STYLES = 4096;

/** One style: what it applies to (stk), the style it is based on, and whether it says hidden itself. */
interface DocStyle {
  stk: number;
  base: number;
  hides: boolean | null;
}

/**
 * The styles whose text is hidden, by istd (character and paragraph styles), and the character styles
 * that say shown (sprmCFVanish 0 up their line): Word's order puts a run's character style over its
 * paragraph's, so such a style's runs show in a paragraph whose style hides (LibreOffice 7.4 too).
 */
export interface DocHiddenStyles {
  hides: ReadonlySet<number>;
  shows: ReadonlySet<number>;
}

/** The styles of the stylesheet at the FIB's (fc, lcb) pair that hide their text, or show it; empty when none says so or it cannot be read. */
export function docHiddenStyles(t: Uint8Array, [fc, lcb]: number[]): DocHiddenStyles {
  const styles = readStyles(t, fc, Math.min(t.length, fc + lcb));
  const out = { hides: new Set<number>(), shows: new Set<number>() };
  for (const [istd, s] of styles) {
    if (s.stk !== STK_CHARACTER && s.stk !== STK_PARAGRAPH) continue;
    const says = hides(styles, istd);
    if (says) out.hides.add(istd);
    else if (says === false && s.stk === STK_CHARACTER) out.shows.add(istd);
  }
  return out;
}

/**
 * Whether a run's own character properties hide it (sprmCFVanish 1, or 0x81: the opposite of its style,
 * taken as hidden as before styles were read), show it (0), or leave it to its style (none, or 0x80).
 */
export function ownVanish(grpprl: Uint8Array): boolean | null {
  for (const [sprm, i] of sprms(grpprl)) {
    if (sprm !== SPRM_C_F_VANISH) continue;
    const v = grpprl[i];
    return v === 0x80 ? null : (v & 1) === 1;
  }
  return null;
}

function readStyles(t: Uint8Array, start: number, end: number): Map<number, DocStyle> {
  const out = new Map<number, DocStyle>();
  if (start + 6 > end) return out;
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const cbStshi = dv.getUint16(start, true);
  const cstd = dv.getUint16(start + 2, true);
  const cbBase = dv.getUint16(start + 4, true);
  let at = start + 2 + cbStshi;
  for (let istd = 0; istd < Math.min(cstd, MAX_STYLES) && at + 2 <= end; istd++) {
    const cbStd = dv.getUint16(at, true);
    const std = at + 2;
    at = std + cbStd;
    if (cbStd < cbBase || cbBase < 10 || at > end) continue; // an empty slot, or one that does not hold together
    const stk = t[std + 2] & 0x0f;
    const base = dv.getUint16(std + 2, true) >> 4;
    const chpx = characterProps(t, dv, std + cbBase, at, stk);
    out.set(istd, { stk, base, hides: chpx ? ownVanish(chpx) : null });
  }
  return out;
}

/**
 * A style's character properties (its UpxChpx): after its name (Xstz: a count, the UTF-16 characters and
 * a 0), each UPX a size and that many bytes, padded to an even length; a paragraph style's UpxPapx first.
 */
function characterProps(t: Uint8Array, dv: DataView, name: number, end: number, stk: number): Uint8Array | null {
  if (name + 2 > end) return null;
  let at = name + 2 + dv.getUint16(name, true) * 2 + 2;
  const skip = stk === STK_PARAGRAPH ? 1 : stk === STK_CHARACTER ? 0 : -1;
  if (skip < 0) return null;
  for (let k = 0; at + 2 <= end; k++) {
    const cb = dv.getUint16(at, true);
    if (at + 2 + cb > end) return null;
    if (k === skip) return t.subarray(at + 2, at + 2 + cb);
    at += 2 + cb + (cb & 1);
  }
  return null;
}

/** Whether a style hides: the nearest style up its bases that says either; null when none says (a loop or a long line: null). */
function hides(styles: Map<number, DocStyle>, istd: number): boolean | null {
  for (let s: number = istd, hops = 0; s !== NO_BASE && hops < 32; hops++) {
    const style = styles.get(s);
    if (!style) return null;
    if (style.hides !== null) return style.hides;
    s = style.base;
  }
  return null;
}
