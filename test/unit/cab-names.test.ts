/** CAB members named in CP932, with or without the UTF-8 flag: test/fixtures/archives/cab-names/README.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/cab-names');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('CAB: CP932 names, flagged UTF-8 by gcab or unflagged as makecab writes them', () => {
  it.each(['gcab-cp932-name-stamp.cab', 'noflag-cp932-name-stamp.cab'])('%s: 秘―計画.txt is marked by its name', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘―計画.txt' });
  });
  it.each(['gcab-cp932-name-trap.cab', 'noflag-cp932-name-trap.cab'])('%s: 秘書室―計画.txt is read and clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });
  it("a member whose CP932 name carries gcab's UTF-8 flag is read: the stamp in it marks the cabinet", async () => {
    expect(await scan('gcab-cp932-text-stamp.cab')).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['./秘書室―計画.txt'] } });
  });
});
