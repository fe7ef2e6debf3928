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
 * editor in this same task is not known to the guard's MutationObserver yet, and a field refused may have
 * been emptied since the guard last looked: unless the employee's answer is awaited, the guard is asked
 * to look now (an event's listeners run at once, in every world), and cancels the event while a field
 * is marked. Not cancelled, no field is: what its 'clear' (a message, a task later) will say. (Before,
 * a clean text typed right after a refused stamp was deleted was refused until the guard's next
 * half-second look: the EditContext dictation row, red team web7.)
 */
export function typingGate(): Gate {
  if (look && (!held || held.settled)) onTyping(dispatch(document, new SafeCustomEvent(look, { cancelable: true })) ? 'clear' : 'marked');
  if (!held) return READY;
  return waitFor(held, held.settled && !held.ok);
}
