import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import {
  actionFor,
  DEFAULT_SERVICES,
  defaultPolicy,
  effectivePolicyFrom,
  findService,
  mergePolicy,
  strictest,
  validateManaged,
} from '../../src/policy/index.js';

describe('defaults', () => {
  it('block marked, warn unscannable, allow clean in every category; sharing records a file too large to check', () => {
    const p = defaultPolicy();
    for (const c of ['webmail', 'genai', 'custom'] as const) {
      expect(p.actions[c]).toEqual({ marked: 'block', unscannable: 'warn', clean: 'allow' });
    }
    expect(p.actions.sharing).toEqual({ marked: 'block', unscannable: 'warn', clean: 'allow', tooLarge: 'audit' });
  });
  it('use the engine limits, no designations, no collector', () => {
    const p = defaultPolicy();
    expect(p.limits).toEqual(DEFAULT_LIMITS);
    expect(p.designated).toEqual({ sha256: [], keywords: [], patterns: [], namePatterns: [], labels: [] });
    expect(p.collectorUrl).toBeNull();
    expect(p.ingestToken).toBeNull();
    expect(p.heartbeatMinutes).toBeGreaterThan(0);
  });
  it('are not shared between calls (a caller mutating one copy cannot change the next)', () => {
    const a = defaultPolicy();
    a.actions.webmail.marked = 'allow';
    a.services[0].hosts.push('evil.com');
    expect(defaultPolicy().actions.webmail.marked).toBe('block');
    expect(defaultPolicy().services[0].hosts).not.toContain('evil.com');
  });
});

describe('merging managed over defaults', () => {
  it('with nothing managed is the defaults', () => {
    expect(mergePolicy({})).toEqual(defaultPolicy());
  });
  it('adds services, replaces a default by id, removes defaults by id', () => {
    const p = mergePolicy({
      services: [
        { id: 'acme-share', name: 'Partner share', category: 'custom', hosts: ['*.share.partner.example'] },
        { id: 'gmail', name: 'Gmail (all Google mail)', category: 'webmail', hosts: ['mail.google.com', 'inbox.google.com'] },
      ],
      removeServices: ['pastebin', 'claude'],
    });
    expect(findService(p, 'https://files.share.partner.example/')?.id).toBe('acme-share');
    expect(findService(p, 'https://inbox.google.com/')?.name).toBe('Gmail (all Google mail)');
    expect(p.services.filter((s) => s.id === 'gmail')).toHaveLength(1);
    expect(findService(p, 'https://pastebin.com/')).toBeNull();
    expect(findService(p, 'https://claude.ai/')).toBeNull();
    expect(p.services).toHaveLength(DEFAULT_SERVICES.length - 2 + 1);
  });
  it('changes only the actions the admin set', () => {
    const p = mergePolicy({ actions: { genai: { unscannable: 'block' }, sharing: { clean: 'audit' } } });
    expect(p.actions.genai).toEqual({ marked: 'block', unscannable: 'block', clean: 'allow' });
    expect(p.actions.sharing).toEqual({ marked: 'block', unscannable: 'warn', clean: 'audit', tooLarge: 'audit' });
    expect(p.actions.webmail).toEqual({ marked: 'block', unscannable: 'warn', clean: 'allow' });
    expect(actionFor(p, 'genai', 'unscannable')).toBe('block');
  });
  it('merges limits key by key and adds designations to the defaults', () => {
    const p = mergePolicy({ limits: { maxBytes: 500 * 1024 * 1024 }, designated: { keywords: ['社外秘'], sha256: ['a'.repeat(64)] } });
    expect(p.limits).toEqual({ ...DEFAULT_LIMITS, maxBytes: 500 * 1024 * 1024 });
    expect(p.designated.keywords).toEqual(['社外秘']);
    expect(p.designated.sha256).toEqual(['a'.repeat(64)]);
  });
  it('takes collector, user, messages and versions from policy', () => {
    const p = mergePolicy({
      collectorUrl: 'https://ug.example.co.jp',
      ingestToken: 'tok',
      user: 'taro@example.co.jp',
      heartbeatMinutes: 5,
      policyVersion: '2026-11',
      messages: { ja: '社内の転送サービスを使ってください', link: 'https://transfer.example.co.jp/' },
    });
    expect(p).toMatchObject({ collectorUrl: 'https://ug.example.co.jp', ingestToken: 'tok', user: 'taro@example.co.jp', heartbeatMinutes: 5, policyVersion: '2026-11' });
    expect(p.messages.ja).toBe('社内の転送サービスを使ってください');
    expect(p.messages.en).toBe(defaultPolicy().messages.en);
    expect(p.messages.link).toBe('https://transfer.example.co.jp/');
  });
});

describe('validating managed values', () => {
  it('accepts a complete, correct policy unchanged', () => {
    const raw = {
      services: [{ id: 'partner', name: 'Partner', category: 'sharing', hosts: ['*.partner.example'], paths: ['/upload'] }],
      removeServices: ['mega'],
      allow: ['acme.box.com'],
      actions: { webmail: { marked: 'warn' } },
      limits: { maxBytes: 1000 },
      designated: { sha256: ['b'.repeat(64)], patterns: ['PRJ-\\d{4}'], namePatterns: ['^極秘'], keywords: ['x'], labels: ['Confidential'] },
      messages: { ja: 'a', en: 'b', link: 'https://x.example/' },
      user: 'u1',
      collectorUrl: 'https://c.example/',
      ingestToken: 't',
      heartbeatMinutes: 30,
      policyVersion: 'v1',
    };
    const { policy, problems } = validateManaged(raw);
    expect(problems).toEqual([]);
    expect(policy).toEqual({ ...raw, collectorUrl: 'https://c.example' });
  });

  it('drops bad values (so the default stays in force) and names each one', () => {
    const { policy, problems } = validateManaged({
      actions: { webmail: { marked: 'blok', clean: 'audit' }, chat: { marked: 'allow' }, genai: { sure: 'allow' } },
      limits: { maxBytes: -1, maxDepth: 2.5, bogus: 3, maxEntries: 10 },
      designated: { sha256: ['xyz', 'C'.repeat(64)], patterns: ['(unclosed'], namePatterns: ['ok'] },
      allow: ['https://acme.box.com/', '*.acme.example'],
      services: [
        { id: 'Bad Id!', name: 'x', category: 'sharing', hosts: ['a.example'] },
        { id: 'nohosts', name: 'x', category: 'sharing', hosts: ['http://x'] },
        { id: 'cat', name: 'x', category: 'social', hosts: ['a.example'] },
        { id: 'good', name: 'Good', category: 'custom', hosts: ['good.example', 'bad host'] },
      ],
      messages: { ja: 'ok', link: 'javascript:alert(1)' },
      collectorUrl: 'ftp://x',
      heartbeatMinutes: 0,
      user: 'a\nb',
      unknownKey: true,
    });
    expect(policy.actions).toEqual({ webmail: { clean: 'audit' }, genai: {} });
    expect(policy.limits).toEqual({ maxEntries: 10 });
    expect(policy.designated).toEqual({ sha256: ['c'.repeat(64)], patterns: [], namePatterns: ['ok'] });
    expect(policy.allow).toEqual(['*.acme.example']);
    expect(policy.services).toEqual([{ id: 'good', name: 'Good', category: 'custom', hosts: ['good.example'] }]);
    expect(policy.messages).toEqual({ ja: 'ok' });
    expect(policy.collectorUrl).toBeUndefined();
    expect(policy.heartbeatMinutes).toBeUndefined();
    expect(policy.user).toBeUndefined();
    const text = problems.join('\n');
    for (const path of [
      'actions.webmail.marked',
      'actions.chat',
      'actions.genai.sure',
      'limits.maxBytes',
      'limits.maxDepth',
      'limits.bogus',
      'designated.sha256[0]',
      'designated.patterns[0]',
      'allow[0]',
      'services[0].id',
      'services[2].category',
      'services[3].hosts[1]',
      'messages.link',
      'collectorUrl',
      'heartbeatMinutes',
      'user',
      'unknownKey',
    ]) {
      expect(text).toContain(`${path}:`);
    }
  });

  it('a bad managed action never weakens the default', () => {
    const { effective } = effectivePolicyFrom({ actions: { webmail: { marked: 'none' } } });
    expect(effective.actions.webmail.marked).toBe('block');
  });

  it('treats wrong top-level shapes as no policy', () => {
    expect(validateManaged(null)).toEqual({ policy: {}, problems: [] });
    expect(validateManaged([]).problems).toEqual(['(policy): expected an object']);
    expect(validateManaged({ services: 'gmail' }).problems).toEqual(['services: expected an array']);
  });

  it('reports whether anything was managed', () => {
    expect(effectivePolicyFrom({}).isManaged).toBe(false);
    expect(effectivePolicyFrom({ policyVersion: 'x' }).isManaged).toBe(true);
  });
});

describe('strictest action over several findings', () => {
  it('orders block > warn > audit > allow', () => {
    expect(strictest([])).toBe('allow');
    expect(strictest(['allow', 'audit'])).toBe('audit');
    expect(strictest(['audit', 'warn', 'allow'])).toBe('warn');
    expect(strictest(['warn', 'block', 'allow'])).toBe('block');
  });
});
