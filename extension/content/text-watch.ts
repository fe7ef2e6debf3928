/**
 * Channel: text typed into a field or editor (input, textarea, contenteditable, also inside shadow
 * roots), watched as it grows, not only when it is sent: an editor that sends each keystroke or small
 * operation on its own never carries the whole stamp in one request.
 *
 * - An insertion the browser lets us cancel (`beforeinput`: typing, replacing, dropping text) that would
 *   make the field's text marked, though it does not hold the whole stamp itself, is held before it lands: the warning shows at that keystroke, and the
 *   text is inserted only if the employee continues.
 * - A change we learn of only afterwards (IME composition, autofill) that leaves the field marked: the
 *   page's listeners do not see that `input`, and the page hooks hold back every request that could
 *   carry a piece of the text (hooks/typing.ts) until the employee answers, refusing them on a no, for
 *   as long as the field stays marked.
 * Clean typing costs one scan of the field's text per keystroke, which exits at once when the text has
 * no 秘 (and the company designated no keywords).
 */
import { aroundEdit, MarkedFields, predictInsert } from '../../src/guard/index.js';
import { decide, guard, isGuarded, textVerdict } from './gate.js';
import { tellHooks } from './hooks-line.js';
import { hold, isReplay, replay, targetOf } from './replay.js';

type Field = { el: HTMLElement; text: string };

/** Fields whose text is marked and not allowed (the hooks are holding requests back for them). */
const markedFields = new MarkedFields<HTMLElement>();
/** Each field's text when last seen unmarked: the next check scans only what changed around it. */
const lastClean = new WeakMap<HTMLElement, string>();
/**
 * Fields that received a whole stamp in one insertion (a paste, a drop, autofill): that text leaves in
 * one piece, where the request hooks and the paste/Enter/submit checks see it, so it is not this
 * module's (which is about stamps assembled from pieces). Left alone until the field is clean again.
 */
const wholeStamp = new WeakSet<HTMLElement>();
const TEXT_INPUTS = new Set(['text', 'search', 'email', 'url', 'tel', '']);

function fieldOf(t: EventTarget | null): Field | null {
  if (t instanceof HTMLTextAreaElement) return { el: t, text: t.value };
  if (t instanceof HTMLInputElement) return TEXT_INPUTS.has(t.type) ? { el: t, text: t.value } : null;
  if (t instanceof HTMLElement && t.isContentEditable) {
    // The editing host holds the whole message, not just the node with the caret.
    let host: HTMLElement = t;
    while (host.parentElement?.isContentEditable) host = host.parentElement;
    return { el: host, text: host.textContent ?? '' };
  }
  return null;
}

const isMarked = (text: string) => text !== '' && textVerdict(text).verdict === 'marked';

/** Designated keywords and patterns can be any length: with those the whole text is scanned. */
function stampOnly(): boolean {
  const d = guard.view()?.designated;
  return !d || (d.keywords.length === 0 && d.patterns.length === 0);
}

/**
 * Whether `next` is marked, knowing the field last held the unmarked `prev`: the stretch around the edit
 * first (cheap), the whole text only when that stretch is marked (and for approval).
 */
function becomesMarked(prev: string | undefined, next: string): boolean {
  if (prev !== undefined && stampOnly() && !isMarked(aroundEdit(prev, next))) return false;
  return isMarked(next);
}

/** The field's text once `data` replaces what the insertion covers. */
function afterInsert(f: Field, e: InputEvent, data: string): string {
  const el = f.el;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    return predictInsert(f.text, el.selectionStart ?? f.text.length, el.selectionEnd ?? f.text.length, data);
  }
  const r = e.getTargetRanges()[0];
  if (!r) return f.text + data; // unknown place: judge the text with the insertion anywhere
  const before = document.createRange();
  before.setStart(el, 0);
  before.setEnd(r.startContainer, r.startOffset);
  const after = document.createRange();
  after.setStart(r.endContainer, r.endOffset);
  after.setEnd(el, el.childNodes.length);
  return `${before.toString()}${data}${after.toString()}`;
}

function onBeforeInput(e: InputEvent): void {
  if (isReplay(e) || !e.cancelable || !e.inputType.startsWith('insert') || !isGuarded()) return;
  const data = e.data ?? e.dataTransfer?.getData('text/plain') ?? '';
  if (data === '') return;
  const f = fieldOf(targetOf(e));
  if (!f || wholeStamp.has(f.el) || isMarked(data)) return;
  const text = afterInsert(f, e, data);
  const known = lastClean.get(f.el) === f.text ? f.text : undefined;
  if (!becomesMarked(known, text)) return;
  hold(e);
  void decide('text-field', [{ kind: 'text', text }]).then((ok) => {
    if (!ok) return;
    // Allowed: that text is remembered as approved, so this insertion now passes the check.
    f.el.focus();
    document.execCommand('insertText', false, data);
  });
}

function onInput(e: Event): void {
  if (isReplay(e)) return;
  const f = fieldOf(targetOf(e));
  if (!f || !isGuarded()) return;
  if (!becomesMarked(lastClean.get(f.el), f.text)) {
    lastClean.set(f.el, f.text);
    wholeStamp.delete(f.el);
    if (markedFields.clear(f.el)) tellHooks({ t: 'typing', state: 'clear' });
    return;
  }
  lastClean.delete(f.el);
  const data = e instanceof InputEvent ? e.data : null;
  if (data !== null && isMarked(data)) wholeStamp.add(f.el);
  if (wholeStamp.has(f.el)) return;
  if (markedFields.has(f.el)) return; // already held back and explained
  if (markedFields.mark(f.el)) tellHooks({ t: 'typing', state: 'marked' });
  hold(e);
  const text = f.text;
  void decide('text-field', [{ kind: 'text', text }]).then((ok) => {
    if (!markedFields.has(f.el)) return; // removed meanwhile
    if (!ok) return tellHooks({ t: 'typing', state: 'refused' });
    if (markedFields.clear(f.el)) tellHooks({ t: 'typing', state: 'clear' });
    replay(f.el, new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText' }));
  });
}

/** The end of an IME composition that left a field marked: the page would send on it. */
function onCompositionEnd(e: CompositionEvent): void {
  const f = fieldOf(targetOf(e));
  if (f && markedFields.has(f.el) && !isReplay(e)) hold(e);
}

export function installTextWatch(): void {
  window.addEventListener('beforeinput', onBeforeInput as EventListener, true);
  window.addEventListener('input', onInput, true);
  window.addEventListener('compositionend', onCompositionEnd as EventListener, true);
}
