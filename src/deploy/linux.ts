/**
 * Linux: one JSON file per browser in its managed-policy folder, holding `ExtensionSettings`, the enabled
 * hardening and the extension's policy under `3rdparty.extensions.<id>`. JSON has no comments: the
 * reasons are in README.txt.
 */
import type { ManagedPolicy } from '../policy/types.js';
import { chromePolicies, type BrowserPolicies, type ChromiumFamily } from './chrome.js';
import type { DeployOptions, Json } from './options.js';

export interface LinuxFile {
  path: string;
  installTo: string;
  browser: string;
  family: ChromiumFamily;
}

export const LINUX_FILES: readonly LinuxFile[] = [
  { path: 'linux/chrome/upload-guard.json', installTo: '/etc/opt/chrome/policies/managed/upload-guard.json', browser: 'Google Chrome', family: 'chrome' },
  { path: 'linux/chromium/upload-guard.json', installTo: '/etc/chromium/policies/managed/upload-guard.json', browser: 'Chromium', family: 'chrome' },
  { path: 'linux/edge/upload-guard.json', installTo: '/etc/opt/edge/policies/managed/upload-guard.json', browser: 'Microsoft Edge', family: 'edge' },
];

/** The whole managed-policy object of one file. */
export function linuxPolicy(p: BrowserPolicies): Record<string, Json> {
  return { ...p.policies, '3rdparty': { extensions: { [p.extensionId]: p.extensionPolicy } } };
}

export function linuxJson(family: ChromiumFamily, policy: ManagedPolicy, options: DeployOptions): string {
  return JSON.stringify(linuxPolicy(chromePolicies(family, policy, options)), null, 2) + '\n';
}
