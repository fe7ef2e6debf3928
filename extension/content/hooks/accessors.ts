/**
 * Replacing a getter, a setter or a constructor of the page's realm while keeping everything else about
 * it (enumerability, the other accessor half, statics, `prototype`, `instanceof`).
 */
import { apply, CONFIGURABLE, own, defineProperty, defineValue, getOwnPropertyDescriptor, setPrototypeOf, uncurry, WRITABLE, isFn } from './safe-self.js';

/** `proto[key]`'s getter becomes `get(self, original)`. */
export const wrapGetter = (proto: object | undefined, key: string, get: (self: unknown, original: (self: unknown) => unknown) => unknown): void =>
  wrapAccessor(proto, key, 'get', get);

/** `proto[key]`'s setter becomes `set(self, original, value)`. */
export const wrapSetter = (proto: object | undefined, key: string, set: (self: unknown, original: (self: unknown, v: unknown) => unknown, v: unknown) => void): void =>
  wrapAccessor(proto, key, 'set', set);

/** One half of `proto[key]`'s accessor replaced, everything else about it kept (the other half too). */
function wrapAccessor(proto: object | undefined, key: string, half: 'get' | 'set', fn: (self: unknown, original: never, v: unknown) => unknown): void {
  const desc = proto && getOwnPropertyDescriptor(proto, key);
  const f = desc?.[half];
  if (!f) return;
  const original = uncurry(f);
  // A descriptor of no prototype: members the page put on Object.prototype do not count.
  const d = own('get', desc.get);
  d.set = desc.set;
  d.configurable = desc.configurable;
  d.enumerable = desc.enumerable;
  (d as Record<string, unknown>)[half] = function (this: unknown, v: unknown) {
    return fn(this, original as never, v);
  };
  defineProperty(proto, key, d);
}

/**
 * `owner[name]` becomes a constructor that calls `make(args, newTarget)` (which constructs the original
 * or throws); a call without `new` still throws as the original does.
 */
export function replaceConstructor(
  owner: object,
  name: string,
  make: (original: new (...a: unknown[]) => object, args: unknown[], newTarget: Function) => object, // eslint-disable-line @typescript-eslint/no-unsafe-function-type
): void {
  const o = owner as Record<string, unknown>;
  const Original = o[name] as (new (...a: unknown[]) => object) | undefined;
  if (!isFn(Original)) return;
  const Wrapped = function (this: unknown, ...a: unknown[]) {
    if (!new.target) return apply(Original, this, a);
    return make(Original, a, new.target);
  } as unknown as { prototype: object };
  setPrototypeOf(Wrapped, Original); // statics (WebSocket.OPEN…)
  defineValue(Wrapped, 'prototype', Original.prototype, 0); // `instanceof` and the methods other hooks wrapped
  defineValue(Original.prototype, 'constructor', Wrapped, WRITABLE | CONFIGURABLE);
  o[name] = Wrapped;
}
