/**
 * Where the bytes of a Blob, an ArrayBuffer, a ReadableStream or a Response came from, so that what a
 * page derives from a File carries that File's decision wherever it is sent: `new Blob([file])`,
 * `new File([file], 'other-name.txt')`, `file.slice()`, `file.arrayBuffer()`, chunks read out of
 * `file.stream()` or out of a blob: URL's response, and bytes copied out of those.
 *
 * A lineage names the Files (never derived themselves) whose bytes an object carries, each judged by
 * its own decision (marked, pending or clean: asked once, not read again), and holds everything else it
 * carries (strings, bytes of unknown origin) as one Blob judged by its bytes. Objects the page makes
 * from nothing known have no lineage and are judged as they are. Pure bookkeeping on captured
 * built-ins (no DOM), so it is unit-tested in Node.
 */
import { keepText } from './read-text.js';
import {
  append,
  isArrayBuffer,
  isBlob,
  isFile,
  isView,
  SafeBlob,
  SafeWeakMap,
  sequence,
  viewBuffer,
  weakMapGet,
  weakMapSet,
} from './safe-self.js';

export interface Lineage {
  /** The Files whose bytes it carries. */
  files: Blob[];
  /** What else it carries, as one Blob judged by its bytes; null when nothing else. */
  rest: Blob | null;
}

/** Blob, ArrayBuffer, ReadableStream, stream reader or Response → its lineage. */
const lineages: WeakMap<object, Lineage> = new SafeWeakMap();
/** Whether anything was ever linked: until then the copy hooks (TypedArray#set…) cost one test. */
export const tracking = { on: false };

/** Whether `v` is an object (or a function): only those carry a lineage, or hold Blobs. */
export const isObject = (v: unknown): v is object => v !== null && (typeof v === 'object' || typeof v === 'function');

/** The key an object's lineage is kept under: a view's bytes are its buffer's. */
function keyOf(v: object): object {
  return isView(v) ? viewBuffer(v) : v;
}

/** The recorded lineage of a Blob, bytes, a stream, a reader or a Response; undefined for none. */
export function lineageOf(v: unknown): Lineage | undefined {
  if (!isObject(v)) return undefined;
  try {
    return weakMapGet(lineages, keyOf(v));
  } catch {
    return undefined;
  }
}

/** What a Blob carries: its recorded lineage, or itself (a File, or bytes judged as they are). */
export function sourcesOf(b: Blob): Lineage {
  return inherited(b) ?? { files: [], rest: b };
}

/** The lineage something read from `v` inherits: undefined when `v` carries no File. */
export function inherited(v: unknown): Lineage | undefined {
  const l = lineageOf(v);
  if (l) return l;
  return isFile(v) ? { files: [v as Blob], rest: null } : undefined;
}

/**
 * Records that `target` (a Blob, bytes, a stream…) carries what `l` names; `fresh`: only that, whatever
 * it carried before (a FileReader or an XMLHttpRequest used again reads something else: a clean read
 * after a marked one must not carry the marked File's decision).
 */
export function link(target: unknown, l: Lineage | undefined, fresh?: boolean): void {
  if (!isObject(target)) return keepText(target, l); // a string read out of a File (read-text.ts)
  try {
    const key = keyOf(target);
    const had = fresh ? undefined : weakMapGet(lineages, key);
    // Copying chunk after chunk into one buffer links it again and again: it grows only with what is new.
    if (fresh || (l && (!had || !covers(had, l)))) weakMapSet(lineages, key, had && l ? merged([had, l]) : l);
    if (l && l.files.length) tracking.on = true;
  } catch {
    /* a value that cannot be a key carries nothing */
  }
}

function has(list: Blob[], b: Blob): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === b) return true;
  return false;
}

/** Whether `a` already names everything `b` does. */
function covers(a: Lineage, b: Lineage): boolean {
  if (b.rest && b.rest !== a.rest) return false;
  for (let i = 0; i < b.files.length; i++) if (!has(a.files, b.files[i])) return false;
  return true;
}

/** One lineage for several: the Files of all, the rest of all as one Blob. */
export function merged(ls: Lineage[]): Lineage {
  const files: Blob[] = [];
  const rest: Blob[] = [];
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    for (let j = 0; j < l.files.length; j++) if (!has(files, l.files[j])) append(files, l.files[j]);
    if (l.rest && !has(rest, l.rest)) append(rest, l.rest);
  }
  return { files, rest: !rest.length ? null : rest.length === 1 ? rest[0] : new SafeBlob(sequence(rest)) };
}

/**
 * The lineage of a Blob made of `parts` (the Blob and File constructors), or undefined when no part
 * carries a File: then the new Blob is judged by its own bytes, as before. Parts of no known origin
 * (strings, page-made bytes and Blobs) become the rest, in their order.
 */
export function derive(parts: readonly unknown[]): Lineage | undefined {
  const known: Lineage[] = [];
  const other: unknown[] = [];
  let files = false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const l = isView(p) ? lineageOf(p) : isBlob(p) ? sourcesOf(p) : isArrayBuffer(p) ? lineageOf(p) : undefined;
    if (l && l.files.length) {
      append(known, l);
      files = true;
    } else append(other, p);
  }
  if (!files) return undefined;
  if (other.length) append(known, { files: [], rest: new SafeBlob(sequence(other as BlobPart[])) });
  return merged(known);
}
