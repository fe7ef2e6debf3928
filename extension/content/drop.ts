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
import { isGuarded, knownAnswer, select, textVerdict, type Item } from './gate.js';
import { capture, firstSight, hold, isReplay, replay, targetOf } from './replay.js';
import { DROP_SIGNAL } from './signals.js';

/**
 * The page hooks take a held drop's real items (entries, handles) through this signal, while the drop
 * is still being dispatched (its DataTransfer is readable only then): their own window listener may
 * run after this world's, which stops the drop.
 */
export function signalHooks(dt: DataTransfer, passed?: boolean): void {
  window.dispatchEvent(new DragEvent(DROP_SIGNAL, { dataTransfer: dt, cancelable: passed }));
}

function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  return new Promise((resolve) => {
    const next = () =>
      reader.readEntries(
        (batch) => {
          if (batch.length === 0) return resolve(out);
          out.push(...batch);
          next();
        },
        () => resolve(out),
      );
    next();
  });
}

/** Every file under the dropped entries, named by its path inside the drop. */
async function walk(entries: FileSystemEntry[]): Promise<{ file: File; path: string }[]> {
  const out: { file: File; path: string }[] = [];
  const visit = async (en: FileSystemEntry): Promise<void> => {
    if (en.isFile) {
      const file = await new Promise<File | null>((res) => (en as FileSystemFileEntry).file(res, () => res(null)));
      if (file) out.push({ file, path: en.fullPath.replace(/^\//, '') });
    } else if (en.isDirectory) {
      for (const child of await readAll(en as FileSystemDirectoryEntry)) await visit(child);
    }
  };
  for (const en of entries) await visit(en);
  return out;
}

function onDrop(e: DragEvent): void {
  if (isReplay(e) || !firstSight(e) || !isGuarded() || !e.dataTransfer) return;
  const dt = e.dataTransfer;
  const target = targetOf(e) ?? document;
  const files = Array.from(dt.files);
  const fileItems = Array.from(dt.items).filter((i) => i.kind === 'file');
  const entries = fileItems.map((i) => i.webkitGetAsEntry?.() ?? null);
  const hasDir = entries.some((en) => en?.isDirectory);
  const text = files.length === 0 ? dt.getData('text/plain') : '';
  const textMarked = text !== '' && textVerdict(text).verdict === 'marked';
  if (!textMarked && !hasDir && files.every((f) => knownAnswer(f, f.name) === true)) return;

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
    const picked = hasDir
      ? await walk(entries.filter((x): x is FileSystemEntry => x !== null))
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
    if (notCancelled && target instanceof HTMLInputElement && target.type === 'file') {
      target.files = copy.files;
      replay(target, new Event('input', { bubbles: true, composed: true }));
      replay(target, new Event('change', { bubbles: true }));
    }
  })();
}

export function installDrop(): void {
  capture(window, 'drop', onDrop);
}
