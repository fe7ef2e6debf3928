/**
 * Holding a page event and handing the page an equivalent one later (and finding the field it is
 * about). Events the guard dispatches are remembered, so its own capture listeners let them through instead of judging them again.
 */
import { DIALOG_RELAY } from '../shared/lazy-ui.js';

const ours = new WeakSet<Event>();

/** The window's capture listeners, each added again by its function when document.open() erased them (below). */
const kept: (() => void)[] = [];

/**
 * A capture-phase listener (the guard's run before the page's: they were registered first). Those on
 * the window (all but a shadow root's and a file input's) are put back when the page calls
 * document.open() (document.write on a loaded page, or into a window it opened), which erases every
 * listener on the window and the document: the document's children are replaced then, which an
 * observer of the document sees.
 */
export function capture<E extends Event>(target: EventTarget, type: string, fn: (e: E) => unknown): void {
  const add = () => target.addEventListener(type, fn as EventListener, true);
  add();
  if (target !== window) return;
  if (!kept.length) new MutationObserver(() => kept.forEach((again) => again())).observe(document, { childList: true });
  kept.push(add);
}

/** No later listener of the event runs, on this target or any other. */
export const stop = (e: Event): void => e.stopImmediatePropagation();

export function isReplay(e: Event): boolean {
  return ours.has(e);
}

/** Dispatch an event the page will treat like the original (it is flagged so the guard ignores it). */
export function replay(target: EventTarget, e: Event): boolean {
  ours.add(e);
  return target.dispatchEvent(e);
}

/** What the browser raises once an input's files are chosen (given back here after they passed). */
export function replayChosen(el: HTMLInputElement): void {
  replay(el, new Event('input', { bubbles: true, composed: true }));
  replay(el, new Event('change', { bubbles: true }));
}

/** Keep the page from seeing an event: no later listener runs and no default action happens. */
export function hold(e: Event): void {
  stop(e);
  if (e.cancelable) e.preventDefault();
}

/** The real target, also inside open shadow roots (composed events are retargeted to the host). */
export function targetOf(e: Event): EventTarget | null {
  return e.composedPath()[0] ?? e.target;
}

/** Seen once: the same event can reach the window listener and an element listener. */
const seen = new WeakSet<Event>();
export function firstSight(e: Event): boolean {
  if (seen.has(e)) return false;
  seen.add(e);
  return true;
}

/** A key the page will treat like `e` (replayed after the employee chose to continue). */
export function keyLike(e: KeyboardEvent): KeyboardEvent {
  const { key, code, location, repeat, shiftKey, ctrlKey, metaKey, altKey } = e;
  return new KeyboardEvent('keydown', { key, code, location, repeat, shiftKey, ctrlKey, metaKey, altKey, bubbles: true, cancelable: true, composed: true });
}

/** The editing host of a contenteditable target: it holds the whole message, not just the node with the caret. */
export function editingHost(t: EventTarget | null): HTMLElement | null {
  if (!(t instanceof HTMLElement) || !t.isContentEditable) return null;
  let host: HTMLElement = t;
  while (host.parentElement?.isContentEditable) host = host.parentElement;
  return host;
}

/**
 * An event of the open warning (a reason, a review comment typed there, its keys): the guard's listener
 * at the window runs before any of the page's, so it stops the event there, and the dialog gets its own
 * copy (ui/warning/show.ts). The page never sees what the employee types for the company's record.
 */
export function toDialog(e: Event): boolean {
  const relay = (targetOf(e) as Record<string, ((e: Event) => void) | undefined> | null)?.[DIALOG_RELAY];
  if (!relay) return false;
  stop(e);
  relay(e);
  return true;
}
