/**
 * The entry limit (limits.maxEntries, 10,000 by default) at its boundary: files are counted, as in 7z,
 * RAR, tar and the others, not a ZIP's folder entries (a folder of 10,000 files zipped by Info-ZIP,
 * Windows or macOS is 10,001 entries, and was refused).
 */
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { zip } from '../support/zip-build.js';

/** A folder entry and `n` files in it, the last holding `last`. */
function folder(n: number, last: string, other = '議事録\n'): Blob {
  const files: Record<string, string> = { '資料/': '' };
  for (let i = 0; i < n; i++) files[`資料/f${String(i).padStart(5, '0')}.txt`] = i === n - 1 ? last : other;
  return new Blob([zip(files, 0)]); // stored: the folder entry is empty, as archivers write it
}

describe('ZIP: the entry limit counts files', () => {
  it('a folder of exactly 10,000 files is read whole: the stamp in the last marks it', async () => {
    expect(DEFAULT_LIMITS.maxEntries).toBe(10_000);
    expect(await scanBlob(folder(10_000, '秘 Confidential\n'), 'a.zip')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['資料/f09999.txt'] } });
  }, 120_000);
  it('10,001 files are unscannable (too-many-entries), saying how many and the limit', async () => {
    expect(await scanBlob(folder(10_001, '秘書室\n'), 'a.zip')).toMatchObject({
      verdict: 'unscannable',
      reason: 'too-many-entries',
      detail: expect.stringContaining('10001 files, more than the 10000'),
    });
  }, 120_000);
  it('at a lower limit the same holds: the folder and its files up to the limit are read, 秘書室 stays clean', async () => {
    expect(await scanBlob(folder(50, '秘書室 Confidential\n'), 'a.zip', { limits: { maxEntries: 50 } })).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(folder(51, '秘書室\n'), 'a.zip', { limits: { maxEntries: 50 } })).toMatchObject({ verdict: 'unscannable', reason: 'too-many-entries' });
  });
});
