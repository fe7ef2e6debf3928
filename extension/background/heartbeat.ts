/** Tells the collector, every heartbeatMinutes, that the guard is alive on this device and how its queue is. */
import browser from 'webextension-polyfill';
import { EVENT_SCHEMA_VERSION, type Heartbeat } from '../../src/events/schema.js';
import type { EffectivePolicy } from '../../src/policy/types.js';
import { EMPTY_DELIVERY, getMeta, setMeta, type Db } from './db.js';
import { eventContext } from './identity.js';
import { length } from './queue.js';
import { collectorOf, post } from './sender.js';

export const HEARTBEAT_ALARM = 'upload-guard-heartbeat';

/** (Re)creates the periodic alarm when the interval changed; alarms persist while the worker sleeps. */
export async function scheduleHeartbeat(p: EffectivePolicy): Promise<void> {
  const existing = await browser.alarms.get(HEARTBEAT_ALARM);
  if (existing?.periodInMinutes === p.heartbeatMinutes) return;
  await browser.alarms.create(HEARTBEAT_ALARM, { delayInMinutes: p.heartbeatMinutes, periodInMinutes: p.heartbeatMinutes });
}

export async function heartbeat(d: Db, p: EffectivePolicy): Promise<boolean> {
  const c = collectorOf(p);
  if (!c) return false;
  const ctx = await eventContext(p);
  const body: Heartbeat = {
    v: EVENT_SCHEMA_VERSION,
    time: new Date().toISOString(),
    deviceId: ctx.deviceId,
    user: ctx.user,
    browser: ctx.browser,
    extensionVersion: ctx.extensionVersion,
    policyVersion: ctx.policyVersion,
    queueLength: await length(d),
    dropped: await getMeta(d, 'dropped', 0),
  };
  try {
    const status = await post(c, '/v1/heartbeat', body);
    if (status >= 200 && status < 300) {
      const s = await getMeta(d, 'delivery', EMPTY_DELIVERY);
      await setMeta(d, 'delivery', { ...s, lastHeartbeat: body.time });
      return true;
    }
  } catch {
    // The next heartbeat or event flush will show the collector's state; nothing to queue for a heartbeat.
  }
  return false;
}
