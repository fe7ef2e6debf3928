/** zstd frames made with a dictionary the file does not hold (test/fixtures/archives/zstd-dict/make.sh). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/zstd-dict');
const scan = (n: string) => scanBlob(new Blob([readFileSync(join(DIR, n))]), n);

describe('zstd -D: a frame that needs a dictionary', () => {
  it.each(['dict-stamp.txt.zst', 'dict-trap.txt.zst'])('%s is unscannable as needing its dictionary, not as damaged', async (name) => {
    const v = await scan(name);
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/dictionary \(ID \d+\)/);
  });
});
