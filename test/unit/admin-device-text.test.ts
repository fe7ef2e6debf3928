/**
 * The Devices view shows what a device's heartbeat says of itself (versions, browser, policy version) as
 * inert text, as its id and user: the heartbeat refuses control characters there but not bidi overrides,
 * zero-width characters or line separators (red team coll7 F7).
 */
import { describe, expect, it } from 'vitest';
import { deviceText } from '../../src/collector/device-text.js';

describe('the Devices view: a device’s own words', () => {
  it('shows bidi overrides, zero-width characters and line separators as [U+XXXX]', () => {
    const shown = deviceText({ extensionVersion: '0.1.0\u202E1.0', previousVersion: '0.0.9\u200B', browser: 'Chromium 156\u2028Edge', policyVersion: '\u2066v2\u2069' });
    expect(shown).toEqual({
      extensionVersion: '0.1.0[U+202E]1.0',
      previousVersion: '0.0.9[U+200B]',
      browser: 'Chromium 156[U+2028]Edge',
      policyVersion: '[U+2066]v2[U+2069]',
    });
  });

  it('leaves plain values and nulls as they are', () => {
    expect(deviceText({ extensionVersion: '0.2.0', previousVersion: null, browser: 'Google Chrome 142', policyVersion: null })).toEqual({
      extensionVersion: '0.2.0',
      previousVersion: null,
      browser: 'Google Chrome 142',
      policyVersion: null,
    });
  });
});
