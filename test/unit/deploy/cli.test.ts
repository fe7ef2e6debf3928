/**
 * `upload-guard policy files` through the real binary: exit codes, the files written, the summary, and
 * one clear line per problem for bad arguments and invalid policies.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import plist from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { stringify as toYaml } from 'yaml';
import { EXTENSION_ID } from '../../../src/policy/index.js';
import { ALL_FILES, FULL_POLICY, HOSTILE_POLICY } from '../../support/deploy.js';
import { parseRegFile } from '../../support/reg-file.js';


const cli = (...args: string[]) => runCli('policy', ...args);

let dir: string;
const p = (...xs: string[]) => join(dir, ...xs);
const listFiles = (d: string): string[] =>
  existsSync(d) ? readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(d, join(e.parentPath, e.name))).sort() : [];

const ALL = ALL_FILES;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ug-policy-files-'));
  writeFileSync(p('policy.json'), JSON.stringify(FULL_POLICY, null, 2));
  writeFileSync(p('policy.yaml'), toYaml(FULL_POLICY));
  writeFileSync(p('hostile.yml'), toYaml(HOSTILE_POLICY));
  writeFileSync(p('no-collector.json'), JSON.stringify({ heartbeatMinutes: 15 }));
  writeFileSync(p('invalid.yaml'), 'actions:\n  genai:\n    marked: blok\nheartbeatMinutes: "15"\ncolectorUrl: https://x.example\ndesignated:\n  patterns: ["(unclosed"]\n');
  writeFileSync(p('huge.json'), JSON.stringify({ ...FULL_POLICY, limits: { maxBytes: 5_000_000_000 } }));
  writeFileSync(p('broken.yaml'), 'a: [1, 2\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('policy files', () => {
  it('writes every file, prints where each goes and the hardening with reasons, exit 0', async () => {
    const r = await cli('files', p('policy.json'), '--out', p('out-json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(listFiles(p('out-json'))).toEqual(ALL);
    for (const [file, place] of [
      ['linux/chrome/upload-guard.json', '/etc/opt/chrome/policies/managed/upload-guard.json'],
      ['linux/chromium/upload-guard.json', '/etc/chromium/policies/managed/upload-guard.json'],
      ['linux/edge/upload-guard.json', '/etc/opt/edge/policies/managed/upload-guard.json'],
      ['windows/upload-guard-chrome.reg', 'HKLM\\SOFTWARE\\Policies\\Google\\Chrome'],
      ['firefox/policies.json', '/etc/firefox/policies/policies.json'],
    ]) {
      expect(r.stdout).toMatch(new RegExp(`${file.replace(/[.\\]/g, '\\$&')}\\s+→ .*${place.replace(/[.\\]/g, '\\$&')}`));
    }
    expect(r.stdout).toContain('[ON]  incognito');
    expect(r.stdout).toContain('[OFF] devtools');
    expect(r.stdout).toContain('IncognitoModeAvailability=1');
    expect(r.stdout).toContain('no policy can allow it for them');
    // The ingest token is not echoed to the terminal.
    expect(r.stdout).not.toContain(FULL_POLICY.ingestToken);
    expect(r.stdout).toContain('updates.xml?token=…');
    // What was written is what the library generates: spot-check each format.
    const out = (f: string) => readFileSync(p('out-json', f));
    expect(JSON.parse(out('linux/chrome/upload-guard.json').toString())['3rdparty'].extensions[EXTENSION_ID]).toEqual(FULL_POLICY);
    expect(parseRegFile(new Uint8Array(out('windows/upload-guard-edge.reg'))).deletedKeys).toHaveLength(1);
    expect((plist.parse(out('macos/upload-guard.mobileconfig').toString()) as { PayloadType: string }).PayloadType).toBe('Configuration');
  });

  it('YAML input writes the same bytes as JSON input', async () => {
    const r = await cli('files', p('policy.yaml'), '--out', p('out-yaml'));
    expect(r.code).toBe(0);
    expect(listFiles(p('out-yaml'))).toEqual(ALL);
    for (const f of ALL) expect(readFileSync(p('out-yaml', f)).equals(readFileSync(p('out-json', f))), f).toBe(true);
  });

  it('hostile policy strings survive into every file', async () => {
    const r = await cli('files', p('hostile.yml'), '--out', p('out-hostile'), '--targets=linux,macos', '--targets', 'windows,cbcm');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(listFiles(p('out-hostile'))).toEqual(ALL.filter((f) => !f.startsWith('firefox/')));
    const cbcm = JSON.parse(readFileSync(p('out-hostile', 'cbcm/extension-policy.json'), 'utf8'));
    expect(cbcm.messages.Value).toEqual(HOSTILE_POLICY.messages);
    const profile = plist.parse(readFileSync(p('out-hostile', 'macos/upload-guard.mobileconfig'), 'utf8')) as { PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadContent[1].messages).toEqual(HOSTILE_POLICY.messages);
    expect(profile.PayloadContent[1].user).toBe(HOSTILE_POLICY.user);
  });

  it('options: --targets, --webstore, --extension-id, --harden, --allow-extension', async () => {
    const id = 'abcdefghijklmnopabcdefghijklmnop';
    const other = 'cccccccccccccccccccccccccccccccc';
    const edgeId = 'dddddddddddddddddddddddddddddddd';
    const r = await cli('files', p('no-collector.json'), '--out', p('out-opts'), '--targets', 'linux', '--webstore', '--extension-id', id, '--edge-extension-id', edgeId, '--harden', 'devtools', '--no-harden', 'guest', '--allow-extension', other);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(listFiles(p('out-opts'))).toEqual(['README.txt', 'linux/chrome/upload-guard.json', 'linux/chromium/upload-guard.json', 'linux/edge/upload-guard.json']);
    const chrome = JSON.parse(readFileSync(p('out-opts', 'linux/chrome/upload-guard.json'), 'utf8'));
    expect(chrome.ExtensionSettings[id].update_url).toBe('https://clients2.google.com/service/update2/crx');
    expect(chrome.ExtensionSettings[other]).toEqual({ installation_mode: 'allowed' });
    expect(chrome.DeveloperToolsAvailability).toBe(2);
    expect(chrome.BrowserGuestModeEnabled).toBeUndefined();
    expect(Object.keys(chrome['3rdparty'].extensions)).toEqual([id]);
    const edge = JSON.parse(readFileSync(p('out-opts', 'linux/edge/upload-guard.json'), 'utf8'));
    expect(edge.ExtensionSettings[edgeId].update_url).toBe('https://edge.microsoft.com/extensionwebstorebase/v1/crx');
    expect(Object.keys(edge['3rdparty'].extensions)).toEqual([edgeId]);
    expect(r.stdout).toContain('[ON]  devtools');
    expect(r.stdout).toContain('[OFF] guest');
    expect(r.stdout).not.toContain('private-browsing');
  });

  it('an invalid policy: exit 2, one line per problem naming the field, nothing written', async () => {
    const r = await cli('files', p('invalid.yaml'), '--out', p('out-invalid'));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `${p('invalid.yaml')}: colectorUrl: unknown key`,
      `${p('invalid.yaml')}: actions.genai.marked: must be one of block, warn, audit, allow`,
      `${p('invalid.yaml')}: heartbeatMinutes: must be an integer`,
      `${p('invalid.yaml')}: designated.patterns[0]: not a valid regular expression`,
      `upload-guard policy files: ${p('invalid.yaml')}: 4 problem(s); nothing written`,
    ]);
    expect(existsSync(p('out-invalid'))).toBe(false);
  });

  it('values a browser would drop silently are refused too (an integer beyond 32 bits)', async () => {
    const r = await cli('files', p('huge.json'), '--out', p('out-huge'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^upload-guard policy files: limits\.maxBytes: 5000000000 is out of range/m);
    expect(existsSync(p('out-huge'))).toBe(false);
  });

  it.each([
    [['files'], /no policy FILE given/],
    [['files', 'POLICY'], /--out DIR is required/],
    [['files', 'POLICY', '--out'], /--out needs a value/],
    [['files', 'POLICY', '--out', 'OUT', '--frobnicate'], /unknown option --frobnicate/],
    [['files', 'POLICY', 'EXTRA', '--out', 'OUT'], /one policy FILE expected, got 2/],
    [['files', 'POLICY', '--out', 'OUT', '--targets', 'linux,solaris'], /--targets: unknown target "solaris"/],
    [['files', 'POLICY', '--out', 'OUT', '--extension-id', 'xyz'], /--extension-id: "xyz" is not an extension ID \(32 letters a–p\)/],
    [['files', 'POLICY', '--out', 'OUT', '--harden', 'everything'], /unknown setting "everything"/],
    [['files', 'POLICY', '--out', 'OUT', '--webstore', '--update-url', 'https://x.example/u.xml'], /--webstore and --update-url contradict/],
    [['files', 'NOCOLLECTOR', '--out', 'OUT'], /no update URL for Chrome\/Edge: give --update-url URL/],
    [['files', 'BROKEN', '--out', 'OUT'], /broken\.yaml: not valid YAML: /],
    [['files', 'MISSING', '--out', 'OUT'], /missing\.json: .*ENOENT/],
  ])('bad arguments %j: exit 2, a clear message, nothing written', async (args, why) => {
    const out = p(`out-bad-${Math.random().toString(36).slice(2)}`);
    const real = args.map((a) =>
      a === 'POLICY' ? p('policy.json') : a === 'NOCOLLECTOR' ? p('no-collector.json') : a === 'BROKEN' ? p('broken.yaml') : a === 'MISSING' ? p('missing.json') : a === 'OUT' ? out : a,
    );
    const r = await cli(...real);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to write through a link that leads outside the output folder', async () => {
    mkdirSync(p('out-link'));
    mkdirSync(p('elsewhere'));
    symlinkSync(p('elsewhere'), p('out-link', 'linux'));
    const r = await cli('files', p('policy.json'), '--out', p('out-link'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to write linux\/chrome\/upload-guard\.json/);
    expect(readdirSync(p('elsewhere'))).toEqual([]);
  });

  it('--help describes the verb and its options', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const s of ['policy files FILE --out DIR', '--targets', '--update-url', '--webstore', '--firefox-install-url', '--extension-id', '--harden', '--no-harden', '--allow-extension']) {
      expect(r.stdout).toContain(s);
    }
  });
});

describe('the other verbs still work, now with YAML and the schema', () => {
  it('check: valid JSON and YAML → 0; schema problems → 2 with the field', async () => {
    expect((await cli('check', p('policy.json'))).code).toBe(0);
    expect((await cli('check', p('policy.yaml'))).code).toBe(0);
    const r = await cli('check', p('invalid.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('actions.genai.marked: must be one of block, warn, audit, allow');
    writeFileSync(p('scope-bad.yaml'), 'scope: all\nallow: [{ host: mail.acme.example, requireEncryption: true }]\n');
    const s = await cli('check', p('scope-bad.yaml'));
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('scope: must be one of listed, everywhere');
    expect(s.stderr).toContain('allow[0]: must be a string');
  });

  it('effective and chromium read YAML', async () => {
    const e = await cli('effective', p('policy.yaml'));
    expect(e.code).toBe(0);
    const effective = JSON.parse(e.stdout);
    expect(effective.collectorUrl).toBe(FULL_POLICY.collectorUrl);
    expect(effective).toMatchObject({ scope: 'everywhere', sanctioned: FULL_POLICY.sanctioned });
    expect(effective.actions.other).toEqual({ marked: 'block', unscannable: 'audit', clean: 'allow' });
    const c = await cli('chromium', p('policy.yaml'));
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)['3rdparty'].extensions[EXTENSION_ID]).toEqual(FULL_POLICY);
  });
});

describe('plain-HTTP collector warning', () => {
  it('warns for http beyond this machine, not for https or localhost', async () => {
    const { cleartextCollector } = await import('../../../src/cli/policy.js');
    expect(cleartextCollector('http://collector.corp.example:8787')).toMatch(/plain HTTP/);
    expect(cleartextCollector('https://collector.corp.example')).toBeNull();
    expect(cleartextCollector('http://127.0.0.1:8787')).toBeNull();
    expect(cleartextCollector('http://localhost:8787')).toBeNull();
    expect(cleartextCollector(undefined)).toBeNull();
  });
});
