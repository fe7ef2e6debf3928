/**
 * The incident tables (guideline 4-1), one migration per back end (appended to the MIGRATIONS arrays of
 * sqlite.ts and postgres.ts). An incident groups the events of one user, one file (SHA-256, else its
 * name) and one local day; each event belongs to at most one incident (incident_events' key).
 */
const table = (id: string, big: string) => `CREATE TABLE incidents (
    id ${id},
    group_key TEXT NOT NULL UNIQUE,
    user_name TEXT,
    device_id TEXT NOT NULL,
    device_name TEXT,
    sha256 TEXT,
    file_name TEXT,
    service TEXT,
    day TEXT NOT NULL,
    kinds TEXT NOT NULL DEFAULT '',
    opened_ms ${big} NOT NULL,
    last_ms ${big} NOT NULL,
    event_count INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new',
    assignee TEXT,
    severity TEXT NOT NULL DEFAULT 'medium',
    notes TEXT,
    reported_ms ${big},
    updated_ms ${big} NOT NULL
  );
  CREATE INDEX incidents_opened ON incidents (opened_ms, id);
  CREATE INDEX incidents_status ON incidents (status, opened_ms);
  CREATE INDEX incidents_user ON incidents (user_name, opened_ms);
  CREATE TABLE incident_events (event_id TEXT PRIMARY KEY, incident_id ${big} NOT NULL);
  CREATE INDEX incident_events_incident ON incident_events (incident_id);
  CREATE INDEX events_received ON events (received_ms, id);`;

export const SQLITE_INCIDENTS_MIGRATION = table('INTEGER PRIMARY KEY', 'INTEGER');
export const PG_INCIDENTS_MIGRATION = table('BIGSERIAL PRIMARY KEY', 'BIGINT');

/**
 * Which stored events open or join an incident (the SQL twin of incidentKind in store.ts). The partial
 * index below and sync's query spell it identically: both back ends use a partial index only for a
 * query whose WHERE contains the index's own terms.
 */
export const QUALIFIES = `(action = 'block' OR outcome IN ('proceeded', 'disputed') OR (verdict = 'unscannable' AND relates_to IS NULL AND outcome <> 'cancelled'))`;

/** What sync reads: a qualifying event no sync has linked yet. */
export const UNLINKED = `incident_linked = 0 AND ${QUALIFIES}`;

/**
 * link14 (F13): an event is linked to its incident by "not yet linked", not by a watermark on its arrival
 * time. Arrival times are each collector's wall clock: with two collectors on one PostgreSQL, one 5 min
 * behind, or after a clock step back, events landed behind the watermark and never became incidents
 * (acknowledged, stored, no deadline, no alert). A flag set in the linking transaction cannot be
 * skipped whatever the clocks or the order transactions commit in. The partial index holds only the
 * qualifying events not yet linked, so a sync reads the work to do, not the millions of events done.
 * Events already linked by the watermark are marked linked; a qualifying event the watermark skipped is
 * not, and the next sync links it (the incidents the bug lost come back). ADD COLUMN with a constant
 * default rewrites no rows on either back end. The watermark's index over every event goes: nothing else
 * reads events by arrival, and ingest no longer writes it.
 */
export const incidentLinkMigration = (flag: string) => `ALTER TABLE events ADD COLUMN incident_linked ${flag} NOT NULL DEFAULT 0;
  UPDATE events SET incident_linked = 1 WHERE id IN (SELECT event_id FROM incident_events);
  CREATE INDEX events_unlinked ON events (received_ms, id) WHERE ${UNLINKED};
  DROP INDEX events_received;
  DELETE FROM meta WHERE key = 'incidents.watermark';`;

/**
 * due16 (red team collector6 #1): an incident's deadline runs from when a collector received its first
 * event (due_from_ms, the collector's clock), not from the time its device claimed (opened_ms, still
 * what the list shows as when it happened). A device whose clock was 20 h behind, well inside the 30
 * days an event time is believed, opened incidents already 20 h into their 24: due soon, or overdue,
 * before anyone could have seen them. Incidents opened before the upgrade keep the deadline they had
 * (their alerts, named by it, were sent). ADD COLUMN without a default rewrites no rows.
 */
export const incidentDueMigration = (big: string) => `ALTER TABLE incidents ADD COLUMN due_from_ms ${big};
  UPDATE incidents SET due_from_ms = opened_ms;
  CREATE INDEX incidents_due ON incidents (status, due_from_ms);`;

/**
 * alerted18 (red team collector6 #3): the deadline alert last queued for an incident: its stage
 * (1 due soon, 2 overdue) and the deadline it was for. The refresh takes only incidents whose alert
 * for the stage they are at is not queued yet: it took the 500 oldest open incidents past the due-soon
 * mark, so with 500 open and overdue no newer one was ever alerted, and after the purge of delivered
 * alerts (7 days) the same overdue alert was queued again every week. Nothing is set for the incidents
 * already there: each gets its current alert queued once more (dropped when the outbox still holds it).
 */
export const incidentAlertedMigration = (small: string, big: string) => `ALTER TABLE incidents ADD COLUMN alert_stage ${small};
  ALTER TABLE incidents ADD COLUMN alert_due_ms ${big};`;

/**
 * The list's default order, open incidents nearest their deadline first, then the rest newest first
 * (IncidentStore.list spells it with this constant), and order21, the index of exactly these terms: both
 * back ends read a page of the list from it instead of sorting every incident for each page (EXPLAIN
 * ANALYZE on PostgreSQL, 100,000 incidents: 99 ms for the first 50, a parallel scan and sort of them all).
 */
export const DEADLINE_ORDER_TERMS = [
  `CASE WHEN status IN ('new', 'investigating') THEN 0 ELSE 1 END`,
  `CASE WHEN status IN ('new', 'investigating') THEN coalesce(due_from_ms, opened_ms) ELSE -opened_ms END`,
  'id',
] as const;
export const incidentOrderMigration = `CREATE INDEX IF NOT EXISTS incidents_deadline_order ON incidents (${DEADLINE_ORDER_TERMS.map((t) => `(${t})`).join(', ')});`;
