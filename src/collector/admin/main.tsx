/**
 * The admin page: sign in (signin.tsx), filter and sort violations, see counts per service and
 * per day, open one event, export CSV; the Devices view lists devices whose heartbeat stopped and the
 * versions running. Everything the collector returns is rendered as text by preact
 * (never dangerouslySetInnerHTML), so a file name like `<img src=x onerror=…>` stays inert.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { inertText } from '../../events/inert.js';
import type { StoredEvent } from '../../events/schema.js';
import type { Summary } from '../storage/types.js';
import { AggregatesView } from './aggregates.js';
import { ApiError, downloadCsv, fetchEvents, fetchSummary } from './api.js';
import { AuditView, auditText } from './audit.js';
import { DayChart, ServiceChart } from './charts.js';
import { DevicesView } from './devices.js';
import { ReportDownload } from './report.js';
import { pickLanguage, strings, type Strings } from './i18n.js';
import { SignIn, WhoAmI, restore, signOut, type Who } from './signin.js';

const lang = pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
const t: Strings = strings(lang);
document.documentElement.lang = lang;
document.title = t.title;

interface Filters {
  range: string;
  verdict: string;
  action: string;
  service: string;
  user: string;
  q: string;
  outcome: string;
}

type SortKey = 'time' | 'user' | 'service' | 'fileName' | 'verdict' | 'action' | 'outcome';

const DEFAULT_FILTERS: Filters = { range: '30d', verdict: '', action: 'block,warn', service: '', user: '', q: '', outcome: '' };
/** Employees' review requests: every action (a disputed warning or block), outcome `disputed` only. */
const DISPUTE_FILTERS: Filters = { ...DEFAULT_FILTERS, range: '90d', action: '', outcome: 'disputed' };

function toParams(f: Filters, sortDir: 'time' | '-time'): URLSearchParams {
  const p = new URLSearchParams();
  if (f.range) p.set('from', f.range);
  for (const k of ['verdict', 'action', 'service', 'user', 'q', 'outcome'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  p.set('sort', sortDir);
  p.set('tz', String(-new Date().getTimezoneOffset()));
  return p;
}

function fmtTime(iso: string): string {
  return new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB');
}

function label(v: string | null | undefined): string {
  const s = v ? (t as unknown as Record<string, unknown>)[v] : undefined;
  return typeof s === 'string' ? s : (v ?? '');
}

function FilterBar({ initial, onApply, onExport }: { initial: Filters; onApply: (f: Filters) => void; onExport: () => void }) {
  const [f, setF] = useState(initial);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(f);
      }}
    >
      <label>
        {t.range}
        <select name="range" value={f.range} onChange={set('range')}>
          <option value="24h">{t.last24h}</option>
          <option value="7d">{t.last7d}</option>
          <option value="30d">{t.last30d}</option>
          <option value="90d">{t.last90d}</option>
          <option value="365d">{t.last365d}</option>
          <option value="">{t.all}</option>
        </select>
      </label>
      <label>
        {t.verdict}
        <select name="verdict" value={f.verdict} onChange={set('verdict')}>
          <option value="">{t.all}</option>
          <option value="marked">{t.marked}</option>
          <option value="unscannable">{t.unscannable}</option>
          <option value="clean">{t.clean}</option>
        </select>
      </label>
      <label>
        {t.action}
        <select name="action" value={f.action} onChange={set('action')}>
          <option value="block,warn">{t.violationsOnly}</option>
          <option value="">{t.all}</option>
          <option value="block">{t.block}</option>
          <option value="warn">{t.warn}</option>
          <option value="audit">{t.audit}</option>
          <option value="allow">{t.allow}</option>
        </select>
      </label>
      <label>
        {t.outcome}
        <select name="outcome" value={f.outcome} onChange={set('outcome')}>
          <option value="">{t.all}</option>
          {(['blocked', 'pending', 'proceeded', 'cancelled', 'disputed', 'allowed'] as const).map((o) => (
            <option value={o}>{t[o]}</option>
          ))}
        </select>
      </label>
      <label>
        {t.service}
        <input name="service" value={f.service} onInput={set('service')} size={10} />
      </label>
      <label>
        {t.user}
        <input name="user" value={f.user} onInput={set('user')} size={14} />
      </label>
      <label>
        {t.fileName}
        <input name="q" value={f.q} onInput={set('q')} size={14} />
      </label>
      <button type="submit">{t.apply}</button>
      <button type="button" onClick={onExport}>
        {t.exportCsv}
      </button>
    </form>
  );
}

function Detail({ event, onClose }: { event: StoredEvent; onClose: () => void }) {
  return (
    <aside class="detail" data-testid="detail">
      <header>
        <h2>{t.detail}</h2>
        <button type="button" onClick={onClose}>
          {t.close}
        </button>
      </header>
      <dl>
        {Object.entries(event).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v === null ? '—' : inertText(String(v))}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

/**
 * Text a device wrote, as shown: control characters and bidi overrides appear as [U+XXXX] instead of
 * acting (a right-to-left override must not turn "gpj.exe" into what looks like "exe.jpg").
 */
export function shown(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : inertText(s);
}

function compare(a: StoredEvent, b: StoredEvent, key: SortKey): number {
  const x = String(a[key] ?? '');
  const y = String(b[key] ?? '');
  return x.localeCompare(y, lang);
}

type View = 'events' | 'disputes' | 'devices' | 'audit';

function Dashboard({ token, who, onSignOut }: { token: string; who: Who; onSignOut: () => void }) {
  const [view, setView] = useState<View>('events');
  const tab = (v: View, text: string) => (
    <button type="button" role="tab" class={`tab${view === v ? ' current' : ''}`} aria-selected={view === v} data-view={v} onClick={() => setView(v)}>
      {text}
    </button>
  );
  return (
    <div class="dashboard">
      <header class="top">
        <h1>{t.title}</h1>
        <nav class="tabs" role="tablist">
          {tab('events', t.eventsTab)}
          {tab('disputes', t.disputesTab)}
          {tab('devices', t.devicesTab)}
          {who.role === 'admin' && tab('audit', auditText.tab)}
        </nav>
        <WhoAmI who={who} />
        <button type="button" onClick={onSignOut}>
          {t.signOut}
        </button>
      </header>
      <ReportDownload lang={lang} token={token} />
      {view === 'audit' ? (
        <AuditView who={who} fmtTime={fmtTime} />
      ) : view === 'devices' ? (
        <DevicesView t={t} token={token} fmtTime={fmtTime} onAuthError={onSignOut} />
      ) : (
        // A key per view: switching tabs starts that view's own filters.
        <EventsView key={view} initial={view === 'disputes' ? DISPUTE_FILTERS : DEFAULT_FILTERS} token={token} onSignOut={onSignOut} />
      )}
    </div>
  );
}

function EventsView({ initial, token, onSignOut }: { initial: Filters; token: string; onSignOut: () => void }) {
  const [filters, setFilters] = useState(initial);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'time', desc: true });
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [selected, setSelected] = useState<StoredEvent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  // Time ordering comes from the server (so paging stays consistent); other columns sort the loaded rows.
  const timeDir = sort.key === 'time' && !sort.desc ? 'time' : '-time';
  const params = useMemo(() => toParams(filters, timeDir), [filters, timeDir]);

  function fail(err: unknown) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) onSignOut();
    else setError(`${t.error}: ${(err as Error).message}`);
  }

  async function load(more: boolean) {
    setLoading(true);
    setError(null);
    try {
      const p = new URLSearchParams(params);
      p.set('limit', '100');
      if (more && cursor) p.set('cursor', cursor);
      const [page, sum] = await Promise.all([fetchEvents(p, token), more ? Promise.resolve(summary) : fetchSummary(params, token)]);
      setEvents(more ? [...events, ...page.events] : page.events);
      setCursor(page.nextCursor);
      setSummary(sum);
    } catch (err) {
      fail(err);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void load(false);
  }, [params]);

  const rows = useMemo(() => {
    if (sort.key === 'time') return events;
    const sorted = [...events].sort((a, b) => compare(a, b, sort.key));
    return sort.desc ? sorted.reverse() : sorted;
  }, [events, sort]);

  const header = (key: SortKey, text: string) => (
    <th
      aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
      onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key === 'time' })}
    >
      {text}
      {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
    </th>
  );

  return (
    <div class="events-view">
      {initial.outcome === 'disputed' && <p class="help">{t.disputedHelp}</p>}
      <FilterBar initial={filters} onApply={setFilters} onExport={() => downloadCsv(params, token).catch(fail)} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {summary && (
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
      )}
      <table class="events" data-testid="events">
        <thead>
          <tr>
            {header('time', t.time)}
            {header('user', t.user)}
            {header('service', t.service)}
            {header('fileName', t.fileName)}
            {header('verdict', t.verdict)}
            <th>{t.rule}</th>
            {header('action', t.action)}
            {header('outcome', t.outcome)}
            <th>{t.comment}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id} class={selected?.id === e.id ? 'selected' : ''} onClick={() => setSelected(e)} data-id={e.id}>
              <td>{fmtTime(e.time)}</td>
              <td>{shown(e.user) ?? t.unknown}</td>
              <td>{shown(e.serviceName ?? e.service) ?? t.unknown}</td>
              <td class="file">{shown(e.fileName) ?? t.text}</td>
              <td class={`verdict ${e.verdict}`}>{label(e.verdict)}</td>
              <td>{e.rule ?? ''}</td>
              <td class={`action ${e.action}`}>{label(e.action)}</td>
              <td class={`outcome ${e.outcome}`}>{label(e.outcome)}</td>
              <td class="comment">{shown(e.justification) ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && rows.length === 0 && <p class="empty">{t.noEvents}</p>}
      {loading && <p class="loading">{t.loading}</p>}
      {cursor && !loading && (
        <button type="button" class="more" onClick={() => load(true)}>
          {t.more}
        </button>
      )}
      {selected && <Detail event={selected} onClose={() => setSelected(null)} />}
    </div>
  );
}

function App() {
  // undefined: still asking the collector whether this tab is signed in (session cookie or saved token).
  const [who, setWho] = useState<Who | null | undefined>(undefined);
  useEffect(() => {
    restore().then(setWho, () => setWho(null));
  }, []);
  if (who === undefined) return <p class="loading">{t.loading}</p>;
  if (!who) return <SignIn title={t.title} onSignedIn={setWho} />;
  const out = () => {
    void signOut(who);
    setWho(null);
  };
  // A viewer gets totals only: no event rows, file names or users.
  if (who.role === 'viewer') return <AggregatesView t={t} who={who} onSignOut={out} />;
  return <Dashboard token={who.token} who={who} onSignOut={out} />;
}

render(<App />, document.getElementById('app')!);
