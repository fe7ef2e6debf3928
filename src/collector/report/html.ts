/**
 * The report as one printable HTML page: no script, no external resource, charts as inline SVG with
 * their figures written on them (an auditor reads the numbers, not pixel heights), every value escaped.
 * The stylesheet is fixed, so the page's CSP allows exactly it by hash (REPORT_CSP), also when the file
 * is opened from disk (the same policy is in a meta element).
 */
import { createHash } from 'node:crypto';
import { inertKeepLines } from '../../events/inert.js';
import type { BarChart, ReportDoc, Section, Table } from './model.js';

const CSS = `
body{font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic","Meiryo",sans-serif;color:#1a1a1a;margin:24px auto;max-width:980px;padding:0 16px;line-height:1.5}
h1{font-size:22px;margin:0}h2{font-size:17px;border-bottom:2px solid #1f4e79;padding-bottom:2px;margin:28px 0 8px;break-after:avoid}
.sub{color:#555;margin:2px 0 12px}dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dl.meta dt{color:#555}dl.meta dd{margin:0}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}.kpi{border:1px solid #ccd;padding:6px 8px;border-radius:4px}
.kpi .l{font-size:12px;color:#555}.kpi .v{font-size:20px;font-weight:bold}.kpi .c{font-size:12px;color:#555}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin-top:6px}th,td{border:1px solid #ccd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef2f7}td.n,th.n{text-align:right;white-space:nowrap}.note{color:#555;font-size:12.5px;margin:4px 0}
svg{display:block;max-width:100%;height:auto}svg text{font-size:11px;fill:#1a1a1a}.legend{font-size:12px;color:#555}
section{break-inside:avoid-page}@media print{body{margin:0;max-width:none}h2{margin-top:18px}}
`;

const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** The page's policy: its own stylesheet only; no script, image, font, frame or form. */
const META_CSP = `default-src 'none'; style-src ${CSS_HASH}; base-uri 'none'; form-action 'none'`;
/** As a header it also refuses framing (a meta element cannot say frame-ancestors). */
export const REPORT_CSP = `${META_CSP}; frame-ancestors 'none'`;

/** Text for HTML: escaped, and controls, bidi overrides and line separators shown as [U+XXXX]. */
export function esc(s: string): string {
  return inertKeepLines(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BAR = '#9db7d5';
const PART = '#1f4e79';

function rowsChart(c: BarChart): string {
  const labelW = 220;
  const width = 900;
  const rowH = 22;
  const barMax = width - labelW - 90;
  const max = Math.max(1, ...c.items.map((i) => i.value));
  const bars = c.items
    .map((it, i) => {
      const y = i * rowH + 4;
      const w = (it.value / max) * barMax;
      const pw = ((it.part ?? 0) / max) * barMax;
      const label = it.label.length > 30 ? `${it.label.slice(0, 29)}…` : it.label;
      return (
        `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(label)}</text>` +
        `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${BAR}"/>` +
        `<rect x="${labelW}" y="${y + 2}" width="${pw.toFixed(1)}" height="${rowH - 6}" fill="${PART}"/>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 14}">${it.value.toLocaleString('en-US')} / ${(it.part ?? 0).toLocaleString('en-US')}</text>`
      );
    })
    .join('');
  const h = c.items.length * rowH + 8;
  return `<svg viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="${esc(c.legend)}">${bars}</svg>`;
}

function columnsChart(c: BarChart): string {
  const width = 900;
  const height = 200;
  const top = 18;
  const bottom = 36;
  const n = Math.max(1, c.items.length);
  const slot = (width - 40) / n;
  const max = Math.max(1, ...c.items.map((i) => i.value));
  const scale = (v: number) => (v / max) * (height - top - bottom);
  const cols = c.items
    .map((it, i) => {
      const x = 30 + i * slot;
      const h = scale(it.value);
      const ph = scale(it.part ?? 0);
      const base = height - bottom;
      const every = Math.ceil(n / 16); // at most ~16 date labels, so they stay readable
      return (
        `<rect x="${(x + slot * 0.15).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${BAR}"/>` +
        `<rect x="${(x + slot * 0.15).toFixed(1)}" y="${(base - ph).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${ph.toFixed(1)}" fill="${PART}"/>` +
        (it.value > 0 ? `<text x="${(x + slot / 2).toFixed(1)}" y="${(base - h - 3).toFixed(1)}" text-anchor="middle" font-size="9">${it.value}</text>` : '') +
        (i % every === 0 ? `<text x="${(x + slot / 2).toFixed(1)}" y="${base + 14}" text-anchor="middle" font-size="9">${esc(it.label)}</text>` : '')
      );
    })
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(c.legend)}"><line x1="30" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#888"/>${cols}</svg>`;
}

function table(t: Table): string {
  const cls = (i: number) => (t.numeric[i] ? ' class="n"' : '');
  const head = t.head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((v, i) => `<td${cls(i)}>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function section(s: Section): string {
  const parts = [`<h2>${esc(s.heading)}</h2>`];
  if (s.note) parts.push(`<p class="note">${esc(s.note)}</p>`);
  if (s.kpis) {
    parts.push(
      `<div class="kpis">${s.kpis.map((k) => `<div class="kpi"><div class="l">${esc(k.label)}</div><div class="v">${esc(k.value)}</div>${k.change ? `<div class="c">${esc(k.change)}</div>` : ''}</div>`).join('')}</div>`,
    );
  }
  if (s.chart && s.chart.items.length) {
    parts.push(s.chart.layout === 'rows' ? rowsChart(s.chart) : columnsChart(s.chart));
    parts.push(`<p class="legend">${esc(s.chart.legend)}</p>`);
  }
  if (s.table) parts.push(s.table.rows.length ? table(s.table) : `<p class="note">${esc(s.empty ?? '')}</p>`);
  return `<section>${parts.join('')}</section>`;
}

export function reportHtml(doc: ReportDoc): string {
  return (
    `<!doctype html><html lang="${doc.lang}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${esc(META_CSP)}">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(doc.title)} ${esc(doc.meta[0]![1])}</title><style>${CSS}</style></head><body>` +
    `<h1>${esc(doc.title)}</h1><p class="sub">${esc(doc.subtitle)}</p>` +
    `<dl class="meta">${doc.meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` +
    doc.sections.map(section).join('') +
    `</body></html>\n`
  );
}
