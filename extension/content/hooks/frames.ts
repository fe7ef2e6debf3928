/**
 * Same-origin child frames reached through the parent (about:blank, srcdoc) get the same hooks at
 * once, before the page can borrow their untouched fetch.
 */
import { wrapGetter } from './accessors.js';

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
    wrapGetter(proto, 'contentWindow', (frame, get) => {
      const child = get(frame) as Win | null;
      if (child) tryInstall(child);
      return child;
    });
    wrapGetter(proto, 'contentDocument', (frame, get) => {
      const doc = get(frame) as Document | null;
      if (doc?.defaultView) tryInstall(doc.defaultView as Win);
      return doc;
    });
  }
}
