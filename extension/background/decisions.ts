/**
 * Answers the in-page guard: which service a page is and with which policy (ServiceRequest), what to do
 * with findings (DecideRequest), and the employee's answer to a warning (ResolveRequest). The decision
 * itself is src/guard's (answerFindings), the events src/events'; this module binds storage to them.
 * Every decision is queued as an event before the answer goes back to the page, and every answer
 * carries the snapshot version it was made with.
 */
import { answerEvent, checkEvent, decisionEvent, disputeEvent } from '../../src/events/build.js';
import type { Finding } from '../../src/events/finding.js';
import type { Action, Outcome, UploadEvent } from '../../src/events/schema.js';
import type { BodyHit } from '../../src/guard/request.js';
import type { PageDestination } from '../../src/guard/page.js';
import { answerFindings, pageView, responseOf, serviceInfo } from '../../src/guard/index.js';
import type { DecideRequest, DecideResponse, DisputeRequest, ResolveRequest, ServiceRequest, ServiceResponse } from '../shared/messages.js';
import { db, getMeta, setMeta, type Db, type RecentDecision } from './db.js';
import { eventContext } from './identity.js';
import { policy } from './policy-store.js';
import { enqueue } from './queue.js';

const RECENT = 10;
/** Refusals kept for a dispute: more than one dialog's worth, fewer than anyone scrolls back to. */
const DISPUTABLE = 200;
/** A warning nobody answered in a day (tab closed, browser crashed) stays on record as 'pending'. */
const PENDING_TTL_MS = 24 * 3600_000;

export interface SenderInfo {
  url?: string;
  /** The document's origin, as the browser vouches for it (MessageSender.origin). */
  origin?: string;
  tab?: { url?: string };
  /** The top pages of the windows paired with this one by the opener relation (window-follow.ts). */
  paired?: string[];
}

/**
 * The frame's own URL first (what the browser vouches for), then its origin, then its tab's, then what
 * the page reported. The origin is what an about:blank window, a blob: page or a Picture-in-Picture
 * window that a guarded page opens has for a URL of the web: such a window is its own tab, with no
 * http(s) URL, and the page reaches into it (same origin) to upload from it. Last, the windows paired
 * with this one by the opener relation: a window on an allowed host that a guarded page opened (or that
 * opened one) is judged by the guarded page's service.
 */
function candidates(sender: SenderInfo): (string | undefined)[] {
  return [sender.url, sender.origin, sender.tab?.url, ...(sender.paired ?? [])];
}

export async function onService(req: ServiceRequest, sender: SenderInfo): Promise<ServiceResponse> {
  const { snapshot } = await policy();
  return pageView(snapshot, [...candidates(sender), req.url]);
}

export async function onDecide(req: DecideRequest, sender: SenderInfo): Promise<DecideResponse> {
  const { effective, snapshot } = await policy();
  const answer = answerFindings(snapshot, candidates(sender), req.findings);
  const ctx = await eventContext(effective);
  const events = answer.findings.map((f, i) => decisionEvent(ctx, f, answer.url, serviceInfo(answer.destination), answer.actions[i]));
  await record(await db(), events);
  return responseOf(snapshot, answer, events.map((e) => e.id));
}

export async function onResolve(req: ResolveRequest): Promise<{ ok: boolean }> {
  const d = await db();
  const answers: UploadEvent[] = [];
  for (const id of req.eventIds) {
    const pending = await d.get('pending', id);
    if (!pending) continue; // answered already, or never a warning: nothing to record twice
    answers.push(answerEvent(pending.event, req.proceed, req.justification));
  }
  if (answers.length === 0) return { ok: false };
  await record(d, answers);
  const tx = d.transaction('pending', 'readwrite');
  await Promise.all([...answers.map((a) => tx.store.delete(a.relatesTo as string)), tx.done]);
  return { ok: true };
}

/**
 * What the network layer (network-guard.ts) stopped, or saw and could not stop: one event, channel
 * `network`, so the record says which layer acted. The outcome is the layer's, not the policy's guess.
 */
export async function recordNetwork(hit: BodyHit, page: string, destination: PageDestination | null, action: Action, outcome: Outcome): Promise<void> {
  const { effective } = await policy();
  const v = hit.verdict;
  const finding: Finding = {
    channel: 'network',
    url: page,
    fileName: hit.fileName,
    size: hit.size,
    sha256: null,
    verdict: v.verdict,
    rule: v.rule,
    reason: v.reason,
    location: null,
  };
  const event = { ...decisionEvent(await eventContext(effective), finding, page, serviceInfo(destination), action), outcome };
  await record(await db(), [event]);
}

/**
 * The employee disputes refusals ("not confidential" / "please review"): one event per decision,
 * linked to it. Only decisions this browser made and still remembers can be disputed: a page cannot
 * make up an event to dispute. Resolves false when nothing was recorded.
 */
export async function onDispute(req: DisputeRequest): Promise<{ ok: boolean }> {
  const d = await db();
  const known = new Map((await getMeta(d, 'disputable', [])).map((e) => [e.id, e]));
  const ids = Array.isArray(req.eventIds) ? req.eventIds.filter((id) => typeof id === 'string') : [];
  const comment = typeof req.comment === 'string' ? req.comment : null;
  const disputes = ids.flatMap((id) => (known.has(id) ? [disputeEvent(known.get(id)!, comment)] : []));
  if (disputes.length === 0) return { ok: false };
  await record(d, disputes);
  // Disputed once: a second click (or a page replaying the message) records nothing more.
  await setMeta(d, 'disputable', [...known.values()].filter((e) => !ids.includes(e.id)));
  return { ok: true };
}

/** Queue first (the record must exist before the page is told anything), then the popup's list. */
async function record(d: Db, events: UploadEvent[]): Promise<void> {
  const valid: UploadEvent[] = [];
  for (const e of events) {
    const problems = checkEvent(e);
    // A bug on our side; keep the event anyway: the collector will tell, and the sender isolates it.
    if (problems.length > 0) console.error('[upload-guard] event does not match the schema:', problems, e);
    valid.push(e);
  }
  await enqueue(d, valid);
  const warned = events.filter((e) => e.outcome === 'pending');
  if (warned.length > 0) {
    const tx = d.transaction('pending', 'readwrite');
    await Promise.all([...warned.map((e) => tx.store.put({ id: e.id, at: Date.now(), event: e })), tx.done]);
  }
  await remember(d, events);
  const refusals = events.filter((e) => !e.relatesTo && (e.action === 'block' || e.action === 'warn'));
  if (refusals.length > 0) await setMeta(d, 'disputable', [...refusals, ...(await getMeta(d, 'disputable', []))].slice(0, DISPUTABLE));
}

async function remember(d: Db, events: UploadEvent[]): Promise<void> {
  const recent = await getMeta(d, 'recent', [] as RecentDecision[]);
  const answers = new Map(events.filter((e) => e.relatesTo).map((e) => [e.relatesTo as string, e.outcome]));
  const updated = recent.map((r) => (answers.has(r.id) ? { ...r, outcome: answers.get(r.id)! } : r));
  const fresh: RecentDecision[] = events
    .filter((e) => !e.relatesTo)
    .map((e) => ({
      id: e.id,
      time: e.time,
      service: e.serviceName,
      fileName: e.fileName,
      verdict: e.verdict,
      action: e.action,
      outcome: e.outcome,
    }));
  await setMeta(d, 'recent', [...fresh.reverse(), ...updated].slice(0, RECENT));
}

/** Forgets warnings that were never answered; their 'pending' event is already on record. */
export async function prunePending(d: Db): Promise<void> {
  const tx = d.transaction('pending', 'readwrite');
  let cursor = await tx.store.openCursor();
  while (cursor) {
    if (Date.now() - cursor.value.at > PENDING_TTL_MS) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}
