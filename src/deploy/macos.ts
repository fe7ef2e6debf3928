/**
 * macOS: one configuration profile (`.mobileconfig`, an XML property list) with four payloads:
 * `com.google.Chrome` and `com.microsoft.Edge` (ExtensionSettings and hardening) and
 * `com.google.Chrome.extensions.<id>` / `com.microsoft.Edge.extensions.<id>` (the extension's policy,
 * its keys at the payload's top level). Payload UUIDs are derived from the payload identifiers, so
 * generating again gives the same profile and installing it replaces the earlier one.
 *
 * Written by hand: `&`, `<`, `>` are escaped in every string and key; CR, NEL, LS, PS and DEL/C1 controls
 * become character references (parsers turn raw CR, NEL and LS into LF); characters XML cannot carry at
 * all are an error. Hardening reasons are XML comments, with any `--` broken up.
 */
import { createHash } from 'node:crypto';
import type { ManagedPolicy } from '../policy/types.js';
import { chromePolicies, type BrowserPolicies, type ChromiumFamily } from './chrome.js';
import { describeEffect } from './hardening.js';
import { DeployError, type DeployOptions, type Json } from './options.js';

const DOMAIN: Record<ChromiumFamily, string> = { chrome: 'com.google.Chrome', edge: 'com.microsoft.Edge' };
const BROWSER: Record<ChromiumFamily, string> = { chrome: 'Google Chrome', edge: 'Microsoft Edge' };

/** The profile's identifier; the payloads' identifiers extend it. */
export const profileIdentifier = (extensionId: string): string => `upload-guard.${extensionId}`;

/** A UUID (RFC 9562 version 8, i.e. custom) from the SHA-256 of `name`: the same name, the same UUID. */
export function nameUuid(name: string): string {
  const h = createHash('sha256').update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Characters outside XML 1.0 Char (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]):
 * C0 controls other than tab, LF and CR, U+FFFE/U+FFFF, and unpaired surrogates. No browser shows them
 * either, so policyProblems refuses them for every format, not only for the profile.
 */
export const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function xmlText(s: string, path: string): string {
  const bad = NOT_XML.exec(s);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new DeployError([`${path}: contains U+${code}, which a property list (XML) cannot carry`]);
  }
  // CR, NEL and LS as character references: parsers normalize the raw characters to LF (NEL and LS under
  // XML 1.1 rules, which some apply), but never a reference.
  return s.replace(/[&<>\r\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`,
  );
}

/** An XML comment: no `--` inside, no `-` at the end, one line. */
export function xmlComment(s: string): string {
  const body = s.replace(/[\r\n]+/g, ' ').replace(/-(?=-)/g, '- ').replace(/-$/, '- ');
  return `<!-- ${xmlText(body, 'comment')} -->`;
}

function plistValue(v: Json, indent: string, path: string): string[] {
  if (typeof v === 'string') return [`${indent}<string>${xmlText(v, path)}</string>`];
  if (typeof v === 'boolean') return [`${indent}<${v}/>`];
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new DeployError([`${path}: ${v} is not an integer a property list can carry`]);
    return [`${indent}<integer>${v}</integer>`];
  }
  if (v === null) throw new DeployError([`${path}: null has no property-list form`]);
  if (Array.isArray(v)) {
    if (!v.length) return [`${indent}<array/>`];
    return [`${indent}<array>`, ...v.flatMap((x, i) => plistValue(x, indent + '\t', `${path}[${i}]`)), `${indent}</array>`];
  }
  return plistDict(v, indent, path);
}

function plistDict(d: { [key: string]: Json }, indent: string, path: string, comments: Record<string, string[]> = {}): string[] {
  const keys = Object.keys(d);
  if (!keys.length) return [`${indent}<dict/>`];
  const lines = [`${indent}<dict>`];
  for (const k of keys) {
    const p = path ? `${path}.${k}` : k;
    for (const c of comments[k] ?? []) lines.push(`${indent}\t${c}`);
    lines.push(`${indent}\t<key>${xmlText(k, p)}</key>`, ...plistValue(d[k], indent + '\t', p));
  }
  lines.push(`${indent}</dict>`);
  return lines;
}

function payload(type: string, identifier: string, displayName: string, content: Record<string, Json>): Record<string, Json> {
  return {
    PayloadType: type,
    PayloadIdentifier: identifier,
    PayloadUUID: nameUuid(identifier),
    PayloadVersion: 1,
    PayloadDisplayName: displayName,
    PayloadEnabled: true,
    ...content,
  };
}

/** The profile as XML text: the two payloads of each browser, in the given order. */
export function mobileconfigText(browsers: readonly BrowserPolicies[]): string {
  const extensionId = browsers[0]?.extensionId;
  if (!extensionId) throw new DeployError(['macos: no browser to configure']);
  const profileId = profileIdentifier(extensionId);
  const payloads: string[] = [];
  for (const p of browsers) {
    const domain = DOMAIN[p.family];
    // Reasons as comments before each hardening policy (and before disabled ones' place, as a note).
    const comments: Record<string, string[]> = {
      ExtensionSettings: [xmlComment(`ExtensionSettings: force-installs Upload Guard (${p.extensionId}) from its update URL, pinned to the toolbar.`)],
    };
    const notes: string[] = [];
    for (const h of p.hardening) {
      const lines = [
        xmlComment(`${h.setting.name}: ${h.enabled ? 'ON' : 'OFF, not set'} (${describeEffect(h.effect)})`),
        xmlComment(h.setting.reason.en),
        xmlComment(h.setting.reason.ja),
      ];
      const first = Object.keys(h.effect.policies)[0];
      if (h.enabled && first) comments[first] = [...(comments[first] ?? []), ...lines];
      else if (h.enabled) comments.ExtensionSettings.push(...lines);
      else notes.push(...lines);
    }
    const browserPayload = payload(domain, `${profileId}.${domain}`, `${BROWSER[p.family]}: Upload Guard`, p.policies);
    payloads.push(...notes.map((c) => `\t\t${c}`), ...plistDict(browserPayload, '\t\t', '', comments));
    const extDomain = `${domain}.extensions.${p.extensionId}`;
    const extPayload = payload(extDomain, `${profileId}.${extDomain}`, `${BROWSER[p.family]}: Upload Guard policy`, p.extensionPolicy);
    payloads.push(...plistDict(extPayload, '\t\t', ''));
  }
  const topLines = plistDict(
    {
      PayloadType: 'Configuration',
      PayloadIdentifier: profileId,
      PayloadUUID: nameUuid(profileId),
      PayloadVersion: 1,
      PayloadDisplayName: 'Upload Guard',
      PayloadScope: 'System',
      PayloadDescription:
        'Installs and configures Upload Guard in Google Chrome and Microsoft Edge. / Google Chrome と Microsoft Edge に Upload Guard をインストールし、設定します。',
    },
    '',
    '',
  );
  // Insert PayloadContent as the profile dict's first entry.
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    topLines[0],
    '\t<key>PayloadContent</key>',
    '\t<array>',
    ...payloads,
    '\t</array>',
    ...topLines.slice(1),
    '</plist>',
    '',
  ].join('\n');
}

export function macosMobileconfig(policy: ManagedPolicy, options: DeployOptions, families: readonly ChromiumFamily[] = ['chrome', 'edge']): string {
  return mobileconfigText(families.map((f) => chromePolicies(f, policy, options)));
}
