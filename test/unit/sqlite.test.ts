/**
 * SQLite databases (test/fixtures/archives/sqlite/make.py): a long value runs on into overflow pages,
 * each starting with the next page's number, so a stamp across a page boundary is in no run of the
 * file's bytes. The value is put back together and read; the twin with 秘書室 stays clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/sqlite');
const bytes = (name: string) => readFileSync(join(DIR, name));

describe('SQLite: values that run on across pages', () => {
  it('a stamp split by a page boundary is found; 秘書室 the same way stays clean', async () => {
    const stamped = bytes('overflow-stamp.db');
    expect(stamped.includes(Buffer.from('秘 Confidential'))).toBe(false); // split in the file, as made
    expect(await scanBlob(new Blob([stamped]), 'memo.db')).toMatchObject({ verdict: 'marked', rule: 1, format: 'sqlite' });
    expect(await scanBlob(new Blob([bytes('overflow-twin.db')]), 'memo.db')).toMatchObject({ verdict: 'clean' });
  });

  it('a broken overflow chain is unscannable, never clean', async () => {
    const b = Buffer.from(bytes('overflow-twin.db'));
    // Page 1 is the schema, page 2 the table's leaf with the row; from page 3 on, the value's overflow pages.
    for (let page = 2; page * 1024 < b.length; page++) b.writeUInt32BE(0x7fffffff, page * 1024); // each link points nowhere
    expect(await scanBlob(new Blob([b]), 'memo.db')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});
