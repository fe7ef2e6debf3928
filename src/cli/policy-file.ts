/** Reading a policy file for the CLI through the same validation the extension applies to managed storage. */
import { readFile } from 'node:fs/promises';
import { effectivePolicyFrom, type LoadedPolicy } from '../policy/load.js';

/**
 * The policy in `file`: either the policy object itself, or Chromium's managed-policy wrapper
 * `{"3rdparty":{"extensions":{"<ID>":{…}}}}` as deployed. Throws on unreadable JSON; invalid
 * values are dropped and listed in `problems`, as the extension does.
 */
export async function loadPolicyFile(file: string): Promise<LoadedPolicy> {
  const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the policy must be a JSON object');
  const wrapped = (raw as { '3rdparty'?: { extensions?: Record<string, unknown> } })['3rdparty']?.extensions;
  const inner = wrapped ? Object.values(wrapped)[0] : raw;
  return effectivePolicyFrom(inner);
}
