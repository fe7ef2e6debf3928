/**
 * Loading, error and empty states, the same on every view: "the collector cannot be reached" is never
 * shown as "no events", and no browser or server message ("Failed to fetch") reaches the screen raw.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import type { Strings } from './i18n.js';

export const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_m, k: string) => String(values[k] ?? ''));

/** 401/403: the token is gone or wrong (the caller signs out); null otherwise. */
export function isAuthError(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.status === 403);
}

/** What went wrong, in the admin's language. */
export function errorText(t: Strings, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 400) return fill(t.badRequest, { detail: err.message.slice(0, 200) });
    return fill(t.serverError, { status: err.status });
  }
  // fetch rejects (TypeError) when the collector cannot be reached at all.
  return t.unreachable;
}

export type LoadState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready' };

/** The line under a list: loading, the error with a retry, or "nothing matches" once loaded. */
export function ListState({ t, state, empty, emptyText, onRetry }: { t: Strings; state: LoadState; empty: boolean; emptyText: string; onRetry: () => void }) {
  if (state.kind === 'loading') return <p class="loading" role="status">{t.loading}</p>;
  if (state.kind === 'error') {
    return (
      <div class="error" role="alert" data-testid="load-error">
        <p>{state.message}</p>
        <button type="button" onClick={onRetry}>
          {t.retry}
        </button>
      </div>
    );
  }
  return empty ? <p class="empty">{emptyText}</p> : null;
}

/**
 * One list's loading for a view: asks again when `deps` change or on reload(), keeps only the latest
 * answer (an older one arriving late, for other filters, is dropped), clears what was shown when asking
 * fails (it belonged to other filters, or the collector is gone), and signs out on 401/403.
 */
export function useLoaded<T>(t: Strings, load: () => Promise<T>, deps: readonly unknown[], onAuthError: () => void): { data: T | null; state: LoadState; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [state, setState] = useState<LoadState>({ kind: 'loading' });
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    load().then(
      (r) => {
        if (!current) return;
        setData(r);
        setState({ kind: 'ready' });
      },
      (err: unknown) => {
        if (!current) return;
        setData(null);
        if (isAuthError(err)) onAuthError();
        else setState({ kind: 'error', message: errorText(t, err) });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, asked]);
  return { data, state, reload: () => setAsked((n) => n + 1) };
}
