/**
 * What an alert receiver's HTTP answer means. Redirects are never followed (fetch with
 * `redirect: 'manual'`): per the Fetch standard a 301/302/303 turns the POST into a GET without a body,
 * whose 200 would mark an alert the receiver never got as delivered. A 3xx is a failure that names
 * where it pointed, so the admin page shows what to fix (the configured URL).
 */
export const NO_REDIRECTS = { redirect: 'manual' } as const;

/** The error for a non-2xx answer (null for 2xx); `detail` is appended (a receiver's message). */
export function answerError(res: Response, who: string, detail = ''): Error | null {
  if (res.ok) return null;
  if (res.status >= 300 && res.status < 400) {
    const to = res.headers.get('location') ?? 'nowhere';
    return new Error(`${who} answered ${res.status} redirecting to ${to.slice(0, 200)}: redirects are not followed, configure the final URL`);
  }
  return new Error(`${who} answered ${res.status}${detail ? `: ${detail}` : ''}`);
}
