/**
 * The admin API (admin token) and the admin page:
 *   GET /v1/admin/events    one page: filters, sort, limit, cursor, format
 *   GET /v1/admin/export    every matching event, streamed (csv default)
 *   GET /v1/admin/summary   counts per service, day, verdict, action
 *   GET /v1/admin/devices   devices: status (active/stale), warnings, versions, counts
 *   GET /v1/admin/alerts    the alert outbox: pending, oldest, delivered, retrying, dropped
 *   GET /v1/admin/services  the known services (id, display name, category) for the page's picker
 *   GET /admin/             the page itself (no token: it signs in with an admin token)
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_TYPES, ExportEncoder, toCsv, toNdjson, type ExportFormat } from '../../events/encode.js';
import { toOcsf } from '../alerts/ocsf.js';
import { loadAdminAssets } from '../admin-assets.js';
import type { CollectorPlugin } from '../context.js';
import { DEVICE_CSV_HEAD, deviceCsvRows, deviceReport, fleetTotals, type DeviceReport } from '../devices.js';
import { decisionsCsv, toDecisions } from '../decisions-csv.js';
import { incidentRoutes } from '../incidents/routes.js';
import { knownServices, serviceName } from '../service-names.js';
import { parseAdminQuery, parseDeviceQuery, type AdminQuery } from '../query-params.js';
import type { DevicePage, EventPage, EventQuery } from '../storage/types.js';
import { zonedSummary } from '../report/zoned.js';

const EXPORT_MAX_ROWS = 5_000_000;

/** Who may call an admin route (accounts13 maps these to accounts; today every admin token has them all). */
export type AdminRole = 'viewer' | 'investigator' | 'admin';

export const adminRoutes: CollectorPlugin = async (app, { ctx }) => {
  const { storage, metrics, now } = ctx;
  // Who may call each route, and what the audit log records, is the route table (accounts/roles.ts).
  const admin = { onRequest: app.requireToken('admin') };

  function adminQuery(req: FastifyRequest, reply: FastifyReply, defaultLimit?: number): AdminQuery | null {
    const r = parseAdminQuery(req.query as Record<string, unknown>, defaultLimit);
    if (!r.ok) {
      void reply.code(400).send({ error: r.errors[0], errors: r.errors });
      return null;
    }
    return r.value;
  }

  const stamp = () => new Date(now()).toISOString().slice(0, 19).replace(/[-:]/g, '');

  // Incidents (guideline 4-1): their own file, the same guard.
  await app.register(incidentRoutes, { ctx, admin });

  app.get('/v1/admin/events', admin, async (req, reply) => {
    const q = adminQuery(req, reply);
    if (!q) return reply;
    const page = await metrics.time('query', () => storage.queryEvents(q.query));
    const format = negotiate(req, q.format, 'json');
    if (page.nextCursor) reply.header('x-next-cursor', page.nextCursor);
    reply.type(CONTENT_TYPES[format]);
    // Beside the events (all of them, as stored): the answer each warning on the page got, as the CSV
    // folds it, so the admin page shows a warning as answered, not as awaiting an answer forever.
    if (format === 'json') return { ...page, ...(await answersOf(page)) };
    if (format === 'ndjson') return toNdjson(page.events);
    if (format === 'ocsf') return toNdjson(page.events.map(toOcsf)); // siem13: OCSF Data Security Findings
    return toCsv(page.events, { bom: true });
  });

  /** The answer that counts per warning (decisions-csv.ts answerOrder) and, where there are, the other answers that disagree. */
  async function answersOf(page: EventPage): Promise<{ answers: Record<string, unknown>; otherAnswers: Record<string, unknown> }> {
    const decisions = await toDecisions(page.events, (x) => metrics.time('query', () => storage.queryEvents(x)));
    return {
      answers: Object.fromEntries(decisions.flatMap((d) => (d.answer ? [[d.event.id, d.answer]] : []))),
      otherAnswers: Object.fromEntries(decisions.flatMap((d) => (d.others ? [[d.event.id, d.others]] : []))),
    };
  }

  app.get('/v1/admin/export', admin, async (req, reply) => {
    const q = adminQuery(req, reply, 1000);
    if (!q) return reply;
    const format = negotiate(req, q.format, 'csv');
    const query = { ...q.query, limit: 1000 };
    const read = (x: EventQuery) => metrics.time('query', () => storage.queryEvents(x));
    // The first page is read before the answer starts, so a bad cursor or a failing database is a clear
    // 400 or 503, not a 200 with nothing in it.
    const first = await metrics.time('query', () => storage.queryEvents(query));
    reply.type(CONTENT_TYPES[format]);
    reply.header('content-disposition', `attachment; filename="upload-guard-events-${stamp()}.${format === 'ocsf' ? 'ocsf.ndjson' : format}"`);
    const onError = exportStatus(req, reply);
    let events = first.events.length;
    const next = async (cursor: string) => {
      await stillAllowed(req, { route: 'GET /v1/admin/export', events });
      const page = await read({ ...query, cursor });
      events += page.events.length;
      return page;
    };
    // A CSV is for people (one row per decision, their language and zone) unless layout=events asks for the raw events.
    const rows =
      format === 'csv' && q.layout === 'decisions'
        ? withErrorLine(decisionsCsv(first, next, read, { lang: q.lang, zone: q.zone ?? 'UTC' }), format, onError)
        : exportRows(format, first, next, onError);
    // One page waits in the stream at most, so a withdrawn credential stops the export within about a page.
    return reply.send(Readable.from(rows, { highWaterMark: 1 }));
  });

  /**
   * The trailer says whether a streamed export is complete; a failure later also ends the body with an
   * explicit error line (exportRows, withErrorLine), so a cut export never passes for a whole one.
   * Returns what records the failure.
   */
  function exportStatus(req: FastifyRequest, reply: FastifyReply): (err: Error) => void {
    reply.header('trailer', 'x-export-status');
    let status = 'complete';
    reply.trailer('x-export-status', async () => status);
    return (err) => {
      status = `error: ${err.message}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
      req.log.error({ err }, 'export failed part way');
    };
  }

  /**
   * Between the pages of a streamed export the credential must still admit the caller: a token revoked,
   * a session ended, an account disabled or demoted mid-stream ends the export there, explicitly and on
   * record (red team L1: it streamed on to the end and looked complete). `sent`: route and rows so far.
   */
  async function stillAllowed(req: FastifyRequest, sent: Record<string, unknown>): Promise<void> {
    const refused = await app.stillAdmitted(req);
    if (!refused) return;
    // The answer is already under way and ends here whatever happens: an entry the database refuses now
    // is kept and written again (auditLater), never dropped.
    await app.auditLater(req.principal!.actor, 'export.cut', { ...sent, reason: refused }, req);
    throw new Error(`access withdrawn during the export (${refused}); the rows above are not all that matched`);
  }

  app.get('/v1/admin/summary', admin, async (req, reply) => {
    const q = adminQuery(req, reply);
    if (!q) return reply;
    // A viewer sees aggregates only: counts filtered by a person, a device or a file name's words would
    // answer yes or no about them, one question at a time.
    const { user, userPrefix, device, deviceName, q: text } = q.filter;
    if (req.principal?.role === 'viewer' && [user, userPrefix, device, deviceName, text].some((v) => v !== undefined)) {
      return reply.code(403).send({ error: 'filtering by user, device or text needs the investigator role (a viewer sees aggregates only)' });
    }
    // A named zone: days follow its local midnights across DST changes; a fixed offset in minutes stays fixed.
    const summary = await metrics.time('summary', () => (q.zone ? zonedSummary(storage, q.filter, q.zone) : storage.summary(q.filter, q.tz)));
    // Names from the collector's own service list, never from events (any device could name a service).
    return { ...summary, byService: summary.byService.map((s) => ({ ...s, serviceName: serviceName(s.service) })) };
  });

  app.get('/v1/admin/devices', admin, async (req, reply) => {
    const q = parseDeviceQuery(req.query as Record<string, unknown>);
    if (!q.ok) return reply.code(400).send({ error: q.errors[0], errors: q.errors });
    const at = now();
    const page = (cursor: string | null, limit: number) =>
      metrics.time('devices', () => storage.devicePage({ filter: q.value.filter, now: at, staleAfterMinutes: ctx.staleAfterMinutes, limit, cursor }));
    const report = (rows: Awaited<ReturnType<typeof page>>['devices']) => rows.map((d) => deviceReport(d, at, ctx.staleAfterMinutes, ctx.ingestTokenIds));
    const format = q.value.format ?? (/text\/csv/.test(req.headers.accept ?? '') ? 'csv' : 'json');
    if (format === 'csv') {
      // Every matching device from the cursor on, a page at a time as the client reads.
      const first = await page(q.value.cursor, 1000);
      reply.type(CONTENT_TYPES.csv);
      reply.header('content-disposition', `attachment; filename="upload-guard-devices-${stamp()}.csv"`);
      const onError = exportStatus(req, reply);
      let devices = first.devices.length;
      const next = async (cursor: string) => {
        await stillAllowed(req, { route: 'GET /v1/admin/devices', devices });
        const p = await page(cursor, 1000);
        devices += p.devices.length;
        return p;
      };
      return reply.send(Readable.from(withErrorLine(deviceCsvPages(first, next, report), 'csv', onError), { highWaterMark: 1 }));
    }
    const [rows, fleet] = await Promise.all([page(q.value.cursor, q.value.limit), ctx.fleet.groups(at)]);
    // The totals may be a few seconds older than the page (fleet-counts.ts): countedAt says when they were counted.
    return { devices: report(rows.devices), nextCursor: rows.nextCursor, ...fleetTotals(fleet.groups, ctx.ingestTokenIds), countedAt: new Date(fleet.at).toISOString() };
  });

  app.get('/v1/admin/services', admin, async () => ({ services: knownServices() }));

  app.get('/v1/admin/alerts', admin, async () => {
    const s = await ctx.outbox.status();
    return { ...s, oldestPendingAgeSeconds: s.oldestPendingMs === null ? null : Math.max(0, Math.round((now() - s.oldestPendingMs) / 1000)) };
  });

  // Browsers ask for it on every page; answer without a body rather than log a 404.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/admin', async (_req, reply) => reply.redirect('/admin/'));
  app.get('/admin/', async (_req, reply) => reply.type('text/html; charset=utf-8').send((await loadAdminAssets()).html));
  app.get('/admin/app.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send((await loadAdminAssets()).js));
  app.get('/admin/app.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send((await loadAdminAssets()).css));
};

/** `format=` wins; otherwise the Accept header; otherwise `fallback`. */
function negotiate(req: FastifyRequest, format: ExportFormat | undefined, fallback: ExportFormat): ExportFormat {
  if (format) return format;
  const accept = req.headers.accept ?? '';
  if (/text\/csv/.test(accept)) return 'csv';
  if (/application\/(x-)?ndjson/.test(accept)) return 'ndjson';
  if (/application\/json/.test(accept)) return 'json';
  return fallback;
}

/** The explicit last line of an export that failed part way, in the export's own format. */
export function exportErrorLine(format: ExportFormat, message: string): string {
  const text = `export incomplete: ${message}`;
  if (format === 'csv') return `# ERROR: ${text.replace(/[\r\n]+/g, ' ')}\r\n`;
  if (format === 'ndjson' || format === 'ocsf') return JSON.stringify({ error: text }) + '\n';
  // JSON: a last element no event can be; the array stays valid so a reader sees it.
  return `${JSON.stringify({ error: text })}]`;
}

/** Ends a streamed CSV (decisions, devices) that failed part way with the explicit error line, like exportRows. */
async function* withErrorLine(rows: AsyncGenerator<string>, format: ExportFormat, onError: (err: Error) => void): AsyncGenerator<string> {
  try {
    yield* rows;
  } catch (err) {
    onError(err as Error);
    yield exportErrorLine(format, (err as Error).message);
  }
}

/** Pages are fetched one at a time as the client reads, so memory stays flat however large the export. */
async function* exportRows(
  format: ExportFormat,
  first: EventPage,
  next: (cursor: string) => Promise<EventPage>,
  onError: (err: Error) => void,
): AsyncGenerator<string> {
  const enc = new ExportEncoder(format, toOcsf);
  const head = enc.start();
  if (head) yield head;
  let page = first;
  try {
    for (;;) {
      const chunk = enc.page(page.events);
      if (chunk) yield chunk;
      if (!page.nextCursor || enc.count >= EXPORT_MAX_ROWS) break;
      page = await next(page.nextCursor);
    }
  } catch (err) {
    onError(err as Error);
    yield (format === 'json' && enc.count > 0 ? ',' : '') + exportErrorLine(format, (err as Error).message);
    return;
  }
  const tail = enc.end();
  if (tail) yield tail;
}

/** The device CSV (BOM, CRLF, formula-safe, warnings space-separated), page by page. */
async function* deviceCsvPages(
  first: DevicePage,
  next: (cursor: string) => Promise<DevicePage>,
  report: (rows: DevicePage['devices']) => DeviceReport[],
): AsyncGenerator<string> {
  yield DEVICE_CSV_HEAD;
  for (let page = first; ; page = await next(page.nextCursor!)) {
    const chunk = deviceCsvRows(report(page.devices));
    if (chunk) yield chunk;
    if (!page.nextCursor) return;
  }
}
