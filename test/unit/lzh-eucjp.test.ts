/** LZH member names in EUC-JP (LHa for UNIX): test/fixtures/archives/lzh-eucjp/README.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { archiveExtractor } from '../../src/detect/extract/archive.js';
import { nameReadings } from '../../src/detect/bytes.js';
import { collect } from '../support/extract.js';

const DIR = join(__dirname, '../fixtures/archives/lzh-eucjp');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);

describe('LZH: member names in EUC-JP, with OS ID U (level 2) or no hint (level 0)', () => {
  it.each(['eucjp-h2-name-stamp.lzh', 'eucjp-h0-name-stamp.lzh'])('%s: 秘―見積.txt is marked by its name', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘―見積.txt' });
  });
  it.each(['eucjp-h2-name-trap.lzh', 'eucjp-h0-name-trap.lzh'])('%s: 秘書室―見積.txt is clean, its members named as written', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
    const members = (await collect(archiveExtractor('lzh'), bytes(name))).flatMap((x) => (x.kind === 'member' && !x.nameOnly ? [x.name] : []));
    expect(members).toEqual(['議事録.txt', '秘書室―見積.txt']);
  });
  it('a name is read in each encoding its bytes are valid in, the likeliest first', () => {
    expect(nameReadings(new TextEncoder().encode('秘—x.txt'))).toEqual(['秘—x.txt']);
    const euc = Uint8Array.from([0xc8, 0xeb, 0xa1, 0xbd, 0x78]); // 秘―x in EUC-JP
    expect(nameReadings(euc)[0]).toBe('秘―x');
    const sjis = Uint8Array.from([0x94, 0xe9, 0x81, 0x5c, 0x78]); // 秘―x in Shift_JIS (not EUC-JP)
    expect(nameReadings(sjis)).toEqual(['秘―x']);
  });
});

describe('an LZH header with a Japanese name, damaged (found by mutating marked fixtures, seed 4545)', () => {
  // libarchive checks a header's sum and CRC, but it reads a copy whose names are spelled in ASCII and whose
  // sums are recomputed: a bit flipped in such a header, its name, passed unseen, and the name no longer
  // decoded as EUC-JP or Shift_JIS (秘 lost with it).
  const flipped = (path: string, at: number) => {
    const b = new Uint8Array(readFileSync(join(__dirname, '../fixtures/archives', path)));
    b[at] ^= 0x80;
    return scanBlob(new Blob([b]), 'x.lzh');
  };
  it('level 2, a byte of 見 in 秘―見積.txt: the header fails its CRC, unscannable', async () => {
    expect(await flipped('lzh-eucjp/eucjp-h2-name-stamp.lzh', 100)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('checksum') });
  });
  it('level 0, a byte of 見 in 秘―見積.txt: the name as it still reads (秘― and the rest) is marked', async () => {
    expect(await flipped('lzh-eucjp/eucjp-h0-name-stamp.lzh', 85)).toMatchObject({ verdict: 'marked', rule: 2 });
  });
});
