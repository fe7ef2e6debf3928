import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { AFTER_ARCHIVE } from '../../src/detect/member-names.js';

// test/fixtures/archives/concat/make.sh: archives joined with cat, and text appended to an archive.
const DIR = join(__dirname, '../fixtures/archives/concat');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('bytes after an archive\'s own end are read as a member of their own', () => {
  it.each([
    ['ab-stamp.7z', 'ac-trap.7z'],
    ['ab-stamp.cpio', 'ac-trap.cpio'],
    ['tail-stamp-a.7z', 'tail-trap-a.7z'],
    ['tail-stamp-a.cpio', 'tail-trap-a.cpio'],
    ['tail-stamp-a.iso', 'tail-trap-a.iso'],
    ['tail-stamp-a.zip', 'tail-trap-a.zip'],
  ])('%s is marked; %s (秘書室) is clean', async (stamp, trap) => {
    const v = await scan(stamp);
    expect(v).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(v.verdict === 'marked' && v.location.path[0]).toBe(AFTER_ARCHIVE);
    expect(await scan(trap)).toMatchObject({ verdict: 'clean' });
  });

  it('zero padding after the end (tape blocks) is nothing', async () => {
    const cpio = readFileSync(join(DIR, 'ac-trap.cpio'));
    const padded = new Uint8Array(cpio.length + 4096);
    padded.set(cpio);
    expect(await scanBlob(new Blob([padded]), 'x.cpio')).toMatchObject({ verdict: 'clean' });
  });
});
