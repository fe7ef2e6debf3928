/** Who and what this browser is, for events and heartbeats. */
import browser from 'webextension-polyfill';
import type { EffectivePolicy } from '../../src/policy/types.js';
import { db, deviceId } from './db.js';
import { deviceNameFor } from './device-attributes.js';
import type { EventContext } from '../../src/events/build.js';

interface UADataLike {
  brands?: { brand: string; version: string }[];
}

/** "Google Chrome 142", "Microsoft Edge 142", "Chromium 142", "Firefox 140". */
async function browserName(): Promise<string> {
  const rt = browser.runtime as unknown as { getBrowserInfo?: () => Promise<{ name: string; version: string }> };
  if (rt.getBrowserInfo) {
    const info = await rt.getBrowserInfo();
    return `${info.name} ${info.version.split('.')[0]}`;
  }
  const brands = (navigator as unknown as { userAgentData?: UADataLike }).userAgentData?.brands ?? [];
  const real = brands.filter((b) => !/not.?a.?brand/i.test(b.brand));
  // Prefer the product over the engine when both are listed.
  const pick = real.find((b) => b.brand !== 'Chromium') ?? real[0];
  if (pick) return `${pick.brand} ${pick.version}`;
  const m = /(Chrome|Firefox|Edg)\/(\d+)/.exec(navigator.userAgent);
  return m ? `${m[1]} ${m[2]}` : 'unknown';
}

/** Policy `user` first (what the admin wants in the logs), then the profile's signed-in account. */
async function userFor(policy: EffectivePolicy): Promise<string | null> {
  if (policy.user) return policy.user;
  try {
    const id = (browser as unknown as { identity?: { getProfileUserInfo?: (d?: object) => Promise<{ email: string }> } }).identity;
    const info = await id?.getProfileUserInfo?.({ accountStatus: 'ANY' });
    return info?.email || null;
  } catch {
    return null;
  }
}

let cachedBrowser: Promise<string> | null = null;

export async function eventContext(policy: EffectivePolicy): Promise<EventContext> {
  cachedBrowser ??= browserName();
  const [dev, user, name, pcName] = await Promise.all([db().then(deviceId), userFor(policy), cachedBrowser, deviceNameFor(policy.deviceName)]);
  return {
    deviceId: dev,
    user,
    deviceName: pcName,
    department: policy.department,
    browser: name,
    extensionVersion: browser.runtime.getManifest().version,
    policyVersion: policy.policyVersion,
  };
}
