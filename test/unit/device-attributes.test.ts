/**
 * The PC name fallback from chrome.enterprise.deviceAttributes (ChromeOS only, so the API is given here
 * as the object shapes the browser offers): the policy's name wins; an absent API, an error, an empty
 * or unusable answer, or one slower than the limit mean no name, never a failure.
 */
import { describe, expect, it } from 'vitest';
import { deviceAttributesApi, deviceNameFor, enterpriseHostname } from '../../extension/background/device-attributes.js';

describe('enterpriseHostname', () => {
  it('reads the hostname the admin console set', async () => {
    expect(await enterpriseHostname({ getDeviceHostname: async () => 'cros-tokyo-0042' })).toBe('cros-tokyo-0042');
    expect(await enterpriseHostname({ getDeviceHostname: async () => '  cros-1  ' })).toBe('cros-1');
  });

  it('is none without the API (not ChromeOS, no permission), when unaffiliated or unset, on error, or when unusable', async () => {
    expect(deviceAttributesApi()).toBeUndefined(); // Node, like desktop Chrome, has no chrome.enterprise
    expect(await enterpriseHostname(undefined)).toBeNull();
    expect(await enterpriseHostname({})).toBeNull();
    expect(await enterpriseHostname({ getDeviceHostname: async () => '' })).toBeNull();
    expect(await enterpriseHostname({ getDeviceHostname: () => Promise.reject(new Error('not allowed')) })).toBeNull();
    expect(await enterpriseHostname({ getDeviceHostname: () => { throw new Error('sync throw'); } })).toBeNull();
    expect(await enterpriseHostname({ getDeviceHostname: async () => 'pc\u0007' })).toBeNull();
    expect(await enterpriseHostname({ getDeviceHostname: async () => 'x'.repeat(129) })).toBeNull();
    expect(await enterpriseHostname({ getDeviceHostname: () => undefined })).toBeNull();
  });

  it('gives up after the limit rather than hold events', async () => {
    const t0 = Date.now();
    expect(await enterpriseHostname({ getDeviceHostname: () => new Promise(() => {}) }, 50)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('deviceNameFor', () => {
  it("takes the policy's name first, and without one here (no ChromeOS API) there is none", async () => {
    expect(await deviceNameFor('PC-0001')).toBe('PC-0001');
    expect(await deviceNameFor(null)).toBeNull();
  });
});
