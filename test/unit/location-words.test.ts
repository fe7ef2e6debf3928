/**
 * An event's location and reason as the admin reads them (admin page, CSV): in words, never a part path
 * alone or an enum value; the location the guard writes reads back to the place the employee was told.
 */
import { describe, expect, it } from 'vitest';
import { locationText } from '../../src/events/location.js';
import { locationFromText, locationWords } from '../../src/events/location-words.js';
import { reasonWord, REASON_WORDS, RULE_WORDS, word } from '../../src/collector/words.js';
import { parseFinding } from '../../src/events/finding.js';
import type { Location } from '../../src/detect/types.js';
import { decisionsCsvRows } from '../../src/collector/decisions-csv.js';
import { sampleEvent } from '../../src/events/sample.js';
import type { StoredEvent } from '../../src/events/schema.js';

describe('an event location in words', () => {
  it.each<[Location, string, string]>([
    [{ path: [], part: 'word/header1.xml', area: 'header' }, 'ヘッダー', 'header'],
    [{ path: ['2023年度.zip', '引継ぎメモ.docx'], part: 'word/document.xml', area: 'body' }, '2023年度.zip の中の 引継ぎメモ.docx の本文', 'body of 引継ぎメモ.docx in 2023年度.zip'],
    [{ path: [], page: 3 }, '3ページ目', 'page 3'],
    [{ path: [], part: 'xl/worksheets/sheet1.xml', sheet: '明細', cell: 'E1' }, 'シート「明細」のセル E1', 'cell E1 of sheet “明細”'],
    [{ path: [], part: 'xl/worksheets/sheet1.xml', sheet: '明細', area: 'footer' }, 'シート「明細」のフッター', 'footer of sheet “明細”'],
    [{ path: [], part: 'word/footnotes.xml', area: 'footnotes' }, '脚注', 'footnote'],
    [{ path: [], part: 'ppt/notesSlides/notesSlide2.xml', slide: 2, notes: true }, 'スライド 2 のノート', 'notes of slide 2'],
    [{ path: ['a=b.zip', 'x.txt'] }, 'a=b.zip の中の x.txt', 'x.txt in a=b.zip'],
    [{ path: [], part: 'Index/CalculationEngine.iwa', sheet: 'Sheet 1', table: '表 1', cell: 'A1' }, 'シート「Sheet 1」の表「表 1」のセル A1', 'cell A1 of table “表 1” on sheet “Sheet 1”'],
    [{ path: [], part: 'Index/Document.iwa', table: '見積', cell: 'B2' }, '表「見積」のセル B2', 'cell B2 of table “見積”'],
  ])('%o', (loc, ja, en) => {
    const text = locationText(loc)!;
    expect(locationFromText(text)).toEqual(loc);
    expect(locationWords(text, 'ja')).toBe(ja);
    expect(locationWords(text, 'en')).toBe(en);
  });

  it('an older event (no keys) reads as the names it holds', () => {
    expect(locationWords('2023年度.zip › word/header1.xml', 'ja')).toBe('2023年度.zip の中の word/header1.xml');
    expect(locationWords(null, 'ja')).toBe('');
  });
});

describe('a location whose names hold what its text is made of', () => {
  // Names come from the file: the separator, a key, a sheet's `!`, backslashes. Each reads back as it was
  // (before, 「a › b.zip」 came back as two members, a member 「page=3」 as page 3).
  it.each<[string, Location]>([
    ['the separator in a member', { path: ['a › b.zip', 'c.txt'] }],
    ['the separator alone, and spaces around it', { path: ['›', ' › ', '  ›  '], part: 'x › y.xml', area: 'header' }],
    ['a member named like a qualifier', { path: ['page=3', 'part=word/document.xml', 'sheet=売上!B2'] }],
    ['backslashes, one at the end', { path: ['C:\\Users\\a.zip', 'b\\', '\\›\\\\'] }],
    ['a sheet with ! and the separator, its table too', { path: [], part: 'xl/worksheets/sheet1.xml', sheet: '売上!B2 › 明細', cell: 'C3' }],
    ['a sheet ending in ! without a cell', { path: [], part: 'Index/Document.iwa', sheet: '見積!', table: 'Sheet 1 › 表 1' }],
    ['hostile names', { path: ['<img src=x onerror=alert(1)>.zip', "=cmd|' /C calc'!A0", 'a\u001b[2Jb\u202etxt.exe'] }],
  ])('%s', (_, loc) => {
    expect(locationFromText(locationText(loc)!)).toEqual(loc);
  });

  it('any names made of the characters that matter read back as they were', () => {
    // A fixed sequence (no randomness between runs) over the characters the text is built from.
    const alphabet = ['a', ' ', '›', ' › ', '\\', '\\›', '=', '!', 'page=', 'sheet=', '3', ':notes', '表'];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const name = () => Array.from({ length: 1 + next(6) }, () => alphabet[next(alphabet.length)]).join('');
    for (let i = 0; i < 500; i++) {
      const loc: Location = { path: Array.from({ length: next(4) }, name) };
      if (next(2)) loc.part = name();
      if (next(2)) {
        loc.sheet = name();
        if (next(2)) loc.cell = 'B2';
        if (next(2)) loc.table = name();
      }
      if (!loc.path.length && !loc.part && !loc.sheet) continue;
      expect(locationFromText(locationText(loc)!), JSON.stringify(loc)).toEqual(loc);
    }
  });

  it('the text stays as written where nothing needs escaping, and an older event with backslashes reads as it did', () => {
    expect(locationText({ path: ['2023年度.zip', 'a=b.txt'], part: 'word/header1.xml', area: 'header' })).toBe('2023年度.zip › a=b.txt › part=word/header1.xml › area=header');
    expect(locationText({ path: ['a › b.zip'] })).toBe('a \\› b.zip');
    expect(locationFromText('C:\\dir\\a.zip › x\\y.txt › sheet=a!b!C3')).toEqual({ path: ['C:\\dir\\a.zip', 'x\\y.txt'], sheet: 'a!b', cell: 'C3' });
  });

  it('hostile names in a location stay inert in the words of the decisions CSV', () => {
    const location = locationText({ path: ["=cmd|' /C calc'!A0 › x", 'a\u001b[2J\u202eb.txt'] });
    const event: StoredEvent = { ...sampleEvent({ location }), receivedAt: '2026-12-07T00:00:00.000Z' };
    const en = decisionsCsvRows([{ event, answer: null }], { lang: 'en', zone: 'UTC' });
    expect(en).toContain(",a[U+001B][2J[U+202E]b.txt in =cmd|' /C calc'!A0 › x,");
    const ja = decisionsCsvRows([{ event, answer: null }], { lang: 'ja', zone: 'UTC' });
    // Starting with =, the words are kept as text ('), not a formula.
    expect(ja).toContain(",'=cmd|' /C calc'!A0 › x の中の a[U+001B][2J[U+202E]b.txt,");
    expect(en + ja).not.toMatch(/[\u001b\u202e]/);
  });
});

describe('reasons and rules in words', () => {
  it('every reason the engine gives has words in both languages', () => {
    for (const r of ['stamp', 'name', 'sha256', 'keyword', 'pattern', 'name-pattern', 'label', 'encrypted', 'corrupt', 'too-large', 'too-deep', 'too-many-entries', 'expansion-ratio', 'time-budget', 'unsupported']) {
      expect(REASON_WORDS[r], r).toBeDefined();
      expect(reasonWord(r, 'ja')).not.toBe(r);
    }
    expect(reasonWord('stamp', 'ja')).toBe('「秘 Confidential」の表示');
    expect(reasonWord('a-newer-reason', 'en')).toBe('a-newer-reason');
  });
  it('rules by number', () => {
    expect(word(RULE_WORDS, '2', 'ja')).toBe('2（ファイル名）');
    expect(word(RULE_WORDS, '1', 'en')).toBe('1 (stamp)');
  });
});

describe('a location as a page sends it (parseFinding)', () => {
  const finding = (location: unknown) => ({ channel: 'drop', url: 'https://mail.google.com/', fileName: 'a.docx', size: 1, sha256: null, verdict: 'marked', rule: 1, reason: 'stamp', location });
  it('keeps the known fields, checked one by one', () => {
    const loc = { path: ['a.zip'], part: 'word/header1.xml', area: 'header', page: 3, slide: 0, notes: 'yes', excerpt: '秘 Confidential の本文', sheet: 7 };
    expect(parseFinding(finding(loc))?.location).toEqual({ path: ['a.zip'], part: 'word/header1.xml', area: 'header', page: 3 });
  });
  it('drops a location that is not one, never the finding', () => {
    for (const bad of ['word/header1.xml', { path: 'a.zip' }, { path: [1] }, 42, null, undefined]) {
      const f = parseFinding(finding(bad));
      expect(f, JSON.stringify(bad)).not.toBeNull();
      expect(f!.location).toBeNull();
    }
  });
});
