/**
 * What one page runs with: the snapshot narrowed to the service the page belongs to. The background
 * answers a frame's request with it, and a frame computes it itself from a pushed snapshot: the same
 * function on both sides, so they cannot disagree.
 */
import type { Designated, Limits } from '../detect/types.js';
import { findService } from '../policy/match.js';
import type { Lang, PolicySnapshot, SnapshotService } from '../policy/snapshot.js';
import type { Category, VerdictActions } from '../policy/types.js';

export interface ServiceInfo {
  id: string;
  name: string;
  category: Category;
}

export interface Contact {
  name: string | null;
  mail: string | null;
  phone: string | null;
  url: string | null;
}

/** What the warning offers besides the refusal, in the snapshot's language, for the page's category. */
export interface Guidance {
  /** What to do instead. */
  text: string;
  url: string | null;
  /** Who to ask; null when the policy names nobody. */
  contact: Contact | null;
  /** The company's approved alternative for this kind of service. */
  alternative: { text: string; url: string | null } | null;
  /** Preset justifications for a warning (free text stays available). */
  reasons: string[];
}

export const NO_GUIDANCE: Guidance = { text: '', url: null, contact: null, alternative: null, reasons: [] };

export interface PageView {
  /** The snapshot this view was made from. */
  version: string;
  /** null: the page is not guarded, and the guard in it stays idle. */
  service: ServiceInfo | null;
  /** The policy's action per verdict for the service's category (all `allow` when not guarded). */
  actions: VerdictActions;
  designated: Designated;
  limits: Limits;
  lang: Lang;
  guidance: Guidance;
}

const UNGUARDED: VerdictActions = { marked: 'allow', clean: 'allow', unscannable: 'allow' };

/**
 * The page a request is about and its service. Candidates in order of trust: the frame's own URL (what
 * the browser vouches for), the tab's URL (about:blank, srcdoc and blob frames), the URL a page reported.
 */
export function pageOf(s: PolicySnapshot, candidates: readonly (string | undefined)[]): { url: string; service: SnapshotService | null } {
  const urls = candidates.filter((u): u is string => !!u);
  for (const url of urls) {
    const service = findService(s, url);
    if (service) return { url, service };
  }
  return { url: urls.find((u) => /^https?:/.test(u)) ?? urls[0] ?? '', service: null };
}

export function serviceInfo(s: SnapshotService | null): ServiceInfo | null {
  return s ? { id: s.id, name: s.name, category: s.category } : null;
}

export function guidanceOf(s: PolicySnapshot, category: Category | null): Guidance {
  const g = (category && s.guidance[category]) || {};
  const c = g.contact;
  const alt = g.alternative;
  const altText = alt?.[s.lang] ?? alt?.ja ?? alt?.en ?? '';
  return {
    text: g[s.lang] ?? s.messages[s.lang],
    url: s.messages.link,
    contact: c && (c.name || c.mail || c.phone || c.url) ? { name: c.name ?? null, mail: c.mail ?? null, phone: c.phone ?? null, url: c.url ?? null } : null,
    alternative: altText || alt?.url ? { text: altText, url: alt?.url ?? null } : null,
    reasons: (g.reasons ?? []).map((r) => r[s.lang]),
  };
}

export function pageView(s: PolicySnapshot, candidates: readonly (string | undefined)[]): PageView {
  const { service } = pageOf(s, candidates);
  return {
    version: s.version,
    service: serviceInfo(service),
    actions: service ? { ...s.actions[service.category] } : { ...UNGUARDED },
    designated: s.designated,
    limits: s.limits,
    lang: s.lang,
    guidance: guidanceOf(s, service?.category ?? null),
  };
}
