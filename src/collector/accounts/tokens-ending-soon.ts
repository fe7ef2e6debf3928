/**
 * The tokens that end within 14 days (token-ending.ts), for the collector's log (jobs.ts, a warning at
 * start and each day while there are any) and /metrics (a count and the fewest days left: no names, as
 * /metrics may be public). Live API tokens, and the admin token when UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES
 * gives it an end.
 */
import type { AccountStore } from './store.js';
import { daysLeft } from './token-ending.js';

export interface EndingToken {
  /** The API token's id; `admin` for the admin token of tokens.json or the environment. */
  id: string;
  name: string;
  expiresAt: string;
  daysLeft: number;
}

export async function tokensEndingSoon(store: AccountStore, adminTokenExpiresMs: number | null, now: number): Promise<EndingToken[]> {
  const out: EndingToken[] = [];
  const admin = daysLeft(adminTokenExpiresMs, now);
  if (admin !== null) out.push({ id: 'admin', name: 'admin token (UPLOAD_GUARD_ADMIN_TOKEN_EXPIRES)', expiresAt: new Date(adminTokenExpiresMs!).toISOString(), daysLeft: admin });
  for (const t of await store.tokens()) {
    const left = t.revokedMs === null ? daysLeft(t.expiresMs, now) : null;
    if (left !== null) out.push({ id: t.id, name: t.name, expiresAt: new Date(t.expiresMs!).toISOString(), daysLeft: left });
  }
  return out.sort((a, b) => a.daysLeft - b.daysLeft || a.name.localeCompare(b.name));
}
