/**
 * Incident webhook: one POST per `block` or `warn` event, within seconds, so the security team can
 * report an incident in the agreed time (guideline 4-1). The body has a `text` line (what Slack/Teams
 * style incoming webhooks display) and the event's metadata.
 *
 * Everything in `text` that a device wrote (file name, user, service, device id) is made inert for chat
 * markup (chatField): Slack's `<!channel>` and `<url|label>` need `<`, `>` and `&`, which are written as
 * entities (the escaping Slack documents); Markdown links (Teams) lose their meaning with a backslash
 * before `[` and `]`; Slack mrkdwn and Markdown emphasis, strike and code (`*`, `_`, `~`, backquote)
 * become their full-width forms, which no chat formats; `:name:` emoji codes and bare @channel/@here
 * lose their colon or at sign the same way; URLs, domains and e-mail addresses are defanged as
 * security teams write them (`https[:]//evil[.]example`), so no chat auto-links them (bare domains
 * count: `.zip` and `.mov` are real top-level domains); controls, bidi overrides and line breaks show
 * as [U+XXXX]; each field is quoted. Japanese names read as they are (their dots and colons sit
 * between characters no auto-linker takes for a host). The event itself, in the same body, keeps
 * every value exactly.
 */
import { inertText } from '../../events/inert.js';
import { answerError, NO_REDIRECTS } from './http-answer.js';
import type { UploadEvent } from '../../events/schema.js';
import type { DeviceReport } from '../devices.js';
import { serviceName } from '../service-names.js';

export interface IncidentAlert {
  kind: 'upload-guard.incident';
  /** Stable across resends (also the Idempotency-Key header): a receiver drops a repeat by it. */
  alertId: string;
  text: string;
  event: UploadEvent;
}

/** Which events raise an incident alert. Resolutions of a warning (relatesTo) do too: they carry the justification. */
export function isIncident(e: UploadEvent): boolean {
  return e.action === 'block' || e.action === 'warn';
}

/** A device-supplied value for a chat line: inert, quoted, markup escaped, links defanged. */
export function chatField(s: string): string {
  const escaped = s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[[\]"\\]/g, (c) => `\\${c}`);
  return `"${noLinkAfterBracket(defanged(unformatted(inertText(escaped))))}"`;
}

/** Emphasis, strike and code marks of Slack mrkdwn and Markdown, as full-width forms no chat formats. */
const FULL_WIDTH: Record<string, string> = { '*': '＊', _: '＿', '~': '～', '`': '｀' };

/** No formatting, no `:emoji:` code, no bare @channel/@here/@everyone (an e-mail's @ stays: a letter precedes it). */
function unformatted(s: string): string {
  return s
    .replace(/[*_~`]/g, (c) => FULL_WIDTH[c]!)
    .replace(/:(?=[a-z0-9_+-]*[a-z][a-z0-9_+-]*:)/gi, '：')
    .replace(/(^|[^A-Za-z0-9])@/g, '$1＠');
}

/**
 * Nothing an auto-linker takes for a link: `://` becomes `[:]//` and a dot between two ASCII letters or
 * digits `[.]` (host names, e-mail domains, and a name that is a domain, e.g. `payroll.zip`). The
 * usual defanged notation: read at a glance, never clicked.
 */
function defanged(s: string): string {
  return s.replace(/:\/\//g, '[:]//').replace(/(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])/g, '[.]');
}

/**
 * A bracket the collector wrote ([U+202E], [.]) followed by the device's `(` would open a Markdown link
 * (Teams): the parenthesis is escaped.
 */
function noLinkAfterBracket(s: string): string {
  return s.replace(/(?<!\\)\]\(/g, ']\\(');
}

export function incidentAlert(e: UploadEvent, alertId: string): IncidentAlert {
  const what = e.fileName ?? (e.channel === 'paste' || e.channel === 'text-field' ? 'text' : 'data');
  // The service's name from the collector's list; the event's own serviceName could say anything.
  const where = serviceName(e.service) ?? e.service ?? e.origin;
  const verb =
    e.outcome === 'blocked'
      ? 'blocked'
      : e.outcome === 'proceeded'
        ? 'sent after a warning'
        : e.outcome === 'cancelled'
          ? 'cancelled after a warning'
          : e.outcome === 'disputed'
            ? 'disputed by the employee (review asked)'
            : 'warned';
  const rule = e.rule ? ` (rule ${e.rule})` : '';
  return {
    kind: 'upload-guard.incident',
    alertId,
    text: `Upload Guard: ${chatField(what)} ${verb} on ${chatField(where)}${rule} for ${chatField(e.user ?? 'unknown user')} at ${new Date(Date.parse(e.time)).toISOString()}`,
    event: e,
  };
}

/** What a stale-device alert says about the device: who, what ran there, and since when it is silent. */
export type StaleDevice = Pick<DeviceReport, 'deviceId' | 'user' | 'browser' | 'extensionVersion' | 'policyVersion' | 'lastSeen' | 'silentMinutes'>;

export interface StaleDeviceAlert {
  kind: 'upload-guard.device-stale';
  alertId: string;
  text: string;
  device: StaleDevice;
}

export function staleDeviceAlert(d: StaleDevice, alertId: string): StaleDeviceAlert {
  const { deviceId, user, browser, extensionVersion, policyVersion, lastSeen, silentMinutes } = d;
  return {
    kind: 'upload-guard.device-stale',
    alertId,
    text:
      `Upload Guard: no heartbeat from device ${chatField(deviceId)} (${chatField(user ?? 'unknown user')}) ` +
      `for ${silentMinutes} min, last seen ${lastSeen}: the extension may have been removed or disabled`,
    device: { deviceId, user, browser, extensionVersion, policyVersion, lastSeen, silentMinutes },
  };
}

export interface StaleDigestAlert {
  kind: 'upload-guard.devices-stale';
  alertId: string;
  text: string;
  /** How many devices this digest covers. */
  count: number;
  /** Every distinct user among them (up to DIGEST_USERS) with their count and first device ids: one noisy user is one line. */
  users: { user: string | null; count: number; devices: string[] }[];
  /** Distinct users beyond DIGEST_USERS (their devices are in `count`). */
  otherUsers: number;
  /** Up to DIGEST_DEVICES devices, one per user in turn (each user's first before anyone's second). */
  devices: StaleDevice[];
}

/** The digest's bounds: users listed in the JSON, users named in the chat text, devices listed. */
export const DIGEST_USERS = 1_000;
export const DIGEST_TEXT_USERS = 20;
export const DIGEST_DEVICES = 100;

/**
 * The devices one user at a time, in turns: each user's first device (in the order given), then each
 * one's second, and so on. A bounded list taken from the front then names as many users as it can: one
 * user with hundreds of silent devices no longer fills it and hides the others (red team L5).
 */
export function byUserInTurn<T extends { user: string | null }>(devices: readonly T[]): T[] {
  const perUser = new Map<string | null, T[]>();
  for (const d of devices) perUser.set(d.user, [...(perUser.get(d.user) ?? []), d]);
  const out: T[] = [];
  for (let round = 0; out.length < devices.length; round++) for (const list of perUser.values()) if (round < list.length) out.push(list[round]!);
  return out;
}

/** Devices gone silent beyond the per-check posts, as one alert: the count, and each user with theirs. */
export function staleDigestAlert(devices: readonly StaleDevice[], alertId: string): StaleDigestAlert {
  const perUser = new Map<string | null, StaleDevice[]>();
  for (const d of devices) perUser.set(d.user, [...(perUser.get(d.user) ?? []), d]);
  const users = [...perUser].map(([user, list]) => ({ user, count: list.length, devices: list.slice(0, 10).map((d) => d.deviceId) }));
  const named = users
    .slice(0, DIGEST_TEXT_USERS)
    .map((u) => `${chatField(u.user ?? 'unknown user')} ${u.count} (${u.devices.slice(0, 3).map(chatField).join(', ')}${u.count > 3 ? ', …' : ''})`)
    .join('; ');
  const more = users.length > DIGEST_TEXT_USERS ? `; and ${users.length - DIGEST_TEXT_USERS} more users` : '';
  return {
    kind: 'upload-guard.devices-stale',
    alertId,
    text:
      `Upload Guard: ${devices.length} more devices of ${users.length} user${users.length === 1 ? '' : 's'} stopped sending heartbeats: ${named}${more}. ` +
      'Not posted one by one: see the Devices view (stale only). Many at once can be a network or collector outage, or made-up device ids',
    count: devices.length,
    users: users.slice(0, DIGEST_USERS),
    otherUsers: Math.max(0, users.length - DIGEST_USERS),
    devices: byUserInTurn(devices)
      .slice(0, DIGEST_DEVICES)
      .map(({ deviceId, user, browser, extensionVersion, policyVersion, lastSeen, silentMinutes }) => ({ deviceId, user, browser, extensionVersion, policyVersion, lastSeen, silentMinutes })),
  };
}

/** How long a webhook call may take by default (UPLOAD_GUARD_WEBHOOK_TIMEOUT_SECONDS, AlertOptions.webhookTimeoutMs). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * The alert id as a header value. fetch takes only Latin-1 in a header and throws before sending
 * anything else, and a stale-device alert's id holds the device id, which a heartbeat may write in any
 * script: 「stale:営業-PC:…」 was never delivered, retried every 5 minutes for good, and kept the outbox's
 * oldest-pending age growing (red team coll7 F8). Every character outside printable ASCII, and `%`
 * itself, is written as the %XX of its UTF-8 bytes (as in a URL); the body's alertId stays exact.
 */
export function idempotencyKey(alertId: string): string {
  return alertId.replace(/[^\x21-\x24\x26-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/**
 * One POST of a stored JSON body; a non-2xx answer, a redirect (not followed: http-answer.ts) or no
 * answer within `timeoutMs` is a failure (the outbox retries with backoff). The alert id goes in
 * Idempotency-Key (idempotencyKey): a receiver that answered too late gets the alert again and can drop the repeat.
 */
export async function postWebhook(url: string, body: string, alertId: string, timeoutMs = DEFAULT_WEBHOOK_TIMEOUT_MS): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'upload-guard-collector', 'idempotency-key': idempotencyKey(alertId) },
    body,
    signal: AbortSignal.timeout(timeoutMs),
    ...NO_REDIRECTS,
  });
  await res.arrayBuffer().catch(() => undefined);
  const err = answerError(res, 'webhook');
  if (err) throw err;
}
