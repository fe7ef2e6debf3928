/** Splitting long text into overlapping runs, so that no run is huge and no stamp is cut in two. */

export const CHUNK_CHARS = 1 << 20;
/** Longer than any stamp with generous whitespace between 秘 and confidential. */
export const OVERLAP_CHARS = 256;

export function* chunkText(text: string, size = CHUNK_CHARS, overlap = OVERLAP_CHARS): Generator<string> {
  if (text.length <= size) {
    yield text;
    return;
  }
  for (let start = 0; start < text.length; start += size - overlap) {
    yield text.slice(start, start + size);
    if (start + size >= text.length) return;
  }
}

/** Joins decoded pieces into runs of at most `size` characters that overlap by `overlap`. */
export class TextChunker {
  private acc = '';
  private fresh = 0;
  constructor(
    private readonly size = CHUNK_CHARS,
    private readonly overlap = OVERLAP_CHARS,
  ) {}
  /** Adds text; returns the runs that became full. */
  push(s: string): string[] {
    this.acc += s;
    this.fresh += s.length;
    const out: string[] = [];
    while (this.acc.length >= this.size) {
      out.push(this.acc.slice(0, this.size));
      this.acc = this.acc.slice(this.size - this.overlap);
      this.fresh = this.acc.length - this.overlap;
    }
    return out;
  }
  /** The remaining run, if it holds text not yet emitted. */
  flush(): string | null {
    const s = this.fresh > 0 ? this.acc : null;
    this.acc = '';
    this.fresh = 0;
    return s;
  }
}
