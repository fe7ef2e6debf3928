/**
 * WebSocket.send and RTCDataChannel.send (peer-to-peer transfer services hand files to the other browser
 * this way, off any server the network layer sees): a per-socket queue, so frames stay in order while
 * one waits for a scan. WebSocketStream (Chromium): what is written to its writable is a message, judged
 * the same way. All are recorded as channel `websocket`: a socket the page holds open. The network layer
 * sees only a socket's opening, never its messages.
 */
import { replaceMethod } from './accessors.js';
import { wrapGetter } from './accessors.js';
import { checkBody } from './body.js';
import { unguarded } from './bridge-client.js';
import { inOrder, whenDecided, type Decision } from './decision.js';
import { decisionOf } from './gates.js';
import {
  apply, blobBytes, getWriter, isBlob, promiseThen, rtcReadyState, SafePromise, SafeWeakMap, SafeWritableStream, weakMapGet, weakMapHas, weakMapSet,
  writerAbort, writerClose, writerWrite, wsReadyState,
  protoOf,
} from './safe-self.js';

type Socket = WebSocket | RTCDataChannel;
type Data = string | ArrayBufferLike | Blob | ArrayBufferView;

export function hookWebSocket(w: Window & typeof globalThis): void {
  hookSend(protoOf('WebSocket', w), wsReadyState as (s: Socket) => unknown, 1);
  // Not in every realm (a worker has none in some browsers): replaceMethod passes over a missing one.
  hookSend(protoOf('RTCDataChannel', w), rtcReadyState as (s: Socket) => unknown, 'open');
  hookSocketStream(w);
}

/**
 * WebSocketStream's `opened` gives the page `{ readable, writable, … }`: the page gets a writable of ours
 * instead, whose sink judges each chunk and writes it to the socket's own (whose writer it holds, so
 * nothing else can). A stream writes one chunk at a time, so order is kept; a refused chunk is dropped,
 * as a refused WebSocket frame is. The same promise each time, as the browser's.
 */
function hookSocketStream(w: Window & typeof globalThis): void {
  const opened: WeakMap<object, Promise<unknown>> = new SafeWeakMap();
  if (SafeWritableStream) wrapGetter(protoOf('WebSocketStream', w), 'opened', (self, get) => {
    const s = self as object;
    if (!weakMapHas(opened, s)) weakMapSet(opened, s, promiseThen(get(s) as Promise<{ writable: WritableStream }>, (info) => ({ ...info, writable: guarded(info.writable) })));
    return weakMapGet(opened, s);
  });
}

/**
 * The page's chunk goes to the socket as judged: a string as it is; bytes as the copy checkBody judged
 * (a Blob, which a WebSocketStream does not take: read back into bytes), so the page cannot change them
 * while they wait.
 */
function guarded(socket: WritableStream): WritableStream {
  const writer = getWriter(socket);
  const send = (b: unknown): Promise<void> => (isBlob(b) ? promiseThen(blobBytes(b), (x) => writerWrite(writer, x)) : writerWrite(writer, b));
  return new SafeWritableStream!({
    write: (chunk) => {
      const { gate, sent: body } = checkBody('websocket', chunk);
      return gate.ready ? send(body) : new SafePromise<void>((ok) => whenDecided(gate.decision, (yes) => ok(yes ? send(body) : undefined)));
    },
    close: () => writerClose(writer),
    abort: (reason) => writerAbort(writer, reason),
  });
}

function hookSend(proto: Socket | undefined, state: (s: Socket) => unknown, open: unknown): void {
  /** The last frame queued on each socket: settled once it has been sent or dropped. */
  const last: WeakMap<Socket, Decision> = new SafeWeakMap();
  replaceMethod(proto, 'send', (send) => function (this: Socket, data: Data) {
    if (unguarded() || state(this) !== open) return apply(send, this, [data]);
    const checked = checkBody('websocket', data);
    const before = weakMapGet(last, this);
    if (checked.gate.ready && (!before || before.settled)) return apply(send, this, [checked.sent]);
    inOrder(last, this, decisionOf(checked.gate), (ok) => {
      if (ok && state(this) === open) apply(send, this, [checked.sent]);
    });
  });
}
