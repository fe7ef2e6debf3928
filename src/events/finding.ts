/**
 * What the in-page guard reports about one file or one text: metadata only. This is everything that
 * crosses from the page to the background, and so everything an event can know about the item.
 * Never document text: no excerpt, no matched words (the employee's dialog quotes those from the page).
 */
import type { Location, Rule } from '../detect/types.js';
import type { Channel, Verdict } from './schema.js';

export interface Finding {
  channel: Channel;
  /** The page's URL (origin + path; the query string is dropped before it is sent anywhere). */
  url: string;
  /** File name as the page gave it (a path inside a dropped folder), or null for text. */
  fileName: string | null;
  /** Bytes (files) or characters (text). */
  size: number;
  /** Lowercase hex SHA-256 of the file, when computed. */
  sha256: string | null;
  verdict: Verdict;
  /** The matched rule: present exactly when the verdict is marked. */
  rule: Rule | null;
  /** The engine's machine-readable cause (`stamp`, `name`, `keyword`, …, or the unscannable reason). */
  reason: string | null;
  /**
   * Where inside the file (members, part, page, sheet…), or null. Made into the event's text by the
   * background (location.ts), so that the code in every frame stays small.
   */
  location: Location | null;
  /**
   * Whether the file is a password-protected archive, PDF or Office file: checked only where a
   * sanctioned destination requires encryption, null elsewhere (and for text). Not an event field: it
   * decides the action, which the event records.
   */
  encrypted?: boolean | null;
}

const FIELDS = ['channel', 'url', 'fileName', 'size', 'sha256', 'verdict', 'rule', 'reason', 'location', 'encrypted'] as const;

/**
 * A finding as received from a page, checked and reduced to its known fields (anything else, such
 * as document text an older guard sent, is dropped here). Null when it is not a finding at all, or a
 * marked verdict without its rule: no event is ever given a rule it did not have.
 */
export function parseFinding(raw: unknown): Finding | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const str = (v: unknown) => typeof v === 'string';
  const strOrNull = (v: unknown) => v === null || typeof v === 'string';
  if (!str(r.channel) || !str(r.url) || !strOrNull(r.fileName) || typeof r.size !== 'number') return null;
  if (!strOrNull(r.sha256) || !strOrNull(r.reason)) return null;
  if (r.encrypted !== undefined && r.encrypted !== null && typeof r.encrypted !== 'boolean') return null;
  if (r.verdict !== 'marked' && r.verdict !== 'clean' && r.verdict !== 'unscannable') return null;
  const ruled = r.rule === 1 || r.rule === 2 || r.rule === 3;
  if (r.verdict === 'marked' ? !ruled : r.rule !== null && r.rule !== undefined) return null;
  const out = Object.fromEntries(FIELDS.map((k) => [k, r[k] ?? null])) as unknown as Finding;
  // A location that is not one is dropped, not the finding: the decision is recorded all the same.
  out.location = parseLocation(r.location);
  return out;
}

const STR = (v: unknown): v is string => typeof v === 'string';
const COUNT = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/** A Location as sent by a page, its known fields only, checked one by one; null for anything else. */
export function parseLocation(raw: unknown): Location | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (!Array.isArray(r.path) || !r.path.every(STR)) return null;
  const loc: Location = { path: [...(r.path as string[])] };
  for (const k of ['part', 'sheet', 'table', 'cell', 'area'] as const) if (STR(r[k])) loc[k] = r[k];
  for (const k of ['page', 'slide'] as const) if (COUNT(r[k])) loc[k] = r[k];
  if (r.notes === true) loc.notes = true;
  return loc;
}
