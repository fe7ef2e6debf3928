/**
 * Channel: speculation rules (`<script type="speculationrules">`), with which a page asks the browser to
 * prefetch or prerender URLs. The browser sends that request itself, as a navigation of its own that
 * no page hook sees, in a visible tab: a rule whose URL carries what the employee typed sends it to the
 * server before anyone navigates (red team web8, row h7-speculation-prefetch).
 *
 * The browser reads a rule set when its script element is put into a document or a shadow root with its
 * text (or is given its text there), and asks for the URLs once the page's microtasks have run: a rule
 * set removed before then is never asked for (measured in Chromium 156: no request at all, where a
 * removal in a later task only cancels a prefetch already under way). The page hooks signal each call
 * of a page script that may have made one live, at once (hooks/speculation.ts: the DOM's insertion
 * points and text setters, document.write), on the tree it went into; the guard then looks at that
 * tree's rule sets (a shadow root's too). One that could carry a marking (秘/㊙, an escape, base64 that
 * may spell 秘/㊙; any, while the policy is not known or when it designates keywords or patterns) is
 * taken out at once and its text judged as a text body is (decoded; gate.ts itemsOf): allowed, a new
 * element with the same rules is put where it was (the one taken out would not be read again), so a
 * clean Japanese URL is prefetched a moment later; refused, the employee was warned and nothing is
 * asked for. Document rules (`where`: the URLs are the page's links, which it can write the text into)
 * are taken out for good. A prefetch only saves time: the navigation it was for is judged when it
 * happens (the page hooks' navigation check), and goes as it would have.
 *
 * Not seen here, left to a force-installed network layer, which judges every prefetch of a guarded tab
 * (network-guard.ts): rules the server names in a `Speculation-Rules` response header (no element at
 * all); a rule set the parser puts in (the server's own markup, read as the parser meets it: its
 * document rules are taken out once the document is parsed, and a link a script writes before then can
 * be prefetched); a rule set in the shadow root of a host that is put into the document only afterwards.
 */
import { MAY_HOLD_STAMP_TEXT } from '../../src/guard/text-prefilter.js';
import { BASE64_STAMP } from '../../src/guard/url-text.js';
import { SPECULATION_SIGNAL } from './bridge.js';
import { decide, guard, isGuarded, itemsOf } from './gate.js';
import { capture, stop } from './replay.js';

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

/** Every rule set of the document, or of the shadow root, `at` is in. */
const all = (at: Node) => [...(at.getRootNode() as ParentNode).querySelectorAll('script')].forEach(look);

export function installSpeculation(): void {
  // The page hooks signal each rule set a page script makes live, before the browser reads it
  // (hooks/speculation.ts): no observer of the whole document, which cost every load a record per
  // parsed node (7.9 to 15.4 ms per 20,000 nodes). The parser puts in only what the server sent
  // (document.write is hooked); its document rules, whose links a script can write into, are taken out
  // once the document is parsed (and those there when the guard comes in).
  capture(window, SPECULATION_SIGNAL, (e: Event) => (stop(e), all(e.composedPath()[0] as Node)));
  all(document);
  capture(window, 'DOMContentLoaded', () => all(document));
}
