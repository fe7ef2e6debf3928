/**
 * Channel: form submission and text sent from fields.
 * - `submit` events (a native submit, implicit submission, requestSubmit()): text fields and textareas
 *   carrying the stamp, and files not judged yet, hold the submit; a fine one is re-submitted with
 *   requestSubmit(submitter), which the page's own handlers see as usual. (form.submit() fires no event:
 *   the page hooks gate it.)
 * - Enter-to-send in prompt boxes and editors (textarea, contenteditable: ChatGPT, mail bodies): a
 *   marked text stops the keystroke before the page sends; the request it would have made is also
 *   gated by the fetch/XHR hooks, which is what catches a click on the send button.
 */
import { decide, isGuarded, knownAnswer, textVerdict, type Item } from './gate.js';
import { filesSettled } from './file-input.js';
import { readForm } from './form-fields.js';
import { capture, editingHost, firstSight, hold, isReplay, keyLike, replay, targetOf } from './replay.js';

const bypass = new WeakSet<HTMLFormElement>();

/** The same submit again, by the same button while it is still in the form; the page's handlers see it as usual. */
function resubmit(form: HTMLFormElement, submitter: HTMLElement | null): void {
  form.requestSubmit(submitter && form.contains(submitter) ? submitter : null);
}

function onSubmit(e: SubmitEvent): void {
  const form = targetOf(e);
  if (!(form instanceof HTMLFormElement) || isReplay(e) || !firstSight(e) || !isGuarded()) return;
  if (bypass.has(form)) {
    bypass.delete(form);
    return;
  }
  // A file still being judged is not in its input yet: sent now, the form would go without it.
  const waiting = filesSettled(form);
  if (waiting) {
    hold(e);
    const submitter = e.submitter;
    void waiting.then((given) => given && resubmit(form, submitter));
    return;
  }
  const { texts, files } = readForm(form, e.submitter);
  const text = texts.join('\n');
  const textMarked = text !== '' && textVerdict(text).verdict === 'marked';
  if (!textMarked && files.every((f) => knownAnswer(f, f.name) === true)) return;

  hold(e);
  const submitter = e.submitter;
  const items: Item[] = files.map((f) => ({ kind: 'file', blob: f, name: f.name }));
  if (textMarked) items.push({ kind: 'text', text });
  void decide('form', items).then((ok) => {
    if (!ok) return;
    bypass.add(form);
    try {
      resubmit(form, submitter);
    } catch {
      bypass.delete(form);
      HTMLFormElement.prototype.submit.call(form);
    }
  });
}

function editableText(t: EventTarget | null): { el: HTMLElement; text: string } | null {
  if (t instanceof HTMLTextAreaElement) return { el: t, text: t.value };
  const host = editingHost(t);
  return host && { el: host, text: host.innerText };
}

function onKeyDown(e: KeyboardEvent): void {
  if (e.key !== 'Enter' || e.shiftKey || e.isComposing || isReplay(e) || !firstSight(e) || !isGuarded()) return;
  const field = editableText(targetOf(e));
  if (!field || !field.text || textVerdict(field.text).verdict !== 'marked') return;
  hold(e);
  const target = targetOf(e) ?? field.el;
  const again = keyLike(e);
  void decide('text-field', [{ kind: 'text', text: field.text }]).then((ok) => {
    // After Continue the text is approved, so the request the page makes next is not asked about again.
    if (ok) replay(target, again);
  });
}

export function installFormSubmit(): void {
  capture(window, 'submit', onSubmit);
  capture(window, 'keydown', onKeyDown);
}
