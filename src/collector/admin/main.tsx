/**
 * The admin page: sign in (signin.tsx), filter and sort violations, see counts per service and
 * per day, open one event, export CSV; the Devices view lists devices whose heartbeat stopped and the
 * versions running. Everything the collector returns is rendered as text by preact
 * (never dangerouslySetInnerHTML), so a file name like `<img src=x onerror=…>` stays inert.
 */
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { inertName, inertText } from '../../events/inert.js';
import type { StoredEvent } from '../../events/schema.js';
import type { Summary } from '../storage/types.js';
import { AggregatesView } from './aggregates.js';
import { isTimeZone, isoInZone, localTimeZone } from '../time-zone.js';
import { ACTION_WORDS, CATEGORY_WORDS, CHANNEL_WORDS, OUTCOME_WORDS, RULE_WORDS, VERDICT_WORDS, reasonWord, word } from '../words.js';
import { locationWords } from '../../events/location-words.js';
import { downloadCsv, fetchEvents, fetchServices, fetchSummary, setCsrf, type KnownService } from './api.js';
import { AuditView, auditText } from './audit.js';
import { AccountsView } from './accounts.js';
import { ApiTokensView } from './api-tokens.js';
import { accessText } from './access-text.js';
import { IncidentsView } from './incidents.js';
import { ListState, errorText, fill, isAuthError, type LoadState } from './states.js';
import { SummaryCharts } from './charts.js';
import { DevicesView } from './devices.js';
import { ReportDownload } from './report.js';
import { pickLanguage, strings, type Strings } from './i18n.js';
import { SignIn, WhoAmI, restore, signOut, type Who } from './signin.js';

const lang = pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
const t: Strings = strings(lang);
document.documentElement.lang = lang;
document.title = t.title;

interface Filters {
  /** A relative period (`30d`), `custom` (fromDate/toDate), or '' for everything. */
  range: string;
  fromDate: string;
  toDate: string;
  verdict: string;
  action: string;
  service: string;
  category: string;
  userPrefix: string;
  /** Exact user: the per-user view. */
  user: string;
  deviceName: string;
  q: string;
  outcome: string;
}

type SortKey = 'time' | 'user' | 'deviceName' | 'service' | 'fileName' | 'verdict' | 'action' | 'outcome';

const DEFAULT_FILTERS: Filters = {
  range: '30d',
  fromDate: '',
  toDate: '',
  verdict: '',
  action: 'block,warn',
  service: '',
  category: '',
  userPrefix: '',
  user: '',
  deviceName: '',
  q: '',
  outcome: '',
};
/** Employees' review requests: every action (a disputed warning or block), outcome `disputed` only. */
const DISPUTE_FILTERS: Filters = { ...DEFAULT_FILTERS, range: '90d', action: '', outcome: 'disputed' };

// --- settings: the admin's time zone and CSV language, kept in this browser ---------------------------
const ZONE_KEY = 'upload-guard-admin-tz';
const browserZone = localTimeZone();
/** The zone every time on the page is shown in (and plain dates mean): the setting, else the browser's. */
let zone = (() => {
  const z = localStorage.getItem(ZONE_KEY);
  return z && isTimeZone(z) ? z : browserZone;
})();
const ZONES = [...new Set([browserZone, 'Asia/Tokyo', 'UTC', 'Asia/Singapore', 'Asia/Shanghai', 'Europe/London', 'America/New_York', 'America/Los_Angeles'])];

/** `2026-11-30` → `2026-12-01`: the end of an inclusive date range is the start of the next day. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function toParams(f: Filters, sort: string): URLSearchParams {
  const p = new URLSearchParams();
  if (f.range === 'custom') {
    // Plain dates: the collector reads them as local dates in tz.
    if (f.fromDate) p.set('from', f.fromDate);
    if (f.toDate) p.set('to', nextDay(f.toDate));
  } else if (f.range) p.set('from', f.range);
  for (const k of ['verdict', 'action', 'service', 'category', 'userPrefix', 'user', 'deviceName', 'q', 'outcome'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  p.set('sort', sort);
  p.set('tz', zone);
  return p;
}

// English dates as 2026-12-05 15:18:53 (Swedish writes ISO 8601's order): day/month and month/day
// orders differ between the popup's and an admin's English, and neither may be misread.
const locale = lang === 'ja' ? 'ja-JP' : 'sv-SE';

/** A time for tables: local to the admin's zone, with the zone's short name when it is not the browser's. */
function fmtTime(iso: string): string {
  // Parts, not dateStyle/timeStyle: Intl refuses timeZoneName beside those.
  const opts: Intl.DateTimeFormatOptions = { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: '2-digit', second: '2-digit' };
  if (zone !== browserZone) opts.timeZoneName = 'short';
  return new Date(iso).toLocaleString(locale, opts);
}

/** Event values as words (never the enum value), by field. */
function fieldText(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = String(v);
  if (key === 'outcome') return word(OUTCOME_WORDS, s, lang);
  if (key === 'verdict') return word(VERDICT_WORDS, s, lang);
  if (key === 'action') return word(ACTION_WORDS, s, lang);
  if (key === 'category') return word(CATEGORY_WORDS, s, lang);
  if (key === 'channel') return word(CHANNEL_WORDS, s, lang);
  if (key === 'rule') return word(RULE_WORDS, s, lang);
  if (key === 'reason') return inertText(reasonWord(s, lang));
  if (key === 'location') return inertText(locationWords(s, lang));
  if (key === 'time' || key === 'receivedAt' || key === 'claimedTime') return isoInZone(Date.parse(s), zone);
  return inertText(s);
}

function FilterBar({ initial, services, onApply, onExport }: { initial: Filters; services: KnownService[]; onApply: (f: Filters) => void; onExport: () => void }) {
  const [f, setF] = useState(initial);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const categories = ['webmail', 'sharing', 'genai', 'custom', 'other'] as const;
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
          <option value="custom">{t.custom}</option>
          <option value="">{t.all}</option>
        </select>
      </label>
      {f.range === 'custom' && (
        <>
          <label>
            {t.fromDate}
            <input type="date" name="fromDate" value={f.fromDate} onInput={set('fromDate')} />
          </label>
          <label>
            {t.toDate}
            <input type="date" name="toDate" value={f.toDate} onInput={set('toDate')} />
          </label>
        </>
      )}
      <label>
        {t.verdict}
        <select name="verdict" value={f.verdict} onChange={set('verdict')}>
          <option value="">{t.all}</option>
          {(['marked', 'unscannable', 'clean'] as const).map((v) => (
            <option value={v}>{word(VERDICT_WORDS, v, lang)}</option>
          ))}
        </select>
      </label>
      <label>
        {t.action}
        <select name="action" value={f.action} onChange={set('action')}>
          <option value="block,warn">{t.violationsOnly}</option>
          <option value="">{t.all}</option>
          {(['block', 'warn', 'audit', 'allow'] as const).map((a) => (
            <option value={a}>{word(ACTION_WORDS, a, lang)}</option>
          ))}
        </select>
      </label>
      <label>
        {t.outcome}
        <select name="outcome" value={f.outcome} onChange={set('outcome')}>
          <option value="">{t.all}</option>
          {(['blocked', 'pending', 'proceeded', 'cancelled', 'disputed', 'allowed'] as const).map((o) => (
            <option value={o}>{word(OUTCOME_WORDS, o, lang)}</option>
          ))}
        </select>
      </label>
      <label>
        {t.service}
        <select name="service" value={f.service} onChange={set('service')}>
          <option value="">{t.all}</option>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.category}
        <select name="category" value={f.category} onChange={set('category')}>
          <option value="">{t.all}</option>
          {categories.map((c) => (
            <option value={c}>{word(CATEGORY_WORDS, c, lang)}</option>
          ))}
        </select>
      </label>
      <label>
        {t.userPrefix}
        <input name="userPrefix" value={f.userPrefix} onInput={set('userPrefix')} size={14} />
      </label>
      <label>
        {t.deviceName}
        <input name="deviceName" value={f.deviceName} onInput={set('deviceName')} size={12} />
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

function Detail({ event, onClose, onUser }: { event: StoredEvent; onClose: () => void; onUser: (user: string) => void }) {
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
          <div key={k} data-field={k}>
            <dt>{t.fieldLabel[k] ?? k}</dt>
            <dd>{fieldText(k, v)}</dd>
          </div>
        ))}
      </dl>
      {event.user && (
        <button type="button" data-testid="open-user" onClick={() => onUser(event.user!)}>
          {t.openUser}
        </button>
      )}
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

type View = 'events' | 'disputes' | 'incidents' | 'user' | 'devices' | 'audit' | 'accounts' | 'tokens';

function Dashboard({ token, who, onSignOut }: { token: string; who: Who; onSignOut: () => void }) {
  const [view, setView] = useState<View>('events');
  const [user, setUser] = useState<string | null>(null);
  const [services, setServices] = useState<KnownService[]>([]);
  const [tz, setTz] = useState(zone);
  useEffect(() => {
    fetchServices(token).then((r) => setServices(r.services), () => setServices([]));
  }, []);
  const openUser = (u: string) => {
    setUser(u);
    setView('user');
  };
  const tab = (v: View, text: string) => (
    <button type="button" role="tab" class={`tab${view === v ? ' current' : ''}`} aria-selected={view === v} data-view={v} onClick={() => setView(v)}>
      {text}
    </button>
  );
  const names = new Map(services.map((s) => [s.id, s.name]));
  return (
    <div class="dashboard">
      <header class="top">
        <h1>{t.title}</h1>
        <nav class="tabs" role="tablist">
          {tab('events', t.eventsTab)}
          {tab('disputes', t.disputesTab)}
          {tab('incidents', t.incidentsTab)}
          {user !== null && tab('user', `${t.userView}: ${inertName(user)}`)}
          {tab('devices', t.devicesTab)}
          {/* Admin-only views: the route table (accounts/roles.ts) refuses their API to other roles too. */}
          {who.role === 'admin' && tab('audit', auditText.tab)}
          {who.role === 'admin' && tab('accounts', accessText.accountsTab)}
          {who.role === 'admin' && tab('tokens', accessText.tokensTab)}
        </nav>
        <label class="zone">
          {t.timeZone}
          <select
            name="tz"
            value={tz}
            onChange={(e) => {
              const z = (e.target as HTMLSelectElement).value;
              zone = z;
              localStorage.setItem(ZONE_KEY, z);
              setTz(z);
            }}
          >
            {ZONES.map((z) => (
              <option value={z}>{z === browserZone ? `${z} (${t.browserZone})` : z}</option>
            ))}
            {!ZONES.includes(tz) && <option value={tz}>{tz}</option>}
          </select>
        </label>
        <WhoAmI who={who} />
        <button type="button" onClick={onSignOut}>
          {t.signOut}
        </button>
      </header>
      <ReportDownload lang={lang} token={token} />
      {/* A key per view and zone: switching starts that view's own filters, and a new zone reloads in it. */}
      {view === 'audit' ? (
        <AuditView key={tz} t={t} who={who} fmtTime={fmtTime} onAuthError={onSignOut} />
      ) : view === 'accounts' ? (
        <AccountsView key={tz} t={t} who={who} fmtTime={fmtTime} onAuthError={onSignOut} />
      ) : view === 'tokens' ? (
        <ApiTokensView key={tz} t={t} who={who} fmtTime={fmtTime} onAuthError={onSignOut} />
      ) : view === 'devices' ? (
        <DevicesView key={tz} t={t} token={token} fmtTime={fmtTime} onAuthError={onSignOut} />
      ) : view === 'incidents' ? (
        <IncidentsView key={tz} t={t} lang={lang} token={token} zone={tz} fmtTime={fmtTime} onAuthError={onSignOut} />
      ) : view === 'user' && user !== null ? (
        <div key={`user-${tz}-${user}`} class="user-view" data-testid="user-view">
          <h2>{fill(t.userHistory, { user: inertName(user) })}</h2>
          <IncidentsView t={t} lang={lang} token={token} zone={tz} fmtTime={fmtTime} onAuthError={onSignOut} user={user} />
          <h3>{t.disputesTab}</h3>
          <EventsView initial={{ ...DISPUTE_FILTERS, range: '', user }} token={token} onSignOut={onSignOut} names={names} services={services} onUser={openUser} />
          <h3>{t.history}</h3>
          <EventsView initial={{ ...DEFAULT_FILTERS, range: '365d', action: '', user }} token={token} onSignOut={onSignOut} names={names} services={services} onUser={openUser} />
        </div>
      ) : (
        <EventsView
          key={`${view}-${tz}`}
          initial={view === 'disputes' ? DISPUTE_FILTERS : DEFAULT_FILTERS}
          token={token}
          onSignOut={onSignOut}
          names={names}
          services={services}
          onUser={openUser}
        />
      )}
    </div>
  );
}

interface EventsViewProps {
  initial: Filters;
  token: string;
  onSignOut: () => void;
  /** Service id → display name (the collector's catalogue). */
  names: Map<string, string>;
  services: KnownService[];
  onUser: (user: string) => void;
}

const PAGE = 100;

/**
 * The rows of the events table: a warning with its answer (the answer is then no row of its own), as the
 * CSV shows decisions; under the 「回答待ち」 filter, only warnings still waiting.
 */
function rowsOf(events: StoredEvent[], answers: Map<string, StoredEvent>, others: Map<string, StoredEvent[]>, outcome: string): [StoredEvent, StoredEvent | null][] {
  const folded = new Set([...answers.values(), ...[...others.values()].flat()].map((a) => a.id));
  return events
    .filter((e) => !folded.has(e.id) && !(outcome === 'pending' && answers.has(e.id)))
    .map((e) => [e, answers.get(e.id) ?? null]);
}

function EventsView({ initial, token, onSignOut, names, services, onUser }: EventsViewProps) {
  const [filters, setFilters] = useState(initial);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'time', desc: true });
  const [events, setEvents] = useState<StoredEvent[]>([]);
  // Answers to the warnings shown (by warning id): a warning reads as answered, its answer is not a row of its own.
  const [answers, setAnswers] = useState<Map<string, StoredEvent>>(new Map());
  // Later answers to the same warning that disagree with the one that counts (red team G4): shown beside it.
  const [others, setOthers] = useState<Map<string, StoredEvent[]>>(new Map());
  const [cursor, setCursor] = useState<string | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [selected, setSelected] = useState<StoredEvent | null>(null);
  const [state, setState] = useState<LoadState>({ kind: 'loading' });
  const [reload, setReload] = useState(0);

  // Every column sorts on the server (ties by time, then id), so paging through a sorted list is exact.
  const sortParam = `${sort.desc ? '-' : ''}${sort.key}`;
  const params = useMemo(() => toParams(filters, sortParam), [filters, sortParam]);

  function fail(err: unknown) {
    if (isAuthError(err)) onSignOut();
    else setState({ kind: 'error', message: errorText(t, err) });
  }

  // Only the latest request's answer is shown: an older one arriving late (other filters) is dropped.
  const latest = useRef(0);

  async function load(more: boolean) {
    const seq = ++latest.current;
    setState({ kind: 'loading' });
    try {
      const p = new URLSearchParams(params);
      p.set('limit', String(PAGE));
      if (more && cursor) p.set('cursor', cursor);
      const [page, sum] = await Promise.all([fetchEvents(p, token), more ? Promise.resolve(summary) : fetchSummary(params, token)]);
      if (seq !== latest.current) return;
      const got = new Map([...(more ? answers : []), ...Object.entries(page.answers ?? {})]);
      setAnswers(got);
      setOthers(new Map([...(more ? others : []), ...Object.entries(page.otherAnswers ?? {})]));
      setEvents(more ? [...events, ...page.events] : page.events);
      setCursor(page.nextCursor);
      setSummary(sum);
      setState({ kind: 'ready' });
    } catch (err) {
      if (seq !== latest.current) return;
      if (!more) {
        // What was shown belonged to other filters (or the collector is gone): not kept as if current.
        setEvents([]);
        setSummary(null);
        setCursor(null);
      }
      fail(err);
    }
  }

  useEffect(() => {
    void load(false);
  }, [params, reload]);

  const header = (key: SortKey, text: string) => (
    <th
      data-sort={key}
      aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
      onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key === 'time' })}
    >
      {text}
      {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
    </th>
  );

  const exportCsv = () => {
    const p = new URLSearchParams(params);
    p.set('lang', lang);
    downloadCsv(p, token).catch(fail);
  };

  return (
    <div class="events-view">
      {initial.outcome === 'disputed' && <p class="help">{t.disputedHelp}</p>}
      <FilterBar
        initial={filters}
        services={services}
        onApply={(f) => {
          // Apply always asks again (the same filters too: the admin may be retrying).
          setFilters(f);
          setReload(reload + 1);
        }}
        onExport={exportCsv}
      />
      {summary && <SummaryCharts t={t} summary={summary} />}
      <table class="events" data-testid="events">
        <thead>
          <tr>
            {header('time', t.time)}
            {header('user', t.user)}
            {header('deviceName', t.deviceName)}
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
          {rowsOf(events, answers, others, filters.outcome).map(([e, answer]) => (
            <tr key={e.id} class={selected?.id === e.id ? 'selected' : ''} onClick={() => setSelected(e)} data-id={e.id}>
              <td class="time">
                {fmtTime(e.time)}
                {/* The device's clock was far off: the row sits at its arrival, and says so. */}
                {e.claimedTime && (
                  <div class="clock-off" title={`${t.fieldLabel.claimedTime}: ${fmtTime(e.claimedTime)}`}>
                    {t.clockOff}: {fmtTime(e.claimedTime)}
                  </div>
                )}
              </td>
              <td class="user">{e.user ? inertName(e.user) : t.unknown}</td>
              <td class="device-name">{shown(e.deviceName) ?? ''}</td>
              <td class="service">{(e.service && names.get(e.service)) ?? shown(e.service) ?? t.unknown}</td>
              <td class="file">{shown(e.fileName) ?? t.text}</td>
              <td class={`verdict ${e.verdict}`}>{word(VERDICT_WORDS, e.verdict, lang)}</td>
              <td>{e.rule ? word(RULE_WORDS, String(e.rule), lang) : ''}</td>
              <td class={`action ${e.action}`}>{word(ACTION_WORDS, e.action, lang)}</td>
              <td class={`outcome ${(answer ?? e).outcome}`}>{word(OUTCOME_WORDS, (answer ?? e).outcome, lang)}</td>
              <td class="comment">
                {shown((answer ?? e).justification) ?? ''}
                {others.get(e.id)?.map((a) => (
                  <div class="other-answer" key={a.id}>
                    {t.otherAnswer}: {word(OUTCOME_WORDS, a.outcome, lang)} {fmtTime(a.time)} {shown(a.justification) ?? ''}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ListState t={t} state={state} empty={events.length === 0} emptyText={t.noEvents} onRetry={() => setReload(reload + 1)} />
      {cursor && state.kind === 'ready' && (
        <button type="button" class="more" onClick={() => load(true)}>
          {t.more}
        </button>
      )}
      {selected && (
        <Detail
          event={selected}
          onClose={() => setSelected(null)}
          onUser={(u) => {
            setSelected(null);
            onUser(u);
          }}
        />
      )}
    </div>
  );
}

function App() {
  // undefined: still asking the collector whether this tab is signed in (session cookie or saved token).
  const [who, setWho] = useState<Who | null | undefined>(undefined);
  const [outFailed, setOutFailed] = useState(false);
  useEffect(() => {
    restore().then(setWho, () => setWho(null));
  }, []);
  if (who === undefined) return <p class="loading">{t.loading}</p>;
  setCsrf(who?.csrf ?? null);
  if (!who) return <SignIn title={t.title} onSignedIn={setWho} />;
  const out = () => {
    void signOut(who).then((done) => (done ? setWho(null) : setOutFailed(true)));
  };
  const failed = outFailed ? <p class="error" role="alert">{t.signOutFailed}</p> : null;
  // A viewer gets totals only: no event rows, file names or users.
  if (who.role === 'viewer') return <>{failed}<AggregatesView t={t} who={who} onSignOut={out} /></>;
  return <>{failed}<Dashboard token={who.token} who={who} onSignOut={out} /></>;
}

render(<App />, document.getElementById('app')!);
