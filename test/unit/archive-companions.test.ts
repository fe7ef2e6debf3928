/**
 * Files that travel with documents in archives (macOS's AppleDouble companions, Office's owner files), a
 * later volume of a RAR set, a ZIP member's second name and EUC-JP names, and bytes named .txt that are
 * no text: test/fixtures/archives/companions/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/companions');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('archives as real folders hold them', () => {
  it("a ZIP macOS Finder made (AppleDouble companions beside each document) is read, not refused", async () => {
    expect(await scan('macos-finder-appledouble-trap.zip')).toMatchObject({ verdict: 'clean' });
    expect(await scan('macos-finder-comment-stamp.zip')).toMatchObject({ verdict: 'marked' });
    expect(await scan('macos-finder-comment-trap.zip')).toMatchObject({ verdict: 'clean' });
  });
  it("a folder zipped while a document was open (Word's ~$ owner file) is read, not refused", async () => {
    expect(await scan('word-owner-file-trap.zip')).toMatchObject({ verdict: 'clean' });
  });
  it('a later volume of a RAR set, known by its name or its header, is unscannable, its members still named', async () => {
    expect(await scan('rar5-continued-trap-name.part2.rar')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported', detail: expect.stringContaining('split into volumes') });
    for (const name of ['rar5-continued-stamp-name.part2.rar', 'rar5-later-volume-renamed.rar']) {
      expect(await scan(name), name).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘—議事録.txt' });
    }
  });
  it('RAR 4 names in CP932 without the Unicode flag are read as CP932; a stored member failing its CRC is unscannable', async () => {
    expect(await scan('rar4-cp932-name-stamp.rar')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('rar4-cp932-name-trap.rar')).toMatchObject({ verdict: 'clean' });
    for (const name of ['rar4-stored-bad-crc.rar', 'rar5-stored-bad-crc.rar']) {
      expect(await scan(name), name).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('CRC') });
    }
  });
  it("a ZIP member's header name is checked too when its Unicode Path field says another", async () => {
    expect(await scan('zip-header-name-stamp-unicode-path-other.zip')).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘—計画.txt' });
    expect(await scan('zip-header-name-trap-unicode-path-other.zip')).toMatchObject({ verdict: 'clean' });
  });
  it('EUC-JP member names (Info-ZIP on a Unix system) are read as EUC-JP', async () => {
    expect(await scan('infozip-eucjp-name-stamp.zip')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('infozip-eucjp-name-trap.zip')).toMatchObject({ verdict: 'clean' });
  });
  it("a pax global header's path and an ISO file's Joliet name are names too (GNU tar, 7-Zip and Windows show them)", async () => {
    expect(await scan('pax-global-path-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('pax-global-path-trap.tar')).toMatchObject({ verdict: 'clean' });
    expect(await scan('iso-joliet-name-stamp.iso')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('iso-joliet-name-trap.iso')).toMatchObject({ verdict: 'clean' });
  });
  it("a member's marked name is found even when its data cannot be read (an unknown filter, damage)", async () => {
    expect(await scan('7z-arm64-filter-stamp-name.7z')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('7z-arm64-filter-trap-name.7z')).toMatchObject({ verdict: 'unscannable' });
    expect(await scan('cab-damaged-stamp-name.cab')).toMatchObject({ verdict: 'marked', rule: 2 });
  });
  it('bytes named .txt that are no text are also searched as bytes', async () => {
    expect(await scan('binary-stamp-named.txt')).toMatchObject({ verdict: 'marked' });
    expect(await scan('binary-trap-named.txt')).toMatchObject({ verdict: 'clean' });
  });
});
