/**
 * Scope (listed | everywhere), category `other`, and sanctioned destinations with requireEncryption:
 * what a page is, which URLs get a script, what each verdict leads to, and how a policy that says so is
 * checked. The encryption check runs the real engine over real encrypted files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registrationPlan } from '../../extension/background/registration-plan.js';
import { scanBlob } from '../../src/detect/index.js';
import { isEncrypted, neutralName } from '../../src/guard/encryption.js';
import { answerFindings, pageView, responseOf, serviceInfo } from '../../src/guard/index.js';
import { DEFAULT_LIMITS } from '../../src/detect/limits.js';
import { actionAt, findDestination } from '../../src/policy/destination.js';
import { defaultPolicy, guardMatchPatterns, mergePolicy, validateManaged } from '../../src/policy/index.js';
import { file, snapshotOf, started } from '../support/guard.js';

const CORPUS = join(__dirname, '../../../shared/corpus');
const FIXTURES = join(__dirname, '../fixtures');
const blob = (path: string) => new Blob([new Uint8Array(readFileSync(path))]);

const everywhere = mergePolicy({
  scope: 'everywhere',
  allow: ['acme.box.com', '*.acme.co.jp'],
  sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true, action: 'warn' }, { host: 'transfer.acme.example', requireEncryption: false, action: 'warn' }],
});
const kind = (p: typeof everywhere, url: string) => findDestination(p, url)?.kind ?? null;

describe('what a page is', () => {
  it('listed (the default): unlisted hosts are nothing, listed ones their service', () => {
    const p = defaultPolicy();
    expect(p.scope).toBe('listed');
    expect(kind(p, 'https://files.unlisted.example/')).toBeNull();
    expect(findDestination(p, 'https://mail.google.com/mail/u/0/')).toMatchObject({ kind: 'service', service: { id: 'gmail' } });
  });

  it('everywhere: an unlisted http(s) page is other; allow and sanctioned win; other schemes stay out', () => {
    expect(findDestination(everywhere, 'https://files.unlisted.example/up')).toEqual({ kind: 'other', host: 'files.unlisted.example' });
    expect(kind(everywhere, 'http://192.168.0.10:8080/')).toBe('other');
    expect(kind(everywhere, 'https://mail.google.com/')).toBe('service');
    expect(kind(everywhere, 'https://acme.box.com/folder')).toBeNull();
    expect(kind(everywhere, 'https://app.box.com/')).toBe('service');
    expect(kind(everywhere, 'https://wiki.acme.co.jp/')).toBeNull();
    // The sanctioned entry is more binding than the broader allow pattern over it.
    expect(findDestination(everywhere, 'https://mail.acme.co.jp/compose')).toMatchObject({ kind: 'sanctioned', entry: { host: 'mail.acme.co.jp' } });
    // A sanctioned entry without a condition is a plain allow.
    expect(kind(everywhere, 'https://transfer.acme.example/')).toBeNull();
    for (const url of ['file:///tmp/a.html', 'chrome://settings', 'about:blank', 'data:text/html,x', 'not a url']) expect(kind(everywhere, url)).toBeNull();
  });

  it('the page view and what events call it', () => {
    const s = snapshotOf({ scope: 'everywhere', sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true }] });
    const other = pageView(s, ['https://files.unlisted.example/up']);
    expect(other).toMatchObject({ service: { id: 'other', name: 'files.unlisted.example', category: 'other' }, requireEncryption: false });
    expect(other.actions).toEqual({ marked: 'block', unscannable: 'warn', clean: 'allow' });
    const sanctioned = pageView(s, ['https://mail.acme.co.jp/']);
    expect(sanctioned).toMatchObject({ service: { id: 'sanctioned', name: 'mail.acme.co.jp', category: null }, requireEncryption: true });
    expect(sanctioned.actions).toEqual({ marked: 'warn', unscannable: 'allow', clean: 'allow' });
    // How to meet the condition comes with the background's answer (the dialog's source), not the frame's view.
    expect(sanctioned.guidance.text).not.toContain('パスワード付き ZIP');
    const finding = { channel: 'file-input', url: 'https://mail.acme.co.jp/', fileName: '秘—見積.xlsx', size: 10, sha256: null, verdict: 'marked', rule: 2, reason: 'name', location: null };
    const guidanceAt = (snap: typeof s) => responseOf(snap, answerFindings(snap, ['https://mail.acme.co.jp/'], [finding]), ['e1']).guidance.text;
    expect(guidanceAt(s)).toContain('mail.acme.co.jp');
    expect(guidanceAt(s)).toContain('パスワード付き ZIP');
    expect(guidanceAt({ ...s, lang: 'en' })).toContain('Encrypt with Password');
    expect(serviceInfo(null)).toBeNull();
  });
});

describe('what each verdict leads to', () => {
  it('other has its own actions, shipped as block / warn / allow, and the admin sets them', () => {
    const p = mergePolicy({ scope: 'everywhere', actions: { other: { unscannable: 'audit' } } });
    const d = findDestination(p, 'https://x.example/')!;
    expect(['marked', 'unscannable', 'clean'].map((v) => actionAt(p, d, { verdict: v as 'marked', fileName: 'a.docx' }))).toEqual(['block', 'audit', 'allow']);
    expect(actionAt(p, d, { verdict: 'marked', fileName: null })).toBe('block');
    expect(defaultPolicy().actions.other).toEqual({ marked: 'block', unscannable: 'warn', clean: 'allow' });
  });

  it('a sanctioned destination: only an attached marked file not known to be encrypted gets its action', () => {
    for (const action of ['warn', 'block', 'audit'] as const) {
      const p = mergePolicy({ sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true, action }] });
      const d = findDestination(p, 'https://mail.acme.co.jp/')!;
      const file = (verdict: 'marked' | 'clean' | 'unscannable', encrypted?: boolean | null) => actionAt(p, d, { verdict, fileName: '秘—見積.zip', encrypted });
      expect(file('marked', false)).toBe(action);
      expect(file('marked', null)).toBe(action);
      expect(file('marked')).toBe(action);
      expect(file('marked', true)).toBe('allow');
      expect(file('unscannable')).toBe('allow');
      expect(file('clean')).toBe('allow');
      // Marked text typed into the company's own mail (no file attached) passes, as at an allowed host.
      expect(actionAt(p, d, { verdict: 'marked', fileName: null })).toBe('allow');
    }
  });

  it('the background decides from the finding: encrypted passes, unencrypted is warned, a lie about the field is refused whole', () => {
    const s = snapshotOf({ sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true }] });
    const f = { channel: 'file-input', url: 'https://mail.acme.co.jp/', fileName: '秘—見積.zip', size: 10, sha256: null, verdict: 'marked', rule: 2, reason: 'name', location: null };
    expect(answerFindings(s, ['https://mail.acme.co.jp/'], [{ ...f, encrypted: true }]).action).toBe('allow');
    expect(answerFindings(s, ['https://mail.acme.co.jp/'], [{ ...f, encrypted: false }]).action).toBe('warn');
    expect(answerFindings(s, ['https://mail.acme.co.jp/'], [f]).action).toBe('warn');
    expect(answerFindings(s, ['https://mail.acme.co.jp/'], [{ ...f, encrypted: 'yes' }]).action).toBe('block');
  });
});

describe('which URLs get a script', () => {
  const files = { guard: 'g.js', pageHooks: 'h.js' };
  it('listed: the services and the conditioned destinations, nothing else', () => {
    const p = mergePolicy({ sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true, action: 'warn' }] });
    const { matches } = guardMatchPatterns(p);
    expect(matches).toContain('*://mail.acme.co.jp/*');
    expect(matches).toContain('*://mail.google.com/*');
    expect(matches.some((m) => m.includes('*://*/') || m.includes('<all_urls>') || m.startsWith('http'))).toBe(false);
  });

  it('everywhere: every http(s) page and frame, minus allowed hosts, but never a conditioned destination', () => {
    const [hooks, guard] = registrationPlan(everywhere, files);
    for (const s of [hooks, guard]) {
      expect(s).toMatchObject({ matches: ['http://*/*', 'https://*/*'], allFrames: true, matchOriginAsFallback: true, runAt: 'document_start' });
      // *.acme.co.jp covers mail.acme.co.jp, which must keep its guard: not excluded (the guard stands down itself).
      expect(s.excludeMatches).toEqual(['*://acme.box.com/*', '*://transfer.acme.example/*']);
    }
  });

  it('registers something even with no service left, when a destination has a condition', () => {
    const p = mergePolicy({ removeServices: defaultPolicy().services.map((s) => s.id), sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true, action: 'warn' }] });
    expect(registrationPlan(p, files)[1]!.matches).toEqual(['*://mail.acme.co.jp/*']);
  });
});

describe('is it encrypted (the real engine)', () => {
  const scan = (b: Blob, name: string, o: object) => scanBlob(b, name, o);
  const cases: [string, string, boolean][] = [
    ['ZIP, every member encrypted, a marked member name', join(FIXTURES, 'office/archives/enc-marked-name.zip'), true],
    ['ZIP, encrypted', join(FIXTURES, 'office/archives/enc-plain.zip'), true],
    ['corpus ZIP with a password', join(CORPUS, '送付資料_pw.zip'), true],
    ['ZIP, plain', join(FIXTURES, 'office/archives/stored.zip'), false],
    ['PDF with a user password', join(FIXTURES, 'pdf/user-aes-256.pdf'), true],
    ['corpus PDF with a password', join(CORPUS, '受領書_pw.pdf'), true],
    ['PDF with only an owner password (opens without one)', join(FIXTURES, 'pdf/owner-aes-256.pdf'), false],
    ['corpus Excel with a password (encrypted OOXML)', join(CORPUS, '価格表_pw.xlsx'), true],
    ['7z with encrypted headers', join(FIXTURES, 'archives/7z-enc-headers.7z'), true],
    ['7z, encrypted content', join(FIXTURES, 'archives/7z-enc-clean.7z'), true],
    ['a plain docx', join(FIXTURES, 'office/writer-header-only.docx'), false],
    ['a plain text file', join(CORPUS, '秘ー打合せ記録.txt'), false],
  ];
  it.each(cases)('%s', async (_what, path, expected) => {
    const name = `秘—${path.split('/').pop()}`;
    expect(await isEncrypted(blob(path), name, scan, DEFAULT_LIMITS)).toBe(expected);
  });

  it('a scan that fails is not proof of encryption', async () => {
    expect(await isEncrypted(new Blob(['x']), 'a.zip', async () => Promise.reject(new Error('worker gone')), DEFAULT_LIMITS)).toBe(false);
  });

  it('sets the name aside but keeps its extension', () => {
    expect(neutralName('秘—見積.ZIP')).toBe('file.zip');
    expect(neutralName('C—memo')).toBe('file');
  });
});

describe('the guard at a sanctioned destination (core, real engine)', () => {
  const policy = { sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true, action: 'warn' }] };
  async function attach(path: string, name: string) {
    const h = await started({ url: 'https://mail.acme.co.jp/compose', policy });
    const f = new File([readFileSync(path)], name);
    // The harness scans by name; here the real engine answers.
    h.verdicts.clear();
    const real = await scanBlob(f, name);
    h.verdicts.set(name, real);
    h.verdicts.set(neutralName(name), await scanBlob(f, neutralName(name)));
    const proceed = await h.guard.decide('file-input', [{ kind: 'file', blob: f, name }]);
    return { h, proceed };
  }

  it('warns for a marked file that is not encrypted, names the destination and how to encrypt, and records it', async () => {
    const { h, proceed } = await attach(join(FIXTURES, 'office/archives/stored.zip'), '秘—見積.zip');
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatchObject({ action: 'warn', serviceName: 'mail.acme.co.jp' });
    expect(h.warnings[0]!.guidance.text).toContain('パスワード');
    expect(proceed).toBe(true); // the harness's employee proceeds with a justification
    expect(h.events[0]).toMatchObject({ service: 'sanctioned', serviceName: 'mail.acme.co.jp', category: null, verdict: 'marked', action: 'warn', outcome: 'pending' });
  });

  it('lets an encrypted marked file through without asking (on record as allowed)', async () => {
    const { h, proceed } = await attach(join(FIXTURES, 'office/archives/enc-plain.zip'), '秘—見積.zip');
    expect(proceed).toBe(true);
    expect(h.warnings).toHaveLength(0);
    expect(h.events[0]).toMatchObject({ service: 'sanctioned', action: 'allow', outcome: 'allowed' });
  });

  it('a name-marked file is not cleared before the check when the action is block', async () => {
    const h = await started({ url: 'https://mail.acme.co.jp/', policy: { sanctioned: [{ host: 'mail.acme.co.jp', requireEncryption: true, action: 'block' }] } });
    expect(h.guard.nameRefusalIsFinal()).toBe(false);
    const g = await started({ url: 'https://files.unlisted.example/', policy: { scope: 'everywhere' } });
    expect(g.guard.nameRefusalIsFinal()).toBe(true);
    expect(file('x').name).toBe('x');
  });
});

describe('policy validation', () => {
  it('accepts scope, sanctioned entries with defaults filled in, and actions.other', () => {
    const { policy, problems } = validateManaged({
      scope: 'everywhere',
      sanctioned: [{ host: 'Mail.Acme.co.jp.', requireEncryption: true }, { host: '*.partner.example' }],
      actions: { other: { marked: 'warn' } },
    });
    expect(problems).toEqual([]);
    expect(policy.sanctioned).toEqual([
      { host: 'mail.acme.co.jp', requireEncryption: true, action: 'warn' },
      { host: '*.partner.example', requireEncryption: false, action: 'warn' },
    ]);
    expect(mergePolicy(policy).actions.other).toEqual({ marked: 'warn', unscannable: 'warn', clean: 'allow' });
  });

  it('drops what it cannot read, naming the field, so nothing is weaker than shipped', () => {
    const { policy, problems } = validateManaged({
      scope: 'all',
      allow: ['ok.example', { host: 'mail.acme.co.jp', requireEncryption: true }],
      sanctioned: [
        { host: 'https://mail.acme.co.jp/' },
        { host: 'a.example', requireEncryption: 'yes' },
        { host: 'b.example', requireEncryption: true, action: 'allow' },
        { host: 'c.example', requireEncryption: true, colour: 'red' },
        'd.example',
      ],
      services: [{ id: 'other', name: 'X', category: 'custom', hosts: ['x.example'] }, { id: 'sanctioned', name: 'Y', category: 'custom', hosts: ['y.example'] }],
    });
    expect(policy.scope).toBeUndefined();
    expect(policy.allow).toEqual(['ok.example']);
    expect(policy.sanctioned).toEqual([{ host: 'c.example', requireEncryption: true, action: 'warn' }]);
    expect(policy.services).toEqual([]);
    expect(problems).toEqual([
      'services[0].id: "other" is reserved (events use it for unlisted pages and sanctioned destinations)',
      'services[1].id: "sanctioned" is reserved (events use it for unlisted pages and sanctioned destinations)',
      'scope: expected one of listed, everywhere',
      'allow[1]: expected a host pattern string (an entry with conditions goes in sanctioned)',
      'sanctioned[0].host: "https://mail.acme.co.jp/" is not a host pattern (example.com or *.example.com, no scheme, port or path)',
      'sanctioned[1].requireEncryption: expected true or false',
      'sanctioned[2].action: expected one of warn, block, audit',
      'sanctioned[3].colour: unknown key (expected host, requireEncryption, action)',
      'sanctioned[4]: expected an object with host, requireEncryption and action',
    ]);
  });
});
