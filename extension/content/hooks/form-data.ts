/**
 * FormData.append/set of a File or Blob: start the decision now, so the send that follows finds it
 * ready (and a synchronous sendBeacon can already say no to a marked name).
 */
import { config } from './bridge-client.js';
import { gateBlob, parentOf } from './gates.js';
import { apply, fileName, formDataGetAll, isBlob, isFile, toStr, weakMapHas, weakMapSet } from './safe-self.js';

export function hookFormData(w: Window & typeof globalThis): void {
  const FD = w.FormData.prototype as unknown as Record<'append' | 'set', (...a: unknown[]) => void>;
  for (const m of ['append', 'set'] as const) {
    const original = FD[m];
    FD[m] = function (this: FormData, ...a: unknown[]) {
      const r = apply(original, this, a);
      const value = a[1];
      if (config.guarded !== false && isBlob(value)) {
        const all = formDataGetAll(this, toStr(a[0]));
        const stored = all[all.length - 1];
        // FormData stores a File: the same object, or a new one when a Blob was given or a filename
        // passed. A re-wrapped File under the same name, or a chunk of a picked file (resumable uploads
        // append slices under the file's name), keeps its source's decision; scanning a fragment alone
        // would call it corrupt. A new name is judged as a file of its own (rule 2 looks at that name).
        if (isBlob(stored)) {
          if (stored !== value && (sameName(value, stored) || weakMapHas(parentOf, value))) weakMapSet(parentOf, stored, value);
          gateBlob('form-data', stored);
        }
      }
      return r;
    };
  }
}

function sameName(a: Blob, b: Blob): boolean {
  return isFile(a) && isFile(b) && fileName(a) === fileName(b);
}
