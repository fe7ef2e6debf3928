/**
 * Signing in to the admin page: with the company's identity provider (OpenID Connect), with a local
 * account, or with an admin/API token (automation, first start). A person's session is an HttpOnly
 * cookie the page never sees; it keeps only the session's CSRF token (in memory) for sign-out. A token
 * is kept in sessionStorage (gone when the tab closes), as before.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Role } from '../accounts/roles.js';
import { session } from './api.js';
import { pickLanguage } from './i18n.js';

/** Who is signed in. `token` is '' for a cookie session (api.ts then sends no Authorization header). */
export interface Who {
  actor: string;
  role: Role;
  via: 'session' | 'api-token' | 'admin-token';
  csrf: string | null;
  token: string;
  /** A token's end (ISO 8601), null: never; absent for a session. */
  expiresAt?: string | null;
}

const TEXT = {
  ja: {
    heading: '管理画面へのサインイン',
    withIdp: '会社のアカウントでサインイン',
    name: 'ユーザー名',
    password: 'パスワード',
    signIn: 'サインイン',
    withToken: 'トークンでサインイン（自動処理・初期設定用）',
    token: '管理トークンまたは API トークン',
    tokenHelp: 'コレクター起動時に表示された管理トークン、または発行された API トークンを入力してください。トークンはこのタブを閉じると消去されます。',
    wrong: 'ユーザー名またはパスワードが正しくありません。',
    badToken: 'トークンが正しくありません。',
    expiredToken: 'このトークンは有効期限が切れています。管理者に新しいトークンの発行を依頼してください。',
    tokenExpires: 'トークンの有効期限: {t}',
    throttled: 'サインインの失敗が続いたため、しばらく受け付けません。時間をおいてやり直してください。',
    https: 'この接続ではサインインできません。HTTPS でアクセスしてください。',
    denied: 'サインインはできましたが、この管理画面を使う権限が割り当てられていません。システム管理者に連絡してください。',
    failed: '会社のアカウントでのサインインを完了できませんでした。もう一度お試しください。',
    disabled: 'このアカウントは管理者によって無効にされています。システム管理者に連絡してください。',
    unreachable: 'コレクターに接続できません。しばらくしてから再度お試しください。',
    roles: { viewer: '閲覧者（集計のみ）', investigator: '調査担当者', admin: '管理者' } as Record<Role, string>,
  },
  en: {
    heading: 'Sign in to the admin page',
    withIdp: 'Sign in with your company account',
    name: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    withToken: 'Sign in with a token (automation, first setup)',
    token: 'Admin token or API token',
    tokenHelp: 'Enter the admin token the collector printed when it started, or an API token issued to you. It is forgotten when this tab closes.',
    wrong: 'Wrong user name or password.',
    badToken: 'The token was not accepted.',
    expiredToken: 'This token has expired. Ask an administrator to issue a new one.',
    tokenExpires: 'Token expires: {t}',
    throttled: 'Too many failed sign-ins. Please wait a while and try again.',
    https: 'Signing in is not possible over this connection. Please use HTTPS.',
    denied: 'You signed in, but no role on this admin page is assigned to you. Please contact your administrator.',
    failed: 'Signing in with your company account could not be completed. Please try again.',
    disabled: 'This account has been disabled by an administrator. Please contact your administrator.',
    unreachable: 'The collector cannot be reached. Please try again later.',
    roles: { viewer: 'Viewer (totals only)', investigator: 'Investigator', admin: 'Administrator' } as Record<Role, string>,
  },
};
const lang = pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
export const signinText = TEXT[lang];
const s = signinText;

/** Why the last token was refused when it had expired (the collector says "token expired: …"). */
let lastRefusal: string | null = null;

async function me(token: string): Promise<Who | null> {
  const res = await fetch('/v1/auth/me', { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as Omit<Who, 'token'> & { signedIn: boolean; error?: string | null };
  lastRefusal = body.error ?? null;
  return body.signedIn ? { ...body, token } : null;
}

/** The session or token this tab already has, or null. */
export async function restore(): Promise<Who | null> {
  const token = session.get();
  if (token) {
    const who = await me(token);
    if (who) return who;
    session.clear();
  }
  return me('');
}

/**
 * False when the collector kept the session: a sign-out is made only with its audit entry, and while
 * the audit log cannot be written it answers 503 and the session stays (the page says so).
 */
export async function signOut(who: Who): Promise<boolean> {
  session.clear();
  if (who.via !== 'session') return true;
  const r = await fetch('/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': who.csrf ?? '', 'content-type': 'application/json' }, body: '{}' }).catch(() => null);
  return r === null || r.status !== 503;
}

function errorFor(status: number, body: { disabled?: boolean }): string {
  if (status === 401) return s.wrong;
  if (status === 429) return s.throttled;
  if (status === 403 && body.disabled) return s.disabled;
  if (status === 403) return s.https;
  return s.unreachable;
}

/** A message the identity provider's return left in the address (?signin=denied|failed), shown once. */
function returnMessage(): string | null {
  const code = new URLSearchParams(location.search).get('signin');
  if (code) history.replaceState(null, '', location.pathname);
  return code === 'denied' ? s.denied : code === 'disabled' ? s.disabled : code === 'failed' ? s.failed : null;
}

export function SignIn({ onSignedIn, title }: { onSignedIn: (who: Who) => void; title: string }) {
  const [methods, setMethods] = useState({ oidc: false, local: false });
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(returnMessage);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetch('/v1/auth/methods')
      .then((r) => r.json())
      .then((m: { oidc?: boolean; local?: boolean }) => setMethods({ oidc: !!m.oidc, local: !!m.local }))
      .catch(() => setError(s.unreachable));
  }, []);

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch {
      setError(s.unreachable);
    } finally {
      setBusy(false);
    }
  }

  const local = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const res = await fetch('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: name.trim(), password }) });
      if (!res.ok) return setError(errorFor(res.status, (await res.json().catch(() => ({}))) as { disabled?: boolean }));
      setPassword('');
      const who = await me('');
      if (who) onSignedIn(who);
    });
  };

  const withToken = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const who = await me(token.trim());
      if (!who) return setError(lastRefusal?.startsWith('token expired') ? s.expiredToken : s.badToken);
      session.set(token.trim());
      onSignedIn(who);
    });
  };

  const tokenForm = (
    <form onSubmit={withToken} data-testid="signin-token">
      <label>
        {s.token}
        <input type="password" name="token" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
      </label>
      <p class="help">{s.tokenHelp}</p>
      <button type="submit" disabled={busy || !token.trim()}>
        {s.signIn}
      </button>
    </form>
  );

  return (
    <div class="signin" data-testid="signin">
      <h1>{title}</h1>
      <h2>{s.heading}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {methods.oidc && (
        <a class="button primary" href="/v1/auth/oidc/start" data-testid="signin-oidc">
          {s.withIdp}
        </a>
      )}
      {methods.local && (
        <form onSubmit={local} data-testid="signin-local">
          <label>
            {s.name}
            <input name="username" autocomplete="username" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            {s.password}
            <input type="password" name="password" autocomplete="current-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" disabled={busy || !name.trim() || !password}>
            {s.signIn}
          </button>
        </form>
      )}
      {/* With no person's sign-in set up (the quick start), the token is the way in; otherwise it is tucked away. */}
      {methods.oidc || methods.local ? (
        <details>
          <summary>{s.withToken}</summary>
          {tokenForm}
        </details>
      ) : (
        tokenForm
      )}
    </div>
  );
}

/** Who is signed in, and as what, for the page's header. */
export function WhoAmI({ who }: { who: Who }) {
  return (
    <span class="who" data-testid="who">
      {who.actor} · {s.roles[who.role]}
      {who.expiresAt ? <> · {s.tokenExpires.replace('{t}', new Date(who.expiresAt).toLocaleString())}</> : null}
    </span>
  );
}
