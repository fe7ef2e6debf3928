/**
 * The stamp in a URL, for requests neither the page hooks nor the network layer's listener see: an
 * image, a style sheet or a script a page built from an HTML string (`innerHTML = '<img src=…?q=…>'`),
 * a CSS `url()`, a prefetch. The listener skips those types on purpose (each would cost every page load
 * a message to the worker per resource: request-types.ts); a declarativeNetRequest rule costs nothing of
 * the kind, since Chromium matches it in the browser process. One dynamic rule blocks any request, of
 * any type but a top-level navigation (the listener judges those by where they go), made by a guarded
 * page whose URL holds 「秘」 then `confidential` (whitespace between them as a URL writes it).
 *
 * It only stops: Chromium tells an extension which requests a rule blocked only while it is unpacked,
 * so such a block is not recorded (docs/page-channels.md). It applies rule 1 as written, not its
 * NFKC-folded forms (full-width letters) nor designated keywords: those stay with the page hooks.
 * Only the package with the network layer has the permission (vite.config.ts NETWORK_LAYER=off).
 */
import { guardHosts } from '../../src/policy/match.js';
import type { RegisteredPolicy } from './registration-plan.js';

export const URL_RULE_ID = 1;

/** An escape of byte XX, also escaped twice (%25XX). */
const esc = (hex: string) => hex.match(/../g)!.map((b) => `%(25)?${b}`).join('');
/** 秘 or ㊙ in UTF-8, whitespace as a URL writes it (space, plus, U+3000, tab, line breaks, NBSP), then the word. */
export const STAMP_IN_URL = `(${esc('E7A798')}|${esc('E38A99')})(${['20', 'E38080', '09', '0A', '0D', 'C2A0'].map(esc).join('|')}|\\+)*confidential`;

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

/** The rule for a policy: initiators are the guarded pages (every page but the allowed ones with scope `everywhere`). Null when nothing is guarded. */
export function urlRule(p: RegisteredPolicy): chrome.declarativeNetRequest.Rule | null {
  const { hosts, excluded: unguarded } = guardHosts(p);
  const everywhere = hosts === null;
  const initiators = everywhere ? [] : domains(hosts);
  if (!everywhere && initiators.length === 0) return null;
  const excluded = domains(unguarded);
  return {
    id: URL_RULE_ID,
    priority: 1,
    action: { type: 'block' as chrome.declarativeNetRequest.RuleActionType },
    condition: {
      regexFilter: STAMP_IN_URL,
      isUrlFilterCaseSensitive: false,
      resourceTypes: [...TYPES] as chrome.declarativeNetRequest.ResourceType[],
      ...(everywhere ? {} : { initiatorDomains: initiators }),
      ...(excluded.length > 0 ? { excludedInitiatorDomains: excluded } : {}),
    },
  };
}

/** Puts the rule for `p` in place (or removes it). A package without the permission has no rule. */
export async function applyUrlRule(p: RegisteredPolicy): Promise<void> {
  const dnr = globalThis.chrome?.declarativeNetRequest;
  if (!dnr?.updateDynamicRules) return;
  const rule = urlRule(p);
  try {
    await dnr.updateDynamicRules({ removeRuleIds: [URL_RULE_ID], addRules: rule ? [rule] : [] });
  } catch (e) {
    // A browser that does not know the newest types (Firefox): the rule without them.
    console.warn('[upload-guard] the URL rule was refused, set again with fewer request types:', String(e));
    const older = rule && { ...rule, condition: { ...rule.condition, resourceTypes: rule.condition.resourceTypes?.filter((t) => t !== 'webtransport' && t !== 'webbundle') } };
    await dnr.updateDynamicRules({ removeRuleIds: [URL_RULE_ID], addRules: older ? [older] : [] }).catch((e2: unknown) => console.warn('[upload-guard] no URL rule:', String(e2)));
  }
}
