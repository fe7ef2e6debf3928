/**
 * Word's hyphen elements inside a word (test/fixtures/hyphens, LibreOffice's docx): a non-breaking hyphen
 * shows (「Confi‑dential」 is no stamp), a soft hyphen does not (「Confi­dential」 is the word).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const scan = (n: string) => scanBlob(new Blob([readFileSync(join(__dirname, '../fixtures/hyphens', n))]), n, {});

describe('hyphens inside Confidential', () => {
  it('<w:noBreakHyphen/> shows a hyphen: clean', async () => {
    expect(await scan('nonbreaking-trap.docx')).toMatchObject({ verdict: 'clean' });
  });
  it('<w:softHyphen/> shows nothing mid-line: marked', async () => {
    expect(await scan('soft.docx')).toMatchObject({ verdict: 'marked', rule: 1, excerpt: expect.stringContaining('秘 Confidential') });
  });
});
