/**
 * form.submit() fires no submit event, so the guard's listener never sees it. (requestSubmit() does
 * fire one: the guard's form-submit.ts gates that path.)
 *
 * The form is read as the browser will send it: `new FormData(form)` (the captured constructor) builds
 * the same entry list a submission does, so it holds what no control shows: a form-associated custom
 * element's value (`attachInternals().setFormValue(file)`), and what the page's `formdata` listeners
 * append (they run for this copy too, and again for the submission). Judged as a FormData body is (body.ts).
 */
import { checkBody } from './body.js';
import { guardMethod } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { decisionOf } from './gates.js';
import { apply, protoOf, SafeFormData } from './safe-self.js';

export function hookFormSubmit(w: Window & typeof globalThis): void {
  guardMethod(protoOf('HTMLFormElement', w), 'submit', function (this: HTMLFormElement, submit) {
    whenDecided(decisionOf(checkBody('form', new SafeFormData(this)).gate), (ok) => ok && apply(submit, this, []));
  });
}
