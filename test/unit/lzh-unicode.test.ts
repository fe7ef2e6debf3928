/** LZH names in UTF-16 beside a CP932 name with '_' (UNLHA32.DLL): test/fixtures/archives/lzh-unicode/README.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { archiveExtractor } from '../../src/detect/extract/archive.js';
import { collect } from '../support/extract.js';

const DIR = join(__dirname, '../fixtures/archives/lzh-unicode');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);

describe('LZH: a name CP932 cannot spell, kept in UTF-16 (extended headers 0x44, 0x45)', () => {
  it.each([
    ['utf16-name-stamp.lzh', '資料/秘—見積.txt'],
    ['utf16-endash-stamp.lzh', '秘–見積.txt'],
  ])('%s: %s is marked by the name Windows shows, not the CP932 one with "_"', async (name, path) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, location: { path: [path] } });
  });

  it('the trap is clean, its members named by their UTF-16 paths and their contents read', async () => {
    expect(await scan('utf16-name-trap.lzh')).toMatchObject({ verdict: 'clean' });
    const members = (await collect(archiveExtractor('lzh'), bytes('utf16-name-trap.lzh'))).flatMap((x) => (x.kind === 'member' && !x.nameOnly ? [x.name] : []));
    expect(members).toEqual(['資料/予定.txt', '資料/秘書室—連絡.txt']);
  });
});
