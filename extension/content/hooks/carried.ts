/**
 * The Files and Blobs a value carries when it is structured-cloned (postMessage, IndexedDB): found by
 * walking it the way the clone will, through captured built-ins. What the walk cannot vouch for — an
 * accessor (the clone would run it and could get a File), or a value too large to walk — is reported
 * as unknown, and the caller refuses it. Pure (no page state), so it is unit-tested in Node.
 */
import {
  isFileList,
  append,
  fileListItem,
  fileListLength,
  getOwnPropertyDescriptor,
  hasOwn,
  getPrototypeOf,
  isArray,
  isArrayBuffer,
  isBlob,
  isMap,
  isSet,
  isView,
  mapForEach,
  ObjectPrototype,
  ownKeys,
  SafeWeakSet,
  setForEach,
  weakSetAdd,
  weakSetHas,
} from './safe-self.js';
import { derive, isObject, lineageOf, link, tracking, type Lineage } from './lineage.js';

/** Objects walked in one value at most; far above any real message. */
const WALK_BUDGET = 100_000;

interface Walk {
  blobs: Blob[];
  left: number;
  seen: WeakSet<object>;
  /** Bytes as they are (a copy's own buffers), not the Files they were read out of. */
  raw?: boolean;
}

/** The Blobs in `v`, or null when the walk cannot tell; `raw`: its bytes too, as they are. */
export function blobsIn(v: unknown, raw?: boolean): Blob[] | null {
  const s: Walk = { blobs: [], left: WALK_BUDGET, seen: new SafeWeakSet<object>(), raw };
  return walk(v, s) ? s.blobs : null;
}

/**
 * A structured clone of `v` (`structuredClone`) is new Blobs and bytes, with no link to the File they
 * came from: what its copies carry is every File and Blob `v` carries (one lineage for the whole copy:
 * a clean file cloned beside a marked one carries both); undefined when `v` carries no File.
 */
export function cloned(v: unknown): Lineage | undefined {
  const blobs = tracking.on && blobsIn(v); // nothing derived yet: a copy judges as its source does
  return blobs ? derive(blobs) : undefined;
}

/** Links every Blob and byte of a copy to `l`. */
export function linkCopies(copy: unknown, l: Lineage | undefined): void {
  const all = l && blobsIn(copy, true);
  if (all) for (let i = 0; i < all.length; i++) link(all[i], l);
}

function walk(v: unknown, s: Walk): boolean {
  if (!isObject(v)) return true;
  const o = v;
  if (weakSetHas(s.seen, o)) return true;
  weakSetAdd(s.seen, o);
  if (--s.left < 0) return false;
  // Plain objects and arrays, nearly everything a message holds, skip the brand checks (each a throw).
  const proto = getPrototypeOf(o);
  if (!isArray(o) && proto !== ObjectPrototype && proto !== null) {
    const known = platformObject(o, s);
    if (known !== null) return known;
  }
  // Own properties, as the clone reads them (arrays, plain objects, instances of the page's classes).
  const keys = ownKeys(o);
  for (let i = 0; i < keys.length; i++) {
    const d = getOwnPropertyDescriptor(o, keys[i]);
    if (!d || !d.enumerable || typeof keys[i] === 'symbol') continue;
    if (!hasOwn(d, 'value')) return false; // an accessor: what it returns at clone time is unknown
    if (!walk(d.value, s)) return false;
  }
  return true;
}

/**
 * A Blob, bytes, a stream, a FileList, a Map or a Set (the clone takes their contents only); null for
 * anything else. Bytes and streams read out of a File carry that File (lineage.ts).
 */
/** Bytes (or a stream) read out of a File stand for that File and the rest they carry. */
function bytesOf(o: object, s: Walk): true {
  const l = lineageOf(o);
  if (s.raw) append(s.blobs, o as Blob);
  else if (l) {
    for (let i = 0; i < l.files.length; i++) append(s.blobs, l.files[i]);
    if (l.rest) append(s.blobs, l.rest);
  }
  return true;
}

function platformObject(o: object, s: Walk): boolean | null {
  if (isBlob(o)) {
    append(s.blobs, o); // its gate follows its lineage itself (and judges a derived File's own name)
    return true;
  }
  // Bytes, or a (transferred) stream read out of a File.
  if (isView(o) || isArrayBuffer(o) || lineageOf(o)) return bytesOf(o, s);
  if (isFileList(o)) {
    for (let i = 0, n = fileListLength(o as FileList); i < n; i++) append(s.blobs, fileListItem(o as FileList, i) as Blob);
    return true;
  }
  let ok = true;
  if (isMap(o)) mapForEach(o as Map<unknown, unknown>, (x, k) => (ok = walk(k, s) && walk(x, s) && ok));
  else if (isSet(o)) setForEach(o as Set<unknown>, (x) => (ok = walk(x, s) && ok));
  else return null;
  return ok;
}
