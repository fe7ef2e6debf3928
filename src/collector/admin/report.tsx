/**
 * The periodic report's download on the admin page: a month (default: the last one) and a format; the
 * period is that calendar month in the browser's time zone (GET /v1/admin/report, see report/route.ts).
 */
import { useState } from 'preact/hooks';
import { downloadReport } from './api.js';

const WORDS = {
  ja: { report: '定期報告書', month: '対象月', format: '形式', download: 'ダウンロード', failed: '報告書を作成できませんでした' },
  en: { report: 'Periodic report', month: 'Month', format: 'Format', download: 'Download', failed: 'The report could not be made' },
};

const FORMATS = [
  ['pdf', 'PDF'],
  ['html', 'HTML'],
  ['csv', 'CSV'],
] as const;

/** `YYYY-MM` of the month before today's, in local time. */
function lastMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** The month as plain local dates: from its first day to the first day of the next (exclusive). */
export function monthRange(month: string): { from: string; to: string } | null {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

export function ReportDownload({ lang, token }: { lang: 'ja' | 'en'; token: string }) {
  const w = WORDS[lang];
  const [month, setMonth] = useState(lastMonth());
  const [format, setFormat] = useState<(typeof FORMATS)[number][0]>('pdf');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    const range = monthRange(month);
    if (!range) return;
    setBusy(true);
    setError(null);
    try {
      // The admin's time zone: the browser's (triage13 may add a setting that overrides it).
      await downloadReport({ ...range, format, lang, tz: Intl.DateTimeFormat().resolvedOptions().timeZone }, token);
    } catch (err) {
      setError(`${w.failed}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="report-download" data-testid="report-download">
      <strong>{w.report}</strong>
      <label>
        {w.month} <input type="month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {w.format}{' '}
        <select value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value as typeof format)}>
          {FORMATS.map(([v, label]) => (
            <option value={v}>{label}</option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void go()} disabled={busy || !monthRange(month)}>
        {w.download}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
