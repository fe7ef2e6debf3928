/**
 * Incident webhook: one POST per `block` or `warn` event, within seconds, so the security team can
 * report an incident in the agreed time (guideline 4-1). The body has a `text` line (what Slack/Teams
 * style incoming webhooks display) and the event's metadata.
 */
import type { UploadEvent } from '../../events/schema.js';
import type { DeviceReport } from '../devices.js';

export interface IncidentAlert {
  kind: 'upload-guard.incident';
  text: string;
  event: UploadEvent;
}

/** Which events raise an incident alert. Resolutions of a warning (relatesTo) do too: they carry the justification. */
export function isIncident(e: UploadEvent): boolean {
  return e.action === 'block' || e.action === 'warn';
}

export function incidentAlert(e: UploadEvent): IncidentAlert {
  const what = e.fileName ?? (e.channel === 'paste' || e.channel === 'text-field' ? 'text' : 'data');
  const where = e.serviceName ?? e.service ?? e.origin;
  const verb =
    e.outcome === 'blocked' ? 'blocked' : e.outcome === 'proceeded' ? 'sent after a warning' : e.outcome === 'cancelled' ? 'cancelled after a warning' : 'warned';
  const rule = e.rule ? ` (rule ${e.rule})` : '';
  // JSON.stringify keeps the file name inert; a `text` consumer that renders markdown sees it quoted.
  return {
    kind: 'upload-guard.incident',
    text: `Upload Guard: ${JSON.stringify(what)} ${verb} on ${where}${rule} for ${e.user ?? 'unknown user'} at ${e.time}`,
    event: e,
  };
}

/** What a stale-device alert says about the device: who, what ran there, and since when it is silent. */
export type StaleDevice = Pick<DeviceReport, 'deviceId' | 'user' | 'browser' | 'extensionVersion' | 'policyVersion' | 'lastSeen' | 'silentMinutes'>;

export interface StaleDeviceAlert {
  kind: 'upload-guard.device-stale';
  text: string;
  device: StaleDevice;
}

export function staleDeviceAlert(d: StaleDevice): StaleDeviceAlert {
  const { deviceId, user, browser, extensionVersion, policyVersion, lastSeen, silentMinutes } = d;
  return {
    kind: 'upload-guard.device-stale',
    // Device id and user come from the device: quoted, so a markdown-rendering consumer shows them as text.
    text:
      `Upload Guard: no heartbeat from device ${JSON.stringify(deviceId)} (${JSON.stringify(user ?? 'unknown user')}) ` +
      `for ${silentMinutes} min, last seen ${lastSeen}: the extension may have been removed or disabled`,
    device: { deviceId, user, browser, extensionVersion, policyVersion, lastSeen, silentMinutes },
  };
}

/** One POST of `body(item)` as JSON; a non-2xx answer is a failure (the queue retries). */
export function webhookSender<T>(url: string, body: (item: T) => unknown, timeoutMs = 5000): (item: T) => Promise<void> {
  return async (item) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'upload-guard-collector' },
      body: JSON.stringify(body(item)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  };
}
