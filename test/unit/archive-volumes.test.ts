/**
 * Pieces of archives split into volumes (test/fixtures/archives/volumes/make.sh): 7-Zip's volumes of a stored 7z
 * and of a tar, whose bytes read as text; a later volume of GNU tar's multi-volume archive; the last piece of
 * Info-ZIP's split ZIP, whose directory names every member. Each is a piece, never a whole: unscannable, unless
 * a stamp in its bytes or a name it lists marks it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/volumes');
const scan = (n: string) => scanBlob(new Blob([readFileSync(join(DIR, n))]), n);

describe('pieces of archives split into volumes', () => {
  it.each(['7z-copy-stamp.7z.002', '7z-copy-trap.7z.002', '7z-tar-stamp.tar.002', '7z-tar-trap.tar.002'])(
    '%s (7z -v, members stored as they are: the piece reads as text) is unscannable, not clean',
    async (name) => {
      // The stamp is in the third piece: this one holds only the minutes before it.
      expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    },
  );

  it.each(['split-docx.cpio.001', 'split-docx.lha.001'])(
    '%s (split -b 2k -d: the second piece of a cpio or LZH holding a .docx, its deflated bytes) is unscannable, not clean',
    async (name) => {
      expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    },
  );

  it('a later volume of GNU tar -M (its first header continues a file, without the ustar magic) is unscannable', async () => {
    expect(await scan('gnutar-multivolume-trap-3.tar')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', format: 'tar' });
  });

  it('the stamp in the part of the file such a volume holds still marks it', async () => {
    expect(await scan('gnutar-multivolume-stamp-3.tar')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['docs/見積.txt'] } });
  });

  it.each(['infozip-split-name-last.zip', '7z-zip-name.zip.003'])('the last piece of a split ZIP (%s) names its members: a marked name marks it', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['docs/秘―見積.txt'] } });
  });

  it.each(['infozip-split-trap-last.zip', '7z-zip-trap.zip.003'])('the last piece of a split ZIP whose names are clean (%s) is unscannable, saying it is a piece', async (name) => {
    const v = await scan(name);
    expect(v).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
    expect(v.verdict === 'unscannable' && v.detail).toMatch(/split into volumes/);
  });

  it('a piece whose directory lists more entries than a scan reads stops there: unscannable, its names up to there read', async () => {
    // 3 entries, 1 allowed (twice that are walked, as for a whole ZIP's directory): the marked third is not reached.
    const b = readFileSync(join(DIR, 'infozip-split-name-last.zip'));
    expect(await scanBlob(new Blob([b]), 'x.zip', { limits: { maxEntries: 1 } })).toMatchObject({ verdict: 'unscannable', reason: 'too-many-entries' });
    expect(await scanBlob(new Blob([b]), 'x.zip', { limits: { maxEntries: 2 } })).toMatchObject({ verdict: 'marked', rule: 2 });
  });
});
