import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/other/make.sh: a stamped text in formats the engine does not open.
const DIR = join(__dirname, '../fixtures/archives/other');
const files = readdirSync(DIR).filter((n) => n !== 'make.sh' && !n.startsWith('font.'));

describe('compressed formats not opened here are unscannable, naming the format, never clean', () => {
  it.each(files)('%s', async (name) => {
    expect(await scanBlob(new Blob([readFileSync(join(DIR, name))]), name)).toMatchObject({
      verdict: 'unscannable',
      reason: 'unsupported',
      detail: expect.stringMatching(/lrzip|rzip|bzip3|zchunk|ZPAQ|cramfs|COMPRESS\.EXE|ARC|dar|git bundle|HTML Help|DjVu|virtual disk|KGB|e-book/),
    });
  });

  it('a text that starts like one of their signatures is still text', async () => {
    expect(await scanBlob(new Blob(['PACKING LIST 秘書室\n']), 'list.txt')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob(['# v2 git bundles are described in the manual 秘書室\n']), 'notes.txt')).toMatchObject({ verdict: 'clean' });
    expect(await scanBlob(new Blob(['conectix の設定手順 秘書室\n']), 'notes.txt')).toMatchObject({ verdict: 'clean' });
  });
});

describe('web fonts are passed over as pictures are (the name table of test/fixtures/archives/other/font.*)', () => {
  it.each(['font.woff', 'font.woff2'])('%s → clean', async (name) => {
    expect(await scanBlob(new Blob([readFileSync(join(DIR, name))]), name)).toMatchObject({ verdict: 'clean' });
  });
});

describe('a later piece of an archive cut with coreutils split is unscannable, never clean', () => {
  // split -b N x.7z x.7z. writes x.7z.aa, x.7z.ab…; split -d writes x.7z.00, x.7z.01…: the pieces are byte ranges.
  const archive = readFileSync(join(__dirname, '../fixtures/archives/7z-docx.7z'));
  const piece = archive.subarray(Math.floor(archive.length / 2));
  it.each(['x.7z.ab', 'x.7z.01', 'x.tgz.ac', 'x.zip.00'])('%s', async (name) => {
    expect(await scanBlob(new Blob([piece]), name)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });

  it('x.tar.gz of bytes that are no gzip stays a damaged file, not a piece', async () => {
    expect(await scanBlob(new Blob([piece]), 'x.tar.gz')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('FAT and ext2/3/4 file system images are unscannable, never clean', () => {
  it.each(['fat.img', 'ext4.img'])('%s', async (name) => {
    const bytes = readFileSync(join(__dirname, '../fixtures/archives/diskimg', name));
    expect(await scanBlob(new Blob([bytes]), name)).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', detail: expect.stringMatching(/FAT|ext2/) });
  });
});
