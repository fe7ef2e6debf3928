/**
 * The form the Accounts and API tokens views share: a name and a role, to add an account or issue a
 * token. The name follows the NAME rule of accounts/manage.ts, checked here too so that a typo is
 * explained before the round trip; it is cleared once it was used.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ROLES, type Role } from '../accounts/roles.js';
import { accessText as s } from './access-text.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

interface Props {
  /** Names the fields (`account-name`, `token-role`…). */
  kind: 'account' | 'token';
  testId: string;
  title: string;
  submit: string;
  help: string;
  /** Called with a name that follows the rule; resolves true when it was used. */
  onSubmit(name: string, role: Role): Promise<boolean>;
  /** Called instead with a name against the rule. */
  onBadName(): void;
  /** More fields, before the submit button (the token's lifetime). */
  children?: ComponentChildren;
}

export function NameRoleForm({ kind, testId, title, submit, help, onSubmit, onBadName, children }: Props) {
  const [form, setForm] = useState<{ name: string; role: Role }>({ name: '', role: 'investigator' });
  async function send(e: Event) {
    e.preventDefault();
    const name = form.name.trim();
    if (!NAME.test(name)) return onBadName();
    if (await onSubmit(name, form.role)) setForm((f) => ({ ...f, name: '' }));
  }
  return (
    <form class="filters" onSubmit={(e) => void send(e)} data-testid={testId}>
      <strong>{title}</strong>
      <label>
        {s.name}
        <input name={`${kind}-name`} value={form.name} maxLength={64} autocomplete="off" onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} />
      </label>
      <label>
        {s.role}
        <select name={`${kind}-role`} value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value as Role })}>
          {ROLES.map((r) => (
            <option value={r}>{s.roles[r]}</option>
          ))}
        </select>
      </label>
      {children}
      <button type="submit" disabled={!form.name.trim()}>
        {submit}
      </button>
      <p class="help">{help}</p>
    </form>
  );
}
