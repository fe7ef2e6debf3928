/**
 * Policy input: JSON and YAML give the same deployment; every problem the browser's schema or the
 * extension's validation finds is named by its field, once.
 */
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { loadPolicyText, parsePolicyText, policyFormat, schemaProblems } from '../../../src/cli/policy-file.js';
import { policyFiles, resolveOptions, TARGETS } from '../../../src/deploy/index.js';
import { FULL_POLICY, HOSTILE_POLICY } from '../../support/deploy.js';

const problems = (text: string, format: 'json' | 'yaml' = 'yaml') => loadPolicyText(text, format).problems;

describe('JSON and YAML', () => {
  it.each([
    ['every key', FULL_POLICY],
    ['hostile strings', HOSTILE_POLICY],
  ])('give byte-identical files (%s)', (_, policy) => {
    const json = loadPolicyText(JSON.stringify(policy, null, 2), 'json');
    const yaml = loadPolicyText(toYaml(policy), 'yaml');
    expect(json.problems).toEqual([]);
    expect(yaml.problems).toEqual([]);
    expect(yaml.managed).toEqual(json.managed);
    const gen = (m: typeof json.managed) => policyFiles(m, resolveOptions(m, {}, TARGETS), TARGETS);
    const a = gen(json.managed);
    const b = gen(yaml.managed);
    expect(b.map((f) => f.path)).toEqual(a.map((f) => f.path));
    a.forEach((f, i) => expect(b[i].content, f.path).toEqual(f.content));
  });

  it('a hand-written YAML file with comments, block scalars and Japanese', () => {
    const text = `# Upload Guard policy
collectorUrl: https://upload-guard.example.co.jp:8787
ingestToken: "REPLACE"
policyVersion: 2026-11-01        # stays a string (YAML 1.2)
allow:
  - example-corp.app.box.com
actions:
  genai: { unscannable: block }
messages:
  ja: |
    社外への送付は、
    社内ファイル転送サービスを利用してください。
  en: Use the company file-transfer service.
heartbeatMinutes: 15
`;
    const loaded = loadPolicyText(text, 'yaml');
    expect(loaded.problems).toEqual([]);
    expect(loaded.managed).toMatchObject({
      policyVersion: '2026-11-01',
      messages: { ja: '社外への送付は、\n社内ファイル転送サービスを利用してください。\n' },
      heartbeatMinutes: 15,
    });
  });

  it('the format comes from the extension, else from the content', () => {
    expect(policyFormat('p.yaml', '{}')).toBe('yaml');
    expect(policyFormat('p.YML', '{}')).toBe('yaml');
    expect(policyFormat('p.json', 'a: 1')).toBe('json');
    expect(policyFormat('policy', '  {"a": 1}')).toBe('json');
    expect(policyFormat('policy', '\uFEFF{"a": 1}')).toBe('json');
    expect(policyFormat('policy', 'a: 1')).toBe('yaml');
  });

  it('syntax errors are one clear line; duplicate YAML keys are errors', () => {
    expect(() => parsePolicyText('{"a": ', 'json')).toThrow(/^not valid JSON: /);
    expect(() => parsePolicyText('a: [1, 2', 'yaml')).toThrow(/^not valid YAML: /);
    expect(() => parsePolicyText('user: a\nuser: b\n', 'yaml')).toThrow(/^not valid YAML: .*[Uu]nique|duplicate/i);
    expect(() => loadPolicyText('- a\n- b\n', 'yaml')).toThrow(/must be a JSON object/);
  });
});

describe('problems name the field', () => {
  it.each([
    ['bad enum', 'actions:\n  genai:\n    marked: blok\n', ['actions.genai.marked: must be one of block, warn, audit, allow']],
    ['unknown category', 'actions:\n  chat: { marked: block }\n', ['actions.chat: unknown key']],
    ['unknown top-level key', 'colectorUrl: https://x.example\n', ['colectorUrl: unknown key']],
    ['unknown key in a service', 'services:\n  - { id: a, name: A, category: custom, hosts: [a.example], colour: red }\n', ['services[0].colour: unknown key']],
    ['wrong type', 'heartbeatMinutes: "15"\n', ['heartbeatMinutes: must be an integer']],
    ['a YAML number where a string belongs', 'ingestToken: 0123\n', ['ingestToken: must be a string']],
    ['a string where an array belongs', 'allow: example.com\n', ['allow: must be an array']],
    ['an item of the wrong type', 'designated:\n  keywords: [a, 1]\n', ['designated.keywords[1]: must be a string']],
    ['below the minimum', 'limits: { maxDepth: 0 }\n', ['limits.maxDepth: must be at least 1']],
    ['above the maximum', 'heartbeatMinutes: 2000\n', ['heartbeatMinutes: must be at most 1440']],
    ['a fraction', 'limits: { maxBytes: 1.5 }\n', ['limits.maxBytes: must be an integer']],
    ['a regex that does not compile', 'designated:\n  patterns: ["(unclosed"]\n', ['designated.patterns[0]: not a valid regular expression']],
    ['a host with a path', 'allow: [example.com/path]\n', ['allow[0]: "example.com/path" is not a host pattern (example.com or *.example.com, no scheme, port or path)']],
    ['an unknown scope', 'scope: all\n', ['scope: must be one of listed, everywhere']],
    ['an allow entry with conditions', 'allow: [{ host: mail.acme.example, requireEncryption: true }]\n', ['allow[0]: must be a string']],
    ['a condition of the wrong type', 'sanctioned: [{ host: mail.acme.example, requireEncryption: "yes" }]\n', ['sanctioned[0].requireEncryption: must be true or false']],
    ['allow as a condition action', 'sanctioned: [{ host: mail.acme.example, requireEncryption: true, action: allow }]\n', ['sanctioned[0].action: must be one of warn, block, audit']],
    ['a sanctioned host with a scheme', 'sanctioned: [{ host: "https://mail.acme.example" }]\n', ['sanctioned[0].host: "https://mail.acme.example" is not a host pattern (example.com or *.example.com, no scheme, port or path)']],
    ['an unknown key in a sanctioned entry', 'sanctioned: [{ host: mail.acme.example, encrypt: true }]\n', ['sanctioned[0].encrypt: unknown key']],
    ['a reserved service id', 'services: [{ id: other, name: X, category: custom, hosts: [x.example] }]\n', ['services[0].id: "other" is reserved (events use it for unlisted pages and sanctioned destinations)']],
    ['a bad URL', 'collectorUrl: ftp://x.example\n', ['collectorUrl: expected an http(s) URL']],
    ['an empty value', 'messages:\n  ja:\n', ['messages.ja: must be a string']],
    ['not an object', '"just a string"\n', ['(policy): must be an object']],
  ])('%s', (_, text, expected) => {
    if (expected[0].startsWith('(policy)')) {
      expect(schemaProblems('just a string')).toEqual(expected);
      return;
    }
    expect(problems(text)).toEqual(expected);
  });

  it('several problems at once, each once, schema problems first', () => {
    const p = problems(
      JSON.stringify({
        actions: { genai: { marked: 'blok', sometimes: 'block' } },
        designated: { patterns: ['(', 'ok'], extra: [] },
        limits: { maxBytes: -1 },
        services: [{ id: 'BAD ID', name: 'x', category: 'custom', hosts: ['a.example'] }],
      }),
      'json',
    );
    expect(p).toEqual([
      'actions.genai.sometimes: unknown key',
      'actions.genai.marked: must be one of block, warn, audit, allow',
      'limits.maxBytes: must be at least 1',
      'designated.extra: unknown key',
      'services[0].id: expected 1–64 of a-z 0-9 . _ -',
      'designated.patterns[0]: not a valid regular expression',
    ]);
  });

  it('the Chromium wrapper {"3rdparty":{"extensions":{id: policy}}} is unwrapped', () => {
    const text = JSON.stringify({ '3rdparty': { extensions: { kifiiikeeilkcdcehgbnoedbcgaoafec: { heartbeatMinutes: 'x' } } } });
    expect(problems(text, 'json')).toEqual(['heartbeatMinutes: must be an integer']);
  });
});
