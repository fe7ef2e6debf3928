/**
 * The messages between the content side (ISOLATED-world guard) and the background service worker.
 * The types are the core's (src/guard/protocol.ts, unions from src/events/schema.ts); only verdicts
 * and metadata cross this boundary, never file content or document text.
 */
import type { DecideRequest, DisputeRequest, PolicyPush, ResolveRequest, ServiceRequest } from '../../src/guard/protocol.js';

export type {
  Action,
  Channel,
  DecideRequest,
  DecideResponse,
  DisputeRequest,
  Finding,
  PolicyPush,
  ResolveRequest,
  ServiceRequest,
  ServiceResponse,
} from '../../src/guard/protocol.js';

/** content → background. */
export type Request = DecideRequest | ResolveRequest | DisputeRequest | ServiceRequest;
/** background → content. */
export type Push = PolicyPush;

/** Set in the ISOLATED world by a running guard, so a late injection into an open tab never runs it twice. */
export const GUARD_RUNNING = '__uploadGuardRunning__';
