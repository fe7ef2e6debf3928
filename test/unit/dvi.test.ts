/**
 * TeX's DVI output (extract/dvi.ts), made by pLaTeX, upLaTeX and LaTeX with T1 fonts (test/fixtures/dvi/make.sh):
 * read page by page as xdvi and dvipdfmx show it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { fuzz } from '../support/fuzz.js';

const DIR = join(__dirname, '../fixtures/dvi');
const bytes = (name: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(join(DIR, name))) as Uint8Array<ArrayBuffer>;
const scan = (name: string, data: Uint8Array<ArrayBuffer> = bytes(name)) => scanBlob(new Blob([data]), name);

describe('DVI: characters by their font, moves as spaces and lines', () => {
  it.each([
    ['platex-stamp.dvi', 1], // 秘 as its JIS code 48 6B, the fi of Confidential as OT1's slot 0x0C
    ['uplatex-stamp.dvi', 1], // 秘 as its code point
    ['uplatex-t1-stamp.dvi', 1], // T1's fi at 0x1C
    ['platex-vertical-stamp.dvi', 1], // tarticle: pTeX's dir command
    ['platex-two-pages-stamp.dvi', 2],
  ])('%s → marked on page %i', async (name, page) => {
    const r = await scan(name);
    expect(r).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp', excerpt: expect.stringContaining('秘 Confidential'), location: { page } });
  });

  it.each(['platex-trap.dvi', 'uplatex-trap.dvi'])('%s (秘書室, 社外秘, 秘密保持契約書, Confidential alone) → clean', async (name) => {
    expect((await scan(name)).verdict).toBe('clean');
  });

  it('a DVI cut short, or with a command TeX never writes, is unscannable', async () => {
    const dvi = bytes('platex-stamp.dvi');
    expect(await scan('cut.dvi', dvi.slice(0, Math.floor(dvi.length / 2)))).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
    const bop = dvi.indexOf(139, 15); // the first page's bop, after the preamble's comment
    const bad = dvi.slice();
    bad[bop + 45] = 250; // the first command of the page: undefined
    expect(await scan('bad.dvi', bad)).toMatchObject({ verdict: 'unscannable', reason: 'corrupt', detail: expect.stringContaining('undefined command') });
  });

  it('no mutant crashes the scan or outlives it; none in the preamble is clean', async () => {
    const dvi = bytes('uplatex-stamp.dvi');
    // The first 10 bytes say what the file is (without them it is an unknown binary); the pages carry no
    // checksum: a flip there may change a character, a font or a move.
    await fuzz(dvi, { name: 'page.dvi', exclude: (at) => at < 10 || at >= dvi.indexOf(139, 15), excludeCut: (length) => length < 10 });
  });
});
