/**
 * Alerts before an incident's reporting deadline runs out, through the alert outbox's webhook (durable,
 * retried, once per incident and deadline: the ref is unique). "Due soon" when three quarters of the
 * agreed time have gone; "overdue" once it has.
 */
import { safeJson } from '../../events/encode.js';
import { chatField } from '../alerts/webhook.js';
import type { OutboxItem } from '../storage/types.js';
import type { Incident, IncidentSettings } from './store.js';

export interface IncidentDeadlineAlert {
  kind: 'upload-guard.incident-deadline';
  alertId: string;
  /** `due-soon` (a quarter of the agreed time left) or `overdue`. */
  stage: 'due-soon' | 'overdue';
  text: string;
  incident: Incident;
}

/** When the due-soon alert goes: this long before the deadline. */
export const dueSoonMs = (s: IncidentSettings) => s.reportHours * 3_600_000 * 0.25;

/** The alert stage an open incident is at: 2 overdue (its deadline at or before now), else 1 due soon. */
export const stageAt = (i: Incident, now: number): 1 | 2 => (Date.parse(i.deadline) <= now ? 2 : 1);

export function deadlineAlert(i: Incident, now: number): OutboxItem {
  const stage = stageAt(i, now) === 2 ? 'overdue' : 'due-soon';
  const ref = `incident-deadline:${stage}:${i.id}:${i.deadline}`;
  const left = stage === 'overdue' ? `was due at ${i.deadline}` : `is due at ${i.deadline} (${Math.max(0, i.minutesLeft ?? 0)} min left)`;
  const alert: IncidentDeadlineAlert = {
    kind: 'upload-guard.incident-deadline',
    alertId: ref,
    stage,
    text: `Upload Guard: incident #${i.id} (${chatField(i.fileName ?? 'data')} by ${chatField(i.user ?? 'unknown user')}) is not yet reported: it ${left}`,
    incident: i,
  };
  return { channel: 'webhook', ref, payload: safeJson(alert) };
}
