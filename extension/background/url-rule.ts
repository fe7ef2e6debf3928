/**
 * The stamp in a URL, for requests neither the page hooks nor the network layer's listener see: an
 * image, a style sheet or a script a page built from an HTML string (`innerHTML = '<img src=…?q=…>'`),
 * a CSS `url()`, a prefetch. The listener skips those types on purpose (each would cost every page load
 * a message to the worker per resource: request-types.ts); a declarativeNetRequest rule costs nothing of
 * the kind, since Chromium matches it in the browser process. Dynamic rules block any request, of any
 * type but a top-level navigation (the listener judges those by where they go), made by a guarded page
 * whose URL holds 「秘」 then `confidential` (full-width letters included: a few rules), and one
 * more per designated keyword (src/guard/url-regex.ts writes the expressions, and says which forms fit
 * in Chromium's limit on one).
 *
 * It only stops: Chromium tells an extension which requests a rule blocked only while it is unpacked,
 * so such a block is not recorded (docs/page-channels.md). Designated regular expressions cannot be
 * rewritten over an escaped URL: those stay with the page hooks, as does a keyword whose expression
 * Chromium refuses (too large for its regular-expression memory limit; logged).
 * Only the package with the network layer has the permission (vite.config.ts NETWORK_LAYER=off).
 */
import { normalize } from '../../src/detect/normalize.js';
import type { Designated } from '../../src/detect/types.js';
import { urlExpressions } from '../../src/guard/url-regex.js';
import { guardHosts } from '../../src/policy/match.js';
import type { RegisteredPolicy } from './registration-plan.js';

type Rule = chrome.declarativeNetRequest.Rule;

/** Chromium allows 1,000 regular-expression rules per extension; a policy with more keywords gets rules for the first ones. */
const MAX_KEYWORD_RULES = 200;

/** Resource types the rule covers: all but the top-level navigation. */
const TYPES = [
  'sub_frame', 'stylesheet', 'script', 'image', 'font', 'object', 'xmlhttprequest', 'ping', 'csp_report',
  'media', 'websocket', 'webtransport', 'webbundle', 'other',
] as const;

/** A host pattern as a DNR domain (`*.mail.yahoo.co.jp` → `mail.yahoo.co.jp`: a domain covers its subdomains); null when it cannot be one. */
function domainOf(pattern: string): string | null {
  const d = pattern.replace(/^\*\./, '').replace(/:\d+$/, '');
  return /^[a-z0-9.-]+$/i.test(d) ? d.toLowerCase() : null;
}

const domains = (patterns: string[]) => [...new Set(patterns.map(domainOf).filter((d): d is string => d !== null))];

/** The expressions to block: the stamp's first, then each designated keyword (NFKC-normalised, as the engine compares them). */
const expressions = (designated: Partial<Designated> | undefined) =>
  urlExpressions((designated?.keywords ?? []).slice(0, MAX_KEYWORD_RULES).map(normalize));

/**
 * The rules for a policy, ids from 1 (the stamp): initiators are the guarded pages (every page but the
 * allowed ones with scope `everywhere`). None when nothing is guarded.
 */
export function urlRules(p: UrlRulePolicy): Rule[] {
  const { hosts, excluded: unguarded } = guardHosts(p);
  const everywhere = hosts === null;
  const initiators = everywhere ? [] : domains(hosts);
  if (!everywhere && initiators.length === 0) return [];
  const excluded = domains(unguarded);
  return expressions(p.designated).map((regexFilter, i) => ({
    id: i + 1,
    priority: 1,
    action: { type: 'block' as chrome.declarativeNetRequest.RuleActionType },
    condition: {
      regexFilter,
      isUrlFilterCaseSensitive: false,
      resourceTypes: [...TYPES] as chrome.declarativeNetRequest.ResourceType[],
      ...(everywhere ? {} : { initiatorDomains: initiators }),
      ...(excluded.length > 0 ? { excludedInitiatorDomains: excluded } : {}),
    },
  }));
}

export type UrlRulePolicy = RegisteredPolicy & { designated?: Partial<Designated> };

type Dnr = typeof chrome.declarativeNetRequest;

/** The rules Chromium accepts: one it refuses (an expression over its memory limit) is left out, and said. */
async function supported(dnr: Dnr, rules: Rule[]): Promise<Rule[]> {
  if (!dnr.isRegexSupported) return rules;
  const ok = await Promise.all(rules.map(async (r) => {
    const { isSupported, reason } = await dnr.isRegexSupported({ regex: r.condition.regexFilter!, isCaseSensitive: false });
    if (!isSupported) console.warn(`[upload-guard] URL rule ${r.id} left out (${String(reason)}): the page hooks alone judge it`);
    return isSupported;
  }));
  return rules.filter((_, i) => ok[i]);
}

let applying: Promise<void> = Promise.resolve();

/**
 * Puts the rules for `p` in place, replacing the previous ones. A package without the permission has
 * none. One at a time: two policies applied at once (start and a change) would each read the rules in
 * place before the other wrote, and the later write would fail on ids the earlier one added.
 */
export function applyUrlRules(p: UrlRulePolicy): Promise<void> {
  applying = applying.then(() => replaceRules(p)).catch((e: unknown) => console.warn('[upload-guard] URL rules not set:', String(e)));
  return applying;
}

async function replaceRules(p: UrlRulePolicy): Promise<void> {
  const dnr = globalThis.chrome?.declarativeNetRequest;
  if (!dnr?.updateDynamicRules) return;
  const rules = await supported(dnr, urlRules(p));
  const removeRuleIds = (await dnr.getDynamicRules()).map((r) => r.id);
  try {
    await dnr.updateDynamicRules({ removeRuleIds, addRules: rules });
  } catch (e) {
    // A browser that does not know the newest types (Firefox): the rules without them.
    console.warn('[upload-guard] the URL rules were refused, set again with fewer request types:', String(e));
    const older = rules.map((r) => ({ ...r, condition: { ...r.condition, resourceTypes: r.condition.resourceTypes?.filter((t) => t !== 'webtransport' && t !== 'webbundle') } }));
    await dnr.updateDynamicRules({ removeRuleIds, addRules: older });
  }
}
