/**
 * A tall worksheet read whole for designated keywords (red team documents round 5 #5; fixtures in
 * test/fixtures/tall-sheet): the worksheet streams through as it inflates, a run of rows at a time, and is
 * never read whole (its markup, decoded and copied as text, took GBs for a million rows). The stamp split
 * over the last row's cells is still found, its trap (秘書室) still clean, and every text is whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';
import { XlsxBook } from '../../src/detect/extract/xlsx.js';
import { openZip, type ZipArchive } from '../../src/detect/extract/zip-reader.js';
import { CHUNK_CHARS } from '../../src/detect/text-chunks.js';
import { markupStampHits } from '../../src/detect/extract/xml-text.js';
import { testContext } from '../support/extract.js';

const DIR = join(__dirname, '../fixtures/tall-sheet');
const blob = (name: string) => new Blob([readFileSync(join(DIR, name))]);
const KEYWORDS = { designated: { keywords: ['存在しない語'] } };
const SHEET = 'xl/worksheets/sheet1.xml';

/** The package, with the parts read whole (read or text) noted. */
async function watched(name: string, ctx: ReturnType<typeof testContext>): Promise<{ zip: ZipArchive; whole: string[] }> {
  const zip = await openZip(blob(name), ctx);
  const whole: string[] = [];
  return {
    whole,
    zip: {
      ...zip,
      read: (n) => (whole.push(n), zip.read(n)),
      text: (n) => (whole.push(n), zip.text(n)),
    },
  };
}

describe('a tall worksheet read with designated keywords', () => {
  it('is marked by the stamp split over its last row; the trap stays clean', async () => {
    expect(await scanBlob(blob('m_xw-tall-rows-split-last.xlsx'), 'm.xlsx', KEYWORDS)).toMatchObject({ verdict: 'marked', rule: 1 });
    expect(await scanBlob(blob('k_xw-tall-rows-split-last-trap.xlsx'), 'k.xlsx', KEYWORDS)).toMatchObject({ verdict: 'clean' });
  });

  it('streams the worksheet (never read whole) and hands on its text in chunks, all of it', async () => {
    const ctx = testContext({ fullText: true });
    const { zip, whole } = await watched('m_xw-tall-rows-split-last.xlsx', ctx);
    const book = new XlsxBook(zip, new Map([[SHEET, '台帳']]), ctx);
    const texts: string[] = [];
    for await (const x of book.worksheet(SHEET)) if (x.kind === 'text') texts.push(x.text);
    expect(whole).not.toContain(SHEET);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(CHUNK_CHARS);
    const all = texts.join('');
    expect(all).toContain('記録 0000000 設計部 出荷番号 A-00000');
    expect(all).toContain('記録 0029998 設計部');
    expect(texts.some((t) => /秘 Confidential/.test(t))).toBe(true);
  });
});

describe('a tall worksheet whose producer writes every non-ASCII character as a reference', () => {
  it('is marked by 秘 (&#31192;) beside Confidential in its last row; the trap stays clean', async () => {
    for (const opts of [{}, KEYWORDS]) {
      expect(await scanBlob(blob('m_opx-tall-rows-charrefs.xlsx'), 'm.xlsx', opts)).toMatchObject({ verdict: 'marked', rule: 1 });
      expect(await scanBlob(blob('k_opx-tall-rows-charrefs-trap.xlsx'), 'k.xlsx', opts)).toMatchObject({ verdict: 'clean' });
    }
  });

  it('reads around the references to 秘 only, not around every cell', async () => {
    const ctx = testContext();
    const { zip } = await watched('m_opx-tall-rows-charrefs.xlsx', ctx);
    const book = new XlsxBook(zip, new Map([[SHEET, '台帳']]), ctx);
    let chars = 0;
    for await (const x of book.worksheet(SHEET)) if (x.kind === 'text') chars += x.text.length;
    // 30,000 rows of text (over a million characters); the windows around the one 秘 are a few hundred.
    expect(chars).toBeGreaterThan(0);
    expect(chars).toBeLessThan(5000);
  });

  it('takes a character reference for a possible stamp only when it spells 秘 or ㊙, or is cut off', () => {
    const hits = (s: string) => markupStampHits(new TextEncoder().encode(s)).length;
    expect(hits('<t>&#31192;</t>')).toBe(1);
    expect(hits('<t>&#x79D8;</t><t>&#X79d8;</t><t>&#0031192;</t><t>&#x3299;</t><t>&#12953;</t>')).toBe(5);
    expect(hits('<t>&#35352;&#37682; &#x8a18; &#38;</t>')).toBe(0);
    expect(hits('<t>&#3119')).toBe(1); // the rest in the next chunk
    expect(hits('<t>&#99999999999999999999;')).toBe(0);
  });
});
