/**
 * Channel: text typed into a field or editor (input, textarea, contenteditable, also inside shadow
 * roots, and editors with their own model), watched as it grows, not only when it is sent: an editor
 * that sends each keystroke or small operation on its own never carries the whole stamp in one request.
 *
 * - A key that would complete a stamp (`keydown`, before the page's own handlers) is held: the warning
 *   shows at that keystroke, and the page gets the key only if the employee continues. Judged on the
 *   field's text, and on what was typed there (KeyStream) for editors whose text no field holds: a
 *   canvas taking keys on keydown, a hidden textarea the page empties after each key.
 * - An insertion without a key of its own that the browser lets us cancel (`beforeinput`: IME commits,
 *   replacing, dropping text), judged the same way.
 * - A change we learn of only afterwards (an uncancellable composition, autofill, text the page writes
 *   into an editing host itself, seen by a MutationObserver) that leaves the field marked: the page's
 *   listeners do not see that `input`, and the page hooks hold back every request that could carry a
 *   piece of the text (hooks/typing.ts) until the employee answers, refusing them on a no, for as long
 *   as the field stays marked.
 * A whole stamp arriving in one piece (a paste, a filled-in prompt) is not asked about here: it leaves in
 * one piece, where the paste, Enter, submit and request checks ask once, for every way it leaves.
 * Clean typing costs a scan of the stretch around the edit per keystroke (`npm run bench -- typing`).
 */
import { aroundEdit, changedSpan, KeyStream, MarkedFields, predictInsert, typedBy } from '../../src/guard/index.js';
import { decideText, guard, isGuarded, textVerdict } from './gate.js';
import { tellHooks } from './hooks-line.js';
import { capture, editingHost, hold, isReplay, keyLike, replay, targetOf, toDialog } from './replay.js';
import { orphaned } from './runtime.js';
import { LOOK_SIGNAL } from './signals.js';

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
  // Its text is the context's, as a textarea's is its value (typed, or committed by an IME, which raises
  // no beforeinput or input on the element: only the context's own textupdate, after the fact).
  const ec = (t as { editContext?: { text: string } } | null)?.editContext;
  if (ec) return { el: t as HTMLElement, text: ec.text };
  const host = editingHost(t);
  return host ? { el: host, text: host.textContent ?? '' } : null;
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

/** The field's text once `data` replaces what the insertion covers (`r`: where, in an editor). */
function afterInsert(f: Field, r: StaticRange | Range | undefined, data: string): string {
  const el = f.el;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    return predictInsert(f.text, el.selectionStart ?? f.text.length, el.selectionEnd ?? f.text.length, data);
  }
  if (!r || !el.contains(r.startContainer) || !el.contains(r.endContainer)) return f.text + data; // unknown place: judge the text with the insertion anywhere
  const before = document.createRange();
  before.setStart(el, 0);
  before.setEnd(r.startContainer, r.startOffset);
  const after = document.createRange();
  after.setStart(r.endContainer, r.endOffset);
  after.setEnd(el, el.childNodes.length);
  return `${before.toString()}${data}${after.toString()}`;
}

/** What the employee typed into each place, for editors whose text no field holds (see KeyStream). */
const streams = new WeakMap<EventTarget, KeyStream>();
function streamOf(t: EventTarget): KeyStream {
  let s = streams.get(t);
  if (!s) streams.set(t, (s = new KeyStream()));
  return s;
}
/** The character the last keydown typed, until its `input` arrives (it is in the stream already). */
let keyInFlight: string | null = null;

/**
 * The text to ask about when `data` lands at `t`, or null when it completes no stamp: the field's text
 * (what a request that carries the field will hold), else what was typed there (an editor with its
 * own model). The whole stamp arriving in one piece is not this module's (see wholeStamp).
 */
function completes(t: EventTarget, data: string, where: StaticRange | Range | undefined): string | null {
  if (isMarked(data)) {
    const f = fieldOf(t);
    if (f) wholeStamp.add(f.el);
    return null;
  }
  const f = fieldOf(t);
  if (f && !wholeStamp.has(f.el)) {
    const text = afterInsert(f, where, data);
    if (becomesMarked(lastClean.get(f.el) === f.text ? f.text : undefined, text)) return text;
  }
  // Never marked at rest (a decided stamp leaves it, see settled), so the edit is what matters.
  const s = streamOf(t);
  const next = s.after(data);
  return becomesMarked(s.value, next) ? next : null;
}

function onBeforeInput(e: InputEvent): void {
  if (isReplay(e) || forDialog(e) || !e.cancelable || !e.inputType.startsWith('insert') || !isGuarded()) return;
  const data = e.data ?? e.dataTransfer?.getData('text/plain') ?? '';
  const t = targetOf(e);
  // The keydown that typed it judged it already (field and stream).
  if (data === '' || data === keyInFlight || !t) return;
  const text = completes(t, data, e.getTargetRanges()[0]);
  if (text === null) return;
  hold(e);
  typingUntil = performance.now() + BURST_MS;
  void decideText(text).then((ok) => {
    settled(t);
    // Allowed: that text is remembered as approved, so this insertion now passes the check.
    if (ok) insert(t, data);
  });
}

/** A stamp typed at `t` was decided: typing there starts afresh (a new stamp is asked about again). */
function settled(t: EventTarget): void {
  streams.delete(t);
}

function insert(t: EventTarget, data: string): void {
  if (t instanceof HTMLElement) t.focus();
  keyInFlight = data; // judged already: its beforeinput is let through
  document.execCommand('insertText', false, data);
  keyInFlight = null;
}

/**
 * A key that types a character, seen before the page's own keydown handlers: editors that take keys
 * on keydown (preventDefault, their own model, a canvas) send the keystroke from there, and no
 * `beforeinput` follows. A key that would complete a stamp is held here, for every kind of editor.
 */
function onKeyDown(e: KeyboardEvent): void {
  if (isReplay(e) || forDialog(e) || e.isComposing || !isGuarded()) return;
  const t = targetOf(e);
  if (!t) return;
  watchHost(t);
  if (e.key === 'Backspace') return streamOf(t).erase();
  const ch = typedBy(e.key, e);
  keyInFlight = null;
  if (ch === '') return;
  const sel = t instanceof HTMLElement && t.isContentEditable ? document.getSelection() : null;
  const text = completes(t, ch, sel && sel.rangeCount > 0 ? sel.getRangeAt(0) : undefined);
  if (text === null) {
    streamOf(t).push(ch);
    keyInFlight = ch;
    return;
  }
  hold(e);
  typingUntil = performance.now() + BURST_MS;
  const again = keyLike(e);
  void decideText(text).then((ok) => {
    settled(t);
    if (!ok) return;
    // The page's own handler first, as the key would have reached it; the browser's insertion only if
    // the page leaves it to the browser (a synthetic key inserts nothing by itself).
    const left = replay(t, again);
    if (left && fieldOf(t)) insert(t, ch);
  });
}

/**
 * Keys still in flight when the warning opens (the employee was typing) belong to neither the page nor
 * the dialog: a space or Enter would press its button before it was read. Escape still closes it.
 */
const BURST_MS = 400;
let typingUntil = 0;
function inFlightToDialog(e: KeyboardEvent | InputEvent, t: EventTarget): boolean {
  const now = performance.now();
  if (now > typingUntil || !isDialog(t)) return false;
  if (e instanceof KeyboardEvent && e.key === 'Escape') return false;
  typingUntil = now + BURST_MS;
  hold(e);
  return true;
}
/** ui/warning/show.ts's HOST_TAG (not imported: the dialog's code loads only when needed). */
const WARNING_TAG = 'upload-guard-warning';
/** The warning itself: what the employee types there (a reason) is theirs, never watched. */
const isDialog = (t: EventTarget) => t instanceof HTMLElement && t.localName === WARNING_TAG;

/** Text that landed without a key of its own (IME, autocorrect, a drop, autofill) is typing too. */
function feedStream(e: Event): void {
  const t = targetOf(e);
  if (!t || isDialog(t) || !(e instanceof InputEvent) || e.isComposing || !e.inputType.startsWith('insert')) return;
  const data = e.data ?? '';
  if (data === keyInFlight) keyInFlight = null;
  else if (isMarked(data)) settled(t); // a whole stamp in one piece: asked about where it leaves
  else if (data !== '') {
    const s = streamOf(t);
    s.push(data);
    // Landed marked without a key: the field check (changed) or the page's writes (written) judge
    // that text; left in the stream it would make every later insertion look like a new stamp.
    if (isMarked(s.value)) settled(t);
  }
}

function onInput(e: Event): void {
  if (isReplay(e) || toDialog(e)) return;
  feedStream(e);
  const f = fieldOf(targetOf(e));
  if (!f || !isGuarded()) return;
  const data = e instanceof InputEvent ? e.data : null;
  const asked = changed(f, data !== null && isMarked(data));
  if (!asked) return;
  hold(e);
  void asked.then((ok) => ok && replay(f.el, new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText' })));
}

/** What the fields' state means for the page's requests, told to the hooks (hooks/typing.ts). */
const tellTyping = (state: 'marked' | 'refused' | 'clear') => tellHooks({ t: 'typing', state });

/**
 * A field's text changed, and we learn of it only afterwards: remembered when clean; when it became
 * marked from pieces, the page hooks hold back every request that could carry a piece of it and the
 * employee is asked. The decision being made, or null when there is nothing to ask.
 */
function changed(f: Field, whole: boolean): Promise<boolean> | null {
  if (!becomesMarked(lastClean.get(f.el), f.text)) {
    lastClean.set(f.el, f.text);
    wholeStamp.delete(f.el);
    // Clean again while it was marked (deleted, or emptied by a script), whether or not the employee has
    // answered: what the page sent meanwhile carried pieces of a text never allowed, and is refused (it
    // was sent before: red team web8, a stamp whose editor was emptied while its warning was opening
    // arrived whole); what the page sends from now on goes.
    if (markedFields.clear(f.el)) {
      tellTyping('refused');
      tellTyping('clear');
    }
    return null;
  }
  lastClean.delete(f.el);
  if (whole) wholeStamp.add(f.el);
  if (wholeStamp.has(f.el) || markedFields.has(f.el)) return null; // leaves whole, or already asked
  // While fields stay marked, the hooks hold requests and ask no more: a script that empties one raises
  // no event either, so they are looked at again until none is (lookAgain).
  if (markedFields.mark(f.el)) {
    tellTyping('marked');
    const id = setInterval(() => (markedFields.holding() ? lookAgain() : clearInterval(id)), 500);
  }
  return decideText(f.text).then((ok) => {
    if (!markedFields.has(f.el)) return false; // removed meanwhile
    if (!ok) return (tellTyping('refused'), false);
    if (markedFields.clear(f.el)) tellTyping('clear');
    return true;
  });
}

/**
 * Editors that write the text into the DOM themselves (innerHTML, textContent, their own model drawn as
 * nodes) raise no input event: their editing hosts are watched for changes from the moment they are
 * used. What they held then is the baseline (a document that already carries the stamp is not being typed).
 */
const observer = new MutationObserver(onWritten);
const observed = new WeakSet<Node>();
/** Whether lookNow listens yet (installed with the first field or editor focused or typed in). */
let looking = false;

function onWritten(records: MutationRecord[]): void {
  const hosts = new Set<HTMLElement>();
  for (const r of records) {
    const host = editingHost(r.target instanceof Element ? r.target : r.target.parentElement);
    if (host) hosts.add(host);
  }
  for (const el of hosts) written({ el, text: el.textContent ?? '' });
}

/**
 * The observer's records arrive after the task that wrote them, and a page may write a piece and send
 * it in the same task. So the page hooks ask us to look before each request that could carry a piece
 * (hooks/typing.ts), by dispatching LOOK_SIGNAL on `document`; cancelled when a field is marked, and
 * the hooks hold the request.
 */
function lookNow(e: Event): void {
  // An updated extension's guard owns the hooks now: this one only goes on holding what it held.
  if (!orphaned()) {
    const records = observer.takeRecords();
    if (records.length > 0) onWritten(records);
    // A script's `.value = …` raises nothing at all: the field in use is compared with what it held.
    const f = fieldOf(valueField);
    if (f && lastClean.has(f.el)) written(f);
    // A field marked before, and emptied since (the employee deleted a refused stamp, then typed on, in
    // it or in another editor): the request goes now, not at the next half-second look.
    lookAgain();
  }
  // Stood aside: the new guard decides (guard.ts retire() refused what this one held).
  if (markedFields.holding() && isGuarded()) e.preventDefault();
}

/** Whether the page hooks hold requests back for a field marked here (guard.ts retire()). */
export const typingHeld = (): boolean => markedFields.holding();

/** Each marked field looked at again: one that is clean now (or allowed) holds nothing back any more. */
function lookAgain(): void {
  markedFields.each((el) => {
    const f = fieldOf(el);
    if (f) written(f);
  });
}

/** The input, textarea or EditContext editor last used: a script or an IME writes into the field the employee works in (a virtual keyboard, dictation). */
let valueField: HTMLElement | null = null;

function watchHost(t: EventTarget | null): void {
  const f = fieldOf(t);
  if (!f) return;
  // An input, a textarea or an EditContext editor (fieldOf: any field but an editing host), whose text
  // changes with no DOM change the observer sees: a script's `.value = …`, an IME commit into a context.
  const value = editingHost(f.el) !== f.el;
  if (value) valueField = f.el;
  if (observed.has(f.el)) return;
  if (!looking) {
    looking = true;
    // (Dispatched on the document, not bubbling: the window sees it first, in its capture phase.)
    capture(window, LOOK_SIGNAL, lookNow);
    tellHooks({ t: 'typing', state: 'watch', name: LOOK_SIGNAL });
  }
  observed.add(f.el);
  // A field marked at rest keeps its rules (asked at the next key); an editor that holds a document
  // with the stamp already is not being typed (wholeStamp).
  if (!isMarked(f.text)) lastClean.set(f.el, f.text);
  else if (!value) wholeStamp.add(f.el);
  if (!value) observer.observe(f.el, { childList: true, characterData: true, subtree: true });
}

function written(f: Field): void {
  const prev = lastClean.get(f.el);
  if (prev === f.text || !isGuarded()) return; // an input event told us already
  const [a, b] = prev === undefined ? [0, 0] : changedSpan(prev, f.text);
  void changed(f, isMarked(f.text.slice(a, b)));
}

/** The end of an IME composition that left a field marked: the page would send on it. */
function onCompositionEnd(e: CompositionEvent): void {
  if (toDialog(e)) return;
  const f = fieldOf(targetOf(e));
  if (f && markedFields.has(f.el) && !isReplay(e) && isGuarded()) hold(e);
}

export function installTextWatch(): void {
  capture(window, 'keydown', onKeyDown);
  capture(window, 'focusin', (e) => isGuarded() && watchHost(targetOf(e)));
  capture(window, 'beforeinput', onBeforeInput);
  capture(window, 'input', onInput);
  capture(window, 'compositionend', onCompositionEnd);
  for (const type of ['keyup', 'keypress', 'compositionstart', 'compositionupdate', 'textInput']) capture(window, type, toDialog);
}

/** A key or text typed into the warning: held if still in flight from the page when it opened, else the dialog's alone. */
function forDialog(e: KeyboardEvent | InputEvent): boolean {
  const t = targetOf(e);
  return (!!t && inFlightToDialog(e, t)) || toDialog(e);
}
