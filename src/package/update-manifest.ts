/**
 * The update manifests browsers poll: Chrome/Edge's gupdate XML (`update_url`) and Firefox's JSON
 * (`browser_specific_settings.gecko.update_url`). Used by `npm run package` for a static copy and by
 * the collector, which serves them at /extension/updates.xml and /extension/updates.json.
 */

export interface ChromeUpdate {
  appId: string;
  version: string;
  /** Absolute URL of the CRX; null when no signed CRX exists (the manifest then says "noupdate"). */
  codebase: string | null;
}

export function chromeUpdateXml(u: ChromeUpdate): string {
  const check = u.codebase
    ? `<updatecheck codebase='${escapeXml(u.codebase)}' version='${escapeXml(u.version)}' />`
    : `<updatecheck status='noupdate' />`;
  return (
    `<?xml version='1.0' encoding='UTF-8'?>\n` +
    `<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n` +
    `  <app appid='${escapeXml(u.appId)}'>\n    ${check}\n  </app>\n</gupdate>\n`
  );
}

export interface FirefoxUpdate {
  addonId: string;
  version: string;
  /** Absolute URL of the XPI; null gives an empty update list. */
  link: string | null;
  sha256: string | null;
}

export function firefoxUpdateJson(u: FirefoxUpdate): string {
  const updates = u.link
    ? [{ version: u.version, update_link: u.link, ...(u.sha256 ? { update_hash: `sha256:${u.sha256}` } : {}) }]
    : [];
  return JSON.stringify({ addons: { [u.addonId]: { updates } } }, null, 2) + '\n';
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>'"]/g, (c) => XML_ESCAPES[c]!);
}

/**
 * The base URL package links start with (the collector's publicUrl, the packager's --base-url), checked
 * and normalised: http(s), no credentials, query or fragment, no trailing slash.
 */
export function normalizePublicUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`publicUrl: not a URL: ${url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`publicUrl: expected http:// or https://, got ${u.protocol}`);
  if (u.username || u.password || u.search || u.hash) throw new Error('publicUrl: must not contain credentials, a query or a fragment');
  return u.origin + u.pathname.replace(/\/+$/, '');
}
