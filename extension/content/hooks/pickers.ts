/**
 * File pickers and file-system handles, which raise no event the guard can see:
 * - showOpenFilePicker: the picked files are judged before the page gets the handles; a refusal looks
 *   like the user cancelling (AbortError).
 * - click()/showPicker() on a file input that is not in the document: the guard's window listeners can
 *   never see its events, so the element is handed to the guard once (ADOPT_EVENT).
 */
import { replaceMethod } from './accessors.js';
import { ADOPT_EVENT, WHOLE_DROP, type Subject } from '../bridge.js';
import { ask, unguarded } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { BLOCKED, passedFile } from './gates.js';
import {
  own,
  sequence,
  addListener,
  blobSize,
  fileListLength,
  eventCancelable,
  fileModified,
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
  weakSetAdd,
  weakSetHas,
  SafeWeakMap,
  weakMapGet,
  weakMapHas,
  weakMapSet,
  create,
  defineProperty,
  isFn,
  nativeGetter,
  nativeMethod,
  protoOf,
  FILE_HANDLE,
  INPUT,
  ITERATOR,
} from './safe-self.js';

const getFileNative = getFile;

export function hookPickers(w: Window & typeof globalThis): void {
  hookOpenFilePicker(w);
  hookHandles(w);
  const Input = protoOf(INPUT, w) as Record<string, unknown>;
  for (const m of ['click', 'showPicker']) {
    replaceMethod(Input, m, (original) => function (this: HTMLInputElement) {
      if (!unguarded() && inputType(this) === 'file') adopt(this);
      return apply(original, this, []);
    });
  }
}

function hookOpenFilePicker(w: Window & typeof globalThis): void {
  replaceMethod(w, 'showOpenFilePicker', (pick) => function showOpenFilePicker(this: unknown, ...a: unknown[]) {
    return new SafePromise<FileSystemFileHandle[]>((resolve, reject) => {
      const cancel = () => reject(new SafeDOMException('The user aborted a request.', 'AbortError'));
      promiseThen(
        apply(pick, this, a) as Promise<FileSystemFileHandle[]>,
        (handles) => {
          if (unguarded()) return resolve(handles);
          filesOf(handles, (subjects) => {
            if (!subjects) return cancel();
            whenDecided(ask('file-picker', subjects), (ok) => (ok ? resolve(handles) : cancel()));
          });
        },
        reject,
      );
    });
  });
}

/** Reads every handle's File, one after the other (no Promise.all: it looks up `then` on each). */
function filesOf(handles: FileSystemFileHandle[], done: (subjects: Subject[] | null) => void): void {
  const subjects: Subject[] = [];
  const next = (i: number): void => {
    if (i === handles.length) return done(subjects);
    promiseThen(
      getFile(handles[i]),
      (f) => {
        append(subjects, fileSubject(f));
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

/** What a real (trusted) drop held, taken during the event: the page's replayed drop is given these. */
interface Dropped {
  file: File | null;
  type: string;
  entry: FileSystemEntry | null;
  handle: Promise<FileSystemHandle | null> | null;
}
let lastDrop: Dropped[] = [];

let signalType: string | null = null;
const signalWaiters: ((type: string) => void)[] = [];
function whenSignalKnown(f: (type: string) => void): void {
  if (signalType) f(signalType);
  else append(signalWaiters, f);
}
/** The guard told the drop signal's type (once; a later one cannot be the guard's). */
export function onDropSignal(type: string): void {
  if (signalType || typeof type !== 'string') return;
  signalType = type;
  for (let i = 0; i < signalWaiters.length; i++) signalWaiters[i](type);
  signalWaiters.length = 0;
}

/**
 * The guard holds a drop while it judges it and hands the page a copy (a script-made DataTransfer,
 * whose items have no entry and no file-system handle, and whose files are a dropped folder's files,
 * flattened). So the page's `webkitGetAsEntry()` folder walk and `getAsFileSystemHandle()` work as
 * without the extension, the hooks keep the real drop's items (taken in their capture listener) and:
 * - when the whole drop passed (the guard marks that replay with WHOLE_DROP as its `detail`), the
 *   copy's `items` are the real drop's items again: wrappers whose `webkitGetAsEntry()` is the real
 *   entry (a folder's too: entries stay valid after the event) and whose `getAsFileSystemHandle()` is
 *   the real handle; `files` stays the flattened list, for pages that read only that;
 * - otherwise (only some files passed) each of the copy's files answers with its own entry or handle.
 * Reading a file through an entry or a handle is asked of the guard like any other file (its answer
 * for the drop is remembered, so a clean drop is not read twice), so an entry in the wrong hands
 * still reads nothing marked.
 */
/** Method names written three times below (this file is size-bound). */
const AS_ENTRY = 'webkitGetAsEntry';
const AS_HANDLE = 'getAsFileSystemHandle';

export function hookHandles(w: Window & typeof globalThis): void {
  const g = w as unknown as Any;
  const Item = protoOf('DataTransferItem', g);
  const getAsEntry = nativeMethod(Item, AS_ENTRY);
  const getAsHandle = nativeMethod(Item, AS_HANDLE);
  const getAsFile = nativeMethod(Item, 'getAsFile');
  const kindOf = nativeGetter(Item, 'kind');
  const typeOf = nativeGetter(Item, 'type');
  const Transfer = protoOf('DataTransfer', g);
  const itemsOf = nativeGetter(Transfer, 'items');
  const filesOf = nativeGetter(Transfer, 'files');
  const List = protoOf('DataTransferItemList', g);
  const lengthOf = nativeGetter(List, 'length');
  const dataTransferOf = nativeGetter(protoOf('DragEvent', g), 'dataTransfer');
  const detailOf = nativeGetter(protoOf('UIEvent', g), 'detail');
  // `isTrusted` is an own, unforgeable property of each event (no prototype getter to capture).
  const isDir = nativeGetter(protoOf('FileSystemEntry', g), 'isDirectory');
  if (!Item || !List || !Transfer || !getAsEntry || !getAsFile || !kindOf || !typeOf || !itemsOf || !filesOf || !lengthOf || !dataTransferOf || !detailOf) return;

  const sameFile = (a: File, b: File) => fileName(a) === fileName(b) && blobSize(a) === blobSize(b) && fileModified(a) === fileModified(b);
  /** The copy's File that is this real one (what the guard let through), or null. */
  const passed = (dt: DataTransfer, f: File | null): File | null => {
    if (!f) return null;
    const files = filesOf(dt) as FileList;
    for (let i = 0, n = fileListLength(files); i < n; i++) if (sameFile(files[i], f)) return files[i];
    return null;
  };

  /** Item wrappers for the real drop's file items, then the copy's own string items. */
  const wholeDrop: WeakMap<DataTransfer, DataTransferItemList> = new SafeWeakMap();
  const wrapItems = (dt: DataTransfer, taken: Dropped[]): DataTransferItemList => {
    const out: unknown[] = [];
    for (let i = 0; i < taken.length; i++) append(out, wrapItem(dt, taken[i]));
    const copied = itemsOf(dt) as DataTransferItemList;
    for (let i = 0, n = lengthOf(copied) as number; i < n; i++) if (kindOf(copied[i]) === 'string') append(out, copied[i]);
    const list = create(List) as Any;
    for (let i = 0; i < out.length; i++) list[i] = out[i];
    defineProperty(list, 'length', own('value', out.length));
    list.item = (i: number) => out[i] ?? null;
    list[ITERATOR] = () => sequence(out)[ITERATOR]();
    return list as unknown as DataTransferItemList;
  };
  const wrapItem = (dt: DataTransfer, d: Dropped): DataTransferItem => {
    const item = create(Item) as Any;
    defineProperty(item, 'kind', own('get', () => 'file'));
    defineProperty(item, 'type', own('get', () => d.type));
    // The File the guard let through (a folder's own File, which has no bytes, is not one of them).
    item.getAsFile = () => passed(dt, d.file);
    item.getAsString = () => undefined;
    item[AS_ENTRY] = () => d.entry;
    if (getAsHandle) item[AS_HANDLE] = () => d.handle;
    return item as unknown as DataTransferItem;
  };

  const take = (dt: DataTransfer) => {
    const items = itemsOf(dt) as DataTransferItemList;
    const taken: Dropped[] = [];
    const n = lengthOf(items) as number;
    for (let i = 0; i < n; i++) {
      const item = items[i];
      if (kindOf(item) !== 'file') continue;
      append(taken, {
        file: getAsFile(item) as File | null,
        type: typeOf(item) as string,
        entry: getAsEntry(item) as FileSystemEntry | null,
        handle: getAsHandle ? (getAsHandle(item) as Promise<FileSystemHandle | null>) : null,
      });
    }
    lastDrop = taken;
  };
  const stopNow = nativeMethod(protoOf('Event', g), 'stopImmediatePropagation');
  if (!stopNow) return;
  addListener(w, 'drop', (e: Event) => {
    const dt = dataTransferOf(e) as DataTransfer | null;
    if (!dt) return;
    if (e.isTrusted === true) return take(dt);
    // The guard's replay of a drop that passed whole: its items are the real ones again (once).
    if (detailOf(e) !== WHOLE_DROP || !lastDrop.length || weakMapHas(wholeDrop, dt)) return;
    weakMapSet(wholeDrop, dt, wrapItems(dt, lastDrop));
    lastDrop = [];
  }, true);
  // The guard's signal (only this world and the guard know its type), sent before it holds a drop; and,
  // cancelable, with the files it gave back to a file input (file-input.ts): a synchronous
  // XMLHttpRequest of one cannot wait to ask, and its answer is known.
  whenSignalKnown((type) =>
    addListener(w, type, (e: Event) => {
      stopNow(e);
      const dt = dataTransferOf(e) as DataTransfer | null;
      if (!dt) return;
      if (!eventCancelable(e)) return take(dt);
      const files = filesOf(dt) as FileList;
      for (let i = 0, n = fileListLength(files); i < n; i++) passedFile(files[i]);
    }, true),
  );

  const itemsDescriptor = getOwnPropertyDescriptor(Transfer, 'items');
  if (itemsDescriptor?.get) {
    defineProperty(Transfer, 'items', {
      ...itemsDescriptor,
      get: function items(this: DataTransfer) {
        return weakMapGet(wholeDrop, this) ?? itemsOf(this);
      },
    });
  }

  /** The real drop's item a copy's item stands for: the same file. */
  const original = (item: DataTransferItem): Dropped | null => {
    const f = getAsFile(item) as File | null;
    if (!f) return null;
    for (let i = 0; i < lastDrop.length; i++) {
      const d = lastDrop[i];
      if (d.file && !(d.entry && isDir?.(d.entry) === true) && sameFile(d.file, f)) return d;
    }
    return null;
  };
  const I = Item as Any;
  I[AS_ENTRY] = function (this: DataTransferItem) {
    return getAsEntry(this) ?? original(this)?.entry ?? null;
  };
  if (getAsHandle) {
    I[AS_HANDLE] = function (this: DataTransferItem) {
      const d = original(this);
      return d?.handle ?? getAsHandle(this);
    };
  }
  gateEntryFile(g);
  gateHandleFile(g);
}

/** What a refused read rejects with: the error the browser gives a read it does not allow. */
/** A File to ask the guard about, under `name` (a dropped folder's path) or its own. */
const fileSubject = (f: File, name?: string): Subject => ({ kind: 'file', blob: f, name: name || fileName(f) });

const notAllowed = () => new SafeDOMException(BLOCKED, 'NotAllowedError');

/** FileSystemFileEntry.file(): the file goes to the page's callback only once the guard agrees. */
function gateEntryFile(g: Any): void {
  const Entry = protoOf('FileSystemFileEntry', g);
  const file = nativeMethod(Entry, 'file');
  const fullPath = nativeGetter(protoOf('FileSystemEntry', g), 'fullPath');
  if (!Entry || !file || !fullPath) return;
  Entry.file = function (this: FileSystemFileEntry, success?: (f: File) => void, failure?: (e: unknown) => void) {
    const path = stringSlice(fullPath(this) as string, 1);
    return file(
      this,
      (f: File) => {
        if (unguarded()) return success?.(f);
        // Named by its path in the drop, as the guard named it when it judged the drop.
        whenDecided(ask('drop', [fileSubject(f, path)]), (ok) => (ok ? success?.(f) : failure?.(notAllowed())));
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
  const Handle = protoOf(FILE_HANDLE, g);
  const storage = (g.navigator as Any | undefined)?.storage as Any | undefined;
  const getDirectory = nativeMethod(protoOf('StorageManager', g), 'getDirectory');
  const resolvePath = nativeMethod(protoOf('FileSystemDirectoryHandle', g), 'resolve');
  if (!Handle || !isFn(Handle.getFile)) return;
  let opfs: Promise<FileSystemDirectoryHandle> | null = null;
  Handle.getFile = function getFile(this: FileSystemFileHandle) {
    return readGated(this);
  };
  const readGated = (handle: FileSystemFileHandle) =>
    new SafePromise<File>((resolve, reject) => {
      promiseThen(
        getFileNative(handle),
        (f) => {
          if (unguarded()) return resolve(f);
          const judge = () => whenDecided(ask('file-picker', [fileSubject(f)]), (ok) => (ok ? resolve(f) : reject(notAllowed())));
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
