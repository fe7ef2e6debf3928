/**
 * postMessage to a Service Worker (an offline upload queue), a Worker, another window or frame, a
 * MessagePort or a BroadcastChannel: a context where no hook of this page runs can upload what it
 * receives. A message carrying Files or Blobs leaves once the guard allows them, like a network upload,
 * and in order with the messages sent after it on the same target; refused, it is dropped.
 */
import { guardMethod } from './bridge-client.js';
import { inOrder, type Decision } from './decision.js';
import { carriedGate, combine, decisionOf } from './gates.js';
import { typingGate } from './typing.js';
import { apply, protoOf, SafeWeakMap, weakMapGet } from './safe-self.js';

type Win = Window & typeof globalThis;

export function hookMessages(w: Win): void {
  // (A prototype this browser lacks is passed over: guardMethod wraps only what is there.)
  for (const name of ['Worker', 'ServiceWorker', 'MessagePort', 'BroadcastChannel']) wrapPost(protoOf(name, w));
  wrapPost(w);
}

function wrapPost(owner: object | undefined): void {
  const last: WeakMap<object, Decision> = new SafeWeakMap();
  guardMethod(owner, 'postMessage', function (this: object, original, a) {
    // A field holding marked text holds back what the page hands over meanwhile, too (typing.ts).
    const gate = combine([carriedGate('message', a[0]), typingGate()]);
    const before = weakMapGet(last, this);
    if (gate.ready && (!before || before.settled)) return apply(original, this, a);
    if (!gate.ready && gate.refusedNow) return; // dropped; the guard reports and explains
    inOrder(last, this, decisionOf(gate), (ok) => ok && apply(original, this, a));
  });
}
