/**
 * The API tokens view (admins): named tokens for automation, with their role, who made them and when
 * they were last used; issue one (its secret is shown once, with a copy button and a warning: the
 * collector keeps only a hash) or revoke one (two clicks: a revoked token cannot be brought back).
 * The secret is never listed. `createdBy` may be a name from the identity provider: rendered inert.
 */
import { useState } from 'preact/hooks';
import { inertText } from '../../events/inert.js';
import type { Role } from '../accounts/roles.js';
import { ApiError, createToken, fetchTokens, revokeToken, type TokenView } from './api.js';
import { accessText as s } from './access-text.js';
import { changeError } from './accounts.js';
import type { Strings } from './i18n.js';
import { NameRoleForm } from './name-role-form.js';
import { OneTimeSecret } from './one-time-secret.js';
import { ListState, fill, useLoaded } from './states.js';
import type { Who } from './signin.js';

/** The lifetimes offered when issuing a token, in days (0: no expiry). */
const LIFETIMES = [30, 90, 180, 365, 0];
const expired = (k: TokenView) => k.expiresAt != null && Date.parse(k.expiresAt) <= Date.now();

interface Props {
  t: Strings;
  who: Who;
  fmtTime: (iso: string) => string;
  onAuthError: () => void;
}

export function ApiTokensView({ t, who, fmtTime, onAuthError }: Props) {
  const { data, state, reload } = useLoaded(t, () => fetchTokens(who.token), [], onAuthError);
  const tokens: TokenView[] = data?.tokens ?? [];
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<{ name: string; token: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // Days the next token is valid for (0: no expiry); the collector's default is 90.
  const [days, setDays] = useState(90);

  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) onAuthError();
    else setError(changeError(t, err));
  };

  async function issue(name: string, role: Role): Promise<boolean> {
    setError(null);
    try {
      const r = await createToken({ name, role, expiresInDays: days }, who.token);
      setMade({ name: r.name, token: r.token });
      return true;
    } catch (err) {
      fail(err);
      return false;
    } finally {
      reload();
    }
  }

  async function revoke(id: string) {
    setError(null);
    setConfirming(null);
    try {
      await revokeToken(id, who.token);
    } catch (err) {
      fail(err);
    }
    reload();
  }

  // Active tokens first (what can still be used; an expired one cannot), newest first within each.
  const done = (k: TokenView) => Number(k.revokedAt !== null || expired(k));
  const shown = [...tokens].sort((a, b) => done(a) - done(b) || b.createdAt.localeCompare(a.createdAt));
  // Live tokens the collector says end within 14 days, nearest first: named above the table.
  const ending = tokens.filter((k) => k.endsInDays != null && !done(k)).sort((a, b) => a.endsInDays! - b.endsInDays!);

  return (
    <div class="tokens-view" data-testid="api-tokens">
      <NameRoleForm
        kind="token"
        testId="create-token"
        title={s.createToken}
        submit={s.create}
        help={s.createHelp}
        onSubmit={issue}
        onBadName={() => setError(s.nameRule)}
      >
        <label>
          {s.lifetime}
          <select name="token-days" value={String(days)} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
            {LIFETIMES.map((n) => (
              <option value={String(n)}>{n === 0 ? s.noExpiry : fill(s.days, { n: String(n) })}</option>
            ))}
          </select>
        </label>
      </NameRoleForm>
      {made && <OneTimeSecret title={fill(s.tokenOnce, { name: made.name })} value={made.token} onDone={() => setMade(null)} />}
      {error && (
        <p class="error" role="alert" data-testid="tokens-message">
          {error}
        </p>
      )}
      {ending.length > 0 && (
        <p class="warning" role="status" data-testid="tokens-ending">
          {fill(s.endingBanner, { names: ending.map((k) => fill(s.endingItem, { name: inertText(k.name), n: String(k.endsInDays) })).join(s.listSep) })}
        </p>
      )}
      {tokens.length > 0 && (
        <table class="events manage">
          <thead>
            <tr>
              <th>{s.name}</th>
              <th>{s.role}</th>
              <th>{s.created}</th>
              <th>{s.createdBy}</th>
              <th>{s.lastUsed}</th>
              <th>{s.expires}</th>
              <th>{s.state}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((k) => (
              <tr key={k.id} data-id={k.id} data-name={k.name} class={k.revokedAt || expired(k) ? 'disabled' : ''}>
                <td class="user">{inertText(k.name)}</td>
                <td class="role">{s.roles[k.role] ?? k.role}</td>
                <td class="time">{fmtTime(k.createdAt)}</td>
                <td class="user">{inertText(k.createdBy)}</td>
                <td class="time">{k.lastUsedAt ? fmtTime(k.lastUsedAt) : s.never}</td>
                <td class="time" data-testid="token-expires">{k.expiresAt ? fmtTime(k.expiresAt) : s.noExpiry}</td>
                <td class="state">
                  {k.revokedAt ? fill(s.revoked, { t: fmtTime(k.revokedAt), who: inertText(k.revokedBy ?? '') }) : expired(k) ? fill(s.expired, { t: fmtTime(k.expiresAt!) }) : k.endsInDays != null ? <span class="warning" data-testid="token-ending">{fill(s.endingSoon, { n: String(k.endsInDays) })}</span> : s.active}
                </td>
                <td>
                  {!k.revokedAt &&
                    (confirming === k.id ? (
                      <>
                        <button type="button" class="danger" data-testid="revoke-confirm" onClick={() => void revoke(k.id)}>
                          {s.revokeConfirm}
                        </button>{' '}
                        <button type="button" onClick={() => setConfirming(null)}>
                          {s.cancel}
                        </button>
                      </>
                    ) : (
                      <button type="button" data-testid="revoke" onClick={() => setConfirming(k.id)}>
                        {s.revoke}
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ListState t={t} state={state} empty={tokens.length === 0} emptyText={s.noTokens} onRetry={reload} />
    </div>
  );
}
