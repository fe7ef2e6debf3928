/**
 * The quick exit for text bodies: with no designated keyword or pattern in the policy, a text the core's
 * prefilter (src/guard/text-prefilter.ts) rules out cannot be marked, and is passed without the scanner
 * and without the realm check (intact.ts) that the scanner needs. Only captured built-ins are used: a page
 * that replaced RegExp.prototype.exec or gave Object.prototype a `keywords` getter changes nothing here.
 */
import { MAY_HOLD_STAMP_TEXT } from '../../../src/guard/text-prefilter.js';
import type { Designated } from '../../../src/detect/types.js';
import { hasOwn, regExpExec } from './safe-self.js';

/**
 * Designated content rules can match plain ASCII: then every text is judged. With `hashes`, designated
 * file hashes count too (they can match any decoded bytes).
 */
export function designatedText(designated: Partial<Designated> | undefined, hashes?: boolean): boolean {
  const d = designated as Record<string, unknown> | undefined;
  if (!d) return false;
  const has = (k: string) => hasOwn(d, k) && (d[k] as unknown[]).length > 0;
  return has('keywords') || has('patterns') || (!!hashes && has('sha256'));
}

/** True when no rule of the policy (its designated rules: `designated`) could mark `text`. */
export function cannotBeMarked(text: string, designated: Partial<Designated> | undefined): boolean {
  return !designatedText(designated) && !regExpExec(MAY_HOLD_STAMP_TEXT, text);
}
