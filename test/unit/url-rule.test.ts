/**
 * The declarativeNetRequest rule behind the listener (extension/background/url-rule.ts): its regular
 * expression (RE2 syntax, applied case-insensitively by Chromium to the whole URL) and its initiators.
 */
import { describe, expect, it } from 'vitest';
import { STAMP_IN_URL, urlRule } from '../../extension/background/url-rule.js';
import { DEFAULT_SERVICES } from '../../src/policy/catalogue.js';

const re = new RegExp(STAMP_IN_URL, 'i');
const url = (text: string) => `https://x.example/px?q=${encodeURIComponent(text)}`;

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

  it('leaves the traps alone', () => {
    for (const u of [url('秘書室 Confidential'), url('社外秘'), url('Confidential'), url('秘 と Confidential'), 'https://x.example/logo.png?v=3']) expect(re.test(u), u).toBe(false);
  });
});

describe('urlRule', () => {
  const gmail = DEFAULT_SERVICES.find((s) => s.id === 'gmail')!;
  const yahoo = DEFAULT_SERVICES.find((s) => s.id === 'yahoo-japan-mail')!;
  it('listed: the guarded services are the initiators, the allowed hosts excluded; no top-level navigations', () => {
    const r = urlRule({ services: [gmail, yahoo], allow: ['*.acme.co.jp'], scope: 'listed', sanctioned: [] })!;
    expect(r.condition.initiatorDomains?.sort()).toEqual(['mail.google.com', 'mail.yahoo.co.jp']);
    expect(r.condition.excludedInitiatorDomains).toEqual(['acme.co.jp']);
    expect(r.condition.resourceTypes).toContain('image');
    expect(r.condition.resourceTypes).not.toContain('main_frame');
    expect(r.action.type).toBe('block');
  });

  it('everywhere: every initiator but the allowed ones; nothing guarded: no rule', () => {
    const r = urlRule({ services: [gmail], allow: ['intranet.example.org'], scope: 'everywhere', sanctioned: [] })!;
    expect(r.condition.initiatorDomains).toBeUndefined();
    expect(r.condition.excludedInitiatorDomains).toEqual(['intranet.example.org']);
    expect(urlRule({ services: [], allow: [], scope: 'listed', sanctioned: [] })).toBeNull();
  });
});
