/**
 * The Accounts view (admins): who can sign in, with which role, when they last did; add a local account
 * (the collector makes its first password, shown once), change a local account's role, disable or enable
 * anyone. A person from the identity provider gets the role their groups give, so it is shown, not
 * changed here. The admin's own row has no controls: nobody locks themselves out by a slip. Names from
 * the identity provider are whatever its claims say: rendered as inert text.
 */
import { useState } from 'preact/hooks';
import { inertText } from '../../events/inert.js';
import { ROLES, type Role } from '../accounts/roles.js';
import { nameRefusal } from '../name-refusal.js';
import { ApiError, changeAccount, fetchAccounts, inviteAccount, type AccountView } from './api.js';
import { accessText as s } from './access-text.js';
import type { Strings } from './i18n.js';
import { NameRoleForm } from './name-role-form.js';
import { OneTimeSecret } from './one-time-secret.js';
import { ListState, errorText, fill, useLoaded } from './states.js';
import type { Who } from './signin.js';

interface Props {
  t: Strings;
  who: Who;
  fmtTime: (iso: string) => string;
  onAuthError: () => void;
}

/** Whether an account row is the signed-in admin themselves (`alice` or `oidc:alice@…`). */
const isSelf = (who: Who, a: AccountView) => who.actor === (a.source === 'oidc' ? `oidc:${a.name}` : a.name);

/** A refused change in the admin's words: the collector's reason is English and for the API. */
export function changeError(t: Strings, err: unknown): string {
  if (err instanceof ApiError && err.status === 409) {
    // The collector's reason names the existing look-alike (a name it would be taken for) or a revoked token's.
    const why = nameRefusal(err.message);
    return why === null ? s.exists : 'lookAlike' in why ? fill(s.lookAlike, { name: why.lookAlike }) : s.usedBefore;
  }
  if (err instanceof ApiError && err.status === 400) return s.nameRule;
  return errorText(t, err);
}

export function AccountsView({ t, who, fmtTime, onAuthError }: Props) {
  const { data, state, reload } = useLoaded(t, () => fetchAccounts(who.token), [], onAuthError);
  const accounts: AccountView[] = data?.accounts ?? [];
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [invited, setInvited] = useState<{ name: string; password: string } | null>(null);

  const fail = (err: unknown, text = changeError) => {
    // 401: the session ended (the page signs out); a 403 on a change is shown, the admin may still read.
    if (err instanceof ApiError && err.status === 401) onAuthError();
    else setMessage({ ok: false, text: text(t, err) });
  };

  async function change(a: AccountView, body: { role?: Role; disabled?: boolean }) {
    setMessage(null);
    try {
      await changeAccount(a.name, body, who.token);
      setMessage({ ok: true, text: fill(s.changed, { name: inertText(a.name) }) });
    } catch (err) {
      fail(err);
    }
    reload();
  }

  async function add(name: string, role: Role): Promise<boolean> {
    setMessage(null);
    try {
      const r = await inviteAccount({ name, role }, who.token);
      setInvited({ name: r.name, password: r.password });
      return true;
    } catch (err) {
      fail(err);
      return false;
    } finally {
      reload();
    }
  }

  return (
    <div class="accounts-view" data-testid="accounts">
      <NameRoleForm
        kind="account"
        testId="add-account"
        title={s.addAccount}
        submit={s.add}
        help={s.addHelp}
        onSubmit={add}
        onBadName={() => setMessage({ ok: false, text: s.nameRule })}
      />
      {invited && <OneTimeSecret title={fill(s.passwordOnce, { name: invited.name })} value={invited.password} onDone={() => setInvited(null)} />}
      {message && (
        <p class={message.ok ? 'saved' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="accounts-message">
          {message.text}
        </p>
      )}
      {accounts.length > 0 && (
        <table class="events manage">
          <thead>
            <tr>
              <th>{s.name}</th>
              <th>{s.kind}</th>
              <th>{s.role}</th>
              <th>{s.lastSignIn}</th>
              <th>{s.created}</th>
              <th>{s.state}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => {
              const self = isSelf(who, a);
              return (
                <tr key={a.name} data-name={a.name} class={a.disabledAt ? 'disabled' : ''}>
                  <td class="user">
                    {inertText(a.name)}
                    {self && ` ${s.you}`}
                  </td>
                  <td>{s.kinds[a.source] ?? a.source}</td>
                  <td class="role">
                    {a.source === 'local' && !self ? (
                      <select name="role" aria-label={s.role} value={a.role} onChange={(e) => void change(a, { role: (e.target as HTMLSelectElement).value as Role })}>
                        {ROLES.map((r) => (
                          <option value={r}>{s.roles[r]}</option>
                        ))}
                      </select>
                    ) : (
                      <span title={a.source === 'oidc' ? s.roleFromIdp : undefined}>{s.roles[a.role] ?? a.role}</span>
                    )}
                  </td>
                  <td class="time">{a.lastSignInAt ? fmtTime(a.lastSignInAt) : s.never}</td>
                  <td class="time">
                    {fmtTime(a.createdAt)}
                    <br />
                    <small>{fill(s.byWhom, { who: inertText(a.createdBy) })}</small>
                  </td>
                  <td class="state">{a.disabledAt ? fill(s.disabledSince, { t: fmtTime(a.disabledAt), who: inertText(a.disabledBy ?? '') }) : s.enabled}</td>
                  <td>
                    {!self && (
                      <button type="button" data-testid={a.disabledAt ? 'enable' : 'disable'} onClick={() => void change(a, { disabled: !a.disabledAt })}>
                        {a.disabledAt ? s.enable : s.disable}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ListState t={t} state={state} empty={accounts.length === 0} emptyText={s.noAccounts} onRetry={reload} />
    </div>
  );
}
