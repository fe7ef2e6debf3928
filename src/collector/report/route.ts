/**
 * GET /v1/admin/report?from=&to=&tz=&format=html|pdf|csv&lang=ja|en: the periodic report (guideline 5-1)
 * over any period (default: last calendar month in `tz`), as a printable HTML page, a PDF or CSV.
 * `tz` is an IANA zone (default the collector's); plain dates are local dates in it.
 *
 * The report names users and files, so it is for `investigator` and `admin`, not `viewer`; each
 * download is an audit entry (`report.download`). Both come from the route table (accounts/roles.ts).
 */
import { z } from 'zod';
import type { CollectorContext, CollectorPlugin } from '../context.js';
import { sqlFor } from '../incidents/sql.js';
import { DEFAULT_REPORT_HOURS, IncidentStore } from '../incidents/store.js';
import { reportCsv } from './csv.js';
import { buildReport, type IncidentSource } from './data.js';
import { REPORT_CSP, reportHtml } from './html.js';
import { REPORT_LANGS, type ReportLang } from './i18n.js';
import { reportDoc } from './model.js';
import { reportPdf } from './pdf.js';
import { localTimeZone, reportRange } from './range.js';

export const REPORT_FORMATS = ['html', 'pdf', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const Query = z.strictObject({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  tz: z.string().max(64).optional(),
  format: z.enum(REPORT_FORMATS).optional(),
  lang: z.enum(REPORT_LANGS as [ReportLang, ...ReportLang[]]).optional(),
});

const TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

/** Time to report, from the incidents' triage records; the agreed time is the incidents' setting. */
function fromIncidents(ctx: CollectorContext): IncidentSource {
  const store = new IncidentStore(sqlFor(ctx.storage));
  return async (range) => {
    const s = await store.settings({ reportHours: DEFAULT_REPORT_HOURS, timeZone: range.tz });
    await store.sync(s.timeZone, ctx.now()); // events stored since the last sync belong to incidents too
    return store.reporting(range.fromMs, range.toMs, s.reportHours);
  };
}

export const reportRoutes: CollectorPlugin<{ incidents?: IncidentSource }> = async (app, { ctx, incidents = fromIncidents(ctx) }) => {
  // The role (investigator) and the audit entry come from the route table (accounts/roles.ts).
  const guard = { onRequest: app.requireToken('admin') };
  app.get('/v1/admin/report', guard, async (req, reply) => {
    const raw = req.query as Record<string, unknown>;
    const repeated = Object.entries(raw).filter(([, v]) => Array.isArray(v)).map(([k]) => `${k}: given more than once`);
    const q = Query.safeParse(raw);
    if (repeated.length || !q.success) {
      const errors = repeated.length ? repeated : q.error!.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
      return reply.code(400).send({ error: errors[0], errors });
    }
    let range;
    try {
      range = reportRange({ from: q.data.from, to: q.data.to, tz: q.data.tz ?? localTimeZone() }, ctx.now());
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message, errors: [(err as Error).message] });
    }
    const data = await ctx.metrics.time('report', () => buildReport(ctx.storage, range, { now: ctx.now(), staleAfterMinutes: ctx.staleAfterMinutes, incidents }));
    const format = q.data.format ?? 'html';
    const lang = q.data.lang ?? 'ja';
    const name = `upload-guard-report-${range.fromDate}_${range.lastDate}.${format}`;
    reply.type(TYPES[format]);
    reply.header('content-disposition', `${format === 'html' ? 'inline' : 'attachment'}; filename="${name}"`);
    if (format === 'csv') return reportCsv(data, lang);
    const doc = reportDoc(data, lang);
    if (format === 'pdf') return reply.send(await reportPdf(doc));
    // The page's own stylesheet by hash, nothing else (headers.ts keeps a policy a route has set).
    reply.header('content-security-policy', REPORT_CSP);
    return reportHtml(doc);
  });
};
