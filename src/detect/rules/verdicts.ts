/**
 * The rules that need no bytes read: a file name alone (rule 2, and rule 3's name patterns) and a text
 * alone (rule 1, and rule 3's keywords). Synchronous, and kept apart from the scanner (scan.ts) so the
 * script every guarded frame carries can import them without the extractors.
 */
import { compileDesignated, compileMatchers, findDesignatedContent, findDesignatedName, type CompiledDesignated } from './designated.js';
import { baseName, markedNamePrefix } from './name.js';
import { excerpt, findStamp, hasStamp } from './stamp.js';
import type { Designated, Location, MarkedVerdict, Verdict } from '../types.js';

/** Rule 2 (and designated name patterns, rule 3) on a file name alone. Synchronous: used before any byte is read. */
export function checkName(name: string, designated?: Partial<Designated>): MarkedVerdict | null {
  return nameVerdict(name, compileDesignated(designated), []);
}

export function nameVerdict(name: string, d: CompiledDesignated, path: string[]): MarkedVerdict | null {
  const marked = (rule: 2 | 3, reason: string): MarkedVerdict => ({ verdict: 'marked', rule, reason, location: { path }, excerpt: baseName(name) });
  if (markedNamePrefix(name)) return marked(2, 'name');
  return findDesignatedName(name, d) ? marked(3, 'name-pattern') : null;
}

/**
 * Whether a name or a text is marked, without the verdict (no excerpt, no location): what the page
 * hooks need, which then ask the guard for the verdict. Kept apart so their size-bound bundle does
 * not carry the rest.
 */
export const nameMarks = (name: string, designated?: Partial<Designated>): boolean =>
  !!markedNamePrefix(name) || !!findDesignatedName(name, compileMatchers(designated));
export const textMarks = (text: string, designated?: Partial<Designated>): boolean =>
  hasStamp(text) || !!findDesignatedContent(text, compileMatchers(designated));

/** Rule 1 (and designated keywords/patterns, rule 3) on text: pasted text, form fields, request bodies. */
export function scanText(text: string, designated?: Partial<Designated>): Verdict {
  return matchText(text, compileDesignated(designated), { path: [] }) ?? { verdict: 'clean' };
}

export function matchText(text: string, d: CompiledDesignated, location: Location): MarkedVerdict | null {
  const stamp = findStamp(text);
  if (stamp) return { verdict: 'marked', rule: 1, reason: 'stamp', location, excerpt: excerpt(stamp.normalized, stamp.index, stamp.match.length) };
  const hit = findDesignatedContent(text, d);
  if (hit) return { verdict: 'marked', rule: 3, reason: 'keyword', location, excerpt: excerpt(hit.normalized, hit.index, hit.match.length) };
  return null;
}
