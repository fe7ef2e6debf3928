/** The body and headers a page gives fetch() or `new Request()` in its init, read once and handed on as read. */
import { create, defineProperty, getPrototypeOf, isRequest, ObjectPrototype, own } from './safe-self.js';

/**
 * A fetch/Request `init` to read members of, each once (a getter could answer differently later); null
 * when there is none, or when `init` is a Request (it keeps its own getters, which need the real
 * object; its body is a stream). An init whose prototype is Object.prototype reaches no Request getter:
 * it is read like a literal, without the brand check, whose exception would cost a clean fetch more
 * than everything else here.
 */
export function initOf(init: unknown): RequestInit | null {
  return init === null || typeof init !== 'object' || (getPrototypeOf(init) !== ObjectPrototype && isRequest(init)) ? null : init;
}

/**
 * An init that inherits every other member from the page's `init` but carries `key` as its own; with
 * `get`, `value` is the getter of that member (a stream's body, known once read: streams.ts).
 */
export function withOwn(init: object, key: 'body' | 'headers' | 'mode', value: unknown, get?: boolean): object {
  const o = create(init);
  defineProperty(o, key, own(get ? 'get' : 'value', value));
  return o;
}
