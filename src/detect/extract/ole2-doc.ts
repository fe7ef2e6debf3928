/**
 * Word 97-2003 (.doc): the text of every story (body, footnotes, headers/footers, comments,
 * endnotes, text boxes) through the FIB and the piece table (CLX) in the 0Table/1Table stream; a story
 * with hidden or deleted text is also read as it shows, without it (as the other formats are: xml-text.ts).
 */
import { withFieldsShown, withRubyBases } from './field-shown.js';
import { characterRuns, dropDownEntries, dropDownParagraphs } from './ole2-doc-forms.js';
import { docListLabels, paragraphProps, sprms, type Span } from './ole2-doc-lists.js';
import { docHiddenStyles, ownVanish, type DocHiddenStyles } from './ole2-doc-styles.js';
import { SEPARATOR, bothReadings } from './sheet-rows.js';
import { shapePairs, type ShapeBox } from './shape-pairs.js';

export interface DocStory {
  area: string;
  text: string;
}

export interface DocResult {
  encrypted: boolean;
  /** null when the FIB or the piece table cannot be read (the caller falls back to a byte scan). */
  stories: DocStory[] | null;
  /** What is damaged, when the FIB or the piece table does not hold together (Word 6/95 files are not damaged). */
  damaged?: string;
  /** Text past the limit, not read. */
  tooLarge?: string;
  /**
   * Where in the WordDocument stream the text read as stories lies ([start, end) byte ranges of its pieces).
   * The byte search over the stream passes them over: the stories are read apart, and in the stream a
   * header's last paragraph runs on into the footer's first (「社外秘」 ⏎ 「Confidential」), one story's into the next.
   */
  textBytes?: [number, number][];
}

const damaged = (what: string): DocResult => ({ encrypted: false, stories: null, damaged: what });

/** Characters of a list item read after its label at most: the stamp is at its start. */
const MAX_LABELLED = 256;

/** NUL characters in a row that no Word text holds. */
const NUL_RUN = '\0'.repeat(16);

/** Characters read from the piece table at most (a .doc is at most 100 MiB anyway). */
const MAX_CHARS = 64 << 20;

/** Word's control characters → what a reader sees. */
function readable(s: string): string {
  return s
    .replace(/\r|\x0b|\x0c|\x0e/g, '\n')
    .replace(/\x07/g, '\t')
    .replace(/[\x00-\x08\x10-\x1f]/g, '');
}

export function readDoc(w: Uint8Array, table: (which: 0 | 1) => Uint8Array | null, data: () => Uint8Array | null = () => null): DocResult {
  if (w.length < 68) return damaged('the FIB is truncated');
  const dv = new DataView(w.buffer, w.byteOffset, w.byteLength);
  if (dv.getUint16(0, true) !== 0xa5ec) return damaged('the FIB has no Word signature');
  const flags = dv.getUint16(0x0a, true);
  if (flags & 0x0100 || flags & 0x8000) return { encrypted: true, stories: null };
  const nFib = dv.getUint16(2, true);
  if (nFib < 101) return { encrypted: false, stories: null }; // Word 6/95: 8-bit text, byte scan instead
  const t = table(flags & 0x0200 ? 1 : 0);
  if (!t) return damaged('the table stream is missing');

  const csw = dv.getUint16(32, true);
  const lwOff = 34 + csw * 2 + 2;
  const cslw = dv.getUint16(lwOff - 2, true);
  const fcOff = lwOff + cslw * 4 + 2;
  const cbRgFcLcb = dv.getUint16(fcOff - 2, true);
  if (cslw < 11 || cbRgFcLcb < 34 || fcOff + 34 * 8 > w.length) return damaged('the FIB is damaged');
  const lw = (i: number) => Math.max(0, dv.getInt32(lwOff + i * 4, true));
  const pair = (i: number) => [dv.getUint32(fcOff + i * 8, true), dv.getUint32(fcOff + i * 8 + 4, true)];

  const [fcClx, lcbClx] = pair(33);
  if (lcbClx === 0 || fcClx + lcbClx > t.length) return damaged('the piece table lies outside the table stream');
  const clx = t.subarray(fcClx, fcClx + lcbClx);
  const cd = new DataView(clx.buffer, clx.byteOffset, clx.byteLength);
  let i = 0;
  let plc: Uint8Array | null = null;
  while (i < clx.length) {
    if (clx[i] === 1) {
      if (i + 3 > clx.length) break;
      i += 3 + cd.getUint16(i + 1, true);
    } else if (clx[i] === 2) {
      if (i + 5 > clx.length) break;
      const lcb = cd.getUint32(i + 1, true);
      plc = clx.subarray(i + 5, Math.min(clx.length, i + 5 + lcb));
      break;
    } else break;
  }
  if (!plc || plc.length < 16) return damaged('the piece table is damaged');
  const n = Math.floor((plc.length - 4) / 12);
  const pd = new DataView(plc.buffer, plc.byteOffset, plc.byteLength);
  const parts: string[] = [];
  const spans: Span[] = [];
  let total = 0;
  let outside = false;
  const cp1252 = new TextDecoder('windows-1252');
  const u16 = new TextDecoder('utf-16le');
  let capped = false;
  for (let k = 0; k < n; k++) {
    const a = pd.getUint32(k * 4, true);
    const b = pd.getUint32((k + 1) * 4, true);
    if (b <= a) continue;
    // Text past MAX_CHARS is not read: said (too large), not dropped.
    if (total >= MAX_CHARS) {
      capped = true;
      break;
    }
    if (b - a > MAX_CHARS - total) capped = true;
    const len = Math.min(b - a, MAX_CHARS - total);
    const fcRaw = pd.getUint32((n + 1) * 4 + k * 8 + 2, true);
    const compressed = (fcRaw & 0x40000000) !== 0;
    const fc = fcRaw & 0x3fffffff;
    let s: string;
    if (compressed) {
      const off = fc / 2;
      s = cp1252.decode(w.subarray(off, Math.min(w.length, off + len)));
    } else {
      s = u16.decode(w.subarray(fc, Math.min(w.length, fc + len * 2)));
    }
    // Keep CP positions aligned even when the stream is truncated.
    if (s.length < len) {
      s += '\0'.repeat(len - s.length);
      outside = true;
    }
    parts.push(s);
    spans.push({ cp: total, len, byte: compressed ? fc / 2 : fc, width: compressed ? 1 : 2 });
    total += len;
  }
  const all = parts.join('');
  if (!all) return { encrypted: false, stories: null };
  // The same text with hidden characters (sprmCFVanish, on the run or through its styles) and tracked
  // deletions as \x01, which readable() drops: as the page shows with the changes accepted.
  const visibleAll = withHidden(all, spans, hiddenRanges(w, t, pair(12), hiddenParagraphs(w, t, pair(13), docHiddenStyles(t, pair(1)))));
  // Fields as Word shows them: their results, not their instructions (field-shown.ts).
  const shownAll = withFieldsShown(visibleAll);

  // Story boundaries (MS-DOC 2.3): main, footnotes, headers, (macro), comments, endnotes, text boxes, header text boxes.
  const ccp = { text: lw(3), ftn: lw(4), hdd: lw(5), atn: lw(7), edn: lw(8), txbx: lw(9), hdrTxbx: lw(10) };
  const stories: DocStory[] = [];
  let cp = 0;
  const take = (count: number) => {
    const text = readable(all.slice(cp, cp + count));
    const shown = withRubyBases(readable(shownAll.slice(cp, cp + count)));
    cp += count;
    return bothReadings(text, shown);
  };
  stories.push({ area: 'body', text: take(ccp.text) });
  stories.push({ area: 'footnotes', text: take(ccp.ftn) });
  const hddStart = cp;
  cp += ccp.hdd;
  const heads = headerStories(all.slice(hddStart, cp), t, pair(11));
  const shownHeads = headerStories(shownAll.slice(hddStart, cp), t, pair(11));
  stories.push(...heads.map((h, k) => ({ area: h.area, text: bothReadings(h.text, shownHeads[k]?.text ?? h.text) })));
  stories.push({ area: 'comments', text: take(ccp.atn) });
  stories.push({ area: 'endnotes', text: take(ccp.edn) });
  const txbxStart = cp;
  stories.push({ area: 'text boxes', text: take(ccp.txbx) });
  const hdrTxbxStart = cp;
  stories.push({ area: 'header', text: take(ccp.hdrTxbx) });
  // Text boxes side by side or one under the other, their texts joined (shape-pairs.ts): a circle 「秘」 and
  // a text box 「Confidential」 beside it, with another text box between them in the story.
  if (cbRgFcLcb > 58) {
    const story = (start: number) => (from: number, to: number) => readable(all.slice(start + from, start + to));
    const body = textBoxPairs(t, pair(40), pair(56), story(txbxStart), all);
    if (body) stories.push({ area: 'text boxes', text: body });
    const head = textBoxPairs(t, pair(41), pair(58), story(hdrTxbxStart), all);
    if (head) stories.push({ area: 'header', text: head });
  }
  // List labels that could make a stamp, each before its paragraph (the text stream holds only the paragraph).
  let listsDamaged = false;
  if (cbRgFcLcb > 74) {
    const lists = docListLabels(w, t, pair(13), pair(73), pair(74), spans);
    if (lists.damaged) listsDamaged = true;
    const labelled = lists.placed.map(({ cp: at, label }) => {
      const end = shownAll.indexOf('\r', at);
      return readable(label + shownAll.slice(at, end < 0 || end - at > MAX_LABELLED ? at + MAX_LABELLED : end));
    });
    if (labelled.length) stories.push({ area: 'body', text: labelled.join('\n') });
  }
  // A drop-down form field shows the entry picked, which only its FFData holds (ole2-doc-forms.ts).
  if (visibleAll.includes('FORMDROPDOWN')) {
    const picked = dropDownParagraphs(visibleAll, shownAll, dropDownEntries(characterRuns(w, t, pair(12)), data()), MAX_LABELLED);
    if (picked.length) stories.push({ area: 'body', text: picked.map(readable).join('\n') });
  }
  // Whatever the counts did not cover (damaged FIB): keep it readable as body text.
  if (cp < all.length) stories.push({ area: 'body', text: bothReadings(readable(all.slice(cp)), readable(shownAll.slice(cp))) });
  const textBytes = spans.map((p): [number, number] => [p.byte, p.byte + p.len * p.width]);
  const result: DocResult = { encrypted: false, stories: stories.filter((s) => s.text.trim()), textBytes };
  if (outside) result.damaged = 'a piece of text lies outside the WordDocument stream';
  else if (listsDamaged) result.damaged = 'its list tables or paragraph property pages do not hold together (list labels not read)';
  // Word writes no NUL in its text: a run of them is a block of the text overwritten by zeros (a disk or
  // transfer error; LibreOffice shows what the zeros decode to), and what stood there is lost.
  else if (all.includes(NUL_RUN)) result.damaged = 'its text holds a run of NUL characters (a block overwritten by zeros)';
  if (capped) result.tooLarge = `more than ${MAX_CHARS >> 20} M characters of text`;
  return result;
}

/** Text boxes kept with their places; past them, the story alone. */
const MAX_BOXES = 4000;

/**
 * The text boxes of the main document or of the headers placed on the page (PlcSpa: an FSPA per shape,
 * its spid and rectangle in twips, and what the rectangle is measured from), each with its text (PlcftxbxTxt:
 * a range of the text-box story per box, and the spid of its shape): pairs of neighbours (shape-pairs.ts).
 */
function textBoxPairs(t: Uint8Array, [fcSpa, lcbSpa]: number[], [fcTxbx, lcbTxbx]: number[], text: (from: number, to: number) => string, all: string): string {
  if (lcbSpa < 4 + 26 || lcbTxbx < 4 + 22 || fcSpa + lcbSpa > t.length || fcTxbx + lcbTxbx > t.length) return '';
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const places = new Map<number, { x: number; y: number; w: number; h: number; frame: string }>();
  const nSpa = Math.min(MAX_BOXES, Math.floor((lcbSpa - 4) / 30));
  for (let k = 0; k < nSpa; k++) {
    const at = dv.getInt32(fcSpa + k * 4, true);
    const f = fcSpa + (nSpa + 1) * 4 + k * 26;
    const [spid, left, top, right, bottom] = [0, 4, 8, 12, 16].map((o) => dv.getInt32(f + o, true));
    const flags = dv.getUint16(f + 20, true);
    const bx = (flags >> 1) & 3;
    const by = (flags >> 3) & 3;
    // Measured from the paragraph (by 2): the paragraph that holds the anchor.
    const frame = `${bx}|${by}|${by === 2 ? all.lastIndexOf('\r', at) : ''}`;
    places.set(spid, { x: left, y: top, w: right - left, h: bottom - top, frame });
  }
  const frames = new Map<string, ShapeBox[]>();
  const nTxbx = Math.min(MAX_BOXES, Math.floor((lcbTxbx - 4) / 26));
  for (let k = 0; k < nTxbx; k++) {
    const from = dv.getInt32(fcTxbx + k * 4, true);
    const to = dv.getInt32(fcTxbx + (k + 1) * 4, true);
    const lid = dv.getInt32(fcTxbx + (nTxbx + 1) * 4 + k * 22 + 14, true);
    const place = places.get(lid);
    if (!place || from < 0 || to <= from) continue;
    const list = frames.get(place.frame) ?? [];
    list.push({ ...place, text: text(from, to) });
    frames.set(place.frame, list);
  }
  return [...frames.values()].map((list) => shapePairs(list)).filter(Boolean).join(SEPARATOR);
}

/** Splits the header document into headers and footers through PlcfHdd (falls back to one run). */
function headerStories(s: string, t: Uint8Array, [fc, lcb]: number[]): DocStory[] {
  if (!s) return [];
  if (lcb < 8 || fc + lcb > t.length) return [{ area: 'header', text: readable(s) }];
  const dv = new DataView(t.buffer, t.byteOffset + fc, lcb);
  const cps: number[] = [];
  for (let i = 0; i + 4 <= lcb; i += 4) cps.push(dv.getUint32(i, true));
  let head = '';
  let foot = '';
  for (let i = 0; i + 1 < cps.length; i++) {
    const a = cps[i];
    const b = cps[i + 1];
    if (b <= a || a >= s.length) continue;
    const piece = s.slice(a, b);
    // Stories 0-5 are footnote/endnote separators; then per section: even/odd header, even/odd footer, first header/footer.
    const k = (i - 6) % 6;
    if (i >= 6 && (k === 2 || k === 3 || k === 5)) foot += piece + '\n';
    else head += piece + '\n';
  }
  return [
    { area: 'header', text: readable(head) },
    { area: 'footer', text: readable(foot) },
  ];
}

/** Hidden runs mapped onto the text at most: past this the text is read with its hidden characters in place only. */
const MAX_HIDDEN_WORK = 1 << 24;

/** `all` with every character in a hidden byte range replaced by \x01. */
function withHidden(all: string, spans: Span[], hidden: [number, number][]): string {
  if (hidden.length === 0 || hidden.length * spans.length > MAX_HIDDEN_WORK) return all;
  const chars = all.split('');
  for (const [a, b] of hidden) {
    for (const p of spans) {
      const from = Math.max(0, Math.ceil((a - p.byte) / p.width));
      const to = Math.min(p.len, Math.ceil((b - p.byte) / p.width));
      for (let i = from; i < to; i++) chars[p.cp + i] = '\x01';
    }
  }
  return chars.join('');
}

/**
 * Byte ranges of the WordDocument stream whose characters are not shown, from the character property
 * pages (PlcBteChpx → ChpxFkp, MS-DOC 2.8.6 and 2.9.44): formatted hidden (Font → Hidden: sprmCFVanish)
 * by the run itself or by its character style (sprmCIstd), else by its paragraph's style
 * (`paragraphs`); or deleted with changes tracked (sprmCFRMarkDel), which Word's "No Markup" and
 * accepting the changes leave out. A page that does not hold together is left out: its text is still
 * read in place.
 */
function hiddenRanges(w: Uint8Array, t: Uint8Array, chpx: number[], paragraphs: Hidden): [number, number][] {
  const out: [number, number][] = [];
  for (const { a, b, grpprl } of characterRuns(w, t, chpx)) {
    const shown = runShown(grpprl, paragraphs.styles);
    if (shown === false) out.push([a, b]);
    else if (shown === null) for (const part of paragraphs.within(a, b)) out.push(part);
  }
  return out;
}


const SPRM_C_ISTD = 0x4a30;
const SPRM_C_F_R_MARK_DEL = 0x0800;

/** Whether a run's properties show it (true), hide or delete it (false), or leave it to its paragraph's style (null). */
function runShown(grpprl: Uint8Array, styles: DocHiddenStyles): boolean | null {
  // The character style's word: hidden (false), shown over a hiding paragraph style (true), or nothing.
  let style: boolean | null = null;
  for (const [sprm, i] of sprms(grpprl)) {
    if (sprm === SPRM_C_F_R_MARK_DEL && (grpprl[i] & 1) === 1) return false;
    if (sprm === SPRM_C_ISTD) {
      const istd = grpprl[i] | (grpprl[i + 1] << 8);
      style = styles.hides.has(istd) ? false : styles.shows.has(istd) ? true : null;
    }
  }
  const own = ownVanish(grpprl);
  return own !== null ? !own : style;
}

/** The document's hiding styles, and the byte ranges of its paragraphs whose style hides them. */
interface Hidden {
  styles: DocHiddenStyles;
  /** The parts of [a, b) in a hidden paragraph. */
  within(a: number, b: number): [number, number][];
}

/** Paragraphs whose style hides them, from the paragraph property pages (ole2-doc-lists.ts). */
function hiddenParagraphs(w: Uint8Array, t: Uint8Array, papx: number[], styles: DocHiddenStyles): Hidden {
  const ranges: [number, number][] = [];
  if (styles.hides.size) for (const p of paragraphProps(w, t, papx)) if (p.to > p.from && styles.hides.has(p.istd)) ranges.push([p.from, p.to]);
  ranges.sort((x, y) => x[0] - y[0]);
  return {
    styles,
    within(a, b) {
      const out: [number, number][] = [];
      // The first range that ends after a (they do not overlap), then on while they start before b.
      let lo = 0;
      for (let hi = ranges.length; lo < hi; ) {
        const mid = (lo + hi) >> 1;
        if (ranges[mid][1] <= a) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < ranges.length && ranges[k][0] < b; k++) out.push([Math.max(a, ranges[k][0]), Math.min(b, ranges[k][1])]);
      return out;
    },
  };
}
