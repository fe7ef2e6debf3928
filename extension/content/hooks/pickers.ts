/**
 * File pickers that raise no event the guard can see:
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
  inputType,
  isConnected,
  ownerDocument,
  promiseThen,
  removeElement,
  SafeCustomEvent,
  SafeDOMException,
  SafePromise,
  SafeWeakSet,
  weakSetAdd,
  weakSetHas,
} from './safe-self.js';

export function hookPickers(w: Window & typeof globalThis): void {
  hookOpenFilePicker(w);
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
