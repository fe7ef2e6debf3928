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
  new FormData(form, submitter).forEach((v) => (typeof v === 'string' ? v && texts.push(v) : (v.size || v.name) && files.push(v)));
  return { texts, files };
}
