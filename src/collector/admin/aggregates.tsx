/**
 * What a viewer sees: totals per service and per day and the fleet's device counts. No event rows, file
 * names, users or device ids reach this page (the collector refuses a viewer those routes anyway).
 */
import { useEffect, useState } from 'preact/hooks';
import type { FleetReport } from '../devices.js';
import type { Summary } from '../storage/types.js';
import { SummaryCharts } from './charts.js';
import type { Strings } from './i18n.js';
import { WhoAmI, signinText, type Who } from './signin.js';

type Counts = Pick<FleetReport, 'counts'>;

export function AggregatesView({ t, who, onSignOut }: { t: Strings; who: Who; onSignOut: () => void }) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [fleet, setFleet] = useState<Counts | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const get = async <T,>(path: string): Promise<T> => {
      // A token (signed in with one) goes as a header; a person's session cookie goes by itself.
      const res = await fetch(path, { cache: 'no-store', headers: who.token ? { authorization: `Bearer ${who.token}` } : {} });
      if (res.status === 401) onSignOut();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json() as Promise<T>;
    };
    const params = new URLSearchParams({ from: '30d', action: 'block,warn', tz: String(-new Date().getTimezoneOffset()) });
    Promise.all([get<Summary>(`/v1/admin/summary?${params}`), get<Counts>('/v1/admin/fleet')]).then(
      ([s, f]) => {
        setSummary(s);
        setFleet(f);
      },
      () => setError(signinText.unreachable),
    );
  }, []);

  return (
    <div class="dashboard" data-testid="aggregates">
      <header class="top">
        <h1>{t.title}</h1>
        <WhoAmI who={who} />
        <button type="button" onClick={onSignOut}>
          {t.signOut}
        </button>
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {fleet && (
        <p class="fleet" data-testid="fleet-counts">
          {t.active}: {fleet.counts.active} / {t.stale}: {fleet.counts.stale}
        </p>
      )}
      {summary && <SummaryCharts t={t} summary={summary} />}
    </div>
  );
}
