import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, scanBlob } from '../../src/detect/index.js';
import { extractPdf } from '../../src/detect/extract/pdf.js';
import { brokenWords } from '../../src/detect/extract/pdf-content.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pdf/word-break');
const extractItems = async (name: string) => {
  const texts: string[] = [];
  const ctx = { limits: DEFAULT_LIMITS, depth: 0, fullText: false, checkTime() {}, addExpanded() {}, addEntry() {} };
  for await (const item of extractPdf(new Blob([new Uint8Array(await readFile(resolve(FIX, name)))]), ctx)) if (item.kind === 'text') texts.push(item.text);
  return texts;
};
const verdict = async (name: string) => (await scanBlob(new Blob([new Uint8Array(await readFile(resolve(FIX, name)))]), name)).verdict;

// test/fixtures/pdf/word-break/make.sh: 「秘 Confidential」 in a box narrower than the word, which the producer
// breaks where the box ends with no hyphen (pdftotext: 「秘|Confidentia|l」); the .docx it came from is marked.
describe('a stamp whose word is broken by a narrow box (producer hunt prod9)', () => {
  it.each(['lo-narrow-cell', 'lo-soft-hyphen-cell', 'tcpdf-ipag-cell', 'tcpdf-kozmin-cell', 'weasyprint-break-all', 'lo-calc-wrap-dejavu', 'lo-calc-wrap-serif', 'lo-writer-cell-dejavu'])('%s: the stamp is marked, the 秘書室 twin clean', async (name) => {
    expect(await verdict(`${name}-stamp.pdf`)).toBe('marked');
    expect(await verdict(`${name}-trap.pdf`)).toBe('clean');
  });
  // make-lo-wrap.sh: the cell's first line is 「秘」 alone and the next, 「Con」, is a TJ whose first string 「C」 stands
  // right under it: not a column of one-character strings (縦書き), but the lines a reader sees.
  it('reads a one-character line over a line that starts with one character as two lines, not a column', async () => {
    const text = (await extractItems('lo-calc-wrap-dejavu-stamp.pdf')).join('\n');
    expect(text).toMatch(/秘\s*\nCon\nfide\nntial/);
    expect(text).not.toMatch(/秘Con/);
  });
  it('closes up only a line change between two letters, on a page that has 秘', () => {
    expect(brokenWords('秘\nConfidentia\nl です')).toBe('秘\nConfidential です');
    expect(brokenWords('秘\nＣｏｎｆｉｄ\nｅｎｔｉａｌ')).toBe('秘\nＣｏｎｆｉｄｅｎｔｉａｌ');
    expect(brokenWords('秘 Con-\nfidential')).toBe('秘 Confidential');
    expect(brokenWords('秘 Con--\nfidential')).toBe('');
    expect(brokenWords('秘 Con \nfidential')).toBe('');
    expect(brokenWords('社外 Confidentia\nl')).toBe('');
    expect(brokenWords('秘\nCon-\n\uFB01den-\ntial')).toBe('秘\nCon\uFB01dential');
  });
});

// make-tex.sh: TeX hyphenates the word in a narrow box over three lines or more (「Con-」 / 「ﬁden-」 / 「tial」), and
// dvipdfmx maps the fi ligature to U+FB01; pdftotext gives 「Conﬁdential」.
describe('a stamp hyphenated by TeX around a ligature (producer hunt prod10)', () => {
  it.each(['platex-parbox', 'uplatex-column'])('%s: the stamp is marked, the 秘書室 twin clean', async (name) => {
    expect(await verdict(`${name}-stamp.pdf`)).toBe('marked');
    expect(await verdict(`${name}-trap.pdf`)).toBe('clean');
  });
});
