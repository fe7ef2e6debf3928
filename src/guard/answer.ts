/**
 * The background's half of a decision: the policy's action for each finding (by the page's service
 * category and the verdict) and the strictest of them, which is what the page gets. Pure; the
 * background binds storage and messaging around it.
 */
import { parseFinding, type Finding } from '../events/finding.js';
import { strictest } from '../policy/decide.js';
import { actionAt } from '../policy/destination.js';
import type { PolicySnapshot } from '../policy/snapshot.js';
import type { Action } from '../events/schema.js';
import { encryptionGuidance } from '../policy/sanctioned-text.js';
import { guidanceOf, pageOf, serviceInfo, type Guidance, type PageDestination } from './page.js';
import type { DecideResponse } from './protocol.js';

export interface Answer {
  /** The page, as trusted (see pageOf), and what it is; null when the page is not guarded. */
  url: string;
  destination: PageDestination | null;
  findings: Finding[];
  /** Per finding, in order. */
  actions: Action[];
  /** The strictest of them: one refused item refuses the gesture. */
  action: Action;
}

/**
 * Findings arrive from a page and are checked first. A request with anything malformed (a marked
 * verdict without a rule, say) is refused whole and records nothing: no event is made up.
 */
export function answerFindings(s: PolicySnapshot, candidates: readonly (string | undefined)[], raw: unknown): Answer {
  const list = Array.isArray(raw) ? raw.map(parseFinding) : [null];
  const findings = list.filter((f): f is Finding => f !== null);
  const { url, destination } = pageOf(s, [...candidates, findings[0]?.url]);
  if (findings.length !== list.length || findings.length === 0) {
    return { url, destination, findings: [], actions: [], action: list.length === 0 ? 'allow' : 'block' };
  }
  // Not a guarded page (the policy changed under an open tab): nothing to enforce, but on record.
  const actions = findings.map((f) => (destination ? actionAt(s, destination, f) : 'allow'));
  return { url, destination, findings, actions, action: strictest(actions) };
}

/** The page's answer: the decision, the ids of the events that recorded it, and the version decided with. */
export function responseOf(s: PolicySnapshot, a: Answer, eventIds: readonly string[]): DecideResponse {
  return {
    version: s.version,
    action: a.action,
    decisions: a.actions.map((action, i) => ({ action, eventId: eventIds[i] })),
    service: serviceInfo(a.destination),
    guidance: conditionGuidance(s, a.destination),
  };
}

/**
 * At a sanctioned destination, how to meet its condition. Only the background's answer carries this
 * text: the script in every frame does not need it (its own view serves only the "policy unconfirmed" refusal).
 */
function conditionGuidance(s: PolicySnapshot, d: PageDestination | null): Guidance {
  const g = guidanceOf(s, d);
  return d?.kind === 'sanctioned' ? { ...g, text: encryptionGuidance(s.lang, d.entry.host) } : g;
}
