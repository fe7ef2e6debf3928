import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanBlob } from '../../src/detect/index.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf/tracked');
const verdict = async (name: string) => (await scanBlob(new Blob([new Uint8Array(await readFile(resolve(FIX, name)))]), name)).verdict;

// test/fixtures/pdf/tracked/make.sh: pango-view (cairo) letter-spaces 「Confidential」 by about a quarter em, one TJ of one glyph
// per string with kerns of -208 to -271; pdftotext gives 「Con fid en tial」 / 「Confid ential」, the page the evenly tracked word.
describe('a word letter-spaced by cairo in one TJ (producer hunt prod10)', () => {
  it.each(['serif-3000', 'sans-2750'])('pango %s: the stamp is marked, the 秘書室 and 社外 twins clean', async (name) => {
    expect(await verdict(`pango-${name}-stamp.pdf`)).toBe('marked');
    expect(await verdict(`pango-${name}-trap.pdf`)).toBe('clean');
    expect(await verdict(`pango-${name}-trap2.pdf`)).toBe('clean');
  });
});
