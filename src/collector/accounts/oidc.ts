/**
 * Sign-in with the company's identity provider over OpenID Connect: authorization code flow with PKCE
 * (S256), state and nonce, through openid-client (panva). The role comes from one claim of the ID token
 * (e.g. `groups` or `roles`), mapped per value; a person matching no mapped value gets no access.
 */
import * as client from 'openid-client';
import { highest, isRole, type Role } from './roles.js';

export interface OidcOptions {
  /** The issuer URL (its /.well-known/openid-configuration is read at the first sign-in). */
  issuer: string;
  clientId: string;
  /** From the environment (UPLOAD_GUARD_OIDC_CLIENT_SECRET), never the command line. */
  clientSecret: string;
  /** This collector's callback, registered at the provider: https://HOST/v1/auth/oidc/callback */
  redirectUri: string;
  /** The ID-token claim that carries groups or roles (a string or an array of strings). Default `groups`. */
  roleClaim?: string;
  /** Claim value → role, e.g. { "ug-admins": "admin", "ug-soc": "investigator" }. */
  roleMap: Record<string, Role>;
  /** Scopes beyond `openid` (default `email profile`). */
  scopes?: string;
}

/** Loopback issuers (tests, a provider on this machine) may use plain http; any other must be https. */
function insecureAllowed(url: URL): boolean {
  return url.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
}

export function checkOidcOptions(o: OidcOptions): void {
  const issuer = new URL(o.issuer);
  if (issuer.protocol !== 'https:' && !insecureAllowed(issuer)) throw new Error('the OpenID Connect issuer must be an https URL');
  new URL(o.redirectUri);
  if (!o.clientId) throw new Error('an OpenID Connect client id is required');
  if (!o.clientSecret) throw new Error('an OpenID Connect client secret is required (UPLOAD_GUARD_OIDC_CLIENT_SECRET)');
  for (const [k, v] of Object.entries(o.roleMap)) if (!isRole(v)) throw new Error(`OpenID Connect role map: "${k}" maps to unknown role "${String(v)}"`);
  if (Object.keys(o.roleMap).length === 0) throw new Error('an OpenID Connect role map is required (nobody would get access)');
}

export interface Started {
  url: string;
  state: string;
  nonce: string;
  verifier: string;
}

export interface Identity {
  /**
   * Who this is: the issuer and `sub`, which the provider never lets a user change and never reassigns.
   * Accounts, disabling and the audit actor hang on it, never on an address the user may have typed in.
   */
  subject: string;
  /** The e-mail address, only when the provider says it verified it (`email_verified: true`), else null. */
  email: string | null;
  /** What releases before subject14 named this person by (email, preferred_username, sub), verified or not. */
  oldNames: string[];
  /** The claimed e-mail and whether it was verified, for the audit entry. */
  claimed: { email: string | null; verified: boolean };
  role: Role | null;
  /** The claim values seen (for the audit log's record of a refused sign-in). */
  claimValues: string[];
}

/** The person in an ID token's claims (see Identity); `email` only as the provider verified it. */
export function identityOf(claims: client.IDToken, role: Role | null, claimValues: string[]): Identity {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const email = str(claims.email);
  const verified = email !== null && claims.email_verified === true;
  const oldNames = [email, str(claims.preferred_username), claims.sub].filter((n): n is string => n !== null);
  return { subject: `${claims.iss} ${claims.sub}`, email: verified ? email : null, oldNames, claimed: { email, verified }, role, claimValues };
}

export class OidcClient {
  private config: Promise<client.Configuration> | null = null;
  constructor(readonly o: OidcOptions) {
    checkOidcOptions(o);
  }

  private configuration(): Promise<client.Configuration> {
    const issuer = new URL(this.o.issuer);
    // A failed discovery is tried again at the next sign-in, not remembered.
    this.config ??= client
      .discovery(issuer, this.o.clientId, undefined, client.ClientSecretBasic(this.o.clientSecret), insecureAllowed(issuer) ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        this.config = null;
        throw err;
      });
    return this.config;
  }

  async start(): Promise<Started> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUri,
      scope: `openid ${this.o.scopes ?? 'email profile'}`.trim(),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, verifier };
  }

  /** Exchanges the code (checking state, nonce, PKCE and the ID token) and maps the role. */
  async finish(query: string, pending: { state: string; nonce: string; verifier: string }): Promise<Identity> {
    const config = await this.configuration();
    const current = new URL(this.o.redirectUri);
    current.search = query;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no ID token');
    const claim = this.o.roleClaim ?? 'groups';
    const raw = claims[claim];
    // Mapping by address (Google Workspace has no groups claim) trusts only an address the provider verified.
    const unverified = claim === 'email' && claims.email_verified !== true;
    const values = unverified ? [] : (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    // Own-property lookups only: a claim value such as "__proto__" maps to nothing.
    const roles = values.filter((v) => Object.hasOwn(this.o.roleMap, v)).map((v) => this.o.roleMap[v]!);
    return identityOf(claims, highest(roles), values.slice(0, 50));
  }
}

/**
 * OpenID Connect from the environment (off when UPLOAD_GUARD_OIDC_ISSUER is unset):
 *   UPLOAD_GUARD_OIDC_ISSUER, UPLOAD_GUARD_OIDC_CLIENT_ID, UPLOAD_GUARD_OIDC_CLIENT_SECRET,
 *   UPLOAD_GUARD_OIDC_REDIRECT_URI (default PUBLIC_URL/v1/auth/oidc/callback),
 *   UPLOAD_GUARD_OIDC_ROLE_CLAIM (default groups), UPLOAD_GUARD_OIDC_ROLES="group=role,group=role",
 *   UPLOAD_GUARD_OIDC_SCOPES (default "email profile").
 */
export function oidcFromEnv(env: NodeJS.ProcessEnv, publicUrl: string | undefined): OidcOptions | undefined {
  const issuer = env.UPLOAD_GUARD_OIDC_ISSUER;
  if (!issuer) return undefined;
  const redirectUri = env.UPLOAD_GUARD_OIDC_REDIRECT_URI || (publicUrl ? `${publicUrl.replace(/\/$/, '')}/v1/auth/oidc/callback` : '');
  if (!redirectUri) throw new Error('UPLOAD_GUARD_OIDC_REDIRECT_URI (or --public-url) is required with UPLOAD_GUARD_OIDC_ISSUER');
  const roleMap: Record<string, Role> = {};
  for (const pair of (env.UPLOAD_GUARD_OIDC_ROLES ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    const role = pair.slice(eq + 1).trim();
    if (eq < 1 || !isRole(role)) throw new Error(`UPLOAD_GUARD_OIDC_ROLES: "${pair}" is not value=viewer|investigator|admin`);
    roleMap[pair.slice(0, eq).trim()] = role;
  }
  const o: OidcOptions = {
    issuer,
    clientId: env.UPLOAD_GUARD_OIDC_CLIENT_ID ?? '',
    clientSecret: env.UPLOAD_GUARD_OIDC_CLIENT_SECRET ?? '',
    redirectUri,
    roleClaim: env.UPLOAD_GUARD_OIDC_ROLE_CLAIM || 'groups',
    roleMap,
    scopes: env.UPLOAD_GUARD_OIDC_SCOPES,
  };
  checkOidcOptions(o);
  return o;
}
