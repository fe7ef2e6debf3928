/**
 * Incidents (guideline 4-1): a block, a warning the employee went on with, a dispute, or an upload that
 * could not be checked opens an incident, or joins the one of the same user, file and local day. The
 * security team triages it (status, assignee, severity, notes) and records when it was reported to the
 * customer; the agreed reporting time (a setting, default 24 h) gives each open incident a deadline, and
 * the alert outbox warns before it runs out.
 *
 * Incidents are built from stored events by `sync` (every qualifying event not yet linked, marked as it
 * is linked), not in the ingest path: ingest stays as fast as it is, and a collector that was down
 * catches up. Linking is idempotent (one row per event in incident_events), so two collectors on one
 * database, or a re-scan, never count an event twice.
 */
import type { StoredEvent } from '../../events/schema.js';
import { rowToEvent } from '../storage/sql.js';
import { dayInZone } from '../time-zone.js';
import { DEADLINE_ORDER_TERMS, UNLINKED } from './schema.js';
import type { Sql, TxWork } from './sql.js';

export const INCIDENT_STATUSES = ['new', 'investigating', 'reported', 'closed'] as const;
/** Statuses of an incident still open (DEADLINE_ORDER_TERMS: first in the list, by deadline). */
const OPEN_STATUSES: readonly string[] = ['new', 'investigating'];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Why an event made (or joined) an incident. */
export type IncidentKind = 'block' | 'proceeded' | 'disputed' | 'unscannable';

export interface IncidentSettings {
  /** The agreed time to report an incident to the customer, hours from the arrival of its first event. */
  reportHours: number;
  /** The zone whose days group events (an event at 00:30 JST belongs to that JST day). */
  timeZone: string;
}

export interface Incident {
  id: number;
  user: string | null;
  deviceId: string;
  deviceName: string | null;
  sha256: string | null;
  fileName: string | null;
  service: string | null;
  /** Local day (settings.timeZone) of the grouped events, YYYY-MM-DD. */
  day: string;
  kinds: IncidentKind[];
  /** When its first event happened, as its device said (inside the window the collector believes). */
  openedAt: string;
  /**
   * When a collector received its first event (its own clock): the deadline runs from here, not from
   * openedAt, which a device's clock decides (red team collector6 #1).
   */
  receivedAt: string;
  lastAt: string;
  events: number;
  status: IncidentStatus;
  assignee: string | null;
  severity: Severity;
  notes: string | null;
  reportedAt: string | null;
  updatedAt: string;
  /** receivedAt + settings.reportHours. */
  deadline: string;
  /** Minutes until the deadline (negative: overdue); null once reported or closed. */
  minutesLeft: number | null;
}

/** What a retention run removed, and the expired incidents kept because their deadline alert is not yet delivered. */
export interface IncidentPurge {
  incidents: number;
  links: number;
  keptForAlerts: number;
}

/** The agreed time to report an incident to the customer, hours, until an admin sets it. */
export const DEFAULT_REPORT_HOURS = 24;

/** Time to report, over the incidents of a period. */
export interface Reporting {
  reported: number;
  withinAgreed: number;
  medianHours: number | null;
  agreedHours: number;
}

export interface IncidentPatch {
  status?: IncidentStatus;
  assignee?: string | null;
  severity?: Severity;
  notes?: string | null;
  /** When it was reported to the customer, epoch ms; null clears it. */
  reportedMs?: number | null;
}

/** The incident list's total is exact up to this many matching incidents (or the page's end, further on). */
export const TOTAL_COUNTED_UP_TO = 1_000;

export interface IncidentListPage {
  incidents: Incident[];
  /** How many match, counted up to TOTAL_COUNTED_UP_TO or the page's end, whichever is further. */
  total: number;
  /** More match than `total` (the count stopped there). */
  moreThanTotal: boolean;
}

export interface IncidentListQuery {
  status?: IncidentStatus[];
  user?: string;
  /** Open incidents whose deadline is nearest first (default), or the newest first. */
  sort: 'deadline' | '-opened';
  limit: number;
  offset: number;
}

/** Which events open or join an incident, and as what (QUALIFIES in schema.ts is its SQL twin). */
export function incidentKind(e: Pick<StoredEvent, 'action' | 'outcome' | 'verdict' | 'relatesTo'>): IncidentKind | null {
  if (e.outcome === 'disputed') return 'disputed';
  if (e.outcome === 'proceeded') return 'proceeded';
  if (e.action === 'block') return 'block';
  if (e.verdict === 'unscannable' && e.relatesTo === null && e.outcome !== 'cancelled') return 'unscannable';
  return null;
}

/** User (else the device), file (hash, else name), local day. */
export function groupKey(e: StoredEvent, zone: string): { key: string; day: string } {
  const day = dayInZone(Date.parse(e.time), zone);
  const who = e.user !== null ? `u:${e.user}` : `d:${e.deviceId}`;
  const what = e.sha256 ? `h:${e.sha256}` : e.fileName !== null ? `n:${e.fileName}` : `t:${e.service ?? ''}`;
  return { key: JSON.stringify([who, what, day]), day };
}

const HOUR = 3_600_000;
/** Where an incident's deadline runs from (due16 sets it on every row; opened_ms if a row had none). */
const DUE_FROM = 'coalesce(due_from_ms, opened_ms)';
/** The agreed time to report, whole ms (a fraction of an hour is allowed): the SQL and the deadline shown agree. */
const reportMs = (s: IncidentSettings) => Math.round(s.reportHours * HOUR);

export class IncidentStore {
  constructor(private readonly sql: Sql) {}

  private get t() {
    return { incidents: this.sql.t('incidents'), links: this.sql.t('incident_events'), events: this.sql.t('events'), meta: this.sql.t('meta') };
  }

  async settings(defaults: IncidentSettings): Promise<IncidentSettings> {
    const rows = await this.sql.all<{ key: string; value: string }>(`SELECT key, value FROM ${this.t.meta} WHERE key IN ('incidents.reportHours', 'incidents.timeZone')`);
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    const hours = Number(get('incidents.reportHours'));
    return { reportHours: Number.isFinite(hours) && hours > 0 ? hours : defaults.reportHours, timeZone: get('incidents.timeZone') ?? defaults.timeZone };
  }

  async saveSettings(s: Partial<IncidentSettings>): Promise<void> {
    await this.sql.tx(this.saveSettingsTx(s));
  }
  /** saveSettings as a transaction's work (written with its audit entry: AccountStore.change). */
  *saveSettingsTx(s: Partial<IncidentSettings>): TxWork<void> {
    for (const [k, v] of [
      ['incidents.reportHours', s.reportHours],
      ['incidents.timeZone', s.timeZone],
    ] as const) {
      if (v === undefined) continue;
      yield { sql: `INSERT INTO ${this.t.meta} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, params: [k, String(v)] };
    }
  }

  /**
   * Retention: incidents whose every event is older than `before` (their events are gone by the same
   * rule) are deleted with their triage (status, assignee, notes: columns of the incident) and their
   * links; links of the incidents kept that point at purged events go too. An incident whose deadline
   * alert is still waiting in the outbox (queued, leased or retrying: not delivered) is kept until it is
   * delivered, so the alert never names an incident the admin page cannot show; the next run takes it.
   */
  async purge(before: number): Promise<IncidentPurge> {
    return this.sql.tx(this.purgeTx(before));
  }
  /** purge as a transaction's work (the retention run's, with the events' purge and its audit entry). */
  *purgeTx(before: number): TxWork<IncidentPurge> {
    const { incidents, links, events } = this.t;
    const outbox = this.sql.t('outbox');
    const pending = (yield { sql: `SELECT ref FROM ${outbox} WHERE delivered_ms IS NULL AND channel = 'webhook' AND ref LIKE 'incident-deadline:%'`, params: [], rows: true }) as { ref: string }[];
    // ref = incident-deadline:<stage>:<id>:<deadline> (deadline.ts)
    const held = [...new Set(pending.map((r) => Number(r.ref.split(':')[2])).filter((n) => Number.isSafeInteger(n) && n > 0))];
    const keep = held.length ? ` AND id NOT IN (${held.map(() => '?').join(', ')})` : '';
    const expired = `SELECT id FROM ${incidents} WHERE last_ms < ?${keep}`;
    const keptForAlerts = held.length
      ? Number(((yield { sql: `SELECT count(*) AS n FROM ${incidents} WHERE last_ms < ? AND id IN (${held.map(() => '?').join(', ')})`, params: [before, ...held], rows: true }) as { n: number | string }[])[0]?.n ?? 0)
      : 0;
    // Links first: a run cut short leaves an incident without links, which the next run deletes.
    let removedLinks = (yield { sql: `DELETE FROM ${links} WHERE incident_id IN (${expired})`, params: [before, ...held] }) as number;
    const removed = (yield { sql: `DELETE FROM ${incidents} WHERE last_ms < ?${keep}`, params: [before, ...held] }) as number;
    removedLinks += (yield {
      sql: `DELETE FROM ${links} WHERE incident_id IN (SELECT id FROM ${incidents} WHERE opened_ms < ?)
         AND NOT EXISTS (SELECT 1 FROM ${events} e WHERE e.id = ${links}.event_id)`,
      params: [before],
    }) as number;
    return { incidents: removed, links: removedLinks, keptForAlerts };
  }

  /**
   * Links the qualifying events not yet linked to their incidents; returns how many events were linked.
   * "Not yet linked" is a flag on the event (events.incident_linked) set in the transaction that links
   * it, read through a partial index of only the events still to link: no watermark on arrival time, so
   * no collector's clock (skewed, stepped back) and no late commit can make an event be skipped.
   * One transaction per batch, and a turn of the event loop between batches: a collector catching up on
   * 100,000 qualifying events (a first start over an old database) keeps answering while it does.
   * `signal` stops it between batches (the collector is closing; the flags keep what was done).
   */
  async sync(zone: string, now: number, batch = 500, signal?: AbortSignal): Promise<number> {
    let linked = 0;
    for (;;) {
      const done = await this.sql.tx(this.link(zone, now, batch));
      linked += done.linked;
      if (done.read < batch || signal?.aborted) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return linked;
  }

  /**
   * One batch of `sync`, one transaction: reads up to `batch` events still to link, and each opens or
   * joins its incident and is marked linked. On PostgreSQL the read locks them and skips those another
   * collector's sync holds, so two collectors never wait on each other's events; and the events are
   * linked in the order of their incidents' keys, so two batches lock incident rows in one order and
   * cannot deadlock. Returns the events read and those newly linked.
   */
  private *link(zone: string, now: number, batch: number): TxWork<{ read: number; linked: number }> {
    const { incidents, links, events } = this.t;
    const rows = (yield {
      sql: `SELECT * FROM ${events} WHERE ${UNLINKED} ORDER BY received_ms, id LIMIT ?${this.sql.skipLocked}`,
      params: [batch],
      rows: true,
    }) as Record<string, unknown>[];
    const todo = rows.map(rowToEvent).map((e) => ({ e, ...groupKey(e, zone) })).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    if (todo.length) {
      // One statement for the batch: it commits with the links below, or neither does.
      yield { sql: `UPDATE ${events} SET incident_linked = 1 WHERE id IN (${todo.map(() => '?').join(', ')})`, params: todo.map((x) => x.e.id) };
    }
    if (!todo.length) return { read: rows.length, linked: 0 };
    // A handful of statements per batch, not four per event: PostgreSQL answers each in a round trip,
    // and a list that waited on a catch-up of 2,000 events waited 3.6–7 s for 8,000 of them under the 10×
    // admin burst (red team coll9). Incidents are made and updated in the order of their keys (the lock order).
    const groups = new Map<string, { key: string; day: string; first: StoredEvent; members: StoredEvent[] }>();
    for (const { e, key, day } of todo) {
      const g = groups.get(key);
      if (g) g.members.push(e);
      else groups.set(key, { key, day, first: e, members: [e] });
    }
    const list = [...groups.values()];
    yield {
      sql: `INSERT INTO ${incidents} (group_key, user_name, device_id, device_name, sha256, file_name, service, day, kinds, opened_ms, due_from_ms, last_ms, event_count, updated_ms)
         VALUES ${list.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, '', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), 0, CAST(? AS BIGINT))").join(', ')} ON CONFLICT (group_key) DO NOTHING`,
      params: list.flatMap(({ key, day, first: e }) => {
        const t = Date.parse(e.time);
        return [key, e.user, e.deviceId, e.deviceName ?? null, e.sha256, e.fileName, e.service, day, t, Date.parse(e.receivedAt), t, now];
      }),
    };
    // Locked here, in key order (PostgreSQL): the kinds read are the ones the update below replaces.
    const found = (yield {
      sql: `SELECT id, group_key, kinds FROM ${incidents} WHERE group_key IN (${list.map(() => '?').join(', ')}) ORDER BY group_key${this.sql.skipLocked ? ' FOR UPDATE' : ''}`,
      params: list.map((g) => g.key),
      rows: true,
    }) as { id: number | string; group_key: string; kinds: string }[];
    const byKey = new Map(found.map((r) => [r.group_key, r]));
    const incidentOf = new Map<string, { id: number | string; kinds: string }>();
    for (const { e, key } of todo) incidentOf.set(e.id, byKey.get(key)!);
    // Only the links made now count (another collector, or an earlier run, may hold some already).
    const made = new Set(
      ((yield {
        sql: `INSERT INTO ${links} (event_id, incident_id) VALUES ${todo.map(() => '(?, CAST(? AS BIGINT))').join(', ')} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        params: todo.flatMap(({ e }) => [e.id, incidentOf.get(e.id)!.id]),
        rows: true,
      }) as { event_id: string }[]).map((r) => r.event_id),
    );
    const changes: unknown[][] = [];
    for (const g of list) {
      const mine = g.members.filter((e) => made.has(e.id));
      if (!mine.length) continue;
      const inc = byKey.get(g.key)!;
      const kinds = [...new Set([...inc.kinds.split(',').filter(Boolean), ...mine.map((e) => incidentKind(e)!)])].join(',');
      const times = mine.map((e) => Date.parse(e.time));
      // The deadline's start: when the collector heard of it, which no device clock moves.
      const heard = Math.min(...mine.map((e) => Date.parse(e.receivedAt)));
      // The latest event's PC name that it has (in arrival order, as one event at a time did).
      const deviceName = mine.reduce<string | null>((n, e) => e.deviceName ?? n, null);
      changes.push([inc.id, mine.length, kinds, Math.min(...times), Math.max(...times), heard, deviceName]);
    }
    if (changes.length) {
      // One statement for every incident of the batch (VALUES' columns are column1… on both back ends).
      yield {
        sql: `UPDATE ${incidents} SET event_count = event_count + v.column2, kinds = v.column3,
             opened_ms = CASE WHEN opened_ms > v.column4 THEN v.column4 ELSE opened_ms END, last_ms = CASE WHEN last_ms < v.column5 THEN v.column5 ELSE last_ms END,
             due_from_ms = CASE WHEN due_from_ms > v.column6 THEN v.column6 ELSE due_from_ms END, device_name = coalesce(v.column7, device_name)
           FROM (VALUES ${changes.map(() => '(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT))').join(', ')}) AS v
           WHERE ${incidents}.id = v.column1`,
        params: changes.flat(),
      };
    }
    const linked = made.size;
    return { read: rows.length, linked };
  }

  /**
   * How fast the incidents opened in [fromMs, toMs) were reported to the customer (guideline 4-1), for
   * the periodic report: how many were reported, how many within the agreed time, the median hours
   * (from the arrival of the first event, as the deadline).
   */
  async reporting(fromMs: number, toMs: number, reportHours: number): Promise<Reporting> {
    const rows = await this.sql.all<{ due_from_ms: number | string; reported_ms: number | string }>(
      `SELECT ${DUE_FROM} AS due_from_ms, reported_ms FROM ${this.t.incidents} WHERE opened_ms >= ? AND opened_ms < ? AND reported_ms IS NOT NULL`,
      [fromMs, toMs],
    );
    // A report may predate the arrival (the first event's time, which it may not precede, is the
    // device's: an offline PC's block reported before it synced): that is no time at all, not less.
    const hours = rows.map((r) => Math.max(0, Number(r.reported_ms) - Number(r.due_from_ms)) / 3_600_000).sort((a, b) => a - b);
    const mid = hours.length >> 1;
    const median = hours.length === 0 ? null : hours.length % 2 ? hours[mid]! : (hours[mid - 1]! + hours[mid]!) / 2;
    return { reported: hours.length, withinAgreed: hours.filter((h) => h <= reportHours).length, medianHours: median, agreedHours: reportHours };
  }

  /**
   * A page of incidents and how many match, counted up to TOTAL_COUNTED_UP_TO (or to the page's end,
   * further on): past it `moreThanTotal` says there are more. An exact count(*) read every matching row
   * for each page (PostgreSQL, 100,000 incidents: 13–20 ms of a 15–24 ms list, bench/incident-total.ts);
   * counting stops at the bound, and nobody pages through a thousand incidents to need the exact figure.
   */
  async list(q: IncidentListQuery, s: IncidentSettings, now: number): Promise<IncidentListPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    // Open incidents only, in deadline order: they are the head of the order's index (its first term is
    // 0 for them), so the page is the first matching entries of that index. SQLite chose the status
    // index instead and sorted every open incident for each page (100,000 incidents, 40,000 open: 8–12
    // ms a page, 13–18 ms at 2,000 in, bench/incident-total.ts); with the status out of its reach it
    // reads the order's index (0.6 and 1.6 ms). The total's count keeps the status index (it reads no order).
    const openInOrder = q.sort === 'deadline' && !!q.status?.length && q.status.every((x) => OPEN_STATUSES.includes(x));
    const pageWhere: string[] = [];
    if (q.status?.length) {
      const marks = q.status.map(() => '?').join(', ');
      where.push(`status IN (${marks})`);
      pageWhere.push(`${openInOrder ? this.sql.unindexed('status') : 'status'} IN (${marks})`);
      params.push(...q.status);
    }
    if (q.user !== undefined) {
      where.push('user_name = ?');
      pageWhere.push('user_name = ?');
      params.push(q.user);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const pw = pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : '';
    // Open ones first (by deadline, i.e. by first event's arrival), then the rest newest first; id breaks ties.
    const order =
      q.sort === 'deadline'
        ? `ORDER BY ${DEADLINE_ORDER_TERMS.join(', ')}`
        : 'ORDER BY opened_ms DESC, id DESC';
    const upTo = Math.max(TOTAL_COUNTED_UP_TO, q.offset + q.limit);
    const [rows, count] = await Promise.all([
      this.sql.all(`SELECT * FROM ${this.t.incidents} ${pw} ${order} LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]),
      this.sql.all<{ n: number | string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${this.t.incidents} ${w} LIMIT ?) AS matching`, [...params, upTo + 1]),
    ]);
    const n = Number(count[0]?.n ?? 0);
    return { incidents: rows.map((r) => toIncident(r, s, now)), total: Math.min(n, upTo), moreThanTotal: n > upTo };
  }

  async get(id: number, s: IncidentSettings, now: number): Promise<{ incident: Incident; events: StoredEvent[] } | null> {
    const row = (await this.sql.all(`SELECT * FROM ${this.t.incidents} WHERE id = ?`, [id]))[0];
    if (!row) return null;
    const events = await this.sql.all(
      `SELECT e.* FROM ${this.t.events} e JOIN ${this.t.links} l ON l.event_id = e.id WHERE l.incident_id = ? ORDER BY e.time_ms, e.id LIMIT 1000`,
      [id],
    );
    return { incident: toIncident(row, s, now), events: events.map(rowToEvent) };
  }

  /** Applies a triage change; `reported` without a time records now. Returns false when there is no such incident. */
  async update(id: number, p: IncidentPatch, now: number): Promise<boolean> {
    return (await this.sql.tx(this.updateTx(id, p, now))) === 'updated';
  }
  /**
   * update as a transaction's work (written with its audit entry: AccountStore.change). With
   * `ifUpdatedMs`, only if nobody saved the incident since (else 'conflict'): two people saving at once
   * silently lost the first one's status and notes (red team G10).
   */
  *updateTx(id: number, p: IncidentPatch, now: number, ifUpdatedMs?: number): TxWork<'updated' | 'missing' | 'conflict'> {
    const sets: string[] = ['updated_ms = ?'];
    const params: unknown[] = [now];
    const set = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      params.push(v);
    };
    if (p.status !== undefined) set('status', p.status);
    if (p.assignee !== undefined) set('assignee', p.assignee);
    if (p.severity !== undefined) set('severity', p.severity);
    if (p.notes !== undefined) set('notes', p.notes);
    if (p.reportedMs !== undefined) set('reported_ms', p.reportedMs);
    else if (p.status === 'reported') sets.push(`reported_ms = coalesce(reported_ms, ${Math.floor(now)})`);
    const guard = ifUpdatedMs === undefined ? '' : ' AND updated_ms = ?';
    if (((yield { sql: `UPDATE ${this.t.incidents} SET ${sets.join(', ')} WHERE id = ?${guard}`, params: [...params, id, ...(ifUpdatedMs === undefined ? [] : [ifUpdatedMs])] }) as number) === 1) {
      yield* this.withdrawAlertsTx(id);
      return 'updated';
    }
    if (ifUpdatedMs === undefined) return 'missing';
    const rows = (yield { sql: `SELECT id FROM ${this.t.incidents} WHERE id = ?`, params: [id], rows: true }) as unknown[];
    return rows.length ? 'conflict' : 'missing';
  }

  /**
   * An incident no longer open (reported, or closed) takes back its deadline alerts not yet delivered:
   * queued while the webhook was down, they went out once it was back, "overdue" about incidents
   * reported meanwhile. Its record of alerts queued is cleared with them, so reopened it is alerted again.
   */
  private *withdrawAlertsTx(id: number): TxWork<void> {
    const { incidents } = this.t;
    const done = (yield { sql: `SELECT id FROM ${incidents} WHERE id = ? AND (status NOT IN ('new', 'investigating') OR reported_ms IS NOT NULL)`, params: [id], rows: true }) as unknown[];
    if (!done.length) return;
    const withdrawn = (yield {
      sql: `DELETE FROM ${this.sql.t('outbox')} WHERE delivered_ms IS NULL AND channel = 'webhook' AND (ref LIKE ? OR ref LIKE ?)`,
      // ref = incident-deadline:<stage>:<id>:<deadline> (deadline.ts)
      params: [`incident-deadline:due-soon:${id}:%`, `incident-deadline:overdue:${id}:%`],
    }) as number;
    if (withdrawn) yield { sql: `UPDATE ${incidents} SET alert_stage = NULL, alert_due_ms = NULL WHERE id = ?`, params: [id] };
  }

  /**
   * Open incidents (not reported, not closed) whose deadline is at or before `by` and whose alert for
   * the stage they are at (overdue once the deadline is at or before `now`, else due soon) for this
   * deadline is not queued yet (`alerted`), oldest first. Not "the oldest open ones": those left open
   * and already alerted used to fill the page and keep every newer incident from its alerts.
   */
  async dueBy(by: number, s: IncidentSettings, now: number, limit = 500): Promise<Incident[]> {
    const span = reportMs(s);
    const rows = await this.sql.all(
      `SELECT * FROM ${this.t.incidents} WHERE status IN ('new', 'investigating') AND reported_ms IS NULL AND ${DUE_FROM} <= ?
         AND (alert_due_ms IS NULL OR alert_due_ms <> ${DUE_FROM} + ? OR alert_stage < CASE WHEN ${DUE_FROM} + ? <= ? THEN 2 ELSE 1 END)
       ORDER BY ${DUE_FROM}, id LIMIT ?`,
      // Whole ms: the due-soon mark is a quarter of any agreed time (1.0000001 h is allowed), and
      // PostgreSQL refuses a fractional bigint (every incident read failed with it).
      [Math.floor(by - span), span, span, Math.floor(now), limit],
    );
    return rows.map((r) => toIncident(r, s, now));
  }

  /** Records the deadline alerts queued (stage 1 due soon, 2 overdue; the deadline each was for), one transaction. */
  async alerted(done: readonly { id: number; stage: 1 | 2; deadlineMs: number }[]): Promise<void> {
    if (!done.length) return;
    const t = this.t.incidents;
    await this.sql.tx(
      (function* () {
        for (const d of done) yield { sql: `UPDATE ${t} SET alert_stage = ?, alert_due_ms = ? WHERE id = ?`, params: [d.stage, d.deadlineMs, d.id] };
      })(),
    );
  }
}

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
const isoOrNull = (ms: unknown) => (ms === null || ms === undefined ? null : iso(ms));

function toIncident(r: Record<string, unknown>, s: IncidentSettings, now: number): Incident {
  const opened = Number(r.opened_ms);
  const heard = r.due_from_ms === null || r.due_from_ms === undefined ? opened : Number(r.due_from_ms);
  const deadline = heard + reportMs(s);
  const open = (r.status === 'new' || r.status === 'investigating') && (r.reported_ms === null || r.reported_ms === undefined);
  return {
    id: Number(r.id),
    user: (r.user_name as string | null) ?? null,
    deviceId: String(r.device_id),
    deviceName: (r.device_name as string | null) ?? null,
    sha256: (r.sha256 as string | null) ?? null,
    fileName: (r.file_name as string | null) ?? null,
    service: (r.service as string | null) ?? null,
    day: String(r.day),
    kinds: String(r.kinds).split(',').filter(Boolean) as IncidentKind[],
    openedAt: iso(opened),
    receivedAt: iso(heard),
    lastAt: iso(r.last_ms),
    events: Number(r.event_count),
    status: r.status as IncidentStatus,
    assignee: (r.assignee as string | null) ?? null,
    severity: r.severity as Severity,
    notes: (r.notes as string | null) ?? null,
    reportedAt: isoOrNull(r.reported_ms),
    updatedAt: iso(r.updated_ms),
    deadline: iso(deadline),
    minutesLeft: open ? Math.floor((deadline - now) / 60_000) : null,
  };
}
