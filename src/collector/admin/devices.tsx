/**
 * The Devices view: which devices stopped sending heartbeats (extension removed or disabled, browser
 * kept off the policy), which versions run where, and what looks wrong per device. Device ids, users,
 * browsers and versions come from the devices themselves, so they are attacker-controlled: preact
 * renders them as text, never as markup.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { DeviceReport, FleetReport } from '../devices.js';
import { inertName, inertText } from '../../events/inert.js';
import { deviceText } from '../device-text.js';
import { downloadDevicesCsv, fetchAlerts, fetchDevices, type AlertStatus } from './api.js';
import type { Strings } from './i18n.js';
import { errorText, fill, isAuthError } from './states.js';

interface Props {
  t: Strings;
  token: string;
  fmtTime: (iso: string) => string;
  /** 401/403: the token is gone or wrong; sign out. */
  onAuthError: () => void;
}

/** 7 → "7分前", 150 → "2時間前", 4000 → "2日前": how long a device has been silent, at a glance. */
function ago(t: Strings, minutes: number): string {
  if (minutes < 120) return fill(t.minutesAgo, { n: minutes });
  if (minutes < 48 * 60) return fill(t.hoursAgo, { n: Math.floor(minutes / 60) });
  return fill(t.daysAgo, { n: Math.floor(minutes / 1440) });
}

const PAGE_SIZE = 200;

function pageParams(params: URLSearchParams, cursor: string | null): URLSearchParams {
  const p = new URLSearchParams(params);
  p.set('limit', String(PAGE_SIZE));
  if (cursor) p.set('cursor', cursor);
  return p;
}

export function DevicesView({ t, token, fmtTime, onAuthError }: Props) {
  const [staleOnly, setStaleOnly] = useState(false);
  const [version, setVersion] = useState('');
  const [report, setReport] = useState<FleetReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  // Devices come a page at a time (a fleet can be 100,000); the counts above the list cover every device.
  // Stale devices first (they are what to act on), then the active ones: two lists paged one after the other.
  const [loadingMore, setLoadingMore] = useState(false);
  const [phase, setPhase] = useState<'stale' | 'active'>('stale');
  const params = useMemo(() => {
    const p = new URLSearchParams();
    if (version) p.set('version', version);
    return p;
  }, [staleOnly, version]);
  const phaseParams = (ph: 'stale' | 'active', cursor: string | null) => {
    const p = pageParams(params, cursor);
    p.set('status', ph);
    return p;
  };

  function fail(err: unknown) {
    if (isAuthError(err)) onAuthError();
    else setError(errorText(t, err));
  }

  // The alert outbox: undelivered incident and stale-device alerts are something to act on too.
  const [alerts, setAlerts] = useState<AlertStatus | null>(null);
  useEffect(() => {
    fetchAlerts(token).then(setAlerts, () => setAlerts(null));
  }, [params]);

  /** The next page from `ph` on; when the stale list ends, the active list follows (unless stale only). */
  async function fetchFrom(ph: 'stale' | 'active', cursor: string | null): Promise<{ report: FleetReport; phase: 'stale' | 'active' }> {
    const r = await fetchDevices(phaseParams(ph, cursor), token);
    if (ph === 'stale' && !r.nextCursor && !staleOnly) {
      const active = await fetchDevices(phaseParams('active', null), token);
      return { report: { ...active, devices: [...r.devices, ...active.devices] }, phase: 'active' };
    }
    return { report: r, phase: ph };
  }

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(null);
    fetchFrom('stale', null)
      .then((r) => {
        if (!current) return;
        setReport(r.report);
        setPhase(r.phase);
      })
      .catch((err) => {
        if (!current) return;
        setReport(null);
        fail(err);
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [params]);

  async function loadMore() {
    if (!report?.nextCursor) return;
    setLoadingMore(true);
    try {
      const next = await fetchFrom(phase, report.nextCursor);
      setReport({ ...next.report, devices: [...report.devices, ...next.report.devices] });
      setPhase(next.phase);
    } catch (err) {
      fail(err);
    } finally {
      setLoadingMore(false);
    }
  }

  const installLabel = (d: DeviceReport) => (d.installType ? t.installTypeLabel[d.installType] : '—');
  const yesNo = (v: boolean | null) => (v === null ? '—' : v ? t.yes : t.no);

  return (
    <section class="devices" data-testid="devices-view">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label class="check">
          <input type="checkbox" name="staleOnly" checked={staleOnly} onChange={(e) => setStaleOnly((e.target as HTMLInputElement).checked)} />
          {t.staleOnly}
        </label>
        <label>
          {t.version}
          <select name="version" value={version} onChange={(e) => setVersion((e.target as HTMLSelectElement).value)}>
            <option value="">{t.all}</option>
            {report?.versions.map((v) => (
              <option key={v.extensionVersion} value={v.extensionVersion}>
                {inertText(v.extensionVersion)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            const p = new URLSearchParams(params);
            if (staleOnly) p.set('status', 'stale');
            downloadDevicesCsv(p, token).catch(fail);
          }}
        >
          {t.exportCsv}
        </button>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="load-error">
          {error}
        </p>
      )}
      {report && (
        <div class="fleet">
          <dl class="counts" data-testid="device-counts">
            <div>
              <dt>{t.devicesTotal}</dt>
              <dd data-testid="count-total">{report.counts.total}</dd>
            </div>
            <div>
              <dt>{t.active}</dt>
              <dd data-testid="count-active">{report.counts.active}</dd>
            </div>
            <div class={report.counts.stale > 0 ? 'bad' : ''}>
              <dt>{t.stale}</dt>
              <dd data-testid="count-stale">{report.counts.stale}</dd>
            </div>
          </dl>
          {alerts && alerts.channels.length > 0 && (
            <dl class="counts" data-testid="alert-status">
              <div class={alerts.pending > 0 && (alerts.oldestPendingAgeSeconds ?? 0) > 300 ? 'bad' : ''}>
                <dt>{t.alertsPending}</dt>
                <dd data-testid="alerts-pending">{alerts.pending}</dd>
              </div>
              <div>
                <dt>{t.alertsOldest}</dt>
                <dd data-testid="alerts-oldest">{alerts.oldestPendingAgeSeconds === null ? '—' : ago(t, Math.floor(alerts.oldestPendingAgeSeconds / 60))}</dd>
              </div>
              <div class={alerts.retrying > 0 ? 'bad' : ''}>
                <dt>{t.alertsRetrying}</dt>
                <dd data-testid="alerts-retrying">{alerts.retrying}</dd>
              </div>
              <div class={alerts.dropped > 0 ? 'bad' : ''}>
                <dt>{t.alertsDropped}</dt>
                <dd data-testid="alerts-dropped">{alerts.dropped}</dd>
              </div>
            </dl>
          )}
          {alerts?.byChannel && alerts.byChannel.length > 0 && (
            <table class="versions" data-testid="alert-channels">
              <thead>
                <tr>
                  <th>{t.alertChannel}</th>
                  <th>{t.alertsPending}</th>
                  <th>{t.alertDone}</th>
                  <th>{t.alertLastError}</th>
                </tr>
              </thead>
              <tbody>
                {alerts.byChannel.map((c) => (
                  <tr key={c.channel} data-channel={c.channel}>
                    <td>{c.channel}</td>
                    <td class={c.pending > 0 && c.lastError ? 'bad' : ''}>{c.pending}</td>
                    <td data-testid="alert-done">
                      {c.done} {c.doneAs === 'sent' ? t.alertSent : t.alertDelivered}
                    </td>
                    <td class="error" data-testid="alert-error">{c.lastError ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <table class="versions" data-testid="versions">
            <caption>{t.versions}</caption>
            <thead>
              <tr>
                <th>{t.version}</th>
                <th>{t.deviceCount}</th>
                <th>{t.stale}</th>
              </tr>
            </thead>
            <tbody>
              {report.versions.map((v) => (
                <tr key={v.extensionVersion}>
                  <td class="version">{inertText(v.extensionVersion)}</td>
                  <td>{v.devices}</td>
                  <td>{v.stale}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.tokens.length > 1 && (
            <table class="versions" data-testid="tokens">
              <caption>{t.tokens}</caption>
              <thead>
                <tr>
                  <th>{t.tokenId}</th>
                  <th>{t.status}</th>
                  <th>{t.deviceCount}</th>
                  <th>{t.active}</th>
                </tr>
              </thead>
              <tbody>
                {report.tokens.map((k) => (
                  <tr key={k.tokenId} class={k.state === 'current' ? '' : 'bad'}>
                    <td class="version">{k.tokenId}</td>
                    <td>{t.tokenState[k.state]}</td>
                    <td>{k.devices}</td>
                    <td>{k.active}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {report && (
        <table class="events device-list" data-testid="devices">
          <thead>
            <tr>
              <th>{t.deviceName}</th>
              <th>{t.deviceId}</th>
              <th>{t.user}</th>
              <th>{t.status}</th>
              <th>{t.lastSeen}</th>
              <th>{t.version}</th>
              <th>{t.browser}</th>
              <th>{t.policyVersion}</th>
              <th>{t.installType}</th>
              <th>{t.managedPolicy}</th>
              <th>{t.incognito}</th>
              <th>{t.firstSeen}</th>
              <th>{t.tokenId}</th>
              <th>{t.receivedFrom}</th>
              <th>{t.warnings}</th>
            </tr>
          </thead>
          <tbody>
            {report.devices.map((raw) => ({ ...raw, ...deviceText(raw) })).map((d) => (
              <tr key={d.deviceId} class={d.status === 'stale' ? 'stale' : ''} data-status={d.status}>
                <td class="device-name">{d.deviceName ? inertText(d.deviceName) : '—'}</td>
                <td class="device-id">{inertText(d.deviceId)}</td>
                <td class="user">{d.user === null ? t.unknown : inertName(d.user)}</td>
                <td class={`status ${d.status}`}>{d.status === 'stale' ? t.stale : t.active}</td>
                <td>
                  {fmtTime(d.lastSeen)}
                  <br />
                  <small data-testid="silent">{ago(t, d.silentMinutes)}</small>
                </td>
                <td class="version">
                  {d.extensionVersion}
                  {d.previousVersion !== null && (
                    <>
                      <br />
                      <small>{fill(t.previousVersion, { v: d.previousVersion })}</small>
                    </>
                  )}
                  {d.versionSince !== null && (
                    <>
                      <br />
                      <small>{fill(t.since, { t: fmtTime(d.versionSince) })}</small>
                    </>
                  )}
                </td>
                <td>{d.browser}</td>
                <td>{d.policyVersion ?? '—'}</td>
                <td>{installLabel(d)}</td>
                <td>{yesNo(d.managed)}</td>
                <td>{yesNo(d.incognitoAllowed)}</td>
                <td>{fmtTime(d.firstSeen)}</td>
                <td class="version">{d.tokenId ?? '—'}</td>
                <td class="version">{d.receivedFrom ?? '—'}</td>
                <td class="warnings">
                  {d.warnings.map((w) => (
                    <span key={w} class={`warning ${w}`} data-warning={w}>
                      {t.warningLabel[w]}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report?.nextCursor && !loading && (
        <button type="button" class="more" data-testid="devices-more" disabled={loadingMore} onClick={() => void loadMore()}>
          {t.more}
        </button>
      )}
      {report && !loading && report.devices.length === 0 && <p class="empty">{t.noDevices}</p>}
      {loading && <p class="loading">{t.loading}</p>}
    </section>
  );
}
