/**
 * The report's figures as CSV (UTF-8 with BOM, CRLF, formula-safe like every export): one row per line
 * of each breakdown, the section named in the first column, headers in the report's language.
 */
import { CSV_BOM, csvRow } from '../../events/encode.js';
import type { ReportData, Row, Tally } from './data.js';
import { WORDS, type ReportLang } from './i18n.js';

export function reportCsv(data: ReportData, lang: ReportLang): string {
  const w = WORDS[lang];
  const figures = (t: Tally) => [t.total, t.marked, t.unscannable, t.blocked, t.warned, t.proceeded, t.disputed];
  const out = [
    csvRow([w.period, `${data.range.fromDate} – ${data.range.lastDate}`, w.timeZone, data.range.tz]),
    csvRow([lang === 'ja' ? '区分' : 'Section', lang === 'ja' ? '項目' : 'Item', w.decisions, w.marked, w.unscannable, w.blocked, w.warned, w.proceeded, w.disputed, w.previous]),
    csvRow([w.summary, w.decisions, ...figures(data.totals), data.previousTotals.total]),
  ];
  const section = (name: string, rows: Row[], unknown: string, names?: Record<string, string>) => {
    for (const r of rows) out.push(csvRow([name, r.key === null ? unknown : (names?.[r.key] ?? r.label ?? r.key), ...figures(r), r.previous ?? '']));
  };
  // Department rows when events carry one; otherwise the page's note (why there are none, how to set it).
  if (data.departmentsKnown) section(w.byDepartment, data.byDepartment, w.unknownDepartment);
  else out.push(csvRow([w.byDepartment, w.noDepartments]));
  section(w.byUser, data.byUser, w.unknownUser);
  section(w.byService, data.byService, w.unknownService);
  section(w.byCategory, data.byCategory, w.unknownService, w.categories);
  section(w.byRule, data.byRule, w.noRule, w.ruleNames);
  for (const d of data.byDay) out.push(csvRow([w.trend, d.day, d.count, '', '', '', '', '', '', '']));
  const pad = ['', '', '', '', '', ''];
  out.push(csvRow([w.incidents, w.incidentCount, data.incidents.count, ...pad, data.incidents.previous]));
  out.push(csvRow([w.incidents, w.high, data.incidents.bySeverity.high, ...pad, '']));
  out.push(csvRow([w.incidents, w.medium, data.incidents.bySeverity.medium, ...pad, '']));
  const rep = data.incidents.reporting;
  if (rep) {
    out.push(csvRow([w.reporting, w.reported, rep.reported, ...pad, '']));
    out.push(csvRow([w.reporting, w.withinAgreed, rep.withinAgreed, ...pad, '']));
    out.push(csvRow([w.reporting, w.medianHours, rep.medianHours === null ? '' : rep.medianHours.toFixed(1), ...pad, '']));
  }
  for (const d of data.staleDevices) out.push(csvRow([w.staleDevices, d.deviceId, d.user ?? w.unknownUser, d.lastSeen, `${d.silentMinutes} ${w.minutes}`, d.department ?? '']));
  return CSV_BOM + out.join('');
}
