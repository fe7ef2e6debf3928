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
export function specificity(pattern: string): number {
  return pattern.startsWith('*.') ? pattern.length : 1000 + pattern.length;
}

export function isAllowedHost(policy: Pick<GuardedSet, 'allow'>, host: string): boolean {
  return policy.allow.some((p) => hostMatches(p, host));
}

/** Parses a page URL; only http(s) pages can be services. */
export function pageUrl(url: string): URL | null {
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

/** Every http(s) page: what scope `everywhere` registers. */
export const EVERY_PAGE = ['http://*/*', 'https://*/*'] as const;

/** Two host patterns that can match one same host. */
function overlaps(a: string, b: string): boolean {
  const base = (p: string) => (p.startsWith('*.') ? p.slice(2) : p);
  return hostMatches(a, base(b)) || hostMatches(b, base(a));
}

/**
 * Where the in-page guard must run: every guarded host (every http(s) page with scope `everywhere`) and
 * the sanctioned destinations with conditions, minus the allowed hosts. An `allow` pattern that overlaps
 * a conditioned destination (`*.acme.co.jp` over `mail.acme.co.jp`) is not excluded: the guard runs
 * there and stands down by itself (findDestination), so the condition is never lost.
 */
export function guardMatchPatterns(policy: GuardScope): {
  matches: string[];
  excludeMatches: string[];
} {
  const { hosts, excluded } = guardHosts(policy);
  return {
    matches: hosts === null ? [...EVERY_PAGE] : hosts.map(toMatchPattern),
    excludeMatches: excluded.map(toMatchPattern),
  };
}

type GuardScope = GuardedSet & { scope?: 'listed' | 'everywhere'; sanctioned?: readonly { host: string; requireEncryption: boolean }[] };

/**
 * The same as host patterns, sorted: where the guard runs (null: every page, scope `everywhere`) and
 * where it never does. The URL rule (extension/background/url-rule.ts) takes its domains from these.
 */
export function guardHosts(policy: GuardScope): { hosts: string[] | null; excluded: string[] } {
  const conditioned = (policy.sanctioned ?? []).filter((e) => e.requireEncryption).map((e) => e.host);
  const unconditioned = (policy.sanctioned ?? []).filter((e) => !e.requireEncryption).map((e) => e.host);
  const hosts = new Set<string>(conditioned);
  for (const s of policy.services) for (const h of s.hosts) hosts.add(h);
  const excluded = [...new Set([...policy.allow, ...unconditioned])].filter((p) => !conditioned.some((c) => overlaps(p, c)));
  return { hosts: policy.scope === 'everywhere' ? null : [...hosts].sort(), excluded: excluded.sort() };
}

/** The page's origin, which is all of its address that leaves the browser (no path, no query). */
export function pageOrigin(url: string): string | null {
  const u = pageUrl(url);
  return u ? u.origin : null;
}
