/** What the build's rewrites of minified code (arrow-iifes.ts, literal-escapes.ts) share: an ESTree walk and its edits. */

export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** `code.slice(at, end)` replaced by `text`. */
export interface Edit {
  at: number;
  end: number;
  text: string;
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';

export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(n)) {
    const v = n[key];
    if (Array.isArray(v)) for (const c of v) isNode(c) && out.push(c);
    else if (isNode(v)) out.push(v);
  }
  return out;
}

/** `code` with every edit made (edits do not overlap). */
export function applyEdits(code: string, edits: Edit[]): string {
  let out = code;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}
