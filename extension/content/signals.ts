/**
 * Event types only this frame's guard and page hooks know: random per frame, told to the hooks over their
 * private port only (guard.ts, text-watch.ts), so no page script can listen for them or send them.
 * An event's listeners run at once, in every world: what the port, a message later, cannot do.
 */
const token = Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');

/**
 * Guard → hooks: a real drop's DataTransfer, right before the guard holds that drop (drop.ts); made
 * cancelable, the Files the guard gives back to a file input, which passed (file-input.ts).
 */
export const DROP_SIGNAL = `ug-drop-${token}`;
/** Hooks → guard: look at the watched editors now, before a request leaves (text-watch.ts). */
export const LOOK_SIGNAL = `ug-look-${token}`;
