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
import { guardMethod, unguarded } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { decisionOf, nameMarked } from './gates.js';
import { keptIn } from './read-text.js';
import { addListener, apply, fileName, formDataAppend, formDataForEach, formDataOf, protoOf, SafeFormData } from './safe-self.js';

export function hookFormSubmit(w: Window & typeof globalThis): void {
  guardMethod(protoOf('HTMLFormElement', w), 'submit', function (this: HTMLFormElement, submit) {
    whenDecided(decisionOf(checkBody('form', new SafeFormData(this)).gate), (ok) => ok && apply(submit, this, []));
  });
  // A submission the guard holds (a submit event) is read by the guard, in its own world, which does not
  // know which File a text field's data: URL or base64 was read out of (read-text.ts keeps that here): a
  // File marked by its name alone, its content clean, went through that way. Every native submission,
  // and the guard's copy of the form, builds its entry list with a `formdata` event: for a text entry
  // that carries such a File, the File itself is added to the list here, so the guard judges it (by its
  // name: refused, or sent with the employee's yes). A File still to be judged by its content is left to
  // the guard's reading of the text, which decodes it.
  addListener(w, 'formdata', (e) => {
    const fd = formDataOf(e);
    formDataForEach(fd, (v, k) => {
      const files = (!unguarded() && typeof v === 'string' && keptIn(v)?.files) || [];
      for (let i = 0; i < files.length; i++) if (nameMarked(fileName(files[i] as File))) formDataAppend(fd, k, files[i]);
    });
  }, true);
}
