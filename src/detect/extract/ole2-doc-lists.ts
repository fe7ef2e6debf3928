/**
 * A .doc's list labels, read before their paragraphs as the page shows them (list-labels.ts does the
 * same for DOCX and ODF): a bullet 「秘」 before an item 「Confidential」 is the stamp, although the text
 * stream holds only 「Confidential」. A paragraph names its list in its properties (sprmPIlfo, sprmPIlvl
 * in the paragraph property pages, PlcBtePapx → PapxFkp); the list format override table (PlfLfo)
 * turns that into a list (lsid), whose levels (the LVLs after PlfLst) hold the labels. MS-DOC 2.9.147
 * (LSTF), 2.9.150 (LVL), 2.9.131 (LFO), 2.8.6 and 2.9.175 (PapxFkp). Only labels that could make a
 * stamp are placed; a paragraph numbered through its style only is not followed.
 */
import { labelMayMark } from './list-labels.js';

/** Where a piece of the text is: its first character position, length, and byte offset and width in the WordDocument stream. */
export interface Span {
  cp: number;
  len: number;
  byte: number;
  width: 1 | 2;
}

/** A paragraph's label, at the character position where the paragraph starts. */
export interface PlacedLabel {
  cp: number;
  label: string;
}

const FOLLOW = ['\t', ' ', ''];
const NFC_NONE = 255;
/** Paragraph property pages followed at most (a 100 MiB .doc has about 200,000 of 512 bytes). */
const MAX_PAGES = 1 << 18;

/**
 * Labels by list (lsid) and level, from PlfLst and the LVLs that follow it; only those that could make a
 * stamp. `damaged`: the lists run past the table stream (a size field overwritten), so labels after that
 * point were not read.
 */
function listLabels(t: Uint8Array, [fc, lcb]: number[]): { labels: Map<number, string[]>; damaged: boolean } {
  const labels = new Map<number, string[]>();
  const out = { labels, damaged: true };
  if (lcb < 2) return { labels, damaged: false };
  if (fc + lcb > t.length) return out;
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const count = dv.getInt16(fc, true);
  if (count <= 0 || fc + 2 + count * 28 > t.length) return out;
  let at = fc + lcb; // the LVLs: 9 per list, 1 for a simple one, in the lists' order
  for (let k = 0; k < count; k++) {
    const lstf = fc + 2 + k * 28;
    const lsid = dv.getInt32(lstf, true);
    const levels: string[] = [];
    for (let l = 0; l < (t[lstf + 26] & 1 ? 1 : 9); l++) {
      if (at + 30 > t.length) return out;
      const nfc = t[at + 4];
      const follow = FOLLOW[t[at + 15]] ?? '\t';
      at += 28 + t[at + 25] + t[at + 24]; // LVLF, grpprlPapx, grpprlChpx
      if (at + 2 > t.length) return out;
      const cch = dv.getUint16(at, true);
      if (at + 2 + cch * 2 > t.length) return out;
      let label = '';
      for (let i = 0; i < cch; i++) {
        const c = dv.getUint16(at + 2 + i * 2, true);
        // Characters 0–8 stand for the numbers of levels 1–9.
        label += c < 9 ? (nfc === NFC_NONE ? '' : '1') : String.fromCharCode(c);
      }
      at += 2 + cch * 2;
      levels.push(labelMayMark(label) ? label + follow : '');
    }
    if (levels.some(Boolean)) labels.set(lsid, levels);
  }
  return { labels, damaged: false };
}

/** The list (lsid) of each list format override, by its 1-based number (ilfo), from PlfLfo. */
function overrides(t: Uint8Array, [fc, lcb]: number[]): number[] {
  if (lcb < 4 || fc + lcb > t.length) return [];
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const count = dv.getInt32(fc, true);
  const out: number[] = [];
  for (let k = 0; k < count && fc + 4 + (k + 1) * 16 <= t.length; k++) out.push(dv.getInt32(fc + 4 + k * 16, true));
  return out;
}

/** An operand's size by the sprm's spra (MS-DOC 2.2.5.1); 6 is variable, its size in its first byte. */
const OPERAND_BYTES = [1, 1, 2, 4, 2, 2, 0, 3];

/** Each property (sprm) of a grpprl, and where its operand starts. */
export function* sprms(grpprl: Uint8Array): Generator<[sprm: number, at: number]> {
  for (let i = 0; i + 2 <= grpprl.length; ) {
    const sprm = grpprl[i] | (grpprl[i + 1] << 8);
    i += 2;
    yield [sprm, i];
    const spra = sprm >> 13;
    i += spra === 6 ? 1 + (grpprl[i] ?? 0) : OPERAND_BYTES[spra];
  }
}

/** A paragraph's list (ilfo) and level (ilvl) from its properties; ilfo 0 when it is in none. */
function listOf(grpprl: Uint8Array): { ilfo: number; ilvl: number } {
  let ilfo = 0;
  let ilvl = 0;
  for (const [sprm, i] of sprms(grpprl)) {
    if (sprm === 0x260a) ilvl = grpprl[i] ?? 0; // sprmPIlvl
    else if (sprm === 0x460b) ilfo = (grpprl[i] ?? 0) | ((grpprl[i + 1] ?? 0) << 8); // sprmPIlfo
    // sprmPChgTabs (its size may be 255, then counted otherwise) and the table sprms with 2-byte sizes: stop.
    if (sprm === 0xc615 || sprm === 0xd608 || sprm === 0xd606) break;
  }
  return { ilfo, ilvl };
}

/** The character position of byte `fc` of the WordDocument stream, or -1 when no piece holds it. */
function cpOf(fc: number, spans: Span[]): number {
  for (const p of spans) if (fc >= p.byte && fc < p.byte + p.len * p.width) return p.cp + (fc - p.byte) / p.width;
  return -1;
}

/** One paragraph's properties: the bytes of the WordDocument stream it covers, its style (istd) and properties. */
export interface ParagraphProps {
  from: number;
  to: number;
  istd: number;
  grpprl: Uint8Array;
}

/**
 * Each paragraph's properties from the paragraph property pages (PlcBtePapx → PapxFkp, MS-DOC 2.8.6 and
 * 2.9.175); `papx` is the FIB's (fc, lcb) pair. A page that does not hold together (its number past the
 * stream, a run count no page holds) is left out, and counted in `damage.pages`: the paragraphs on it
 * have no properties here (no list label, no hiding style), so the caller says the file is damaged.
 */
export function* paragraphProps(w: Uint8Array, t: Uint8Array, [fc, lcb]: number[], damage?: { pages: number }): Generator<ParagraphProps> {
  if (lcb < 12 || (lcb - 4) % 8 !== 0 || fc + lcb > t.length) {
    if (lcb > 0 && damage) damage.pages++;
    return;
  }
  const n = Math.min((lcb - 4) / 8, MAX_PAGES);
  const dv = new DataView(t.buffer, t.byteOffset + fc, lcb);
  for (let i = 0; i < n; i++) {
    const page = (dv.getUint32(((lcb - 4) / 8 + 1) * 4 + i * 4, true) & 0x3fffff) * 512;
    const crun = page + 512 > w.length ? 0 : w[page + 511];
    if (crun === 0 || crun > 29) {
      // 29 runs of 13-byte entries fill a page
      if (damage) damage.pages++;
      continue;
    }
    const pv = new DataView(w.buffer, w.byteOffset + page, 512);
    for (let r = 0; r < crun; r++) {
      const off = w[page + (crun + 1) * 4 + r * 13] * 2;
      if (off === 0 || off >= 511) continue;
      const cb = w[page + off];
      const [from, size] = cb !== 0 ? [off + 1, 2 * cb - 1] : [off + 2, 2 * w[page + off + 1]];
      // GrpPrlAndIstd: the style (2 bytes), then the properties.
      const end = Math.min(page + 511, page + from + size);
      if (page + from + 2 > end) continue;
      yield { from: pv.getUint32(r * 4, true), to: pv.getUint32((r + 1) * 4, true), istd: w[page + from] | (w[page + from + 1] << 8), grpprl: w.subarray(page + from + 2, end) };
    }
  }
}

/**
 * The labels that could make a stamp, each where its paragraph starts. `papx`, `lst` and `lfo` are the
 * FIB's (fc, lcb) pairs of PlcBtePapx, PlfLst and PlfLfo.
 */
export function docListLabels(w: Uint8Array, t: Uint8Array, papx: number[], lst: number[], lfo: number[], spans: Span[]): { placed: PlacedLabel[]; damaged: boolean } {
  const { labels: lists, damaged } = listLabels(t, lst);
  if (lists.size === 0) return { placed: [], damaged };
  const lsids = overrides(t, lfo);
  const out: PlacedLabel[] = [];
  const damage = { pages: 0 };
  for (const p of paragraphProps(w, t, papx, damage)) {
    const { ilfo, ilvl } = listOf(p.grpprl);
    const label = ilfo > 0 && ilfo <= lsids.length ? lists.get(lsids[ilfo - 1])?.[ilvl] : undefined;
    if (!label) continue;
    const cp = cpOf(p.from, spans);
    if (cp >= 0) out.push({ cp, label });
  }
  return { placed: out, damaged: damaged || damage.pages > 0 };
}
