/**
 * The network layer listens to every request type that can carry a body, and only to those: the
 * types a page loads its resources with (GET only) are left out, anything else (also a type added to
 * a later browser) stays in.
 */
import { describe, expect, it } from 'vitest';
import { bodyTypes } from '../../extension/background/request-types.js';

// chrome.webRequest.ResourceType as Chromium 156 gives it.
const CHROMIUM = {
  MAIN_FRAME: 'main_frame', SUB_FRAME: 'sub_frame', STYLESHEET: 'stylesheet', SCRIPT: 'script', IMAGE: 'image', FONT: 'font',
  OBJECT: 'object', XMLHTTPREQUEST: 'xmlhttprequest', PING: 'ping', CSP_REPORT: 'csp_report', MEDIA: 'media',
  WEBSOCKET: 'websocket', WEBBUNDLE: 'webbundle', OTHER: 'other',
};

describe('request types the network layer listens to', () => {
  it('keeps every type a body can travel in (fetch/XHR, form posts in frames, beacons, reports, other)', () => {
    expect(bodyTypes(CHROMIUM)?.sort()).toEqual(['csp_report', 'main_frame', 'other', 'ping', 'sub_frame', 'xmlhttprequest']);
  });

  it("keeps Firefox's beacon type and a type it does not know (fail closed)", () => {
    const t = bodyTypes({ ...CHROMIUM, BEACON: 'beacon', IMAGESET: 'imageset', SOMETHING_NEW: 'something_new' });
    expect(t).toContain('beacon');
    expect(t).toContain('something_new');
    expect(t).not.toContain('imageset');
  });

  it('listens to everything when the browser gives no list of types', () => {
    expect(bodyTypes(undefined)).toBeUndefined();
    expect(bodyTypes({})).toBeUndefined();
  });
});
