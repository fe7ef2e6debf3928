/**
 * WebSocket.send and RTCDataChannel.send (peer-to-peer transfer services hand files to the other browser
 * this way, off any server the network layer sees): a per-socket queue, so frames stay in order while
 * one waits for a scan. Both are recorded as channel `websocket`: a socket the page holds open.
 */
import { checkBody } from './body.js';
import { unguarded } from './bridge-client.js';
import { inOrder, YES, type Decision } from './decision.js';
import { apply, rtcReadyState, SafeWeakMap, weakMapGet, wsReadyState } from './safe-self.js';

type Socket = WebSocket | RTCDataChannel;
type Data = string | ArrayBufferLike | Blob | ArrayBufferView;

export function hookWebSocket(w: Window & typeof globalThis): void {
  hookSend(w.WebSocket.prototype, wsReadyState as (s: Socket) => unknown, 1);
  // Not in every realm (a worker has none in some browsers).
  if (w.RTCDataChannel) hookSend(w.RTCDataChannel.prototype, rtcReadyState as (s: Socket) => unknown, 'open');
}

function hookSend(proto: Socket, state: (s: Socket) => unknown, open: unknown): void {
  const send = proto.send as (data: Data) => void;
  /** The last frame queued on each socket: settled once it has been sent or dropped. */
  const last: WeakMap<Socket, Decision> = new SafeWeakMap();
  proto.send = function (this: Socket, data: Data) {
    if (unguarded() || state(this) !== open) return apply(send, this, [data]);
    const checked = checkBody('websocket', data);
    const before = weakMapGet(last, this);
    if (checked.gate.ready && (!before || before.done)) return apply(send, this, [checked.body]);
    inOrder(last, this, checked.gate.ready ? YES : checked.gate.decision, (ok) => {
      if (ok && state(this) === open) apply(send, this, [checked.body]);
    });
  };
}
