/**
 * Channel: <input type=file> (and webkitdirectory folder pickers), wherever the input lives: the
 * document, an open shadow root (its `input` event is composed, so the window sees it), a closed one
 * (closed-roots.ts), a same-origin iframe (this script runs there too), or nowhere at all (created on
 * the fly and never attached: the page hooks hand such an input over once, with ADOPT_EVENT, when the
 * page clicks it).
 *
 * The browser fires `input` then `change` in the same task. Both are held at the capture phase and the
 * input is emptied while its files are judged (names at once, contents by a scan), so no page code can
 * read them before the verdict; the files allowed are put back and get flagged copies of both events,
 * so the site runs exactly as without the guard. When the employee chooses to attach only the files
 * that passed, the input holds exactly those when the page's handlers run.
 */
import { ADOPT_EVENT } from './bridge.js';
import { followIntoClosedRoot } from './closed-roots.js';
import { signalHooks } from './drop.js';
import { allowedBefore, isGuarded, judges, select } from './gate.js';
import { capture, firstSight, hold, isReplay, replayChosen, stop, targetOf } from './replay.js';

/** Inputs whose `input` event is held: their `change` must be held too, and replayed with it. */
const held = new WeakMap<HTMLInputElement, File[]>();
/** Settles when an input's held selection is decided: true when files were given back to it. */
const settling = new WeakMap<HTMLInputElement, Promise<boolean>>();

/**
 * Whether a form submitted now would miss files still being judged (its inputs are empty meanwhile):
 * the submit waits for this, and goes ahead only if every held input got files back.
 */
export function filesSettled(form: HTMLFormElement): Promise<boolean> | null {
  const waits: Promise<boolean>[] = [];
  for (const el of Array.from(form.elements)) {
    const p = el instanceof HTMLInputElement ? settling.get(el) : undefined;
    if (p) waits.push(p);
  }
  return waits.length === 0 ? null : Promise.all(waits).then((given) => given.every(Boolean));
}
const watched = new WeakSet<HTMLInputElement>();

/** `t` when it is a file input. */
export function fileInput(t: EventTarget | null | undefined): HTMLInputElement | null {
  return t instanceof HTMLInputElement && t.type === 'file' ? t : null;
}

function watch(el: HTMLInputElement): void {
  if (watched.has(el)) return;
  watched.add(el);
  // Capture listeners at the target run before the page's bubble listeners on it.
  capture(el, 'input', onInput);
  capture(el, 'change', onChange);
}

function onInput(e: Event): void {
  // From a closed root the parser made: judged by the listener this adds on the root, next in the path.
  if (isGuarded() && followIntoClosedRoot(targetOf(e), FOLLOW)) return;
  const el = fileInput(targetOf(e));
  if (!el || !judges(e)) return;
  // The non-composed `change` from a shadow root never reaches the window: listen on the element.
  watch(el);
  const files = Array.from(el.files ?? []);
  if (files.length === 0) return; // selection cleared
  if (allowedBefore(files)) return; // judged before (same file again)
  hold(e);
  held.set(el, files);
  // Nothing chosen is readable while it is judged (a page polling input.files, FormData(form)): the
  // input is emptied now and given its files back only once they are allowed.
  el.value = '';
  const channel = el.webkitdirectory ? 'folder-input' : 'file-input';
  const items = files.map((f) => ({ kind: 'file' as const, blob: f, name: f.webkitRelativePath || f.name }));
  const settled = select(channel, items).then((going) => {
    if (held.get(el) !== files) return false; // a newer selection took over
    held.delete(el);
    settling.delete(el);
    if (going.length === 0) return false; // the input stays empty
    giveBack(el, going);
    replayChosen(el);
    return true;
  });
  settling.set(el, settled);
}

/** The same File objects (their relative paths too), put back without raising an event. */
function giveBack(el: HTMLInputElement, going: { blob: Blob }[]): void {
  const dt = new DataTransfer();
  for (const item of going) dt.items.add(item.blob as File);
  el.files = dt.files;
  // The page hooks learn that these passed (a synchronous XMLHttpRequest cannot wait to ask): the drop
  // signal, cancelable (drop.ts).
  signalHooks(dt, true);
}

function onChange(e: Event): void {
  const el = fileInput(targetOf(e));
  if (!el || isReplay(e) || !firstSight(e)) return;
  // A guard that stood aside for its successor holds nothing, though a selection it held is still
  // undecided (its answer went with its extension): else the new guard's `change` stopped here.
  if (held.has(el) && isGuarded()) hold(e);
}

/** What a closed root gets when it is followed (closed-roots.ts). */
const FOLLOW: [string, (e: Event) => void][] = [
  ['input', onInput],
  ['change', onChange],
];

export function installFileInput(): void {
  capture(window, 'input', onInput);
  capture(window, 'change', onChange);
  capture(
    window,
    ADOPT_EVENT,
    (e) => {
      const el = fileInput(targetOf(e));
      stop(e);
      if (el) watch(el);
    },
  );
}
