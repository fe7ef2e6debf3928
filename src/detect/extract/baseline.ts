/**
 * Text placed by coordinates (XPS glyph runs, metafile text records): runs that share a baseline are
 * one line, in the order they are drawn, so a stamp drawn as 「秘」 then 「Confidential」 reads whole.
 */
export interface PlacedRun {
  /** The baseline, as the format writes it (a number, or an attribute's text). */
  y: number | string | null;
  text: string;
}

export function linesByBaseline(runs: Iterable<PlacedRun>): string {
  let out = '';
  let first = true;
  let baseline: PlacedRun['y'] = null;
  for (const r of runs) {
    if (!first && r.y !== baseline) out += '\n';
    first = false;
    baseline = r.y;
    out += r.text;
  }
  return out;
}
