/** A ZIP member's Info-ZIP Unicode Path field in its local header only: test/fixtures/archives/zip-local-path/README.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/archives/zip-local-path');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);

describe('ZIP: the Unicode Path field (0x7075) of a local header', () => {
  it('the name bsdtar shows from it is checked by rule 2, though the directory names the member notes.txt', async () => {
    expect(await scan('local-unicode-path-stamp.zip')).toMatchObject({ verdict: 'marked', rule: 2, excerpt: '秘—議事録.txt' });
  });
  it('秘書室—議事録.txt there is clean', async () => {
    expect(await scan('local-unicode-path-trap.zip')).toMatchObject({ verdict: 'clean' });
  });
});
