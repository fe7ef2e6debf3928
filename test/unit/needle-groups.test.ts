/**
 * NeedleGroups (src/detect/extract/needle-groups.ts): one search for a worksheet's four readers. A
 * group's bit must be set exactly when that group's own search over the chunk finds something; a bit
 * clear where the reader's search would have found a needle would skip it (a stamp or a formula lost).
 */
import { describe, expect, it } from 'vitest';
import { NeedleGroups } from '../../src/detect/extract/needle-groups.js';
import { findNeedles, NEEDLES, type Needle } from '../../src/detect/extract/byte-scan.js';
import { MARKUP_NEEDLES } from '../../src/detect/extract/xml-text.js';
import { CHAR_CODES, F_NAMES } from '../../src/detect/extract/xlsx-formulas.js';
import { QUOTED_S } from '../../src/detect/extract/xlsx-string-refs.js';
import { prng } from '../support/fuzz.js';

const word = (s: string, anchor: number): Needle => ({ bytes: new TextEncoder().encode(s), enc: 'utf-8', anchor, wide: false });
const GROUPS: (readonly Needle[])[] = [MARKUP_NEEDLES, CHAR_CODES, F_NAMES, [word('formatCode', 6)], QUOTED_S];

/** What each group's own search finds, as the readers run it. */
function own(chunk: Uint8Array): number {
  let bits = 0;
  GROUPS.forEach((g, k) => {
    let any = false;
    findNeedles(chunk, g, 0, chunk.length, () => ((any = true), false));
    if (any) bits |= 1 << k;
  });
  return bits;
}


describe('NeedleGroups', () => {
  const search = new NeedleGroups(GROUPS);
  const pieces = GROUPS.flat().map((nd) => nd.bytes);

  it('sets a group’s bit exactly when its own search finds one of its needles: markup with needles planted anywhere, cut ones at the ends too', () => {
    const row = new TextEncoder().encode('<row r="7" spans="1:3"><c r="A7" t="s"><v>12</v></c><c r="B7"><f>SUM(A1:A6)</f><v>3</v></c></row>');
    let set = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const r = prng(seed);
      const n = 64 + ((r() * 4000) | 0);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i++) chunk[i] = row[(i + seed) % row.length];
      // Some needles whole, some cut by either end of the chunk.
      // (Several: a group found leaves the search, which goes on for the others' from there.)
      const k = (r() * 7) | 0;
      for (let j = 0; j < k; j++) {
        const p = pieces[(r() * pieces.length) | 0];
        const at = ((r() * (n + p.length)) | 0) - p.length + 1;
        for (let q = 0; q < p.length; q++) if (at + q >= 0 && at + q < n) chunk[at + q] = p[q];
      }
      const want = own(chunk);
      set |= want;
      expect(search.in(chunk), `seed ${seed}`).toBe(want);
    }
    expect(set, 'every group found somewhere').toBe(31);
  });

  it('a needle shared by two groups sets both bits', () => {
    const both = new NeedleGroups([NEEDLES['utf-8'], [NEEDLES['utf-8'][0]], CHAR_CODES]);
    expect(both.in(new TextEncoder().encode('<v>秘 Confidential</v>'))).toBe(3);
    expect(both.in(new TextEncoder().encode('<v>㊙</v>'))).toBe(1);
    expect(both.in(new TextEncoder().encode('<f>CHAR(31192)</f>'))).toBe(4);
    expect(both.in(new TextEncoder().encode('<v>plain</v>'))).toBe(0);
  });

  it('a needle that starts before one found first (its anchor later) is still found when the search goes on', () => {
    // `bc` (anchor c) is reported before `abcdef` (anchor f), which starts a byte before it.
    const overlap = new NeedleGroups([[word('bc', 1)], [word('abcdef', 5)], [word('zz', 1)]]);
    for (const text of ['abcdef', 'xabcdefx', 'abcdefzz', 'zzabcdef']) {
      const want = (text.includes('zz') ? 4 : 0) | 3;
      expect(overlap.in(new TextEncoder().encode(text)), text).toBe(want);
    }
  });
});
