/**
 * Incident webhook: one POST per `block` or `warn` event, within seconds, so the security team can
 * report an incident in the agreed time (guideline 4-1). The body has a `text` line (what Slack/Teams
 * style incoming webhooks display) and the event's metadata.
 */
import type { UploadEvent } from '../../events/schema.js';

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

export function webhookSender(url: string, timeoutMs = 5000): (e: UploadEvent) => Promise<void> {
  return async (e) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'upload-guard-collector' },
      body: JSON.stringify(incidentAlert(e)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  };
}
