/**
 * Member names as archives store them (test/fixtures/archives/names, make.sh): CP932 bytes from a
 * Japanese system, in tar, cpio, ISO Rock Ridge, CAB and 7z (as 7-Zip on Linux escapes them); and names that are links. Each was clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/names');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('member names in CP932, and link names', () => {
  it.each([
    ['tar_gnu_cp932_name.tar', '秘―計画.txt'],
    ['tar_posix_cp932_name.tar', '秘―計画.txt'],
    ['cpio_newc_cp932_name.cpio', '秘―計画.txt'],
    ['iso_rockridge_cp932_name.iso', '秘―計画.txt'],
    ['gcab_cp932_name.cab', '秘―計画.txt'],
    // 7-Zip on Linux keeps the bytes as U+EF80–U+EFFF in a 7z and writes them back on extraction.
    ['7zz_sjis_name.7z', '秘―計画.txt'],
    ['7zz_eucjp_name.7z', '秘―計画.txt'],
    ['tar_hardlink_name.tar', '秘—写し.txt'],
    ['tar_symlink_name.tar', '秘—リンク.txt'],
  ])('%s → marked by the name %s', async (file, name) => {
    const v = await scan(file);
    expect(v).toMatchObject({ verdict: 'marked', rule: 2 });
    expect(v.verdict === 'marked' && v.location.path.at(-1)).toMatch(new RegExp(`${name}$`));
  });

  it('a CP932 name without a mark is clean', async () => {
    expect(await scan('tar_gnu_cp932_clean.tar')).toEqual(expect.objectContaining({ verdict: 'clean' }));
    expect(await scan('7zz_trap_name.7z')).toEqual(expect.objectContaining({ verdict: 'clean' }));
  });
});
