import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

// test/fixtures/archives/tar-types/make.py (Python's tarfile writes the headers).
const DIR = join(__dirname, '../fixtures/archives/tar-types');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('a tar member of a type tar does not know is read as a file, as GNU tar and libarchive extract it', () => {
  it.each(['9', 'Z'])("type '%s': the stamp in its data marks it, 秘書室 stays clean", async (type) => {
    expect(await scan(`type-${type}-stamp.tar`)).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['notes.txt'] } });
    expect(await scan(`type-${type}-trap.tar`)).toMatchObject({ verdict: 'clean' });
  });
});

describe("the older pax extended header 'X' (Solaris tar) is read as 'x' is", () => {
  it('its path names the next member (rule 2): 「秘—」 marks it, 秘書室— does not', async () => {
    expect(await scan('solaris-x-name-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 2, location: { path: ['秘—見積.txt'] } });
    expect(await scan('solaris-x-name-trap.tar')).toMatchObject({ verdict: 'clean' });
  });

  it('its comment is read as the archive’s properties', async () => {
    expect(await scan('solaris-x-comment-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 1, location: { area: 'properties' } });
    expect(await scan('solaris-x-comment-trap.tar')).toMatchObject({ verdict: 'clean' });
  });
});

describe('a pax `size` stands for the size field of the member after it, as GNU tar, libarchive and tarfile take it', () => {
  it('the member whose own field says 0 is read whole: the stamp marks it, 秘書室 stays clean', async () => {
    expect(await scan('pax-size-stamp.tar')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['notes.txt'] } });
    expect(await scan('pax-size-trap.tar')).toMatchObject({ verdict: 'clean' });
  });
});

describe('a pax header\'s comment and extended attributes are read each on its own, as a file manager shows them', () => {
  it('「社外秘」 ending the comment and 「Confidential draft」 as the file\'s comment attribute stay clean', async () => {
    expect(await scan('pax-fields-apart-trap.tar')).toMatchObject({ verdict: 'clean' });
  });
});

describe('an extended header or a long name overwritten by zeros (found by mutating marked fixtures, seed 7707)', () => {
  // No writer makes a pax header or a GNU long name of nothing but zeros: what it said (a comment with the
  // stamp, the name 秘—long.txt) is lost, and the member was read as if it had none. bsdtar: "Ignoring
  // malformed pax extended attributes", "Archive entry has empty or unreadable filename".
  const zeroed = (path: string, from: number, to: number) => {
    const b = new Uint8Array(readFileSync(join(__dirname, '../fixtures', path)));
    b.fill(0, from, to);
    return scanBlob(new Blob([b]), 'x.tar');
  };
  it.each(['solaris-x-comment-stamp.tar', 'solaris-x-comment-trap.tar'])('%s, its extended header’s records zeroed: unscannable', async (name) => {
    expect(await zeroed(`archives/tar-types/${name}`, 512, 1024)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('pax') });
  });
  it('gnu-longname.tar, the long name’s data zeroed: unscannable', async () => {
    expect(await scanBlob(new Blob([readFileSync(join(__dirname, '../fixtures/office/archives/gnu-longname.tar'))]), 'x.tar')).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(await zeroed('office/archives/gnu-longname.tar', 1536, 2048)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('long name') });
  });
});
