/**
 * markupTextAroundStamps (xml-text.ts) over a stream of chunks: the text around each place where
 * 秘/㊙ (or "&#") may start, decoded as the bytes go by. Memory holds the last MARKUP_BACK bytes
 * and the open window, never the whole part, so a 500 MB worksheet costs a byte search.
 */
import { concat } from '../bytes.js';
import { asciiWithout, decoder, endsInGap, findNeedles } from './byte-scan.js';
import { MARKUP_BACK, MARKUP_FWD, WORD_SYMBOL, markupStampHits, xmlToText } from './xml-text.js';

/** Where the junction of two chunks is searched, and for what: bytes on each side, and the search. */
const JUNCTIONS: readonly (readonly [number, (bytes: Uint8Array, inWord: () => void) => number[]])[] = [
  [2, (bytes, inWord) => markupStampHits(bytes, Infinity, inWord)],
  [WORD_SYMBOL.bytes.length - 1, (bytes) => symbolHits(bytes)],
];

function symbolHits(bytes: Uint8Array): number[] {
  const hits: number[] = [];
  findNeedles(bytes, [WORD_SYMBOL], 0, bytes.length, (at) => (hits.push(at), true));
  return hits;
}

/** How far past its first hit a window reads on while its text ends in 秘 and blanks. */
const GAP_MAX = 1 << 20;

export class MarkupWindows {
  /** Text of the windows closed so far. */
  readonly texts: string[] = [];
  /** The bytes just before the current chunk (at most MARKUP_BACK), for windows and split needles. */
  private tail: Uint8Array = new Uint8Array(0);
  /** Absolute offset of the next chunk. */
  private pos = 0;
  private win: { start: number; end: number; parts: Uint8Array[]; upTo: number } | null = null;
  /** First bytes of the stream (for a byte-order mark). */
  head: Uint8Array | null = null;
  /** Places where the stamp may start, met so far. */
  hits = 0;
  /** 秘/㊙ met where a word goes on after it (秘密, 秘書室): no stamp as it stands. */
  inWord = 0;
  private readonly countInWord = () => void this.inWord++;

  /**
   * `toText`: markup → the text a reader sees (a worksheet keeps its cells apart). `symbols`: a
   * WordprocessingML part, whose `<w:sym w:char="79D8"/>` spells a character in ASCII.
   */
  constructor(
    private readonly toText: (xml: string) => string = xmlToText,
    private readonly symbols = false,
  ) {
    this.junctions = symbols ? JUNCTIONS : JUNCTIONS.slice(0, 1);
  }

  /** The searches a chunk's junction with the one before gets (chosen once, not per chunk). */
  private readonly junctions: typeof JUNCTIONS;

  /** `none`: the chunk itself holds none of MARKUP_NEEDLES (NeedleGroups said so): only its junction is searched. */
  readonly push = (chunk: Uint8Array, none = false): void => {
    if (chunk.length === 0) return;
    this.head ??= chunk.slice(0, 4);
    const base = this.pos;
    // A needle that starts in the last bytes of the previous chunk: 秘/㊙ or "&#" in its last 2, a
    // Word symbol's `w:char=` in its last 6.
    if (this.tail.length) {
      const starts: number[] = [];
      for (const [reach, find] of this.junctions) {
        const lead = Math.min(reach, this.tail.length);
        for (const h of find(concat([this.tail.subarray(-reach), chunk.subarray(0, reach)]), this.countInWord)) if (h < lead) starts.push(base - lead + h);
      }
      for (const at of starts.sort((a, b) => a - b)) this.hit(at, base, chunk);
    }
    // Plain ASCII markup (most of a worksheet) holds neither 秘/㊙ nor a character reference; a Word
    // part's may hold a symbol.
    if (none) {
      // (Neither search below can find anything.)
    } else if (!asciiWithout(chunk, 0x26)) for (const h of markupStampHits(chunk, Infinity, this.countInWord)) this.hit(base + h, base, chunk);
    else if (this.symbols) for (const h of symbolHits(chunk)) this.hit(base + h, base, chunk);
    this.pos = base + chunk.length;
    if (this.win) {
      const to = Math.min(this.win.end, this.pos);
      if (to > this.win.upTo) this.win.parts.push(chunk.subarray(this.win.upTo - base, to - base));
      this.win.upTo = Math.max(this.win.upTo, to);
      // A window whose text ends in 秘 and blanks reads on (a drawing's markup between 秘 and the word),
      // a window's length at a time, up to GAP_MAX bytes.
      while (this.win && this.win.end <= this.pos) {
        const text = this.text();
        // (The window may end inside a tag: that unclosed tag is no text.)
        if (this.win.end - this.win.start >= GAP_MAX || !endsInGap(text.replace(/<[^<>]*$/, ''))) this.close(text);
        else {
          const from = this.win.end;
          this.win.end += MARKUP_FWD;
          const upTo = Math.min(this.win.end, this.pos);
          if (upTo > from) this.win.parts.push(chunk.subarray(from - base, upTo - base));
          this.win.upTo = upTo;
        }
      }
    }
    this.tail = chunk.length >= MARKUP_BACK ? chunk.subarray(chunk.length - MARKUP_BACK) : concat([this.tail, chunk]).slice(-MARKUP_BACK);
  };

  /** After the last chunk: the texts of every window. */
  finish(): string[] {
    this.close();
    return this.texts;
  }

  /** A possible stamp at absolute offset `at`, met while reading the chunk that starts at `base`. */
  private hit(at: number, base: number, chunk: Uint8Array): void {
    this.hits++;
    if (this.win && at - MARKUP_BACK <= this.win.end) {
      this.win.end = at + MARKUP_FWD;
      return;
    }
    // The window may start in the tail (the bytes before this chunk).
    const start = Math.max(0, at - MARKUP_BACK, base - this.tail.length);
    const parts = start < base ? [this.tail.subarray(this.tail.length - (base - start))] : [];
    if (this.win) {
      // The open window ends inside this chunk, before this hit's: take its last bytes and close it.
      this.win.parts.push(chunk.subarray(this.win.upTo - base, Math.min(this.win.end, base + chunk.length) - base));
      this.close();
    }
    this.win = { start, end: at + MARKUP_FWD, parts, upTo: Math.max(start, base) };
  }

  /** The open window's text so far. */
  private text(): string {
    if (!this.win) return '';
    const xml = decoder('utf-8').decode(concat(this.win.parts));
    return this.toText(this.win.start > 0 ? withoutCutTag(xml) : xml);
  }

  private close(text = this.text()): void {
    if (!this.win) return;
    this.texts.push(text);
    this.win = null;
  }
}

/** The end of a tag a window starts inside (`w15">`), and a character its first byte cut (U+FFFD). */
const CUT_TAG = /^\uFFFD*[^<>]*>/;

/**
 * A window's markup without the end of the tag it starts inside: that is no text, and it showed as such in
 * the excerpt an admin reads (「…w15">本文 | 秘 Confidential」). Only what holds no 秘/㊙ and no character
 * reference goes (the window's first possible stamp comes after it, and what comes before a stamp never
 * makes or unmakes one); a `>` in a text node that the window starts in goes with the text before it.
 */
function withoutCutTag(xml: string): string {
  const m = CUT_TAG.exec(xml);
  return m && !/[\u79D8\u3299]|&#/.test(m[0]) ? xml.slice(m[0].length) : xml;
}
