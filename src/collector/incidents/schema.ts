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
