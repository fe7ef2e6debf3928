/**
 * Replacing a getter, a setter or a constructor of the page's realm while keeping everything else about
 * it (enumerability, the other accessor half, statics, `prototype`, `instanceof`).
 */
import { apply, CONFIGURABLE, own, defineProperty, defineValue, getOwnPropertyDescriptor, setPrototypeOf, uncurry, WRITABLE, isFn } from './safe-self.js';

type Fn = (...a: never[]) => unknown;

/** `proto[key]`'s getter becomes `get(self, original)`. */
export function wrapGetter(proto: object | undefined, key: string, get: (self: unknown, original: (self: unknown) => unknown) => unknown): void {
  const desc = proto && getOwnPropertyDescriptor(proto, key);
  if (!desc?.get) return;
  const original = uncurry(desc.get);
  defineProperty(proto, key, accessor(desc, function (this: unknown) {
    return get(this, original);
  }, desc.set));
}

/** `proto[key]`'s setter becomes `set(self, value, original)`. */
export function wrapSetter(proto: object | undefined, key: string, set: (self: unknown, v: unknown, original: (self: unknown, v: unknown) => unknown) => void): void {
  const desc = proto && getOwnPropertyDescriptor(proto, key);
  if (!desc?.set) return;
  const original = uncurry(desc.set);
  defineProperty(proto, key, accessor(desc, desc.get, function (this: unknown, v: unknown) {
    set(this, v, original);
  }));
}

function accessor(desc: PropertyDescriptor, get: Fn | undefined, set: Fn | undefined): PropertyDescriptor {
  const d = own('get', get);
  d.configurable = desc.configurable;
  d.enumerable = desc.enumerable;
  d.set = set;
  return d;
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
