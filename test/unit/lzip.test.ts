import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/lzip/make.sh (lzip 1.23).
const DIR = join(__dirname, '../fixtures/archives/lzip');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const scan = (name: string, b = bytes(name)) => scanBlob(new Blob([b]), name);

describe('lzip (.lz, .tar.lz) is undone, its content read by its own format (was unscannable, unsupported)', () => {
  it('a tar.lz is read as a tar, its pax comment too', async () => {
    expect(await scan('pax-comment-stamp.tar.lz')).toMatchObject({ verdict: 'marked', rule: 1, format: 'lzip', location: { area: 'properties' } });
    expect(await scan('pax-comment-trap.tar.lz')).toMatchObject({ verdict: 'clean', format: 'lzip' });
  });

  it('every member of a file is read: the stamp in the second marks it, 秘書室 there stays clean', async () => {
    expect(await scan('memo-stamp.txt.lz')).toMatchObject({ verdict: 'marked', rule: 1, format: 'lzip', location: { path: ['memo-stamp.txt'] } });
    expect(await scan('memo-trap.txt.lz')).toMatchObject({ verdict: 'clean', format: 'lzip' });
  });

  it('a member failing its CRC-32, or cut short, is damage', async () => {
    const b = bytes('memo-trap.txt.lz');
    const crc = b.slice();
    crc[crc.length - 20] ^= 1;
    expect(await scan('memo.txt.lz', crc)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scan('memo.txt.lz', b.slice(0, b.length - 100))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
