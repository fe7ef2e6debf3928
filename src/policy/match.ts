/**
 * Which service a page belongs to, by its host. Host patterns mean what Chrome match patterns mean
 * (`*.example.com` = example.com and its subdomains) so the pages we register the guard on and the
 * pages we recognise as a service are the same set.
 */
/** What matching needs of a service: its hosts, and paths that only break ties (null or absent: none). */
export interface HostedService {
  hosts: readonly string[];
  paths?: readonly string[] | null;
}

/** The part of a policy (effective or snapshot) that says which pages are guarded. */
export interface GuardedSet<S extends HostedService = HostedService> {
  services: readonly S[];
  allow: readonly string[];
}

/** `example.com`, `*.example.com`, `46.gigafile.nu`, `xn--…`: lowercase labels, an optional leading `*.`. */
const HOST_PATTERN = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function isHostPattern(p: string): boolean {
  return p.length <= 253 && HOST_PATTERN.test(p);
}

/** Lowercases and drops a trailing dot, so `Mail.Google.com.` matches `mail.google.com`. */
export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

export function hostMatches(pattern: string, host: string): boolean {
  const h = normalizeHost(host);
  if (pattern.startsWith('*.')) {
    const base = pattern.slice(2);
    return h === base || h.endsWith(`.${base}`);
  }
  return h === pattern;
}

/** How specifically a pattern matches: exact hosts beat wildcards, longer wildcards beat shorter ones. */
function specificity(pattern: string): number {
  return pattern.startsWith('*.') ? pattern.length : 1000 + pattern.length;
}

export function isAllowedHost(policy: Pick<GuardedSet, 'allow'>, host: string): boolean {
  return policy.allow.some((p) => hostMatches(p, host));
}

/** Parses a page URL; only http(s) pages can be services. */
function pageUrl(url: string): URL | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/**
 * The service the page at `url` belongs to, or null when it is not guarded (not listed, or allowed by
 * policy). Among several matches the most specific host wins, then a matching path.
 */
export function findService<S extends HostedService>(policy: GuardedSet<S>, url: string): S | null {
  const u = pageUrl(url);
  if (!u) return null;
  const host = normalizeHost(u.hostname);
  if (isAllowedHost(policy, host)) return null;
  let best: S | null = null;
  let bestRank = -1;
  for (const s of policy.services) {
    let hostScore = -1;
    for (const p of s.hosts) if (hostMatches(p, host)) hostScore = Math.max(hostScore, specificity(p));
    if (hostScore < 0) continue;
    // A path only breaks ties between services on the same host; it never un-guards a page.
    const pathRank = !s.paths ? 1 : s.paths.some((p) => u.pathname.startsWith(p)) ? 2 : 0;
    const rank = hostScore * 4 + pathRank;
    if (rank > bestRank) {
      best = s;
      bestRank = rank;
    }
  }
  return best;
}

/** `*.gigafile.nu` → `*://*.gigafile.nu/*`: the Chrome match pattern for every page on those hosts. */
export function toMatchPattern(hostPattern: string): string {
  return `*://${hostPattern}/*`;
}

/** Where the in-page guard must run: every guarded host, minus the allowed ones. */
export function guardMatchPatterns(policy: GuardedSet): {
  matches: string[];
  excludeMatches: string[];
} {
  const hosts = new Set<string>();
  for (const s of policy.services) for (const h of s.hosts) hosts.add(h);
  return {
    matches: [...hosts].sort().map(toMatchPattern),
    excludeMatches: [...new Set(policy.allow)].sort().map(toMatchPattern),
  };
}

/** The page's origin, which is all of its address that leaves the browser (no path, no query). */
export function pageOrigin(url: string): string | null {
  const u = pageUrl(url);
  return u ? u.origin : null;
}
