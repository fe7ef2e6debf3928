// PDF red-team round 3 (fixtures in test/fixtures/pdf/round3, made by the tools their README names).
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanBlob } from '../../src/detect/index.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf/round3');
const bytes = (name: string) => readFile(resolve(FIX, name));
const scan = async (name: string) => scanBlob(new Blob([new Uint8Array(await bytes(name))]), name);
const verdict = async (name: string) => (await scan(name)).verdict;

describe('glyphs whose names say which symbol they are, and glyph 0 (round 3 #5, #6, #9)', () => {
  it("TeX's math fonts: CMEX10's sized pieces (summationdisplay, integraltext, parenleftbig) are symbols, not unread text", async () => {
    expect(await verdict('pdflatex-sum-T.pdf')).toBe('clean');
    expect(await verdict('pdflatex-bigparen-T.pdf')).toBe('clean');
    expect(await verdict('lualatex-sum-T.pdf')).toBe('clean');
  });
  it('a pdfLaTeX page with 秘 Confidential and math (∫, ⊗, α) is marked; its 秘書室 twin is clean', async () => {
    expect(await scan('pdflatex-cjk-math-S.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await verdict('pdflatex-cjk-math-T.pdf')).toBe('clean');
  });
  it("matplotlib's Type 3 fonts from IPA fonts, glyphs named by Adobe-Japan1 CID (/aj15), are read through Adobe's table", async () => {
    expect(await verdict('mpl-ipaex-T.pdf')).toBe('clean');
  });
  it('a glyph name nothing knows still leaves its text unread (the same chart with /aj15 renamed /ax15)', async () => {
    expect(await scan('mpl-ipaex-unknown-name-T.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'unsupported' });
  });
  it("Chromium's missing-glyph box (glyph 0, in its Type 3 font /g0 or a CID font's code 0) is no character", async () => {
    expect(await verdict('chromium-tofu-T.pdf')).toBe('clean');
    expect(await verdict('chromium-tofu-stamp-T.pdf')).toBe('clean');
    expect(await scan('chromium-tofu-stamp-S.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
  });
});

describe('padding after %%EOF (round 3 #8: block-padded copies, XMODEM, pre-allocated downloads)', () => {
  const pdf = (name: string) => readFile(resolve(FIX, '..', name));
  const padded = (b: Uint8Array, n: number, byte: number) => new Blob([new Uint8Array(b), new Uint8Array(n).fill(byte)]);
  it('a whole LibreOffice PDF followed by 5,000 NULs or 4,096 Ctrl-Z is read whole: clean stays clean', async () => {
    const trap = await pdf('trap-clean-ja.pdf');
    expect((await scanBlob(padded(trap, 5000, 0), 'x.pdf')).verdict).toBe('clean');
    expect((await scanBlob(padded(trap, 4096, 0x1a), 'x.pdf')).verdict).toBe('clean');
    expect((await scanBlob(padded(trap, 100_000, 0), 'x.pdf')).verdict).toBe('clean');
  });
  it('the stamp file padded so is marked', async () => {
    expect(await scanBlob(padded(await pdf('header-stamp.pdf'), 5000, 0), 'x.pdf')).toMatchObject({ verdict: 'marked' });
  });
  it('a file cut short and then padded is still truncated', async () => {
    const trap = await pdf('trap-clean-ja.pdf');
    expect(await scanBlob(padded(trap.subarray(0, trap.length - 300), 5000, 0), 'x.pdf')).toMatchObject({ verdict: 'unscannable', reason: 'corrupt' });
  });
});

describe('a combo box shows the option chosen, a list box all of them (round 3 #7)', () => {
  it('LibreOffice combo box and drop-down list offering 「秘 Confidential」 with 公開 chosen: clean', async () => {
    expect(await verdict('lo-combobox-T.pdf')).toBe('clean');
    expect(await verdict('lo-dropdown-T.pdf')).toBe('clean');
  });
  it('the same with 「秘 Confidential」 chosen: marked', async () => {
    expect(await verdict('lo-combobox-S.pdf')).toBe('marked');
    expect(await verdict('lo-dropdown-S.pdf')).toBe('marked');
  });
  it('a combo box whose /Opt pairs the chosen export value with the display 「秘 Confidential」 (pdf-lib, no appearance): marked; 秘書室: clean', async () => {
    expect(await scan('pdflib-combo-pairs-S.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'form' } });
    expect(await verdict('pdflib-combo-pairs-T.pdf')).toBe('clean');
  });
  it('a list box (its options on the page) is read whole whatever is chosen', async () => {
    expect(await scan('lo-listbox-public.pdf')).toMatchObject({ verdict: 'marked', location: { area: 'form' } });
  });
});

describe('an annotation appearance with no /Resources is drawn with the page\'s (round 3 #3)', () => {
  it('a Stamp whose appearance uses the page\'s /F1: marked; 秘書室 twin clean', async () => {
    expect(await scan('ap-no-resources-Stamp-S.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await verdict('ap-no-resources-Stamp-T.pdf')).toBe('clean');
  });
  it('a text field (no /V) whose appearance uses the form\'s /DR font: marked; twin clean', async () => {
    expect(await verdict('ap-no-resources-Widget-S.pdf')).toBe('marked');
    expect(await verdict('ap-no-resources-Widget-T.pdf')).toBe('clean');
  });
  it('its font in neither /DR nor the page: unscannable without /V (never a silent clean); with /V the value is read', async () => {
    expect(await scan('ap-no-resources-Widget-nofont-S.pdf')).toMatchObject({ verdict: 'unscannable' });
    expect(await scan('ap-no-resources-Widget-nofont-T.pdf')).toMatchObject({ verdict: 'unscannable' });
    expect(await verdict('ap-no-resources-Widget-nofont-V-S.pdf')).toBe('marked');
    expect(await verdict('ap-no-resources-Widget-nofont-V-T.pdf')).toBe('clean');
  });
});

describe('a line drawn out of order is re-sorted without stray spaces (round 3 #2)', () => {
  it('reportlab + IPAGothic (embedded, with widths): C drawn first, then 秘 left of it, then 「onfidential」: marked; 秘書室 twin clean', async () => {
    expect(await scan('reportlab-c-first-S.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringContaining('秘 Confidential') });
    expect(await verdict('reportlab-c-first-T.pdf')).toBe('clean');
  });
  it('the line drawn glyph by glyph right to left: marked; twin clean', async () => {
    expect(await verdict('reportlab-reverse-glyphs-S.pdf')).toBe('marked');
    expect(await verdict('reportlab-reverse-glyphs-T.pdf')).toBe('clean');
  });
});

describe('a string drawn later inside an earlier line is read in its place (round 3 #1)', () => {
  const pairs: [string, string][] = [
    ['Chromium: a position:relative 秘 badge in 「文書区分: 秘 Confidential」, painted after the body text', 'chromium-badge-relative'],
    ['Chromium: the badge turned by transform: rotate(-8deg)', 'chromium-badge-transform'],
    ['Chromium: the word\'s first letter in a translucent span (秘 <span style="opacity:.9">C</span>onfidential)', 'chromium-opacity-letter'],
    ['Chromium: the end of the word in a positioned span (Confid<span>ential</span>), painted later touching its line', 'chromium-rel-suffix'],
    ['wkhtmltopdf: the turned badge', 'wkhtmltopdf-badge-transform'],
    ['pdf-lib drawText(「秘」) into the blank of a LibreOffice template line 「文書区分:　　　Confidential」', 'pdflib-fillblank'],
    ['qpdf --overlay of a cairo page with 「秘」 into the blank of a cairo template line, the blank a TJ kern (「文書区分:」 [()-3357(Confidential)]; producer hunt prod10)', 'cairo-qpdf-fillblank'],
  ];
  for (const [what, name] of pairs) {
    it(`${what}: marked; 秘書室 twin clean`, async () => {
      expect(await scan(`${name}-S.pdf`)).toMatchObject({ verdict: 'marked', excerpt: expect.stringMatching(/秘 ?Confidential/) });
      expect(await verdict(`${name}-T.pdf`)).toBe('clean');
    });
  }
});

// pypdf-freetext.py: pypdf's FreeText comment has no appearance stream; poppler and Acrobat draw its text in its /Rect.
describe('a FreeText comment with no appearance stream is read where a viewer draws it (producer hunt prod10)', () => {
  it('pypdf: 「Confidential」 beside 「文書区分: 秘」: marked; beside 秘書室 clean', async () => {
    expect(await scan('pypdf-freetext-S.pdf')).toMatchObject({ verdict: 'marked', excerpt: expect.stringMatching(/秘 ?Confidential/) });
    expect(await verdict('pypdf-freetext-T.pdf')).toBe('clean');
  });
});

describe('a line just below and right of another, drawn before it, is read after it (round 3 #4)', () => {
  it('reportlab: 「Confidential」 (10 pt) drawn first under the right edge of a 36-pt 「秘」: marked; 秘書室 twin clean', async () => {
    expect(await verdict('reportlab-diagonal-word-first-S.pdf')).toBe('marked');
    expect(await verdict('reportlab-diagonal-word-first-T.pdf')).toBe('clean');
  });
});
