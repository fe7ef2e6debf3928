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

  constructor(groups: readonly (readonly Needle[])[]) {
    groups.forEach((g, k) => {
      for (const nd of g) this.bits.set(nd, (this.bits.get(nd) ?? 0) | (1 << k));
    });
    this.all = [...this.bits.keys()];
    this.every = (1 << groups.length) - 1;
  }

  /**
   * Bit k set when a needle of group k starts in `chunk` and ends in it (findNeedles over the whole
   * chunk); clear, its reader's own search over the chunk finds nothing.
   */
  in(chunk: Uint8Array): number {
    let found = 0;
    findNeedles(chunk, this.all, 0, chunk.length, (_, nd) => (found |= this.bits.get(nd) ?? 0) !== this.every);
    return found;
  }
}
