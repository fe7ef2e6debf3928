/**
 * navigator.sendBeacon answers synchronously (its URL is judged as well as its body). A marking found without reading bytes (a marked name,
 * marked text) → false at once; bytes to scan → the beacon is queued (true) and leaves only if allowed.
 */
import { checkBody } from './body.js';
import { guardMethod } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { combine } from './gates.js';
import { apply, toStr } from './safe-self.js';
import { gateUrl } from './url.js';

export function hookBeacon(w: Window & typeof globalThis): void {
  const nav = w.navigator;
  guardMethod(nav, 'sendBeacon', function (this: Navigator, original, a) {
    const to = toStr(a[0]);
    const checked = checkBody('beacon', a[1] as BodyInit | null | undefined);
    const gate = combine([gateUrl('beacon', to), checked.gate]);
    if (gate.ready) return apply(original, this, [to, checked.sent]);
    // Refused now or later, the guard still reports and explains.
    if (gate.refusedNow) return false;
    whenDecided(gate.decision, (ok) => ok && apply(original, nav, [to, checked.sent]));
    return true;
  });
}
