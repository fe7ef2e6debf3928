import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/tar-meta/make.sh: a file's extended attributes, a pax comment, GNU tar's volume label, sparse members.
const DIR = join(__dirname, '../fixtures/archives/tar-meta');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('text a tar carries besides its members is read', () => {
  it.each(['xattr-gnu', 'xattr-bsd', 'pax-comment', 'volume-label'])('%s: the stamp marks it, 秘書室 stays clean', async (kind) => {
    expect(await scan(`${kind}-stamp.tar`)).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'properties' } });
    expect(await scan(`${kind}-trap.tar`)).toMatchObject({ verdict: 'clean' });
  });
});

describe('a GNU sparse file (tar --sparse, GNU tar\'s own format) is read: its name and its stored pieces', () => {
  it('「秘—」 marks it (rule 2), 秘書室 leaves it clean', async () => {
    expect(await scan('sparse-name-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await scan('sparse-name-trap.tar')).toMatchObject({ verdict: 'clean' });
  });

  it('a stamp in the last of nine pieces, whose map runs on in a block after the header, marks it; 秘書室 there stays clean', async () => {
    expect(await scan('sparse-pieces-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['disk.img'] } });
    expect(await scan('sparse-pieces-trap.tar')).toMatchObject({ verdict: 'clean' });
  });
});

describe('a GNU incremental archive (tar -g), whose headers keep times where ustar keeps its name prefix', () => {
  it('names its members as tar lists them (d/memo.txt), not under the time read as a folder', async () => {
    expect(await scan('incremental-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['d/memo.txt'] } });
  });
});

describe('an ISO image\'s own titles (volume, publisher, application ids) are read', () => {
  const iso = (name: string) => scanBlob(new Blob([readFileSync(join(__dirname, '../fixtures/archives/iso-ids', name))]), name);
  it.each(['volume-id', 'publisher'])('%s: the stamp marks it, 秘書室 stays clean', async (kind) => {
    expect(await iso(`${kind}-stamp.iso`)).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'properties' } });
    expect(await iso(`${kind}-trap.iso`)).toMatchObject({ verdict: 'clean' });
  });

  it('each id is read on its own, as isoinfo -d shows it under its own label: 「資料 社外秘」 and a publisher 「Confidential Corp」 stay clean', async () => {
    expect(await iso('ids-apart-trap.iso')).toMatchObject({ verdict: 'clean' });
  });

  it('a file only the Joliet tree lists (genisoimage -hide: out of the primary tree libarchive reads) is read from its extent; 秘書室 stays clean', async () => {
    expect(await iso('joliet-only-stamp.iso')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['notes.zip', 'notes.txt'] } });
    expect(await iso('joliet-only-trap.iso')).toMatchObject({ verdict: 'clean' });
  });

  it.each(['boot-image', 'hidden-file'])('%s: text in sectors no directory names is found by the byte search; 秘書室 stays clean', async (kind) => {
    expect(await iso(`${kind}-stamp.iso`)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await iso(`${kind}-trap.iso`)).toMatchObject({ verdict: 'clean' });
  });
});
