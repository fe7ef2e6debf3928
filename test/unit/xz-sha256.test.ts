import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/xz-sha256/make.sh (xz -C sha256).
const DIR = join(__dirname, '../fixtures/archives/xz-sha256');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const scan = (name: string, b = bytes(name)) => scanBlob(new Blob([b]), name);

describe('xz with SHA-256 checks is read, each block checked (was unscannable, unsupported)', () => {
  it.each(['memo-%s.txt.xz', 'memo-%s.tar.xz'])('%s: the stamp in the last block marks it, 秘書室 there stays clean', async (pattern) => {
    expect(await scan(pattern.replace('%s', 'stamp'))).toMatchObject({ verdict: 'marked', rule: 1, format: 'xz' });
    expect(await scan(pattern.replace('%s', 'trap'))).toMatchObject({ verdict: 'clean', format: 'xz' });
  });

  it('a block whose SHA-256 differs is damage, although it decodes', async () => {
    const b = bytes('memo-trap.txt.xz');
    // The last block's check ends where the index starts (its size, in 4-byte units less one, in the footer).
    const index = b.length - 12 - (new DataView(b.buffer, b.byteOffset).getUint32(b.length - 8, true) + 1) * 4;
    b[index - 1] ^= 1;
    const v = await scan('memo.txt.xz', b);
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/block 4 fails its SHA-256 check/);
  });
});
