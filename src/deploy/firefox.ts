/**
 * Firefox: `policies.json` installing the add-on (`ExtensionSettings`, force-installed, allowed in private
 * windows, pinned to the toolbar) and configuring it (`3rdparty.Extensions.<gecko id>`), plus the enabled
 * hardening. JSON has no comments: the reasons are in README.txt.
 */
import type { ManagedPolicy } from '../policy/types.js';
import { policyJson } from './chrome.js';
import { withHardening, type AppliedHardening } from './hardening.js';
import { DeployError, type DeployOptions, type Json } from './options.js';

export interface FirefoxPolicies {
  /** The `policies` object: `ExtensionSettings`, the enabled hardening, `3rdparty`. */
  policies: Record<string, Json>;
  hardening: AppliedHardening[];
}

export function firefoxPolicies(policy: ManagedPolicy, options: DeployOptions): FirefoxPolicies {
  if (!options.firefoxInstallUrl) throw new DeployError(['firefox: no install URL']);
  const entry: Record<string, Json> = {
    installation_mode: 'force_installed',
    install_url: options.firefoxInstallUrl,
    // Run in private windows too (Firefox 136+; older versions ignore it: see hardening private-browsing).
    private_browsing: true,
    default_area: 'navbar',
  };
  const { policies, hardening } = withHardening('firefox', { id: options.geckoId, entry }, options.hardening, {
    extensionId: options.extensionId,
    geckoId: options.geckoId,
    allowExtensions: options.allowExtensions,
  });
  return { policies: { ...policies, '3rdparty': { Extensions: { [options.geckoId]: policyJson(policy) } } }, hardening };
}

export function firefoxPoliciesJson(policy: ManagedPolicy, options: DeployOptions): string {
  return JSON.stringify({ policies: firefoxPolicies(policy, options).policies }, null, 2) + '\n';
}
