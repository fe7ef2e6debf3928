/**
 * The audit log for admins: who signed in, searched, exported or changed what, newest first, with
 * filters by person and action and a CSV download. Values are rendered as text (preact), so a hostile
 * search term or name in an entry stays inert.
 */
import { useState } from 'preact/hooks';
import { inertText } from '../../events/inert.js';
import { downloadAuditCsv, fetchAudit } from './api.js';
import { pickLanguage, type Strings } from './i18n.js';
import { refusedAuditText, refusedAuditUnknown, type RefusedAuditView } from './refused-audit-text.js';
import { ListState, errorText, useLoaded } from './states.js';
import type { Who } from './signin.js';

const TEXT = {
  ja: {
    tab: '監査ログ',
    actor: '操作者',
    action: '操作',
    time: '日時',
    address: '接続元',
    details: '内容',
    apply: '絞り込み',
    csv: 'CSV出力',
    none: '該当する記録はありません。',
    actions: {
      'signin.success': 'サインイン',
      'signin.failure': 'サインイン失敗',
      signout: 'サインアウト',
      search: '検索',
      export: 'エクスポート',
      'export.cut': 'エクスポート中断（権限の取り消し）',
      'devices.view': '端末一覧の閲覧',
      'audit.view': '監査ログの閲覧',
      'audit.refused.view': '保留中の監査記録の閲覧',
      'audit.spool.refused': '監査記録をデータベースが受け付けず保留（再試行中）',
      'accounts.view': 'アカウント一覧の閲覧',
      'tokens.view': 'API トークン一覧の閲覧',
      'account.create': 'アカウント作成',
      'account.update': 'アカウント変更',
      'account.delete': 'アカウント削除',
      'account.role': '役割の変更',
      'account.disable': 'アカウントを無効化',
      'account.enable': 'アカウントを有効化',
      'incidents.search': 'インシデントの検索',
      'incidents.read': 'インシデントの閲覧',
      'incident.update': 'インシデントの対応記録',
      'incident.update.refused': 'インシデントの対応記録（拒否）',
      'settings.update': '設定の変更',
      'settings.update.refused': '設定の変更（拒否）',
      'change.refused': '変更の拒否',
      'report.download': '定期報告書の出力',
      'token.create': 'API トークン発行',
      'token.revoke': 'API トークン失効',
      'access.denied': 'アクセス拒否',
      'access.denied.repeated': 'アクセス拒否（1分間の件数）',
      'access.throttled': '要求が多すぎるため拒否（有効な資格情報）',
      'access.throttled.repeated': '要求が多すぎるため拒否（1分間の件数）',
    } as Record<string, string>,
  },
  en: {
    tab: 'Audit log',
    actor: 'Who',
    action: 'Action',
    time: 'Time',
    address: 'From',
    details: 'Details',
    apply: 'Filter',
    csv: 'Export CSV',
    none: 'No matching entries.',
    actions: {
      'signin.success': 'Signed in',
      'signin.failure': 'Sign-in failed',
      signout: 'Signed out',
      search: 'Search',
      export: 'Export',
      'export.cut': 'Export cut off (access withdrawn)',
      'devices.view': 'Viewed devices',
      'audit.view': 'Viewed audit log',
      'audit.refused.view': 'Viewed audit entries set aside',
      'audit.spool.refused': 'Audit entry refused by the database: set aside, retrying',
      'accounts.view': 'Viewed accounts',
      'tokens.view': 'Viewed API tokens',
      'account.create': 'Account created',
      'account.update': 'Account changed',
      'account.delete': 'Account removed',
      'account.role': 'Role changed',
      'account.disable': 'Account disabled',
      'account.enable': 'Account enabled',
      'incidents.search': 'Searched incidents',
      'incidents.read': 'Viewed an incident',
      'incident.update': 'Incident triage',
      'incident.update.refused': 'Incident triage refused',
      'settings.update': 'Settings changed',
      'settings.update.refused': 'Settings change refused',
      'change.refused': 'Change refused',
      'report.download': 'Report downloaded',
      'token.create': 'API token issued',
      'token.revoke': 'API token revoked',
      'access.denied': 'Access refused',
      'access.denied.repeated': 'Access refused (count for the minute)',
      'access.throttled': 'Refused: too many requests (valid credential)',
      'access.throttled.repeated': 'Refused: too many requests (count for the minute)',
    } as Record<string, string>,
  },
};
const lang = pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
export const auditText = TEXT[lang];
const s = auditText;

/**
 * Audit entries the database refused or has not taken yet, above the log: the log alone would look
 * complete. They come in the log's own answer (one request, one `audit.view` entry: asking for them
 * apart was a second entry each time the view opened); `failed` when the log could not be read.
 */
function RefusedAudit({ data, failed, fmtTime }: { data: RefusedAuditView | null; failed: string | null; fmtTime: (iso: string) => string }) {
  if (failed) {
    return (
      <p class="audit-refused" data-testid="audit-refused-unknown">
        {refusedAuditUnknown(lang, failed)}
      </p>
    );
  }
  const parts = data ? refusedAuditText(data, lang, fmtTime, (a) => s.actions[a]) : [];
  if (!parts.length) return null;
  return (
    <section class="audit-refused" data-testid="audit-refused" role="status">
      {parts.map((p) => (
        <div key={p.title}>
          <h3>{p.title}</h3>
          {p.lines.map((l, i) => (
            <p key={i}>{l}</p>
          ))}
        </div>
      ))}
    </section>
  );
}

export function AuditView({ t, who, fmtTime, onAuthError }: { t: Strings; who: Who; fmtTime: (iso: string) => string; onAuthError: () => void }) {
  const [filter, setFilter] = useState({ actor: '', action: '' });
  const [applied, setApplied] = useState(filter);
  const [csvError, setCsvError] = useState<string | null>(null);

  const params = () => {
    const p = new URLSearchParams({ limit: '500' });
    if (applied.actor.trim()) p.set('actor', applied.actor.trim());
    if (applied.action) p.set('action', applied.action);
    return p;
  };
  // The collector unreachable is said as such, never as "no entries" nor as the browser's raw message.
  const [asked, setAsked] = useState(0);
  // Asked again by the retry below, the log and the refused entries together.
  const { data, state } = useLoaded(t, () => fetchAudit(params(), who.token), [applied, asked], onAuthError);
  // Signing out on 401/403 is useLoaded's to do.
  const refusedFailed = state.kind === 'error' ? state.message : null;
  const entries = data?.entries ?? [];

  function csv() {
    setCsvError(null);
    downloadAuditCsv(params(), who.token).catch((err: unknown) => setCsvError(errorText(t, err)));
  }

  return (
    <div class="audit-view" data-testid="audit">
      <RefusedAudit data={data?.spool ?? null} failed={refusedFailed} fmtTime={fmtTime} />
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filter);
        }}
      >
        <label>
          {s.actor}
          <input name="actor" value={filter.actor} onInput={(e) => setFilter({ ...filter, actor: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {s.action}
          <select name="audit-action" value={filter.action} onChange={(e) => setFilter({ ...filter, action: (e.target as HTMLSelectElement).value })}>
            <option value="">—</option>
            {Object.entries(s.actions).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{s.apply}</button>
        <button type="button" onClick={csv}>
          {s.csv}
        </button>
      </form>
      {csvError && (
        <p class="error" role="alert">
          {csvError}
        </p>
      )}
      {entries.length > 0 && (
        <table class="events">
          <thead>
            <tr>
              <th>{s.time}</th>
              <th>{s.actor}</th>
              <th>{s.action}</th>
              <th>{s.address}</th>
              <th>{s.details}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{fmtTime(e.time)}</td>
                <td>
                  {inertText(e.actor)}
                  {e.actorTokenId ? <small class="token-id"> (ID {e.actorTokenId})</small> : null}
                </td>
                <td>{s.actions[e.action] ?? inertText(e.action)}</td>
                <td>{e.address ?? '—'}</td>
                <td class="file">{inertText(JSON.stringify(e.details))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ListState t={t} state={state} empty={entries.length === 0} emptyText={s.none} onRetry={() => setAsked((n) => n + 1)} />
    </div>
  );
}
