/**
 * What the guard remembers between decisions, so a file is judged once and the employee is asked once:
 * - answers per Blob object, and per name + size + mtime + type for the copy of a picked file that the
 *   page hooks send over (structured cloning makes a new object: a WeakMap cannot match it);
 * - answers still being made, so a second request for the same file waits instead of rescanning;
 * - text the employee chose to send after a warning (the request carrying it then passes), and text
 *   just refused (the page's retries and autosaves are refused quietly), each for a minute;
 * - files just refused, for the page's copies of them that wait for a warning of their own.
 */
const KEY_CACHE_MAX = 2000;
export const TEXT_MEMORY_MS = 60_000;
/** Refused texts kept whole: a prompt or a mail body, not a document. */
const REFUSED_TEXT_CHARS = 256 * 1024;
const REFUSED_TEXTS = 16;

/** A file by name, size and type: what its copies share (a copy the page makes gets a new object and a new mtime). */
export function copyOf(f: Blob, name: string): string {
  return [name, f.size, f.type].join('\u0000');
}

/** The same identity for one picked file on both sides of the page/guard line. */
export function fileKey(f: Blob, name: string): string | null {
  const lastModified = (f as Partial<File>).lastModified;
  return typeof lastModified === 'number' ? `${copyOf(f, name)}\u0000${lastModified}` : null;
}

export class AnswerCache {
  #byObject = new WeakMap<Blob, boolean>();
  #byKey = new Map<string, boolean>();
  #pendingByObject = new WeakMap<Blob, Promise<boolean>>();
  #pendingByKey = new Map<string, Promise<boolean>>();

  /** The settled answer for a file, without waiting; undefined while it still has to be judged. */
  known(blob: Blob, name: string): boolean | undefined {
    const hit = this.#byObject.get(blob);
    if (hit !== undefined) return hit;
    const key = fileKey(blob, name);
    return key ? this.#byKey.get(key) : undefined;
  }

  pending(blob: Blob, name: string): Promise<boolean> | undefined {
    const key = fileKey(blob, name);
    return this.#pendingByObject.get(blob) ?? (key ? this.#pendingByKey.get(key) : undefined);
  }

  /** The answers about files being made now (page-made bytes have no key: not among them). */
  underWay(): Promise<boolean>[] {
    return [...this.#pendingByKey.values()];
  }

  /** Registers an answer being made; it is remembered once settled, unless it says not to (`keep: false`). */
  track(blob: Blob, name: string, answer: Promise<{ ok: boolean; keep: boolean }>): void {
    const key = fileKey(blob, name);
    const ok = answer.then((a) => a.ok);
    this.#pendingByObject.set(blob, ok);
    if (key) this.#pendingByKey.set(key, ok);
    void answer.then(({ ok: yes, keep }) => {
      this.#pendingByObject.delete(blob);
      if (key) this.#pendingByKey.delete(key);
      if (!keep) return;
      this.#byObject.set(blob, yes);
      if (!key) return;
      if (this.#byKey.size >= KEY_CACHE_MAX) this.#byKey.delete(this.#byKey.keys().next().value as string);
      this.#byKey.set(key, yes);
    });
  }

  /** A new policy can turn yesterday's yes into a no: settled answers are dropped. */
  clear(): void {
    this.#byKey.clear();
    this.#byObject = new WeakMap();
  }
}

/**
 * Files the employee refused to send a moment ago, by name, size and type (not by
 * object, nor by mtime: the page's copy that carries them again is a new object, and a multipart body
 * parsed anew gets a new mtime). Only a question whose item is judged marked or unscannable again is
 * answered from here: a clean file of the same name and size still goes.
 */
export class RefusedFiles {
  #until = new Map<string, number>();

  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  refuse(blob: Blob, name: string): void {
    if (this.#until.size >= KEY_CACHE_MAX) this.#until.delete(this.#until.keys().next().value as string);
    this.#until.set(copyOf(blob, name), this.#now() + TEXT_MEMORY_MS);
  }

  has(blob: Blob, name: string): boolean {
    return (this.#until.get(copyOf(blob, name)) ?? 0) >= this.#now();
  }

  clear(): void {
    this.#until.clear();
  }
}

/**
 * The form in which texts are compared: what the employee typed and what the page then sends differ in
 * escaping and line breaks (a JSON body writes a line break as `\n`, an editor's innerText doubles
 * paragraph breaks), so escapes are undone loosely and all whitespace is dropped. A multi-line prompt
 * approved in the dialog is then known in the request body that carries it.
 */
export function comparable(s: string): string {
  return s
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\[nrtbf]/g, ' ')
    .replace(/\\(["\\/])/g, '$1')
    .replace(/\s+/g, '');
}

/** Whether a key of `memory` not yet expired (and not empty) passes `test`; expired keys are dropped on the way. */
function anyLive(memory: Map<string, number>, now: number, test: (key: string) => boolean): boolean {
  for (const [key, until] of memory) {
    if (until < now) memory.delete(key);
    else if (key && test(key)) return true;
  }
  return false;
}

/** Stands for an approved stretch: not whitespace, so no stamp reaches across it. */
const BREAK = '\u0001';

export class TextMemory {
  #approved = new Map<string, number>();
  #refused = new Map<string, number>();
  #refusedWhole = new Map<string, number>();
  #pending = new Map<string, Promise<boolean>>();

  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  approve(text: string): void {
    this.#approved.set(comparable(text), this.#now() + TEXT_MEMORY_MS);
  }

  /** Keyed by what matched (the verdict's excerpt), so the same draft inside a JSON body or with a word more is known. */
  refuse(match: string): void {
    this.#refused.set(comparable(match), this.#now() + TEXT_MEMORY_MS);
  }

  /**
   * The whole text refused (up to REFUSED_TEXT_CHARS, the last REFUSED_TEXTS of them): a part of it the
   * page sends on its own (the prompt out of the JSON that held it) is known as refused too.
   */
  refuseWhole(text: string): void {
    const c = comparable(text);
    if (c.length > REFUSED_TEXT_CHARS) return;
    if (this.#refusedWhole.size >= REFUSED_TEXTS) this.#refusedWhole.delete(this.#refusedWhole.keys().next().value as string);
    this.#refusedWhole.set(c, this.#now() + TEXT_MEMORY_MS);
  }

  /** True when this text (a stamped line, a prompt) lies within a text refused a moment ago. */
  isWithinRefused(text: string): boolean {
    const c = comparable(text);
    return c !== '' && anyLive(this.#refusedWhole, this.#now(), (whole) => whole.includes(c));
  }

  /**
   * What this text holds besides the text the employee sent after a warning a moment ago (in the
   * comparable form, each approved stretch replaced by a break no stamp spans); null when it holds none.
   * An approval covers what was approved, not a new stamp typed or pasted beside it.
   */
  beyondApproved(text: string): string | null {
    const now = this.#now();
    let c = comparable(text);
    let found = false;
    for (const [approved, until] of this.#approved) {
      if (until < now) this.#approved.delete(approved);
      else if (approved && c.includes(approved)) {
        c = c.split(approved).join(BREAK);
        found = true;
      }
    }
    return found ? c : null;
  }

  /** True when this text contains what matched in text refused a moment ago. */
  isRefused(text: string): boolean {
    const c = comparable(text);
    return anyLive(this.#refused, this.#now(), (match) => c.includes(match));
  }

  /** A decision being made about this text (the dialog may be open): asked again, it waits for that one. */
  track(text: string, answer: Promise<boolean>): void {
    const key = comparable(text);
    this.#pending.set(key, answer);
    const done = () => this.#pending.get(key) === answer && this.#pending.delete(key);
    answer.then(done, done);
  }

  /** The answer being made about text this text contains, if any. */
  pendingFor(text: string): Promise<boolean> | undefined {
    if (this.#pending.size === 0) return undefined;
    const c = comparable(text);
    for (const [key, answer] of this.#pending) if (key && c.includes(key)) return answer;
    return undefined;
  }

  clear(): void {
    this.#approved.clear();
    this.#refused.clear();
    this.#refusedWhole.clear();
  }
}
