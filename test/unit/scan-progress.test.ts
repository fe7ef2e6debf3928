/** The scan worker's progress count (extension/scan/progress.ts): bytes the engine read, through every read path. */
import { describe, expect, it } from 'vitest';
import { countReads } from '../../extension/scan/progress.js';
import { scanBlob } from '../../src/detect/index.js';

const bytes = (n: number) => new Uint8Array(n).map((_, i) => 97 + (i % 26));

describe('countReads', () => {
  it('counts slices read with arrayBuffer, bytes, text and stream, capped at the size', async () => {
    const seen: number[] = [];
    const blob = countReads(new Blob([bytes(1000)]), (n) => seen.push(n));
    await blob.slice(0, 100).arrayBuffer();
    expect(seen.at(-1)).toBe(100);
    await blob.slice(100, 300).slice(0, 50).text();
    expect(seen.at(-1)).toBe(150);
    const reader = blob.slice(300).stream().getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read());
    expect(seen.at(-1)).toBe(850);
    await blob.arrayBuffer(); // the whole again: never more than the size
    expect(seen.at(-1)).toBe(1000);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('leaves the verdict unchanged and reaches the size on a full scan', async () => {
    const text = '来週の定例は水曜。\n'.repeat(20_000) + '秘 Confidential\n';
    const plain = new Blob([text]);
    const seen: number[] = [];
    const counted = countReads(new Blob([text]), (n) => seen.push(n));
    const [a, b] = await Promise.all([scanBlob(plain, 'memo.txt'), scanBlob(counted, 'memo.txt')]);
    expect(b.verdict).toBe('marked');
    expect({ ...b, ms: 0 }).toEqual({ ...a, ms: 0 });
    expect(seen.at(-1)).toBe(counted.size);
  });
});
