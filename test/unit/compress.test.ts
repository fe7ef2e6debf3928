import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/compress/make.sh (ncompress 5.0).
const DIR = join(__dirname, '../fixtures/archives/compress');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const scan = (name: string, b = bytes(name)) => scanBlob(new Blob([b]), name);

describe('Unix compress (.Z) is undone here, its content read by its own format', () => {
  it('a tar.Z is read as a tar: its pax comment too (was read by libarchive, which drops it: clean)', async () => {
    expect(await scan('pax-comment-stamp.tar.Z')).toMatchObject({ verdict: 'marked', rule: 1, format: 'compress', location: { area: 'properties' } });
    expect(await scan('pax-comment-trap.tar.Z')).toMatchObject({ verdict: 'clean', format: 'compress' });
  });

  it('a single compressed text, its codes grown to 15 bits, is read to its last line (was unscannable)', async () => {
    // Its content is named after the file, as gzip's is: memo-stamp.txt.Z → memo-stamp.txt.
    expect(await scan('memo-stamp.txt.Z')).toMatchObject({ verdict: 'marked', rule: 1, format: 'compress', location: { path: ['memo-stamp.txt'] } });
    expect(await scan('memo-trap.txt.Z')).toMatchObject({ verdict: 'clean', format: 'compress' });
  });

  it('a code past the table, or a width compress does not write, is damage', async () => {
    const b = bytes('memo-stamp.txt.Z');
    const flipped = b.slice();
    for (let i = 4000; i < 4040; i++) flipped[i] ^= 0xff;
    expect(await scan('memo.txt.Z', flipped)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const wide = b.slice();
    wide[2] = (wide[2] & 0x80) | 17;
    expect(await scan('memo.txt.Z', wide)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
