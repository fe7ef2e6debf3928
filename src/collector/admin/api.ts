/** The admin page's calls to the collector's admin API: a token (kept in sessionStorage only) or the session cookie. */
import type { StoredEvent } from '../../events/schema.js';
import type { FleetReport } from '../devices.js';
import type { Summary } from '../storage/types.js';
import type { Incident, IncidentSettings, IncidentStatus, Severity } from '../incidents/store.js';
import type { Role } from '../accounts/roles.js';
import type { RefusedAuditView } from './refused-audit-text.js';

export type { Incident, IncidentSettings };

export interface IncidentPage {
  incidents: Incident[];
  /** Counted up to 1,000 (or the page's end): past it, moreThanTotal. */
  total: number;
  moreThanTotal: boolean;
  settings: IncidentSettings;
}

export interface IncidentPatchBody {
  status?: IncidentStatus;
  assignee?: string | null;
  severity?: Severity;
  notes?: string | null;
  /** ISO 8601 with offset, or null to clear. */
  reportedAt?: string | null;
  /** The incident's updatedAt as shown: refused (409) when someone else saved it since. */
  ifUpdatedAt?: string;
}

const KEY = 'upload-guard-admin-token';

export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (t: string) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

async function call(path: string, params: URLSearchParams, token: string): Promise<Response> {
  // '' is a signed-in person: the HttpOnly session cookie goes with the request by itself (same origin).
  return answered(fetch(`${path}?${params}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store', signal: timeout() }));
}

/** A collector that accepts the connection but never answers is unreachable too, not "loading" forever. */
const timeout = () => AbortSignal.timeout(REQUEST_TIMEOUT_MS);

/** The response, or an ApiError with the collector's own reason. */
async function answered(pending: Promise<Response>): Promise<Response> {
  const res = await pending;
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`);
  }
  return res;
}

/** The signed-in session's CSRF token (never stored): every write made with the session cookie carries it. */
let csrf: string | null = null;
export const setCsrf = (t: string | null): void => void (csrf = t);

/** A JSON write to the admin API: with a token, or with the session cookie and its CSRF token. */
async function send(method: 'PATCH' | 'PUT' | 'POST' | 'DELETE', path: string, body: unknown, token: string): Promise<Response> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : { 'x-csrf-token': csrf ?? '' };
  const json = body === undefined ? {} : { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  return answered(fetch(path, { method, headers: auth, ...json, cache: 'no-store', signal: timeout() }));
}

export async function fetchIncidents(params: URLSearchParams, token: string): Promise<IncidentPage> {
  return (await call('/v1/admin/incidents', params, token)).json();
}

export async function patchIncident(id: number, patch: IncidentPatchBody, token: string): Promise<{ incident: Incident }> {
  return (await send('PATCH', `/v1/admin/incidents/${id}`, patch, token)).json();
}

export async function saveIncidentSettings(body: Partial<IncidentSettings>, token: string): Promise<IncidentSettings> {
  return (await send('PUT', '/v1/admin/incident-settings', body, token)).json();
}

/** A page of events, the answer each warning on it got, and the other answers that disagree with it (keyed by the warning's id). */
export async function fetchEvents(
  params: URLSearchParams,
  token: string,
): Promise<{ events: StoredEvent[]; nextCursor: string | null; answers?: Record<string, StoredEvent>; otherAnswers?: Record<string, StoredEvent[]> }> {
  return (await call('/v1/admin/events', params, token)).json();
}

export async function fetchSummary(params: URLSearchParams, token: string): Promise<Summary> {
  return (await call('/v1/admin/summary', params, token)).json();
}

/** A service of the collector's catalogue, for the service picker. */
export interface KnownService {
  id: string;
  name: string;
  category: string;
}

export async function fetchServices(token: string): Promise<{ services: KnownService[] }> {
  return (await call('/v1/admin/services', new URLSearchParams(), token)).json();
}

export interface AlertStatus {
  channels: string[];
  pending: number;
  oldestPendingAgeSeconds: number | null;
  delivered: number;
  retrying: number;
  dropped: number;
  byChannel?: { channel: string; pending: number; done: number; doneAs: 'delivered' | 'sent'; lastError: string | null }[];
}

export async function fetchAlerts(token: string): Promise<AlertStatus> {
  return (await call('/v1/admin/alerts', new URLSearchParams(), token)).json();
}

export async function fetchDevices(params: URLSearchParams, token: string): Promise<FleetReport> {
  return (await call('/v1/admin/devices', params, token)).json();
}

async function download(path: string, params: URLSearchParams, token: string, name: string): Promise<void> {
  const res = await call(path, params, token);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const today = () => new Date().toISOString().slice(0, 10);

export async function downloadCsv(params: URLSearchParams, token: string): Promise<void> {
  const p = new URLSearchParams(params);
  p.set('format', 'csv');
  p.delete('limit');
  p.delete('cursor');
  await download('/v1/admin/export', p, token, `upload-guard-${today()}.csv`);
}

/** The periodic report (report/route.ts) of a period in a time zone, as PDF, HTML or CSV. */
export async function downloadReport(q: { from: string; to: string; tz: string; format: 'pdf' | 'html' | 'csv'; lang: 'ja' | 'en' }, token: string): Promise<void> {
  await download('/v1/admin/report', new URLSearchParams(q), token, `upload-guard-report-${q.from.slice(0, 7)}.${q.format}`);
}

export async function downloadDevicesCsv(params: URLSearchParams, token: string): Promise<void> {
  const p = new URLSearchParams(params);
  p.set('format', 'csv');
  await download('/v1/admin/devices', p, token, `upload-guard-devices-${today()}.csv`);
}

// --- accounts and named API tokens (admins only; the collector checks the role on every call) ----------

export interface AccountView {
  name: string;
  role: Role;
  /** local: a password kept by the collector; oidc: signs in through the company's identity provider. */
  source: 'local' | 'oidc';
  createdAt: string;
  createdBy: string;
  lastSignInAt: string | null;
  disabledAt: string | null;
  disabledBy: string | null;
}

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  /** When it stops working; null: never (tokens made before lifetimes existed, or made with none). */
  expiresAt?: string | null;
  /** Days left when a live token expires within 14 days (by the collector's clock), else null. */
  endsInDays?: number | null;
}

export async function fetchAccounts(token: string): Promise<{ accounts: AccountView[] }> {
  return (await call('/v1/admin/accounts', new URLSearchParams(), token)).json();
}

/** A new local account; its password, made by the collector, is in the answer this once. */
export async function inviteAccount(body: { name: string; role: Role }, token: string): Promise<{ name: string; role: Role; password: string }> {
  return (await send('POST', '/v1/admin/accounts/invite', body, token)).json();
}

export async function changeAccount(name: string, body: { role?: Role; disabled?: boolean }, token: string): Promise<void> {
  await send('PATCH', `/v1/admin/accounts/${encodeURIComponent(name)}`, body, token);
}

export async function fetchTokens(token: string): Promise<{ tokens: TokenView[] }> {
  return (await call('/v1/admin/tokens', new URLSearchParams(), token)).json();
}

/** A new named token; the secret is in the answer this once (the collector keeps only its hash). */
export async function createToken(body: { name: string; role: Role; expiresInDays: number }, token: string): Promise<{ id: string; name: string; role: Role; token: string; expiresAt: string | null }> {
  return (await send('POST', '/v1/admin/tokens', body, token)).json();
}

export async function revokeToken(id: string, token: string): Promise<void> {
  await send('DELETE', `/v1/admin/tokens/${encodeURIComponent(id)}`, undefined, token);
}

export interface AuditEntryView {
  id: number;
  time: string;
  actor: string;
  action: string;
  address: string | null;
  details: Record<string, unknown>;
  /** The API token the actor `token:<name>` was then (its id in the token list); null for others. */
  actorTokenId?: string | null;
}

/** One page of the log, and (`spool`) the entries the database refused (set aside on the collector's disk, tried again) and those waiting. */
export async function fetchAudit(params: URLSearchParams, token: string): Promise<{ entries: AuditEntryView[]; nextBefore: number | null; spool: RefusedAuditView }> {
  return (await call('/v1/admin/audit', params, token)).json();
}

export async function downloadAuditCsv(params: URLSearchParams, token: string): Promise<void> {
  const p = new URLSearchParams(params);
  p.set('format', 'csv');
  await download('/v1/admin/audit', p, token, `upload-guard-audit-${today()}.csv`);
}
