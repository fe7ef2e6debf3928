/**
 * The hooks' end of the private line to the ISOLATED-world guard (protocol: ../bridge.ts).
 *
 * Created at install, before any page script: the port is held only in this closure, its `onmessage`
 * is set once, and every message is read through the captured `MessageEvent#data` getter and posted
 * through the captured `MessagePort#postMessage`, so a page that replaces either never sees a question
 * nor forges an answer.
 */
import type { Designated } from '../../../src/detect/types.js';
import type { Channel } from '../../shared/messages.js';
import { HANDSHAKE, type Subject, type ToGuard, type ToHooks } from '../bridge.js';
import { pending, settle, YES, type Decision } from './decision.js';
import { onDropSignal } from './pickers.js';
import { onTyping } from './typing.js';
import { replaceMethod } from './accessors.js';
import { apply, hasOwn, mapDelete, mapForEach, mapGet, mapSet, messageData, portPost, SafeMap, SafeMessageChannel } from './safe-self.js';

/** What the guard said about this page: `pageGuarded` is null until its configuration arrives. */
/** Known not to be a guarded page (false until the configuration says so): the hooks let everything through. */
export const unguarded = (): boolean => config.pageGuarded === false;

/** A method of the page's, called as it was. */
export type Method = (...a: unknown[]) => unknown;
/**
 * `o[name]` (a method the page sends with) becomes `f(original, args)`, on the same `this`; on a page
 * that is not guarded the original runs as it was, unjudged.
 */
export function guardMethod(o: object | undefined, name: string, f: (this: never, original: Method, a: unknown[]) => unknown): void {
  replaceMethod(o, name, (original) => function (this: unknown, ...a: unknown[]) {
    return unguarded() ? apply(original, this, a) : apply(f, this, [original, a]);
  });
}

export const config: { pageGuarded: boolean | null; policyDesignated: Partial<Designated> | undefined } = {
  pageGuarded: null,
  policyDesignated: undefined,
};

const channel = new SafeMessageChannel();
const port = channel.port1;
const waiting: Map<number, Decision> = new SafeMap();
let nextId = 1;

port.onmessage = (e: MessageEvent) => {
  const m = messageData(e) as ToHooks;
  if (m.t === 'config') {
    config.pageGuarded = m.guarded === true;
    // An absent field would be read from Object.prototype, which the page controls.
    config.policyDesignated = hasOwn(m, 'designated') ? m.designated : undefined;
    // Not a guarded page after all: everything held so far goes through untouched.
    if (!config.pageGuarded) mapForEach(waiting, (d, id) => (mapDelete(waiting, id), settle(d, true)));
  } else if (m.t === 'typing') {
    onTyping(m.state, m.name);
  } else if (m.t === 'drop-signal') {
    onDropSignal(m.type);
  } else if (m.t === 'answer') {
    const d = mapGet(waiting, m.id);
    mapDelete(waiting, m.id);
    if (d) settle(d, m.proceed === true);
  }
};
window.postMessage({ [HANDSHAKE]: true }, '*', [channel.port2]);

/** Asks the guard about `subjects`; the Decision settles with its answer. */
export function ask(ch: Channel, subjects: Subject[]): Decision {
  if (unguarded() || !subjects.length) return YES;
  const id = nextId++;
  const d = pending();
  mapSet(waiting, id, d);
  const msg: ToGuard = { t: 'check', id, channel: ch, subjects };
  portPost(port, msg);
  return d;
}
