/**
 * Local account passwords: scrypt (node:crypto) with a per-user random salt. Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8, p = 3: 32 MiB per check; one of the equivalent minimums of OWASP's Password Storage Cheat Sheet. */
const COST = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

/** Thrown when password checks are queued to the limit: the caller answers 503 (try again shortly). */
export class PasswordsBusy extends Error {
  constructor() {
    super('too many password checks at once');
  }
}

/**
 * scrypt runs in libuv's thread pool (4 threads), the pool that also syncs SQLite's WAL before ingest is
 * acknowledged: a burst of sign-ins must not take all of it. One hash at a time, a few waiting, and
 * beyond that PasswordsBusy at once (no unbounded queue for a flood to build).
 */
const RUNNING_MAX = 1;
const WAITING_MAX = 8;
let running = 0;
const waiting: (() => void)[] = [];

async function gated<T>(work: () => Promise<T>): Promise<T> {
  if (running >= RUNNING_MAX) {
    if (waiting.length >= WAITING_MAX) throw new PasswordsBusy();
    await new Promise<void>((r) => waiting.push(r));
  } else running++;
  try {
    return await work();
  } finally {
    // The slot passes to the next waiter as it is, or is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function scrypt(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { ...o, maxmem: 128 * o.N * o.r * 2 };
  return gated(() => new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key)))));
}

/** Why a new password is not acceptable, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 5) return 'a password must have at least 5 different characters';
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash nobody's password matches, checked when the account does not exist so timing does not tell. */
let dummy: Promise<string> | null = null;

/** Constant-time check; an unknown account (null hash) costs the same as a wrong password. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const hash = stored ?? (await (dummy ??= hashPassword(randomBytes(18).toString('base64'))));
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every(Number.isSafeInteger) || N > 2 ** 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  // A damaged hash (N not a power of two, say) is a failed check, not an error.
  const key = await scrypt(password, Buffer.from(parts[4]!, 'base64url'), { N, r, p }).catch((err: unknown) => {
    if (err instanceof PasswordsBusy) throw err;
    return null;
  });
  if (key === null) return false;
  return expected.length === key.length && timingSafeEqual(expected, key) && stored !== null;
}
