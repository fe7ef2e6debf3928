/**
 * The report as a document: headings, figures, charts and tables in words, built once from the data
 * and drawn by html.ts and pdf.ts, so the two say the same. Values are plain strings here; each renderer
 * makes them safe for its medium (HTML escaping, PDF text).
 */
import type { ReportData, Row, Tally } from './data.js';
import { WORDS, change, localTime, num, type ReportLang, type ReportWords } from './i18n.js';

export interface Kpi {
  label: string;
  value: string;
  change?: string;
}

export interface BarChart {
  /** One bar per item; `part` is the darker share drawn inside it (e.g. attempts among decisions). */
  items: { label: string; value: number; part?: number }[];
  /** Words under the chart explaining the bars. */
  legend: string;
  /** Horizontal bars with labels (breakdowns) or columns (days). */
  layout: 'rows' | 'columns';
}

export interface Table {
  head: string[];
  /** Which columns are figures (right-aligned). */
  numeric: boolean[];
  rows: string[][];
}

export interface Section {
  heading: string;
  note?: string;
  kpis?: Kpi[];
  chart?: BarChart;
  table?: Table;
  /** What to say when there is nothing to show. */
  empty?: string;
}

export interface ReportDoc {
  lang: ReportLang;
  title: string;
  subtitle: string;
  meta: [string, string][];
  sections: Section[];
}

function tallyTable(w: ReportWords, lang: ReportLang, first: string, rows: Row[], withPrevious: boolean): Table {
  const head = [first, w.decisions, w.marked, w.unscannable, w.blocked, w.warned, w.proceeded, w.disputed, ...(withPrevious ? [w.change] : [])];
  return {
    head,
    numeric: head.map((_, i) => i > 0),
    rows: rows.map((r) => [
      r.label ?? '',
      ...[r.total, r.marked, r.unscannable, r.blocked, r.warned, r.proceeded, r.disputed].map((n) => num(n, lang)),
      ...(withPrevious ? [change(r.total, r.previous ?? 0, lang)] : []),
    ]),
  };
}

const attempts = (t: Tally) => t.marked + t.unscannable;

function rowsChart(rows: Row[], legend: string): BarChart {
  return { layout: 'rows', legend, items: rows.slice(0, 12).map((r) => ({ label: r.label ?? '', value: r.total, part: attempts(r) })) };
}

export function reportDoc(data: ReportData, lang: ReportLang): ReportDoc {
  const w = WORDS[lang];
  const { range } = data;
  const t = data.totals;
  const p = data.previousTotals;
  const label = (rows: Row[], unknown: string, names?: Record<string, string>) => rows.map((r) => ({ ...r, label: r.key === null ? unknown : (names?.[r.key] ?? r.label ?? r.key) }));
  const departments = label(data.byDepartment, w.unknownDepartment);
  const users = label(data.byUser, w.unknownUser);
  const services = label(data.byService, w.unknownService);
  const categories = label(data.byCategory, w.unknownService, w.categories);
  const rules = label(data.byRule, w.noRule, w.ruleNames);
  const legend = `${w.decisions} / ${w.attempts}`;
  const rep = data.incidents.reporting;
  return {
    lang,
    title: w.title,
    subtitle: w.subtitle,
    meta: [
      [w.period, `${range.fromDate} – ${range.lastDate}`],
      [w.timeZone, range.tz],
      [w.previous, `${localTime(new Date(range.prevFromMs).toISOString(), range.tz).slice(0, 10)} – ${localTime(new Date(range.prevToMs - 1).toISOString(), range.tz).slice(0, 10)}`],
      [w.generated, localTime(data.generatedAt, range.tz)],
    ],
    sections: [
      {
        heading: w.summary,
        kpis: [
          { label: w.decisions, value: num(t.total, lang), change: change(t.total, p.total, lang) },
          { label: w.attempts, value: num(attempts(t), lang), change: change(attempts(t), attempts(p), lang) },
          { label: w.blocked, value: num(t.blocked, lang), change: change(t.blocked, p.blocked, lang) },
          { label: w.warned, value: num(t.warned, lang), change: change(t.warned, p.warned, lang) },
          { label: w.proceeded, value: num(t.proceeded, lang), change: change(t.proceeded, p.proceeded, lang) },
          { label: w.unscannable, value: num(t.unscannable, lang), change: change(t.unscannable, p.unscannable, lang) },
          { label: w.disputed, value: num(t.disputed, lang), change: change(t.disputed, p.disputed, lang) },
          { label: w.incidentCount, value: num(data.incidents.count, lang), change: change(data.incidents.count, data.incidents.previous, lang) },
        ],
      },
      {
        heading: w.trend,
        chart: { layout: 'columns', legend: w.trendNote, items: data.byDay.map((d) => ({ label: d.day.slice(5).replace('-', '/'), value: d.count, part: d.attempts })) },
      },
      data.departmentsKnown
        ? {
            heading: w.byDepartment,
            chart: rowsChart(departments, legend),
            table: tallyTable(w, lang, w.department, departments, true),
            empty: w.none,
          }
        : { heading: w.byDepartment, note: w.noDepartments },
      {
        heading: w.byUser,
        chart: users.length ? rowsChart(users, legend) : undefined,
        table: tallyTable(w, lang, w.user, users, false),
        empty: w.none,
      },
      { heading: w.byService, chart: services.length ? rowsChart(services, legend) : undefined, table: tallyTable(w, lang, w.service, services, true), empty: w.none },
      { heading: w.byCategory, table: tallyTable(w, lang, w.category, categories, false), empty: w.none },
      { heading: w.byRule, table: tallyTable(w, lang, w.rule, rules, false), empty: w.none },
      {
        heading: w.incidents,
        note: w.incidentNote,
        kpis: [
          { label: w.incidentCount, value: num(data.incidents.count, lang), change: change(data.incidents.count, data.incidents.previous, lang) },
          { label: w.high, value: num(data.incidents.bySeverity.high, lang) },
          { label: w.medium, value: num(data.incidents.bySeverity.medium, lang) },
        ],
      },
      {
        heading: w.reporting,
        note: rep ? undefined : w.reportingUnknown,
        kpis: rep
          ? [
              { label: w.reported, value: num(rep.reported, lang) },
              { label: w.withinAgreed, value: num(rep.withinAgreed, lang) },
              { label: w.medianHours, value: rep.medianHours === null ? '—' : `${rep.medianHours.toFixed(1)} ${w.hours}` },
            ]
          : undefined,
      },
      {
        heading: w.topIncidents,
        // The bound, and who it left out: one user's many incidents cannot make the others disappear.
        note: [w.topIncidentsNote, data.incidents.usersNotShown ? w.usersNotShown.replace('{n}', num(data.incidents.usersNotShown, lang)) : ''].filter(Boolean).join(' '),
        table: {
          head: [w.day, w.user, w.file, w.events, w.userIncidents],
          numeric: [false, false, false, true, true],
          rows: data.incidents.top.map((i) => [i.day, i.user ?? w.unknownUser, i.file ?? '', num(i.events, lang), num(i.userIncidents, lang)]),
        },
        empty: w.none,
      },
      {
        heading: `${w.staleDevices} (${localTime(data.staleAsOf, range.tz)} ${w.staleAsOf})`,
        table: {
          head: [w.device, w.user, w.department, w.lastSeen, w.silent, w.version],
          numeric: [false, false, false, false, true, false],
          rows: data.staleDevices.map((d) => [
            d.deviceId,
            d.user ?? w.unknownUser,
            d.department ?? '',
            localTime(d.lastSeen, range.tz),
            `${num(d.silentMinutes, lang)} ${w.minutes}`,
            d.extensionVersion,
          ]),
        },
        empty: w.noStale,
      },
    ],
  };
}
