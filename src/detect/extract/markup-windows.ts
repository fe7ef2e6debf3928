/**
 * markupTextAroundStamps (xml-text.ts) over a stream of chunks: the text around each place where
 * 秘/㊙ (or "&#") may start, decoded as the bytes go by. Memory holds the last MARKUP_BACK bytes
 * and the open window, never the whole part, so a 500 MB worksheet costs a byte search.
 */
import { concat } from '../bytes.js';
import { asciiWithout, decoder, endsInGap } from './byte-scan.js';
import { MARKUP_BACK, MARKUP_FWD, markupStampHits, xmlToText } from './xml-text.js';

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

  /** `toText`: markup → the text a reader sees (a worksheet keeps its cells apart). */
  constructor(private readonly toText: (xml: string) => string = xmlToText) {}

  readonly push = (chunk: Uint8Array): void => {
    if (chunk.length === 0) return;
    this.head ??= chunk.slice(0, 4);
    const base = this.pos;
    // A needle (at most 3 bytes) that starts in the last 2 bytes of the previous chunk.
    if (this.tail.length) {
      const junction = concat([this.tail.subarray(-2), chunk.subarray(0, 2)]);
      const lead = Math.min(2, this.tail.length);
      for (const h of markupStampHits(junction, Infinity, this.countInWord)) if (h < lead) this.hit(base - lead + h, base, chunk);
    }
    // Plain ASCII markup (most of a worksheet) holds neither 秘/㊙ nor a character reference.
    if (!asciiWithout(chunk, 0x26)) for (const h of markupStampHits(chunk, Infinity, this.countInWord)) this.hit(base + h, base, chunk);
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
    return this.win ? this.toText(decoder('utf-8').decode(concat(this.win.parts))) : '';
  }

  private close(text = this.text()): void {
    if (!this.win) return;
    this.texts.push(text);
    this.win = null;
  }
}
