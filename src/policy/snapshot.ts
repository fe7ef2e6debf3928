/**
 * The policy as every open tab runs it: one value, computed by the background from the effective
 * policy whenever `storage.managed` changes, and published by the background only. Every field is
 * present (no optional fields), so a tab never falls back to a default of its own. The version is a
 * hash of the content: it survives service-worker restarts, and two equal policies have one version.
 *
 * Secrets (the ingest token) and the collector address are not part of it: it is sent into pages.
 */
import type { Designated, Limits } from '../detect/types.js';
import type { ActionTable, Category, EffectivePolicy, GuidanceTable, Messages, Sanctioned, Scope } from './types.js';

export type Lang = 'ja' | 'en';

/** A guarded service as tabs see it; `paths: null` means every path of its hosts. */
export interface SnapshotService {
  id: string;
  name: string;
  category: Category;
  hosts: string[];
  paths: string[] | null;
}

export interface PolicySnapshot {
  /** Changes whenever anything below changes. */
  version: string;
  /** The admin's label for the policy (policy `policyVersion`), or null. */
  policyVersion: string | null;
  scope: Scope;
  services: SnapshotService[];
  allow: string[];
  sanctioned: Sanctioned[];
  actions: ActionTable;
  limits: Limits;
  designated: Designated;
  messages: Messages;
  guidance: GuidanceTable;
  /** The language of the extension's own text (the dialog, the guidance). */
  lang: Lang;
}

export function policySnapshot(p: EffectivePolicy, lang: Lang): PolicySnapshot {
  const body: Omit<PolicySnapshot, 'version'> = {
    policyVersion: p.policyVersion,
    services: p.services.map((s) => ({ id: s.id, name: s.name, category: s.category, hosts: [...s.hosts], paths: s.paths ? [...s.paths] : null })),
    scope: p.scope,
    allow: [...p.allow],
    sanctioned: p.sanctioned.map((e) => ({ ...e })),
    actions: structuredClone(p.actions),
    limits: { ...p.limits },
    designated: structuredClone(p.designated),
    messages: { ...p.messages },
    guidance: structuredClone(p.guidance),
    lang,
  };
  return { version: contentHash(JSON.stringify(body)), ...body };
}

/** cyrb53: a fast 53-bit string hash, as 14 hex digits. Not a security measure: only tells versions apart. */
function contentHash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
