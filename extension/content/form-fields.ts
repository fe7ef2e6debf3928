/**
 * What a form would send: `new FormData(form, submitter)` builds the entry list a submission builds, so
 * it holds what no control shows (a form-associated custom element's value, `setFormValue(file)`; what
 * the page's `formdata` listeners append, which run for this copy too). Empty file inputs send an empty,
 * unnamed file: left out.
 */
export interface FormContents {
  texts: string[];
  files: File[];
}

export function readForm(form: HTMLFormElement, submitter?: HTMLElement | null): FormContents {
  const texts: string[] = [];
  const files: File[] = [];
  let fd: FormData;
  try {
    fd = new FormData(form, submitter);
  } catch {
    fd = new FormData(form); // a submitter a page moved out of the form meanwhile: the rest is read all the same
  }
  fd.forEach((v) => (typeof v === 'string' ? v && texts.push(v) : (v.size || v.name) && files.push(v)));
  return { texts, files };
}
