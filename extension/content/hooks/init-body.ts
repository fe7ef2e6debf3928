/** The body a page gives fetch() or `new Request()` in its init, read once and handed on as read. */
import { create, defineValue, ENUMERABLE, getPrototypeOf, isRequest, ObjectPrototype } from './safe-self.js';

/**
 * The body of a fetch/Request `init`, read once (a getter could answer differently later); undefined
 * when there is none, or when `init` is a Request (it keeps its own getters, which need the real
 * object; its body is a stream). An init whose prototype is Object.prototype reaches no Request getter:
 * it is read like a literal, without the brand check, whose exception would cost a clean fetch more
 * than everything else here.
 */
export function initBody(init: unknown): unknown {
  if (init === null || typeof init !== 'object' || (getPrototypeOf(init) !== ObjectPrototype && isRequest(init))) return undefined;
  return (init as RequestInit).body;
}

/** An init that inherits every other member from the page's `init` but carries `body` as its own. */
export function withBody(init: object, body: unknown): object {
  const own = create(init);
  defineValue(own, 'body', body, ENUMERABLE);
  return own;
}
