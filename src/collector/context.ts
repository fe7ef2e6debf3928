/**
 * What the collector's plugins share: storage, counters, the clock, the token sets and limits. Built
 * once from CollectorOptions by createCollector and handed to every plugin as its option.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { FleetCounts } from './fleet-counts.js';
import type { Metrics } from './metrics.js';
import type { AlertOutbox } from './alerts/outbox.js';
import type { Admission } from './admission.js';
import type { Storage, TimeWindow } from './storage/types.js';
import type { TokenSet, Scope } from './auth.js';
import type { RateLimiter } from './rate-limit.js';
import type { IngestTokenIds } from './devices.js';

export interface CollectorContext {
  storage: Storage;
  metrics: Metrics;
  now: () => number;
  tokens: Record<Scope, TokenSet>;
  /** When the admin tokens of tokens.json / the environment stop working (epoch ms), or null: never. */
  adminTokenExpiresMs: number | null;
  /** Ingest token fingerprints, current first (see devices.ts). */
  ingestTokenIds: IngestTokenIds;
  /** Per client key (see token-checks.ts): refused requests per address, admin per address and token. */
  limiters: Record<Scope, RateLimiter>;
  /** Valid ingest requests per address and token (a NAT in front of many browsers: 20 devices' worth). */
  addressLimiter: RateLimiter;
  /** Per device id on ingest, and per ingest token across the whole fleet. */
  deviceLimiter: RateLimiter | null;
  tokenLimiter: RateLimiter | null;
  /**
   * Events (not requests) per device id, per address and per ingest token: a batch carries up to 1,000,
   * so request counts alone let one sender store thousands a second (made-up device ids escape the
   * per-device bucket; the address and token ones still hold).
   */
  eventLimiters: { device: RateLimiter; address: RateLimiter; token: RateLimiter } | null;
  admission: Admission;
  outbox: AlertOutbox;
  /** The fleet's counts per version and token, shared by the device list and /metrics for a few seconds. */
  fleet: FleetCounts;
  bodyLimit: number;
  staleAfterMinutes: number | undefined;
  /** Normalised --public-url, if set. */
  publicUrl: string | undefined;
  /** How far an event's own time may be from its arrival before it is stored at its arrival (null: believed). */
  timeWindow: TimeWindow | null;
  /** When a write last failed for want of space (disk full), epoch ms; 0: never. /readyz reads it. */
  diskFull: { lastMs: number };
}

export type CollectorPlugin<Extra = object> = FastifyPluginAsync<{ ctx: CollectorContext } & Extra>;

/**
 * Marks a plugin as applying to the whole app (what the fastify-plugin package does): its hooks,
 * handlers and decorations are not fenced into its own scope.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any plugin's options
export function appWide<T extends CollectorPlugin<any>>(plugin: T): T {
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
