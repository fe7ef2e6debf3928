/**
 * Chrome Browser Cloud Management (Chrome Enterprise Core): the Admin console takes an extension's
 * policy as JSON pasted into "Policy for extensions", with every value wrapped as `{"Value": …}`.
 * The install itself (force install from a custom URL) and the hardening are console settings,
 * described in README.txt and docs/deployment.md.
 */
import type { ManagedPolicy } from '../policy/types.js';
import { policyJson } from './chrome.js';

export function cbcmExtensionPolicy(policy: ManagedPolicy): string {
  const wrapped = Object.fromEntries(Object.entries(policyJson(policy)).map(([key, value]) => [key, { Value: value }]));
  return JSON.stringify(wrapped, null, 2) + '\n';
}
