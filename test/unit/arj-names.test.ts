/** ARJ: not decoded here, but its member names face rule 2 (test/fixtures/archives/arj-names/make.sh, arj 3.10). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/arj-names');
const scan = (n: string) => scanBlob(new Blob([readFileSync(join(DIR, n))]), n);

describe('ARJ member names', () => {
  it.each([
    ['arj-m1-name.arj', 'docs/秘—見積.txt'],
    ['arj-cp932-name.arj', 'docs/秘―見積.txt'], // CP932 bytes, ― ending in a backslash byte
  ])('%s: the member %s marks the archive, though its data are not decoded', async (name, path) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, location: { path: [path] } });
  });

  it('an ARJ whose names are clean stays unscannable (its data are not read), naming the format', async () => {
    const v = await scan('arj-m1-trap.arj');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/ARJ/);
  });
});
