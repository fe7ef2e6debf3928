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
import { allowedBefore, decide, decideText, fileItems, isGuarded, itemsOf, judges, textVerdict } from './gate.js';
import { TEXT_CAP } from '../../src/guard/find.js';
import { MAY_HOLD_STAMP_TEXT } from '../../src/guard/text-prefilter.js';
import type { Subject } from './bridge.js';
import { filesSettled } from './file-input.js';
import { readForm } from './form-fields.js';
import { capture, editingHost, hold, keyLike, replay, targetOf } from './replay.js';

const bypass = new WeakSet<HTMLFormElement>();
/** A run that may be base64 (of a stamped line, from 19 characters) or bytes as chars (`readAsBinaryString`). */
const ENCODED_FIELD = /[\w+/-]{19}|[\x80-\xff]{8}/;

/**
 * The same submit again, by the same button while it still submits this form (its form owner: also a
 * button outside the form that names it, `form="id"`, whose formaction/formtarget/name=value count); the
 * page's handlers see it as usual.
 */
function resubmit(form: HTMLFormElement, submitter: HTMLElement | null): void {
  form.requestSubmit((submitter as HTMLButtonElement | null)?.form === form ? submitter : null);
}

function onSubmit(e: SubmitEvent): void {
  const form = targetOf(e);
  if (!(form instanceof HTMLFormElement) || !judges(e)) return;
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
  // Too long for one scan, or escaped or encoded (base64, a data: URL, `\u`, percent-escapes): read as the
  // hooks' bodies are, by the bundle loaded on first use (gate.ts itemsOf), which stops what a plain scan misses.
  const read = text.length > TEXT_CAP || MAY_HOLD_STAMP_TEXT.test(text) || ENCODED_FIELD.test(text);
  const marked = read || textVerdict(text).verdict === 'marked';
  if (!marked && allowedBefore(files)) return;

  hold(e);
  const submitter = e.submitter;
  const subjects: Subject[] = fileItems(files);
  if (marked) subjects.push({ kind: 'text', text });
  const decided = itemsOf(subjects).then((items) => decide('form', items));
  // In a task of its own: a verdict known at once (a clean text, files already answered) comes in this
  // event's microtasks, while the browser is still firing it, and a submission started then is dropped.
  void decided.catch(() => false).then((ok) => ok && setTimeout(() => {
    bypass.add(form);
    try {
      resubmit(form, submitter);
    } catch {
      bypass.delete(form);
      HTMLFormElement.prototype.submit.call(form);
    }
  }));
}

function editableText(t: EventTarget | null): { el: HTMLElement; text: string } | null {
  if (t instanceof HTMLTextAreaElement) return { el: t, text: t.value };
  const host = editingHost(t);
  return host && { el: host, text: host.innerText };
}

function onKeyDown(e: KeyboardEvent): void {
  if (e.key !== 'Enter' || e.shiftKey || e.isComposing || !judges(e)) return;
  const field = editableText(targetOf(e));
  if (!field || !field.text || textVerdict(field.text).verdict !== 'marked') return;
  hold(e);
  const target = targetOf(e) ?? field.el;
  const again = keyLike(e);
  void decideText(field.text).then((ok) => {
    // After Continue the text is approved, so the request the page makes next is not asked about again.
    if (ok) replay(target, again);
  });
}

/**
 * A form in a document whose charset is not UTF-8 (a blob: page without one is read in the UI
 * language's legacy charset: windows-1252, Shift_JIS) sends its text in that charset. Text the page
 * wrote as UTF-8 bytes misread in that charset (「ç§˜ Confidential」) is not marked as the page and the
 * checks above see it, yet it leaves as the UTF-8 bytes it was, which a server reads as 「秘
 * Confidential」 (red team guard4 F4). Every native submission builds its entry list with a `formdata`
 * event: each text is read here as it is sent (a link's query is written in the document's charset) and
 * as UTF-8 (a byte that is not UTF-8 is read as U+FFFD, as a server does); a value marked that way is
 * taken out of the entry list, and the employee is warned (the hooks' copy of a form.submit() form and
 * the submission raise one event each: one question, shared).
 */
function onFormData(e: FormDataEvent): void {
  if (document.characterSet === 'UTF-8' || !isGuarded()) return;
  const a = document.createElement('a');
  // Absolute: a blob: page's URL is no base for a query. (A file's entry reads "[object File]".)
  for (const [k, v] of [...e.formData]) {
    a.href = `http://a/?${`${v as string}`.replace(/[%#]/g, encodeURIComponent)}`;
    const sent = new TextDecoder().decode(Uint8Array.from(unescape(a.search), (c) => c.charCodeAt(0)));
    if (textVerdict(sent).verdict === 'marked') {
      e.formData.delete(k);
      // This window's submission is cancelled too (once scheduled), so the page stays for the warning.
      queueMicrotask(stop);
      void decide('form', [{ kind: 'text', text: sent }]);
    }
  }
}

export function installFormSubmit(): void {
  capture(window, 'submit', onSubmit);
  capture(window, 'formdata', onFormData);
  capture(window, 'keydown', onKeyDown);
}
