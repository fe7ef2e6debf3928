/**
 * One byte search for several readers of the same stream: which of their groups of needles occur in a
 * chunk. A worksheet's chunks were searched four times over, once per reader (the stamp's bytes or a
 * character reference, CHAR(, a formula's <f, formatCode), and once more for a byte that is not ASCII;
 * one search with all the needles tells each reader whether its own search could find anything, and
 * those that could not skip it. A reader still searches the seam between a chunk and the one before
 * itself: this search sees one chunk.
 */
import { findNeedles, type Needle } from './byte-scan.js';

export class NeedleGroups {
  /** Every needle once (the search's plan is kept per list: this one is made once). */
  private readonly all: Needle[];
  /** Needle → the bits of the groups it belongs to. */
  private readonly bits = new Map<Needle, number>();
  private readonly every: number;
  private readonly longest: number;
  private readonly rest = new Map<number, Needle[]>();

  constructor(groups: readonly (readonly Needle[])[]) {
    groups.forEach((g, k) => {
      for (const nd of g) this.bits.set(nd, (this.bits.get(nd) ?? 0) | (1 << k));
    });
    this.all = [...this.bits.keys()];
    this.every = (1 << groups.length) - 1;
    this.longest = Math.max(0, ...this.all.map((nd) => nd.bytes.length));
  }

  /**
   * Bit k set when a needle of group k starts in `chunk` and ends in it (findNeedles over the whole
   * chunk); clear, its reader's own search over the chunk finds nothing.
   *
   * Once a group is found its needles are left out: the search goes on from there with the others'. A
   * needle found at every cell (a formula's `<f`, a shared string's `"s"`) had cost a hit each, though
   * its first one settled its bit.
   */
  in(chunk: Uint8Array): number {
    let found = 0;
    let from = 0;
    for (;;) {
      let next = -1;
      // Every needle searched belongs to a group not found yet: its first hit ends this search.
      findNeedles(chunk, this.left(found), from, chunk.length, (at, nd) => {
        found |= this.bits.get(nd) ?? 0;
        next = at;
        return false;
      });
      if (next < 0 || found === this.every) return found;
      // Hits come in the order of their anchors: a needle starting up to a needle's length before this one may follow it.
      from = Math.max(0, next - this.longest);
    }
  }

  /** The needles of the groups not in `found` (one list per set, so that each keeps its search plan). */
  private left(found: number): Needle[] {
    let list = this.rest.get(found);
    if (!list) this.rest.set(found, (list = this.all.filter((nd) => ((this.bits.get(nd) ?? 0) & ~found) !== 0)));
    return list;
  }
}
