/**
 * What a form would send: `new FormData(form, submitter)` builds the entry list a submission builds, so
 * it holds what no control shows (a form-associated custom element's value, `setFormValue(file)`; what
 * the page's `formdata` listeners append, which run for this copy too). Empty file inputs send an empty,
 * unnamed file: left out. `texts` holds each field's name and value, and each file's name.
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
  // Field names and file names leave as text too (a key that is the stamp, a file named after it).
  fd.forEach((v, k) => {
    texts.push(k);
    if (typeof v === 'string') texts.push(v);
    else if (v.size || v.name) {
      texts.push(v.name);
      files.push(v);
    }
  });
  return { texts, files };
}
