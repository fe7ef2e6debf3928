/**
 * Rule 1: the content stamp 「秘 Confidential」.
 * After normalisation: 秘, any whitespace (incl. U+3000 and line breaks), then `confidential`
 * in any case. `秘密`, `社外秘`, `Confidential` alone are not the stamp.
 */
import { normalize } from '../normalize.js';

// \s covers ASCII whitespace, U+3000, U+2028/2029, NBSP and the Unicode spaces. Markdown's emphasis
// marks (`秘 **Confidential**`, `**秘** Confidential`, `~~`, `_`, backticks) are formatting, as a run
// boundary is in a document: a note, a prompt or a .md file shows the stamp with them.
const STAMP = /秘[\s*_~`]*confidential/i;

export interface StampHit {
  /** Offset in the normalised text. */
  index: number;
  /** The matched stamp as it reads after normalisation, e.g. `秘 CONFIDENTIAL`. */
  match: string;
  normalized: string;
}

export function findStamp(text: string): StampHit | null {
  if (!mayHoldStamp(text)) return null;
  const normalized = normalize(text);
  const m = STAMP.exec(normalized);
  return m ? { index: m.index, match: m[0], normalized } : null;
}

/** Whether the text carries the stamp, with nothing to say where (what the page hooks need). */
export const hasStamp = (text: string): boolean => mayHoldStamp(text) && STAMP.test(normalize(text));

/** Cheap exit: 秘 and ㊙ are the only code points that normalise to 秘. */
const mayHoldStamp = (text: string) => text.includes('秘') || text.includes('㊙');


/** A short, single-line excerpt around a match for the verdict. */
export function excerpt(normalized: string, index: number, length: number, context = 20): string {
  const start = Math.max(0, index - context);
  const end = Math.min(normalized.length, index + length + context);
  const s = normalized.slice(start, end).replace(/\s+/g, ' ').trim();
  return (start > 0 ? '…' : '') + s + (end < normalized.length ? '…' : '');
}
