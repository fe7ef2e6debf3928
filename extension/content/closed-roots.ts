/**
 * Closed shadow roots the page hooks could not open: those the HTML parser makes from
 * `<template shadowrootmode="closed">` (declarative shadow DOM, as server-rendered web components
 * ship), where attachShadow is never called. A composed event from inside one reaches the window
 * retargeted to the host; the extension-only `openOrClosedShadowRoot` reaches the root, and a capture
 * listener added there now still runs for the event on its way down, with the real target in view.
 */
import { capture } from './replay.js';

type OpenOrClosed = (el: Element) => ShadowRoot | null;

const g = globalThis as unknown as { chrome?: { dom?: { openOrClosedShadowRoot?: OpenOrClosed } } };
/** Chrome: chrome.dom.openOrClosedShadowRoot(el); Firefox: el.openOrClosedShadowRoot(). */
function rootOf(el: Element): ShadowRoot | null {
  try {
    const chromeDom = g.chrome?.dom?.openOrClosedShadowRoot;
    if (chromeDom) return chromeDom(el);
    const firefox = (el as unknown as { openOrClosedShadowRoot?: () => ShadowRoot | null }).openOrClosedShadowRoot;
    return typeof firefox === 'function' ? firefox.call(el) : null;
  } catch {
    return null;
  }
}

const followed = new WeakSet<ShadowRoot>();

/**
 * When `target` hosts a closed root the page keeps to itself, listens there too (capture), once per
 * root and type; returns whether it did, so the caller leaves the event to that listener.
 */
export function followIntoClosedRoot(target: EventTarget | null, listeners: [string, (e: Event) => void][]): boolean {
  // Fields cannot host a root (typing raises `input` at each keystroke); an open root is seen through already.
  if (!(target instanceof Element) || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target.shadowRoot) return false;
  const root = rootOf(target);
  if (!root) return false;
  if (!followed.has(root)) {
    followed.add(root);
    for (const [type, fn] of listeners) capture(root, type, fn);
  }
  return true;
}
