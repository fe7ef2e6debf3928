/**
 * navigator.sendBeacon answers synchronously. A marking found without reading bytes (a marked name,
 * marked text) → false at once; bytes to scan → the beacon is queued (true) and leaves only if allowed.
 */
import { checkBody } from './body.js';
import { config } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { apply } from './safe-self.js';

export function hookBeacon(w: Window & typeof globalThis): void {
  const nav = w.navigator;
  const original = nav.sendBeacon;
  if (typeof original !== 'function') return;
  nav.sendBeacon = function sendBeacon(this: Navigator, url: string | URL, data?: BodyInit | null): boolean {
    if (config.guarded === false || data == null) return apply(original, this, [url, data]);
    const checked = checkBody('beacon', data);
    if (checked.gate.ready) return apply(original, this, [url, checked.body]);
    // Refused now or later, the guard still reports and explains.
    if (checked.gate.refusedNow) return false;
    whenDecided(checked.gate.decision, (ok) => ok && apply(original, nav, [url, checked.body]));
    return true;
  };
}
