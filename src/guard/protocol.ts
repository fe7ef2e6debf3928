/**
 * The guard's conversation with the background, as types. Only metadata crosses: a Finding per item
 * (verdict, name, size, SHA-256, rule, neutral location), never document text.
 */
import type { Finding } from '../events/finding.js';
import type { Action, Channel } from '../events/schema.js';
import type { PolicySnapshot } from '../policy/snapshot.js';
import type { Guidance, PageView, ServiceInfo } from './page.js';

export type { Action, Channel, Finding };

/** guard → background: which service is this page, and with which policy? Answered with a PageView. */
export interface ServiceRequest {
  type: 'service';
  url: string;
  /** A top-level window that holds a reference to the window that opened it (window-follow.ts pairs them). */
  opened?: boolean;
}
export type ServiceResponse = PageView;

/** guard → background: decide on these findings (one gesture may carry several items) and record them. */
export interface DecideRequest {
  type: 'decide';
  findings: Finding[];
}

/** background → guard: one decision per finding, in order; the strictest of them; the policy version used. */
export interface DecideResponse {
  /** The snapshot the background decided with: a guard holding another one refreshes. */
  version: string;
  action: Action;
  decisions: { action: Action; eventId: string }[];
  service: ServiceInfo | null;
  guidance: Guidance;
}

/** guard → background: the employee's answer to a `warn` dialog. */
export interface ResolveRequest {
  type: 'resolve';
  eventIds: string[];
  proceed: boolean;
  /** Required when proceed is true. */
  justification: string | null;
}

/** guard → background: the employee disputes these decisions ("not confidential" / "please review"). */
export interface DisputeRequest {
  type: 'dispute';
  /** The events that recorded the refused items. */
  eventIds: string[];
  /** Optional, free text. */
  comment: string | null;
}

/** background → every frame of every tab, whenever the managed policy changes. */
export interface PolicyPush {
  type: 'policy-snapshot';
  snapshot: PolicySnapshot;
}
