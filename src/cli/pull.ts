/**
 * `upload-guard pull --since 7d [--until T] [--tz Asia/Tokyo] [--format csv|ndjson|json|ocsf] [--verdict V] [--action A]
 *   [--service S] [--user U] [--device D] [--category C] [--rule R] [--q TEXT]
 *   [--url http://127.0.0.1:8787] [--token T]`
 *
 * Fetches every matching event from a collector's admin API, page by page (following cursors), and
 * writes them to stdout in the chosen format. Plain dates (`--since 2026-11-01`) are local dates in
 * `--tz` (default: this machine's zone), and the CSV writes times in that zone with their offset.
 * Exit codes: 0 done, 2 usage or HTTP error.
 */
import { TOKEN_DAYS_HEADER, TOKEN_ENDS_HEADER } from '../collector/accounts/token-ending.js';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, ExportEncoder, type ExportFormat } from '../events/encode.js';
import type { StoredEvent } from '../events/schema.js';
import { toOcsf } from '../collector/alerts/ocsf.js';
import { isTimeZone, isoInZone, localTimeZone } from '../collector/time-zone.js';

const USAGE = `usage: upload-guard pull [--since 7d] [--until now] [--tz Asia/Tokyo] [--format csv|ndjson|json|ocsf]
       [--verdict marked,unscannable] [--action block,warn] [--service gmail] [--category webmail]
       [--user U] [--device D] [--rule 1,2] [--q NAME-PART]
       [--url http://127.0.0.1:8787] [--token ADMIN-TOKEN | env UPLOAD_GUARD_ADMIN_TOKEN]
Times: a local date or time in --tz (2026-11-01, 2026-11-01T09:00), ISO-8601 with an offset
(2026-11-01T09:00:00Z) or relative (30m, 24h, 7d, 2w). --tz: an IANA zone, default this machine's.`;

const FILTERS = ['verdict', 'action', 'service', 'category', 'user', 'device', 'rule', 'outcome', 'channel', 'q'] as const;

class HttpError extends Error {}

/** Writes respecting back-pressure, so a slow consumer (`| less`) does not make us buffer everything. */
async function write(out: NodeJS.WritableStream, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        since: { type: 'string', default: '7d' },
        until: { type: 'string' },
        tz: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        url: { type: 'string', default: 'http://127.0.0.1:8787' },
        token: { type: 'string' },
        'page-size': { type: 'string', default: '1000' },
        help: { type: 'boolean', short: 'h', default: false },
        ...Object.fromEntries(FILTERS.map((f) => [f, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    console.error(`upload-guard pull: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const format = v.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    console.error(`upload-guard pull: --format must be one of ${EXPORT_FORMATS.join(', ')}, got ${String(v.format)}`);
    return 2;
  }
  const zone = (v.tz as string | undefined) ?? localTimeZone();
  if (!isTimeZone(zone)) {
    console.error(`upload-guard pull: --tz must be an IANA time zone such as Asia/Tokyo, got ${zone}`);
    return 2;
  }
  const token = (v.token as string | undefined) || process.env.UPLOAD_GUARD_ADMIN_TOKEN;
  if (!token) {
    console.error('upload-guard pull: no admin token: pass --token or set UPLOAD_GUARD_ADMIN_TOKEN');
    return 2;
  }
  let base: URL;
  try {
    base = new URL('/v1/admin/events', v.url as string);
  } catch {
    console.error(`upload-guard pull: --url is not a URL: ${String(v.url)}`);
    return 2;
  }

  const params = new URLSearchParams();
  if (v.since) params.set('from', v.since as string);
  if (v.until) params.set('to', v.until as string);
  for (const f of FILTERS) if (typeof v[f] === 'string') params.set(f, v[f] as string);
  // The collector reads plain dates as local dates in this zone.
  params.set('tz', zone);
  // Oldest first: a log file reads in the order things happened.
  params.set('sort', 'time');
  params.set('limit', String(v['page-size']));
  params.set('format', 'json');

  let cursor: string | null = null;
  let warned = false;
  const enc = new ExportEncoder(format, toOcsf);
  try {
    const head = enc.start();
    if (head) await write(out, head);
    do {
      const url = new URL(base);
      url.search = params.toString();
      if (cursor) url.searchParams.set('cursor', cursor);
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      } catch (err) {
        throw new HttpError(`cannot reach the collector at ${base.origin}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
      }
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string; errors?: string[] };
        const detail = body.errors?.join('; ') ?? body.error ?? res.statusText;
        // An expired token is the right kind of token: the collector's reason says so, and what to do.
        const hint = (res.status === 401 || res.status === 403) && !detail.startsWith('token expired') ? ' (is this the ADMIN token?)' : '';
        throw new HttpError(`collector answered HTTP ${res.status}: ${detail}${hint}`);
      }
      // A token near its end: said once, on stderr (stdout is the data), so the script's owner asks for a new one in time.
      const ends = res.headers.get(TOKEN_ENDS_HEADER);
      if (ends && !warned) {
        warned = true;
        const days = Number(res.headers.get(TOKEN_DAYS_HEADER));
        console.error(`upload-guard pull: warning: this token expires at ${ends} (in ${days} day${days === 1 ? '' : 's'}); ask an admin for a new one and replace it before then`);
      }
      const page = (await res.json()) as { events: StoredEvent[]; nextCursor: string | null };
      // CSV is read by people: times in their zone, with the offset so nothing is ambiguous.
      const chunk = enc.page(format === 'csv' ? page.events.map((e) => localTimes(e, zone)) : page.events);
      if (chunk) await write(out, chunk);
      cursor = page.nextCursor;
    } while (cursor);
    const tail = enc.end();
    if (tail) await write(out, tail + '\n');
  } catch (err) {
    console.error(`upload-guard pull: ${(err as Error).message}`);
    return 2;
  }
  console.error(`upload-guard pull: ${enc.count} event${enc.count === 1 ? '' : 's'}`);
  return 0;
}

function localTimes(e: StoredEvent, zone: string): StoredEvent {
  return { ...e, time: isoInZone(Date.parse(e.time), zone), receivedAt: isoInZone(Date.parse(e.receivedAt), zone) };
}
