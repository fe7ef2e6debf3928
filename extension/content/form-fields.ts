/**
 * What a form would send, read without side effects. `new FormData(form)` would fire the page's own
 * `formdata` listeners, so the guard and the hooks walk the controls themselves. Used by both worlds.
 */
export interface FormContents {
  texts: string[];
  files: File[];
}

export function readForm(form: HTMLFormElement, submitter?: HTMLElement | null): FormContents {
  const texts: string[] = [];
  const files: File[] = [];
  for (const el of Array.from(form.elements)) {
    const tag = el.tagName;
    if (tag === 'TEXTAREA') {
      const ta = el as HTMLTextAreaElement;
      if (!ta.disabled && ta.value) texts.push(ta.value);
    } else if (tag === 'INPUT') {
      const input = el as HTMLInputElement;
      if (input.disabled) continue;
      if (input.type === 'file') {
        if (input.files) files.push(...Array.from(input.files));
      } else if (input.type === 'submit' || input.type === 'image' || input.type === 'button') {
        if (el === submitter && input.value) texts.push(input.value);
      } else if (input.type !== 'checkbox' && input.type !== 'radio' && input.value) {
        texts.push(input.value);
      }
    }
  }
  return { texts, files };
}
