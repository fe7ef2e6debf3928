/**
 * The incident API (guideline 4-1), registered by the admin routes:
 *   GET   /v1/admin/incidents            list: status, user, sort (deadline | -opened), limit, offset
 *   GET   /v1/admin/incidents/:id        one incident with its events
 *   PATCH /v1/admin/incidents/:id        triage: status, assignee, severity, notes, reportedAt
 *   GET   /v1/admin/incident-settings    the agreed reporting time (hours) and the zone of "a day"
 *   PUT   /v1/admin/incident-settings
 * Incidents are brought up to date from the stored events before every read and on a timer, which also
 * queues the deadline alerts.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasObeyed } from '../../events/inert.js';
import { describeIssues } from '../../events/schema.js';
import type { CollectorPlugin } from '../context.js';
import { isTimeZone, localTimeZone } from '../time-zone.js';
import { deadlineAlert, dueSoonMs, stageAt } from './deadline.js';
import { sqlFor } from './sql.js';
import { DEFAULT_REPORT_HOURS, INCIDENT_STATUSES, IncidentStore, SEVERITIES, type IncidentSettings } from './store.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const line = (max: number) => z.string().max(max).refine((s) => !CONTROL.test(s), 'control characters are not allowed');

/**
 * A person's name typed by an admin: besides control characters, no bidi controls or zero-width characters
 * (inert.ts's set), which the account and token names (ASCII) cannot hold either. 「kobayashi\u202E」 or
 * 「ko\u200Bbayashi」 looked like another person's name in the list, the filter and the audit log; they were
 * stored and only shown inert (red team coll8). Japanese names stay allowed.
 */
const personName = (max: number) => line(max).refine((s) => !hasObeyed(s), 'bidi control and zero-width characters are not allowed');

const ListSchema = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(INCIDENT_STATUSES)).max(4))
    .optional(),
  user: line(256).optional(),
  sort: z.enum(['deadline', '-opened']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});

const PatchSchema = z.strictObject({
  status: z.enum(INCIDENT_STATUSES).optional(),
  assignee: personName(256).nullable().optional(),
  severity: z.enum(SEVERITIES).optional(),
  // Notes are free text (line breaks allowed); shown as text, never markup. No NUL: PostgreSQL's text
  // cannot hold it, and such a save answered 500 there while SQLite took it (red team coll7 F3).
  notes: z.string().max(10_000).refine((s) => !s.includes('\u0000'), 'NUL characters are not allowed').nullable().optional(),
  reportedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** The incident's updatedAt as the client last read it: the change is made only if nobody saved since (409 otherwise). */
  ifUpdatedAt: z.iso.datetime({ offset: true }).optional(),
});

const SettingsSchema = z.strictObject({
  reportHours: z.number().min(1).max(24 * 30).optional(),
  timeZone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Asia/Tokyo').optional(),
});

/** How far ahead of the collector's clock a reportedAt may be (the admin's PC clock runs a little fast). */
const REPORTED_SKEW_MS = 5 * 60_000;

/**
 * An incident's number as the list writes it, and nothing else: a coerced number also took 0x1, 01, 1e0,
 * +1 and 1.0 for incident 1, so a read could be on record (the audit entry keeps the path as sent) under
 * a name a search for incident 1 does not find.
 */
const IdSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'an incident number: digits, no sign, no leading zero')
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER)),
});

export interface IncidentOptions {
  /** How often incidents are brought up to date and deadlines checked, ms (default 30 s; 0: only on reads). */
  intervalMs?: number;
  defaults?: Partial<IncidentSettings>;
}

export const incidentRoutes: CollectorPlugin<{ admin: object; incidents?: IncidentOptions }> = async (
  app,
  { ctx, admin, incidents: opts = {} },
) => {
  const store = new IncidentStore(sqlFor(ctx.storage));
  const defaults: IncidentSettings = { reportHours: DEFAULT_REPORT_HOURS, timeZone: localTimeZone(), ...opts.defaults };
  const settings = () => store.settings(defaults);

  /** Brings incidents up to date and queues the alerts of deadlines near or past; one run at a time. */
  let running: Promise<void> | null = null;
  // Closing stops a long catch-up between batches and waits for it, so nothing runs on a closed database.
  const closing = new AbortController();
  const refresh = () =>
    (running ??= (async () => {
      try {
        const s = await settings();
        await store.sync(s.timeZone, ctx.now(), undefined, closing.signal);
        if (!ctx.outbox.webhook || closing.signal.aborted) return;
        const now = ctx.now();
        const due = await store.dueBy(now + dueSoonMs(s), s, now);
        if (due.length && (await ctx.storage.enqueueAlerts(due.map((i) => deadlineAlert(i, now)), now))) ctx.outbox.wake('webhook');
        // Queued first, recorded after: a collector stopped in between queues them again, which the
        // outbox drops (same ref); recorded, they leave the next page to the incidents not yet alerted.
        await store.alerted(due.map((i) => ({ id: i.id, stage: stageAt(i, now), deadlineMs: Date.parse(i.deadline) })));
      } finally {
        running = null;
      }
    })());

  const interval = opts.intervalMs ?? 30_000;
  if (interval > 0) {
    const timer = setInterval(() => refresh().catch((err) => app.log.error({ err }, 'incident refresh failed')), interval);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      closing.abort();
      await running?.catch(() => {});
    });
  }

  const bad = (errors: string[]) => ({ error: errors[0], errors });
  /**
   * A refused triage or settings change is on record with why (who tried what), as a refused account
   * change is: before, only a refused reportedAt and a conflict were, and a PATCH with a bad status, a
   * made-up incident id or bad settings left no trace (red team coll7 F4).
   */
  const refused = async (req: FastifyRequest, reply: FastifyReply, action: string, status: 400 | 404 | 409, details: Record<string, unknown>, body: Record<string, unknown>) => {
    await app.audit(req.principal?.actor ?? 'unknown', action, { ...details, status, reason: body.error }, req);
    return reply.code(status).send(body);
  };
  const target = (req: FastifyRequest) => (req.params as { id?: string }).id ?? null;

  app.get('/v1/admin/incidents', admin, async (req, reply) => {
    const q = ListSchema.safeParse(req.query);
    if (!q.success) return reply.code(400).send(bad(describeIssues(q.error)));
    await refresh();
    const s = await settings();
    const page = await store.list({ status: q.data.status, user: q.data.user, sort: q.data.sort ?? 'deadline', limit: q.data.limit ?? 100, offset: q.data.offset ?? 0 }, s, ctx.now());
    return { ...page, settings: s };
  });

  app.get('/v1/admin/incidents/:id', admin, async (req, reply) => {
    const p = IdSchema.safeParse(req.params);
    if (!p.success) return reply.code(400).send(bad(describeIssues(p.error)));
    await refresh();
    const found = await store.get(p.data.id, await settings(), ctx.now());
    return found ?? reply.code(404).send({ error: 'no such incident' });
  });

  app.patch('/v1/admin/incidents/:id', admin, async (req, reply) => {
    const p = IdSchema.safeParse(req.params);
    const b = PatchSchema.safeParse(req.body ?? {});
    if (!p.success) return refused(req, reply, 'incident.update.refused', 400, { id: target(req) }, bad(describeIssues(p.error)));
    if (!b.success) return refused(req, reply, 'incident.update.refused', 400, { id: p.data.id }, bad(describeIssues(b.error)));
    const { reportedAt, ifUpdatedAt, ...rest } = b.data;
    const patch = { ...rest, ...(reportedAt !== undefined ? { reportedMs: reportedAt === null ? null : Date.parse(reportedAt) } : {}) };
    if (patch.reportedMs != null) {
      // Reported to the customer between the incident's first event and now (a clock a few minutes
      // ahead allowed): any instant was taken, and a report dated 1970 counted as "within the agreed
      // time" with a negative median time to report (red team G5).
      const found = await store.get(p.data.id, await settings(), ctx.now());
      if (!found) return refused(req, reply, 'incident.update.refused', 404, { id: p.data.id }, { error: 'no such incident' });
      const opened = Date.parse(found.incident.openedAt);
      const problem =
        patch.reportedMs < opened
          ? `reportedAt ${reportedAt} is before the incident's first event (openedAt ${found.incident.openedAt}): the customer cannot have been told earlier`
          : patch.reportedMs > ctx.now() + REPORTED_SKEW_MS
            ? `reportedAt ${reportedAt} is in the future: record the report once it has been made`
            : null;
      if (problem) return refused(req, reply, 'incident.update.refused', 400, { id: p.data.id, reportedAt }, { error: problem });
    }
    // The audit entry says what changed, the notes' new text included: the incident keeps only the latest,
    // and a save over an investigator's notes must leave what they said on record (collector round 4 L3).
    // Bounded (notesEntry): notes of up to 10,000 characters were copied whole into every entry.
    // Change and entry in one transaction: an entry that cannot be written undoes the change (red team G1:
    // an incident closed as "false positive" while audit_log was locked answered 200 with no entry).
    const { ifUpdatedAt: _version, notes, ...fields } = b.data;
    const entry = app.auditEntry(req.principal?.actor ?? 'unknown', 'incident.update', { id: p.data.id, ...fields, ...notesEntry(notes) }, req);
    const done = await app.accountStore.change(store.updateTx(p.data.id, patch, ctx.now(), ifUpdatedAt === undefined ? undefined : Date.parse(ifUpdatedAt)), (r) => (r === 'updated' ? [entry] : []));
    if (done === 'missing') return refused(req, reply, 'incident.update.refused', 404, { id: p.data.id }, { error: 'no such incident' });
    if (done === 'conflict') {
      const now = await store.get(p.data.id, await settings(), ctx.now());
      const error = `someone else saved this incident after you opened it (at ${now?.incident.updatedAt ?? 'an unknown time'}): nothing was changed; reload it and apply your change again`;
      return refused(req, reply, 'incident.update.refused', 409, { id: p.data.id }, { error, incident: now?.incident ?? null });
    }
    return (await store.get(p.data.id, await settings(), ctx.now()))!;
  });

  app.get('/v1/admin/incident-settings', admin, async () => settings());

  app.put('/v1/admin/incident-settings', admin, async (req, reply) => {
    const b = SettingsSchema.safeParse(req.body ?? {});
    if (!b.success) return refused(req, reply, 'settings.update.refused', 400, {}, bad(describeIssues(b.error)));
    await app.accountStore.change(store.saveSettingsTx(b.data), () => [app.auditEntry(req.principal?.actor ?? 'unknown', 'settings.update', { incidents: b.data }, req)]);
    return settings();
  });
};

/** Notes up to this many characters are in their audit entry whole; longer ones by their start. */
export const NOTES_IN_ENTRY = 500;

/**
 * The notes as an `incident.update` entry holds them: whole up to NOTES_IN_ENTRY characters (most notes;
 * every version stays readable in the log), else their first NOTES_IN_ENTRY characters and `…`; always
 * with `notesLength` and `notesSha256` (UTF-8), which identify the exact text kept in the incident.
 * Before, every save copied the whole note (up to 10,000 characters) into the log, which only the admin
 * rate limit bounded (red team coll7, "audit log growth").
 */
export function notesEntry(notes: string | null | undefined): Record<string, unknown> {
  if (notes === undefined) return {};
  if (notes === null) return { notes: null };
  const chars = [...notes];
  const cut = chars.length > NOTES_IN_ENTRY;
  return { notes: cut ? `${chars.slice(0, NOTES_IN_ENTRY).join('')}…` : notes, notesLength: chars.length, notesSha256: createHash('sha256').update(notes, 'utf8').digest('hex'), ...(cut ? { notesCut: true } : {}) };
}
