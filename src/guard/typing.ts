/**
 * Watching a field as it is typed into, cheaply: a keystroke changes a few characters, so a stamp it
 * completes lies next to them. Only that stretch is scanned; the whole text only when it says marked.
 */
import { normalize } from '../detect/normalize.js';

/** What a text field will hold once an insertion lands: `data` in place of the selection [start, end). */
export function predictInsert(value: string, start: number, end: number, data: string): string {
  const a = Math.max(0, Math.min(start, value.length));
  const b = Math.max(a, Math.min(end, value.length));
  return value.slice(0, a) + data + value.slice(b);
}

/** What a stamp may hold between its letters: spaces, line breaks, emphasis marks, and what normalisation drops. */
const MARKS = /[\s*_~`]/;
/** Whether the code unit at `i` is filler. The text is walked by code unit: a pair's second half goes with its first. */
function filler(s: string, i: number): boolean {
  const c = s.codePointAt(i) ?? 0;
  return c >> 10 === 0x37 ? i > 0 && filler(s, i - 1) : MARKS.test(s[i]) || normalize(String.fromCodePoint(c)) === '';
}
/**
 * Code units of a stamp besides filler: 秘 and 12 letters, each at most 2 units (a mathematical letter
 * outside the BMP normalises to one ASCII letter), with room to spare.
 */
const REACH = 32;

/** [start, end) of what `next` has in place of `prev`'s characters (common head and tail left out). */
export function changedSpan(prev: string, next: string): [number, number] {
  const max = Math.min(prev.length, next.length);
  // Whole blocks first (a native comparison), then character by character.
  let a = 0;
  while (a + BLOCK <= max && prev.slice(a, a + BLOCK) === next.slice(a, a + BLOCK)) a += BLOCK;
  while (a < max && prev.charCodeAt(a) === next.charCodeAt(a)) a++;
  let b = 0;
  const tail = (s: string, from: number) => s.slice(s.length - from - BLOCK, s.length - from);
  while (b + BLOCK <= max - a && tail(prev, b) === tail(next, b)) b += BLOCK;
  while (b < max - a && prev.charCodeAt(prev.length - 1 - b) === next.charCodeAt(next.length - 1 - b)) b++;
  return [a, next.length - b];
}
const BLOCK = 1024;

/**
 * The part of `next` in which any stamp that `prev` did not hold must lie: the change, REACH code units
 * of non-filler on each side, and any filler run in between. Valid for the stamp rule only; designated
 * keywords and patterns can be longer, so callers with those scan the whole text.
 */
export function aroundEdit(prev: string, next: string): string {
  const [start, end] = changedSpan(prev, next);
  // One filler() per position (it normalises the character): past REACH, only filler goes on.
  let a = start;
  for (let n = 0, f; a > 0 && ((f = filler(next, a - 1)) || n < REACH); a--) if (!f) n++;
  let b = end;
  for (let n = 0, f; b < next.length && ((f = filler(next, b)) || n < REACH); b++) if (!f) n++;
  return next.slice(a, b);
}

/**
 * The fields of a page that hold marked text the employee has not allowed. While any does, the page's
 * requests are held back (an editor sending keystroke by keystroke would otherwise deliver the stamp
 * in pieces); `changed` says when that starts ('hold') and ends ('release').
 */
export class MarkedFields<K> {
  readonly #held = new Set<K>();

  has(field: K): boolean {
    return this.#held.has(field);
  }

  /** Some field is marked (requests are being held for it). */
  holding(): boolean {
    return this.#held.size > 0;
  }

  /** Runs `f` on each marked field (it may clear the field it is given). */
  each(f: (field: K) => void): void {
    for (const k of this.#held) f(k);
  }

  /** The field's text became marked: 'hold' when it is the first such field. */
  mark(field: K): 'hold' | null {
    if (this.#held.has(field)) return null;
    this.#held.add(field);
    return this.#held.size === 1 ? 'hold' : null;
  }

  /** The field is clean again, or its text was allowed: 'release' when no marked field is left. */
  clear(field: K): 'release' | null {
    return this.#held.delete(field) && this.#held.size === 0 ? 'release' : null;
  }
}

/** Characters of typing a KeyStream keeps: a stamp is 13 letters; designated keywords are short phrases. */
export const STREAM_CAP = 256;

/**
 * The last characters the employee typed into one place, in the order typed. Editors that keep their own
 * model (canvas editors, a hidden textarea the page empties after each key, keydown handlers that call
 * preventDefault and draw the text themselves) never hold the typed text in any field the guard can
 * read; what the employee typed is still a text, and a stamp typed there is still typed.
 */
export class KeyStream {
  #text = '';

  get value(): string {
    return this.#text;
  }

  /** The stream once `data` is typed. */
  after(data: string): string {
    const next = this.#text + data;
    return next.length > STREAM_CAP ? next.slice(next.length - STREAM_CAP) : next;
  }

  push(data: string): void {
    this.#text = this.after(data);
  }

  /** Backspace: the last character typed is gone (a surrogate pair as one). */
  erase(): void {
    const cut = /[\uDC00-\uDFFF]$/.test(this.#text) ? 2 : 1;
    this.#text = this.#text.slice(0, Math.max(0, this.#text.length - cut));
  }
}

/** The character a key types, '' for a key that types none (shortcuts, arrows, IME processing). */
export function typedBy(key: string, mods: { ctrlKey: boolean; metaKey: boolean }): string {
  if (mods.ctrlKey || mods.metaKey) return '';
  if (key === 'Enter') return '\n';
  return Array.from(key).length === 1 ? key : '';
}
