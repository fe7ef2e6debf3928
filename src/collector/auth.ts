/**
 * Bearer-token checks. Two separate token sets: ingest (in every browser's policy, so assume it leaks)
 * and admin (reads every event). Neither is accepted where the other belongs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Scope = 'ingest' | 'admin';

/** Shorter tokens are refused at start: a token is the only thing between the internet and the data. */
export const MIN_TOKEN_LENGTH = 24;

/** Tokens are compared as SHA-256 digests, so the comparison is constant-time whatever their lengths. */
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenSet {
  private readonly digests: Buffer[];
  constructor(tokens: readonly string[]) {
    const usable = tokens.filter((t) => t.length > 0);
    this.digests = usable.map(digest);
  }
  get size(): number {
    return this.digests.length;
  }
  has(token: string): boolean {
    const d = digest(token);
    let found = false;
    // No early exit: the time taken does not tell which (or whether a) token matched.
    for (const x of this.digests) found = timingSafeEqual(d, x) || found;
    return found;
  }
}

/**
 * A short, stable fingerprint of a token (8 hex digits of its SHA-256): enough to tell an admin which
 * token a device uses during a rotation, useless for recovering the token itself.
 */
export function tokenId(token: string): string {
  return digest(token).toString('hex').slice(0, 8);
}

/** An ingest token as the audit log names it (a 429 for its rate limit is on record under it). */
export const ingestActor = (token: string) => `ingest-token:${tokenId(token)}`;

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i.exec(header);
  return m ? m[1]! : null;
}

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; error: string };

/**
 * The token of a `?token=` query parameter (for clients that cannot send headers: browsers' extension
 * updaters), or null when absent, repeated or not a plausible token.
 */
export function queryToken(query: unknown): string | null {
  const t = (query as Record<string, unknown> | null | undefined)?.token;
  return typeof t === 'string' && /^[\x21-\x7e]{1,512}$/.test(t) ? t : null;
}

export function authorize(header: string | undefined, scope: Scope, tokens: Record<Scope, TokenSet>): AuthResult {
  return authorizeToken(bearer(header), scope, tokens);
}

export function authorizeToken(token: string | null, scope: Scope, tokens: Record<Scope, TokenSet>): AuthResult {
  if (token === null) return { ok: false, status: 401, error: 'missing bearer token' };
  if (tokens[scope].has(token)) return { ok: true };
  const other: Scope = scope === 'admin' ? 'ingest' : 'admin';
  // A valid token of the wrong kind is authenticated but not allowed here: 403, not 401.
  if (tokens[other].has(token)) return { ok: false, status: 403, error: `${other} token is not valid for this endpoint` };
  return { ok: false, status: 401, error: 'invalid token' };
}
