/** Device-supplied words as the admin page's Devices view shows them (outside admin/: no DOM or JSX, so unit tests import it). */
import { inertText } from '../events/inert.js';
import type { DeviceReport } from './devices.js';

/**
 * What a device row and the version lists show of the device's own words (versions, browser, policy
 * version): inert as its id and user are. Its heartbeat refuses control characters there but not bidi
 * overrides, zero-width characters or line separators, so a forged heartbeat's 「Chromium 156\u202E…」
 * or a version with U+202E reordered the table (red team coll7 F7).
 */
export function deviceText(d: Pick<DeviceReport, 'extensionVersion' | 'previousVersion' | 'browser' | 'policyVersion'>) {
  return {
    extensionVersion: inertText(d.extensionVersion),
    previousVersion: d.previousVersion === null ? null : inertText(d.previousVersion),
    browser: inertText(d.browser),
    policyVersion: d.policyVersion === null ? null : inertText(d.policyVersion),
  };
}
