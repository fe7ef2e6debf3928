/** WebSocket.send: a per-socket queue, so frames stay in order while one waits for a scan. */
import { checkBody } from './body.js';
import { unguarded } from './bridge-client.js';
import { inOrder, YES, type Decision } from './decision.js';
import { apply, SafeWeakMap, weakMapGet, wsReadyState } from './safe-self.js';

export function hookWebSocket(w: Window & typeof globalThis): void {
  const WS = w.WebSocket.prototype;
  const send = WS.send;
  /** The last frame queued on each socket: settled once it has been sent or dropped. */
  const last: WeakMap<WebSocket, Decision> = new SafeWeakMap();
  WS.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    if (unguarded() || wsReadyState(this) !== 1) return apply(send, this, [data]);
    const checked = checkBody('websocket', data);
    const before = weakMapGet(last, this);
    if (checked.gate.ready && (!before || before.done)) return apply(send, this, [checked.body]);
    inOrder(last, this, checked.gate.ready ? YES : checked.gate.decision, (ok) => {
      if (ok && wsReadyState(this) === 1) apply(send, this, [checked.body]);
    });
  };
}
