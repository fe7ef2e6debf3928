/**
 * Archives refused as damaged although they are not (test/fixtures/archives/odd, make.sh), a gzip
 * comment, and an OPC package that is not an Office document.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/odd');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('archives that are not damaged', () => {
  it.each(['empty_clean.tar', 'gzip_tape_padded_clean.txt.gz', 'nuget_layout_clean.nupkg'])('%s → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('a package that is not an Office document is read as the archive it is, every member', async () => {
    expect(await scan('nuget_layout_ctext.nupkg')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['content/media/readme.txt'] } });
  });

  it('an xz filter this reader lacks is unsupported, not damage; a SHA-256 check is read (xz-sha256.test.ts)', async () => {
    expect(await scan('xz_sha256_check_clean.txt.xz')).toMatchObject({ verdict: 'clean' });
    for (const name of ['xz_x86_filter_clean.txt.xz']) {
      const v = await scan(name);
      expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
      expect(v.verdict === 'unscannable' && v.detail).toMatch(/filter or an integrity check/);
    }
  });

  it('zeros after a gzip stream are padding only when the stream before them is whole', async () => {
    const gz = gzipSync(Buffer.from('秘 Confidential\n'.repeat(50)));
    const pad = new Uint8Array(4096);
    expect(await scanBlob(new Blob([gz, pad]), 'x.txt.gz')).toMatchObject({ verdict: 'marked', rule: 1 });
    // Fewer zeros than a trailer holds (padding to 4 bytes): `gzip -t` says "trailing zero bytes ignored".
    for (const n of [1, 4, 8]) expect(await scanBlob(new Blob([gz, new Uint8Array(n)]), 'x.txt.gz')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(new Blob([gz.subarray(0, gz.length - 3), pad]), 'x.txt.gz')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    expect(await scanBlob(new Blob([gz, pad, new Uint8Array([1])]), 'x.txt.gz')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });

  it("a gzip header's comment is text", async () => {
    const gz = gzipSync(Buffer.from('plain\n'));
    const comment = new TextEncoder().encode('秘 Confidential\0');
    const withComment = new Uint8Array([...gz.subarray(0, 3), gz[3] | 16, ...gz.subarray(4, 10), ...comment, ...gz.subarray(10)]);
    expect(await scanBlob(new Blob([withComment]), 'x.txt.gz')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'comments' } });
  });
});
