/** The toolbar popup: is the guard managed, is the collector reachable, what is queued, what happened lately. */
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { UiStatus } from '../../background/ui-protocol.js';
import { getStatus, sendNow } from '../common/api.js';
import { formatTime, t } from '../common/i18n.js';
import { inertText } from '../../../src/events/inert.js';

/** Reachable when the latest contact succeeded; failing when the latest attempt failed. */
function collectorState(s: UiStatus): { cls: string; text: string } {
  if (!s.collectorConfigured) return { cls: 'muted', text: t('popup_collector_none') };
  const { lastSuccess, lastFailure, failures } = s.delivery;
  if (failures > 0 && lastFailure) return { cls: 'bad', text: t('popup_collector_failing') };
  if (lastSuccess) return { cls: 'ok', text: t('popup_collector_ok') };
  return { cls: 'muted', text: t('popup_collector_unknown') };
}

export function Popup() {
  const [status, setStatus] = useState<UiStatus | null>(null);
  useEffect(() => {
    void getStatus().then(setStatus);
  }, []);
  if (!status) return <p class="muted">{t('options_loading')}</p>;
  const c = collectorState(status);
  return (
    <main data-testid="popup">
      <h1>
        <img src="/icons/icon-32.png" width={20} height={20} alt="" />
        {t('popup_title')}
      </h1>
      <dl>
        <dt>{t('popup_policy')}</dt>
        <dd data-testid="policy-state">
          {status.managed ? t('popup_policy_managed') : t('popup_policy_default')}
          {status.policyVersion && <div class="muted">{t('popup_policy_version', status.policyVersion)}</div>}
        </dd>
        <dt>{t('popup_device')}</dt>
        <dd data-testid="device-id">
          <code>{status.deviceId}</code>
          <div class="muted">{t('popup_device_hint')}</div>
        </dd>
        <dt>{t('popup_collector')}</dt>
        <dd data-testid="collector-state">
          <span class={c.cls}>{c.text}</span>
          {status.delivery.lastSuccess && <div class="muted">{t('popup_last_success', formatTime(status.delivery.lastSuccess))}</div>}
          {status.delivery.lastFailure && (
            <div class="muted" title={status.delivery.lastError ?? ''}>
              {t('popup_last_failure', formatTime(status.delivery.lastFailure))}
            </div>
          )}
        </dd>
      </dl>
      <p data-testid="queued">{t('popup_queued', status.queued)}</p>
      {status.dropped > 0 && (
        <p class="bad" data-testid="dropped">
          {t('popup_dropped', status.dropped)}
        </p>
      )}
      <h2>{t('popup_recent')}</h2>
      {status.recent.length === 0 ? (
        <p class="muted" data-testid="recent-none">
          {t('popup_recent_none')}
        </p>
      ) : (
        <table data-testid="recent">
          <thead>
            <tr>
              <th>{t('popup_col_time')}</th>
              <th>{t('popup_col_service')}</th>
              <th>{t('popup_col_file')}</th>
              <th>{t('popup_col_verdict')}</th>
              <th>{t('popup_col_action')}</th>
            </tr>
          </thead>
          <tbody>
            {status.recent.map((r) => (
              <tr key={r.id}>
                <td>{formatTime(r.time)}</td>
                <td>{r.service ?? '—'}</td>
                {/* Hostile names render as text: preact never injects HTML from strings. */}
                <td class="file" title={r.fileName ? inertText(r.fileName) : ''}>
                  {r.fileName ? inertText(r.fileName) : t('popup_text')}
                </td>
                <td>{t(`verdict_${r.verdict}`)}</td>
                <td>{t(`action_${r.action}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        <a href="#" onClick={(e) => (e.preventDefault(), void browser.runtime.openOptionsPage())}>
          {t('popup_open_options')}
        </a>
        {status.collectorConfigured && status.queued > 0 && (
          <button type="button" onClick={() => void sendNow().then(setStatus)}>
            ↻
          </button>
        )}
      </div>
    </main>
  );
}
