/**
 * FormData.append/set of a File or Blob: start the decision now, so the send that follows finds it
 * ready (and a synchronous sendBeacon can already say no to a marked name).
 */
import { unguarded } from './bridge-client.js';
import { gateBlob } from './gates.js';
import { inherited, link } from './lineage.js';
import { apply, formDataGetAll, isBlob, toStr } from './safe-self.js';

export function hookFormData(w: Window & typeof globalThis): void {
  const FD = w.FormData.prototype as unknown as Record<'append' | 'set', (...a: unknown[]) => void>;
  for (const m of ['append', 'set'] as const) {
    const original = FD[m];
    FD[m] = function (this: FormData, ...a: unknown[]) {
      const r = apply(original, this, a);
      const value = a[1];
      if (!unguarded() && isBlob(value)) {
        const all = formDataGetAll(this, toStr(a[0]));
        const stored = all[all.length - 1];
        // FormData stores a File: the same object, or a new one when a Blob was given or a filename
        // passed. One made from a File (or a piece or copy of one) keeps its sources' decisions, and its
        // own name is judged too (gates.ts): a marked file appended under a clean filename stays marked,
        // a clean one under 「秘—…」 is marked. A page-made Blob is judged as a file of its own.
        if (isBlob(stored)) {
          if (stored !== value) link(stored, inherited(value));
          gateBlob('form-data', stored);
        }
      }
      return r;
    };
  }
}
