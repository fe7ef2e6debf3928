/** What a structured clone would carry: the Files and Blobs found by the postMessage / IndexedDB hooks. */
import { describe, expect, it } from 'vitest';
import { blobsIn } from '../../extension/content/hooks/carried.js';

const file = new File(['秘 Confidential'], '議事録.txt');
const blob = new Blob(['x']);

describe('blobsIn', () => {
  it('finds Files and Blobs however deep, in arrays, objects, Maps and Sets, once each', () => {
    const msg = { kind: 'queue', items: [{ file }, 1, 'a'], extra: new Map<unknown, unknown>([['k', new Set([blob, file])]]) };
    expect(blobsIn(msg)).toEqual([file, blob]);
    expect(blobsIn(file)).toEqual([file]);
  });

  it('carries nothing for primitives, bytes and plain data; survives cycles', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    expect(blobsIn('秘 Confidential')).toEqual([]);
    expect(blobsIn(new Uint8Array(10))).toEqual([]);
    expect(blobsIn(cyclic)).toEqual([]);
    expect(blobsIn(null)).toEqual([]);
  });

  it('cannot vouch for an accessor (the clone would run it) nor for a value too large to walk', () => {
    let calls = 0;
    const sly = Object.defineProperty({}, 'file', { enumerable: true, get: () => (++calls > 1 ? file : 'nothing') });
    expect(blobsIn({ wrap: sly })).toBeNull();
    const huge = Array.from({ length: 120_000 }, () => ({}));
    expect(blobsIn(huge)).toBeNull();
  });
});
