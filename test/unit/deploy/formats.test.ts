/**
 * Every generated file parses with an independent reader (JSON.parse, the plist package, a strict .reg
 * parser), validates against the schema of what it configures, and carries the policy exactly: for an
 * ordinary policy with every key set and for one full of strings hostile to JSON, XML and .reg.
 */
import { DOMParser } from '@xmldom/xmldom';
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { policyFiles, resolveOptions, TARGETS, type GeneratedFile } from '../../../src/deploy/index.js';
import type { ManagedPolicy } from '../../../src/policy/types.js';
import { EXTENSION_ID, GECKO_ID, validateManaged } from '../../../src/policy/index.js';
import {
  ALL_FILES,
  FULL_POLICY,
  HOSTILE_POLICY,
  browserPoliciesFromRegistry,
  policyFromRegistry,
  validateChromeExtensionSettings,
  validateFirefoxPolicies,
  validatePolicy,
} from '../../support/deploy.js';
import { parseRegFile } from '../../support/reg-file.js';

const errorsOf = (v: { errors?: unknown }) => JSON.stringify(v.errors, null, 1);

function generate(policy: ManagedPolicy, request = {}): Map<string, GeneratedFile> {
  const { policy: validated, problems } = validateManaged(policy);
  expect(problems).toEqual([]);
  const files = policyFiles(validated, resolveOptions(validated, request, TARGETS), TARGETS);
  return new Map(files.map((f) => [f.path, f]));
}

const text = (f: GeneratedFile | undefined): string => {
  expect(typeof f?.content).toBe('string');
  return f!.content as string;
};

/** A strict XML well-formedness check: any warning or error from the parser fails. */
function parseXmlStrict(xml: string): void {
  const parser = new DOMParser({
    onError: (level: string, msg: string) => {
      throw new Error(`XML ${level}: ${msg}`);
    },
  });
  const doc = parser.parseFromString(xml, 'text/xml');
  expect(doc.documentElement?.nodeName).toBe('plist');
  // Rules xmldom does not check (XML 1.0 §2.4, §2.5): no "]]>" in character data, no "--" in a comment.
  expect(xml.replace(/<!--[\s\S]*?-->/g, '')).not.toContain(']]>');
  for (const m of xml.matchAll(/<!--([\s\S]*?)-->/g)) expect(m[1]).not.toMatch(/--|-$/);
}

const payloadFree = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('Payload')));

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

describe.each([
  ['every policy key', FULL_POLICY],
  ['hostile strings', HOSTILE_POLICY],
])('deployment files for a policy with %s', (_, policy) => {
  const files = generate(policy);
  const expected = validateManaged(policy).policy;

  it('the input is what validation keeps, and valid for the browser schema', () => {
    expect(expected).toEqual(policy);
    expect(validatePolicy(policy), errorsOf(validatePolicy)).toBe(true);
  });

  it('writes exactly the files of every target and a README', () => {
    expect([...files.keys()].sort()).toEqual(ALL_FILES);
    for (const f of files.values()) {
      expect(f.installTo.length).toBeGreaterThan(0);
      expect(f.description.length).toBeGreaterThan(0);
    }
  });

  describe('Linux JSON', () => {
    for (const [path, family] of [
      ['linux/chrome/upload-guard.json', 'chrome'],
      ['linux/chromium/upload-guard.json', 'chrome'],
      ['linux/edge/upload-guard.json', 'edge'],
    ] as const) {
      it(`${path}: parses, validates, carries the policy exactly`, () => {
        const doc = JSON.parse(text(files.get(path)));
        expect(validateChromeExtensionSettings(doc.ExtensionSettings), errorsOf(validateChromeExtensionSettings)).toBe(true);
        const own = doc.ExtensionSettings[EXTENSION_ID];
        expect(own).toMatchObject({ installation_mode: 'force_installed', override_update_url: true });
        expect(own.update_url).toBe(`${expected.collectorUrl}/extension/updates.xml?token=${encodeURIComponent(expected.ingestToken!)}`);
        expect(own[family === 'chrome' ? 'toolbar_pin' : 'toolbar_state']).toBe(family === 'chrome' ? 'force_pinned' : 'force_shown');
        expect(doc.ExtensionSettings['*'].installation_mode).toBe('blocked');
        expect(Object.keys(doc['3rdparty'].extensions)).toEqual([EXTENSION_ID]);
        const ext = doc['3rdparty'].extensions[EXTENSION_ID];
        expect(validatePolicy(ext), errorsOf(validatePolicy)).toBe(true);
        expect(ext).toEqual(expected);
        // Default hardening: incognito/InPrivate, guest, developer mode, other extensions; not devtools.
        const rest = Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'ExtensionSettings' && k !== '3rdparty'));
        expect(rest).toEqual({
          [family === 'chrome' ? 'IncognitoModeAvailability' : 'InPrivateModeAvailability']: 1,
          BrowserGuestModeEnabled: false,
          ExtensionDeveloperModeSettings: 1,
          BlockExternalExtensions: true,
        });
      });
    }
    it('Chromium gets the same file as Chrome', () => {
      expect(text(files.get('linux/chromium/upload-guard.json'))).toBe(text(files.get('linux/chrome/upload-guard.json')));
    });
  });

  describe('Windows .reg', () => {
    for (const [family, root] of [
      ['chrome', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome'],
      ['edge', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge'],
    ] as const) {
      it(`${family}: UTF-16LE with BOM and CRLF, parses strictly, maps back to the same policies`, () => {
        const f = files.get(`windows/upload-guard-${family}.reg`)!;
        expect(f.content).toBeInstanceOf(Uint8Array);
        const reg = parseRegFile(f.content as Uint8Array);
        const policyKey = `${root}\\3rdparty\\extensions\\${EXTENSION_ID}\\policy`;
        expect([...reg.keys.keys()]).toEqual([root, policyKey]);
        // The policy key is deleted before it is written, so removed values do not linger.
        expect(reg.deletedKeys).toEqual([policyKey]);
        const kinds = reg.lines.filter((l) => l.kind === 'delete-key' || l.kind === 'key').map((l) => `${l.kind} ${l.text}`);
        expect(kinds).toEqual([`key ${root}`, `delete-key ${policyKey}`, `key ${policyKey}`]);

        expect(policyFromRegistry(reg.keys.get(policyKey)!)).toEqual(expected);
        const linux = JSON.parse(text(files.get(`linux/${family}/upload-guard.json`)));
        delete linux['3rdparty'];
        const browser = browserPoliciesFromRegistry(reg.keys.get(root)!);
        expect(validateChromeExtensionSettings(browser.ExtensionSettings), errorsOf(validateChromeExtensionSettings)).toBe(true);
        expect(browser).toEqual(linux);
      });

      it(`${family}: states each hardening setting and its reason in comments`, () => {
        const reg = parseRegFile(files.get(`windows/upload-guard-${family}.reg`)!.content as Uint8Array);
        const comments = reg.lines.filter((l) => l.kind === 'comment').map((l) => l.text);
        for (const [name, state] of [
          ['incognito', 'ON'],
          ['guest', 'ON'],
          ['developer-mode', 'ON'],
          ['other-extensions', 'ON'],
          ['devtools', 'OFF, not set'],
        ]) {
          expect(comments.some((c) => c.startsWith(`; ${name}: ${state} (`))).toBe(true);
        }
        expect(comments.some((c) => c.includes('no policy can allow it'))).toBe(true);
        expect(comments.some((c) => c.includes('シークレット'))).toBe(true);
      });
    }
  });

  describe('macOS .mobileconfig', () => {
    const xml = text(files.get('macos/upload-guard.mobileconfig'));

    it('is well-formed XML with a plist DOCTYPE, and parses with the plist package', () => {
      parseXmlStrict(xml);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"')).toBe(true);
      expect(() => plist.parse(xml)).not.toThrow();
    });

    it('is a system Configuration profile with four complete payloads; the values round-trip exactly', () => {
      const profile = plist.parse(xml) as Record<string, unknown>;
      expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadScope: 'System', PayloadVersion: 1, PayloadIdentifier: `upload-guard.${EXTENSION_ID}` });
      expect(profile.PayloadUUID).toMatch(UUID);
      expect(typeof profile.PayloadDisplayName).toBe('string');
      const payloads = profile.PayloadContent as Record<string, unknown>[];
      expect(payloads.map((p) => p.PayloadType)).toEqual([
        'com.google.Chrome',
        `com.google.Chrome.extensions.${EXTENSION_ID}`,
        'com.microsoft.Edge',
        `com.microsoft.Edge.extensions.${EXTENSION_ID}`,
      ]);
      const uuids = new Set([profile.PayloadUUID]);
      for (const p of payloads) {
        expect(p.PayloadIdentifier).toBe(`upload-guard.${EXTENSION_ID}.${p.PayloadType}`);
        expect(p.PayloadUUID).toMatch(UUID);
        uuids.add(p.PayloadUUID);
        expect(p.PayloadVersion).toBe(1);
        expect(typeof p.PayloadDisplayName).toBe('string');
      }
      expect(uuids.size).toBe(5);
      expect(payloadFree(payloads[1])).toEqual(expected);
      expect(payloadFree(payloads[3])).toEqual(expected);
      for (const [i, family] of [
        [0, 'chrome'],
        [2, 'edge'],
      ] as const) {
        const linux = JSON.parse(text(files.get(`linux/${family}/upload-guard.json`)));
        delete linux['3rdparty'];
        expect(payloadFree(payloads[i])).toEqual(linux);
        expect(validateChromeExtensionSettings(payloads[i].ExtensionSettings)).toBe(true);
      }
    });

    it('the UUIDs are the same every time (re-deploying replaces the profile)', () => {
      expect(text(generate(policy).get('macos/upload-guard.mobileconfig'))).toBe(xml);
      const other = text(generate(policy, { extensionId: 'a'.repeat(32) }).get('macos/upload-guard.mobileconfig'));
      const uuids = (s: string) => [...s.matchAll(/<key>PayloadUUID<\/key>\s*<string>([^<]*)</g)].map((m) => m[1]);
      expect(uuids(other)).toHaveLength(5);
      for (const u of uuids(other)) expect(uuids(xml)).not.toContain(u);
    });
  });

  describe('Firefox policies.json', () => {
    it('parses, validates, force-installs in private windows too, carries the policy exactly', () => {
      const doc = JSON.parse(text(files.get('firefox/policies.json')));
      expect(validateFirefoxPolicies(doc), errorsOf(validateFirefoxPolicies)).toBe(true);
      const p = doc.policies;
      expect(p.ExtensionSettings[GECKO_ID]).toEqual({
        installation_mode: 'force_installed',
        install_url: `${expected.collectorUrl}/extension/upload-guard.xpi?token=${encodeURIComponent(expected.ingestToken!)}`,
        private_browsing: true,
        default_area: 'navbar',
      });
      expect(p.ExtensionSettings['*'].installation_mode).toBe('blocked');
      expect(p.DisablePrivateBrowsing).toBe(true);
      expect(p.BlockAboutConfig).toBe(true);
      expect(p.DisableDeveloperTools).toBeUndefined();
      expect(Object.keys(p['3rdparty'].Extensions)).toEqual([GECKO_ID]);
      expect(validatePolicy(p['3rdparty'].Extensions[GECKO_ID])).toBe(true);
      expect(p['3rdparty'].Extensions[GECKO_ID]).toEqual(expected);
    });
  });

  it('README.txt lists every file with its place and every hardening setting with its reason, in Japanese and English', () => {
    const readme = text(files.get('README.txt'));
    expect(readme).toContain('== 日本語 ==');
    expect(readme).toContain('== English ==');
    for (const f of files.values()) if (f.path !== 'README.txt') expect(readme).toContain(f.path);
    expect(readme).toContain('/etc/opt/chrome/policies/managed/upload-guard.json');
    expect(readme).toContain('/etc/chromium/policies/managed/upload-guard.json');
    expect(readme).toContain('/etc/opt/edge/policies/managed/upload-guard.json');
    for (const name of ['incognito', 'guest', 'developer-mode', 'other-extensions', 'devtools', 'private-browsing', 'about-config']) {
      expect(readme.match(new RegExp(`\\[(ON\\] |OFF\\]|有効\\]|無効\\]) ${name} `, 'g'))).toHaveLength(2);
    }
    expect(readme).toMatch(/\[OFF\] devtools/);
    expect(readme).toMatch(/\[無効\] devtools/);
    expect(readme).toContain('理由:');
    expect(readme).toContain('Why:');
  });
});

describe('Chrome Browser Cloud Management', () => {
  it('wraps every extension policy value as {"Value": …}, and the unwrapped values equal the policy', async () => {
    const { policyFiles, resolveOptions } = await import('../../../src/deploy/index.js');
    const policy = { collectorUrl: 'https://c.example.co.jp', ingestToken: 't"\\<x>', heartbeatMinutes: 5, allow: ['a.example.com'], actions: { genai: { unscannable: 'block' as const } } };
    const options = resolveOptions(policy, {}, ['cbcm']);
    const files = policyFiles(policy, options, ['cbcm']);
    const file = files.find((f) => f.path === 'cbcm/extension-policy.json')!;
    const parsed = JSON.parse(String(file.content)) as Record<string, { Value: unknown }>;
    for (const v of Object.values(parsed)) expect(Object.keys(v)).toEqual(['Value']);
    expect(Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.Value]))).toEqual(policy);
    expect(files.map((f) => f.path).sort()).toEqual(['README.txt', 'cbcm/extension-policy.json']);
  });
});
