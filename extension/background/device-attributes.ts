/**
 * The PC name when the policy sets none: on ChromeOS, the hostname the admin console gives the device
 * (DeviceHostnameTemplate policy), read with chrome.enterprise.deviceAttributes.getDeviceHostname().
 * That API exists only on ChromeOS, only for extensions installed by policy, and with the
 * `enterprise.deviceAttributes` permission; it answers '' when the user is not affiliated or no
 * hostname is set. Anywhere else the API is absent and the event simply has no PC name: nothing here
 * may fail or hold up an event, so a missing API, an error, an empty answer or a slow one all mean none.
 */
import { LIMITS } from '../../src/events/schema.js';

/** The part of chrome.enterprise.deviceAttributes this reads. */
export interface DeviceAttributesApi {
  getDeviceHostname?: () => Promise<string> | void;
}

/** Long enough for a local call, short enough never to delay the first event noticeably. */
const TIMEOUT_MS = 1_000;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The API where the browser offers it (ChromeOS, with the permission), else undefined. */
export function deviceAttributesApi(): DeviceAttributesApi | undefined {
  const g = globalThis as unknown as { chrome?: { enterprise?: { deviceAttributes?: DeviceAttributesApi } } };
  return g.chrome?.enterprise?.deviceAttributes;
}

/** The device's hostname from the enterprise API, or null (not ChromeOS, not affiliated, none set, error, too slow, unusable). */
export async function enterpriseHostname(api: DeviceAttributesApi | undefined = deviceAttributesApi(), timeoutMs = TIMEOUT_MS): Promise<string | null> {
  if (typeof api?.getDeviceHostname !== 'function') return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = await Promise.race([
      Promise.resolve(api.getDeviceHostname()),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
    ]);
    if (typeof answer !== 'string') return null;
    const name = answer.trim();
    // Same rule as the policy field: 1–128 characters, no control characters.
    return name && name.length <= LIMITS.deviceName && !CONTROL.test(name) ? name : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

let cached: Promise<string | null> | null = null;

/** The policy's deviceName first (the admin's choice), else the enterprise hostname, asked once per worker. */
export async function deviceNameFor(policyName: string | null): Promise<string | null> {
  if (policyName) return policyName;
  cached ??= enterpriseHostname();
  return cached;
}
