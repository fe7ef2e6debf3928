/**
 * XMLHttpRequest: send() waits for the guard; a refusal fires readystatechange(4) → error → loadend
 * with status 0, which is what a network error looks like to the page. A synchronous request cannot
 * wait: it is refused unless its answer is known now (nothing to judge, or a File already passed).
 */
import { linkOpened } from './blob-url.js';
import { checkBody } from './body.js';
import { guardMethod } from './bridge-client.js';
import { whenDecided } from './decision.js';
import { combine, READY, type Gate, BLOCKED } from './gates.js';
import { gateHeaderText } from './headers.js';
import { gateUrl } from './url.js';
import {
  append,
  apply,
  CONFIGURABLE,
  defineValue,
  dispatch,
  SafeDOMException,
  SafeEvent,
  SafeProgressEvent,
  SafeWeakMap,
  toStr,
  weakMapGet,
  weakMapSet,
  protoOf,
  XHR as XHR_NAME,
} from './safe-self.js';

export function hookXhr(w: Window & typeof globalThis): void {
  const XHR = protoOf(XHR_NAME, w);
  const open = XHR.open;
  const setHeader = XHR.setRequestHeader;
  const isAsync: WeakMap<XMLHttpRequest, boolean> = new SafeWeakMap();
  /** What the URL given to open() carries (judged there, answered at send). */
  const urlGate: WeakMap<XMLHttpRequest, Gate> = new SafeWeakMap();
  /** The header values set since open() (which clears them), judged at send. */
  const headers: WeakMap<XMLHttpRequest, string[]> = new SafeWeakMap();
  XHR.open = function (this: XMLHttpRequest, ...a: unknown[]) {
    weakMapSet(isAsync, this, a.length < 3 || a[2] !== false);
    weakMapSet(headers, this, []);
    // Once: the URL judged and the URL linked to what it reads (blob-url.ts) are the URL opened.
    if (a.length > 1) weakMapSet(urlGate, this, gateUrl('xhr', (a[1] = toStr(a[1]))));
    const r = apply(open, this, a);
    linkOpened(this, a[1]);
    return r;
  } as typeof XHR.open;
  XHR.setRequestHeader = function (this: XMLHttpRequest, ...a: unknown[]) {
    // The value judged is the one set (a name is a token: it carries no text).
    append(weakMapGet(headers, this) ?? [], (a[1] = toStr(a[1])));
    return apply(setHeader, this, a);
  };
  guardMethod(XHR, 'send', function (this: XMLHttpRequest, send, a) {
    const checked = checkBody('xhr', a[0] as Document | XMLHttpRequestBodyInit | null | undefined);
    const gate = combine([weakMapGet(urlGate, this) ?? READY, gateHeaderText('xhr', weakMapGet(headers, this) ?? []), checked.gate]);
    // A synchronous request cannot wait: it goes only when its answer is known now (a File the employee
    // picked, which the guard judged then), and is refused otherwise.
    if (gate.ready || gate.decision.ok) return apply(send, this, [checked.sent]);
    if (weakMapGet(isAsync, this) === false) throw new SafeDOMException(BLOCKED, 'NetworkError');
    whenDecided(gate.decision, (ok) => (ok ? apply(send, this, [checked.sent]) : failXhr(this)));
  });
}

function failXhr(xhr: XMLHttpRequest): void {
  const states: unknown[] = ['readyState', 4, 'status', 0, 'statusText', '', 'responseText', '', 'response', ''];
  for (let i = 0; i < states.length; i += 2) {
    try {
      defineValue(xhr, states[i] as string, states[i + 1], CONFIGURABLE);
    } catch {
      /* ignore */
    }
  }
  dispatch(xhr, new SafeEvent('readystatechange'));
  dispatch(xhr, new SafeProgressEvent('error'));
  dispatch(xhr, new SafeProgressEvent('loadend'));
}
