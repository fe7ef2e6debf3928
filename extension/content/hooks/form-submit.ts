/**
 * form.submit() fires no submit event, so the guard's listener never sees it. (requestSubmit() does
 * fire one: the guard's form-submit.ts gates that path.)
 *
 * The form is read here the way ../form-fields.ts reads it for the guard (what the browser would send,
 * without `new FormData(form)`, which would run the page's `formdata` listeners), but through captured
 * DOM getters: a page can redefine `value`, `files` or `elements` on the prototypes of this world.
 */
import { unguarded } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { combine, decisionOf, gateBlob, gateText, type Gate } from './gates.js';
import {
  append,
  apply,
  arrayJoin,
  collectionItem,
  collectionLength,
  fileListItem,
  fileListLength,
  formElements,
  inputDisabled,
  inputFiles,
  inputType,
  inputValue,
  tagName,
  textAreaDisabled,
  textAreaValue,
  protoOf,
} from './safe-self.js';

export function hookFormSubmit(w: Window & typeof globalThis): void {
  const Form = protoOf('HTMLFormElement', w);
  const submit = Form.submit;
  Form.submit = function (this: HTMLFormElement) {
    if (unguarded()) return apply(submit, this, []);
    whenDecided(decisionOf(gateForm(this)), (ok) => ok && apply(submit, this, []));
  };
}

/** Inputs whose value is not text the form sends as typed (a plain lookup table would read Object.prototype). */
function sendsText(type: string): boolean {
  return type !== 'checkbox' && type !== 'radio' && type !== 'submit' && type !== 'image' && type !== 'button';
}

function gateForm(form: HTMLFormElement): Gate {
  const gates: Gate[] = [];
  const texts: string[] = [];
  const els = formElements(form);
  for (let i = 0, n = collectionLength(els); i < n; i++) {
    const el = collectionItem(els, i);
    const tag = el ? tagName(el) : '';
    if (tag === 'TEXTAREA') {
      const ta = el as HTMLTextAreaElement;
      if (!textAreaDisabled(ta) && textAreaValue(ta)) append(texts, textAreaValue(ta));
    } else if (tag === 'INPUT') {
      const input = el as HTMLInputElement;
      if (inputDisabled(input)) continue;
      const type = inputType(input);
      if (type === 'file') {
        const files = inputFiles(input);
        for (let j = 0, m = files ? fileListLength(files) : 0; j < m; j++) append(gates, gateBlob('form', fileListItem(files!, j)!));
      } else if (sendsText(type) && inputValue(input)) {
        append(texts, inputValue(input));
      }
    }
  }
  if (texts.length > 0) append(gates, gateText('form', arrayJoin(texts, '\n')));
  return combine(gates);
}
