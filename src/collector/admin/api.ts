/** The admin page's calls to the collector's admin API: a token (kept in sessionStorage only) or the session cookie. */
import type { StoredEvent } from '../../events/schema.js';
import type { FleetReport } from '../devices.js';
import type { Summary } from '../storage/types.js';

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

async function call(path: string, params: URLSearchParams, token: string): Promise<Response> {
  // '' is a signed-in person: the HttpOnly session cookie goes with the request by itself (same origin).
  const res = await fetch(`${path}?${params}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`);
  }
  return res;
}

export async function fetchEvents(params: URLSearchParams, token: string): Promise<{ events: StoredEvent[]; nextCursor: string | null }> {
  return (await call('/v1/admin/events', params, token)).json();
}

export async function fetchSummary(params: URLSearchParams, token: string): Promise<Summary> {
  return (await call('/v1/admin/summary', params, token)).json();
}

export interface AlertStatus {
  channels: string[];
  pending: number;
  oldestPendingAgeSeconds: number | null;
  delivered: number;
  retrying: number;
  dropped: number;
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
