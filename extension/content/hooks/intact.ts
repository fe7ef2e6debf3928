/**
 * Whether the built-ins the text scanner (src/detect) relies on are still the ones this realm started
 * with. The scanner is shared, ordinary code (`s.includes`, regex literals, `Array.prototype.map`,
 * `new Set`…), so it cannot use captured functions; instead the hooks trust its answer only while
 * nothing it could reach has been replaced. When something has, the hooks stop judging text here and
 * hand the (decoded) text to the guard, whose ISOLATED world the page cannot touch.
 *
 * Checked only for a text body that could hold a marking at all (quick.ts passes the others at once):
 * a snapshot of own property keys and values of the prototypes and namespaces below, a few hundred
 * descriptor reads (about 0.1–0.4 ms), which no per-request budget could pay on every body.
 */
import { getOwnPropertyDescriptor, getPrototypeOf, hasOwn, ITERATOR, ownKeys, protoOf } from './safe-self.js';

/** Global names the scanner's code looks up at run time (`new Set`, `Math.max`, `new RegExp` …). */
const GLOBALS = 'Object Array String RegExp Math JSON Map Set WeakMap Symbol Number Reflect decodeURIComponent parseInt atob Uint8Array TextDecoder'.split(' ');

interface Snapshot {
  target: object;
  keys: PropertyKey[];
  /** Each key's value or getter, then its setter. */
  seenAs: unknown[];
}

function watchedObjects(): object[] {
  const g = globalThis as unknown as Record<string, object>;
  const arrayIterator = getPrototypeOf([][ITERATOR]());
  return [
    // Object.prototype first (see below); then the other prototypes.
    ...'Object Function Array String RegExp Map Set WeakMap Number TextDecoder'.split(' ').map((name) => protoOf(name)),
    g,
    Object,
    Array,
    arrayIterator,
    getPrototypeOf(arrayIterator), // %IteratorPrototype%
    String,
    getPrototypeOf(''[ITERATOR]()),
    RegExp,
    getPrototypeOf(/x/[Symbol.matchAll]('')),
    getPrototypeOf(new Map().entries()),
    getPrototypeOf(new Set().values()),
    Math,
    JSON,
    Reflect,
    // url-text.ts decodes base64 for a constructor's URL: atob, Uint8Array.from (%TypedArray%'s), TextDecoder#decode.
    getPrototypeOf(Uint8Array),
  ];
}

// A descriptor's own fields only: `d.get` on a data descriptor would read Object.prototype, which the
// page may have given a getter. (No destructuring either: that runs the array iterator.)
const dataOf = (d: PropertyDescriptor | undefined): unknown => (d && hasOwn(d, 'value') ? d.value : d?.get);
const setterOf = (d: PropertyDescriptor | undefined): unknown => (d && hasOwn(d, 'set') ? d.set : undefined);

function take(target: object, only?: string[]): Snapshot {
  const keys = only ?? ownKeys(target);
  const seenAs: unknown[] = [];
  for (const key of keys) {
    const d = getOwnPropertyDescriptor(target, key);
    seenAs.push(dataOf(d), setterOf(d));
  }
  return { target, keys, seenAs };
}

// Taken at install time, while the realm is still the browser's. Object.prototype first: a getter
// added there could otherwise answer the checks' own reads.
const snapshots: Snapshot[] = watchedObjects().map((o) => take(o, o === globalThis ? GLOBALS : undefined));

function unchanged(s: Snapshot): boolean {
  // A new own key matters too (an Object.prototype getter answers every read of an absent property),
  // except on the global object, where pages define their own names all the time.
  if (s.target !== globalThis && ownKeys(s.target).length !== s.keys.length) return false;
  for (let i = 0; i < s.keys.length; i++) {
    const d = getOwnPropertyDescriptor(s.target, s.keys[i]);
    if (dataOf(d) !== s.seenAs[2 * i] || setterOf(d) !== s.seenAs[2 * i + 1]) return false;
  }
  return true;
}

/** True while every watched built-in is the one captured at install. */
export function intact(): boolean {
  for (let i = 0; i < snapshots.length; i++) if (!unchanged(snapshots[i])) return false;
  return true;
}
