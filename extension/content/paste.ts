/**
 * Channel: paste of files (screenshots, copied files) and of text carrying the stamp (mail bodies,
 * GenAI prompts). Clean text, the common case, is judged synchronously and never held. A held paste
 * that turns out fine is handed to the page as a synthetic ClipboardEvent with the same data; if the
 * page leaves it uncancelled, the text is inserted as the browser would have done.
 */
import { allowedBefore, decide, fileItems, isGuarded, textVerdict } from './gate.js';
import { capture, firstSight, hold, isReplay, replay, targetOf, toDialog } from './replay.js';

function onPaste(e: ClipboardEvent): void {
  if (isReplay(e) || toDialog(e) || !firstSight(e) || !isGuarded() || !e.clipboardData) return;
  const cd = e.clipboardData;
  const files = Array.from(cd.files);
  const text = cd.getData('text/plain');
  const textMarked = text !== '' && textVerdict(text).verdict === 'marked';
  if (!textMarked && allowedBefore(files)) return;

  hold(e);
  const target = targetOf(e) ?? document;
  const strings = cd.types.filter((t) => t !== 'Files').map((t) => [t, cd.getData(t)] as const);
  const items = fileItems(files);
  if (textMarked) items.push({ kind: 'text', text });
  void decide('paste', items).then((ok) => {
    if (!ok) return;
    const copy = new DataTransfer();
    for (const [t, v] of strings) copy.setData(t, v);
    for (const f of files) copy.items.add(f);
    const notCancelled = replay(
      target,
      new ClipboardEvent('paste', { clipboardData: copy, bubbles: true, cancelable: true, composed: true }),
    );
    if (notCancelled && text && target instanceof HTMLElement) {
      target.focus();
      document.execCommand('insertText', false, text);
    }
  });
}

export function installPaste(): void {
  capture(window, 'paste', onPaste);
}
