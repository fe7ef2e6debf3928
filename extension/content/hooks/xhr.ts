/**
 * XMLHttpRequest: send() waits for the guard; a refusal fires readystatechange(4) → error → loadend
 * with status 0, which is what a network error looks like to the page. A synchronous request cannot
 * wait: it is refused unless its answer is known now (nothing to judge, or a File already passed).
 */
import { replaceMethod } from './accessors.js';
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
  /** Each request as open() last opened it (an open() that throws opens nothing: the one before stands). */
  const opened: WeakMap<XMLHttpRequest, Opened> = new SafeWeakMap();
  replaceMethod(XHR, 'open', (open) => function (this: XMLHttpRequest, ...a: unknown[]) {
    const isAsync = a.length < 3 || a[2] !== false;
    // Once: the URL judged and the URL linked to what it reads (blob-url.ts) are the URL opened.
    const urlGate = a.length > 1 ? gateUrl('xhr', (a[1] = toStr(a[1]))) : READY;
    const r = apply(open, this, a);
    weakMapSet(opened, this, { isAsync, urlGate, headerValues: [] });
    linkOpened(this, a[1]);
    return r;
  });
  replaceMethod(XHR, 'setRequestHeader', (setHeader) => function (this: XMLHttpRequest, ...a: unknown[]) {
    // The value judged is the one set (a name is a token: it carries no text).
    append(weakMapGet(opened, this)?.headerValues ?? [], (a[1] = toStr(a[1])));
    return apply(setHeader, this, a);
  });
  guardMethod(XHR, 'send', function (this: XMLHttpRequest, send, a) {
    const checked = checkBody('xhr', a[0] as Document | XMLHttpRequestBodyInit | null | undefined);
    const o = weakMapGet(opened, this);
    const gate = o ? combine([o.urlGate, gateHeaderText('xhr', o.headerValues), checked.gate]) : checked.gate;
    // A synchronous request cannot wait: it goes only when its answer is known now (a File the employee
    // picked, which the guard judged then), and is refused otherwise.
    if (gate.ready || gate.decision.ok) return apply(send, this, [checked.sent]);
    if (o?.isAsync === false) throw new SafeDOMException(BLOCKED, 'NetworkError');
    whenDecided(gate.decision, (ok) => (ok ? apply(send, this, [checked.sent]) : failXhr(this)));
  });
}

/** What open() gave: sync or not, what its URL carries (judged there, answered at send), the header values set since (judged at send). */
interface Opened {
  isAsync: boolean;
  urlGate: Gate;
  headerValues: string[];
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
