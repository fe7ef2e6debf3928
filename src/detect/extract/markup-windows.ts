/**
 * markupTextAroundStamps (xml-text.ts) over a stream of chunks: the text around each place where
 * 秘/㊙ (or "&#") may start, decoded as the bytes go by. Memory holds the last MARKUP_BACK bytes
 * and the open window, never the whole part, so a 500 MB worksheet costs a byte search.
 */
import { concat } from '../bytes.js';
import { decoder } from './byte-scan.js';
import { MARKUP_BACK, MARKUP_FWD, markupStampHits, xmlToText } from './xml-text.js';

export class MarkupWindows {
  /** Text of the windows closed so far. */
  readonly texts: string[] = [];
  /** The last bytes seen (up to MARKUP_BACK + 2), and the absolute offset where they start. */
  private tail = new Uint8Array(0);
  private tailAt = 0;
  /** Absolute offset up to which hits have been searched. */
  private searched = 0;
  private win: { start: number; end: number; parts: Uint8Array[]; upTo: number } | null = null;
  /** First bytes of the stream (for a byte-order mark). */
  head: Uint8Array | null = null;

  readonly push = (chunk: Uint8Array): void => {
    if (chunk.length === 0) return;
    this.head ??= chunk.slice(0, 4);
    const buf = this.tail.length ? concat([this.tail, chunk]) : chunk;
    const base = this.tailAt;
    const end = base + buf.length;
    for (const h of markupStampHits(buf)) {
      const at = base + h;
      if (at < this.searched) continue; // found in the previous chunk already
      if (this.win && at - MARKUP_BACK <= this.win.end) this.win.end = at + MARKUP_FWD;
      else {
        this.close();
        const start = Math.max(0, at - MARKUP_BACK, base);
        this.win = { start, end: at + MARKUP_FWD, parts: [], upTo: start };
      }
    }
    // A needle is at most 3 bytes: one that starts in the last 2 bytes is found with the next chunk.
    this.searched = Math.max(this.searched, end - 2);
    if (this.win) {
      const from = Math.max(this.win.upTo, base);
      const to = Math.min(this.win.end, end);
      if (to > from) this.win.parts.push(buf.slice(from - base, to - base));
      this.win.upTo = Math.max(this.win.upTo, to);
      if (this.win.end <= end) this.close();
    }
    const keep = Math.min(buf.length, MARKUP_BACK + 2);
    this.tail = buf.slice(buf.length - keep);
    this.tailAt = end - keep;
  };

  /** After the last chunk: the texts of every window. */
  finish(): string[] {
    this.close();
    return this.texts;
  }

  private close(): void {
    if (!this.win) return;
    this.texts.push(xmlToText(decoder('utf-8').decode(concat(this.win.parts))));
    this.win = null;
  }
}
