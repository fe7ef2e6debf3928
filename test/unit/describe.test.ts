/** describeLocation: where a verdict was found, in Japanese and English, in the dialog's words (src/detect/describe.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLocation, scanBlob } from '../../src/detect/index.js';
import { AREA_WORDS, whereWords } from '../../src/detect/describe.js';
import { AFTER_ARCHIVE, BEFORE_ARCHIVE, SIGNED_CONTENT, UNLISTED_IN_ZIP, databaseValue, embeddedObject, encodedInText, mailboxMessage } from '../../src/detect/member-names.js';
import type { Location } from '../../src/detect/types.js';

const OFFICE = join(__dirname, '../fixtures/office');
const locationOf = async (n: string) => {
  const r = await scanBlob(new Blob([readFileSync(join(OFFICE, n))]), n);
  if (r.verdict === 'clean') throw new Error(`${n} is clean`);
  return r.location;
};

describe('describeLocation', () => {
  it('nothing to say', () => {
    expect(describeLocation(undefined)).toBe('');
    expect(describeLocation({ path: [] })).toBe('');
    expect(describeLocation({ path: [] }, 'en')).toBe('');
  });
  // The admin's words are the dialog's (one home, describe.ts), without part paths or area keys.
  it.each([
    [{ path: [], page: 3 }, '3ページ目', 'page 3'],
    [{ path: [], page: 2, part: '4 0 R', area: 'body' }, '2ページ目', 'page 2'],
    [{ path: [], sheet: '明細', cell: 'C3', part: 'xl/sharedStrings.xml', area: 'cells' }, 'シート「明細」のセル C3', 'cell C3 of sheet “明細”'],
    [{ path: [], sheet: 'Data' }, 'シート「Data」', 'sheet “Data”'],
    [{ path: [], sheet: 'Sheet1', area: 'header/footer' }, 'シート「Sheet1」のヘッダーまたはフッター', 'header or footer of sheet “Sheet1”'],
    [{ path: [], sheet: 'Data', area: 'cells' }, 'シート「Data」', 'sheet “Data”'],
    [{ path: [], slide: 3, part: 'ppt/slides/slide3.xml', area: 'slide' }, 'スライド 3', 'slide 3'],
    [{ path: [], slide: 2, notes: true, area: 'notes' }, 'スライド 2 のノート', 'notes of slide 2'],
    [{ path: [], area: 'footer', part: 'word/footer1.xml' }, 'フッター', 'footer'],
    [{ path: [], area: 'header/footer', part: 'styles.xml' }, 'ヘッダーまたはフッター', 'header or footer'],
    [{ path: [], area: 'properties' }, '文書のプロパティ（タイトルなど）', 'document properties (title and so on)'],
    [{ path: [], area: 'comments' }, 'コメント', 'comment'],
    // An area without words, or a part alone, says nothing: the file is named beside it.
    [{ path: [], area: 'mystery' }, '', ''],
    [{ path: [], part: 'WordDocument' }, '', ''],
    [{ path: [], area: 'binary', part: 'offset 4096' }, '', ''],
    [{ path: ['2023年度.zip', '引継ぎメモ.txt'] }, '2023年度.zip の中の 引継ぎメモ.txt', '引継ぎメモ.txt in 2023年度.zip'],
    [{ path: ['a.zip', 'b.docx'], area: 'header', part: 'word/header1.xml' }, 'a.zip の中の b.docx のヘッダー', 'header of b.docx in a.zip'],
    [{ path: ['a.zip', 'c.pdf'], page: 5 }, 'a.zip の中の c.pdf の5ページ目', 'page 5 of c.pdf in a.zip'],
    [{ path: ['(message 2).eml'], area: 'body' }, '2 通目のメール の本文', 'body of message 2'],
  ])('%o → ja %s / en %s', (loc, ja, en) => {
    expect(describeLocation(loc)).toBe(ja);
    expect(describeLocation(loc, 'ja')).toBe(ja);
    expect(describeLocation(loc, 'en')).toBe(en);
  });
  it('hostile names in the path are returned as they are (escaping is the caller\'s job)', () => {
    expect(describeLocation({ path: ['<img src=x onerror=alert(1)>.zip', '=HYPERLINK("x").csv'] }, 'en')).toBe('=HYPERLINK("x").csv in <img src=x onerror=alert(1)>.zip');
  });
});

describe('describeLocation on real verdicts', () => {
  it.each([
    ['calc-sheet2.xlsx', 'シート「明細」のセル C3', 'cell C3 of sheet “明細”'],
    ['impress-slide3.pptx', 'スライド 3', 'slide 3'],
    ['impress-notes.pptx', 'スライド 2 のノート', 'notes of slide 2'],
    ['writer-footer-only.docx', 'フッター', 'footer'],
    ['writer-title.docx', '文書のプロパティ（タイトルなど）', 'document properties (title and so on)'],
    ['docx-embedded-xlsx.docx', 'Microsoft_Excel_Worksheet1.xlsx のシート「明細」のセル C3', 'cell C3 of sheet “明細” of Microsoft_Excel_Worksheet1.xlsx'],
    ['archives/docs.tar.gz', 'docs.tar の中の a/b/memo.txt', 'a/b/memo.txt in docs.tar'],
    // A stamp printed in a sheet's header or footer is not in its cells (xlsx, xls, XML Spreadsheet alike).
    ['../print-header/font-codes.xlsx', 'シート「様式」のヘッダー', 'header of sheet “様式”'],
    ['../print-header/font-codes.xls', 'シート「様式」のヘッダー', 'header of sheet “様式”'],
    ['../sheet-areas/明細-footer.xlsx', 'シート「明細」のフッター', 'footer of sheet “明細”'],
    ['../sheet-areas/first-header.xlsx', 'シート「Sheet1」のヘッダー', 'header of sheet “Sheet1”'],
    // A PowerPoint section's name (pptxgenjs's addSection): before, only the part ppt/presentation.xml.
    ['../descriptions/pgj-section.pptx', 'セクション名', 'section name'],
  ])('%s', async (n, ja, en) => {
    const loc = await locationOf(n);
    expect(describeLocation(loc, 'ja')).toBe(ja);
    expect(describeLocation(loc, 'en')).toBe(en);
  });
});

describe('no internal name reaches the screen, for every place an extractor names', () => {
  // Every area an extractor writes (`area: '…'` in src/detect), found in the source so a new one cannot go unsaid.
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const areas = new Set<string>();
  for (const f of sources(join(__dirname, '../../src/detect'))) {
    if (f.endsWith('describe.ts')) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(/\barea(?::| =) '([^']+)'/g)) areas.add(m[1]);
  }
  // Areas computed rather than written as `area: '…'`: ODF's master pages (odf.ts), XML Spreadsheet's lowercased header and footer.
  for (const a of ['header/footer', 'master', 'master page', 'header', 'footer']) areas.add(a);
  // Bytes searched in a binary, escapes in a text: nothing a person can point at; the file is named.
  const UNSAID = new Set(['binary', 'escaped']);

  it('finds the areas (the search itself works)', () => {
    for (const a of ['header', 'footer', 'cells', 'master', 'footnotes', 'formulas', 'embedded object', 'other text']) expect(areas, a).toContain(a);
  });
  it.each([...areas].filter((a) => !UNSAID.has(a)).sort())('%s has words in both languages', (area) => {
    expect(Object.hasOwn(AREA_WORDS, area), area).toBe(true);
    for (const lang of ['ja', 'en'] as const) {
      const words = describeLocation({ path: [], area, part: 'ppt/slides/_rels/x.xml' }, lang);
      expect(words).not.toBe('');
      if (lang === 'ja') expect(words).not.toMatch(/[a-z]/);
      expect(words).not.toMatch(/\.xml|\//);
    }
  });
  it.each(['ja', 'en'] as const)('%s: a place is never said by its part path, a key or an internal member name', (lang) => {
    const part = 'word/header1.xml';
    const places: Location[] = [
      ...[...areas].map((area) => ({ path: [], area, part })),
      ...[...areas].map((area) => ({ path: [], area, part, sheet: '明細' })),
      { path: [], part },
      { path: [], part, page: 2 },
      { path: [], part, slide: 2, notes: true, area: 'notes' },
      { path: [AFTER_ARCHIVE], part }, { path: [BEFORE_ARCHIVE] }, { path: [UNLISTED_IN_ZIP] }, { path: [SIGNED_CONTENT] },
      { path: [databaseValue(3)] }, { path: [embeddedObject(2)] }, { path: [encodedInText('base64 part')] }, { path: [mailboxMessage(2, true)] },
    ];
    for (const loc of places) {
      const words = describeLocation(loc, lang);
      expect(words, JSON.stringify(loc)).not.toContain(part);
      expect(words, JSON.stringify(loc)).not.toMatch(/\((?:data|the bytes|value|embedded|base64|message|signed)|binary|escaped|\.eml/);
      if (lang === 'ja') expect(words, JSON.stringify(loc)).not.toMatch(/[a-z]/);
      expect(whereWords('a.zip', loc, lang), JSON.stringify(loc)).not.toContain(part);
    }
  });
  it('the sheet joins its cell with の, as the dialog says it', () => {
    expect(describeLocation({ path: [], sheet: '明細', cell: 'C3' }, 'ja')).toBe('シート「明細」のセル C3');
    expect(whereWords(null, { path: [], sheet: '明細', cell: 'C3' }, 'ja')).toBe('シート「明細」のセル C3');
  });
});
