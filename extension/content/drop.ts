/**
 * Channel: drag-and-drop of files and folders (Google Drive, GigaFile便 drop zones, mail compose).
 * The drop is held at the capture phase; folders are walked with webkitGetAsEntry (the entries must be
 * taken during the event, their files can be read after it); a clean drop is handed to the page as a
 * synthetic DragEvent whose new DataTransfer holds the same File objects, a folder's flattened (only
 * those that passed, when the employee chose to attach just those); when the whole drop passed, the
 * page hooks hand the page the real drop's items too, so entry walks and file-system handles work as
 * without the extension (hooks/pickers.ts). Dropped text carrying the stamp is held the same way.
 */
import { WHOLE_DROP } from './bridge.js';
import { fileInput } from './file-input.js';
import { allowedBefore, judges, select, textVerdict, type Item } from './gate.js';
import { loadUi } from './load-ui.js';
import { capture, hold, replay, replayChosen, targetOf } from './replay.js';
import { DROP_SIGNAL } from './signals.js';

/**
 * The page hooks take a held drop's real items (entries, handles) through this signal, while the drop
 * is still being dispatched (its DataTransfer is readable only then): their own window listener may
 * run after this world's, which stops the drop.
 */
export function signalHooks(dt: DataTransfer, passed?: boolean): void {
  window.dispatchEvent(new DragEvent(DROP_SIGNAL, { dataTransfer: dt, cancelable: passed }));
}

function onDrop(e: DragEvent): void {
  if (!judges(e) || !e.dataTransfer) return;
  const dt = e.dataTransfer;
  const target = targetOf(e) ?? document;
  const files = Array.from(dt.files);
  const fileItems = Array.from(dt.items).filter((i) => i.kind === 'file');
  const entries = fileItems.map((i) => i.webkitGetAsEntry?.() ?? null);
  const hasDir = entries.some((en) => en?.isDirectory);
  const text = files.length === 0 ? dt.getData('text/plain') : '';
  const textMarked = text !== '' && textVerdict(text).verdict === 'marked';
  if (!textMarked && !hasDir && allowedBefore(files)) return;

  signalHooks(dt);
  hold(e);
  // Copy what the synthetic event needs now: the DataTransfer is emptied when the event ends.
  const strings = dt.types.filter((t) => t !== 'Files').map((t) => [t, dt.getData(t)] as const);
  const init: DragEventInit = {
    bubbles: true,
    cancelable: true,
    composed: true,
    clientX: e.clientX,
    clientY: e.clientY,
    screenX: e.screenX,
    screenY: e.screenY,
    ctrlKey: e.ctrlKey,
    shiftKey: e.shiftKey,
    altKey: e.altKey,
    metaKey: e.metaKey,
  };
  void (async () => {
    // A folder's walk is in the bundle its files' scan loads anyway; one that cannot load reads nothing (refused).
    const picked = hasDir
      ? await loadUi().then((ui) => ui.walk(entries.filter((x): x is FileSystemEntry => x !== null)), () => [])
      : files.map((file) => ({ file, path: file.name }));
    const items: Item[] = picked.map((p) => ({ kind: 'file', blob: p.file, name: p.path }));
    if (textMarked) items.push({ kind: 'text', text });
    const going = new Set(await select('drop', items));
    if (going.size === 0) {
      // The page never gets the drop: a dragleave lets its drop zone drop its highlight.
      replay(target, new DragEvent('dragleave', { ...init, cancelable: false }));
      return;
    }
    const copy = new DataTransfer();
    // A folder cannot be put into a script-made DataTransfer: the page gets its files, flattened (and
    // only those that passed, when the employee chose that). Marked text left behind takes none of the
    // drop's strings with it.
    const textGoes = !textMarked || going.has(items[items.length - 1]);
    if (textGoes) for (const [t, v] of strings) copy.setData(t, v);
    for (const [i, p] of picked.entries()) if (going.has(items[i])) copy.items.add(p.file);
    // A drop that passed whole is flagged, so the page hooks give the page its real items back
    // (folder entries, file-system handles) beside the flattened files (hooks/pickers.ts).
    const whole = going.size === items.length ? { detail: WHOLE_DROP } : {};
    const notCancelled = replay(target, new DragEvent('drop', { ...init, ...whole, dataTransfer: copy }));
    // The default action of a drop on a file input is to select the files: do it ourselves.
    const input = fileInput(target);
    if (notCancelled && input) {
      input.files = copy.files;
      replayChosen(input);
    }
  })();
}

export function installDrop(): void {
  capture(window, 'drop', onDrop);
}
