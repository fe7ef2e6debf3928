/**
 * Tells the collector, every heartbeatMinutes, that the guard is alive on this device and how its queue
 * is, and what the collector needs to notice tampering: the interval (so it knows when silence is
 * suspicious), how the extension was installed (force-installed by policy or not), whether a managed
 * policy is in force, and whether it runs in incognito windows.
 */
import browser from 'webextension-polyfill';
import { EVENT_SCHEMA_VERSION, INSTALL_TYPES, type Heartbeat, type InstallType } from '../../src/events/schema.js';
import type { LoadedPolicy } from '../../src/policy/load.js';
import type { EffectivePolicy } from '../../src/policy/types.js';
import { EMPTY_DELIVERY, getMeta, setMeta, type Db } from './db.js';
import { eventContext } from './identity.js';
import { length } from './queue.js';
import { collectorOf, post } from './sender.js';

export const HEARTBEAT_ALARM = 'upload-guard-heartbeat';

/** How long one browser query may take before the heartbeat goes without its answer. */
const PROBE_TIMEOUT_MS = 2_000;

/** (Re)creates the periodic alarm when the interval changed; alarms persist while the worker sleeps. */
export async function scheduleHeartbeat(p: EffectivePolicy): Promise<void> {
  const existing = await browser.alarms.get(HEARTBEAT_ALARM);
  if (existing?.periodInMinutes === p.heartbeatMinutes) return;
  await browser.alarms.create(HEARTBEAT_ALARM, { delayInMinutes: p.heartbeatMinutes, periodInMinutes: p.heartbeatMinutes });
}

/** `fn()`, or undefined when it throws, rejects or hangs: a browser API must never stop the heartbeat. */
async function probe<T>(fn: () => Promise<T> | T | undefined): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(fn),
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), PROBE_TIMEOUT_MS))),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

interface InstallApis {
  management?: { getSelf?: () => Promise<{ installType?: unknown }> };
  extension?: { isAllowedIncognitoAccess?: () => Promise<boolean> };
}

/** management.getSelf() needs no permission (Chrome, Edge, Firefox); either answer may be missing. */
export async function installFacts(api: InstallApis = browser as unknown as InstallApis): Promise<Pick<Heartbeat, 'installType' | 'incognitoAllowed'>> {
  const [self, incognito] = await Promise.all([
    probe(() => api.management?.getSelf?.()),
    probe(() => api.extension?.isAllowedIncognitoAccess?.()),
  ]);
  const installType = INSTALL_TYPES.find((t): t is InstallType => t === self?.installType);
  return { ...(installType ? { installType } : {}), incognitoAllowed: typeof incognito === 'boolean' ? incognito : null };
}

export async function heartbeat(d: Db, loaded: LoadedPolicy): Promise<boolean> {
  const p = loaded.effective;
  const c = collectorOf(p);
  if (!c) return false;
  const [ctx, facts, queueLength, dropped] = await Promise.all([eventContext(p), installFacts(), length(d), getMeta(d, 'dropped', 0)]);
  const minutes = p.heartbeatMinutes;
  const body: Heartbeat = {
    v: EVENT_SCHEMA_VERSION,
    time: new Date().toISOString(),
    deviceId: ctx.deviceId,
    user: ctx.user,
    ...(ctx.deviceName ? { deviceName: ctx.deviceName } : {}),
    ...(ctx.department ? { department: ctx.department } : {}),
    browser: ctx.browser,
    extensionVersion: ctx.extensionVersion,
    policyVersion: ctx.policyVersion,
    queueLength,
    dropped,
    ...(Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440 ? { heartbeatMinutes: minutes } : {}),
    managed: loaded.isManaged,
    ...facts,
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
