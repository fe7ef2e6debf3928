import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/detect/index.js';
import { aroundEdit, changedSpan, KeyStream, MarkedFields, predictInsert, STREAM_CAP, typedBy } from '../../src/guard/typing.js';

const marked = (t: string) => scanText(t).verdict === 'marked';

describe('watching a field as it is typed into', () => {
  it('predicts the text once an insertion replaces the selection', () => {
    expect(predictInsert('秘 Confidentia', 14, 14, 'l')).toBe('秘 Confidential');
    expect(predictInsert('秘 XXXential', 2, 5, 'Confid')).toBe('秘 Confidential');
    expect(predictInsert('abc', 99, -1, 'd')).toBe('abcd');
  });

  it('finds what changed', () => {
    expect(changedSpan('abcdef', 'abXYef')).toEqual([2, 4]);
    expect(changedSpan('aaa', 'aaaa')).toEqual([3, 4]);
    expect(changedSpan('abc', 'ac')).toEqual([1, 1]);
  });

  it('the stretch around an edit holds every stamp the edit completes, in a long text', () => {
    const long = '秘書室の連絡です。'.repeat(5000);
    const cases: [string, string][] = [
      [`${long}秘 Confidentia`, `${long}秘 Confidential`], // the last letter
      [`${long}Confidential`, `${long}秘Confidential`], // 秘 last
      [`${long}秘${' '.repeat(500)}\n\u200bConfidentia`, `${long}秘${' '.repeat(500)}\n\u200bConfidential`], // a long run of spaces
      [`秘 X Confidential${long}`, `秘  Confidential${long}`], // a deletion joins the two halves
      [`${long}秘 ＣＯＮＦＩＤＥＮＴＩＡ 以上`, `${long}秘 ＣＯＮＦＩＤＥＮＴＩＡＬ 以上`], // full-width letters
      // characters outside the BMP that read as nothing, between every letter (two code units each)
      [`${long}秘${'\u{e0041}'.repeat(40)} ${[...'Confidentia'].join('\u{e0041}')}`, `${long}秘${'\u{e0041}'.repeat(40)} ${[...'Confidential'].join('\u{e0041}')}`],
      [`${long}秘\u3164Confidentia`, `${long}秘\u3164Confidential`], // a Hangul filler
    ];
    for (const [prev, next] of cases) {
      expect(marked(prev)).toBe(false);
      expect(marked(next)).toBe(true);
      const probe = aroundEdit(prev, next);
      expect(probe.length).toBeLessThan(700);
      expect(marked(probe)).toBe(true);
    }
  });

  it('a clean keystroke far from any stamp scans a few dozen characters', () => {
    const text = '秘書室の連絡です。'.repeat(5000);
    expect(aroundEdit(text, `${text}あ`).length).toBeLessThanOrEqual(33);
  });

  it('holds requests back from the first marked field until the last is cleared', () => {
    const fields = new MarkedFields<string>();
    expect(fields.mark('a')).toBe('hold');
    expect(fields.mark('a')).toBeNull();
    expect(fields.mark('b')).toBeNull();
    expect(fields.clear('a')).toBeNull();
    expect(fields.clear('c')).toBeNull();
    expect(fields.clear('b')).toBe('release');
    expect(fields.has('b')).toBe(false);
  });

  it('looks at each marked field again, which may clear the one it is given (a field emptied since)', () => {
    const fields = new MarkedFields<string>();
    fields.mark('a');
    fields.mark('b');
    const seen: string[] = [];
    fields.each((f) => (seen.push(f), f === 'a' && fields.clear(f)));
    expect(seen).toEqual(['a', 'b']);
    expect(fields.has('a')).toBe(false);
    expect(fields.holding()).toBe(true);
  });

  it('keeps what was typed into an editor with its own model, in order, with backspace, capped', () => {
    const s = new KeyStream();
    for (const c of '秘 Confidentiak') s.push(c);
    s.erase();
    expect(marked(s.value)).toBe(false);
    expect(marked(s.after('l'))).toBe(true);
    s.push('𠀋');
    s.erase();
    expect(s.value).toBe('秘 Confidentia');
    for (let i = 0; i < 1000; i++) s.push('あ');
    expect(s.value.length).toBe(STREAM_CAP);
  });

  it('knows which keys type a character', () => {
    const none = { ctrlKey: false, metaKey: false };
    expect(typedBy('l', none)).toBe('l');
    expect(typedBy('秘', none)).toBe('秘');
    expect(typedBy('Enter', none)).toBe('\n');
    expect(typedBy('ArrowLeft', none)).toBe('');
    expect(typedBy('Process', none)).toBe('');
    expect(typedBy('v', { ctrlKey: true, metaKey: false })).toBe('');
  });
});
