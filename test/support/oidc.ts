/**
 * A real OpenID Connect provider for collector tests (panva's oidc-provider on a random port, its
 * development login and consent pages) and a sign-in through it over plain HTTP: the redirects, the two
 * forms and each side's cookies, as a browser would, without a browser. The login `subject|address`
 * signs in subject `subject` claiming `address` with email_verified false (a user who edited their own
 * profile); a plain `subject` has `subject@example.co.jp`, verified.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const OIDC_CLIENT_SECRET = 'client-secret-for-the-test-provider-0123456789';

export interface TestProvider {
  issuer: string;
  server: Server;
  /** Completes the provider's side for `redirectUri`, set in `listen` once the collector's port is known. */
  serve(redirectUri: string): void;
}

export async function testProvider(groups: Record<string, string[]>): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    server,
    serve(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: 'upload-guard', client_secret: OIDC_CLIENT_SECRET, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        pkce: { methods: ['S256'], required: () => true },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
        conformIdTokenClaims: false,
        cookies: { keys: ['test-cookie-key-0123456789'] },
        async findAccount(_ctx, id) {
          const [sub, claimed] = id.split('|') as [string, string | undefined];
          return { accountId: id, claims: async () => ({ sub, email: claimed ?? `${sub}@example.co.jp`, email_verified: claimed === undefined, groups: groups[sub] ?? [] }) };
        },
      });
      server.on('request', provider.callback());
    },
  };
}

/** name=value cookies per host (paths and expiry beyond deletion ignored: enough for one sign-in). */
class Jar {
  private hosts = new Map<string, Map<string, string>>();
  take(url: URL, res: Response) {
    const jar = this.hosts.get(url.host) ?? new Map<string, string>();
    this.hosts.set(url.host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }
  header(url: URL): string {
    return [...(this.hosts.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Signs in at the collector through the provider; returns the collector's final answer and its session cookie. */
export async function oidcSignIn(collectorUrl: string, login: string): Promise<{ landed: string; cookie: string | null }> {
  const jar = new Jar();
  let url = new URL(`${collectorUrl}/v1/auth/oidc/start`);
  let form: URLSearchParams | null = null;
  for (let hop = 0; hop < 20; hop++) {
    const res: Response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ?? undefined,
    });
    jar.take(url, res);
    form = null;
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin === new URL(collectorUrl).origin && next.pathname.startsWith('/admin/')) {
        const cookie = jar.header(next).split('; ').find((c) => c.startsWith('ug_session=')) ?? null;
        return { landed: next.pathname + next.search, cookie };
      }
      url = next;
      continue;
    }
    // The provider's login or consent page: fill in and submit its form.
    const html: string = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt: string | undefined = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`unexpected page at ${url.href}: ${res.status} ${html.slice(0, 200)}`);
    url = new URL(action, url);
    form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
  }
  throw new Error('too many redirects');
}
