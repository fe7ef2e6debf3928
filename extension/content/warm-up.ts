/**
 * Loads the scanner and the warning dialog and starts the scanner (its frame, worker and engine:
 * scanner.ts) as soon as a file is about to appear,
 * so the first file does not wait for them: a file input is pressed, focused (keyboard) or clicked
 * (also one the page clicks from its own script: the page hooks hand such an input over with
 * ADOPT_EVENT), or files are dragged over the page. An employee takes far longer to pick a file than the
 * scanner takes to start. A page where nothing of the kind happens loads nothing.
 */
import { ADOPT_EVENT } from './bridge.js';
import { fileInput } from './file-input.js';
import { isGuarded } from './gate.js';
import { warmUp } from './scan-line.js';

/** A file input, or a label for one (the usual styled "Attach" button opens the chooser too). */
const chooser = (t: EventTarget | undefined) => fileInput(t) ?? (t instanceof HTMLLabelElement && fileInput(t.control));

export function warmUpOnIntent(): void {
  const onInput = (e: Event) => {
    if (chooser(e.composedPath()[0]) && isGuarded()) warmUp();
  };
  const onDrag = (e: DragEvent) => {
    if (e.dataTransfer?.types.includes('Files') && isGuarded()) warmUp();
  };
  const passive = { capture: true, passive: true };
  for (const type of ['pointerdown', 'focusin', 'click', ADOPT_EVENT]) window.addEventListener(type, onInput, passive);
  window.addEventListener('dragenter', onDrag, passive);
}
