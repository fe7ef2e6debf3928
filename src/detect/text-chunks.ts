/** Splitting long text into overlapping runs, so that no run is huge and no stamp is cut in two. */
import { endsInGap, gapEnd } from './extract/byte-scan.js';

export const CHUNK_CHARS = 1 << 20;
/** Longer than any stamp with generous whitespace between 秘 and confidential. */
export const OVERLAP_CHARS = 256;

/**
 * A run that ends in 秘 and blanks (endsInGap) is followed by a bridge: the text before and at its last
 * 秘, a line break for the blanks, and what follows them, however far on (the overlap alone holds 256
 * characters: 秘, 3,000 spaces across the cut and Confidential were two runs, neither the stamp).
 */
const BRIDGE_BEFORE = 256;
const BRIDGE_AFTER = 1024;

/** The bridge's first part: the run from a little before its last 秘/㊙ to it. */
function bridgeHead(run: string): string {
  const k = Math.max(run.lastIndexOf('秘'), run.lastIndexOf('㊙'));
  return run.slice(Math.max(0, k - BRIDGE_BEFORE), k + 1) + '\n';
}

export function* chunkText(text: string, size = CHUNK_CHARS, overlap = OVERLAP_CHARS): Generator<string> {
  if (text.length <= size) {
    yield text;
    return;
  }
  for (let start = 0; start < text.length; start += size - overlap) {
    const run = text.slice(start, start + size);
    yield run;
    if (start + size < text.length && endsInGap(run)) {
      const j = gapEnd(text, start + size);
      if (j < text.length) yield bridgeHead(run) + text.slice(j, j + BRIDGE_AFTER);
    }
    if (start + size >= text.length) return;
  }
}

/** Joins decoded pieces into runs of at most `size` characters that overlap by `overlap`. */
export class TextChunker {
  private acc = '';
  private fresh = 0;
  /** A run ended in 秘 and blanks: its bridge's head, and where in `acc` the blanks are to be followed on from. */
  private bridge: { head: string; at: number } | null = null;
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
      this.crossGap(out, false);
      const run = this.acc.slice(0, this.size);
      out.push(run);
      if (!this.bridge && endsInGap(run)) this.bridge = { head: bridgeHead(run), at: this.size };
      this.acc = this.acc.slice(this.size - this.overlap);
      if (this.bridge) this.bridge.at = Math.max(0, this.bridge.at - (this.size - this.overlap));
      this.fresh = this.acc.length - this.overlap;
    }
    this.crossGap(out, false);
    return out;
  }
  /** The remaining run, if it holds text not yet emitted, and the bridge still open, if its word came. */
  flush(): string[] {
    const out: string[] = [];
    if (this.fresh > 0) out.push(this.acc);
    this.crossGap(out, true);
    this.acc = '';
    this.fresh = 0;
    return out;
  }
  /** Follows an open bridge's blanks through `acc`: once the text after them is there (or at the end), its run. */
  private crossGap(out: string[], last: boolean): void {
    if (!this.bridge) return;
    const j = gapEnd(this.acc, this.bridge.at);
    this.bridge.at = j;
    // Blanks to the end so far, or too little after them yet: wait for more (at the end, there is none).
    if (!last && (j === this.acc.length || this.acc.length - j < BRIDGE_AFTER)) return;
    if (j < this.acc.length) out.push(this.bridge.head + this.acc.slice(j, j + BRIDGE_AFTER));
    this.bridge = null;
  }
}
