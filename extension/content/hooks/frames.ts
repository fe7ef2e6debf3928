/**
 * Same-origin child frames reached through the parent (about:blank, srcdoc) get the same hooks at
 * once, before the page can borrow their untouched fetch.
 */
import { create, defineProperty, getOwnPropertyDescriptor, uncurry } from './safe-self.js';

type Win = Window & typeof globalThis;

export function hookFrames(w: Win, install: (child: Win) => void): void {
  const tryInstall = (child: Win) => {
    try {
      void child.location.href; // throws for a cross-origin frame: that frame runs its own copy
      install(child);
    } catch {
      /* cross-origin */
    }
  };
  for (const Ctor of [w.HTMLIFrameElement, w.HTMLFrameElement]) {
    const proto = Ctor?.prototype;
    if (!proto) continue;
    wrapGetter(proto, 'contentWindow', (child) => child && tryInstall(child as Win));
    wrapGetter(proto, 'contentDocument', (doc) => (doc as Document | null)?.defaultView && tryInstall((doc as Document).defaultView as Win));
  }
}

function wrapGetter(proto: object, key: string, seen: (v: unknown) => void): void {
  const desc = getOwnPropertyDescriptor(proto, key);
  if (!desc?.get) return;
  const get = uncurry(desc.get);
  const d = create(null);
  d.configurable = desc.configurable;
  d.enumerable = desc.enumerable;
  d.set = desc.set;
  d.get = function (this: HTMLIFrameElement) {
    const v = get(this);
    seen(v);
    return v;
  };
  defineProperty(proto, key, d);
}
