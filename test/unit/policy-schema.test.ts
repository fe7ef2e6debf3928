/** extension/policy-schema.json is what browsers' policy tools read: keep it in step with the model and within Chrome's subset. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MANAGED_KEYS, UNSCANNABLE_CASES, validateManaged } from '../../src/policy/index.js';
import { ACTIONS, CATEGORIES, VERDICTS } from '../../src/events/schema.js';

const schema = JSON.parse(readFileSync(new URL('../../extension/policy-schema.json', import.meta.url), 'utf8'));
const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8'));

type Node = Record<string, unknown> & { type?: string; properties?: Record<string, Node>; items?: Node };

function walk(node: Node, path: string, visit: (n: Node, path: string) => void): void {
  visit(node, path);
  for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${path}.${k}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
}

describe('managed storage schema', () => {
  it('is what the manifest names', () => {
    expect(manifest.storage.managed_schema).toBe('extension/policy-schema.json');
  });

  it('uses only what Chrome accepts', () => {
    const allowedKeys = new Set(['type', 'properties', 'items', 'description', 'title', 'enum', 'minimum', 'maximum']);
    walk(schema, '$', (n, path) => {
      expect(['object', 'array', 'string', 'integer', 'boolean'], path).toContain(n.type);
      for (const k of Object.keys(n)) expect(allowedKeys.has(k), `${path}: ${k}`).toBe(true);
      if (n.type === 'array') expect(n.items, path).toBeDefined();
    });
  });

  it('covers every policy key, and only those', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...MANAGED_KEYS].sort());
    expect(schema.properties.collectorUrl.type).toBe('string');
    expect(schema.properties.ingestToken.type).toBe('string');
  });

  it('lists exactly the categories, verdicts and actions of the model', () => {
    expect(Object.keys(schema.properties.actions.properties).sort()).toEqual([...CATEGORIES].sort());
    for (const row of Object.values<Node>(schema.properties.actions.properties)) {
      expect(Object.keys(row.properties!).sort()).toEqual([...VERDICTS, ...UNSCANNABLE_CASES].sort());
      for (const cell of Object.values(row.properties!)) expect([...(cell.enum as string[])].sort()).toEqual([...ACTIONS].sort());
    }
    expect(schema.properties.services.items.properties.category.enum).toEqual([...CATEGORIES]);
  });

  it.each(['deployment.md', 'deployment.ja.md'])('the example policy in docs/%s validates cleanly and sets what it shows', (file) => {
    const doc = readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');
    const block = /<!-- example-policy -->\s*```yaml\n([\s\S]*?)```/.exec(doc);
    expect(block, `docs/${file} has an example policy block`).not.toBeNull();
    const raw = parseYaml(block![1]!);
    const { problems, policy } = validateManaged(raw);
    expect(problems).toEqual([]);
    expect(Object.keys(policy).sort()).toEqual(Object.keys(raw).sort());
  });
});
