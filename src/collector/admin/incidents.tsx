/**
 * The Incidents view (guideline 4-1): open incidents first, nearest deadline first, with the time left;
 * triage (status, severity, assignee, notes, reported-at) in a side panel. Everything from events is
 * text rendered by preact (file names and users come from devices).
 */
import { useMemo, useState } from 'preact/hooks';
import { inertName, inertText } from '../../events/inert.js';
import { isoInZone, parseLocal } from '../time-zone.js';
import { fetchIncidents, patchIncident, saveIncidentSettings, type Incident, type IncidentPage } from './api.js';
import type { Strings } from './i18n.js';
import { ListState, errorText, fill, isAuthError, useLoaded } from './states.js';

interface Props {
  t: Strings;
  lang: 'ja' | 'en';
  token: string;
  zone: string;
  fmtTime: (iso: string) => string;
  onAuthError: () => void;
  /** The per-user view: this user's incidents only. */
  user?: string;
}

/** 135 → "2時間15分": how long, in the admin's words. */
export function duration(t: Strings, minutes: number): string {
  const m = Math.abs(minutes);
  if (m < 60) return fill(t.duration.m, { n: m });
  if (m < 48 * 60) return fill(t.duration.h, { n: Math.floor(m / 60), m: m % 60 });
  return fill(t.duration.d, { n: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) });
}

export function timeLeft(t: Strings, i: Incident): string {
  if (i.minutesLeft === null) return '—';
  return i.minutesLeft < 0 ? fill(t.overdue, { t: duration(t, i.minutesLeft) }) : fill(t.leftMinutes, { t: duration(t, i.minutesLeft) });
}

/** Incidents per page of the list. */
const PAGE = 200;

export function IncidentsView({ t, token, zone, fmtTime, onAuthError, user }: Props) {
  const [openOnly, setOpenOnly] = useState(true);
  const [selected, setSelected] = useState<Incident | null>(null);
  const [writeError, setWriteError] = useState<string | null>(null);

  // A page at a time, with how many match: before, the first 200 were shown and the rest not mentioned.
  const [offset, setOffset] = useState(0);
  const params = useMemo(() => {
    const p = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (openOnly && !user) p.set('status', 'new,investigating');
    if (user) p.set('user', user);
    return p;
  }, [openOnly, user, offset]);
  const { data: page, state, reload } = useLoaded<IncidentPage>(t, () => fetchIncidents(params, token), [params], onAuthError);

  /** A triage or setting change refused: said above the list, which stays as it was. */
  function fail(err: unknown) {
    if (isAuthError(err)) onAuthError();
    else setWriteError(errorText(t, err));
  }
  const saved = () => {
    setWriteError(null);
    reload();
  };

  const rows = page?.incidents ?? [];
  return (
    <section class="incidents" data-testid="incidents-view">
      {page && <p class="help">{fill(t.incidentsHelp, { hours: page.settings.reportHours })}</p>}
      {!user && (
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label class="check">
            <input
              type="checkbox"
              name="openOnly"
              checked={openOnly}
              onChange={(e) => {
                setOpenOnly((e.target as HTMLInputElement).checked);
                setOffset(0);
              }}
            />
            {t.openOnly}
          </label>
          {page && <Settings t={t} token={token} hours={page.settings.reportHours} onSaved={saved} onError={fail} />}
        </form>
      )}
      <table class="events" data-testid="incidents">
        <thead>
          <tr>
            <th>{t.incidentNo}</th>
            <th>{t.openedAt}</th>
            <th>{t.timeLeft}</th>
            <th>{t.incidentStatus}</th>
            <th>{t.severity}</th>
            <th>{t.user}</th>
            <th>{t.deviceName}</th>
            <th>{t.fileName}</th>
            <th>{t.kinds}</th>
            <th>{t.eventsCount}</th>
            <th>{t.assignee}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => (
            <tr key={i.id} data-id={i.id} class={i.minutesLeft !== null && i.minutesLeft < 0 ? 'overdue' : ''} onClick={() => setSelected(i)}>
              <td>{i.id}</td>
              <td>{fmtTime(i.openedAt)}</td>
              <td class="time-left" data-minutes={i.minutesLeft ?? ''}>
                {timeLeft(t, i)}
              </td>
              <td class={`status ${i.status}`}>{t.statusLabel[i.status]}</td>
              <td>{t.severityLabel[i.severity]}</td>
              <td class="user">{i.user === null ? t.unknown : inertName(i.user)}</td>
              <td>{i.deviceName === null ? '' : inertText(i.deviceName)}</td>
              <td class="file">{i.fileName === null ? t.text : inertText(i.fileName)}</td>
              <td>{i.kinds.map((k) => t.kindLabel[k] ?? t.unknown).join('、')}</td>
              <td>{i.events}</td>
              <td>{i.assignee === null ? '' : inertText(i.assignee)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {writeError && (
        <p class="error" role="alert">
          {writeError}
        </p>
      )}
      <ListState t={t} state={state} empty={rows.length === 0} emptyText={t.noIncidents} onRetry={reload} />
      {page && state.kind === 'ready' && rows.length > 0 && (
        <div class="more" data-testid="incidents-count">
          <span>{fill(page.moreThanTotal ? t.incidentsShownMore : t.incidentsShown, { from: offset + 1, to: offset + rows.length, total: page.total.toLocaleString() })}</span>{' '}
          {offset > 0 && (
            <button type="button" onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t.previousPage}
            </button>
          )}{' '}
          {(page.moreThanTotal || offset + rows.length < page.total) && (
            <button type="button" onClick={() => setOffset(offset + PAGE)}>
              {t.nextPage}
            </button>
          )}
        </div>
      )}
      {selected && (
        <Triage
          key={selected.id}
          t={t}
          zone={zone}
          incident={selected}
          fmtTime={fmtTime}
          token={token}
          onClose={() => setSelected(null)}
          onSaved={(i) => {
            setSelected(i);
            saved();
          }}
          onError={fail}
        />
      )}
    </section>
  );
}

function Settings({ t, token, hours, onSaved, onError }: { t: Strings; token: string; hours: number; onSaved: () => void; onError: (e: unknown) => void }) {
  const [value, setValue] = useState(String(hours));
  return (
    <>
      <label>
        {t.reportHours}
        <input type="number" name="reportHours" min={1} max={720} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} size={5} />
      </label>
      <button type="button" data-testid="save-settings" onClick={() => saveIncidentSettings({ reportHours: Number(value) }, token).then(onSaved, onError)}>
        {t.save}
      </button>
    </>
  );
}

/** `datetime-local` value (wall clock in `zone`) ↔ ISO 8601 with offset. */
const toLocalInput = (iso: string | null, zone: string) => (iso ? isoInZone(Date.parse(iso), zone).slice(0, 16) : '');

function Triage(props: {
  t: Strings;
  zone: string;
  incident: Incident;
  fmtTime: (iso: string) => string;
  token: string;
  onClose: () => void;
  onSaved: (i: Incident) => void;
  onError: (e: unknown) => void;
}) {
  const { t, zone, incident: i, token } = props;
  const [status, setStatus] = useState(i.status);
  const [severity, setSeverity] = useState(i.severity);
  const [assignee, setAssignee] = useState(i.assignee ?? '');
  const [notes, setNotes] = useState(i.notes ?? '');
  const [reported, setReported] = useState(toLocalInput(i.reportedAt, zone));
  const [saved, setSaved] = useState(false);

  async function save(extra: { status?: Incident['status']; reportedAt?: string } = {}) {
    setSaved(false);
    const at = reported ? parseLocal(reported, zone) : null;
    try {
      const r = await patchIncident(
        i.id,
        {
          status: extra.status ?? status,
          severity,
          assignee: assignee.trim() || null,
          notes: notes || null,
          // Empty: cleared, except that "reported" without a time is stamped now by the collector.
          reportedAt: extra.reportedAt ?? (at !== null ? new Date(at).toISOString() : (extra.status ?? status) === 'reported' ? undefined : null),
          // The whole form is sent: without this, a colleague's save in between was silently overwritten.
          ifUpdatedAt: i.updatedAt,
        },
        token,
      );
      setSaved(true);
      props.onSaved(r.incident);
    } catch (err) {
      props.onError(err);
    }
  }

  return (
    <aside class="detail" data-testid="incident-detail">
      <header>
        <h2>
          {t.incidentDetail} #{i.id}
        </h2>
        <button type="button" onClick={props.onClose}>
          {t.close}
        </button>
      </header>
      <dl>
        <div>
          <dt>{t.openedAt}</dt>
          <dd>{isoInZone(Date.parse(i.openedAt), zone)}</dd>
        </div>
        <div>
          <dt>{t.receivedAt}</dt>
          <dd>{isoInZone(Date.parse(i.receivedAt), zone)}</dd>
        </div>
        <div>
          <dt>{t.timeLeft}</dt>
          <dd>{timeLeft(t, i)}</dd>
        </div>
        <div>
          <dt>{t.user}</dt>
          <dd>{i.user === null ? t.unknown : inertName(i.user)}</dd>
        </div>
        <div>
          <dt>{t.fileName}</dt>
          <dd>{i.fileName === null ? t.text : inertText(i.fileName)}</dd>
        </div>
        <div>
          <dt>SHA-256</dt>
          <dd>{i.sha256 ?? '—'}</dd>
        </div>
      </dl>
      <form
        class="triage"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          {t.incidentStatus}
          <select name="status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Incident['status'])}>
            {(['new', 'investigating', 'reported', 'closed'] as const).map((s) => (
              <option value={s}>{t.statusLabel[s]}</option>
            ))}
          </select>
        </label>
        <label>
          {t.severity}
          <select name="severity" value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value as Incident['severity'])}>
            {(['low', 'medium', 'high'] as const).map((s) => (
              <option value={s}>{t.severityLabel[s]}</option>
            ))}
          </select>
        </label>
        <label>
          {t.assignee}
          <input name="assignee" value={assignee} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t.reportedAt} ({zone})
          <input type="datetime-local" name="reportedAt" value={reported} onInput={(e) => setReported((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t.notes}
          <textarea name="notes" rows={5} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
        </label>
        <div class="buttons">
          <button type="submit">{t.save}</button>
          <button type="button" data-testid="mark-reported" onClick={() => void save({ status: 'reported', reportedAt: new Date().toISOString() })}>
            {t.markReported}
          </button>
        </div>
        {saved && <p role="status">{t.saved}</p>}
      </form>
    </aside>
  );
}
