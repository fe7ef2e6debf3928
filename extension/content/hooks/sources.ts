/**
 * Requests a page makes by naming a URL rather than calling fetch: element sources (`new Image().src`,
 * `<img>`, `<script>`, `<link>`, `<iframe>`… by property or setAttribute), `window.open`, navigations
 * (`location.href = …`, links, GET forms: one `navigate` event covers them all), `EventSource` and the
 * WebSocket URL. Each judges the URL's text (url.ts). A setter cannot wait: a URL refused now is never
 * set; one waiting for the guard (a tampered realm) is set once allowed.
 */
import type { Channel } from '../../shared/messages.js';
import { whenDecided } from './decision.js';
import { type Gate, BLOCKED, READY } from './gates.js';
import {
  addListener,
  apply,
  hasOwn,
  construct,
  destinationUrl,
  eventCancelable,
  navigateDestination,
  preventDefault,
  SafeDOMException,
  SafeSet,
  setAdd,
  setHas,
  stringToLowerCase,
  tagName,
  toStr,
  uncurry,
  protoOf,
} from './safe-self.js';
import { replaceConstructor, replaceMethod, wrapSetter } from './accessors.js';
import { gateUrl } from './url.js';

type Win = Window & typeof globalThis;

/**
 * Element properties whose setting makes the browser request the URL: `HTML${element}Element`'s
 * properties. Split once, when this module is evaluated (at install, before any page script).
 */
const SOURCES: string[][] = 'Image src srcset,Source src srcset,Script src,Link href,IFrame src,Frame src,Media src,Video poster,Embed src,Object data,Input src'
  .split(',')
  .map((s) => s.split(' '));
/** Attributes whose setting makes a request: on any element (''), or on this element only. */
const SOURCE_ATTRIBUTES: Record<string, string> = { src: '', srcset: '', href: 'LINK', data: 'OBJECT', poster: 'VIDEO' };

/** Whether setting this attribute on this element makes a request (a link's href does not: frameworks set thousands). */
function requests(el: Element, name: string): boolean {
  // An own member only (a name like `constructor` reads nothing of Object.prototype).
  const tag = hasOwn(SOURCE_ATTRIBUTES, name) && SOURCE_ATTRIBUTES[name];
  return tag === '' || tag === tagName(el);
}

/** `into`: hooks a window the page opens (frames.ts), as it is returned, before the page can upload from it. */
export function hookSources(w: Win, into: (child: Win | null) => Win | null): void {
  for (let i = 0; i < SOURCES.length; i++) for (let j = 1; j < SOURCES[i].length; j++) wrapSource(w, `HTML${SOURCES[i][0]}Element`, SOURCES[i][j]);
  hookSetAttribute(w);
  hookOpen(w, into);
  hookNavigation(w);
  hookConstructor(w, 'EventSource', 'url');
  hookConstructor(w, 'WebSocket', 'websocket');
}

/** Runs `set` now when the URL may go, later when the guard allows it, never when it refuses. */
export function whenAllowed(gate: Gate, set: () => unknown): void {
  if (gate.ready) set();
  // Refused now: never set (the guard, already asked, reports and explains).
  else if (!gate.refusedNow) whenDecided(gate.decision, (ok) => ok && set());
}

function wrapSource(w: Win, ctor: string, key: string): void {
  wrapSetter(protoOf(ctor, w), key, (self, set, v) => {
    const url = toStr(v);
    whenAllowed(gateUrl('url', url), () => set(self, url));
  });
}

function hookSetAttribute(w: Win): void {
  const proto = protoOf('Element', w);
  wrapSetAttribute(proto, 'setAttribute', 0);
  wrapSetAttribute(proto, 'setAttributeNS', 1);
}

function wrapSetAttribute(proto: Element, m: 'setAttribute' | 'setAttributeNS', nameAt: number): void {
  replaceMethod(proto, m, (original) => function (this: Element, ...a: unknown[]) {
    if (!requests(this, stringToLowerCase(toStr(a[nameAt])))) return apply(original, this, a);
    const at = nameAt + 1;
    a[at] = toStr(a[at]);
    whenAllowed(gateUrl('url', a[at] as string), () => apply(original, this, a));
  });
}

function hookOpen(w: Win, into: (child: Win | null) => Win | null): void {
  replaceMethod(w, 'open', (open) => function (this: unknown, ...a: unknown[]) {
    if (a[0] == null) return into(apply(open, this, a));
    a[0] = toStr(a[0]);
    const gate = gateUrl('url', a[0] as string);
    // A popup must open in the click's task (popup blocker): a URL that waits is not opened.
    return gate.ready ? into(apply(open, this, a)) : null;
  });
}

/**
 * Every navigation the page starts (location, links, GET forms, history) raises `navigate` on the
 * Navigation API first; this listener is registered before any page script, so it runs first. A URL
 * carrying marked text is cancelled; allowed later (warn → continue), it is navigated to once.
 */
function hookNavigation(w: Win): void {
  const nav = (w as unknown as { navigation?: EventTarget }).navigation;
  if (!nav) return;
  const assign = uncurry(w.location.assign);
  const location = w.location;
  let passOnce: string | null = null;
  addListener(nav, 'navigate', (e: Event) => {
    let url: string;
    try {
      url = destinationUrl(navigateDestination(e));
    } catch {
      return;
    }
    if (passOnce === url) return void (passOnce = null);
    const gate = gateUrl('url', url);
    if (gate.ready || !eventCancelable(e)) return;
    preventDefault(e);
    whenDecided(gate.decision, (ok) => {
      if (!ok) return;
      passOnce = url;
      assign(location, url);
    });
  });
}

/**
 * `new EventSource(url)` / `new WebSocket(url)`: a constructor cannot wait, so its URL is judged here
 * (url.ts decodes even base64 for it). A marked one is refused, and the guard, asked, warns. One that
 * still needs the guard (a realm whose built-ins the page replaced; also a pending cookie, a field
 * waiting for the employee's answer) is refused too; once the guard finds such a URL clean, it tells
 * the employee why the page's connection failed (bridge.ts `now`), and the page's retry of the same
 * URL connects.
 */
/** URLs a constructor refused unjudged that the guard has since cleared: the page's retry connects. */
const cleared: Set<string> = new SafeSet();

function hookConstructor(w: Win, name: 'EventSource' | 'WebSocket', ch: Channel): void {
  replaceConstructor(w, name, (Original, a, newTarget) => {
    if (a.length) a[0] = toStr(a[0]);
    const url = a[0] as string;
    const gate = setHas(cleared, url) ? READY : gateUrl(ch, url, true);
    if (!gate.ready && !gate.decision.ok) {
      whenDecided(gate.decision, (ok) => ok && setAdd(cleared, url));
      throw new SafeDOMException(BLOCKED, 'SecurityError');
    }
    return construct(Original, a, newTarget);
  });
}
