import { inertText } from '../../events/inert.js';
/** Inline-SVG bar charts: no chart library, nothing that needs inline styles or scripts. */
import type { Summary } from '../storage/types.js';
import type { Strings } from './i18n.js';

export function ServiceChart({ data, unknown }: { data: Summary['byService']; unknown: string }) {
  const rows = data.slice(0, 12);
  const max = Math.max(1, ...rows.map((r) => r.count));
  const rowH = 22;
  const labelW = 140;
  const barW = 260;
  return (
    <svg class="chart" role="img" width={labelW + barW + 60} height={rows.length * rowH + 4} data-testid="chart-service">
      {rows.map((r, i) => (
        <g key={r.service ?? '-'} transform={`translate(0 ${i * rowH})`}>
          <text x={labelW - 6} y={15} text-anchor="end" class="label">
            {inertText(r.serviceName ?? r.service ?? unknown)}
          </text>
          <rect x={labelW} y={4} height={14} width={Math.max(1, (r.count / max) * barW)} class="bar" />
          <text x={labelW + (r.count / max) * barW + 6} y={15} class="value">
            {r.count}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function DayChart({ data }: { data: Summary['byDay'] }) {
  const days = data.slice(-60);
  const max = Math.max(1, ...days.map((d) => d.count));
  const h = 120;
  const colW = Math.max(6, Math.min(24, Math.floor(600 / Math.max(1, days.length))));
  return (
    <svg class="chart" role="img" width={Math.max(200, days.length * colW + 40)} height={h + 30} data-testid="chart-day">
      {days.map((d, i) => {
        const bh = Math.max(1, (d.count / max) * h);
        return (
          <g key={d.day}>
            <rect x={i * colW + 2} y={h - bh + 4} width={colW - 2} height={bh} class="bar">
              <title>{`${d.day}: ${d.count}`}</title>
            </rect>
            {(i === 0 || i === days.length - 1) && (
              <text x={i * colW + 2} y={h + 22} class="label">
                {d.day.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** The summary's two charts (per service with the total, per day), as every view that has a summary shows them. */
export function SummaryCharts({ t, summary }: { t: Strings; summary: Summary }) {
  return (
    <section class="charts">
      <div>
        <h2>
          {t.perService} ({t.total}: <span data-testid="total">{summary.total}</span>)
        </h2>
        <ServiceChart data={summary.byService} unknown={t.unknown} />
      </div>
      <div>
        <h2>{t.perDay}</h2>
        <DayChart data={summary.byDay} />
      </div>
    </section>
  );
}
