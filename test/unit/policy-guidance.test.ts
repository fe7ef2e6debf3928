/** Policy `guidance` per category and the actions for the common unscannable cases (too large, encrypted). */
import { describe, expect, it } from 'vitest';
import { actionFor, effectivePolicyFrom, validateManaged } from '../../src/policy/index.js';

describe('guidance per category', () => {
  it('keeps valid fields and reports each invalid one', () => {
    const { policy, problems } = validateManaged({
      guidance: {
        sharing: {
          ja: '社外へのファイル送付は「社内便」を使ってください。',
          contact: { name: '情報システム部 ヘルプデスク', mail: 'help@example.co.jp', phone: '03-1234-5678', url: 'javascript:alert(1)' },
          alternative: { ja: '社内便', en: 'Company transfer', url: 'https://transfer.example.co.jp/' },
          reasons: [{ ja: '顧客の依頼', en: 'Customer request' }, { ja: '' }, 'x'],
          colour: 'red',
        },
        chat: {},
      },
    });
    expect(policy.guidance?.sharing?.contact).toEqual({ name: '情報システム部 ヘルプデスク', mail: 'help@example.co.jp', phone: '03-1234-5678' });
    expect(policy.guidance?.sharing?.reasons).toEqual([{ ja: '顧客の依頼', en: 'Customer request' }]);
    expect(policy.guidance?.sharing?.alternative?.url).toBe('https://transfer.example.co.jp/');
    expect(problems.join('\n')).toMatch(/guidance\.sharing\.contact\.url: expected an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/guidance\.sharing\.colour: unknown key/);
    expect(problems.join('\n')).toMatch(/guidance\.chat: unknown category/);
    // The empty ja is named, then the entry it spoils; 'x' is not an object.
    expect(problems.filter((p) => p.includes('reasons['))).toHaveLength(3);
  });

  it('merges over the shipped preset reasons, category by category', () => {
    const { effective } = effectivePolicyFrom({ guidance: { genai: { ja: '社内AIを使ってください。' } } });
    expect(effective.guidance.genai?.ja).toBe('社内AIを使ってください。');
    expect(effective.guidance.genai?.reasons?.length).toBeGreaterThan(0);
    expect(effective.guidance.webmail?.reasons?.length).toBeGreaterThan(0);
  });
});

describe('actions for unscannable cases', () => {
  it('too large on sharing is audited by default; encrypted falls back to unscannable (warn)', () => {
    const { effective } = effectivePolicyFrom({});
    expect(actionFor(effective, 'sharing', 'unscannable', 'too-large')).toBe('audit');
    expect(actionFor(effective, 'webmail', 'unscannable', 'too-large')).toBe('warn');
    expect(actionFor(effective, 'sharing', 'unscannable', 'encrypted')).toBe('warn');
    expect(actionFor(effective, 'sharing', 'unscannable', 'corrupt')).toBe('warn');
    expect(actionFor(effective, 'sharing', 'marked', 'name')).toBe('block');
  });

  it('the admin sets them per category; a wrong value keeps the default', () => {
    const { effective, problems } = effectivePolicyFrom({
      actions: { webmail: { encrypted: 'block', tooLarge: 'sometimes' }, genai: { encrypted: 'allow' } },
    });
    expect(actionFor(effective, 'webmail', 'unscannable', 'encrypted')).toBe('block');
    expect(actionFor(effective, 'webmail', 'unscannable', 'too-large')).toBe('warn');
    expect(actionFor(effective, 'genai', 'unscannable', 'encrypted')).toBe('allow');
    expect(problems).toEqual(['actions.webmail.tooLarge: expected one of allow, block, warn, audit']);
  });
});
