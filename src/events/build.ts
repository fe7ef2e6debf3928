/**
 * Findings → upload events, and the events' ids. Pure code (no browser API): the background calls it,
 * the unit tests run it in Node and validate the result against the one schema beside it.
 */
import { outcomeOf } from '../policy/decide.js';
import type { Finding } from './finding.js';
import { locationText } from './location.js';
import { EVENT_SCHEMA_VERSION, LIMITS, UploadEventSchema, describeIssues, type Action, type Category, type UploadEvent } from './schema.js';

/** The service a page belongs to, as far as an event needs it. */
export interface EventService {
  id: string;
  name: string;
  /** null for a sanctioned destination (it has its own action, not a category's). */
  category: Category | null;
}

/** Who and where: the same for every event from this browser. */
export interface EventContext {
  deviceId: string;
  user: string | null;
  /** The PC name from policy (deviceName), or null. */
  deviceName?: string | null;
  /** The department from policy (department), or null. */
  department?: string | null;
  browser: string;
  extensionVersion: string;
  policyVersion: string | null;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Identifier fields must not carry control characters; strip them and cap the length. */
function ident(s: string | null, max: number): string | null {
  if (s === null) return null;
  const clean = s.replace(CONTROL, '').slice(0, max);
  return clean.length > 0 ? clean : null;
}

/** Free text keeps everything but NUL (PostgreSQL cannot store it). */
function text(s: string | null, max: number): string | null {
  return s === null ? null : s.replaceAll('\u0000', '\uFFFD').slice(0, max);
}

/** The page's origin only: paths and queries of webmail/sharing pages can carry message ids or tokens. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'file:' ? u.origin : null;
  } catch {
    return null;
  }
}

export function decisionEvent(
  ctx: EventContext,
  finding: Finding,
  pageUrl: string,
  service: EventService | null,
  action: Action,
  now: Date = new Date(),
): UploadEvent {
  const sha = finding.sha256 && /^[0-9a-f]{64}$/.test(finding.sha256.toLowerCase()) ? finding.sha256.toLowerCase() : null;
  return {
    v: EVENT_SCHEMA_VERSION,
    id: newEventId(),
    relatesTo: null,
    time: now.toISOString(),
    user: ident(ctx.user, LIMITS.user),
    deviceId: ident(ctx.deviceId, LIMITS.deviceId) ?? 'unknown',
    browser: ident(ctx.browser, LIMITS.browser) ?? 'unknown',
    extensionVersion: ident(ctx.extensionVersion, LIMITS.extensionVersion) ?? '0',
    service: service ? ident(service.id, LIMITS.service) : null,
    serviceName: service ? text(service.name, LIMITS.serviceName) : null,
    category: service ? service.category : null,
    origin: originOf(pageUrl) ?? originOf(finding.url) ?? 'file:///',
    channel: finding.channel,
    fileName: text(finding.fileName, LIMITS.fileName),
    size: Number.isSafeInteger(finding.size) && finding.size >= 0 ? finding.size : null,
    sha256: sha,
    verdict: finding.verdict,
    rule: finding.verdict === 'marked' ? finding.rule : null,
    reason: text(finding.reason, LIMITS.reason),
    location: text(locationText(finding.location ?? undefined), LIMITS.location),
    action,
    outcome: outcomeOf(action),
    justification: null,
    policyVersion: ident(ctx.policyVersion, LIMITS.policyVersion),
    ...(ctx.deviceName ? { deviceName: ident(ctx.deviceName, LIMITS.deviceName) } : {}),
    ...(ctx.department ? { department: ident(ctx.department, LIMITS.department) } : {}),
  };
}

/** The employee's answer to a warning: a new event that points at the pending one. */
export function answerEvent(pending: UploadEvent, proceed: boolean, justification: string | null, now: Date = new Date()): UploadEvent {
  return {
    ...pending,
    id: newEventId(),
    relatesTo: pending.id,
    time: now.toISOString(),
    outcome: proceed ? 'proceeded' : 'cancelled',
    justification: proceed ? text(justification, LIMITS.justification) : null,
  };
}

/** The employee disputes a decision (false positive, or "please review"): a new event pointing at it. */
export function disputeEvent(decision: UploadEvent, comment: string | null, now: Date = new Date()): UploadEvent {
  const c = comment?.trim() ? text(comment.trim(), LIMITS.justification) : null;
  return { ...decision, id: newEventId(), relatesTo: decision.id, time: now.toISOString(), outcome: 'disputed', justification: c };
}

/** Validates against the shared schema; returns the problems (empty when valid). */
export function checkEvent(e: UploadEvent): string[] {
  const r = UploadEventSchema.safeParse(e);
  return r.success ? [] : describeIssues(r.error);
}

/** A fresh event id (UUID v4). */
export function newEventId(): string {
  return crypto.randomUUID();
}
