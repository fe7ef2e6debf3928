/**
 * The CSV admins open in Excel: one row per decision. A warning and the employee's answer to it are
 * separate events (the answer names the warning in relatesTo); here they are one row with the answer's
 * outcome, time and reason. Headers in Japanese (default) or English, times in the admin's zone with
 * their offset, services by display name, values as words. Cells are neutralised as in every export
 * (csvCell: formulas stay text, controls and bidi overrides visible).
 */
import { CSV_BOM, csvRow } from '../events/encode.js';
import type { StoredEvent } from '../events/schema.js';
import { serviceName } from './service-names.js';
import type { EventPage, EventQuery } from './storage/types.js';
import { isoInZone } from './time-zone.js';
import { ACTION_WORDS, CATEGORY_WORDS, CHANNEL_WORDS, OUTCOME_WORDS, RULE_WORDS, VERDICT_WORDS, reasonWord, word, type Lang } from './words.js';
import { locationWords } from '../events/location-words.js';

interface Column {
  ja: string;
  en: string;
  value: (d: Decision, o: CsvOptions) => unknown;
}

/** A decision and, for a warning, the employee's answer (null while unanswered). */
export interface Decision {
  event: StoredEvent;
  answer: StoredEvent | null;
  /** Other answers to the same warning that say something else (outcome or reason): shown, never dropped. */
  others?: StoredEvent[];
}

export interface CsvOptions {
  lang: Lang;
  zone: string;
}

const at = (iso: string | null | undefined, zone: string) => (iso ? isoInZone(Date.parse(iso), zone) : null);

const COLUMNS: Column[] = [
  { ja: '日時', en: 'Time', value: (d, o) => at(d.event.time, o.zone) },
  { ja: 'ユーザー', en: 'User', value: (d) => d.event.user },
  { ja: 'PC名', en: 'PC name', value: (d) => d.event.deviceName ?? null },
  { ja: '端末ID', en: 'Device ID', value: (d) => d.event.deviceId },
  { ja: '部署', en: 'Department', value: (d) => d.event.department ?? null },
  // From the collector's own catalogue: any device could put any serviceName in an event.
  { ja: 'サービス', en: 'Service', value: (d) => serviceName(d.event.service) ?? d.event.service },
  { ja: 'カテゴリー', en: 'Category', value: (d, o) => word(CATEGORY_WORDS, d.event.category, o.lang) },
  { ja: '経路', en: 'Channel', value: (d, o) => word(CHANNEL_WORDS, d.event.channel, o.lang) },
  { ja: 'ファイル名', en: 'File name', value: (d) => d.event.fileName },
  { ja: 'サイズ', en: 'Size', value: (d) => d.event.size },
  { ja: 'SHA-256', en: 'SHA-256', value: (d) => d.event.sha256 },
  { ja: '判定', en: 'Verdict', value: (d, o) => word(VERDICT_WORDS, d.event.verdict, o.lang) },
  { ja: 'ルール', en: 'Rule', value: (d, o) => (d.event.rule ? word(RULE_WORDS, String(d.event.rule), o.lang) : null) },
  { ja: '理由', en: 'Reason', value: (d, o) => reasonWord(d.event.reason, o.lang) },
  { ja: '該当箇所', en: 'Where in the file', value: (d, o) => locationWords(d.event.location, o.lang) },
  { ja: '処置', en: 'Action', value: (d, o) => word(ACTION_WORDS, d.event.action, o.lang) },
  { ja: '結果', en: 'Outcome', value: (d, o) => word(OUTCOME_WORDS, (d.answer ?? d.event).outcome, o.lang) },
  { ja: '回答日時', en: 'Answered at', value: (d, o) => at(d.answer?.time, o.zone) },
  { ja: 'コメント・理由', en: 'Comment / reason', value: (d, o) => withOthers((d.answer ?? d.event).justification, d.others, o) },
  { ja: '関連するイベント', en: 'Related event', value: (d) => d.event.relatesTo },
  { ja: 'イベントID', en: 'Event ID', value: (d) => d.event.id },
  { ja: '受信日時', en: 'Received', value: (d, o) => at(d.event.receivedAt, o.zone) },
  // Filled only when the device's clock was implausible (far ahead or behind): 日時 is then the arrival.
  { ja: '端末が報告した日時（不自然なため受信日時で記録）', en: 'Time the device claimed (implausible: stored at receipt)', value: (d, o) => at(d.event.claimedTime, o.zone) },
];

/** The reason, then each conflicting answer on a line of its own: its outcome, time and reason. */
function withOthers(reason: string | null, others: readonly StoredEvent[] | undefined, o: CsvOptions): string | null {
  if (!others?.length) return reason;
  const label = o.lang === 'ja' ? '別の回答' : 'Another answer';
  const lines = others.map((a) => `[${label}: ${word(OUTCOME_WORDS, a.outcome, o.lang)} ${at(a.time, o.zone)}${a.justification ? ` ${a.justification}` : ''}]`);
  return [reason ?? '', ...lines].join('\n');
}

export function decisionsCsvHead(lang: Lang): string {
  return CSV_BOM + csvRow(COLUMNS.map((c) => c[lang]));
}

export function decisionsCsvRows(decisions: readonly Decision[], o: CsvOptions): string {
  return decisions.map((d) => csvRow(COLUMNS.map((c) => c.value(d, o)))).join('');
}

/** An employee's answer to a warning (not a dispute, which is a request of its own). */
export const isAnswer = (e: StoredEvent) => e.relatesTo !== null && (e.outcome === 'proceeded' || e.outcome === 'cancelled');

/**
 * One page of events as decisions: answers are folded into their warning; an answer whose warning is
 * stored but not on this page (answered after the range ended, or on another page) is dropped here, as
 * it is shown with its warning; an answer whose warning was never stored stays a row of its own.
 */
/** Pages of answers read per kind for one page of events (1,000 each). */
const ANSWER_PAGES = 5;

export async function toDecisions(events: readonly StoredEvent[], query: (q: EventQuery) => Promise<EventPage>): Promise<Decision[]> {
  const warnings = events.filter((e) => e.outcome === 'pending').map((e) => e.id);
  const answerTargets = [...new Set(events.filter(isAnswer).map((e) => e.relatesTo!))];
  // "Sent anyway" and "not sent" are read apart, each page after page (up to ANSWER_PAGES): a flood of
  // one kind (1,000 "cancelled" sent to a warning) cannot push the other out of what is read, nor crowd
  // out the answers to the other warnings of the page (collector round 4 M2).
  const answersTo = async (outcome: 'proceeded' | 'cancelled') => {
    const out: StoredEvent[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < ANSWER_PAGES && warnings.length; n++) {
      const page: EventPage = await query({ relatesTo: warnings, outcome: [outcome], sort: 'time', limit: 1000, cursor });
      out.push(...page.events);
      if (!(cursor = page.nextCursor)) break;
    }
    return out;
  };
  const [proceeded, cancelled, targets] = await Promise.all([
    answersTo('proceeded'),
    answersTo('cancelled'),
    answerTargets.length ? query({ ids: answerTargets, limit: 1000 }) : null,
  ]);
  const answersOf = new Map<string, StoredEvent[]>();
  for (const a of [...proceeded, ...cancelled]) answersOf.set(a.relatesTo!, [...(answersOf.get(a.relatesTo!) ?? []), a]);
  const stored = new Set(targets?.events.map((e) => e.id));
  return events
    .filter((e) => !(isAnswer(e) && stored.has(e.relatesTo!)))
    .map((e) => {
      const [answer, ...rest] = answerOrder(answersOf.get(e.id) ?? []);
      // A resend of the same answer has another id but says the same: not a conflict.
      const others = rest.filter((a) => a.outcome !== answer!.outcome || a.justification !== answer!.justification);
      return { event: e, answer: answer ?? null, ...(others.length ? { others } : {}) };
    });
}

/**
 * Which answer counts when a warning has several: "sent anyway" before "not sent" (a send cannot be
 * undone, and a later "cancelled" is not believed over it), then the one the collector received first,
 * then the device's time. Before, the device-claimed time alone decided, so a second "cancelled" dated a
 * few seconds before the real answer rewrote "sent with a reason" into "not sent" and its justification
 * disappeared from the admin page and the CSV (red team G4); the others are now shown beside it.
 */
export function answerOrder(answers: readonly StoredEvent[]): StoredEvent[] {
  const rank = (a: StoredEvent) => (a.outcome === 'proceeded' ? 0 : 1);
  const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : 0);
  return [...answers].sort((a, b) => rank(a) - rank(b) || ms(a.receivedAt) - ms(b.receivedAt) || ms(a.time) - ms(b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The decisions CSV of a paged export, a page at a time. */
export async function* decisionsCsv(
  first: EventPage,
  next: (cursor: string) => Promise<EventPage>,
  query: (q: EventQuery) => Promise<EventPage>,
  o: CsvOptions,
): AsyncGenerator<string> {
  yield decisionsCsvHead(o.lang);
  for (let page = first; ; page = await next(page.nextCursor!)) {
    const chunk = decisionsCsvRows(await toDecisions(page.events, query), o);
    if (chunk) yield chunk;
    if (!page.nextCursor) return;
  }
}
