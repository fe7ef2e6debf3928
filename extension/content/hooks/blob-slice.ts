/** Blob.slice: remember where each chunk came from (resumable uploads of Drive, GigaFile便). */
import { parentOf } from './gates.js';
import { apply, weakMapSet } from './safe-self.js';

export function hookBlobSlice(w: Window & typeof globalThis): void {
  const proto = w.Blob.prototype;
  const slice = proto.slice;
  proto.slice = function (this: Blob, ...a: unknown[]) {
    const part = apply(slice, this, a) as Blob;
    weakMapSet(parentOf, part, this);
    return part;
  } as typeof proto.slice;
}
