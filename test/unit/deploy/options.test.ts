/** Deployment options: derived URLs, --webstore, IDs, and the hardening table switched on and off. */
import { describe, expect, it } from 'vitest';
import { HARDENING, HARDENING_NAMES, hardeningFor } from '../../../src/deploy/hardening.js';
import { policyFiles } from '../../../src/deploy/index.js';
import { DeployError, resolveOptions, TARGETS, WEBSTORE_UPDATE_URL, type DeployRequest, type Target } from '../../../src/deploy/options.js';
import { EXTENSION_ID, GECKO_ID } from '../../../src/policy/index.js';
import type { ManagedPolicy } from '../../../src/policy/types.js';
import { parseRegFile } from '../../support/reg-file.js';
import { browserPoliciesFromRegistry } from '../../support/deploy.js';
import plist from 'plist';

const policy: ManagedPolicy = { collectorUrl: 'https://ug.example.co.jp:8787', ingestToken: 'a b&c/d+e=f%' };

function problemsOf(p: ManagedPolicy, req: DeployRequest, targets: readonly Target[] = TARGETS): string[] {
  try {
    resolveOptions(p, req, targets);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(DeployError);
    return (e as DeployError).problems;
  }
}

describe('URLs', () => {
  it('default to the collector, with the ingest token as ?token=, percent-encoded', () => {
    const o = resolveOptions(policy, {}, TARGETS);
    const token = encodeURIComponent(policy.ingestToken!);
    expect(token).toBe('a%20b%26c%2Fd%2Be%3Df%25');
    expect(o.updateUrl).toEqual({
      chrome: `https://ug.example.co.jp:8787/extension/updates.xml?token=${token}`,
      edge: `https://ug.example.co.jp:8787/extension/updates.xml?token=${token}`,
    });
    expect(o.firefoxInstallUrl).toBe(`https://ug.example.co.jp:8787/extension/upload-guard.xpi?token=${token}`);
    expect(o.extensionId).toBe(EXTENSION_ID);
    expect(o.geckoId).toBe(GECKO_ID);
  });

  it('--webstore: the store IDs are required; Edge Add-ons for Edge with its own ID, else the Chrome Web Store', () => {
    const cws = 'abcdefghijklmnopabcdefghijklmnop';
    const edgeStore = 'ponmlkjihgfedcbaponmlkjihgfedcba';
    const both = resolveOptions(policy, { webstore: true, extensionId: cws, edgeExtensionId: edgeStore }, TARGETS);
    expect(both.updateUrl).toEqual({
      chrome: 'https://clients2.google.com/service/update2/crx',
      edge: 'https://edge.microsoft.com/extensionwebstorebase/v1/crx',
    });
    const files = new Map(policyFiles(policy, both, ['linux']).filter((f) => f.path.endsWith('.json')).map((f) => [f.path, JSON.parse(String(f.content))]));
    expect(Object.keys(files.get('linux/edge/upload-guard.json')['3rdparty'].extensions)).toEqual([edgeStore]);
    expect(files.get('linux/edge/upload-guard.json').ExtensionSettings[edgeStore].update_url).toBe(WEBSTORE_UPDATE_URL.edge);
    expect(Object.keys(files.get('linux/chrome/upload-guard.json')['3rdparty'].extensions)).toEqual([cws]);

    const cwsOnly = resolveOptions(policy, { webstore: true, extensionId: cws }, TARGETS);
    expect(cwsOnly.updateUrl).toEqual({ chrome: WEBSTORE_UPDATE_URL.chrome, edge: WEBSTORE_UPDATE_URL.chrome });
    expect(cwsOnly.edgeExtensionId).toBe(cws);

    expect(problemsOf(policy, { webstore: true })).toEqual([expect.stringMatching(/^--webstore: the Chrome Web Store assigns the extension its own ID/)]);
    expect(problemsOf(policy, { edgeExtensionId: edgeStore })).toEqual([expect.stringMatching(/^--edge-extension-id is for --webstore/)]);
  });

  it('--update-url and --firefox-install-url win over the collector, in canonical form', () => {
    const o = resolveOptions(policy, { updateUrl: 'https://Ext.Example/u p.xml', firefoxInstallUrl: 'file:///srv/ug.xpi' }, TARGETS);
    expect(o.updateUrl!.chrome).toBe('https://ext.example/u%20p.xml');
    expect(o.firefoxInstallUrl).toBe('file:///srv/ug.xpi');
  });

  it('no way to derive a URL, or contradicting ones: clear errors, all at once', () => {
    expect(problemsOf({}, {})).toEqual([
      expect.stringMatching(/^no update URL for Chrome\/Edge: give --update-url URL .* or --webstore, or set collectorUrl .* and ingestToken/),
      expect.stringMatching(/^no install URL for Firefox: give --firefox-install-url URL/),
    ]);
    expect(problemsOf({ collectorUrl: 'https://c.example' }, {}, ['linux'])).toHaveLength(1);
    expect(problemsOf({}, {}, ['firefox'])).toEqual([expect.stringMatching(/^no install URL for Firefox/)]);
    expect(problemsOf({}, { webstore: true, extensionId: 'abcdefghijklmnopabcdefghijklmnop' }, ['linux', 'windows', 'macos'])).toEqual([]);
    expect(problemsOf(policy, { webstore: true, extensionId: 'abcdefghijklmnopabcdefghijklmnop', updateUrl: 'https://x.example/' })).toEqual([
      '--webstore and --update-url contradict each other: give one',
    ]);
    expect(problemsOf(policy, { updateUrl: 'ftp://x.example/' })).toEqual(['--update-url: "ftp://x.example/" is not an http(s) URL']);
    expect(problemsOf(policy, { firefoxInstallUrl: 'javascript:alert(1)' })).toEqual([expect.stringMatching(/^--firefox-install-url: /)]);
  });
});

describe('IDs', () => {
  it('--extension-id must be 32 letters a–p; --gecko-id a Firefox add-on id', () => {
    expect(resolveOptions(policy, { extensionId: 'abcdefghijklmnopabcdefghijklmnop' }, TARGETS).extensionId).toBe('abcdefghijklmnopabcdefghijklmnop');
    for (const bad of ['abcdefghijklmnopabcdefghijklmnoq', 'ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP', 'abc', 'abcdefghijklmnopabcdefghijklmnop\n', '../../etc']) {
      expect(problemsOf(policy, { extensionId: bad })).toEqual([expect.stringMatching(/^--extension-id: .* is not an extension ID \(32 letters a–p\)$/)]);
    }
    expect(problemsOf(policy, { geckoId: 'ug@corp.example' })).toEqual([]);
    expect(problemsOf(policy, { geckoId: '{12345678-1234-1234-1234-123456789abc}' })).toEqual([]);
    expect(problemsOf(policy, { geckoId: 'no-at-sign' })).toEqual([expect.stringMatching(/^--gecko-id: /)]);
  });

  it('a company key changes the ID everywhere', () => {
    const id = 'abcdefghijklmnopabcdefghijklmnop';
    const files = policyFiles(policy, resolveOptions(policy, { extensionId: id }, TARGETS), TARGETS);
    for (const f of files) {
      // Firefox has its own id; the Admin console file is the extension's policy alone (the ID is entered in the console).
      if (f.path === 'firefox/policies.json' || f.path === 'cbcm/extension-policy.json') continue;
      const s = typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf16le');
      expect(s, f.path).toContain(id);
      expect(s, f.path).not.toContain(EXTENSION_ID);
    }
  });

  it('--allow-extension: Chrome IDs go to Chrome/Edge, Firefox ids to Firefox; bad or own ids are errors', () => {
    const chromeOther = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const o = resolveOptions(policy, { allowExtensions: [chromeOther, 'tool@corp.example'] }, TARGETS);
    const files = new Map(policyFiles(policy, o, TARGETS).map((f) => [f.path, f.content as string]));
    const chrome = JSON.parse(files.get('linux/chrome/upload-guard.json')!).ExtensionSettings;
    expect(Object.keys(chrome)).toEqual([EXTENSION_ID, '*', chromeOther]);
    expect(chrome[chromeOther]).toEqual({ installation_mode: 'allowed' });
    const firefox = JSON.parse(files.get('firefox/policies.json')!).policies.ExtensionSettings;
    expect(Object.keys(firefox)).toEqual([GECKO_ID, '*', 'tool@corp.example']);
    expect(problemsOf(policy, { allowExtensions: ['not an id'] })).toEqual([expect.stringMatching(/^--allow-extension: "not an id" is neither/)]);
    expect(problemsOf(policy, { allowExtensions: [EXTENSION_ID] })).toEqual([expect.stringMatching(/Upload Guard itself/)]);
  });
});

describe('the hardening table', () => {
  it('every setting has a reason and a cost in English and Japanese, and applies to some browser', () => {
    expect(HARDENING.map((h) => h.name)).toEqual([...HARDENING_NAMES]);
    for (const h of HARDENING) {
      for (const t of [h.reason, h.cost]) {
        expect(t.en.length, h.name).toBeGreaterThan(10);
        expect(t.ja, h.name).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      }
      expect(h.families.length).toBeGreaterThan(0);
    }
    const defaults = Object.fromEntries(HARDENING.map((h) => [h.name, h.default]));
    expect(defaults).toEqual({
      incognito: true,
      guest: true,
      'developer-mode': true,
      'other-extensions': true,
      devtools: false,
      'private-browsing': true,
      'about-config': true,
    });
  });

  it('sets the documented policies per browser, and no two settings set the same one', () => {
    const all = new Set(HARDENING_NAMES);
    const ctx = { extensionId: EXTENSION_ID, geckoId: GECKO_ID, allowExtensions: [] };
    const set = (family: 'chrome' | 'edge' | 'firefox') =>
      Object.assign({}, ...hardeningFor(family, all, ctx).map((h) => h.effect.policies)) as Record<string, unknown>;
    expect(set('chrome')).toEqual({
      IncognitoModeAvailability: 1,
      BrowserGuestModeEnabled: false,
      ExtensionDeveloperModeSettings: 1,
      BlockExternalExtensions: true,
      DeveloperToolsAvailability: 2,
    });
    expect(set('edge')).toEqual({
      InPrivateModeAvailability: 1,
      BrowserGuestModeEnabled: false,
      ExtensionDeveloperModeSettings: 1,
      BlockExternalExtensions: true,
      DeveloperToolsAvailability: 2,
    });
    expect(set('firefox')).toEqual({ DisableDeveloperTools: true, DisablePrivateBrowsing: true, BlockAboutConfig: true });
    for (const f of ['chrome', 'edge', 'firefox'] as const) {
      const names = hardeningFor(f, all, ctx).flatMap((h) => Object.keys(h.effect.policies));
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('--harden devtools sets DeveloperToolsAvailability 2 / DisableDeveloperTools in every format; off sets nothing', () => {
    const on = new Map(policyFiles(policy, resolveOptions(policy, { harden: ['devtools'] }, TARGETS), TARGETS).map((f) => [f.path, f.content]));
    expect(JSON.parse(on.get('linux/chrome/upload-guard.json') as string).DeveloperToolsAvailability).toBe(2);
    expect(JSON.parse(on.get('linux/edge/upload-guard.json') as string).DeveloperToolsAvailability).toBe(2);
    expect(JSON.parse(on.get('firefox/policies.json') as string).policies.DisableDeveloperTools).toBe(true);
    const reg = parseRegFile(on.get('windows/upload-guard-edge.reg') as Uint8Array);
    expect(browserPoliciesFromRegistry(reg.keys.get('HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge')!).DeveloperToolsAvailability).toBe(2);
    const profile = plist.parse(on.get('macos/upload-guard.mobileconfig') as string) as { PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadContent[0].DeveloperToolsAvailability).toBe(2);

    const off = policyFiles(policy, resolveOptions(policy, {}, TARGETS), TARGETS);
    for (const f of off) {
      if (f.path === 'README.txt') continue;
      const s = typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf16le');
      // Only comments may name it (the reason it is off).
      const settings = s.split(/\r?\n/).filter((l) => !/^\s*(;|<!--)/.test(l));
      expect(settings.join('\n'), f.path).not.toMatch(/DeveloperToolsAvailability|DisableDeveloperTools/);
    }
  });

  it('--no-harden removes a setting; every setting can be switched off, leaving only the install', () => {
    const none = resolveOptions(policy, { noHarden: [HARDENING_NAMES.join(',')] }, TARGETS);
    expect(none.hardening.size).toBe(0);
    const files = new Map(policyFiles(policy, none, TARGETS).map((f) => [f.path, f.content as string]));
    const chrome = JSON.parse(files.get('linux/chrome/upload-guard.json')!);
    expect(Object.keys(chrome)).toEqual(['ExtensionSettings', '3rdparty']);
    expect(Object.keys(chrome.ExtensionSettings)).toEqual([EXTENSION_ID]);
    const firefox = JSON.parse(files.get('firefox/policies.json')!).policies;
    expect(Object.keys(firefox)).toEqual(['ExtensionSettings', '3rdparty']);
    expect(firefox.ExtensionSettings[GECKO_ID].private_browsing).toBe(true);
  });

  it('unknown or contradicting names are errors', () => {
    expect(problemsOf(policy, { harden: ['incognitoo'] })).toEqual([expect.stringMatching(/^--harden\/--no-harden: unknown setting "incognitoo" \(expected incognito, guest, /)]);
    expect(problemsOf(policy, { harden: ['guest'], noHarden: ['guest'] })).toEqual(['--harden guest and --no-harden guest contradict each other']);
  });
});
