/**
 * Messages between the extension's own pages (popup, options) and the background. Types only.
 * The background answers these only to extension pages, never to content scripts.
 */
import type { EffectivePolicy, ManagedPolicy } from '../../src/policy/types.js';
import type { DeliveryStatus, RecentDecision } from './db.js';

export type UiRequest = { type: 'ui-status' } | { type: 'ui-policy' } | { type: 'ui-flush' };

export interface UiStatus {
  managed: boolean;
  /** The id the admin page lists this browser under. */
  deviceId: string;
  policyVersion: string | null;
  collectorConfigured: boolean;
  delivery: DeliveryStatus;
  queued: number;
  dropped: number;
  rejected: number;
  recent: RecentDecision[];
}

/** The effective policy as the options page shows it. The ingest token never leaves the background. */
export interface UiPolicy {
  extensionId: string;
  effective: Omit<EffectivePolicy, 'ingestToken'> & { ingestToken: boolean };
  /** Top-level keys the admin set: shown as managed. */
  managedKeys: (keyof ManagedPolicy)[];
  problems: string[];
}
