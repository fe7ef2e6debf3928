/** inertName: look-alike letters in a Latin name are shown, not read as Latin (red team coll7, look-alike user names). */
import { describe, expect, it } from 'vitest';
import { inertName } from '../../src/events/inert.js';

describe('inertName', () => {
  it('shows a Cyrillic, Greek or fullwidth letter inside a Latin name as [U+XXXX]', () => {
    expect(inertName('t\u0430ro@example.co.jp')).toBe('t[U+0430]ro@example.co.jp');
    expect(inertName('tar\u03bf@example.co.jp')).toBe('tar[U+03BF]@example.co.jp');
    expect(inertName('ｔaro@example.co.jp')).toBe('[U+FF54]aro@example.co.jp');
  });
  it('leaves plain names, Japanese names and names wholly in another script as they are; bidi stays inert', () => {
    expect(inertName('taro@example.co.jp')).toBe('taro@example.co.jp');
    expect(inertName('山田太郎')).toBe('山田太郎');
    expect(inertName('Иван')).toBe('Иван');
    expect(inertName('ｔａｒｏ')).toBe('ｔａｒｏ');
    expect(inertName('a\u202eb')).toBe('a[U+202E]b');
  });
});
