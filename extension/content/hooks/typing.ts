/**
 * While a field of the page holds marked text the employee has not allowed (the guard's text-watch.ts
 * says so), every request that could carry a piece of it — any body, any URL with a query — waits for
 * the employee's answer and is refused if the answer is no. Editors that send each keystroke or small
 * operation on its own never carry the whole stamp in one request, so no single request shows it.
 */
import { pending, settle, type Decision } from './decision.js';
import { READY, waitFor, type Gate } from './gates.js';

let held: Decision | null = null;

export function onTyping(state: 'marked' | 'refused' | 'clear'): void {
  if (state === 'clear') {
    if (held) settle(held, true);
    held = null;
    return;
  }
  held ??= pending();
  if (state === 'refused') settle(held, false);
}

/** What the field's state adds to a request that carries something. */
export function typingGate(): Gate {
  if (!held) return READY;
  return waitFor(held, held.done && !held.ok);
}
