/** The policy snapshot every open tab runs with: complete, versioned by content, free of secrets. */
import { describe, expect, it } from 'vitest';
import { effectivePolicyFrom } from '../../src/policy/load.js';
import { policySnapshot } from '../../src/policy/snapshot.js';
import { pageView } from '../../src/guard/page.js';

const managed = {
  collectorUrl: 'https://collector.example.co.jp',
  ingestToken: 'ugi_secret-token-0123456789',
  designated: { keywords: ['プロジェクトX'] },
  services: [{ id: 'partner', name: '取引先', category: 'custom', hosts: ['upload.partner.example'], paths: ['/send'] }],
};
const snap = (m: Record<string, unknown>, lang: 'ja' | 'en' = 'ja') => policySnapshot(effectivePolicyFrom(m).effective, lang);

describe('policy snapshot', () => {
  it('has every field, none undefined, and no secret or collector address', () => {
    const s = snap(managed);
    expect(Object.keys(s).sort()).toEqual(['actions', 'allow', 'designated', 'guidance', 'lang', 'limits', 'messages', 'policyVersion', 'sanctioned', 'scope', 'services', 'version']);
    const json = JSON.stringify(s);
    expect(json).not.toContain('ugi_secret');
    expect(json).not.toContain('collector.example');
    for (const svc of s.services) expect(Object.keys(svc).sort()).toEqual(['category', 'hosts', 'id', 'name', 'paths']);
    expect(s.services.find((x) => x.id === 'gmail')!.paths).toBeNull();
    expect(s.services.find((x) => x.id === 'partner')!.paths).toEqual(['/send']);
  });

  it('the version follows the content: equal policies share it, any change moves it', () => {
    expect(snap(managed).version).toBe(snap({ ...managed }).version);
    expect(snap(managed).version).not.toBe(snap({ ...managed, designated: { keywords: ['プロジェクトY'] } }).version);
    expect(snap(managed).version).not.toBe(snap({ ...managed, actions: { webmail: { unscannable: 'block' } } }).version);
    expect(snap(managed).version).not.toBe(snap(managed, 'en').version);
    // The token is not in the snapshot, so rotating it does not disturb open tabs.
    expect(snap(managed).version).toBe(snap({ ...managed, ingestToken: 'ugi_other-token-9876543210' }).version);
  });

  it('a page view: the service and its category actions, or nothing to enforce', () => {
    const s = snap(managed);
    expect(pageView(s, ['https://upload.partner.example/send'])).toMatchObject({
      version: s.version,
      service: { id: 'partner', name: '取引先', category: 'custom' },
      actions: s.actions.custom,
      designated: { keywords: ['プロジェクトX'] },
    });
    expect(pageView(s, ['about:blank', 'https://mail.google.com/mail/u/0/']).service?.id).toBe('gmail');
    expect(pageView(s, ['https://example.org/'])).toMatchObject({ service: null, actions: { marked: 'allow', clean: 'allow', unscannable: 'allow' } });
  });
});
