/**
 * OCSF (Open Cybersecurity Schema Framework) output: each event as a "Data Security Finding" (class
 * 2006 in the Findings category, OCSF 1.1 and later), the class DLP tools report in. Used by the export
 * (`/v1/admin/events?format=ocsf`, `upload-guard pull --format ocsf`) and as the Splunk HEC event body
 * (`--siem-format ocsf`).
 *
 * Mapping (OCSF attribute ← event field):
 *   activity_id 1 Create (a decision) or 2 Update (the employee's answer to a warning, or a dispute:
 *   `relatesTo` set), time ← time, severity_id ← action and outcome (as the CEF severity),
 *   action_id/disposition_id (security_control profile) ← action and outcome,
 *   finding_info.uid ← id (related_events ← relatesTo), title in words, types ← [verdict],
 *   actor.user.name ← user, device.uid ← deviceId, actor.app_name ← browser,
 *   dst_endpoint.hostname ← origin's host, file.name/size/hashes ← fileName, size, sha256,
 *   data_security.confidentiality_id 2 Confidential (marked) / 0 Unknown, detection_pattern ← reason,
 *   policy.uid ← rule, data_lifecycle_state_id 2 Data in-Transit, detection_system_id 1 Endpoint.
 * Fields OCSF has no place for (service, category, channel, location, justification, …) go in
 * `unmapped`. Strings are the device's own, unchanged: JSON keeps them data (NDJSON escapes the line
 * separators, see events/encode.ts).
 */
import type { KeptEvent, StoredEvent, UploadEvent } from '../../events/schema.js';
import { serviceName } from '../service-names.js';

export const OCSF_VERSION = '1.3.0';
export const OCSF_CLASS_UID = 2006;
export const OCSF_CATEGORY_UID = 2;

const PRODUCT_VERSION = '0.1.0';

/** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
function severityId(e: UploadEvent): number {
  if (e.action === 'block') return 4;
  if (e.action === 'warn') return e.outcome === 'proceeded' ? 4 : 3;
  if (e.outcome === 'disputed') return 3;
  if (e.verdict === 'marked') return 2;
  return 1;
}

const SEVERITY = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical'] as const;

/** security_control profile: action_id 1 Allowed / 2 Denied; disposition_id 1 Allowed, 2 Blocked, 15 Detected, 17 Logged, 19 Alert. */
function control(e: UploadEvent): { action_id: number; action: string; disposition_id: number; disposition: string } {
  if (e.outcome === 'blocked' || e.outcome === 'cancelled') return { action_id: 2, action: 'Denied', disposition_id: 2, disposition: 'Blocked' };
  if (e.action === 'warn') {
    return e.outcome === 'proceeded'
      ? { action_id: 1, action: 'Allowed', disposition_id: 19, disposition: 'Alert' }
      : { action_id: 1, action: 'Allowed', disposition_id: 15, disposition: 'Detected' };
  }
  if (e.action === 'audit') return { action_id: 1, action: 'Allowed', disposition_id: 17, disposition: 'Logged' };
  return { action_id: 1, action: 'Allowed', disposition_id: 1, disposition: 'Allowed' };
}

function title(e: UploadEvent): string {
  const what = e.verdict === 'marked' ? 'Confidential upload' : e.verdict === 'unscannable' ? 'Unscannable upload' : 'Upload';
  const how: Record<string, string> = {
    blocked: 'blocked',
    allowed: 'allowed',
    proceeded: 'sent after a warning',
    cancelled: 'cancelled after a warning',
    pending: 'warned',
    disputed: 'disputed by the employee',
  };
  return `${what} ${how[e.outcome] ?? e.outcome}`;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** Drops null and undefined members, so the record carries only what is known (OCSF omits unknowns). */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export type OcsfFinding = Record<string, unknown> & {
  class_uid: number;
  category_uid: number;
  type_uid: number;
  activity_id: number;
  severity_id: number;
  time: number;
  metadata: { version: string; product: { name: string; vendor_name: string; version: string }; uid: string };
  finding_info: { uid: string; title: string };
};

/** One event as an OCSF Data Security Finding. */
export function toOcsf(e: KeptEvent | StoredEvent): OcsfFinding {
  const activityId = e.relatesTo ? 2 : 1;
  const sev = severityId(e);
  const host = hostOf(e.origin);
  const received = 'receivedAt' in e ? Date.parse(e.receivedAt) : undefined;
  return {
    class_uid: OCSF_CLASS_UID,
    class_name: 'Data Security Finding',
    category_uid: OCSF_CATEGORY_UID,
    category_name: 'Findings',
    activity_id: activityId,
    activity_name: activityId === 1 ? 'Create' : 'Update',
    type_uid: OCSF_CLASS_UID * 100 + activityId,
    type_name: `Data Security Finding: ${activityId === 1 ? 'Create' : 'Update'}`,
    severity_id: sev,
    severity: SEVERITY[sev],
    time: Date.parse(e.time),
    ...control(e),
    is_alert: e.action === 'block' || e.action === 'warn' || e.outcome === 'disputed',
    status_id: 1,
    status: 'New',
    message: title(e),
    metadata: compact({
      version: OCSF_VERSION,
      product: { name: 'Upload Guard', vendor_name: 'Upload Guard', version: PRODUCT_VERSION },
      uid: e.id,
      profiles: ['security_control'],
      logged_time: received,
    }),
    finding_info: compact({
      uid: e.id,
      title: title(e),
      types: [e.verdict],
      related_events: e.relatesTo ? [{ uid: e.relatesTo }] : undefined,
    }),
    actor: compact({ user: e.user ? { name: e.user } : undefined, app_name: e.browser }),
    device: { uid: e.deviceId, type_id: 0 },
    dst_endpoint: compact({ hostname: host, svc_name: serviceName(e.service) ?? e.service ?? undefined }),
    // OCSF requires a file's name: text typed or pasted (no file name) has no file object.
    file: e.fileName !== null
      ? compact({
          name: e.fileName,
          size: e.size ?? undefined,
          type_id: 1,
          hashes: e.sha256 ? [{ algorithm_id: 3, algorithm: 'SHA-256', value: e.sha256 }] : undefined,
        })
      : undefined,
    data_security: compact({
      confidentiality_id: e.verdict === 'marked' ? 2 : 0,
      confidentiality: e.verdict === 'marked' ? 'Confidential' : 'Unknown',
      data_lifecycle_state_id: 2,
      data_lifecycle_state: 'Data in-Transit',
      detection_system_id: 1,
      detection_system: 'Endpoint',
      detection_pattern: e.reason ?? undefined,
      policy: e.rule !== null ? { uid: String(e.rule), name: `rule ${e.rule}`, version: e.policyVersion ?? undefined } : undefined,
    }),
    unmapped: compact({
      verdict: e.verdict,
      action: e.action,
      outcome: e.outcome,
      service: e.service,
      category: e.category,
      channel: e.channel,
      origin: e.origin,
      location: e.location,
      justification: e.justification,
      extension_version: e.extensionVersion,
      policy_version: e.policyVersion,
      // Who sent it, as the collector saw it (coll7 F10).
      received_from: e.receivedFrom,
      // The device's own time when it was implausible (time is then the arrival, as stored: coll7 F12).
      claimed_time: e.claimedTime,
      ingest_token_id: e.ingestTokenId,
    }),
  } as OcsfFinding;
}
