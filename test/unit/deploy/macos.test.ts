/** The profile writer's escaping, comments and UUIDs, and the values no format may carry. */
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { chromePolicies } from '../../../src/deploy/chrome.js';
import { policyFiles, policyProblems } from '../../../src/deploy/index.js';
import { mobileconfigText, nameUuid, xmlComment } from '../../../src/deploy/macos.js';
import { DeployError, resolveOptions, TARGETS } from '../../../src/deploy/options.js';
import type { ManagedPolicy } from '../../../src/policy/types.js';

const options = resolveOptions({}, { updateUrl: 'https://u.example/updates.xml', firefoxInstallUrl: 'https://u.example/a.xpi' }, TARGETS);

function profileWith(extensionPolicy: Record<string, string>): string {
  return mobileconfigText([{ ...chromePolicies('chrome', {}, options), extensionPolicy }]);
}

describe('XML escaping', () => {
  it('keeps every XML-legal string exactly, markup and all', () => {
    const tricky = [
      ']]>',
      '<!-- x -->',
      '<![CDATA[x]]>',
      '</string></dict></array></plist>',
      '&amp; &lt; &#x41; &',
      ' leading and trailing spaces ',
      'CR\rCRLF\r\nLF\nTAB\t',
      'NEL\u0085 LS\u2028 PS\u2029 DEL\u007f',
      '"\'\\%PATH%',
      '秘 😀',
      '',
    ];
    const values = Object.fromEntries(tricky.map((s, i) => [`k${i}`, s]));
    const parsed = plist.parse(profileWith(values)) as { PayloadContent: Record<string, unknown>[] };
    const payload = parsed.PayloadContent[1];
    for (const [k, v] of Object.entries(values)) expect(payload[k], JSON.stringify(v)).toBe(v);
  });

  it('refuses characters XML cannot carry, naming the field', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\ufffe', '\ud800', '\udc00x']) {
      expect(() => profileWith({ user: `a${c}b` })).toThrow(DeployError);
      expect(() => profileWith({ user: `a${c}b` })).toThrow(/^user: contains U\+/);
    }
    // A paired surrogate (an emoji) is fine.
    expect(() => profileWith({ user: '😀' })).not.toThrow();
  });

  it('comments never contain "--" nor end with "-"', () => {
    for (const s of ['a--b', 'a---b', '--', '-', 'end-', '<!-- x -->', 'line\nbreak --> <!--']) {
      const c = xmlComment(s);
      const body = c.slice(4, -3);
      expect(c.startsWith('<!--') && c.endsWith('-->')).toBe(true);
      expect(body).not.toMatch(/--/);
      expect(body.endsWith('-')).toBe(false);
      expect(body).not.toMatch(/[\r\n]/);
    }
  });
});

describe('payload UUIDs', () => {
  it('are UUID-formatted (version 8, RFC variant), and depend only on the name', () => {
    const u = nameUuid('upload-guard.x.com.google.Chrome');
    expect(u).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(nameUuid('upload-guard.x.com.google.Chrome')).toBe(u);
    expect(nameUuid('upload-guard.y.com.google.Chrome')).not.toBe(u);
  });
});

describe('values no deployment may carry', () => {
  const base = { collectorUrl: 'https://c.example', ingestToken: 't' } satisfies ManagedPolicy;

  it('integers beyond 32 bits (Chrome drops them silently) and control characters, each naming its field', () => {
    const policy: ManagedPolicy = { ...base, limits: { maxBytes: 5_000_000_000, maxDepth: 3 }, messages: { ja: 'ok\n', en: 'bell\u0007' }, designated: { keywords: ['a', 'b\u0000'] } };
    expect(policyProblems(policy)).toEqual([
      'limits.maxBytes: 5000000000 is out of range: browsers take policy integers up to 2147483647 and drop larger values',
      'messages.en: contains the character U+0007, which policy files cannot carry on every platform',
      'designated.keywords[1]: contains the character U+0000, which policy files cannot carry on every platform',
    ]);
    expect(() => policyFiles(policy, resolveOptions(policy, {}, TARGETS), TARGETS)).toThrow(DeployError);
    expect(policyProblems({ ...base, limits: { maxBytes: 2 ** 31 - 1 }, messages: { ja: 'tab\tnewline\nCR\r' } })).toEqual([]);
  });
});
