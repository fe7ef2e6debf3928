/**
 * Closed shadow roots: inside one, a file input or an editor is invisible to the guard (events reach
 * the window retargeted to the host, and composedPath() stops at the root). On a guarded page a root
 * asked for as closed is made open, and looks closed to the page: `host.shadowRoot` is null and
 * `root.mode` says 'closed'. The guard's own world reads the real thing, so it sees the real target.
 */
import { wrapGetter } from './accessors.js';
import { unguarded } from './bridge-client.js';
import { apply, create, SafeWeakSet, weakSetAdd, weakSetHas, isFn, protoOf } from './safe-self.js';

type Win = Window & typeof globalThis;

/** The members of ShadowRootInit, read once each (a getter could answer differently the second time). */
const INIT_KEYS = ['delegatesFocus', 'slotAssignment', 'clonable', 'serializable', 'customElementRegistry'];

export function hookShadow(w: Win): void {
  const proto = protoOf('Element', w);
  const attach = proto.attachShadow;
  if (!isFn(attach)) return;
  const closedRoots: WeakSet<ShadowRoot> = new SafeWeakSet();
  const closedHosts: WeakSet<Element> = new SafeWeakSet();
  proto.attachShadow = function attachShadow(this: Element, init: ShadowRootInit) {
    if (unguarded() || init == null || typeof init !== 'object') return apply(attach, this, [init]);
    const mode = (init as { mode?: unknown }).mode;
    if (mode !== 'closed') return apply(attach, this, [init]);
    const own: Record<string, unknown> = create(null);
    own.mode = 'open';
    for (let i = 0; i < INIT_KEYS.length; i++) {
      const v = (init as unknown as Record<string, unknown>)[INIT_KEYS[i]];
      if (v !== undefined) own[INIT_KEYS[i]] = v;
    }
    const root = apply(attach, this, [own]) as ShadowRoot;
    weakSetAdd(closedRoots, root);
    weakSetAdd(closedHosts, this);
    return root;
  };
  wrapGetter(proto, 'shadowRoot', (host, get) => (weakSetHas(closedHosts, host as Element) ? null : get(host)));
  wrapGetter(protoOf('ShadowRoot', w), 'mode', (root, get) => (weakSetHas(closedRoots, root as ShadowRoot) ? 'closed' : get(root)));
}
