/**
 * File pickers and file-system handles, which raise no event the guard can see:
 * - showOpenFilePicker: the picked files are judged before the page gets the handles; a refusal looks
 *   like the user cancelling (AbortError).
 * - click()/showPicker() on a file input that is not in the document: the guard's window listeners can
 *   never see its events, so the element is handed to the guard once (ADOPT_EVENT).
 */
import { ADOPT_EVENT, type Subject } from '../bridge.js';
import { ask, config } from './bridge-client.js';
import { whenDecided } from './decision.js';
import {
  append,
  appendChild,
  apply,
  dispatch,
  documentElement,
  fileName,
  getFile,
  getOwnPropertyDescriptor,
  inputType,
  isConnected,
  ownerDocument,
  promiseThen,
  removeElement,
  SafeCustomEvent,
  SafeDOMException,
  SafePromise,
  SafeWeakSet,
  stringSlice,
  uncurry,
  weakSetAdd,
  weakSetHas,
} from './safe-self.js';

const getFileNative = getFile;

export function hookPickers(w: Window & typeof globalThis): void {
  hookOpenFilePicker(w);
  hookHandles(w);
  const Input = w.HTMLInputElement.prototype as unknown as Record<string, unknown>;
  for (const m of ['click', 'showPicker']) {
    const original = Input[m];
    if (typeof original !== 'function') continue;
    Input[m] = function (this: HTMLInputElement) {
      if (config.guarded !== false && inputType(this) === 'file') adopt(this);
      return apply(original, this, []);
    };
  }
}

function hookOpenFilePicker(w: Window & typeof globalThis): void {
  const target = w as unknown as Record<string, unknown>;
  const pick = target.showOpenFilePicker;
  if (typeof pick !== 'function') return;
  target.showOpenFilePicker = function showOpenFilePicker(this: unknown, ...a: unknown[]) {
    return new SafePromise<FileSystemFileHandle[]>((resolve, reject) => {
      const cancel = () => reject(new SafeDOMException('The user aborted a request.', 'AbortError'));
      promiseThen(
        apply(pick, this, a) as Promise<FileSystemFileHandle[]>,
        (handles) => {
          if (config.guarded === false) return resolve(handles);
          filesOf(handles, (subjects) => {
            if (subjects === null) return cancel();
            whenDecided(ask('file-picker', subjects), (ok) => (ok ? resolve(handles) : cancel()));
          });
        },
        reject,
      );
    });
  };
}

/** Reads every handle's File, one after the other (no Promise.all: it looks up `then` on each). */
function filesOf(handles: FileSystemFileHandle[], done: (subjects: Subject[] | null) => void): void {
  const subjects: Subject[] = [];
  const next = (i: number): void => {
    if (i === handles.length) return done(subjects);
    promiseThen(
      getFile(handles[i]),
      (f) => {
        append(subjects, { kind: 'file', blob: f, name: fileName(f) });
        next(i + 1);
      },
      () => done(null),
    );
  };
  next(0);
}

const adopted: WeakSet<HTMLInputElement> = new SafeWeakSet();
function adopt(el: HTMLInputElement): void {
  if (weakSetHas(adopted, el)) return;
  weakSetAdd(adopted, el);
  if (isConnected(el)) return; // in the document (or an open shadow root): the guard sees its composed `input`
  const root = documentElement(ownerDocument(el));
  if (!root) return;
  // Briefly connect it so one event can travel to the guard's window listener, which then listens on
  // the element itself. Synchronous: the page never observes it connected.
  appendChild(root, el);
  try {
    dispatch(el, new SafeCustomEvent(ADOPT_EVENT));
  } finally {
    removeElement(el);
  }
}

// ---------- handles and entries: drops and pickers work as without the extension, reads are gated ----------

type Any = Record<PropertyKey, unknown>;
const proto = (w: Any, name: string): Any | undefined => (w[name] as { prototype?: Any } | undefined)?.prototype;
const native = (p: Any | undefined, key: string): ((...a: unknown[]) => unknown) | null =>
  p && typeof p[key] === 'function' ? uncurry(p[key] as (...a: unknown[]) => unknown) : null;
const nativeGetter = (p: Any | undefined, key: string): ((o: unknown) => unknown) | null => {
  const d = p ? getOwnPropertyDescriptor(p, key) : undefined;
  return d?.get ? uncurry(d.get) : null;
};

/** What a real (trusted) drop held, taken during the event: the page's replayed drop is given these. */
interface Dropped {
  file: File | null;
  entry: FileSystemEntry | null;
  handle: Promise<FileSystemHandle | null> | null;
}
let lastDrop: Dropped[] = [];

/**
 * The guard holds a drop while it judges it and hands the page a copy (a script-made DataTransfer,
 * whose items have no entry and no file-system handle). So the page's `webkitGetAsEntry()` folder
 * walk and `getAsFileSystemHandle()` work as without the extension, the hooks keep the real drop's
 * entries and handles (taken in their capture listener, which runs before the guard's) and answer for
 * the copy's items from them. Reading a file through an entry or a handle is then asked of the guard
 * like any other file (its answer for the drop is remembered, so a clean drop is not read twice).
 */
export function hookHandles(w: Window & typeof globalThis): void {
  const g = w as unknown as Any;
  const Item = proto(g, 'DataTransferItem');
  const getAsEntry = native(Item, 'webkitGetAsEntry');
  const getAsHandle = native(Item, 'getAsFileSystemHandle');
  const getAsFile = native(Item, 'getAsFile');
  const kindOf = nativeGetter(Item, 'kind');
  const itemsOf = nativeGetter(proto(g, 'DataTransfer'), 'items');
  const lengthOf = nativeGetter(proto(g, 'DataTransferItemList'), 'length');
  const dataTransferOf = nativeGetter(proto(g, 'DragEvent'), 'dataTransfer');
  // `isTrusted` is an own, unforgeable property of each event (no prototype getter to capture).
  const trusted = (e: Event) => e.isTrusted === true;
  const entryName = nativeGetter(proto(g, 'FileSystemEntry'), 'name');
  const isDir = nativeGetter(proto(g, 'FileSystemEntry'), 'isDirectory');
  const size = nativeGetter(proto(g, 'Blob'), 'size');
  const lastModified = nativeGetter(proto(g, 'File'), 'lastModified');
  if (!Item || !getAsEntry || !getAsFile || !kindOf || !itemsOf || !lengthOf || !dataTransferOf) return;

  const addListener = native(proto(g, 'EventTarget'), 'addEventListener');
  addListener?.(w, 'drop', (e: Event) => {
    if (!trusted(e)) return;
    const dt = dataTransferOf(e) as DataTransfer | null;
    if (!dt) return;
    const items = itemsOf(dt) as DataTransferItemList;
    const taken: Dropped[] = [];
    const n = lengthOf(items) as number;
    for (let i = 0; i < n; i++) {
      const item = items[i];
      if (kindOf(item) !== 'file') continue;
      append(taken, {
        file: getAsFile(item) as File | null,
        entry: getAsEntry(item) as FileSystemEntry | null,
        handle: getAsHandle ? (getAsHandle(item) as Promise<FileSystemHandle | null>) : null,
      });
    }
    lastDrop = taken;
  }, true);

  /** The real drop's item a copy's item stands for: the same file, or the folder it stands in for. */
  const original = (item: DataTransferItem): Dropped | null => {
    const f = getAsFile(item) as File | null;
    if (!f) return null;
    for (let i = 0; i < lastDrop.length; i++) {
      const d = lastDrop[i];
      if (d.entry && isDir?.(d.entry) === true) {
        if (entryName?.(d.entry) === fileName(f) && size?.(f) === 0) return d;
      } else if (d.file && fileName(d.file) === fileName(f) && size?.(d.file) === size?.(f) && lastModified?.(d.file) === lastModified?.(f)) {
        return d;
      }
    }
    return null;
  };
  const I = Item as Any;
  I.webkitGetAsEntry = function webkitGetAsEntry(this: DataTransferItem) {
    return getAsEntry(this) ?? original(this)?.entry ?? null;
  };
  if (getAsHandle) {
    I.getAsFileSystemHandle = function getAsFileSystemHandle(this: DataTransferItem) {
      const d = original(this);
      return d?.handle ?? getAsHandle(this);
    };
  }
  gateEntryFile(g);
  gateHandleFile(g);
}

const notAllowed = () => new SafeDOMException('The request is not allowed by the user agent or the platform in the current context.', 'NotAllowedError');

/** FileSystemFileEntry.file(): the file goes to the page's callback only once the guard agrees. */
function gateEntryFile(g: Any): void {
  const Entry = proto(g, 'FileSystemFileEntry');
  const file = native(Entry, 'file');
  const fullPath = nativeGetter(proto(g, 'FileSystemEntry'), 'fullPath');
  if (!Entry || !file || !fullPath) return;
  Entry.file = function (this: FileSystemFileEntry, success?: (f: File) => void, failure?: (e: unknown) => void) {
    const path = stringSlice(fullPath(this) as string, 1);
    return file(
      this,
      (f: File) => {
        if (config.guarded === false) return success?.(f);
        // Named by its path in the drop, as the guard named it when it judged the drop.
        whenDecided(ask('drop', [{ kind: 'file', blob: f, name: path || fileName(f) }]), (ok) => (ok ? success?.(f) : failure?.(notAllowed())));
      },
      failure,
    );
  };
}

/**
 * FileSystemFileHandle.getFile(): handles from pickers and drops are read only once the guard agrees.
 * The page's own private storage (OPFS) holds nothing the employee picked, and is left alone.
 */
function gateHandleFile(g: Any): void {
  const Handle = proto(g, 'FileSystemFileHandle');
  const storage = (g.navigator as Any | undefined)?.storage as Any | undefined;
  const getDirectory = native(proto(g, 'StorageManager'), 'getDirectory');
  const resolvePath = native(proto(g, 'FileSystemDirectoryHandle'), 'resolve');
  if (!Handle || typeof Handle.getFile !== 'function') return;
  let opfs: Promise<FileSystemDirectoryHandle> | null = null;
  Handle.getFile = function getFile(this: FileSystemFileHandle) {
    return readGated(this);
  };
  const readGated = (handle: FileSystemFileHandle) =>
    new SafePromise<File>((resolve, reject) => {
      promiseThen(
        getFileNative(handle),
        (f) => {
          if (config.guarded === false) return resolve(f);
          const judge = () => whenDecided(ask('file-picker', [{ kind: 'file', blob: f, name: fileName(f) }]), (ok) => (ok ? resolve(f) : reject(notAllowed())));
          if (!storage || !getDirectory || !resolvePath) return judge();
          opfs ??= getDirectory(storage) as Promise<FileSystemDirectoryHandle>;
          promiseThen(
            opfs,
            (root) => promiseThen(resolvePath(root, handle) as Promise<string[] | null>, (inside) => (inside ? resolve(f) : judge()), judge),
            judge,
          );
        },
        reject,
      );
    });
}
