/**
 * Answers the in-page guard: which service a page is (ServiceRequest), what to do with findings
 * (DecideRequest), and the employee's answer to a warning (ResolveRequest). Every decision is queued as
 * an event before the answer goes back to the page.
 */
import browser from 'webextension-polyfill';
import { actionFor, strictest } from '../../src/policy/decide.js';
import { findService } from '../../src/policy/match.js';
import type { EffectivePolicy, Service } from '../../src/policy/types.js';
import type { UploadEvent } from '../../src/events/schema.js';
import type { DecideRequest, DecideResponse, ResolveRequest, ServiceRequest, ServiceResponse } from '../shared/messages.js';
import { db, getMeta, setMeta, type Db, type RecentDecision } from './db.js';
import { answerEvent, checkEvent, decisionEvent } from './events.js';
import { eventContext } from './identity.js';
import { policy } from './policy-store.js';
import { enqueue } from './queue.js';

const RECENT = 10;
/** A warning nobody answered in a day (tab closed, browser crashed) stays on record as 'pending'. */
const PENDING_TTL_MS = 24 * 3600_000;

export interface SenderInfo {
  url?: string;
  tab?: { url?: string };
}

/**
 * The language of the translation the browser chose for this extension (ja by default, en for English
 * browsers), so guidance text is in the same language as the dialog around it.
 */
export function uiLang(): 'ja' | 'en' {
  return browser.i18n.getMessage('ui_lang') === 'en' ? 'en' : 'ja';
}

/**
 * The page the request is about. The frame's own URL first (what the browser vouches for); for
 * about:blank/srcdoc/blob frames, the tab's URL; the URL the guard reported only as a last resort.
 */
function pageOf(p: EffectivePolicy, sender: SenderInfo, reported: string): { url: string; service: Service | null } {
  const candidates = [sender.url, sender.tab?.url, reported].filter((u): u is string => !!u);
  for (const url of candidates) {
    const service = findService(p, url);
    if (service) return { url, service };
  }
  return { url: candidates.find((u) => /^https?:/.test(u)) ?? reported, service: null };
}

function serviceInfo(s: Service | null): ServiceResponse['service'] {
  return s ? { id: s.id, name: s.name, category: s.category } : null;
}

export async function onService(req: ServiceRequest, sender: SenderInfo): Promise<ServiceResponse> {
  const { effective: p } = await policy();
  const { service } = pageOf(p, sender, req.url);
  if (!service) return { service: null, lang: uiLang() };
  return {
    service: serviceInfo(service),
    designated: p.designated,
    limits: p.limits,
    lang: uiLang(),
    actions: { ...p.actions[service.category] },
  };
}

export async function onDecide(req: DecideRequest, sender: SenderInfo): Promise<DecideResponse> {
  const { effective: p } = await policy();
  const first = req.findings[0];
  const { url, service } = pageOf(p, sender, first?.url ?? '');
  const ctx = await eventContext(p);
  // Not a guarded page (e.g. the policy changed under an open tab): nothing to enforce, but on record.
  const events = req.findings.map((f) =>
    decisionEvent(ctx, f, url, service, service ? actionFor(p, service.category, f.verdict) : 'allow'),
  );
  const d = await db();
  await record(d, events);
  const lang = uiLang();
  return {
    action: strictest(events.map((e) => e.action)),
    decisions: events.map((e) => ({ action: e.action, eventId: e.id })),
    service: serviceInfo(service),
    guidance: { text: p.messages[lang], url: p.messages.link },
  };
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
