/**
 * Named API tokens for automation: `ugt_<id>_<secret>`. The id finds the row; only the SHA-256 of the
 * secret is stored (32 random bytes need no slow hash), compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export function newApiToken(): { id: string; token: string; secretHash: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `ugt_${id}_${secret}`, secretHash: sha256hex(secret) };
}

export function parseApiToken(token: string): { id: string; secret: string } | null {
  const m = /^ugt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256hex(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
