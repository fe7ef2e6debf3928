/**
 * Reading a policy file for the CLI: JSON or YAML, checked against the schema browsers apply
 * (extension/policy-schema.json, with unknown keys reported) and through the same validation the
 * extension applies to managed storage.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { effectivePolicyFrom, type LoadedPolicy } from '../policy/load.js';

export type PolicyFormat = 'json' | 'yaml';

/** The format of `file`: by extension (.json, .yaml, .yml), otherwise JSON when the text starts with `{`. */
export function policyFormat(file: string, text: string): PolicyFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  return /^\uFEFF?\s*\{/.test(text) ? 'json' : 'yaml';
}

/** The parsed document. Throws with a one-line message on syntax errors. */
export function parsePolicyText(text: string, format: PolicyFormat): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (format === 'json') {
    try {
      return JSON.parse(body);
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    // YAML 1.2 core schema: `yes`/`on` stay strings, dates stay strings; duplicate keys are errors.
    return parseYaml(body, { version: '1.2', schema: 'core', uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new Error(`not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

type SchemaNode = { type?: string; properties?: Record<string, SchemaNode>; items?: SchemaNode; [k: string]: unknown };

/**
 * The schema with `additionalProperties: false` on every object that does not say otherwise, so unknown
 * keys are reported too (Chrome drops them silently).
 */
export function strictSchema(schema: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, strictSchema(v)]));
  }
  if (schema.items) out.items = strictSchema(schema.items);
  if (schema.type === 'object' && schema.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('../../extension/policy-schema.json', import.meta.url), 'utf8')) as SchemaNode;
    validator = new Ajv({ allErrors: true, strict: true }).compile(strictSchema(schema));
  }
  return validator;
}

/** `/services/0/hosts` → `services[0].hosts` (array indexes in brackets, as validateManaged names fields). */
function fieldPath(raw: unknown, pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let path = '';
  let node: unknown = raw;
  for (const p of parts) {
    if (Array.isArray(node)) path += `[${p}]`;
    else path += path ? `.${p}` : p;
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
  }
  return path || '(policy)';
}

const TYPE_NAME: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  object: 'an object',
  array: 'an array',
  boolean: 'true or false',
};

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'type':
      return `must be ${TYPE_NAME[String(e.params.type)] ?? e.params.type}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'additionalProperties':
      return 'unknown key';
    case 'minimum':
      return `must be at least ${e.params.limit}`;
    case 'maximum':
      return `must be at most ${e.params.limit}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * What the browser's schema check says about `raw`, one line per problem naming the field, e.g.
 * `actions.genai.marked: must be one of block, warn, audit, allow` or `services[0].colour: unknown key`.
 */
export function schemaProblems(raw: unknown): string[] {
  const validate = schemaValidator();
  if (validate(raw)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined;
    return `${fieldPath(raw, e.instancePath, extra)}: ${describe(e)}`;
  });
}

const pathOf = (problem: string): string => problem.slice(0, problem.indexOf(': '));

/**
 * Schema problems first, then the extension's own validation; a problem of the latter at a field the
 * schema already reported (or inside it) is left out, so each mistake is named once.
 */
export function policyProblemsOf(raw: unknown, validated: string[]): string[] {
  const schema = schemaProblems(raw);
  const reported = schema.map(pathOf);
  const covered = (p: string) => reported.some((r) => r === '(policy)' || p === r || p.startsWith(r + '.') || p.startsWith(r + '['));
  return [...schema, ...validated.filter((p) => !covered(pathOf(p)))];
}

/** The policy object inside `raw`: itself, or the one in Chromium's `{"3rdparty":{"extensions":{"<ID>":{…}}}}`. */
export function unwrapPolicy(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the policy must be a JSON object (a YAML mapping)');
  const wrapped = (raw as { '3rdparty'?: { extensions?: Record<string, unknown> } })['3rdparty']?.extensions;
  return wrapped && typeof wrapped === 'object' ? Object.values(wrapped)[0] : raw;
}

/** A policy document's text (JSON or YAML) as the extension would load it, with every problem listed. */
export function loadPolicyText(text: string, format: PolicyFormat): LoadedPolicy {
  const inner = unwrapPolicy(parsePolicyText(text, format));
  const loaded = effectivePolicyFrom(inner);
  return { ...loaded, problems: policyProblemsOf(inner, loaded.problems) };
}

/**
 * The policy in `file` (JSON, or YAML for .yaml/.yml or text not starting with `{`): either the policy
 * object itself, or Chromium's managed-policy wrapper as deployed. Throws on unreadable or unparsable
 * files; invalid values are dropped and listed in `problems` (schema problems first), as the extension does.
 */
export async function loadPolicyFile(file: string): Promise<LoadedPolicy> {
  const text = await readFile(file, 'utf8');
  return loadPolicyText(text, policyFormat(file, text));
}
