/**
 * Multi-session ISO images whose later session removed a file (xorriso, test/fixtures/archives/iso-sessions/make.sh):
 * the file is still in the image, in the earlier session's tree, which a reader mounting that session opens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/iso-sessions');
const image = (n: string) => scanBlob(new Blob([gunzipSync(readFileSync(join(DIR, n)))]), n.replace(/\.gz$/, ''));

describe('ISO: files of an earlier session', () => {
  it('a stamped document the second session removed marks the image', async () => {
    expect(await image('xorriso-removed-stamp.iso.gz')).toMatchObject({ verdict: 'marked', rule: 1, format: 'iso', location: { path: ['docs/報告書.docx'] } });
  });

  it('a file named 秘—見積.txt the second session removed marks the image by its name', async () => {
    expect(await image('xorriso-removed-name.iso.gz')).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘—見積.txt' });
  });

  it('a removed document with traps only (秘書室, 社外秘) leaves the image clean', async () => {
    expect(await image('xorriso-removed-trap.iso.gz')).toMatchObject({ verdict: 'clean', format: 'iso' });
  });
});
