/**
 * What the deployment-file tests check the output against: JSON Schemas for the parts of the browsers'
 * policies we write (Chrome/Edge ExtensionSettings, Firefox policies.json), the extension's own policy
 * schema made strict (unknown keys fail), sample policies (one with every key, one hostile), and the
 * mapping from registry values back to a policy.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import type { ManagedPolicy } from '../../src/policy/types.js';
import type { RegValue } from './reg-file.js';

type Node = { type?: string; properties?: Record<string, Node>; items?: Node; [k: string]: unknown };

export const policySchema = JSON.parse(readFileSync(new URL('../../extension/policy-schema.json', import.meta.url), 'utf8')) as Node;

function strict(n: Node): Node {
  const out: Node = { ...n };
  if (n.properties) out.properties = Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, strict(v)]));
  if (n.items) out.items = strict(n.items);
  if (n.type === 'object') out.additionalProperties = false;
  return out;
}

/** The extension's managed-policy schema with unknown keys rejected. */
export const validatePolicy: ValidateFunction = new Ajv({ allErrors: true, strict: true }).compile(strict(policySchema));

// The browsers' schemas below use if/then, whose `required` names properties defined outside `then`.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });

const chromeId = '^[a-p]{32}$';
const url = { type: 'string', pattern: '^https?://' };

/** One ExtensionSettings entry of Chrome/Edge as we write it. */
const chromeEntry = {
  type: 'object',
  additionalProperties: false,
  properties: {
    installation_mode: { enum: ['blocked', 'allowed', 'force_installed', 'normal_installed', 'removed'] },
    update_url: url,
    override_update_url: { type: 'boolean' },
    toolbar_pin: { enum: ['force_pinned', 'default_pinned', 'default_unpinned'] },
    toolbar_state: { enum: ['force_shown', 'default_shown', 'default_hidden'] },
    blocked_install_message: { type: 'string', maxLength: 1000 },
  },
  required: ['installation_mode'],
  if: { properties: { installation_mode: { const: 'force_installed' } } },
  then: { required: ['update_url'] },
};

/** Chrome/Edge ExtensionSettings: keys are extension IDs or "*" ("*" only blocks or allows). */
export const validateChromeExtensionSettings: ValidateFunction = ajv.compile({
  type: 'object',
  propertyNames: { anyOf: [{ pattern: chromeId }, { const: '*' }] },
  additionalProperties: chromeEntry,
  properties: { '*': { ...chromeEntry, properties: { ...chromeEntry.properties, installation_mode: { enum: ['blocked', 'allowed'] } } } },
});

const geckoId = '^(\\{[0-9a-fA-F-]{36}\\}|[A-Za-z0-9._-]*@[A-Za-z0-9._-]+)$';
const firefoxEntry = {
  type: 'object',
  additionalProperties: false,
  properties: {
    installation_mode: { enum: ['allowed', 'blocked', 'force_installed', 'normal_installed'] },
    install_url: { type: 'string', pattern: '^(https?|file)://' },
    private_browsing: { type: 'boolean' },
    default_area: { enum: ['navbar', 'menupanel'] },
    blocked_install_message: { type: 'string' },
  },
  required: ['installation_mode'],
  if: { properties: { installation_mode: { const: 'force_installed' } } },
  then: { required: ['install_url'] },
};

/** Firefox policies.json: the parts we write (https://mozilla.github.io/policy-templates/), nothing else. */
export const validateFirefoxPolicies: ValidateFunction = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['policies'],
  properties: {
    policies: {
      type: 'object',
      additionalProperties: false,
      required: ['ExtensionSettings', '3rdparty'],
      properties: {
        ExtensionSettings: {
          type: 'object',
          propertyNames: { anyOf: [{ pattern: geckoId }, { const: '*' }] },
          additionalProperties: firefoxEntry,
        },
        DisablePrivateBrowsing: { type: 'boolean' },
        BlockAboutConfig: { type: 'boolean' },
        DisableDeveloperTools: { type: 'boolean' },
        '3rdparty': {
          type: 'object',
          additionalProperties: false,
          properties: { Extensions: { type: 'object', propertyNames: { pattern: geckoId }, additionalProperties: { type: 'object' } } },
        },
      },
    },
  },
});

/** Chrome/Edge browser-level policies we may write, with their types (everything but ExtensionSettings). */
export const CHROME_POLICY_TYPES: Record<string, 'boolean' | 'integer'> = {
  IncognitoModeAvailability: 'integer',
  InPrivateModeAvailability: 'integer',
  BrowserGuestModeEnabled: 'boolean',
  ExtensionDeveloperModeSettings: 'integer',
  BlockExternalExtensions: 'boolean',
  DeveloperToolsAvailability: 'integer',
};

/** Registry values under a policy key, read back the way Chrome reads them with the extension's schema. */
export function policyFromRegistry(values: Map<string, RegValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of values) {
    const type = policySchema.properties?.[name]?.type;
    if (!type) throw new Error(`registry value ${name} is not a policy key`);
    if (type === 'string') {
      if (v.type !== 'REG_SZ') throw new Error(`${name}: expected REG_SZ`);
      out[name] = v.data;
    } else if (type === 'integer') {
      if (v.type !== 'REG_DWORD') throw new Error(`${name}: expected REG_DWORD`);
      out[name] = v.data;
    } else if (type === 'boolean') {
      if (v.type !== 'REG_DWORD') throw new Error(`${name}: expected REG_DWORD`);
      out[name] = v.data !== 0;
    } else {
      if (v.type !== 'REG_SZ') throw new Error(`${name}: expected REG_SZ JSON`);
      out[name] = JSON.parse(v.data);
    }
  }
  return out;
}

/** Browser-level registry values back to JSON values: ExtensionSettings parsed, dwords by the policy's type. */
export function browserPoliciesFromRegistry(values: Map<string, RegValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of values) {
    if (name === 'ExtensionSettings') {
      if (v.type !== 'REG_SZ') throw new Error('ExtensionSettings: expected REG_SZ');
      out[name] = JSON.parse(v.data);
      continue;
    }
    const type = CHROME_POLICY_TYPES[name];
    if (!type || v.type !== 'REG_DWORD') throw new Error(`${name}: unexpected browser policy or type`);
    out[name] = type === 'boolean' ? v.data !== 0 : v.data;
  }
  return out;
}

/** Every policy key set, already in the form validation keeps (so input and validated output are equal). */
export const FULL_POLICY: ManagedPolicy = {
  services: [
    { id: 'partner-portal', name: '取引先ポータル（個人アカウント）', category: 'custom', hosts: ['upload.partner.example', '*.files.partner.example'], paths: ['/upload'] },
  ],
  removeServices: ['poe'],
  scope: 'everywhere',
  allow: ['example-corp.app.box.com', '*.example-corp.sharepoint.com'],
  sanctioned: [
    { host: 'mail.example-corp.co.jp', requireEncryption: true, action: 'warn' },
    { host: '*.transfer.example-corp.co.jp', requireEncryption: false, action: 'block' },
  ],
  actions: { genai: { unscannable: 'block', marked: 'block' }, sharing: { clean: 'audit' }, webmail: { marked: 'warn' }, other: { unscannable: 'audit' } },
  limits: { maxBytes: 209715200, maxDepth: 6, maxEntries: 5000, maxRatio: 200, maxExpandedBytes: 1073741824, timeBudgetMs: 20000 },
  designated: {
    sha256: ['0'.repeat(63) + 'a'],
    keywords: ['社外秘', 'Project Falcon'],
    patterns: ['\\bPRJ-\\d{4}\\b'],
    namePatterns: ['^極秘'],
    labels: ['Confidential', 'a1b2c3d4-0000-4000-8000-000000000001'],
  },
  messages: {
    ja: '社外への送付は、社内ファイル転送サービスを利用してください。',
    en: 'Use the company file-transfer service to send files outside the company.',
    link: 'https://transfer.example.co.jp/',
  },
  user: '${user}@example.co.jp',
  deviceName: 'PC-0001',
  collectorUrl: 'https://upload-guard.example.co.jp:8787',
  ingestToken: 'ingest-token-0123456789',
  heartbeatMinutes: 15,
  policyVersion: '2026-11-01',
};

/** Strings that break naive JSON, XML, .reg or shell handling; each is valid where it is used. */
export const HOSTILE = `"quote" 'apos' \\back\\slash\\ ]]> <!-- comment --> -- - & &amp; <string>x</string> %PATH% %% \${x} [HKEY_LOCAL_MACHINE\\X] "=dword:00000001 ; ?token=a&b#c 秘 😀`;

export const HOSTILE_POLICY: ManagedPolicy = {
  services: [{ id: 'evil.svc', name: `</string><key>PayloadType</key><string>x "q" \\ ]]> <!-- -- %PATH% 秘`, category: 'webmail', hosts: ['mail.evil.example'] }],
  designated: {
    keywords: [HOSTILE, '\\', '"', ']]>', '<!--', '-->', '%USERPROFILE%'],
    patterns: ['"[^"\\\\]*"\\s*\\]\\]>', '(?<x>a)\\k<x>'],
    namePatterns: ['^C—.*\\.(docx|xlsx)$'],
    labels: ['--', '-'],
  },
  messages: {
    ja: `一行目\n二行目\r\n三行目\tタブ\u2028LS\u0085NEL\u007fDEL ${HOSTILE}`,
    en: `line one\n\n${HOSTILE}\r`,
    link: 'https://transfer.example.co.jp/a?b=%22c%22&d=<e>#f',
  },
  user: `%USERNAME%@example.co.jp "\\" ]]> <!-- -->`,
  collectorUrl: 'https://ug.example.co.jp:8787/base',
  ingestToken: `tok&en"with\\odd%20chars#and?more=1 ]]>`,
  policyVersion: `v1 "x" \\ <!-- ]]> --`,
};

/** Every file `policy files` writes for all targets, sorted. */
export const ALL_FILES = [
  'README.txt',
  'cbcm/extension-policy.json',
  'firefox/policies.json',
  'linux/chrome/upload-guard.json',
  'linux/chromium/upload-guard.json',
  'linux/edge/upload-guard.json',
  'macos/upload-guard.mobileconfig',
  'windows/set-device-name.cmd',
  'windows/upload-guard-chrome.reg',
  'windows/upload-guard-edge.reg',
];
