import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, scanBlob } from '../../src/detect/index.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf/vertical-ruby');
const bytes = async (name: string) => new Blob([new Uint8Array(await readFile(resolve(FIX, name)))]);
const pageText = async (name: string) => {
  const texts: string[] = [];
  const ctx = { limits: DEFAULT_LIMITS, depth: 0, fullText: false, checkTime() {}, addExpanded() {}, addEntry() {} };
  for await (const item of extractPdf(await bytes(name), ctx)) if (item.kind === 'text' && item.where.page) texts.push(item.text);
  return texts.join('\n');
};

// test/fixtures/pdf/vertical-ruby/make.sh: LibreOffice 7.4 prints a 縦書き page whose 「秘」 or 「Confidential」 carries
// ruby (furigana). It draws the reading (6 pt) right of the column just before its base (10.5 pt upright 秘, 12 pt
// turned Latin), so in drawing order the reading stood between 秘 and Confidential, or was read into 秘's line
// (「ひ 秘」/「秘ひ」): clean, though the page shows 秘 Confidential down the column with the reading beside it.
describe('ruby over the stamp in 縦書き, as LibreOffice prints it (jp12)', () => {
  it.each(['hi', 'word', 'both'])('lo-vertical-ruby-%s: the stamp is marked, the 秘書室 twin clean', async (name) => {
    expect((await scanBlob(await bytes(`lo-vertical-ruby-${name}-stamp.pdf`), 'x.pdf')).verdict).toBe('marked');
    expect((await scanBlob(await bytes(`lo-vertical-ruby-${name}-trap.pdf`), 'x.pdf')).verdict).toBe('clean');
  });
  // make-tex.sh: upLaTeX (pxrubrica) + dvipdfmx and LuaLaTeX (luatexja-ruby) set the reading beside the column too;
  // LuaLaTeX draws it after 秘, where it was given after 秘's line, before the turned 「Confidential」.
  it.each(['up-tate-ruby-hi', 'up-tate-ruby-both', 'lua-tate-ruby-hi', 'lua-tate-ruby-both'])('tex-%s: the stamp is marked, the 秘書室 twin clean', async (name) => {
    expect((await scanBlob(await bytes(`tex-${name}-stamp.pdf`), 'x.pdf')).verdict).toBe('marked');
    expect((await scanBlob(await bytes(`tex-${name}-trap.pdf`), 'x.pdf')).verdict).toBe('clean');
  });
  // make-tex.sh: pxrubrica's \kenten in upLaTeX's 縦書き draws the sesame as 「、」 (larger than the text) right of 秘,
  // before it; the trap has a real 「、」 after 秘, below it in the column.
  it('tex-up-tate-kenten: 傍点 over 秘 is marked, a comma after 秘 stays clean', async () => {
    expect((await scanBlob(await bytes('tex-up-tate-kenten-stamp.pdf'), 'x.pdf')).verdict).toBe('marked');
    expect((await scanBlob(await bytes('tex-up-tate-kenten-trap.pdf'), 'x.pdf')).verdict).toBe('clean');
  });
  // make-tex.sh: pxrubrica under LuaLaTeX: LuaTeX-ja draws each upright character as its own string, and the sesame
  // 「︑」 (larger than the text) in that column, right of 秘 and before it.
  it('tex-lua-tate-kenten: 傍点 beside a column of one-character strings is set aside; a comma after 秘 stays clean', async () => {
    expect((await scanBlob(await bytes('tex-lua-tate-kenten-stamp.pdf'), 'x.pdf')).verdict).toBe('marked');
    expect((await scanBlob(await bytes('tex-lua-tate-kenten-trap.pdf'), 'x.pdf')).verdict).toBe('clean');
  });
  it('gives a reading beside the column after the turned word that goes on down it', async () => {
    const text = await pageText('tex-lua-tate-ruby-hi-stamp.pdf');
    expect(text).toMatch(/秘\nConfidential/);
    expect(text).not.toMatch(/秘\nひ\nConfidential/);
  });
  it('reads a reading drawn before its base as a line of its own, not as part of the column', async () => {
    const text = await pageText('lo-vertical-ruby-hi-stamp.pdf');
    expect(text).toMatch(/ひ\n秘\n/);
    expect(text).not.toMatch(/秘ひ/);
  });
});
