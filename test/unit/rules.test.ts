/** Rules 1, 2 and 3 of MARKINGS.md, every variant and every trap in its tables. */
import { describe, expect, it } from 'vitest';
import { checkName, scanText } from '../../src/detect/index.js';
import { findStamp } from '../../src/detect/rules/stamp.js';

describe('rule 1: the content stamp', () => {
  it.each([
    '秘 Confidential',
    '秘　Confidential',
    '秘Confidential',
    '秘\nConfidential',
    '秘\r\n\tConfidential',
    '秘 CONFIDENTIAL',
    '㊙ Confidential',
    '秘 ｃｏｎｆｉｄｅｎｔｉａｌ', // full-width letters, NFKC
    '秘\u200bConfidential', // zero-width space between runs
    '秘\u00a0Confidential', // no-break space
    '秘\u200e Confidential', // a left-to-right mark
    '秘\u2067Confidential\u2069', // an isolate around the word
    '秘\ufe00 Confidential', // a variation selector
    '秘\u{e0100} Confidential', // an ideographic variation selector (a kanji variant, as Japanese text writes one)
    // Characters passed off as invisible, between or inside the words: tag characters, a Mongolian
    // variation selector, a deprecated format character, musical and shorthand format controls, an
    // interlinear annotation mark, Hangul fillers, the Braille blank, NEL, Khmer's invisible vowel.
    ...['\u{e0041}', '\u180b', '\u206a', '\u{1d173}', '\u{1bca0}', '\ufff9', '\u3164', '\uffa0', '\u115f', '\u2800', '\u0085', '\u17b4'].flatMap((c) => [
      `秘${c}Confidential`,
      `秘 Confi${c.repeat(3)}dential`,
    ]),
    '見積書 秘 Confidential 2024',
  ])('marks %j', (text) => {
    expect(findStamp(text)).not.toBeNull();
    expect(scanText(text)).toMatchObject({ verdict: 'marked', rule: 1, reason: 'stamp' });
  });

  it.each(['秘密保持契約書', '社外秘', '秘書室', 'Confidential', 'Strictly confidential', '秘 Confident', '秘-Confidential', '', '秘 密 Confidential', '秘\u202eConfidential' /* shown reversed */])(
    'leaves %j clean',
    (text) => {
      expect(scanText(text)).toEqual({ verdict: 'clean' });
    },
  );

  it('quotes a short excerpt around the stamp', () => {
    const v = scanText('x'.repeat(500) + ' 秘 Confidential ' + 'y'.repeat(500));
    expect(v.verdict).toBe('marked');
    if (v.verdict === 'marked') {
      expect(v.excerpt).toContain('秘 Confidential');
      expect(v.excerpt.length).toBeLessThan(80);
    }
  });
});

describe('rule 2: the file name', () => {
  it.each([
    '秘—設計書.docx',
    'C—budget.xlsx',
    '秘-x.txt',
    '秘－x.txt',
    '秘ー見積.pdf',
    'Ｃ—report.pdf',
    '秘 — 議事録.docx',
    '秘‐x', '秘‑x', '秘‒x', '秘–x', '秘―x', '秘−x', '秘ｰx',
    'C -x.txt',
    'folder/sub/秘—設計書.docx',
    'C:\\Users\\a\\秘—x.docx',
    // Invisible format characters do not hide the prefix a reader sees.
    '\u202E秘—xcod.exe', '\u200B秘—x.txt', '秘\u200B—x.txt', '\u2066C—x\u2069.pdf', '\uFEFF秘—x.txt',
    '秘\u{e0020}—x.txt', '\u3164秘—x.txt', '秘\u180b—x.txt',
  ])('marks %j', (name) => {
    expect(checkName(name)).toMatchObject({ verdict: 'marked', rule: 2, reason: 'name' });
  });

  it.each(['秘書室の連絡.docx', 'CV—2024.pdf', 'ABC—x.txt', 'plan.docx', 'c—lowercase.txt', '秘x-.txt', 'C_x.txt', 'C—/plan.docx'])(
    'leaves %j unmarked',
    (name) => {
      expect(checkName(name)).toBeNull();
    },
  );
});

describe('rule 3: designated by the company', () => {
  it('matches keywords after NFKC, case-insensitively', () => {
    const d = { keywords: ['Project Phoenix'] };
    expect(scanText('status of ＰＲＯＪＥＣＴ phoenix', d)).toMatchObject({ verdict: 'marked', rule: 3, reason: 'keyword' });
    expect(scanText('Project\u3000Phoenix-2', d)).toMatchObject({ verdict: 'marked' });
    expect(scanText('Project Dragon', d)).toEqual({ verdict: 'clean' });
  });

  it('matches regular expressions and ignores invalid ones', () => {
    const d = { patterns: ['図面番号\\s*[A-Z]{2}-\\d{4}', '(unclosed'] };
    expect(scanText('図面番号 AB-1234', d)).toMatchObject({ verdict: 'marked', rule: 3 });
    expect(scanText('図面番号 AB-12', d)).toEqual({ verdict: 'clean' });
  });

  it('matches designated name patterns', () => {
    const d = { namePatterns: ['^社外秘_', '\\.dwg$'] };
    expect(checkName('社外秘_組織図.xlsx', d)).toMatchObject({ rule: 3, reason: 'name-pattern' });
    expect(checkName('plan.dwg', d)).toMatchObject({ rule: 3 });
    expect(checkName('plan.pdf', d)).toBeNull();
  });

  it('rule 2 wins over rule 3 on a name', () => {
    expect(checkName('秘—x.dwg', { namePatterns: ['\\.dwg$'] })).toMatchObject({ rule: 2 });
  });
});
