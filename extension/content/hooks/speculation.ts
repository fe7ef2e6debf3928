/**
 * Speculation rules (`<script type="speculationrules">`): the browser reads a rule set when a page script
 * puts its element into a document or a shadow root, or gives a connected empty one its text, and asks
 * for its URLs once the page's microtasks have run. The guard takes such a rule set out before that
 * (../speculation.ts); these hooks tell it where to look, at once, by an event on the tree the rule set
 * went into: watching the whole document for them instead cost every page load a record per parsed
 * node (7.9 to 15.4 ms per 20,000 nodes in Chromium 156). A call on a detached node is let through
 * unlooked-at: nothing in a detached tree is read (open: a rule set in the shadow root of a host that is
 * put into the document only afterwards).
 */
import { SPECULATION_SIGNAL } from '../bridge.js';
import { unguarded } from './bridge-client.js';
import { replaceMethod, wrapSetter } from './accessors.js';
import { apply, dispatch, elementQuery as inElement, fragmentQuery, isConnected, matches, nodeType, parentNode as parent, protoOf, rangeStart, SafeEvent } from './safe-self.js';

type Win = Window & typeof globalThis;

/** A rule set's element (a `type` with spaces or capitals too: the browser trims and folds it). */
const RULES = 'script[type*=speculationrules i]';
const inFragment = fragmentQuery;

/** `n`'s nodeType, or 0 when `n` is no Node (a string, null, a Range: the native getter throws). */
const kind = (n: unknown): number => {
  try {
    return nodeType(n);
  } catch {
    return 0;
  }
};
const isRules = (n: unknown): boolean => kind(n) === 1 && matches(n, RULES);

/**
 * After a call that may have made a rule set live, the guard looks at the rule sets of the tree it went
 * into: one inserted (or a subtree holding one), text given to one (`this`, its parent or a Range's start
 * is one), markup written into the document (document.write; any insertion into a Document).
 */
function watched(f: (...a: unknown[]) => unknown) {
  return function (this: unknown, ...a: unknown[]): unknown {
    const k = kind(this);
    if (unguarded() || (k && !isConnected(this as Node))) return apply(f, this, a);
    let hit = k === 9;
    for (let i = 0; i < a.length; i++) {
      const n = a[i];
      const t = kind(n);
      if (t === 1 ? matches(n, RULES) || inElement(n, RULES) : t === 11 && inFragment(n, RULES)) hit = true;
    }
    let up: unknown = k ? parent(this) : rangeStart(this);
    // A Range in a rule set's text puts what it inserts beside that text, into the rule set.
    if (kind(up) === 3) up = parent(up);
    // Anything (text, a node, a setter's value) put into a rule set.
    hit ||= isRules(this) || isRules(up);
    const r = apply(f, this, a);
    // Told on the node above `this` (where `this` was, when it has left: replaceWith; a Range's start),
    // or on `this` when nothing is above it (a document, a shadow root): the tree the rule set went into.
    if (hit) dispatch((kind(up) ? up : this) as Node, new SafeEvent(SPECULATION_SIGNAL, { bubbles: true, composed: true }));
    return r;
  };
}

const CHILD = ' before after replaceWith';
const PARENT = ' append prepend replaceChildren';

export function hookSpeculation(w: Win): void {
  // A connected empty rule set given its text by a setter (a `.name` below).
  const setting = watched(function (this: unknown, set: unknown, v: unknown) {
    return (set as (self: unknown, v: unknown) => unknown)(this, v);
  });
  // Installed before any page script: the built-ins used here are the browser's own.
  for (const list of [
    'Node appendChild insertBefore replaceChild .textContent',
    `Element insertAdjacentElement insertAdjacentHTML insertAdjacentText setHTMLUnsafe .innerHTML${CHILD}${PARENT}`,
    'HTMLElement .innerText',
    'HTMLScriptElement .text',
    `CharacterData${CHILD}`,
    `DocumentType${CHILD}`,
    `Document write writeln${PARENT}`,
    `DocumentFragment${PARENT}`,
    'Range insertNode surroundContents',
  ]) {
    const [name, ...keys] = list.split(' ');
    const p = protoOf(name, w);
    for (const k of keys) {
      if (k[0] !== '.') replaceMethod(p, k, watched);
      else wrapSetter(p, k.slice(1), (self, set, v) => apply(setting, self, [set, v]));
    }
  }
}
