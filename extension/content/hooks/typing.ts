/**
 * While a field of the page holds marked text the employee has not allowed (the guard's text-watch.ts
 * says so), every request that could carry a piece of it — any body, any URL with a query — waits for
 * the employee's answer and is refused if the answer is no. Editors that send each keystroke or small
 * operation on its own never carry the whole stamp in one request, so no single request shows it.
 */
import { pending, settle, type Decision } from './decision.js';
import { READY, waitFor, type Gate } from './gates.js';
import { dispatch, SafeCustomEvent } from './safe-self.js';

let held: Decision | null = null;
/** The guard's event for "look at the editors now" (ToHooks 'watch'), once it watches one. */
let look: string | undefined;

export function onTyping(state: 'marked' | 'refused' | 'clear' | 'watch', name?: string): void {
  if (state === 'watch') return void (look = name);
  if (state === 'clear') {
    if (held) settle(held, true);
    held = null;
    return;
  }
  held ??= pending();
  if (state === 'refused') settle(held, false);
}

/**
 * What the field's state adds to a request that carries something. Text the page wrote into a watched
 * editor in this same task is not known to the guard's MutationObserver yet: the guard is asked to look
 * now (an event's listeners run at once, in every world), and cancels the event when that text made
 * the field marked.
 */
export function typingGate(): Gate {
  if (!held && look && !dispatch(document, new SafeCustomEvent(look, { cancelable: true }))) onTyping('marked');
  if (!held) return READY;
  return waitFor(held, held.settled && !held.ok);
}
