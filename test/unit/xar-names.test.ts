/** xar: not decoded here, but the names its table of contents lists face rule 2 (test/fixtures/archives/xar-names/make.sh). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/xar-names');
const bytes = (n: string) => new Uint8Array(readFileSync(join(DIR, n)));
const scan = (n: string, b = bytes(n)) => scanBlob(new Blob([b]), n);

describe('xar member names', () => {
  it.each(['xar-gzip-name.xar', 'xar-bzip2-name.xar'])('%s: docs/秘—見積.txt marks the archive, though its data are not read', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘—見積.txt' });
  });

  it('an xar whose names are clean stays unscannable (its data are not read), naming the format', async () => {
    const v = await scan('xar-gzip-trap.xar');
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/xar/);
  });

  it('a damaged table of contents leaves the archive unscannable, not clean', async () => {
    const b = bytes('xar-gzip-name.xar');
    b[40] ^= 0xff; // inside the compressed table of contents
    expect(await scan('x.xar', b)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
});
