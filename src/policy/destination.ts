/**
 * Where a page sends what is uploaded on it, as the policy sees it, and what each verdict leads to there.
 * One function decides it for the background (recording a decision), for every frame (its own view),
 * and for registration (which hosts get a script): they cannot disagree.
 *
 * Precedence, most binding first: a sanctioned destination with a condition; `allow` (and a sanctioned
 * entry without conditions); a listed service; with scope `everywhere`, any other http(s) page.
 */
import { actionFor } from './decide.js';
import { findService, hostMatches, normalizeHost, pageUrl, specificity, type GuardedSet, type HostedService } from './match.js';
import type { Action, ActionTable, Category, Sanctioned, Scope, Verdict, VerdictActions } from './types.js';

/** The part of a policy (effective or snapshot) that says what a page is. */
export interface ScopedSet<S extends HostedService = HostedService> extends GuardedSet<S> {
  scope: Scope;
  sanctioned: readonly Sanctioned[];
}

export type Destination<S> =
  /** A listed service (catalogue or admin): its category's actions. */
  | { kind: 'service'; service: S }
  /** Scope `everywhere`, no service matches: category `other`. */
  | { kind: 'other'; host: string }
  /** An allowed destination whose condition the guard checks (requireEncryption). */
  | { kind: 'sanctioned'; entry: Sanctioned };

/** Service ids reserved for the two kinds of page that are not a listed service (events report them). */
export const OTHER_ID = 'other';
export const SANCTIONED_ID = 'sanctioned';

/** The most specific sanctioned entry for `host`, or null. */
export function sanctionedFor(list: readonly Sanctioned[], host: string): Sanctioned | null {
  let best: Sanctioned | null = null;
  for (const e of list) if (hostMatches(e.host, host) && (!best || specificity(e.host) > specificity(best.host))) best = e;
  return best;
}

/** True when the entry has a condition the guard must check (otherwise it is a plain allow). */
export function hasCondition(e: Sanctioned): boolean {
  return e.requireEncryption;
}

/** What the page at `url` is, or null when nothing guards it (not http(s), allowed, or unlisted under `listed`). */
export function findDestination<S extends HostedService>(policy: ScopedSet<S>, url: string): Destination<S> | null {
  const u = pageUrl(url);
  if (!u) return null;
  const host = normalizeHost(u.hostname);
  const entry = sanctionedFor(policy.sanctioned, host);
  if (entry) return hasCondition(entry) ? { kind: 'sanctioned', entry } : null;
  const service = findService(policy, url);
  if (service) return { kind: 'service', service };
  if (policy.allow.some((p) => hostMatches(p, host))) return null;
  return policy.scope === 'everywhere' ? { kind: 'other', host } : null;
}

/** The category a destination's actions come from; null for a sanctioned destination (its own action). */
export function categoryOf<S extends { category: Category }>(d: Destination<S>): Category | null {
  return d.kind === 'service' ? d.service.category : d.kind === 'other' ? 'other' : null;
}

/**
 * The action per verdict at a destination, before any condition is checked. At a sanctioned destination
 * only a marked file can be refused (and only when its condition is unmet: see actionAt).
 */
export function actionsAt<S extends { category: Category }>(p: { actions: ActionTable }, d: Destination<S>): VerdictActions {
  const cat = categoryOf(d);
  if (cat) return { ...p.actions[cat] };
  return { marked: d.kind === 'sanctioned' ? d.entry.action : 'allow', unscannable: 'allow', clean: 'allow' };
}

/** What a decision needs to know about one item. */
export interface Judgement {
  verdict: Verdict;
  /** The file's name; null for text and for bytes a page built (no file was attached). */
  fileName: string | null;
  /** A password-protected archive, PDF or Office file; null or absent when not checked. */
  encrypted?: boolean | null;
  /** Why an unscannable item was not read (too large, encrypted…): those cases may have their own action. */
  reason?: string | null;
}

/**
 * The action for one item at a destination. At a sanctioned destination with requireEncryption only an
 * attached marked file is held to the condition (guideline 2-2-2c is about files), and it passes only
 * when it is known to be encrypted: unknown is unmet. Text typed there (a mail body) passes, as at `allow`.
 */
export function actionAt<S extends { category: Category }>(p: { actions: ActionTable }, d: Destination<S>, j: Judgement): Action {
  if (d.kind !== 'sanctioned') return actionFor(p, categoryOf(d) as Category, j.verdict, j.reason);
  const unmet = j.verdict === 'marked' && j.fileName !== null && d.entry.requireEncryption && j.encrypted !== true;
  return unmet ? d.entry.action : 'allow';
}
