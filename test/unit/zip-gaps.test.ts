/**
 * Bytes a ZIP's central directory does not list (test/fixtures/archives/zip-gaps/make.py): a local entry
 * before or between the listed ones (7-Zip lists the first kind, streaming readers extract both) is read
 * as a member, text between members is read as it is; archives whose members all lie end to end (data
 * descriptors, ZIP64) have no such bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Zip, ZipPassThrough, ZipDeflate, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { readZipDirectory, unlistedRanges } from '../../src/detect/extract/zip-reader.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';

const DIR = join(__dirname, '../fixtures/archives/zip-gaps');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
const ctx = { limits: DEFAULT_LIMITS, checkTime: () => undefined, addEntry: () => undefined } as unknown as Parameters<typeof readZipDirectory>[1];
const gaps = async (bytes: Uint8Array<ArrayBuffer>) => {
  const blob = new Blob([bytes]);
  return unlistedRanges(blob, await readZipDirectory(blob, ctx));
};

describe('bytes the central directory does not list', () => {
  it.each(['hidden-first', 'hidden-between'])('an unlisted local entry (%s) is read as its own member: the stamp marks it, 秘書室 stays clean', async (kind) => {
    expect(await scan(`gap-${kind}-stamp.zip`)).toMatchObject({ verdict: 'marked', rule: 1, location: { path: ['notes.txt'] } });
    expect(await scan(`gap-${kind}-trap.zip`)).toMatchObject({ verdict: 'clean' });
  });

  it('text between two members is read as it is', async () => {
    expect(await scan('gap-text-stamp.zip')).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scan('gap-text-trap.zip')).toMatchObject({ verdict: 'clean' });
  });

  it('members written end to end leave none: data descriptors (fflate streaming), ZIP64, stored and deflated', async () => {
    const parts: Uint8Array[] = [];
    const zip = new Zip((err, chunk) => {
      if (err) throw err;
      parts.push(chunk);
    });
    for (const [name, Kind] of [['a.txt', ZipDeflate], ['b.bin', ZipPassThrough], ['c.txt', ZipDeflate]] as const) {
      const f = new Kind(name);
      zip.add(f);
      f.push(strToU8('来週の定例は水曜。\n'.repeat(50)), true);
    }
    zip.end();
    expect(await gaps(new Uint8Array(Buffer.concat(parts)))).toEqual([]);
    const office = join(__dirname, '../fixtures/office/archives');
    for (const name of ['zip64.zip', 'stored.zip', 'cp932-names.zip']) expect(await gaps(readFileSync(join(office, name)))).toEqual([]);
  });
});
