/**
 * Same-origin child frames reached through the parent (about:blank, srcdoc), and windows the page
 * opens, get the same hooks at once, before the page can borrow their untouched fetch.
 */
import { wrapGetter } from './accessors.js';
import { protoOf } from './safe-self.js';

type Win = Window & typeof globalThis;

/**
 * Hooks same-origin child realms as they are reached; returns the installer, which hookSources gives
 * the windows the page opens (window.open: about:blank, a blob: page), realms of the same origin too.
 */
export function hookFrames(w: Win, install: (child: Win) => void): (child: Win | null) => Win | null {
  const tryInstall = (child: Win | null) => {
    try {
      void child!.location.href; // throws for a cross-origin frame: that frame runs its own copy
      install(child!);
    } catch {
      /* cross-origin, or no window */
    }
    return child;
  };
  for (const name of ['HTMLIFrameElement', 'HTMLFrameElement']) {
    const proto = protoOf(name, w);
    wrapGetter(proto, 'contentWindow', (frame, get) => tryInstall(get(frame) as Win | null));
    wrapGetter(proto, 'contentDocument', (frame, get) => {
      const doc = get(frame) as Document | null;
      tryInstall(doc?.defaultView as Win | null);
      return doc;
    });
  }
  return tryInstall;
}
