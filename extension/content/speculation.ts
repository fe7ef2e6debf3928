/**
 * Channel: speculation rules (`<script type="speculationrules">`), with which a page asks the browser to
 * prefetch or prerender URLs. The browser sends that request itself, as a navigation of its own that
 * no page hook sees, in a visible tab: a rule whose URL carries what the employee typed sends it to the
 * server before anyone navigates (red team web8, row h7-speculation-prefetch).
 *
 * The browser reads a rule set when its script element is put into the document with its text (or is
 * given its text there), and asks for the URLs once the page's microtasks have run: a MutationObserver's
 * records come first, and a rule set removed then is never asked for (measured in Chromium 156: no
 * request at all, where a removal in a later task only cancels a prefetch already under way). So each
 * rule set of a guarded page is looked at in this observer. One that could carry a marking (秘/㊙, an
 * escape, base64 that may spell 秘/㊙; any, while the policy is not known or when it designates keywords
 * or patterns) is taken out at once and its text judged as a text body is (decoded; gate.ts itemsOf):
 * allowed, a new element with the same rules is put where it was (the one taken out would not be read
 * again), so a clean Japanese URL is prefetched a moment later; refused, the employee was warned and
 * nothing is asked for. Document rules (`where`: the URLs are the page's links, which it can write the
 * text into) are taken out for good. A prefetch only saves time: the navigation it was for is judged
 * when it happens (the page hooks' navigation check), and goes as it would have. Rules the server
 * names in a `Speculation-Rules` header, and rule sets in shadow roots (Chromium reads those too), are
 * not seen here: finding roots means reading every record (docs/page-channels.md); a force-installed
 * network layer judges their prefetches (network-guard.ts).
 */
import { MAY_HOLD_STAMP_TEXT } from '../../src/guard/text-prefilter.js';
import { BASE64_STAMP } from '../../src/guard/url-text.js';
import { decide, guard, isGuarded, itemsOf } from './gate.js';

/** Document rules, however the JSON writes the key (an escape is caught as one). */
const DOCUMENT_RULES = /"where"|"document"/;
const TYPE = 'speculationrules';
/** The rule sets put back once allowed. */
const allowed = new WeakSet<Node>();

function look(n: Node): void {
  if (!(n instanceof HTMLScriptElement) || allowed.has(n) || n.type.trim().toLowerCase() !== TYPE || !isGuarded()) return;
  const text = n.text;
  const doc = DOCUMENT_RULES.test(text);
  const d = guard.view()?.designated;
  if (d && !(d.keywords.length + d.patterns.length) && !MAY_HOLD_STAMP_TEXT.test(text) && !BASE64_STAMP.test(text) && !doc) return;
  const parent = n.parentNode!;
  n.remove();
  // Where a rule set stands does not change what it asks for: put back last.
  if (!doc) {
    void itemsOf([{ kind: 'text', text }]).then((items) => decide('url', items)).then((ok) => {
      if (!ok) return;
      const again = document.createElement('script');
      allowed.add(again);
      again.type = TYPE;
      again.text = text;
      parent.appendChild(again);
    });
  }
}

/** The document's script elements, kept up to date by the browser (walked again only after a change). */
const scripts = document.getElementsByTagName('script');

export function installSpeculation(): void {
  // After each change to the document, one pass over its script elements (a copy: a removal shortens
  // the live list). The records are not read: the parser makes one per node (40,000 on a long
  // article), and walking them cost 34 to 48 ms per page load here, against 1 ms for this pass.
  new MutationObserver(() => [...scripts].forEach(look)).observe(document, { childList: true, subtree: true });
}
