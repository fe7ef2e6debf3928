/**
 * FormData.append/set of a File or Blob: start the decision now, so the send that follows finds it
 * ready (and a synchronous sendBeacon can already say no to a marked name).
 */
import { replaceMethod } from './accessors.js';
import { unguarded } from './bridge-client.js';
import { gateBlob } from './gates.js';
import { inherited, link } from './lineage.js';
import { apply, blobType, fileModified, isBlob, isFile, SafeFile, sequence, protoOf } from './safe-self.js';

export function hookFormData(w: Window & typeof globalThis): void {
  const FD = protoOf('FormData', w) as Record<'append' | 'set', (...a: unknown[]) => void>;
  for (const m of ['append', 'set'] as const) {
    replaceMethod(FD, m, (original) => function (this: FormData, ...a: unknown[]) {
      const value = a[1];
      if (unguarded() || !isBlob(value)) return apply(original, this, a);
      // FormData stores a Blob, or a File under a filename, as a new File, and Chromium 150 hands out
      // another new File for that entry on every read: a decision linked to one read was gone by the
      // send. So that File is made here, as the spec makes it (the filename or "blob", the type, a
      // File's lastModified), and stored itself: every read returns it. It keeps its sources' decisions,
      // and its own name is judged too (gates.ts): a marked file appended under a clean filename stays
      // marked, a clean one under 「秘—…」 is marked. A page-made Blob is judged as a file of its own.
      const named = a[2] !== undefined;
      const file = isFile(value);
      if (named || !file) {
        const made = new SafeFile(sequence([value]), named ? (a[2] as string) : 'blob', { type: blobType(value), lastModified: file ? fileModified(value) : undefined });
        link(made, inherited(value));
        a = [a[0], made];
      }
      apply(original, this, a);
      gateBlob('form-data', a[1] as Blob);
    });
  }
}
