/**
 * Replacing a getter, a setter or a constructor of the page's realm while keeping everything else about
 * it (enumerability, the other accessor half, statics, `prototype`, `instanceof`).
 */
import { apply, CONFIGURABLE, defineProperty, defineValue, getOwnPropertyDescriptor, setPrototypeOf, uncurry, WRITABLE, isFn } from './safe-self.js';

/**
 * `o[name]`, when it is a function, becomes `make(original)` (one function for every wrapped method:
 * page-hooks.js is size-bound).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wrapper has the original's own signature
export function replaceMethod(o: object | undefined, name: PropertyKey, make: (original: (...a: any[]) => any) => (...a: any[]) => any): void {
  const p = o as Record<PropertyKey, unknown> | undefined;
  const original = p?.[name];
  if (isFn(original)) p![name] = make(original as () => unknown);
}

/** `o[name]` calls the original, then `after(this, what it returned, its arguments)`, and returns that. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller knows what its method returns
export const afterCall = (o: object | undefined, name: PropertyKey, after: (self: any, r: any, a: any[]) => void): void =>
  replaceMethod(o, name, (f) => function (this: unknown, ...a: unknown[]) {
    const r = apply(f, this, a);
    after(this, r, a);
    return r;
  });

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
  // The descriptor itself (its four members are its own), of no prototype: members the page put on
  // Object.prototype (a `value`) do not count.
  setPrototypeOf(desc, null);
  (desc as Record<string, unknown>)[half] = function (this: unknown, v: unknown) {
    return fn(this, original as never, v);
  };
  defineProperty(proto, key, desc);
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
