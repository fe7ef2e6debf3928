/**
 * A .doc's legacy drop-down form fields (FORMDROPDOWN): the field holds no result; Word and LibreOffice
 * show the entry picked, kept with the field's other settings in an FFData structure in the Data stream,
 * which the field's special character points to (sprmCPicLocation). MS-DOC 2.9.75 (FFData), 2.9.287
 * (STTB). Read here: each drop-down's picked entry, in the order of the document.
 */
import { sprms } from './ole2-doc-lists.js';

const SPRM_C_PIC_LOCATION = 0x6a03;

/** One run of character properties: its bytes [a, b) in the WordDocument stream, and its sprms. */
export interface CharacterRun {
  a: number;
  b: number;
  grpprl: Uint8Array;
}

/** The character property runs (PlcBteChpx → CHPX FKPs), in the order of the WordDocument stream. */
export function* characterRuns(w: Uint8Array, t: Uint8Array, [fc, lcb]: number[]): Generator<CharacterRun> {
  if (lcb < 12 || (lcb - 4) % 8 !== 0 || fc + lcb > t.length) return;
  const n = (lcb - 4) / 8;
  const dv = new DataView(t.buffer, t.byteOffset + fc, lcb);
  for (let i = 0; i < n; i++) {
    const page = (dv.getUint32((n + 1) * 4 + i * 4, true) & 0x3fffff) * 512;
    if (page + 512 > w.length) continue;
    const crun = w[page + 511];
    if (crun === 0 || crun > 101) continue;
    const pv = new DataView(w.buffer, w.byteOffset + page, 512);
    for (let r = 0; r < crun; r++) {
      const off = w[page + (crun + 1) * 4 + r] * 2;
      // Offset 0: default formatting (no sprms of its own).
      const grpprl = off === 0 || off >= 511 ? EMPTY : w.subarray(page + off + 1, Math.min(page + 511, page + off + 1 + w[page + off]));
      yield { a: pv.getUint32(r * 4, true), b: pv.getUint32((r + 1) * 4, true), grpprl };
    }
  }
}
const EMPTY = new Uint8Array(0);

/** The picked entry of each drop-down form field whose FFData the runs point to, in the runs' order. */
export function dropDownEntries(runs: Iterable<CharacterRun>, data: Uint8Array | null): string[] {
  const out: string[] = [];
  if (!data) return out;
  const seen = new Set<number>();
  for (const { grpprl } of runs) {
    for (const [sprm, i] of sprms(grpprl)) {
      if (sprm !== SPRM_C_PIC_LOCATION || i + 4 > grpprl.length) continue;
      const at = (grpprl[i] | (grpprl[i + 1] << 8) | (grpprl[i + 2] << 16) | (grpprl[i + 3] << 24)) >>> 0;
      if (seen.has(at)) continue;
      seen.add(at);
      const entry = pickedEntry(data, at);
      if (entry !== null) out.push(entry);
    }
  }
  return out;
}

/** The entry a drop-down's FFData (after its 4-byte size and its header, whose length follows) picks; null for any other field. */
function pickedEntry(d: Uint8Array, at: number): string | null {
  const r = new Reader(d, at);
  r.u32();
  r.skip(r.u16() - 6); // the rest of the header: the FFData follows it
  if (r.u32() !== 0xffffffff) return null; // its version
  const bits = r.u16();
  if ((bits & 3) !== 2) return null; // a text box or a check box
  const picked = (bits >> 2) & 31;
  r.skip(4); // cch, hps
  r.xstz(); // its name
  const fallback = r.u16(); // wDef
  for (let k = 0; k < 5; k++) r.xstz(); // format, help, status text, entry and exit macros
  if (r.u16() !== 0xffff) return null; // an STTB of UTF-16 strings
  const count = r.u16();
  const extra = r.u16(); // bytes after each string (none in a drop-down's list)
  const entries: string[] = [];
  for (let k = 0; k < count && !r.failed; k++) {
    entries.push(r.xst());
    r.skip(extra);
  }
  if (r.failed) return null;
  return entries[picked] ?? entries[fallback] ?? entries[0] ?? null;
}

/** Little-endian reads that go false instead of past the end. */
class Reader {
  failed = false;
  constructor(
    private readonly d: Uint8Array,
    private at: number,
  ) {}
  private take(n: number): number {
    const at = this.at;
    this.at += n;
    if (n < 0 || this.at > this.d.length) this.failed = true;
    return at;
  }
  u16(): number {
    const at = this.take(2);
    return this.failed ? 0 : this.d[at] | (this.d[at + 1] << 8);
  }
  u32(): number {
    const lo = this.u16();
    return (lo + this.u16() * 0x10000) >>> 0;
  }
  skip(n: number): void {
    this.take(n);
  }
  /** A length-prefixed UTF-16 string. */
  xst(): string {
    const n = this.u16();
    const at = this.take(n * 2);
    return this.failed ? '' : new TextDecoder('utf-16le').decode(this.d.subarray(at, at + n * 2));
  }
  /** An Xst and its terminating 0. */
  xstz(): string {
    const s = this.xst();
    this.u16();
    return s;
  }
}

/** Where a .doc's text holds a drop-down form field (its begin mark and instruction). */
const DROP_DOWN = /\x13\s*FORMDROPDOWN\b/g;

/**
 * Each drop-down's paragraph as it shows, the picked entry where the field is: `visible` is the story
 * text before fields are shown (it still holds their instructions), `shown` the same with them shown
 * (withFieldsShown: of the same length), `entries` the picked entries in the document's order.
 */
export function dropDownParagraphs(visible: string, shown: string, entries: string[], most: number): string[] {
  const out: string[] = [];
  let k = 0;
  for (const m of visible.matchAll(DROP_DOWN)) {
    const entry = entries[k++];
    if (entry === undefined) break;
    const end = visible.indexOf('\x15', m.index);
    if (end < 0) break;
    const from = Math.max(visible.lastIndexOf('\r', m.index) + 1, m.index - most);
    const to = visible.indexOf('\r', end);
    out.push(shown.slice(from, m.index) + entry + shown.slice(end + 1, to < 0 || to - end > most ? end + 1 + most : to));
  }
  return out;
}
