/**
 * The policies for Chrome, Chromium and Edge: the browser-level ones (`ExtensionSettings` force-installing
 * the extension, plus the enabled hardening) and the extension's own `3rdparty` policy. The same objects
 * go into every platform's format (JSON on Linux, the registry on Windows, a profile on macOS).
 */
import type { ManagedPolicy } from '../policy/types.js';
import { withHardening, type AppliedHardening } from './hardening.js';
import { DeployError, type DeployOptions, type Json } from './options.js';

export type ChromiumFamily = 'chrome' | 'edge';

export interface BrowserPolicies {
  family: ChromiumFamily;
  /** Browser-level policies in output order: `ExtensionSettings` first, then the enabled hardening. */
  policies: Record<string, Json>;
  /** Every hardening setting that applies to the family, enabled or not, with what it sets. */
  hardening: AppliedHardening[];
  extensionId: string;
  /** The extension's policy (`3rdparty.extensions.<id>`): the validated managed policy. */
  extensionPolicy: Record<string, Json>;
}

/** `policy` as a JSON value, copied so no output shares objects with the caller's. */
export function policyJson(policy: ManagedPolicy): Record<string, Json> {
  return structuredClone(policy) as unknown as Record<string, Json>;
}

export function chromePolicies(family: ChromiumFamily, policy: ManagedPolicy, options: DeployOptions): BrowserPolicies {
  if (!options.updateUrl) throw new DeployError([`${family}: no update URL`]);
  const entry: Record<string, Json> = {
    installation_mode: 'force_installed',
    update_url: options.updateUrl[family],
    // Keep updating from this URL even if the manifest names another update server.
    override_update_url: true,
    // Chrome pins with toolbar_pin; Edge names the same setting toolbar_state.
    ...(family === 'chrome' ? { toolbar_pin: 'force_pinned' } : { toolbar_state: 'force_shown' }),
  };
  const extensionId = family === 'edge' ? options.edgeExtensionId : options.extensionId;
  const { policies, hardening } = withHardening(family, { id: extensionId, entry }, options.hardening, {
    extensionId,
    geckoId: options.geckoId,
    allowExtensions: options.allowExtensions,
  });
  return { family, policies, hardening, extensionId, extensionPolicy: policyJson(policy) };
}
