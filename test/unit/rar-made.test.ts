/**
 * RAR archive comments and encrypted headers: archives written to RAR's published layouts by
 * test/fixtures/archives/rar-made/make.py (no RAR writer is packaged here); see its README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { archiveExtractor } from '../../src/detect/extract/archive.js';
import { collect } from '../support/extract.js';

const DIR = join(__dirname, '../fixtures/archives/rar-made');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);

describe('RAR archive comments, which unrar, WinRAR and 7-Zip show above the list of files', () => {
  it.each(['rar5-comment-stamp.rar', 'rar4-comment-stamp.rar', 'rar29-comment-stamp.rar'])('%s: the stamp in the comment marks the archive', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1, location: { path: [], area: 'comments' } });
  });
  it.each(['rar5-comment-trap.rar', 'rar4-comment-trap.rar', 'rar29-comment-trap.rar'])('%s: 秘書室 Confidential in the comment is read, and clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
    const texts = (await collect(archiveExtractor('rar'), bytes(name))).flatMap((x) => (x.kind === 'text' ? [x.text] : []));
    expect(texts.join('')).toContain('秘書室 Confidential の連絡先は別紙');
  });
});

describe('a RAR comment that cannot be decoded', () => {
  it('is unscannable at comments (compressed and damaged); the member beside it is still read', async () => {
    expect(await scan('rar5-comment-damaged.rar')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('archive comment') });
    const members = (await collect(archiveExtractor('rar'), bytes('rar5-comment-damaged.rar'))).flatMap((x) => (x.kind === 'member' && !x.nameOnly ? [x.name] : []));
    expect(members).toEqual(['議事録.txt']);
  });
});

describe('a stored RAR comment damaged on disk (one bit flipped: its CRC fails)', () => {
  // libarchive does not check a stored member's CRC: the comment read as 「秘 Gonfidential」 and was clean.
  it.each(['rar5-comment-stamp-flipped.rar', 'rar4-comment-stamp-flipped.rar', 'rar29-comment-stamp-flipped.rar'])('%s: unscannable (corrupt) at comments, not clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('archive comment fails its CRC'), location: { area: 'comments' } });
  });
});

describe("a RAR whose main header fails its CRC (7-Zip: 'Cannot open the file as archive')", () => {
  // libarchive stops before the first member with no error message (bsdtar: "(null)"): the archive read as empty.
  it.each([
    ['rar4-comment-stamp.rar', 13], // the high byte of HEAD_SIZE (found by mutating, seed 3131)
    ['rar4-comment-trap.rar', 13],
    ['rar5-comment-stamp.rar', 12], // a byte of the main header's data
  ])('%s with byte %i flipped: unscannable (corrupt), not clean', async (name, at) => {
    const b = new Uint8Array(bytes(name));
    b[at] ^= 0x40;
    expect(await scanBlob(new Blob([b]), name)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('RAR with encrypted headers (rar -hp)', () => {
  it.each(['rar5-headers-encrypted.rar', 'rar4-headers-encrypted.rar'])('%s: unscannable as encrypted, not as damaged', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'unscannable', reason: 'encrypted' });
  });
});
