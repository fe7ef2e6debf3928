/**
 * The declarativeNetRequest rules behind the listener (extension/background/url-rule.ts): their regular
 * expressions (src/guard/url-regex.ts; RE2 syntax, applied case-insensitively by Chromium to the whole
 * URL, here by JavaScript's engine, which reads this subset the same way) and their initiators.
 */
import { describe, expect, it } from 'vitest';
import { urlRules } from '../../extension/background/url-rule.js';
import { normalize } from '../../src/detect/normalize.js';
import { keywordInUrl, STAMP_IN_URL, urlExpressions, WIDE_STAMPS_IN_URL } from '../../src/guard/url-regex.js';
import { DEFAULT_SERVICES } from '../../src/policy/catalogue.js';

const re = new RegExp(STAMP_IN_URL, 'i');
/** Whether any of the stamp's rules blocks `u`. */
const stamped = (u: string) => urlExpressions([]).some((x) => new RegExp(x, 'i').test(u));
const url = (text: string) => `https://x.example/px?q=${encodeURIComponent(text)}`;
const plus = (text: string) => `https://x.example/px?q=${new URLSearchParams({ q: text }).toString().slice(2)}`;

describe('STAMP_IN_URL', () => {
  it('matches the stamp as URLs write it: escaped, plus for space, escaped twice, lower-case hex', () => {
    for (const u of [
      url('秘 Confidential'),
      url('秘　CONFIDENTIAL 来期'),
      url('㊙\nconfidential'),
      'https://x.example/p?q=%E7%A7%98+Confidential',
      'https://x.example/p?q=%e7%a7%98%20confidential',
      'https://x.example/%E7%A7%98Confidential/img.png',
      'https://x.example/p?q=%25E7%25A7%2598%2520Confidential',
    ]) expect(re.test(u), u).toBe(true);
  });

  it('with full-width letters, as a Japanese IME types them (NFKC folds them onto ASCII): upper, lower, capitalised', () => {
    const wide = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(normalize(wide('Confidential'))).toBe('Confidential');
    expect(WIDE_STAMPS_IN_URL).toHaveLength(3);
    for (const t of ['秘　' + wide('CONFIDENTIAL'), '秘 ' + wide('confidential') + ' 議事録', '㊙' + wide('Confidential')]) expect(stamped(url(t)), t).toBe(true);
    expect(stamped(plus(`秘 ${wide('CONFIDENTIAL')}`))).toBe(true);
    // One letter off (Ｂ for Ｃ, ｐ for ｏ), full-width digits, the word without 「秘」: not the stamp.
    for (const t of ['秘 ' + wide('BONFIDENTIAL'), '秘 ' + wide('cpnfidential'), '秘 ０ｏｎｆｉｄｅｎｔｉａｌ', wide('CONFIDENTIAL'), '秘書 ' + wide('CONFIDENTIAL')]) expect(stamped(url(t)), t).toBe(false);
    // What Chromium's limit leaves to the page hooks: case mixed letter by letter, full-width escaped twice.
    expect(stamped(url('㊙Ｃonfｉdential'))).toBe(false);
    expect(stamped(url(encodeURIComponent('秘 ' + wide('confidential'))))).toBe(false);
  });

  it('leaves the traps alone', () => {
    for (const u of [url('秘書室 Confidential'), url('社外秘'), url('Confidential'), url('秘 と Confidential'), 'https://x.example/logo.png?v=3']) expect(re.test(u), u).toBe(false);
  });
});

describe('keywordInUrl', () => {
  const kw = (k: string) => new RegExp(keywordInUrl(normalize(k))!, 'i');
  it('finds a designated keyword as URLs write it: escaped, once or twice, space as %20 or +, any ASCII case', () => {
    const k = kw('プロジェクト青龍 Q3');
    for (const u of [url('プロジェクト青龍 Q3の進捗'), plus('プロジェクト青龍 q3'), url('プロジェクト青龍  Q3'), url('プロジェクト青龍\u3000Q3')]) expect(k.test(u), u).toBe(true);
    for (const u of [url('プロジェクト青 Q3'), url('プロジェクト青龍Q3'), url('プロジェクト')]) expect(k.test(u), u).toBe(false);
    // Escaped twice: beyond what fits in one of Chromium's expressions; the page hooks judge it.
    expect(k.test(url(encodeURIComponent('プロジェクト青龍 Q3')))).toBe(false);
  });

  it('escapes what RE2 would read as syntax, and matches reserved characters raw or escaped', () => {
    const k = kw('A+B (v1.0)?');
    expect(k.test(url('A+B (v1.0)?'))).toBe(true);
    expect(k.test('https://x.example/p?q=A%2BB+(v1.0)%3F')).toBe(true);
    expect(k.test(url('AAB (v1x0)'))).toBe(false);
    // Full-width in the policy: compared after NFKC, as the engine does.
    expect(kw('ＡＢＣ-１２３').test(url('abc-123'))).toBe(true);
    expect(keywordInUrl('   ')).toBeNull();
  });
});

describe('urlRules', () => {
  const gmail = DEFAULT_SERVICES.find((s) => s.id === 'gmail')!;
  const yahoo = DEFAULT_SERVICES.find((s) => s.id === 'yahoo-japan-mail')!;
  it('listed: the guarded services are the initiators, the allowed hosts excluded; no top-level navigations', () => {
    const [r, ...more] = urlRules({ services: [gmail, yahoo], allow: ['*.acme.co.jp'], scope: 'listed', sanctioned: [] });
    expect(more.map((m) => m.condition.regexFilter)).toEqual(WIDE_STAMPS_IN_URL);
    expect(r.condition.regexFilter).toBe(STAMP_IN_URL);
    expect(r.condition.initiatorDomains?.sort()).toEqual(['mail.google.com', 'mail.yahoo.co.jp']);
    expect(r.condition.excludedInitiatorDomains).toEqual(['acme.co.jp']);
    expect(r.condition.resourceTypes).toContain('image');
    expect(r.condition.resourceTypes).not.toContain('main_frame');
    expect(r.action.type).toBe('block');
  });

  it('everywhere: every initiator but the allowed ones; nothing guarded: no rule', () => {
    const [r] = urlRules({ services: [gmail], allow: ['intranet.example.org'], scope: 'everywhere', sanctioned: [] });
    expect(r.condition.initiatorDomains).toBeUndefined();
    expect(r.condition.excludedInitiatorDomains).toEqual(['intranet.example.org']);
    expect(urlRules({ services: [], allow: [], scope: 'listed', sanctioned: [] })).toEqual([]);
  });

  it('one more rule per designated keyword, same scope, after the stamp\'s; blank and repeated keywords add none', () => {
    const rules = urlRules({ services: [gmail], allow: [], scope: 'listed', sanctioned: [], designated: { keywords: ['青龍', ' ', '青龍', 'Ｘ-9'], patterns: ['秘\\d+'] } });
    expect(rules.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rules.map((r) => new RegExp(r.condition.regexFilter!, 'i').test(url('x-9 青龍')))).toEqual([false, false, false, false, true, true]);
    expect(new Set(rules.map((r) => JSON.stringify(r.condition.initiatorDomains)))).toEqual(new Set([JSON.stringify(['mail.google.com'])]));
  });
});
