/**
 * Closed shadow roots: inside one, a file input or an editor is invisible to the guard (events reach
 * the window retargeted to the host, and composedPath() stops at the root). On a guarded page a root
 * asked for as closed is made open, and looks closed to the page: `host.shadowRoot` is null and
 * `root.mode` says 'closed'. The guard's own world reads the real thing, so it sees the real target.
 */
import { replaceMethod, wrapGetter } from './accessors.js';
import { unguarded } from './bridge-client.js';
import { withOwn } from './init-body.js';
import { apply, SafeWeakSet, weakSetAdd, weakSetHas, protoOf } from './safe-self.js';

type Win = Window & typeof globalThis;

export function hookShadow(w: Win): void {
  const proto = protoOf('Element', w);
  const closedRoots: WeakSet<ShadowRoot> = new SafeWeakSet();
  const closedHosts: WeakSet<Element> = new SafeWeakSet();
  replaceMethod(proto, 'attachShadow', (attach) => function attachShadow(this: Element, init: ShadowRootInit) {
    if (unguarded() || init == null || typeof init !== 'object') return apply(attach, this, [init]);
    const mode = (init as { mode?: unknown }).mode;
    if (mode !== 'closed') return apply(attach, this, [init]);
    // The page's init with its own `mode`: the browser reads every other member from it, once, as it
    // would have (a getter cannot answer the hooks one thing and the browser another).
    const root = apply(attach, this, [withOwn(init, 'mode', 'open')]) as ShadowRoot;
    weakSetAdd(closedRoots, root);
    weakSetAdd(closedHosts, this);
    return root;
  });
  wrapGetter(proto, 'shadowRoot', (host, get) => (weakSetHas(closedHosts, host as Element) ? null : get(host)));
  wrapGetter(protoOf('ShadowRoot', w), 'mode', (root, get) => (weakSetHas(closedRoots, root as ShadowRoot) ? 'closed' : get(root)));
}
