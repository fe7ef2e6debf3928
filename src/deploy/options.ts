/**
 * What a deployment is generated for: which extension IDs, where the browsers fetch the extension from,
 * and which hardening settings are on. `resolveOptions` derives the defaults from the admin's policy and
 * the command line, and lists every problem instead of stopping at the first.
 */
import { EXTENSION_ID, GECKO_ID } from '../policy/extension-id.js';
import type { ManagedPolicy } from '../policy/types.js';
import { HARDENING, type HardeningName, isHardeningName } from './hardening.js';

/** A JSON value, as it goes into every output format. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A deployment that cannot be generated; every problem is one line naming what is wrong. */
export class DeployError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'DeployError';
  }
}

export const TARGETS = ['linux', 'windows', 'macos', 'cbcm', 'firefox'] as const;
export type Target = (typeof TARGETS)[number];

/** Chrome Web Store and Edge Add-ons update URLs (`--webstore`). */
export const WEBSTORE_UPDATE_URL = {
  chrome: 'https://clients2.google.com/service/update2/crx',
  edge: 'https://edge.microsoft.com/extensionwebstorebase/v1/crx',
} as const;

export interface DeployOptions {
  /** Chrome/Edge extension ID: 32 letters a–p (a company signing its own CRX has its own; a store assigns its own). */
  extensionId: string;
  /** Edge's ID when it differs: Edge Add-ons assigns its own ID (`--webstore` with `--edge-extension-id`). */
  edgeExtensionId: string;
  /** Firefox add-on id (manifest browser_specific_settings.gecko.id). */
  geckoId: string;
  /** Update manifest URL per Chromium family; required for the linux, windows and macos targets. */
  updateUrl?: { chrome: string; edge: string };
  /** Where Firefox downloads the signed .xpi; required for the firefox target. */
  firefoxInstallUrl?: string;
  /** Enabled hardening settings. */
  hardening: ReadonlySet<HardeningName>;
  /** Other extensions kept allowed when `other-extensions` blocks the rest: Chrome/Edge IDs and Firefox ids. */
  allowExtensions: string[];
}

/** What the admin asked for on the command line; everything optional. */
export interface DeployRequest {
  extensionId?: string;
  edgeExtensionId?: string;
  geckoId?: string;
  updateUrl?: string;
  webstore?: boolean;
  firefoxInstallUrl?: string;
  harden?: string[];
  noHarden?: string[];
  allowExtensions?: string[];
}

const CHROME_ID = /^[a-p]{32}$/;
// Mozilla's add-on id syntax: an email-like id or a {GUID}.
const GECKO = /^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|[a-z0-9._-]*@[a-z0-9._-]+)$/i;

export const isChromeExtensionId = (id: string): boolean => CHROME_ID.test(id);
export const isGeckoId = (id: string): boolean => id.length <= 255 && GECKO.test(id);

/**
 * The URL in canonical form (WHATWG serialization: no raw spaces, tabs or newlines), or undefined when it
 * is not an absolute URL with one of `schemes`.
 */
export function canonicalUrl(s: string, schemes: readonly string[] = ['https:', 'http:']): string | undefined {
  try {
    const u = new URL(s);
    return schemes.includes(u.protocol) && u.href.length <= 2048 ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** `${collectorUrl}/extension/<file>?token=<ingestToken>`: what our collector serves. */
function collectorDownload(policy: ManagedPolicy, file: string): string | undefined {
  const { collectorUrl, ingestToken } = policy;
  if (!collectorUrl || !ingestToken || /[?#]/.test(collectorUrl)) return undefined;
  return canonicalUrl(`${collectorUrl.replace(/\/+$/, '')}/extension/${file}?token=${encodeURIComponent(ingestToken)}`);
}

export function defaultHardening(): Set<HardeningName> {
  return new Set(HARDENING.filter((h) => h.default).map((h) => h.name));
}

/** Comma-separated and repeated values, trimmed, empty ones dropped. */
const listOf = (xs: string[] | undefined): string[] => (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

/**
 * The options for `policy` and `request`, or a DeployError listing every problem. `targets` decides which
 * URLs are required: an update URL for linux/windows/macos, a Firefox install URL for firefox.
 */
export function resolveOptions(policy: ManagedPolicy, request: DeployRequest, targets: readonly Target[]): DeployOptions {
  const problems: string[] = [];

  const extensionId = request.extensionId ?? EXTENSION_ID;
  if (!isChromeExtensionId(extensionId)) problems.push(`--extension-id: ${JSON.stringify(extensionId)} is not an extension ID (32 letters a–p)`);
  const edgeExtensionId = request.edgeExtensionId ?? extensionId;
  if (request.edgeExtensionId !== undefined && !isChromeExtensionId(edgeExtensionId)) problems.push(`--edge-extension-id: ${JSON.stringify(edgeExtensionId)} is not an extension ID (32 letters a–p)`);
  if (request.edgeExtensionId !== undefined && !request.webstore) {
    problems.push('--edge-extension-id is for --webstore (the ID Edge Add-ons assigned); a self-hosted CRX has one ID in both browsers');
  }
  // The stores sign with their own keys, so the shipped ID cannot be what they install.
  if (request.webstore && request.extensionId === undefined) {
    problems.push('--webstore: the Chrome Web Store assigns the extension its own ID; give it with --extension-id (and the Edge Add-ons one with --edge-extension-id)');
  }
  const geckoId = request.geckoId ?? GECKO_ID;
  if (!isGeckoId(geckoId)) problems.push(`--gecko-id: ${JSON.stringify(geckoId)} is not a Firefox add-on id (name@domain or {GUID})`);

  const hardening = defaultHardening();
  const on = listOf(request.harden);
  const off = listOf(request.noHarden);
  for (const name of [...on, ...off]) {
    if (!isHardeningName(name)) problems.push(`--harden/--no-harden: unknown setting ${JSON.stringify(name)} (expected ${HARDENING.map((h) => h.name).join(', ')})`);
  }
  for (const name of on) if (off.includes(name)) problems.push(`--harden ${name} and --no-harden ${name} contradict each other`);
  for (const name of on) if (isHardeningName(name)) hardening.add(name);
  for (const name of off) if (isHardeningName(name)) hardening.delete(name);

  const allowExtensions = [...new Set(listOf(request.allowExtensions))];
  const ownIds = [extensionId, edgeExtensionId, geckoId];
  for (const id of allowExtensions) {
    if (!isChromeExtensionId(id) && !isGeckoId(id)) {
      problems.push(`--allow-extension: ${JSON.stringify(id)} is neither a Chrome/Edge extension ID (32 letters a–p) nor a Firefox add-on id`);
    } else if (ownIds.includes(id)) {
      problems.push(`--allow-extension: ${JSON.stringify(id)} is Upload Guard itself`);
    }
  }

  const needsUpdateUrl = targets.some((t) => t !== 'firefox');
  let updateUrl: DeployOptions['updateUrl'];
  if (request.webstore && request.updateUrl !== undefined) {
    problems.push('--webstore and --update-url contradict each other: give one');
  } else if (request.webstore) {
    // Edge installs Chrome Web Store extensions too: without an Edge Add-ons ID it takes the Chrome Web Store one.
    updateUrl = { chrome: WEBSTORE_UPDATE_URL.chrome, edge: request.edgeExtensionId ? WEBSTORE_UPDATE_URL.edge : WEBSTORE_UPDATE_URL.chrome };
  } else if (request.updateUrl !== undefined) {
    const url = canonicalUrl(request.updateUrl);
    if (url) updateUrl = { chrome: url, edge: url };
    else problems.push(`--update-url: ${JSON.stringify(request.updateUrl)} is not an http(s) URL`);
  } else if (needsUpdateUrl) {
    const url = collectorDownload(policy, 'updates.xml');
    if (url) updateUrl = { chrome: url, edge: url };
    else {
      problems.push(
        'no update URL for Chrome/Edge: give --update-url URL (your update manifest) or --webstore, ' +
          'or set collectorUrl (without ? or #) and ingestToken in the policy so the collector serves the extension',
      );
    }
  }

  let firefoxInstallUrl: string | undefined;
  if (request.firefoxInstallUrl !== undefined) {
    firefoxInstallUrl = canonicalUrl(request.firefoxInstallUrl, ['https:', 'http:', 'file:']);
    if (!firefoxInstallUrl) problems.push(`--firefox-install-url: ${JSON.stringify(request.firefoxInstallUrl)} is not an http(s) or file URL`);
  } else if (targets.includes('firefox')) {
    firefoxInstallUrl = collectorDownload(policy, 'upload-guard.xpi');
    if (!firefoxInstallUrl) {
      problems.push(
        'no install URL for Firefox: give --firefox-install-url URL (the signed .xpi), ' +
          'or set collectorUrl (without ? or #) and ingestToken in the policy so the collector serves the add-on',
      );
    }
  }

  if (problems.length) throw new DeployError(problems);
  return { extensionId, edgeExtensionId, geckoId, updateUrl, firefoxInstallUrl, hardening, allowExtensions };
}
