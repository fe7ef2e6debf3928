/** describeLocation: where a verdict was found, in Japanese and English. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLocation, scanBlob } from '../../src/detect/index.js';

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
  it.each([
    [{ path: [], page: 3 }, '3ページ目', 'page 3'],
    [{ path: [], page: 2, part: '4 0 R', area: 'body' }, '2ページ目', 'page 2'],
    [{ path: [], sheet: '明細', cell: 'C3', part: 'xl/sharedStrings.xml', area: 'cells' }, 'シート「明細」セル C3 (xl/sharedStrings.xml)', 'sheet "明細" cell C3 (xl/sharedStrings.xml)'],
    [{ path: [], sheet: 'Data' }, 'シート「Data」', 'sheet "Data"'],
    [{ path: [], sheet: 'Sheet1', area: 'header/footer' }, 'シート「Sheet1」のヘッダー/フッター', 'header/footer of sheet "Sheet1"'],
    [{ path: [], sheet: 'Data', area: 'cells' }, 'シート「Data」', 'sheet "Data"'],
    [{ path: [], slide: 3, part: 'ppt/slides/slide3.xml', area: 'slide' }, 'スライド3 (ppt/slides/slide3.xml)', 'slide 3 (ppt/slides/slide3.xml)'],
    [{ path: [], slide: 2, notes: true, area: 'notes' }, 'スライド2のノート', 'speaker notes of slide 2'],
    [{ path: [], area: 'footer', part: 'word/footer1.xml' }, 'フッター (word/footer1.xml)', 'footer (word/footer1.xml)'],
    [{ path: [], area: 'header/footer', part: 'styles.xml' }, 'ヘッダー/フッター (styles.xml)', 'header/footer (styles.xml)'],
    [{ path: [], area: 'properties' }, '文書のプロパティ', 'document properties'],
    [{ path: [], area: 'comments' }, 'コメント', 'comments'],
    [{ path: [], area: 'mystery' }, 'mystery', 'mystery'],
    [{ path: [], part: 'WordDocument' }, '(WordDocument)', '(WordDocument)'],
    [{ path: ['2023年度.zip', '引継ぎメモ.txt'] }, '2023年度.zip › 引継ぎメモ.txt', '2023年度.zip › 引継ぎメモ.txt'],
    [{ path: ['a.zip', 'b.docx'], area: 'header', part: 'word/header1.xml' }, 'a.zip › b.docx › ヘッダー (word/header1.xml)', 'a.zip › b.docx › header (word/header1.xml)'],
    [{ path: ['a.zip', 'c.pdf'], page: 5 }, 'a.zip › c.pdf › 5ページ目', 'a.zip › c.pdf › page 5'],
  ])('%o → ja %s / en %s', (loc, ja, en) => {
    expect(describeLocation(loc)).toBe(ja);
    expect(describeLocation(loc, 'ja')).toBe(ja);
    expect(describeLocation(loc, 'en')).toBe(en);
  });
  it('hostile names in the path are returned as they are (escaping is the caller\'s job)', () => {
    expect(describeLocation({ path: ['<img src=x onerror=alert(1)>.zip', '=HYPERLINK("x").csv'] }, 'en')).toBe('<img src=x onerror=alert(1)>.zip › =HYPERLINK("x").csv');
  });
});

describe('describeLocation on real verdicts', () => {
  it.each([
    ['calc-sheet2.xlsx', 'シート「明細」セル C3 (xl/sharedStrings.xml)', 'sheet "明細" cell C3 (xl/sharedStrings.xml)'],
    ['impress-slide3.pptx', 'スライド3 (ppt/slides/slide3.xml)', 'slide 3 (ppt/slides/slide3.xml)'],
    ['impress-notes.pptx', 'スライド2のノート (ppt/notesSlides/notesSlide2.xml)', 'speaker notes of slide 2 (ppt/notesSlides/notesSlide2.xml)'],
    ['writer-footer-only.docx', 'フッター (word/footer1.xml)', 'footer (word/footer1.xml)'],
    ['writer-title.docx', '文書のプロパティ (docProps/core.xml)', 'document properties (docProps/core.xml)'],
    [
      'docx-embedded-xlsx.docx',
      'Microsoft_Excel_Worksheet1.xlsx › シート「明細」セル C3 (xl/sharedStrings.xml)',
      'Microsoft_Excel_Worksheet1.xlsx › sheet "明細" cell C3 (xl/sharedStrings.xml)',
    ],
    ['archives/docs.tar.gz', 'docs.tar › a/b/memo.txt', 'docs.tar › a/b/memo.txt'],
    // A stamp printed in a sheet's header or footer is not in its cells (xlsx, xls, XML Spreadsheet alike).
    ['../print-header/font-codes.xlsx', 'シート「様式」のヘッダー (xl/worksheets/sheet1.xml)', 'header of sheet "様式" (xl/worksheets/sheet1.xml)'],
    ['../print-header/font-codes.xls', 'シート「様式」のヘッダー (Workbook)', 'header of sheet "様式" (Workbook)'],
    ['../sheet-areas/明細-footer.xlsx', 'シート「明細」のフッター (xl/worksheets/sheet1.xml)', 'footer of sheet "明細" (xl/worksheets/sheet1.xml)'],
    ['../sheet-areas/first-header.xlsx', 'シート「Sheet1」のヘッダー (xl/worksheets/sheet1.xml)', 'header of sheet "Sheet1" (xl/worksheets/sheet1.xml)'],
  ])('%s', async (n, ja, en) => {
    const loc = await locationOf(n);
    expect(describeLocation(loc, 'ja')).toBe(ja);
    expect(describeLocation(loc, 'en')).toBe(en);
  });
});
