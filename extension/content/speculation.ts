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
 * names in a `Speculation-Rules` header are not seen here (docs/page-channels.md).
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

const OPTIONS = { childList: true, subtree: true };
const observer = new MutationObserver((records) =>
  records.forEach((r) => {
    // Text given to a script element already in the document (the record's target), or nodes put in.
    look(r.target);
    r.addedNodes.forEach(within);
  }),
);

/**
 * `n`, the script elements in it (a fragment from createContextualFragment runs its scripts), and those
 * in its shadow root, which is watched from then on: Chromium reads rule sets in shadow roots too. (The
 * guard's world sees a closed root as open: hooks/shadow.ts.)
 */
function within(n: Node): void {
  look(n);
  // (A text node has neither.)
  (n as Partial<ParentNode>).querySelectorAll?.('script').forEach(look);
  const root = (n as Partial<Element>).shadowRoot;
  if (root) {
    observer.observe(root, OPTIONS);
    within(root);
  }
}

export function installSpeculation(): void {
  observer.observe(document, OPTIONS);
}
